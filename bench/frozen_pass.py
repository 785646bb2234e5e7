"""The frozen image pass on a CPU, candidate by candidate: eager torch (channels-last, inference mode), torch.jit.freeze, ONNX Runtime
and OpenVINO (each when installed), on the first N COMP5329 images: seconds per 1,000 views, the largest difference from eager torch's
tokens, and the one-off cost (export, compile); then the library's features stage itself (`cache_image_features`, into a new store) on
the same images, to show what the batching and the store around the runtime cost. The cut is the `fast` preset's (EfficientNet-Lite0 below its last stage) and the whole backbone.

    python bench/frozen_pass.py --n 256 --wait
"""
from __future__ import annotations
import argparse, os, sys, tempfile, time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
os.environ.setdefault('HF_HUB_OFFLINE', '1')
from benchlib import machine, wait_for_quiet, write_result

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--n', type=int, default=256); ap.add_argument('--batch', type=int, default=64); ap.add_argument('--rounds', type=int, default=3)
    ap.add_argument('--wait', action='store_true', help='wait for a quiet machine first')
    a = ap.parse_args()
    import dataclasses, numpy as np, torch
    from multimodal_mlc.core import find_comp5329
    from multimodal_mlc.images import cache_images, normalize
    from multimodal_mlc.models import image_norm, image_tokens
    from multimodal_mlc.config import get_config
    from multimodal_mlc.features import cache_image_features, frozen_backbone, frozen_runner, _session
    data = find_comp5329() or sys.exit('COMP5329 data not found: set MMLC_COMP5329')
    os.environ['MMLC_CACHE'] = tempfile.mkdtemp()  # a cold graph cache: the export is timed
    load = wait_for_quiet() if a.wait else None
    imgs = cache_images([data/'data'/f'{i}.jpg' for i in range(a.n)], 224)
    cuts = {'fast (below the last stage)': get_config('fast'), 'whole backbone': get_config('fast', image_tune_stages=0)}
    results = {}
    for cut, cfg in cuts.items():
        norm, net = image_norm(cfg.backbone), frozen_backbone(cfg).to(memory_format=torch.channels_last)
        batches = [normalize(imgs.batch(np.arange(s, min(a.n, s + a.batch))), *norm) for s in range(0, a.n, a.batch)]
        runners, setup = {}, {}
        runners['torch eager'] = lambda x: image_tokens(net, x.contiguous(memory_format=torch.channels_last)); setup['torch eager'] = 0.0
        t0 = time.perf_counter()
        class Features(torch.nn.Module):
            def __init__(self, net): super().__init__(); self.net = net
            def forward(self, x): return self.net.forward_features(x)
        with torch.inference_mode():
            frozen = torch.jit.freeze(torch.jit.trace(Features(net).eval(), batches[0].contiguous(memory_format=torch.channels_last)))
        from multimodal_mlc.models import _as_tokens
        runners['torch.jit.freeze'] = lambda x: _as_tokens(net, frozen(x.contiguous(memory_format=torch.channels_last))); setup['torch.jit.freeze'] = time.perf_counter() - t0
        try:
            import onnxruntime as ort
            t0 = time.perf_counter(); sess = _session(ort, cfg, net); setup['onnxruntime'] = time.perf_counter() - t0
            runners['onnxruntime'] = lambda x: _as_tokens(net, torch.from_numpy(sess.run(None, {'x': x.float().contiguous().numpy()})[0]))
        except ImportError: pass
        try:
            import openvino as ov
            t0 = time.perf_counter()
            compiled = ov.Core().compile_model(ov.convert_model(Features(net).eval(), example_input=batches[0]), 'CPU', {'INFERENCE_NUM_THREADS': torch.get_num_threads(), 'INFERENCE_PRECISION_HINT': 'f32'})
            setup['openvino'] = time.perf_counter() - t0
            runners['openvino'] = lambda x: _as_tokens(net, torch.from_numpy(compiled(x.float().contiguous().numpy())[0]))
        except ImportError: pass
        with torch.inference_mode():
            ref = torch.cat([runners['torch eager'](x) for x in batches])
            for name, run in runners.items():
                secs = []
                for _ in range(a.rounds):  # the fastest round counts, as in timeit; the others say how steady it is
                    t0 = time.perf_counter(); out = torch.cat([run(x) for x in batches]); secs.append(time.perf_counter() - t0)
                results.setdefault(cut, {})[name] = dict(s_per_1000_views=min(secs) / a.n * 1000, rounds_s=secs, setup_s=setup[name],
                                                         max_abs_diff=float((out.float() - ref.float()).abs().max()))
                r = results[cut][name]; print(f"{cut:28} {name:17} {r['s_per_1000_views']:6.1f} s per 1,000 views, max diff {r['max_abs_diff']:.1e}, setup {r['setup_s']:.1f} s", flush=True)
        if cfg.image_tune_stages:  # the library's own features stage on the same images: the runtime with the batching and the store around it
            t0 = time.perf_counter(); frozen_runner(cfg); build = time.perf_counter() - t0  # built again inside the stage: timed apart
            t0 = time.perf_counter(); feats = cache_image_features(imgs, cfg, views=['none'], batch_size=a.batch); t = time.perf_counter() - t0
            got = torch.from_numpy(feats.take(np.arange(a.n), np.zeros(a.n, int))).float()
            results[cut]['cache_image_features'] = dict(s_per_1000_views=(t - build) / a.n * 1000, stage_s=t, setup_s=build, max_abs_diff=float((got - ref.float()).abs().max()))
            r = results[cut]['cache_image_features']; print(f"{cut:28} cache_image_features {r['s_per_1000_views']:6.1f} s per 1,000 views (the stage, less the runner's {build:.1f} s build), max diff {r['max_abs_diff']:.1e} (float16 as stored)", flush=True)
    sizes = {}
    for pkg in ('onnxruntime', 'openvino', 'onnx'):
        try: mod = __import__(pkg); sizes[pkg] = sum(f.stat().st_size for f in Path(mod.__file__).parent.rglob('*') if f.is_file()) / 2**20
        except ImportError: pass
    print(write_result('frozen_pass', dict(machine=machine(), load_before=load, n=a.n, batch=a.batch, results=results, installed_mb=sizes)))

if __name__ == '__main__': main()
