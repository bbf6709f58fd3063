"""Benchmark: loading a 1,000,000-row panel from parquet and from CSV.

    .venv/bin/python benchmarks/bench_load.py [--rows 1000000] [--repeat 3] [--regenerate]
                                              [--only parquet|csv]

Generates the panel with :func:`socvit.sample.write_sample` (the sample generator scaled up)
into ``benchmarks/_work/load/`` (git-ignored; reused when present), with the sample's
codebook beside it. Each measurement runs in a fresh Python process: ``load_panel`` (read,
validate, type) timed with ``perf_counter`` after the imports, and the process's peak
resident memory from ``resource.getrusage(RUSAGE_SELF).ru_maxrss``. Also timed: loading
without the validation step (``check=False``) and ``socvit.validate`` alone.

Goals (issue 2): parquet under 2 s, peak memory under 2 GB.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "benchmarks" / "_work" / "load"
SAMPLE_ROWS = 13202                 # rows of the bundled sample at scale 1

CHILD = r"""
import json, resource, sys, time
t0 = time.perf_counter()
import socvit.io
t1 = time.perf_counter()
c1 = time.process_time()
path, what = sys.argv[1], sys.argv[2]
if what == "load":
    out = socvit.io.load_panel(path)
    rows = len(out.data)
elif what == "load_nocheck":
    out = socvit.io.load_panel(path, check=False)
    rows = len(out.data)
else:
    out = socvit.io.validate(path)
    rows = -1
    assert out == [], out[:3]
t2 = time.perf_counter()
print(json.dumps({"import_s": t1 - t0, "seconds": t2 - t1, "cpu": time.process_time() - c1, "rows": rows,
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


GEN = r"""
import shutil, sys
from pathlib import Path
from socvit.io import SAMPLE_DIR
from socvit.sample import write_sample
out = Path(sys.argv[1])
write_sample(out, scale=float(sys.argv[2]))
shutil.copy(SAMPLE_DIR / "codebook.yaml", out / "codebook.yaml")
"""


def generate(rows: int, regenerate: bool) -> None:
    """Write the big panel (in a child process, so this parent stays small: a child's
    ru_maxrss starts from its parent's resident size at fork)."""
    marker = WORK / "rows.txt"
    if not regenerate and marker.exists() and marker.read_text().strip() == str(rows):
        return
    if WORK.exists():
        shutil.rmtree(WORK)
    t = time.perf_counter()
    subprocess.run([sys.executable, "-c", GEN, str(WORK), repr(rows / SAMPLE_ROWS)], check=True,
                   cwd=ROOT)
    marker.write_text(str(rows))
    print(f"generated {WORK} in {time.perf_counter() - t:.1f} s")


def run(path: Path, what: str) -> dict:
    res = subprocess.run([sys.executable, "-c", CHILD, str(path), what], capture_output=True,
                         text=True, cwd=ROOT)
    if res.returncode != 0:
        raise SystemExit(f"benchmark child failed ({path.name}, {what}):\n{res.stderr}")
    return json.loads(res.stdout.strip().splitlines()[-1])


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--rows", type=int, default=1_000_000)
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--regenerate", action="store_true")
    p.add_argument("--only", choices=("parquet", "csv"), default=None, help="one format only")
    args = p.parse_args(argv)
    generate(args.rows, args.regenerate)
    sizes = {f: (WORK / f).stat().st_size / 1e6 for f in ("panel.parquet", "panel.csv")}
    print(f"files: panel.parquet {sizes['panel.parquet']:.0f} MB, panel.csv {sizes['panel.csv']:.0f} MB")
    print(f"{'file':<14}{'step':<24}{'rows':>10}{'median s':>10}{'min s':>8}{'cpu s':>7}"
          f"{'peak MB':>9}{'import s':>10}")
    rows_out = []
    formats = [f"panel.{args.only}"] if args.only else ["panel.parquet", "panel.csv"]
    for fname in formats:
        for what, label in (("load", "load_panel"), ("load_nocheck", "load_panel(check=False)"),
                            ("validate", "validate")):
            runs = [run(WORK / fname, what) for _ in range(args.repeat)]
            secs = [r["seconds"] for r in runs]
            row = dict(file=fname, step=label, rows=runs[0]["rows"], median=statistics.median(secs),
                       min=min(secs), peak=max(r["peak_mb"] for r in runs),
                       cpu=statistics.median(r["cpu"] for r in runs),
                       imp=statistics.median(r["import_s"] for r in runs))
            rows_out.append(row)
            print(f"{fname:<14}{label:<24}{row['rows']:>10,}{row['median']:>10.2f}{row['min']:>8.2f}"
                  f"{row['cpu']:>7.2f}{row['peak']:>9.0f}{row['imp']:>10.2f}")
    print(f"load average now: {' '.join(f'{x:.1f}' for x in os.getloadavg())} "
          f"(2 cores); timings are wall clock")
    peak = max(r["peak"] for r in rows_out)
    par = [r for r in rows_out if r["file"] == "panel.parquet" and r["step"] == "load_panel"]
    ok = peak < 2048 and all(r["median"] < 2.0 for r in par)
    speed = f"parquet load_panel {par[0]['median']:.2f} s (< 2 s), " if par else ""
    print(f"goals: {speed}peak memory {peak:.0f} MB (< 2048 MB): {'met' if ok else 'NOT met'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
