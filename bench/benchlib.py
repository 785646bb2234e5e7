"What every benchmark script shares: the machine it ran on, waiting for a quiet machine, timing, and writing one JSON per run."
from __future__ import annotations
import datetime, json, os, platform, statistics, subprocess, sys, time
from pathlib import Path

RESULTS = Path(__file__).parent/'results'

def machine(device:str='cpu') -> dict:
    "What a figure depends on: CPU, cores, GPU, library versions, and how busy the machine was."
    import torch
    cpu = subprocess.run(['lscpu'], capture_output=True, text=True).stdout
    model = next((l.split(':', 1)[1].strip() for l in cpu.splitlines() if l.startswith('Model name')), platform.processor())
    gpu = torch.cuda.get_device_name() if device.startswith('cuda') and torch.cuda.is_available() else None
    return dict(cpu=model, nproc=os.cpu_count(), torch_threads=torch.get_num_threads(), gpu=gpu, device=device,
                torch=torch.__version__, python=platform.python_version(), loadavg=os.getloadavg())

def wait_for_quiet(max_load:float=1.5, timeout:float=600, poll:float=15) -> float:
    "Wait (at most `timeout` s) until the 1-minute load average is below `max_load`: other jobs share these 2 cores."
    t0 = time.time()
    while os.getloadavg()[0] >= max_load and time.time() - t0 < timeout:
        print(f"load {os.getloadavg()[0]:.2f} >= {max_load}; waiting ({time.time() - t0:.0f} s so far)", flush=True)
        time.sleep(poll)
    return os.getloadavg()[0]

def sync(device):
    "Wait for queued GPU work, so a timer measures it."
    import torch
    if str(device).startswith('cuda'): torch.cuda.synchronize()

def timed(f, device='cpu') -> float:
    "Seconds `f()` took, GPU work included."
    sync(device); t0 = time.perf_counter(); f(); sync(device)
    return time.perf_counter() - t0

def median(xs): return statistics.median(xs)

def write_result(name:str, result:dict) -> Path:
    "Write `result` (with the command and the UTC time) to `results/NAME-TIMESTAMP.json`; return the path."
    now = datetime.datetime.now(datetime.timezone.utc)
    RESULTS.mkdir(exist_ok=True)
    f = RESULTS/f"{name}-{now.strftime('%Y%m%dT%H%M%SZ')}.json"
    cmd = 'python ' + ' '.join([os.path.relpath(sys.argv[0], Path(__file__).parent.parent)] + sys.argv[1:])
    env = {k: os.environ[k] for k in ('MMLC_CACHE', 'HF_HUB_OFFLINE', 'CUDA_VISIBLE_DEVICES', 'PYTHONPATH') if k in os.environ}
    f.write_text(json.dumps(dict(benchmark=name, utc=now.isoformat(timespec='seconds'), command=cmd, env=env, **result), indent=1, default=str))
    return f

def dataset(real:bool, n:int, n_test:int=256):
    "`(train rows, image folder, test rows)`: the first COMP5329 rows whose image is here, or a synthetic set (cached between runs)."
    from multimodal_mlc.core import cache_dir, find_comp5329
    from multimodal_mlc.data import read_csv
    from multimodal_mlc.dataset import make_synthetic
    if real:
        comp = find_comp5329()
        if comp is None: raise SystemExit('--real: the COMP5329 data is not on this machine (see multimodal_mlc.core.find_comp5329)')
        # only some of the images ship with the data set: keep the rows that have theirs
        here = lambda df, k: df[[(comp/'data'/i).exists() for i in df.ImageID]].head(k).reset_index(drop=True)
        return here(read_csv(comp/'train.csv'), n), comp/'data', here(read_csv(comp/'test.csv'), n_test)
    syn = cache_dir('bench')/f'synthetic-{n}-{n_test}'
    if not (syn/'test_labels.csv').exists(): make_synthetic(syn, n_train=n, n_test=n_test, size=64, seed=0)
    return read_csv(syn/'train.csv'), syn/'data', read_csv(syn/'test.csv')
