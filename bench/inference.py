"""Inference: images per second of the whole `mmlc predict` command against the model's forward on ready tensors.

The command reads the CSV, encodes the captions, decodes and featurises the images (cold: an empty cache; warm: a second
run on the same cache), scores and writes the submission. It is timed two ways: as a shell command (Python start-up and
imports included) and as `multimodal_mlc.cli.main` in this process. The reference is the saved model's forward on the
test rows' own inputs, made beforehand on the device, in batches of 256 as `predict_probs` uses; for the `fast` preset
a cold cache also has to run the frozen backbone, so its reference is the backbone (one view of each image) plus the model.

    python bench/inference.py                 # the `fast` preset, synthetic rows
    python bench/inference.py --real --n 1024 --n-test 1000 --wait   # the 1000 COMP5329 test rows whose images are here
"""
from __future__ import annotations
import argparse, math, os, shutil, subprocess, tempfile, time
from contextlib import contextmanager
from dataclasses import asdict
from pathlib import Path

import numpy as np
import torch

from benchlib import dataset, machine, timed, wait_for_quiet, write_result
from multimodal_mlc.core import cache_dir, hash_key
from multimodal_mlc.images import normalize
from multimodal_mlc.cli import main as mmlc
from multimodal_mlc.models import image_norm, image_tokens
from multimodal_mlc.config import get_config
from multimodal_mlc.settings import autocast
from multimodal_mlc.features import frozen_backbone
from multimodal_mlc.inputs import prepare_inputs
from multimodal_mlc.modelfile import load_model
from multimodal_mlc.train import train

def trained_model(preset:str, df, images, data:str) -> Path:
    "A model folder trained for one epoch (its quality does not matter here), kept between runs of the same preset and data."
    cfg = get_config(preset, epochs=1)
    out = cache_dir('bench')/f'model-{preset}-{data}-{hash_key(asdict(cfg))}'
    if not (out/'model.json').exists(): train(cfg, df, images, out=out, progress=False)
    return out

def command(csv, images, model, out, device) -> list:
    return ['predict', '--data', str(Path(csv).parent), '--csv', str(csv), '--images', str(images), '--model', str(model), '--out', str(out), '--device', device]

@contextmanager
def cache_in(folder):
    "Use the cache folder `folder` in this process for a while."
    old = os.environ.get('MMLC_CACHE'); os.environ['MMLC_CACHE'] = str(folder)
    try: yield
    finally:
        if old is None: del os.environ['MMLC_CACHE']
        else: os.environ['MMLC_CACHE'] = old

def shell(args, cache) -> float:
    "Seconds of `mmlc ARGS` as a new process with the cache folder `cache`."
    t0 = time.perf_counter()
    r = subprocess.run([shutil.which('mmlc'), *args], env={**os.environ, 'MMLC_CACHE': str(cache)}, capture_output=True, text=True)
    if r.returncode: raise SystemExit(r.stderr[-2000:])
    return time.perf_counter() - t0

def in_process(args, cache) -> float:
    "Seconds of `mmlc ARGS` in this process (imports done) with the cache folder `cache`."
    with cache_in(cache): return timed(lambda: mmlc(args))

@torch.inference_mode()
def model_only(model_dir, test, images, cache, device, batch_size:int=256) -> dict:
    "Images per second of the saved model's forward on the test rows' own inputs, made beforehand on the device; with a frozen backbone, also of the backbone on one view."
    model, cfg, meta = load_model(model_dir); model.to(device)
    ctx, _ = autocast(cfg, device)
    with cache_in(cache): inputs = prepare_inputs(test, images, cfg, max_len=meta['max_len'], device=device, train=False)  # `predict` filled this cache
    chunks = np.array_split(np.arange(len(test)), math.ceil(len(test) / batch_size))
    ready = [inputs.batch(r, cfg, device=device) for r in chunks]
    def forward(batches):
        for b in batches:
            with ctx: torch.sigmoid(model(*b).float())
    forward(ready[:1])
    out = dict(model=len(test) / timed(lambda: forward(ready), device))
    if not cfg.frozen_image: return out
    net = frozen_backbone(cfg).to(device, memory_format=torch.channels_last)  # the backbone `predict` runs, as it runs it
    mean, std = image_norm(cfg.backbone)
    x = [normalize(inputs.images.batch(r, device), mean, std).contiguous(memory_format=torch.channels_last) for r in chunks]
    image_tokens(net, x[0][:8])
    out['backbone'] = len(test) / timed(lambda: [image_tokens(net, b) for b in x], device)
    out['backbone_and_model'] = 1 / (1 / out['model'] + 1 / out['backbone'])
    return out

def test_csv(test, folder) -> Path:
    "The test rows as a proper CSV (the COMP5329 test.csv lists 10,000 rows, only some of whose images are here)."
    f = Path(folder)/'test.csv'; test.to_csv(f, index=False); return f

def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--preset', default='fast', choices=['fast', 'tiny'])
    ap.add_argument('--device', default='cpu'); ap.add_argument('--real', action='store_true')
    ap.add_argument('--n', type=int, default=512, help='training rows of the model'); ap.add_argument('--n-test', type=int, default=256)
    ap.add_argument('--wait', action='store_true', help='first wait (up to 10 min) for the 1-minute load average to fall below 1.5')
    a = ap.parse_args()
    df, images, test = dataset(a.real, a.n, a.n_test)
    model = trained_model(a.preset, df, images, f"{'real' if a.real else 'syn'}-{a.n}")
    load_before = wait_for_quiet() if a.wait else None
    work = Path(tempfile.mkdtemp(prefix='mmlc-inference-'))
    args = command(test_csv(test, work), images, model, work/'submission.csv', a.device)
    t = dict(shell_cold=shell(args, work/'cache-shell'), shell_warm=shell(args, work/'cache-shell'),
             in_process_cold=in_process(args, work/'cache-proc'), in_process_warm=in_process(args, work/'cache-proc'))
    ref = model_only(model, test, images, work/'cache-proc', torch.device(a.device))
    n = len(test)
    result = dict(machine=machine(a.device), preset=a.preset, data='COMP5329 test rows' if a.real else 'synthetic (make_synthetic, 64 px JPEGs)',
                  n_images=n, load_before=load_before, seconds=t, images_per_s={k: n / v for k, v in t.items()}, model_only_images_per_s=ref,
                  ratio=dict(warm=(n / t['in_process_warm']) / ref['model'],
                             cold=(n / t['in_process_cold']) / ref.get('backbone_and_model', ref['model'])))
    f = write_result('inference', result)
    print(f"{n} images, `mmlc predict`: " + ', '.join(f"{k} {v:.1f}/s" for k, v in result['images_per_s'].items()))
    print('model only: ' + ', '.join(f"{k} {v:.1f}/s" for k, v in ref.items()) +
          f"; in-process command / model only: warm {result['ratio']['warm']:.2f}, cold {result['ratio']['cold']:.2f}")
    print(f"written to {f}")

if __name__ == '__main__': main()
