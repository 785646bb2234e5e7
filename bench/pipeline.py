"""Pipeline efficiency: how close the real training loop gets to the model's own speed.

The real loop is `multimodal_mlc.train.Run.one_batch`, the step of `train`'s run: it takes each batch from the disk caches through
`Inputs.batch` (with augmentation), then runs forward, backward and the optimizer step. The reference runs the same model,
loss, optimizer and autocast on the same rows' batches, made beforehand on the device. The ratio of their throughputs is
the share of the time spent on the model; the target is 0.9 or better. The two run in alternating rounds (with
`Inputs.batch` alone as a third), and the fastest round of each counts, as in `timeit`.

    python bench/pipeline.py                  # both models, synthetic data, CPU
    python bench/pipeline.py --real --wait    # the COMP5329 images and captions, once the machine is quiet
    python bench/pipeline.py --device cuda
"""
from __future__ import annotations
import argparse

import numpy as np
import torch

from benchlib import dataset, machine, median, timed, wait_for_quiet, write_result
from multimodal_mlc.data import LabelSpace
from multimodal_mlc.config import get_config
from multimodal_mlc.inputs import prepare_inputs
from multimodal_mlc.modelfile import build_model
from multimodal_mlc.train import Run

def configs(img_size:int, batch_size:int, pretrained:bool=True) -> dict:
    "The two models measured: (a) an end-to-end token-fusion ViT the size of DeiT-Tiny, (b) the `fast` preset's FusionHead."
    deit_tiny = dict(img_size=img_size, patch_size=16, embed_dim=192, depth=12, num_heads=3)
    # caption states shaped like BERT-base's (768-d); one random layer makes them, since only their shape matters here
    bert_shaped = dict(hidden_size=768, num_hidden_layers=1, num_attention_heads=12, intermediate_size=3072)
    return {'token': get_config('tiny', img_size=img_size, batch_size=batch_size, model_kw=deit_tiny, text_kw=bert_shaped),
            'fast': get_config('fast', pretrained=pretrained)}

