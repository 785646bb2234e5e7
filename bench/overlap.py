"""Would decoding overlapped with the frozen image pass shorten a cold run? The cold path's two stages on the first N COMP5329 images,
from an empty cache each time (a new process per run, the graph exported in each): one after the other, as `mmlc train` runs them
(`cache_images`, then `cache_image_features`, the `fast` preset's two views), against the same calls overlapped chunk by chunk
(a thread decodes chunk k+1 while the frozen pass runs on chunk k). The fastest of `--rounds` runs of each, alternated.

    python bench/overlap.py --n 1024 --wait
"""
from __future__ import annotations
import argparse, json, os, subprocess, sys, tempfile, time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
os.environ.setdefault('HF_HUB_OFFLINE', '1')
from benchlib import machine, wait_for_quiet, write_result

def one(mode:str, n:int, chunk:int) -> dict:
    "Run the two stages on `n` images in this process, from its (empty) cache: seconds of each part."
    from concurrent.futures import ThreadPoolExecutor
    from multimodal_mlc.core import find_comp5329
    from multimodal_mlc.images import cache_images
    from multimodal_mlc.features import cache_image_features
    from multimodal_mlc.config import get_config
    paths, cfg = [find_comp5329()/'data'/f'{i}.jpg' for i in range(n)], get_config('fast')
    t0 = time.perf_counter()
    if mode == 'one after the other':
        imgs = cache_images(paths, cfg.img_size); t1 = time.perf_counter()
        cache_image_features(imgs, cfg); return dict(total_s=time.perf_counter() - t0, decode_s=t1 - t0, features_s=time.perf_counter() - t1)
    parts = [paths[s:s + chunk] for s in range(0, n, chunk)]
    with ThreadPoolExecutor(1) as ex:
        nxt = ex.submit(cache_images, parts[0], cfg.img_size)
        for k in range(len(parts)):
            imgs = nxt.result()
            if k + 1 < len(parts): nxt = ex.submit(cache_images, parts[k + 1], cfg.img_size)
            cache_image_features(imgs, cfg)
    return dict(total_s=time.perf_counter() - t0)

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--n', type=int, default=1024); ap.add_argument('--chunk', type=int, default=256); ap.add_argument('--rounds', type=int, default=2)
    ap.add_argument('--wait', action='store_true', help='wait for a quiet machine first'); ap.add_argument('--one', help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.one: print(json.dumps(one(a.one, a.n, a.chunk))); return
    load = wait_for_quiet() if a.wait else None
    modes, runs = ['one after the other', 'overlapped'], {}
    for _ in range(a.rounds):
        for m in modes:
            env = dict(os.environ, MMLC_CACHE=tempfile.mkdtemp())
            out = subprocess.run([sys.executable, __file__, '--n', str(a.n), '--chunk', str(a.chunk), '--one', m], env=env, check=True, capture_output=True, text=True).stdout
            runs.setdefault(m, []).append(json.loads(out.strip().splitlines()[-1])); print(m, runs[m][-1], flush=True)
    best = {m: min(r, key=lambda x: x['total_s']) for m, r in runs.items()}
    print(write_result('overlap', dict(machine=machine(), load_before=load, n=a.n, chunk=a.chunk, rounds=a.rounds, runs=runs, best=best,
                                       ratio=best['overlapped']['total_s'] / best['one after the other']['total_s'])))

if __name__ == '__main__': main()
