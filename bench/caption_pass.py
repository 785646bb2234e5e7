"""The caption pass on a CPU: frozen caption encoders (`--encoders`; default MiniLM-L6, the `fast` preset's, and all-mpnet-base-v2)
over the first N COMP5329 captions, batched by length as `text._encode` batches them, in eager torch, through ONNX Runtime (the model
exported once) and through ONNX Runtime with int8 dynamic quantisation: seconds per 1,000 captions (the fastest of `--rounds`), the
export's seconds, and the largest difference of the states at real tokens against eager torch.

    python bench/caption_pass.py --n 2048 --wait
"""
from __future__ import annotations
import argparse, os, sys, tempfile, time, warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
os.environ.setdefault('HF_HUB_OFFLINE', '1')
from benchlib import machine, wait_for_quiet, write_result

def fastest(f, rounds) -> float:
    best = float('inf')
    for _ in range(rounds): t0 = time.perf_counter(); f(); best = min(best, time.perf_counter() - t0)
    return best

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--n', type=int, default=2048); ap.add_argument('--batch', type=int, default=256); ap.add_argument('--rounds', type=int, default=2)
    ap.add_argument('--wait', action='store_true', help='wait for a quiet machine first')
    ap.add_argument('--encoders', nargs='+', default=['sentence-transformers/all-MiniLM-L6-v2', 'sentence-transformers/all-mpnet-base-v2'])
    a = ap.parse_args()
    import numpy as np, torch, onnxruntime as ort
    from multimodal_mlc.core import find_comp5329
    from multimodal_mlc.data import read_csv
    from multimodal_mlc.text import load_text_encoder
    data = find_comp5329() or sys.exit('COMP5329 data not found: set MMLC_COMP5329')
    caps = sorted(read_csv(data/'train.csv').Caption.tolist()[:a.n], key=len)
    load = wait_for_quiet() if a.wait else os.getloadavg()[0]
    per = lambda t: 1000 * t / len(caps)
    result = dict(machine=machine(), load_before=load, n_captions=len(caps), batch=a.batch, rounds=a.rounds, encoders={})
    for name in a.encoders:
        tok, model = load_text_encoder(name); model.eval()
        batches = [tok(caps[i:i + a.batch], padding=True, truncation=True, max_length=24, return_tensors='pt') for i in range(0, len(caps), a.batch)]
        with torch.inference_mode():
            eager = lambda: [model(**b).last_hidden_state for b in batches]
            ref, t_torch = eager(), fastest(eager, a.rounds)
        class States(torch.nn.Module):
            def __init__(self, m): super().__init__(); self.m = m
            def forward(self, ids, mask): return self.m(input_ids=ids, attention_mask=mask).last_hidden_state
        path, t0 = Path(tempfile.mkdtemp())/'encoder.onnx', time.perf_counter()
        with torch.no_grad(), warnings.catch_warnings():
            warnings.simplefilter('ignore')
            torch.onnx.export(States(model), (batches[0]['input_ids'], batches[0]['attention_mask']), str(path), input_names=['ids', 'mask'], output_names=['y'],
                              dynamic_axes={'ids': {0: 'b', 1: 't'}, 'mask': {0: 'b', 1: 't'}, 'y': {0: 'b', 1: 't'}}, opset_version=17, dynamo=False)
        t_export = time.perf_counter() - t0
        from onnxruntime.quantization import QuantType, quantize_dynamic
        quantize_dynamic(str(path), str(q := path.with_name('int8.onnx')), weight_type=QuantType.QInt8)
        opts = ort.SessionOptions(); opts.intra_op_num_threads = torch.get_num_threads(); opts.log_severity_level = 3
        row = dict(export_s=t_export, s_per_1000_captions={'torch eager': per(t_torch)}, max_abs_diff={})
        for kind, graph in (('onnxruntime', path), ('onnxruntime int8', q)):
            sess = ort.InferenceSession(str(graph), opts, providers=['CPUExecutionProvider'])
            run = lambda b: sess.run(None, {'ids': b['input_ids'].numpy(), 'mask': b['attention_mask'].numpy()})[0]
            row['s_per_1000_captions'][kind] = per(fastest(lambda: [run(b) for b in batches], a.rounds))
            row['max_abs_diff'][kind] = max(float(np.abs((run(b) - r.numpy()) * b['attention_mask'][..., None].numpy()).max()) for b, r in zip(batches, ref))
        result['encoders'][name] = row
        print(name, row, flush=True)
    print(result)
    print(write_result('caption_pass', result))

if __name__ == '__main__': main()
