"""A trained model against its export (`mmlc export`, issue 38), side by side in one run on COMP5329's images 9000-9999:

- the export's size against the weights it holds (the model's and its frozen encoders'), and its time;
- the probabilities of both on the 1,000 rows (largest difference) and their F1;
- a warm `mmlc predict` of the 1,000 rows through the model folder and through the export, each a new process as a user runs it
  (after a first run of each that fills the caches; fastest of `--rounds`, alternating);
- one image and caption through the export: in a warm process (median of `--calls`), and in a new one (import to first answer).

`--int8` also measures ONNX Runtime's dynamic int8 quantisation of the export's graphs (weights of its MatMul and Gemm layers
as int8): size, warm predict and F1 against the float export. Writes bench/results/deploy-<time>.json.

    python bench/deploy.py --model MODEL --wait [--int8]   # MODEL: a fast model trained on images 0-8999
"""
from __future__ import annotations
import argparse, hashlib, json, os, shutil, statistics, subprocess, sys, tempfile, time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from benchlib import machine, wait_for_quiet, write_result

def seconds(cmd, env) -> float:
    t0 = time.perf_counter(); subprocess.run(cmd, env=env, check=True, capture_output=True); return time.perf_counter() - t0

def f1(sub_csv, hold, label_ids) -> dict:
    "Samples and micro F1 of a submission against the held-out rows' labels."
    import pandas as pd
    from multimodal_mlc.data import LabelSpace, parse_labels
    from multimodal_mlc.metrics import f1_scores
    sub, space = pd.read_csv(sub_csv, keep_default_na=False), LabelSpace(tuple(label_ids))
    s = f1_scores(space.encode(hold.Labels.tolist()), space.encode([parse_labels(x) if x else [] for x in sub.Labels], allow_empty=True))
    return {k: round(float(s[k]), 4) for k in ('samples', 'micro', 'macro')}

def weights_mb(model) -> dict:
    "MB of the weights an export holds: the model's own file and its frozen encoders' (the image backbone's file, the caption encoder's)."
    from multimodal_mlc.modelfile import load_meta
    from multimodal_mlc.text import resolve_weights
    cfg = load_meta(model)['config']
    img = resolve_weights(cfg['backbone']); txt = resolve_weights(cfg['text_encoder'])
    img = img if img.is_file() else next(f for f in (img/'model.safetensors', img/'pytorch_model.bin') if f.exists())
    return dict(model=Path(model, 'model.safetensors').stat().st_size / 2**20, image_backbone=img.stat().st_size / 2**20, text_encoder=(txt/'model.safetensors').stat().st_size / 2**20)

def quantised(export, out) -> Path:
    "A copy of the export whose graphs are ONNX Runtime's dynamic int8 quantisation of them, the manifest's digests made to fit."
    from onnxruntime.quantization import QuantType, quantize_dynamic
    shutil.copytree(export, out)
    m = json.loads((out/'export.json').read_text())
    for name in [n for n in m['files'] if n.endswith('.onnx')]:
        quantize_dynamic(str(export/name), str(out/name), weight_type=QuantType.QInt8, op_types_to_quantize=['MatMul', 'Gemm'])
        b = (out/name).read_bytes(); m['files'][name] = dict(bytes=len(b), sha256=hashlib.sha256(b).hexdigest())
    (out/'export.json').write_text(json.dumps(m, indent=1))
    return out

def one_row_ms(export, hold, images, calls) -> float:
    "Median milliseconds of `score` on one image and caption in this (warm) process, over `calls` rows."
    from multimodal_mlc.runtime import load_export
    e = load_export(export); e.score(images/hold.ImageID[0], hold.Caption[0])  # the sessions made
    ts = []
    for i in range(1, calls + 1):
        t0 = time.perf_counter(); e.score(images/hold.ImageID[i], hold.Caption[i]); ts.append(time.perf_counter() - t0)
    return 1000 * statistics.median(ts)

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--model', required=True); ap.add_argument('--rounds', type=int, default=3); ap.add_argument('--calls', type=int, default=50)
    ap.add_argument('--wait', action='store_true'); ap.add_argument('--int8', action='store_true')
    a = ap.parse_args()
    from multimodal_mlc.core import find_comp5329
    from multimodal_mlc.data import read_csv, write_csv
    data = find_comp5329() or sys.exit('COMP5329 data not found: set MMLC_COMP5329')
    work = Path(tempfile.mkdtemp()); env = dict(os.environ, MMLC_CACHE=str(work/'cache'), HF_HUB_OFFLINE='1')
    df = read_csv(data/'train.csv'); n = df.ImageID.map(lambda s: int(s.split('.')[0]))
    hold = df[(n >= 9000) & (n < 10000)].reset_index(drop=True); write_csv(hold.drop(columns='Labels'), work/'rows.csv')
    mmlc = shutil.which('mmlc') or sys.exit('mmlc not found: pip install -e . first')
    load = wait_for_quiet() if a.wait else os.getloadavg()[0]
    r = dict(export_s=seconds([mmlc, 'export', '--model', a.model, '--out', str(work/'export')], env))
    r['export_mb'] = {f.name: f.stat().st_size / 2**20 for f in sorted((work/'export').iterdir())}
    r['weights_mb'] = weights_mb(a.model)
    r['size_ratio'] = sum(r['export_mb'].values()) / sum(r['weights_mb'].values())
    kinds = {'model folder': a.model, 'export': str(work/'export')}
    if a.int8: kinds['export, int8'] = str(quantised(work/'export', work/'export-int8'))
    cmd = lambda k: [mmlc, 'predict', '--data', str(data), '--csv', str(work/'rows.csv'), '--images', str(data/'data'), '--model', kinds[k], '--out', str(work/f'{k}.csv'), '--probs']
    r['cold_predict_s'] = {k: seconds(cmd(k), env) for k in kinds}
    warm = {k: [] for k in kinds}
    for _ in range(a.rounds):
        for k in kinds: warm[k].append(seconds(cmd(k), env))
    r['warm_predict_s'] = {k: min(v) for k, v in warm.items()}
    r['warm_predict_ratio'] = {k: r['warm_predict_s'][k] / r['warm_predict_s']['model folder'] for k in kinds}
    import numpy as np, pandas as pd
    probs = {k: pd.read_csv(work/f'{k}.csv.probs.csv').iloc[:, 1:].to_numpy() for k in kinds}
    r['max_prob_difference'] = {k: float(np.abs(probs[k] - probs['model folder']).max()) for k in kinds}
    labels = [int(c) for c in pd.read_csv(work/'model folder.csv.probs.csv', nrows=0).columns[1:]]
    r['f1'] = {k: f1(work/f'{k}.csv', hold, labels) for k in kinds}
    r['one_row_warm_ms'] = {k: one_row_ms(v, hold, data/'data', a.calls) for k, v in kinds.items() if k != 'model folder'}
    first = lambda e: [sys.executable, '-c', f"from multimodal_mlc.runtime import load_export; load_export({e!r}).score({str(data/'data'/hold.ImageID[0])!r}, {hold.Caption[0]!r})"]
    r['one_row_cold_process_s'] = {k: min(seconds(first(v), env) for _ in range(a.rounds)) for k, v in kinds.items() if k != 'model folder'}
    print(json.dumps(r, indent=1))
    print(write_result('deploy', dict(machine=machine(), load_before=load, load_after=os.getloadavg(), model=a.model, rounds=a.rounds, calls=a.calls, n_rows=len(hold), results=r)))

if __name__ == '__main__': main()
