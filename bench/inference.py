"""Inference: images per second of the whole `mmlc predict` command against the model's forward on ready tensors.

The command reads the CSV, encodes the captions, decodes and featurises the images (cold: an empty cache; warm: a second
run on the same cache), scores and writes the submission. It is timed two ways: as a shell command (Python start-up and
imports included) and as `multimodal_mlc.cli.main` in this process. The references are the saved model's forward on
tensors already on the device, in batches of 256 as `predict_probs` uses; for the `fast` preset, also with the frozen
backbone in front, which is what a cold cache has to run.

    python bench/inference.py                 # the `fast` preset, synthetic rows
    python bench/inference.py --real --wait   # 1000 COMP5329 test rows whose images are here
"""
from __future__ import annotations
import argparse, os, shutil, subprocess, tempfile, time
from pathlib import Path

import numpy as np
import torch

from benchlib import dataset, machine, median, timed, wait_for_quiet, write_result
from multimodal_mlc.core import cache_dir
from multimodal_mlc.cli import main as mmlc
from multimodal_mlc.models import image_backbone, image_tokens
from multimodal_mlc.train import get_config, load_model, train

def trained_model(preset:str, df, images, key:str) -> Path:
    "A model folder trained for one epoch (its quality does not matter here), kept between runs."
    out = cache_dir('bench')/f'model-{preset}-{key}'
    if not (out/'model.json').exists(): train(get_config(preset, epochs=1), df, images, out=out, progress=False)
    return out

def command(csv, images, model, out, device) -> list:
    return ['predict', '--data', str(Path(csv).parent), '--csv', str(csv), '--images', str(images), '--model', str(model), '--out', str(out), '--device', device]

def shell(args, cache) -> float:
    "Seconds of `mmlc ARGS` as a new process with the cache folder `cache`."
    t0 = time.perf_counter()
    r = subprocess.run([shutil.which('mmlc'), *args], env={**os.environ, 'MMLC_CACHE': str(cache)}, capture_output=True, text=True)
    if r.returncode: raise SystemExit(r.stderr[-2000:])
    return time.perf_counter() - t0

def in_process(args, cache) -> float:
    "Seconds of `mmlc ARGS` in this process (imports done) with the cache folder `cache`."
    old = os.environ.get('MMLC_CACHE'); os.environ['MMLC_CACHE'] = str(cache)
    try: return timed(lambda: mmlc(args))
    finally: os.environ['MMLC_CACHE'] = old

@torch.inference_mode()
def model_only(model_dir, device, reps:int, batch_size:int=256) -> dict:
    "Images per second of the saved model's forward on ready tensors; for a frozen-backbone model, also with the backbone in front."
    model, cfg, meta = load_model(model_dir); model.to(device)
    T = meta['max_len']  # the cached caption states are padded to it
    text = (torch.randn(batch_size, T, meta['text_dim'], device=device), torch.ones(batch_size, T, dtype=torch.bool, device=device))
    images = torch.randn(batch_size, 3, cfg.img_size, cfg.img_size, device=device)
    if not cfg.frozen_image:
        f = lambda: model(images, *text)
        f(); return dict(model=batch_size * reps / timed(lambda: [f() for _ in range(reps)], device))
    backbone = image_backbone(cfg.backbone, pretrained=False, num_classes=0, **cfg.model_kw).to(device, memory_format=torch.channels_last).eval()
    feats = torch.randn(batch_size, image_tokens(backbone, images[:1]).shape[1], meta['img_dim'], device=device)
    head = lambda: model(feats, *text)
    both = lambda: model(image_tokens(backbone, images.contiguous(memory_format=torch.channels_last)), *text)
    head(); both()
    return dict(head_on_cached_features=batch_size * reps / timed(lambda: [head() for _ in range(reps)], device),
                backbone_and_head=batch_size / timed(both, device))

def test_csv(test, folder) -> Path:
    "The test rows as a proper CSV (the COMP5329 test.csv lists 10,000 rows, only some of whose images are here)."
    f = Path(folder)/'test.csv'; test.to_csv(f, index=False); return f

def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--preset', default='fast', choices=['fast', 'tiny'])
    ap.add_argument('--device', default='cpu'); ap.add_argument('--real', action='store_true')
    ap.add_argument('--n', type=int, default=512, help='training rows of the model'); ap.add_argument('--n-test', type=int, default=256)
    ap.add_argument('--reps', type=int, default=3, help='batches of the model-only forward')
    ap.add_argument('--wait', action='store_true', help='first wait (up to 10 min) for the 1-minute load average to fall below 1.5')
    a = ap.parse_args()
    df, images, test = dataset(a.real, a.n, a.n_test)
    model = trained_model(a.preset, df, images, f"{'real' if a.real else 'syn'}-{a.n}")
    load_before = wait_for_quiet() if a.wait else None
    work = Path(tempfile.mkdtemp(prefix='mmlc-inference-'))
    args = command(test_csv(test, work), images, model, work/'submission.csv', a.device)
    t = dict(shell_cold=shell(args, work/'cache-shell'), shell_warm=shell(args, work/'cache-shell'),
             in_process_cold=in_process(args, work/'cache-proc'), in_process_warm=in_process(args, work/'cache-proc'))
    ref = model_only(model, torch.device(a.device), a.reps)
    n = len(test)
    result = dict(machine=machine(a.device), preset=a.preset, data='COMP5329 test rows' if a.real else 'synthetic (make_synthetic, 64 px JPEGs)',
                  n_images=n, load_before=load_before, seconds=t, images_per_s={k: n / v for k, v in t.items()}, model_only_images_per_s=ref)
    f = write_result('inference', result)
    print(f"{n} images, `mmlc predict`: " + ', '.join(f"{k} {v:.1f}/s" for k, v in result['images_per_s'].items()))
    print('model only: ' + ', '.join(f"{k} {v:.1f}/s" for k, v in ref.items()))
    print(f"written to {f}")

if __name__ == '__main__': main()
