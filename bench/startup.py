"""Start-up of the shell commands: `mmlc --help` and each command's `--help`, the imports a scoring run needs, the error of a
`mmlc predict` with a mistyped model folder or CSV, and `mmlc predict`
on 1,000 COMP5329 rows (images 9000-9999) with warm caches, as a user runs it (a new process each time; the fastest of `--rounds`).

The model is a `fast` one trained for one epoch on the first `--n` images (the F1 does not matter here); the first `mmlc predict`
fills the caches of the 1,000 rows and is timed apart ("cold"); then one warm scoring run is split into its stages (imports, the
model built and loaded, the rows' cached inputs found, the head's forward pass), each timed in the one process.
Writes bench/results/startup-<time>.json.

    python bench/startup.py --wait
"""
from __future__ import annotations
import argparse, json, os, shutil, subprocess, sys, tempfile, time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from benchlib import machine, wait_for_quiet, write_result

def seconds(cmd, env, rounds=1, fails=False) -> float:
    "The fastest of `rounds` runs of `cmd`, each a new process; with `fails`, one that must end in a user error (exit status 2)."
    best = float('inf')
    for _ in range(rounds):
        t0 = time.perf_counter(); r = subprocess.run(cmd, env=env, check=not fails, capture_output=True); best = min(best, time.perf_counter() - t0)
        if fails and r.returncode != 2: sys.exit(f'{cmd} ended with {r.returncode}, not 2: {r.stderr[-300:]}')
    return best

def stages(model, rows, images) -> dict:
    "Seconds of each stage of `predict` on warm caches, in this process (run it in a new one: imports are a stage)."
    t = [time.perf_counter()]; lap = lambda: t.append(time.perf_counter()) or t[-1] - t[-2]
    import torch; s = {'import torch': lap()}
    import transformers; s['import transformers'] = lap()
    import timm; s['import timm (torchvision, torch._dynamo)'] = lap()
    import numpy as np
    from multimodal_mlc.data import read_csv
    from multimodal_mlc.modelfile import load_model
    from multimodal_mlc.images import missing_images
    from multimodal_mlc.inputs import predict_probs, prepare_inputs
    from multimodal_mlc.predict import write_submission; s['import multimodal_mlc.predict (the rest)'] = lap()
    df = read_csv(rows); s['read the CSV'] = lap()
    net, cfg, meta = load_model(model); net.to(memory_format=torch.channels_last); s['load_model (checked, built, weights read)'] = lap()
    missing_images(df, Path(images), 'raise', ''); inputs = prepare_inputs(df, Path(images), cfg, max_len=meta['max_len'], device='cpu', train=False)
    s["the rows' cached inputs (images hashed, caches read)"] = lap()
    predict_probs(net, inputs, np.arange(len(df)), cfg, device='cpu'); s["the head's forward pass"] = lap()
    return s

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--n', type=int, default=512); ap.add_argument('--rounds', type=int, default=3); ap.add_argument('--wait', action='store_true')
    ap.add_argument('--stages', nargs=3, metavar=('MODEL', 'CSV', 'IMAGES'), help='only print the stages of one warm scoring run, as JSON')
    a = ap.parse_args()
    if a.stages: return print(json.dumps(stages(*a.stages)))
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
    for what, i in (('--model', 7), ('--csv', 5)):  # a typo is said before torch is imported
        result[f'mmlc predict, mistyped {what} (the error)'] = seconds([*predict[:i], predict[i] + '-typo', *predict[i + 1:]], env, a.rounds, fails=True)
    result['mmlc predict, cold caches'] = seconds(predict, env)
    result['mmlc predict, warm caches'] = seconds(predict, env, a.rounds)
    run = subprocess.run([sys.executable, __file__, '--stages', str(work/'model'), str(work/'rows.csv'), str(data/'data')], env=env, check=True, capture_output=True, text=True)
    result.update({f'warm predict stage: {k}': v for k, v in json.loads(run.stdout.splitlines()[-1]).items()})
    for k, v in result.items(): print(f'{k}: {v:.2f} s', flush=True)
    print(write_result('startup', dict(machine=machine(), load_before=load, n_train=a.n, n_rows=1000, rounds=a.rounds, seconds=result)))

if __name__ == '__main__': main()
