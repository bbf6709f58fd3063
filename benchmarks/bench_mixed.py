"""Benchmark of socvit's mixed models against lme4 (results: benchmarks/README.md, section
Mixed models).

    .venv/bin/python benchmarks/bench_mixed.py              # best of 5
    .venv/bin/python benchmarks/bench_mixed.py --repeat 9

(a) ``rapportcijfer ~ leeftijdsklasse + factor(golf) + (1 | kern) + (1 | resp_id)`` (REML) on
    the bundled sample, all four waves: 12,921 complete rows, 117 kernen, 5,582 respondents.
    Before this benchmark socvit took 9.9 s for it (lme4 0.3 s). Goal: within 3x of lme4.
(b) ``actief ~ leeftijdsklasse + geslacht + (1 | kern)``, glmer binomial (Laplace), 2023 wave.
Both sides read the same file (tests/reference/regression/sample_mixed.csv.gz) and are timed
in the same run: socvit's whole ``sv.regression.fit`` call (formula, design matrices, fit,
table) against lme4's whole ``lmer``/``glmer`` call with its default settings, through Rscript
when it is on the PATH. Each timing is the best of ``--repeat`` runs after one warm-up run,
wall clock and CPU (process CPU time for Python, user + system for R): on a machine shared
with other jobs the CPU time is the steadier number.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from socvit import regression as reg  # noqa: E402

DATA = ROOT / "tests" / "reference" / "regression" / "sample_mixed.csv.gz"
MODELS = {
    "lmer kern + resp_id": ("rapportcijfer ~ leeftijdsklasse + C(golf) + (1 | kern) + (1 | resp_id)",
                            "mixed", None),
    "glmer actief (1 | kern), 2023": ("actief ~ leeftijdsklasse + geslacht + (1 | kern)",
                                      "mixed_logit", 2023),
}
R_CODE = """
suppressPackageStartupMessages(library(lme4))
s <- read.csv("{data}", colClasses = c(resp_id = "character", gemeente = "character",
                                      kern = "character"))
s23 <- s[s$golf == 2023, ]
bench <- function(f) {{
  f()
  t <- sapply(1:{repeat}, function(i) system.time(f()))
  cat(min(t["elapsed", ]), min(t["user.self", ] + t["sys.self", ]), "\\n")
}}
bench(function() lmer(rapportcijfer ~ leeftijdsklasse + factor(golf) + (1 | kern) + (1 | resp_id),
                      data = s))
bench(function() glmer(actief ~ leeftijdsklasse + geslacht + (1 | kern), data = s23,
                       family = binomial))
"""


def best_of(fn, repeat):
    fn()
    wall, cpu = [], []
    for _ in range(repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        fn()
        wall.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    return min(wall), min(cpu)


def lme4_seconds(repeat):
    if shutil.which("Rscript") is None:
        return None
    out = subprocess.run(["Rscript", "-e", R_CODE.format(data=DATA, repeat=repeat)],
                         capture_output=True, text=True, timeout=1800)
    if out.returncode != 0:
        print("Rscript failed:", out.stderr[-800:])
        return None
    lines = [ln.split() for ln in out.stdout.strip().splitlines()]
    return [(float(a), float(b)) for a, b in lines]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    sample = pd.read_csv(DATA, dtype={"resp_id": str, "gemeente": str, "kern": str})
    ours = []
    for formula, kind, golf in MODELS.values():
        d = sample if golf is None else sample[sample.golf == golf]
        ours.append(best_of(lambda f=formula, d=d, k=kind: reg.fit(f, d, kind=k), args.repeat))
    theirs = lme4_seconds(args.repeat)
    print(f"best of {args.repeat} (after one warm-up run); seconds wall / CPU")
    for i, name in enumerate(MODELS):
        w, c = ours[i]
        line = f"{name:32s} socvit {w:6.3f} / {c:6.3f}"
        if theirs:
            rw, rc = theirs[i]
            line += (f"   lme4 {rw:6.3f} / {rc:6.3f}   ratio socvit/lme4: wall {w / rw:.2f}x, "
                     f"CPU {c / rc:.2f}x")
        else:
            line += "   (Rscript not available: no lme4 timing)"
        print(line)


if __name__ == "__main__":
    main()
