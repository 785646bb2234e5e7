"""Seconds to featurise 1,000 images with each offline ImageNet encoder at its own resolution (EfficientNet-Lite0/1/2).

Runs the library's own path, `cache_images` then `cache_image_features` (one view, the fast preset's 3x3 pooled grid), on the first
`--n` COMP5329 images with empty caches, after waiting for a quiet machine. Pair the figures with F1 from `real_results.py`
(variants "fused, Lite2 260 px", "image only, Lite2 260 px", ...). Writes bench/results/image_encoders-<time>.json.

    python bench/image_encoders.py --n 256
"""
import argparse, os, sys, tempfile

os.environ.setdefault('HF_HUB_OFFLINE', '1')
from benchlib import machine, timed, wait_for_quiet, write_result

ENCODERS = {'tf_efficientnet_lite0': 224, 'tf_efficientnet_lite1': 240, 'tf_efficientnet_lite2': 260}  # timm's input size of each

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--n', type=int, default=256)
    a = ap.parse_args()
    os.environ['MMLC_CACHE'] = tempfile.mkdtemp()  # empty caches: every image is decoded and featurised
    from multimodal_mlc.core import find_comp5329
    from multimodal_mlc.images import cache_images, image_path
    from multimodal_mlc.features import FEATURE_STATS, cache_image_features
    from multimodal_mlc.config import get_config
    data = find_comp5329()
    if data is None: sys.exit('COMP5329 data not found: set MMLC_COMP5329')
    paths = [image_path(data/'data', f'{i}.jpg') for i in range(a.n)]
    load = wait_for_quiet()
    rows = {}
    for name, size in ENCODERS.items():
        cfg = get_config('fast', backbone=name, img_size=size, image_tune_stages=0)  # frozen: the whole backbone's pooled tokens
        imgs = [None]
        decode_s = timed(lambda: imgs.__setitem__(0, cache_images(paths, size)))
        passes = FEATURE_STATS['passes']
        feature_s = timed(lambda: cache_image_features(imgs[0], cfg, ['none']))
        rows[name] = dict(img_size=size, images=a.n, backbone_passes=FEATURE_STATS['passes'] - passes,
                          decode_s_per_1000=1000 * decode_s / a.n, feature_s_per_1000=1000 * feature_s / a.n)
        print(name, {k: round(v, 1) if isinstance(v, float) else v for k, v in rows[name].items()}, flush=True)
    print('written to', write_result('image_encoders', dict(machine=machine(), load_at_start=load, encoders=rows)))

if __name__ == '__main__': main()
