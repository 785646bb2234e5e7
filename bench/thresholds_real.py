"""Threshold rules on saved COMP5329 probabilities: which metric to tune for, and the at-least-one-label rule.

`real_results.py` saves, for each run, the validation probabilities (the 10% of rows 0-8999 the thresholds are tuned on)
and the held-out ones (rows 9000-9999) as `<out>/<variant>-<seed>.npz`. This script tunes thresholds on the validation
probabilities for each rule and scores the held-out rows with samples, micro and macro F1; no model runs again.

    python bench/thresholds_real.py /tmp/runs/base/fused_3x3_image_grid-*.npz
    python bench/thresholds_real.py --average /tmp/runs/base/fused_3x3_image_grid-*.npz   # and the 3 runs averaged
"""
import argparse
from pathlib import Path

import numpy as np, pandas as pd
from benchlib import write_result
from multimodal_mlc.metrics import f1_scores
from multimodal_mlc.thresholds import apply_thresholds, tune_thresholds

RULES = {  # name: (metric tuned for, min_labels when tuning, min_labels when predicting)
    'samples': ('samples', 0, 0),
    'samples, tuned without the rule, one label at least': ('samples', 0, 1),
    'samples, one label at least': ('samples', 1, 1),
    'micro': ('micro', 0, 0),
    'micro, one label at least': ('micro', 1, 1),
    'macro': ('macro', 0, 0),
}

def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0]); ap.add_argument('npz', nargs='+')
    ap.add_argument('--average', action='store_true', help="also score the mean of the runs' held-out probabilities at each run's thresholds")
    a = ap.parse_args()
    rows = []
    for f in a.npz:
        d = np.load(f)
        for name, (metric, tune_min, apply_min) in RULES.items():
            th = tune_thresholds(d['valid'], d['valid_y'], min_labels=tune_min, metric=metric)
            rows.append(dict(run=Path(f).stem, rule=name, **{k: v for k, v in f1_scores(d['hold_y'], apply_thresholds(d['hold'], th, apply_min)).items() if k != 'weighted'}))
    if a.average:  # the held-out probabilities of all the runs averaged, at each run's own thresholds (an ensemble of separate runs)
        ds = [np.load(f) for f in a.npz]; mean = np.mean([d['hold'] for d in ds], 0)
        for f, d in zip(a.npz, ds):
            th = tune_thresholds(d['valid'], d['valid_y'])
            rows.append(dict(run=Path(f).stem, rule='samples, one label at least, held-out probabilities of all runs averaged',
                             **{k: v for k, v in f1_scores(d['hold_y'], apply_thresholds(mean, th, 1)).items() if k != 'weighted'}))
    r = pd.DataFrame(rows)
    summary = r.groupby('rule', sort=False)[['samples', 'micro', 'macro']].agg(['mean', 'std']).round(4)
    print(summary.to_string())
    print('written to', write_result('thresholds_real', dict(files=a.npz, runs=rows, summary={f'{k[0]} {k[1]}': v for k, v in summary.to_dict().items()})))

if __name__ == '__main__': main()
