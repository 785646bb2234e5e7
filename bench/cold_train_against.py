"""A cold `mmlc train --preset fast --epochs 1` on the first N COMP5329 images, by this tree and by the library at an earlier commit
(`--against REV`, unpacked with `git archive`), each from an empty `MMLC_CACHE`, one after the other in one run: the ratio of their seconds.

    python bench/cold_train_against.py --n 768 --wait
"""
from __future__ import annotations
import argparse, os, subprocess, sys, tempfile, time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from benchlib import machine, wait_for_quiet, write_result

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--n', type=int, default=768); ap.add_argument('--against', default='fe9a0b2'); ap.add_argument('--wait', action='store_true')
    a = ap.parse_args()
    from multimodal_mlc.core import find_comp5329
    from multimodal_mlc.data import read_csv, write_csv
    data = find_comp5329() or sys.exit('COMP5329 data not found: set MMLC_COMP5329')
    work = Path(tempfile.mkdtemp())
    write_csv(read_csv(data/'train.csv').iloc[:a.n], work/'part.csv')
    old = work/'old'; old.mkdir()
    subprocess.run(f"git archive {a.against} multimodal_mlc | tar -x -C {old}", shell=True, check=True, cwd=Path(__file__).parent.parent)
    load = wait_for_quiet() if a.wait else None
    seconds = {}
    for name, path in (('before', old), ('now', None)):
        env = {**os.environ, 'MMLC_CACHE': str(work/f'cache-{name}'), 'HF_HUB_OFFLINE': '1', **({'PYTHONPATH': str(path)} if path else {})}
        argv = ['train', '--data', str(data), '--csv', str(work/'part.csv'), '--out', str(work/f'model-{name}'), '--preset', 'fast', '--epochs', '1']
        t0 = time.perf_counter()
        subprocess.run([sys.executable, '-c', f'from multimodal_mlc.cli import main; main({argv!r})'], env=env, cwd=path or work, check=True, capture_output=True)
        seconds[name] = time.perf_counter() - t0; print(f"{name}: {seconds[name]:.0f} s", flush=True)
    print(f"ratio now/before: {seconds['now'] / seconds['before']:.2f}")
    print(write_result('cold_train_against', dict(machine=machine(), load_before=load, n=a.n, against=a.against, seconds=seconds, ratio=seconds['now'] / seconds['before'])))

if __name__ == '__main__': main()
