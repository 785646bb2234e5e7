"""The `paper` preset on a GPU: training and scoring speed, projected to the report's runs.

The report fine-tuned DeiT-Small with frozen BERT-base caption states as extra tokens (batch 64, mixed precision) on a
Colab T4: 27,000 training images for 10 epochs took 4 h 20 min, and scoring the 10,000 test images 1 h 10 min. Here the
same model (`get_config('paper')`) runs on random tensors of the real shapes with random weights (`pretrained=False`:
the hub may be unreachable, and the weights do not change the speed): 224 px images, 24 caption tokens (the 99th
percentile of the COMP5329 captions under BERT's tokenizer) of 768 dimensions, 18 labels. It measures

- training steps (forward, backward, Adam, the preset's loss, autocast and scaler) on batches of 64;
- scoring (forward under `inference_mode`) in batches of 256, as `predict_probs` does;
- BERT-base encoding captions of 24 tokens, done once per caption by `encode_captions`;
- JPEG decoding into the image cache (`cache_images`, CPU threads), once per image, on synthetic 320 px JPEGs.

and projects: training = captions and images once, then 10 epochs of 27,000 training rows and 3,000 validation rows;
scoring = 10,000 captions, images and forwards. Python start-up, model loading and writing files are left out.

    python bench/paper_gpu.py --device cuda                 # the figure (a few minutes)
    python bench/paper_gpu.py --device cpu --steps 3        # a smoke test that the script works (batches of 8)
"""
from __future__ import annotations
import argparse, os, tempfile

import torch
from benchlib import machine, timed, wait_for_quiet, write_result

REPORT = dict(train_s=4 * 3600 + 20 * 60, score_s=3600 + 10 * 60, gpu='Colab T4')
N_TRAIN, N_VALID, N_TEST, EPOCHS, N_LABELS, TEXT_LEN = 27_000, 3_000, 10_000, 10, 18, 24

def per_s(f, n_items:int, steps:int, warmup:int, device) -> float:
    "Items per second of `f` (one batch of `n_items`), after `warmup` untimed calls."
    for _ in range(warmup): f()
    return n_items * steps / timed(lambda: [f() for _ in range(steps)], device)

def train_speed(cfg, device, steps, warmup) -> float:
    from multimodal_mlc.settings import autocast, make_loss
    from multimodal_mlc.modelfile import build_model
    model = build_model(cfg, N_LABELS, 768).to(device).train()
    opt = torch.optim.AdamW(model.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay)  # as `train` builds it
    ctx, fp16 = autocast(cfg, device); scaler = torch.amp.GradScaler(device.type, enabled=fp16)
    loss_fn, B = make_loss(cfg), cfg.batch_size
    x, emb = torch.randn(B, 3, cfg.img_size, cfg.img_size, device=device), torch.randn(B, TEXT_LEN, 768, device=device)
    mask, y = torch.ones(B, TEXT_LEN, dtype=torch.bool, device=device), (torch.rand(B, N_LABELS, device=device) < 0.1).float()
    def step():
        with ctx: logits = model(x, emb, mask)
        scaler.scale(loss_fn(logits.float(), y)).backward(); scaler.step(opt); scaler.update(); opt.zero_grad(set_to_none=True)
    return per_s(step, B, steps, warmup, device), model, ctx

@torch.inference_mode()
def score_speed(model, ctx, cfg, device, steps, warmup, batch_size:int=256) -> float:
    model.eval()
    x, emb = torch.randn(batch_size, 3, cfg.img_size, cfg.img_size, device=device), torch.randn(batch_size, TEXT_LEN, 768, device=device)
    mask = torch.ones(batch_size, TEXT_LEN, dtype=torch.bool, device=device)
    def f():
        with ctx: torch.sigmoid(model(x, emb, mask).float())
    return per_s(f, batch_size, steps, warmup, device)

@torch.inference_mode()
def encode_speed(device, steps, warmup, batch_size:int=256) -> float:
    "Captions per second of a BERT-base (random weights) over 24-token captions, in float32 as `encode_captions` runs it."
    from transformers import BertConfig, BertModel
    bert = BertModel(BertConfig()).to(device).eval()
    ids = torch.randint(1000, 30000, (batch_size, TEXT_LEN), device=device)
    return per_s(lambda: bert(input_ids=ids, attention_mask=torch.ones_like(ids)), batch_size, steps, warmup, device)

def decode_speed(n:int=256) -> float:
    "Images per second of `cache_images` on synthetic 320 px JPEGs (the COMP5329 images' longest side), with an empty cache."
    os.environ['MMLC_CACHE'] = tempfile.mkdtemp(prefix='mmlc-paper-')
    from multimodal_mlc.dataset import make_synthetic
    from multimodal_mlc.images import cache_images
    syn = make_synthetic(tempfile.mkdtemp(prefix='mmlc-paper-jpegs-'), n_train=n, n_test=1, size=320, seed=0)
    paths = sorted((syn/'data').glob('*.jpg'))
    return len(paths) / timed(lambda: cache_images(paths, 224))

def hms(s:float) -> str: return f"{int(s // 3600)} h {int(s % 3600 // 60):02d} min"

def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--device', default='cuda'); ap.add_argument('--steps', type=int, default=30); ap.add_argument('--warmup', type=int, default=None)
    ap.add_argument('--batch-size', type=int, help="training batch: the preset's 64 on a GPU, 8 on a CPU (a smoke test)")
    ap.add_argument('--score-batch', type=int, help='scoring batch: 256 on a GPU, as predict_probs, 8 on a CPU')
    ap.add_argument('--wait', action='store_true', help='first wait (up to 10 min) for the 1-minute load average to fall below 1.5')
    a = ap.parse_args()
    from multimodal_mlc.config import get_config
    gpu = a.device.startswith('cuda')
    device, warmup, score_batch = torch.device(a.device), a.warmup if a.warmup is not None else (10 if gpu else 1), a.score_batch or (256 if gpu else 8)
    cfg = get_config('paper', pretrained=False, batch_size=a.batch_size or (64 if gpu else 8))
    load_before = wait_for_quiet() if a.wait else None
    train_sps, model, ctx = train_speed(cfg, device, a.steps, warmup)
    s = dict(train=train_sps, score=score_speed(model, ctx, cfg, device, a.steps, warmup, score_batch),
             encode=encode_speed(device, a.steps, warmup, score_batch), decode=decode_speed())
    once = lambda n: n / s['encode'] + n / s['decode']  # captions and images of n rows, each once
    train_s = once(N_TRAIN + N_VALID) + EPOCHS * (N_TRAIN / s['train'] + N_VALID / s['score'])
    score_s = once(N_TEST) + N_TEST / s['score']
    result = dict(machine=machine(a.device), load_before=load_before, smoke=not gpu, pretrained=False, random_data=True,
                  batch_size=cfg.batch_size, score_batch=score_batch, autocast=str(ctx.fast_dtype) if ctx._enabled else 'off', steps=a.steps, warmup=warmup,
                  per_s=s, projected_s=dict(train=train_s, score=score_s), report_s=REPORT)
    f = write_result('paper_gpu', result)
    print(f"{result['machine']['gpu'] or result['machine']['cpu']}: train {s['train']:.1f} samples/s, score {s['score']:.1f}/s, "
          f"BERT-base {s['encode']:.1f} captions/s, JPEG decode {s['decode']:.1f}/s (autocast {result['autocast']})")
    print(f"projected: training {hms(train_s)} (report {hms(REPORT['train_s'])}), scoring {hms(score_s)} (report {hms(REPORT['score_s'])})")
    print(f"written to {f}")

if __name__ == '__main__': main()
