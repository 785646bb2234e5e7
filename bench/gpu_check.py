"""The GPU paths in one short run (under 5 minutes on one GPU): what nobody here could run without a GPU.

It prints and writes to bench/results/gpu_check-*.json:
- the precision `mixed_precision='auto'` picks on this GPU (fp16 on a T4, whose bf16 is emulated; bf16 on an A100, L4, H100);
- the `paper` preset (DeiT-Small + BERT-base-sized caption states, random weights) at batch 64: training samples/s and peak memory;
- the pipeline ratio: the real training step (`Run.one_batch`, reading the disk caches) against the same model on ready tensors;
- a resume across precisions, for `mixed_precision='auto'` (bf16 on an A100/H100) and `'fp16'` (the T4's, with a gradient
  scaler): a run killed on the CPU (no scaler) resumed on the GPU, and a run killed on the GPU resumed on the GPU, which
  should end bitwise equal to an uninterrupted GPU run (the largest weight difference is printed too: some CUDA kernels
  are not deterministic);
- the `fast` head's newer options (the last image stage tuned, label queries, an ensemble) trained and scored there;
- a NaN loss stopping a run there, whose finiteness one GPU reads a step later, with no checkpoint of the bad step.

    python bench/gpu_check.py            # on a machine with a GPU
    python bench/gpu_check.py --smoke    # on a CPU: checks the script runs (tiny sizes, no figures)
"""
from __future__ import annotations
import argparse, json, os, subprocess, sys, tempfile, time
from pathlib import Path

import torch
from benchlib import machine, write_result

HERE = Path(__file__).resolve().parent

def paper_speed(device, steps:int, batch_size:int) -> dict:
    "Training samples/s and peak memory of the paper preset at `batch_size` (as bench/paper_gpu.py measures it)."
    sys.path.insert(0, str(HERE)); from paper_gpu import train_speed
    from multimodal_mlc.config import get_config
    from multimodal_mlc.settings import precision
    cfg = get_config('paper', pretrained=False, batch_size=batch_size)
    if device.type == 'cuda': torch.cuda.reset_peak_memory_stats(device)
    sps = train_speed(cfg, device, steps, warmup=3)[0]
    peak = torch.cuda.max_memory_allocated(device) / 2**30 if device.type == 'cuda' else None
    return dict(precision=precision(cfg, device), batch_size=batch_size, samples_per_s=sps, peak_memory_gib=peak)

def pipeline_ratio(device, smoke:bool) -> str:
    "The last lines of bench/pipeline.py on this device: real loop against ready tensors."
    args = ['--device', str(device), '--rounds', '2' if smoke else '6', '--n', '128' if smoke else '1024', '--random-weights']
    r = subprocess.run([sys.executable, str(HERE/'pipeline.py'), *args], capture_output=True, text=True, cwd=HERE)
    return (r.stdout + r.stderr)[-1500:]

def resume_across(device, mixed_precision:str) -> dict:
    "A tiny run killed at step 3 on the CPU or `device` and resumed on `device`; its weights against an uninterrupted run on `device`."
    from safetensors.torch import load_file
    from multimodal_mlc.data import read_csv
    from multimodal_mlc.dataset import make_synthetic
    from multimodal_mlc.config import get_config
    from multimodal_mlc.train import train, _train_cli_code
    tmp = Path(tempfile.mkdtemp(prefix='mmlc-gpu-check-')); os.environ['MMLC_CACHE'] = str(tmp/'cache')
    syn = make_synthetic(tmp/'syn', n_train=96, n_test=8, size=32, seed=0)
    cfg, df, out = get_config('tiny', epochs=2, checkpoint_every=2, mixed_precision=mixed_precision), read_csv(syn/'train.csv'), {}
    for start in dict.fromkeys(['cpu', str(device)]):  # on a CPU (--smoke) the two are one
        code = _train_cli_code(cfg, syn, tmp/start, False, dict(kill_at=3)).replace("progress=False,", f"progress=False, device={start!r},")
        killed = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True)
        t0 = time.time(); train(cfg, df, syn/'data', out=tmp/start, resume=True, device=device, progress=False)
        out[start] = dict(killed_rc=killed.returncode, resumed_s=time.time() - t0, stderr_tail=killed.stderr[-300:] if killed.returncode != -9 else '')
    train(cfg, df, syn/'data', out=tmp/'whole', device=device, progress=False)
    a, b = load_file(tmp/str(device)/'model.safetensors'), load_file(tmp/'whole'/'model.safetensors')
    out['bitwise_equal_on_device'] = all(torch.equal(a[k], b[k]) for k in a)
    out['max_abs_diff'] = max(float((a[k].float() - b[k].float()).abs().max()) for k in a)
    out['precision'] = json.loads((tmp/'whole'/'model.json').read_text())['precision']
    return out

