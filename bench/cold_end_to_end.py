"""A new user's first real run, timed from empty caches: `mmlc train` on COMP5329 images 0-8999 and `mmlc predict` on 9000-9999.

Writes the two CSVs to a temporary folder (the dataset is only read), points `MMLC_CACHE` at an empty folder, waits for a quiet
machine, then times each command as a user runs it; `mmlc evaluate` (on warm caches, not timed into the total) gives the F1.
The issue's aim: at most 20 minutes on this project's 2-core CPU. Writes bench/results/cold_end_to_end-<time>.json.

    python bench/cold_end_to_end.py                 # the fast preset as it ships
    python bench/cold_end_to_end.py --seed 1 -- --epochs 6   # settings after -- go to mmlc train
"""
import argparse, json, os, shutil, subprocess, sys, tempfile, time
from pathlib import Path

from benchlib import machine, wait_for_quiet, write_result

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--seed', type=int, default=0)
    ap.add_argument('train_args', nargs='*', help='more mmlc train settings, after --')
    a = ap.parse_args()
    from multimodal_mlc.core import find_comp5329
    from multimodal_mlc.data import read_csv, write_csv
    data = find_comp5329()
    if data is None: sys.exit('COMP5329 data not found: set MMLC_COMP5329')
    work = Path(tempfile.mkdtemp())
    df = read_csv(data/'train.csv')
    n = df.ImageID.map(lambda s: int(s.split('.')[0]))
    write_csv(df[n < 9000], work/'train_part.csv'); write_csv(df[(n >= 9000) & (n < 10000)], work/'holdout.csv')
    env = dict(os.environ, MMLC_CACHE=str(work/'cache'), HF_HUB_OFFLINE='1')
    mmlc = [shutil.which('mmlc') or sys.exit('mmlc not found: pip install -e . first')]
    steps = {'mmlc train': [*mmlc, 'train', '--data', str(data), '--csv', str(work/'train_part.csv'), '--out', str(work/'model'),
                            '--preset', 'fast', '--seed', str(a.seed), *a.train_args],
             'mmlc predict': [*mmlc, 'predict', '--data', str(data), '--csv', str(work/'holdout.csv'), '--model', str(work/'model'),
                              '--out', str(work/'submission.csv')]}
    load = wait_for_quiet()
    seconds = {}
    for name, cmd in steps.items():
        t0 = time.perf_counter(); subprocess.run(cmd, env=env, check=True); seconds[name] = time.perf_counter() - t0
        print(f'{name}: {seconds[name]:.0f} s', flush=True)
    out = subprocess.run([*mmlc, 'evaluate', '--data', str(data), '--csv', str(work/'holdout.csv'), '--model', str(work/'model'), '--json'],
                         env=env, check=True, capture_output=True, text=True).stdout
    scores = json.loads(out.strip().splitlines()[-1])
    total = sum(seconds.values())
    print(f'end to end: {total:.0f} s ({total / 60:.1f} min); held-out F1 {scores}')
    print('written to', write_result('cold_end_to_end', dict(machine=machine(), load_at_start=load, seed=a.seed, train_args=a.train_args,
                                                            seconds=seconds, total_s=total, heldout=scores)))

if __name__ == '__main__': main()
