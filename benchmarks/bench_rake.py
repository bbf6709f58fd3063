"""Benchmark: raking 1,000,000 rows to 3 margins, socvit vs R survey::rake.

    .venv/bin/python benchmarks/bench_rake.py [--rows 1000000] [--repeat 3] [--no-r]

Data: 10 gemeenten x 4 age classes x 2 genders, drawn with a skewed (panel-like) sample
distribution; margins on gemeente, leeftijdsklasse and geslacht from a synthetic
population. Two cases: no base weights, and continuous base weights (then every row is its
own raking unit). The data go to benchmarks/_work/ (git-ignored); R reads them, times only
its rake() call (svydesign built beforehand) and writes its weights back; Python times only
socvit.weighting.rake on the same in-memory data. Both run to convergence
(survey: control=list(maxit=1000, epsilon=1e-12); socvit: tol=1e-10); --r-default times
survey::rake with its default control instead.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from socvit.weighting import rake  # noqa: E402

WORK = Path(__file__).resolve().parent / "_work" / "rake"
AGES = ["18-34 jaar", "35-49 jaar", "50-64 jaar", "65 jaar en ouder"]
SEXES = ["man", "vrouw"]
GEMS = [f"GM{9001 + i}" for i in range(10)]

R_SCRIPT = r"""
suppressPackageStartupMessages(library(survey))
args <- commandArgs(trailingOnly = TRUE)
d <- read.csv(args[1], colClasses = c("character", "character", "character", "character", "numeric"))
m <- read.csv(args[2], colClasses = c("character", "character", "numeric"))
mk <- function(col) { x <- m[m$column == col, ]; setNames(data.frame(x$category, x$total), c(col, "Freq")) }
pops <- list(mk("gemeente"), mk("leeftijdsklasse"), mk("geslacht"))
ctrl <- list(maxit = 1000, epsilon = 1e-12)
if (length(args) >= 5 && args[5] == "default") ctrl <- list(maxit = 10, epsilon = 1)
res <- list()
for (case in c("unweighted", "base")) {
  if (case == "unweighted") des <- svydesign(ids = ~1, weights = ~I(rep(1, nrow(d))), data = d)
  else des <- svydesign(ids = ~1, weights = ~base, data = d)
  times <- c()
  for (i in seq_len(as.integer(args[4]))) {
    t0 <- proc.time()[["elapsed"]]
    r <- rake(des, list(~gemeente, ~leeftijdsklasse, ~geslacht), pops, control = ctrl)
    times <- c(times, proc.time()[["elapsed"]] - t0)
  }
  res[[case]] <- min(times)
  writeBin(as.numeric(weights(r)), file.path(args[3], paste0("r_weights_", case, ".bin")))
}
cat(sprintf('{"unweighted": %.6f, "base": %.6f}\n', res$unweighted, res$base))
"""


def make_data(n: int, seed: int = 2023):
    rng = np.random.default_rng(seed)
    # skewed sample: more old people, more women, unequal gemeenten
    p_gem = rng.dirichlet(np.full(10, 2.0))
    p_age = np.array([0.12, 0.20, 0.30, 0.38])
    g = rng.choice(10, n, p=p_gem)
    a = rng.choice(4, n, p=p_age)
    s = (rng.random(n) < 0.45 + 0.03 * a).astype(int)
    df = pd.DataFrame({
        "gemeente": pd.Categorical.from_codes(g, GEMS),
        "leeftijdsklasse": pd.Categorical.from_codes(a, AGES, ordered=True),
        "geslacht": pd.Categorical.from_codes(s, SEXES),
        "base": rng.uniform(0.5, 2.0, n).round(6),
    })
    df.insert(0, "id", np.char.add("r", np.arange(n).astype(str)))
    pop_total = 600_000.0
    margins = {
        "gemeente": dict(zip(GEMS, pop_total * rng.dirichlet(np.full(10, 5.0)))),
        "leeftijdsklasse": dict(zip(AGES, pop_total * np.array([0.27, 0.23, 0.26, 0.24]))),
        "geslacht": dict(zip(SEXES, pop_total * np.array([0.495, 0.505]))),
    }
    return df, margins


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--no-r", action="store_true", help="time socvit only")
    ap.add_argument("--r-default", action="store_true",
                    help="run survey::rake with its default control (maxit=10, epsilon=1), "
                         "which stops before convergence, instead of maxit=1000, epsilon=1e-12")
    args = ap.parse_args(argv)
    WORK.mkdir(parents=True, exist_ok=True)
    df, margins = make_data(args.rows)
    print(f"{args.rows:,} rows, margins: gemeente (10), leeftijdsklasse (4), geslacht (2)")

    py = {}
    for case, base in (("unweighted", None), ("base", "base")):
        times = []
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            res = rake(df, margins, base_weight=base, tol=1e-10)
            times.append(time.perf_counter() - t0)
        assert res.converged
        py[case] = (min(times), res)
        print(f"socvit  {case:10s}: {min(times):7.3f} s (best of {args.repeat}), "
              f"{res.iterations} sweeps, max margin error {res.max_margin_error:.1e}")
    if args.no_r or shutil.which("Rscript") is None:
        print("R not run.")
        return
    data_csv, marg_csv = WORK / "data.csv", WORK / "margins.csv"
    df.to_csv(data_csv, index=False)
    pd.DataFrame([(c, k, v) for c, m in margins.items() for k, v in m.items()],
                 columns=["column", "category", "total"]).to_csv(marg_csv, index=False,
                                                                 float_format="%.17g")
    (WORK / "rake.R").write_text(R_SCRIPT)
    out = subprocess.run(["Rscript", str(WORK / "rake.R"), str(data_csv), str(marg_csv),
                          str(WORK), str(args.repeat), "default" if args.r_default else "tight"],
                         capture_output=True, text=True)
    if out.returncode != 0:
        raise SystemExit(f"Rscript failed:\n{out.stderr}")
    r_times = json.loads(out.stdout.strip().splitlines()[-1])
    for case in ("unweighted", "base"):
        wr = np.fromfile(WORK / f"r_weights_{case}.bin", dtype=np.float64)
        wp = py[case][1].weights.to_numpy()
        diff = float(np.max(np.abs(wp / wr - 1)))
        print(f"survey  {case:10s}: {r_times[case]:7.3f} s (best of {args.repeat}); "
              f"socvit {r_times[case] / py[case][0]:.0f}x faster; "
              f"max relative weight difference {diff:.1e}")


if __name__ == "__main__":
    main()