class Bench:
    "A `multimodal_mlc.train.Run` of a config, built as `train` builds it, and the reference that reads ready-made batches."
    def __init__(self, cfg, df, images, device):
        self.cfg, self.device = cfg, device
        self.y = LabelSpace.from_labels(df.Labels).encode(df.Labels.tolist())
        inputs = prepare_inputs(df, images, cfg, device=device)
        img_dim = inputs.features.shape[-1] if inputs.features is not None else None
        model = build_model(cfg, self.y.shape[1], inputs.text.dim, img_dim).to(device)
        self.run = Run(cfg, model, inputs, self.y, np.arange(len(self.y)), np.arange(0), device)
        self.inputs, self.model, self.g = inputs, model, self.run.gen

    def draw(self, steps:int) -> torch.Tensor:
        "Row order for `steps` batches, drawn as `train` draws an epoch's."
        n, B = len(self.y), self.cfg.batch_size
        return torch.cat([torch.randperm(n, generator=self.g) for _ in range(steps * B // n + 1)])[:steps * B]

    def batches(self, perm) -> list:
        "The batches of `perm`, made on the device through the loop's own code, for the reference to read."
        B = self.cfg.batch_size
        rows = [perm[i:i + B].numpy() for i in range(0, len(perm), B)]
        return [(*self.inputs.batch(r, self.cfg, train=True, generator=self.g, device=self.device), torch.from_numpy(self.y[r]).to(self.device)) for r in rows]

    def real(self, perm):
        "The real loop over `perm`: `Run.one_batch` on the batches of `Run._batches` (made a step ahead on a thread on a GPU, as `train` does)."
        r = self.run; r.net.train()
        r.perm, r.draws, r.batch, r.n_batches = perm, self.inputs._draws(len(perm), self.cfg, self.g), 0, len(perm) // self.cfg.batch_size
        for b, batch in r._batches(): r.one_batch(b, batch)

    def ready(self, batches):
        "Forward, backward and optimizer step on each of `batches`, with the run's own autocast, loss, scaler, optimizer and schedule."
        r = self.run; self.model.train()
        for x, emb, mask, yb in batches:
            with r.ctx: logits = self.model(x, emb, mask)
            loss = r.loss_fn(logits.float(), yb)
            r.scaler.scale(loss).backward(); r.scaler.step(r.opt); r.scaler.update()
            r.opt.zero_grad(set_to_none=True); r.sched.step()

    def data_only(self, perm):
        "`Inputs.batch` alone over `perm`: the loop's own input cost."
        self.batches(perm)

def measure(name, cfg, df, images, device, steps, rounds, warmup, prefetch=None) -> dict:
    "Throughputs of the real loop and of the reference for `cfg`, their ratio, and the time of a batch on each side."
    run = Bench(cfg, df, images, device)
    if prefetch is not None: run.run.prefetch = prefetch
    perm = run.draw(warmup); run.real(perm); run.ready(run.batches(perm))  # first calls allocate, pick kernels and fault the memory maps in
    t = {'real': [], 'ready': [], 'data': []}
    for r in range(rounds):
        # both sides take the same rows, so the same shapes (the caption length is the batch's longest); who goes first alternates
        perm = run.draw(steps); batches = run.batches(perm)
        sides = [('real', lambda: run.real(perm)), ('ready', lambda: run.ready(batches)), ('data', lambda: run.data_only(perm))]
        for k, f in (sides if r % 2 else sides[1::-1] + sides[2:]): t[k].append(timed(f, device))
    # the fastest round of each: other jobs on the machine only ever add time
    B, best = cfg.batch_size, {k: min(v) for k, v in t.items()}
    real, ready = steps * B / best['real'], steps * B / best['ready']
    x, emb, mask, _ = batches[0]
    return dict(model=name, batch_size=B, steps=steps, rounds=rounds, shapes=dict(x=list(x.shape), x_dtype=str(x.dtype), text=list(emb.shape)),
                autocast=str(run.run.ctx.fast_dtype) if run.run.ctx._enabled else 'off', prefetch=run.run.prefetch, params=sum(p.numel() for p in run.model.parameters()),
                real_samples_per_s=real, ready_samples_per_s=ready, ratio=real / ready, ratio_of_medians=median(t['ready']) / median(t['real']),
                ratio_per_round=[b / a for a, b in zip(t['real'], t['ready'])],
                ms_per_batch={k: 1e3 * v / steps for k, v in best.items()},
                seconds=t)

def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--models', default='token,fast', help='comma-separated: token (end-to-end DeiT-Tiny size), fast (FusionHead on cached features)')
    ap.add_argument('--device', default='cpu'); ap.add_argument('--real', action='store_true', help='COMP5329 rows instead of synthetic ones')
    ap.add_argument('--n', type=int, default=1024, help='rows in the cached set'); ap.add_argument('--img-size', type=int, default=96)
    ap.add_argument('--batch-size', type=int, default=32, help='of the token model; fast uses its preset (128)')
    ap.add_argument('--steps', type=int, default=2, help='batches a round'); ap.add_argument('--rounds', type=int, default=10); ap.add_argument('--warmup', type=int, default=3)
    ap.add_argument('--random-weights', action='store_true', help="fast with random weights (where its weights are not installed; the speed is the same)")
    ap.add_argument('--no-prefetch', action='store_true', help="make each batch when it is needed, even on a GPU (Run.prefetch off)")
    ap.add_argument('--wait', action='store_true', help='first wait (up to 10 min) for the 1-minute load average to fall below 1.5')
    a = ap.parse_args()
    device = torch.device(a.device)
    df, images = dataset(a.real, a.n)[:2]
    cfgs = configs(a.img_size, a.batch_size, pretrained=not a.random_weights)
    for name in a.models.split(','): prepare_inputs(df, images, cfgs[name], device=device)  # fill the caches before any timing
    load_before = wait_for_quiet() if a.wait else None
    results = [measure(name, cfgs[name], df, images, device, a.steps, a.rounds, a.warmup, prefetch=None if not a.no_prefetch else False) for name in a.models.split(',')]
    f = write_result('pipeline', dict(machine=machine(a.device), data='COMP5329 train rows' if a.real else 'synthetic (make_synthetic, 64 px JPEGs)',
                                      n_rows=len(df), load_before=load_before, results=results))
    for r in results:
        print(f"{r['model']:>5}: real loop {r['real_samples_per_s']:.1f} samples/s, ready tensors {r['ready_samples_per_s']:.1f} samples/s, "
              f"ratio {r['ratio']:.3f} (of medians {r['ratio_of_medians']:.3f}); a batch: loop {r['ms_per_batch']['real']:.1f} ms, "
              f"ready {r['ms_per_batch']['ready']:.1f} ms, Inputs.batch alone {r['ms_per_batch']['data']:.2f} ms")
    print(f"written to {f}")

if __name__ == '__main__': main()
