"""`read_csv` on a file whose first caption opens a quote and never closes: seconds against the number of lines, for this tree and,
side by side, for the library at an earlier commit (`--against REV`, default the commit before the linear reader).

    python bench/read_csv.py --wait
"""
from __future__ import annotations
import argparse, json, subprocess, sys, tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from benchlib import machine, wait_for_quiet, write_result

_TIME = """
import json, sys, time
from multimodal_mlc.data import read_csv
t0 = time.perf_counter()
try: read_csv(sys.argv[1]); problem = None
except Exception as e: problem = str(e)[-90:]
print(json.dumps(dict(seconds=time.perf_counter() - t0, problem=problem)))
"""

def seconds(csv:Path, package:Path|None) -> dict:
    "Seconds of `read_csv(csv)` in a fresh process, with the library of this tree or the one unpacked under `package`."
    env = None if package is None else {'PYTHONPATH': str(package), 'PATH': '/usr/bin:/bin'}
    r = subprocess.run([sys.executable, '-c', _TIME, str(csv)], capture_output=True, text=True, env=env, cwd=package or None, check=True)
    return json.loads(r.stdout.strip().splitlines()[-1])

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--lines', type=int, nargs='+', default=[10_000, 20_000, 40_000, 80_000])
    ap.add_argument('--against', default='fe9a0b2', help='an earlier commit to time side by side (default fe9a0b2, before the linear reader)')
    ap.add_argument('--wait', action='store_true', help='wait for a quiet machine first')
    a = ap.parse_args()
    load = wait_for_quiet() if a.wait else None
    work = Path(tempfile.mkdtemp())
    old = work/'old'; old.mkdir()
    subprocess.run(f"git archive {a.against} multimodal_mlc | tar -x -C {old}", shell=True, check=True, cwd=Path(__file__).parent.parent)
    rows = []
    for n in a.lines:
        csv = work/f'open-{n}.csv'
        csv.write_text('ImageID,Caption\n0.jpg,"never closed\n' + 'more words of it\n' * n)
        rows.append(dict(lines=n, now=seconds(csv, None), before=seconds(csv, old)))
        print(f"{n:>9,} lines: {rows[-1]['now']['seconds']:7.3f} s now, {rows[-1]['before']['seconds']:7.3f} s at {a.against}", flush=True)
    print(write_result('read_csv', dict(machine=machine(), load_before=load, against=a.against, rows=rows)))

if __name__ == '__main__': main()
