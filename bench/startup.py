"""Start-up of the shell commands: `mmlc --help` and each command's `--help`, the imports a scoring run needs, and `mmlc predict`
on 1,000 COMP5329 rows (images 9000-9999) with warm caches, as a user runs it (a new process each time; the fastest of `--rounds`).

The model is a `fast` one trained for one epoch on the first `--n` images (the F1 does not matter here); the first `mmlc predict`
fills the caches of the 1,000 rows and is timed apart ("cold"). Writes bench/results/startup-<time>.json.

    python bench/startup.py --wait
"""
from __future__ import annotations
import argparse, os, shutil, subprocess, sys, tempfile, time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from benchlib import machine, wait_for_quiet, write_result

def seconds(cmd, env, rounds=1) -> float:
    "The fastest of `rounds` runs of `cmd`, each a new process."
    best = float('inf')
    for _ in range(rounds):
        t0 = time.perf_counter(); subprocess.run(cmd, env=env, check=True, capture_output=True); best = min(best, time.perf_counter() - t0)
    return best

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--n', type=int, default=512); ap.add_argument('--rounds', type=int, default=3); ap.add_argument('--wait', action='store_true')
    a = ap.parse_args()
    from multimodal_mlc.core import find_comp5329
    from multimodal_mlc.data import read_csv, write_csv
    data = find_comp5329() or sys.exit('COMP5329 data not found: set MMLC_COMP5329')
    work = Path(tempfile.mkdtemp())
    df = read_csv(data/'train.csv'); n = df.ImageID.map(lambda s: int(s.split('.')[0]))
    write_csv(df.iloc[:a.n], work/'part.csv'); write_csv(df[(n >= 9000) & (n < 10000)].drop(columns='Labels'), work/'rows.csv')
    env = dict(os.environ, MMLC_CACHE=str(work/'cache'), HF_HUB_OFFLINE='1')
    mmlc = shutil.which('mmlc') or sys.exit('mmlc not found: pip install -e . first')
    subprocess.run([mmlc, 'train', '--data', str(data), '--csv', str(work/'part.csv'), '--out', str(work/'model'), '--preset', 'fast', '--epochs', '1'],
                   env=env, check=True, capture_output=True)
    predict = [mmlc, 'predict', '--data', str(data), '--csv', str(work/'rows.csv'), '--model', str(work/'model'), '--out', str(work/'sub.csv')]
    load = wait_for_quiet() if a.wait else os.getloadavg()[0]
    result = {'mmlc --help': seconds([mmlc, '--help'], env, a.rounds)}
    for c in ('train', 'predict', 'evaluate', 'demo', 'cache'): result[f'mmlc {c} --help'] = seconds([mmlc, c, '--help'], env, a.rounds)
    for m in ('torch', 'timm', 'transformers', 'onnxruntime', 'multimodal_mlc.predict'): result[f'import {m}'] = seconds([sys.executable, '-c', f'import {m}'], env, a.rounds)
    result['mmlc predict, cold caches'] = seconds(predict, env)
    result['mmlc predict, warm caches'] = seconds(predict, env, a.rounds)
    for k, v in result.items(): print(f'{k}: {v:.2f} s', flush=True)
    print(write_result('startup', dict(machine=machine(), load_before=load, n_train=a.n, n_rows=1000, rounds=a.rounds, seconds=result)))

if __name__ == '__main__': main()
