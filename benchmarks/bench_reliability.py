"""Benchmarks of socvit.reliability (results: benchmarks/README.md, section Reliability).

    .venv/bin/python benchmarks/bench_reliability.py            # both benchmarks
    .venv/bin/python benchmarks/bench_reliability.py --quick    # smaller large-data case

(a) percentile-bootstrap alpha, 1,000 resamples, on psychTools::bfi A1-A5 (2,800 x 5, with
    its missing answers, A1 reversed) against ``psych::alpha(x, keys = "A1", n.iter = 1000)``
    timed in the same run through Rscript (when Rscript is on the PATH). Goal: >= 10x faster.
(b) alpha with the full item table on 1,000,000 x 20 Likert items (2% missing), end to end
    from a DataFrame. Goal: under 2 s.
Each timing is the best of ``--repeat`` runs (default 3) after one warm-up run. (b) also
reports the process CPU time: on a machine shared with other jobs it is the steadier number.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from socvit import reliability as rel  # noqa: E402

BFI = ROOT / "tests" / "reference" / "reliability" / "bfi.csv"
A = ["A1", "A2", "A3", "A4", "A5"]


def best_of(fn, repeat, clock=time.perf_counter):
    fn()
    times = []
    for _ in range(repeat):
        t0 = clock()
        fn()
        times.append(clock() - t0)
    return min(times)


def psych_seconds(repeat):
    """psych::alpha(n.iter = 1000) timed inside R (library loading excluded)."""
    if shutil.which("Rscript") is None:
        return None
    code = f"""
suppressPackageStartupMessages(library(psych))
x <- read.csv("{BFI}")[, c("A1","A2","A3","A4","A5")]
invisible(psych::alpha(x, keys = "A1", n.iter = 1000, warnings = FALSE))
t <- sapply(1:{repeat}, function(i) system.time(
  psych::alpha(x, keys = "A1", n.iter = 1000, warnings = FALSE))[["elapsed"]])
cat(min(t), "\\n")
"""
    out = subprocess.run(["Rscript", "-e", code], capture_output=True, text=True, timeout=600)
    if out.returncode != 0:
        print("Rscript failed:", out.stderr[-500:])
        return None
    return float(out.stdout.split()[-1])


def bench_bootstrap(repeat):
    bfi = pd.read_csv(BFI)
    t = best_of(lambda: rel.alpha(bfi, A, reverse="A1", ci="bootstrap", n_boot=1000, seed=1),
                repeat)
    res = rel.alpha(bfi, A, reverse="A1", ci="bootstrap", n_boot=1000, seed=1)
    print(f"(a) socvit alpha, bootstrap 1000 x (2800 x 5): {t:.3f} s  "
          f"CI = ({res.ci[0]:.4f}, {res.ci[1]:.4f})")
    r = psych_seconds(repeat)
    if r is None:
        print("(a) psych::alpha(n.iter=1000): Rscript not available, no ratio")
    else:
        print(f"(a) psych::alpha(n.iter=1000):                  {r:.3f} s  -> socvit is "
              f"{r / t:.1f}x faster")
    return t, r


def bench_large(n_rows, repeat):
    rng = np.random.default_rng(0)
    latent = rng.normal(size=(n_rows, 1))
    x = np.clip(np.rint(3 + latent + rng.normal(scale=1.0, size=(n_rows, 20))), 1, 5)
    x[rng.random(x.shape) < 0.02] = np.nan
    df = pd.DataFrame(x, columns=[f"i{j + 1}" for j in range(20)])
    items = list(df.columns)
    t = best_of(lambda: rel.alpha(df, items, reverse=["i3"]), repeat)
    cpu = best_of(lambda: rel.alpha(df, items, reverse=["i3"]), repeat, time.process_time)
    print(f"(b) socvit alpha + item table, {n_rows:,} x 20 items (2% missing): {t:.3f} s "
          f"wall, {cpu:.3f} s CPU (one BLAS thread)")
    return t


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--quick", action="store_true", help="100,000 rows for (b)")
    p.add_argument("--repeat", type=int, default=3)
    args = p.parse_args(argv)
    import warnings
    warnings.simplefilter("ignore")
    import os
    print(f"load average before: {os.getloadavg()[0]:.1f} (2 cores)")
    bench_bootstrap(args.repeat)
    bench_large(100_000 if args.quick else 1_000_000, args.repeat)
    print(f"load average after:  {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
