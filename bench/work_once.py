"""Work done once: every unique caption goes through the text encoder once, and every image is decoded (and featurised) once.

One process, an empty cache: a 3-epoch `train` run, then more experiments on the same rows (another fusion, another loss),
which should find everything in the caches. The counters are the library's own: `ENCODE_STATS` (captions sent through
an encoder), `IMAGE_STATS` (JPEG decodes) and `FEATURE_STATS` (one view of one image through a frozen backbone).

    python bench/work_once.py                  # the `fast` preset on synthetic rows
    python bench/work_once.py --real --n 1000  # the first 1000 COMP5329 training rows
"""
from __future__ import annotations
import os, tempfile
os.environ['MMLC_CACHE'] = tempfile.mkdtemp(prefix='mmlc-work-once-')  # before the library is imported: start from nothing

import argparse, time
from benchlib import dataset, machine, write_result
from multimodal_mlc.images import IMAGE_STATS
from multimodal_mlc.text import ENCODE_STATS
from multimodal_mlc.config import get_config
from multimodal_mlc.features import FEATURE_STATS, image_views
from multimodal_mlc.train import train

def counts(df, views:int) -> dict:
    "The counters per unit of work that had to be done: per unique caption, per image."
    return dict(encoder_calls_per_unique_caption=ENCODE_STATS['captions'] / df.Caption.nunique(),
                decodes_per_image=IMAGE_STATS['decoded'] / len(df), backbone_passes_per_image_view=FEATURE_STATS['passes'] / (len(df) * max(views, 1)),
                raw=dict(captions_encoded=ENCODE_STATS['captions'], images_decoded=IMAGE_STATS['decoded'], backbone_passes=FEATURE_STATS['passes'], views=views))

def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--preset', default='fast', choices=['fast', 'tiny'])
    ap.add_argument('--real', action='store_true'); ap.add_argument('--n', type=int, default=300)
    ap.add_argument('--epochs', type=int, default=3)
    a = ap.parse_args()
    df, images, _ = dataset(a.real, a.n)
    out = os.environ['MMLC_CACHE'] + '/runs'
    # the second and third experiments change what is trained, not what is read: nothing new to encode, decode or featurise
    # (not the seed: with `pretrained=False` it draws the text encoder's weights, a new encoder whose states are new work)
    experiments = [dict(), dict(fusion='image'), dict(loss='asl', lr=3e-4)]
    rows = []
    for k, over in enumerate(experiments):
        t0 = time.time()
        res = train(get_config(a.preset, epochs=a.epochs, **over), df, images, out=f'{out}/{k}', overwrite=True, progress=False)
        views = len(image_views(res.cfg)) if res.cfg.frozen_image else 0
        rows.append(dict(experiment=k + 1, overrides=over, epochs=len(res.history), seconds=round(time.time() - t0, 1), **counts(df, views)))
        print(f"after experiment {k + 1} {over or '(the preset)'}: {rows[-1]['raw']}, {rows[-1]['seconds']} s")
    f = write_result('work_once', dict(machine=machine(), preset=a.preset, data='COMP5329 train rows' if a.real else 'synthetic (make_synthetic, 64 px JPEGs)',
                                       n_rows=len(df), unique_captions=int(df.Caption.nunique()), cache=os.environ['MMLC_CACHE'], experiments=rows))
    first, last = rows[0], rows[-1]
    print(f"{len(df)} rows, {df.Caption.nunique()} unique captions: encoder calls per unique caption {first['encoder_calls_per_unique_caption']:.3f}, "
          f"JPEG decodes per image {first['decodes_per_image']:.3f}, backbone passes per image and view {first['backbone_passes_per_image_view']:.3f} "
          f"after one {a.epochs}-epoch run; after {len(rows)} experiments: {last['encoder_calls_per_unique_caption']:.3f}, "
          f"{last['decodes_per_image']:.3f}, {last['backbone_passes_per_image_view']:.3f}")
    print(f"written to {f}")

if __name__ == '__main__': main()