def fast_options(device) -> dict:
    "The `fast` head's newer options on `device`, under its precision: the last image stage tuned, label queries and an ensemble of 2, trained, saved, loaded and scored."
    from multimodal_mlc.data import read_csv
    from multimodal_mlc.dataset import make_synthetic
    from multimodal_mlc.config import get_config
    from multimodal_mlc.train import train
    from multimodal_mlc.predict import predict
    tmp = Path(tempfile.mkdtemp(prefix='mmlc-gpu-options-')); os.environ['MMLC_CACHE'] = str(tmp/'cache')
    syn = make_synthetic(tmp/'syn', n_train=96, n_test=8, size=64, seed=0)
    cfg = get_config('fast', pretrained=False, img_size=64, epochs=2, batch_size=16, image_tune_stages=1, label_queries=True, ensemble=2,
                     text_kw=dict(hidden_size=32, num_hidden_layers=1, num_attention_heads=2, intermediate_size=64))
    t0 = time.time(); res = train(cfg, read_csv(syn/'train.csv'), syn/'data', out=tmp/'model', device=device, progress=False)
    sub = predict(tmp/'model', read_csv(syn/'test.csv'), syn/'data', device=device)
    return dict(seconds=time.time() - t0, valid_f1=float(res.history.valid_f1.iloc[-1]), rows_scored=len(sub),
                precision=json.loads((tmp/'model'/'model.json').read_text())['precision'])

def nan_stops(device) -> dict:
    "A NaN loss at batch 3 of a run checkpointing every step on `device`: on one GPU its finiteness is read at the next step; the run must stop naming batch 3, with the checkpoint of step 2 on disk."
    from multimodal_mlc.core import MMLCError
    from multimodal_mlc.callbacks import Faults
    from multimodal_mlc.data import read_csv
    from multimodal_mlc.dataset import make_synthetic
    from multimodal_mlc.modelfile import load_checkpoint
    from multimodal_mlc.config import get_config
    from multimodal_mlc.train import train
    tmp = Path(tempfile.mkdtemp(prefix='mmlc-gpu-nan-')); os.environ['MMLC_CACHE'] = str(tmp/'cache')
    syn = make_synthetic(tmp/'syn', n_train=96, n_test=8, size=32, seed=0)
    try: train(get_config('tiny', epochs=1, checkpoint_every=1), read_csv(syn/'train.csv'), syn/'data', out=tmp/'m', device=device, progress=False, callbacks=[Faults(nan_at=3)]); error = None
    except MMLCError as e: error = str(e)
    return dict(error=error, checkpoint_step=load_checkpoint(tmp/'m'/'checkpoint.pt')['step'],
                ok=bool(error and 'the loss is nan at epoch 1, batch 3' in error) and load_checkpoint(tmp/'m'/'checkpoint.pt')['step'] == 2)

def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--device', default='cuda'); ap.add_argument('--steps', type=int, default=20)
    ap.add_argument('--smoke', action='store_true', help='on a CPU, tiny sizes: check that the script runs')
    a = ap.parse_args()
    device = torch.device('cpu' if a.smoke else a.device)
    t0 = time.time()
    result = dict(machine=machine(str(device)), smoke=a.smoke,
                  paper=paper_speed(device, 2 if a.smoke else a.steps, 4 if a.smoke else 64),
                  pipeline=pipeline_ratio(device, a.smoke))
    print(result['paper'], flush=True); print(result['pipeline'], flush=True)
    result['resume'] = {p: resume_across(device, p) for p in ('auto', 'fp16')}
    result['fast_options'] = fast_options(device); print(result['fast_options'], flush=True)
    result['nan_stops'] = nan_stops(device); print(result['nan_stops'], flush=True)
    result['seconds'] = time.time() - t0
    f = write_result('gpu_check' + ('_smoke' if a.smoke else ''), result)
    print(result['resume'])
    print(f"{result['seconds']:.0f} s; written to {f}")

if __name__ == '__main__': main()
