"""Finish one stopped run of `real_results.py` (a variant and seed in its `--out` folder) from its last checkpoint, then score
the held-out rows and save `<out>/<variant>-<seed>.npz` as `real_results.py` does, for `thresholds_real.py`.
Writes bench/results/resume_real-<time>.json (the epochs' history, the held-out F1, the seconds of the resumed part).

    python bench/resume_real.py --variant finetune --seed 0 --out runs/ft
"""
from __future__ import annotations
import argparse, os, sys, time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
os.environ.setdefault('HF_HUB_OFFLINE', '1')
from benchlib import machine, write_result

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--variant', required=True); ap.add_argument('--seed', type=int, default=0); ap.add_argument('--out', default='runs/real')
    a = ap.parse_args()
    import numpy as np
    from real_results import VARIANTS
    from multimodal_mlc.core import find_comp5329
    from multimodal_mlc.data import read_csv
    from multimodal_mlc.ensembles import train_models
    from multimodal_mlc.metrics import f1_scores
    from multimodal_mlc.predict import predict
    from multimodal_mlc.config import get_config
    from multimodal_mlc.thresholds import apply_thresholds
    data = find_comp5329() or sys.exit('COMP5329 data not found: set MMLC_COMP5329')
    df = read_csv(data/'train.csv'); df = df[df.ImageID.map(lambda s: int(s.split('.')[0]) < 10000)].reset_index(drop=True)
    train_df, hold = df.iloc[:9000].reset_index(drop=True), df.iloc[9000:].reset_index(drop=True)  # real_results.py's split
    v = VARIANTS[a.variant]
    cfg = get_config(v.get('preset', 'fast'), seed=a.seed, **{k: x for k, x in v.items() if k not in ('preset', 'unlabelled')})
    out = Path(a.out)/f"{a.variant.replace(' ', '_').replace(',', '')}-{a.seed}"
    t = time.time(); res = train_models(cfg, train_df, data/'data', out=out, resume=True); train_s = time.time() - t
    t = time.time(); sub = predict(out, hold, data/'data'); predict_s = time.time() - t
    y, probs = res.labels.encode(hold.Labels.tolist()), np.stack(sub.Probs)
    np.savez(out.with_suffix('.npz'), valid=res.valid_probs, valid_y=res.valid_y, hold=probs, hold_y=y)
    scores = {rule: f1_scores(y, apply_thresholds(probs, res.thresholds, min_labels=m)) for rule, m in (('tuned', 0), ('one label at least', 1))}
    print(write_result('resume_real', dict(machine=machine(), variant=a.variant, seed=a.seed, out=str(out), held_out=scores, resumed_train_s=train_s,
                                           predict_s=predict_s, history=res.history.to_dict('list'))))

if __name__ == '__main__': main()
