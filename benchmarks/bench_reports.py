"""Benchmark of `socvit reports` against a naive papermill + nbconvert loop.

    .venv/bin/python benchmarks/bench_reports.py                 # everything (~10 minutes)
    .venv/bin/python benchmarks/bench_reports.py --synthetic 0   # sample only
    .venv/bin/python benchmarks/bench_reports.py --gemeenten 3 --synthetic 20   # quick look

1. All gemeenten of the sample's latest wave, made twice in the same run:
   * naive: for each gemeente, `papermill socvit/report/gemeente_rapport.ipynb X.ipynb -r gemeente
     CODE -p golf YEAR` and `jupyter nbconvert --to html --no-input X.ipynb` (from .venv/bin);
   * socvit: the command `socvit reports --jobs 2 --force` (warm kernels, HTML in-process),
     timed from the outside like the naive commands, Python's start-up included;
   prints both times and the ratio (goal: at least 10x), and checks that every pair of
   reports has the same text (markup, styles, scripts and images stripped: every number and
   sentence must be equal).
2. Synthetic gemeenten (`socvit.sample.write_sample(dir, n_gemeenten=N)`, default 100) with
   `--jobs 2`: time and throughput in reports per minute.

Work files go to benchmarks/_work/reports/ (not committed).
"""

from __future__ import annotations

import argparse
import difflib
import html
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path
from statistics import median

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from socvit.io import SAMPLE_DIR  # noqa: E402
from socvit.runner import DEFAULT_NOTEBOOK, plan_reports, run_reports  # noqa: E402

BIN = Path(sys.executable).parent
WORK = ROOT / "benchmarks" / "_work" / "reports"


def visible_text(path: Path) -> str:
    """What a reader sees: the body without markup, styles, scripts, images and ids."""
    text = path.read_text(encoding="utf-8")
    body = text[text.index("<body"):]
    body = re.sub(r"<(style|script)\b.*?</\1>", " ", body, flags=re.S)
    body = re.sub(r"<img\b[^>]*>", " ", body)
    # socvit's own additions to the report: the cover's contents list and colophon, and
    # nbconvert's: the pilcrow anchor links of headings, the "·" before the date
    body = re.sub(r'<nav class="inhoud".*?</nav>|<p class="uitgave">.*?</p>', " ", body, flags=re.S)
    body = re.sub(r'<a class="anchor-link"[^>]*>¶</a>', " ", body).replace(" · ", " ")
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", body))).strip()


def first_difference(a: str, b: str) -> str:
    sm = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for op, i1, i2, j1, j2 in sm.get_opcodes():
        if op != "equal":
            return f"naive {a[max(0, i1 - 60):i2 + 60]!r}\n    socvit {b[max(0, j1 - 60):j2 + 60]!r}"
    return ""


def naive_loop(codes, golf, out: Path) -> float:
    out.mkdir(parents=True, exist_ok=True)
    env = {k: v for k, v in os.environ.items() if k != "MPLBACKEND"}
    t0 = time.perf_counter()
    for code in codes:
        nb = out / f"{code}.ipynb"
        subprocess.run([str(BIN / "papermill"), str(DEFAULT_NOTEBOOK), str(nb), "-r", "gemeente", code,
                        "-p", "golf", str(golf), "--no-progress-bar"],
                       check=True, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        subprocess.run([str(BIN / "jupyter"), "nbconvert", "--to", "html", "--no-input", str(nb)],
                       check=True, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - t0


def socvit_command(codes, jobs, out: Path, all_codes: bool) -> tuple[float, str, dict]:
    """Wall time of `socvit reports --force` as a subprocess, its summary and its manifest."""
    env = {k: v for k, v in os.environ.items() if k != "MPLBACKEND"}
    cmd = [str(BIN / "socvit"), "reports", "--jobs", str(jobs), "--force", "--out", str(out)]
    if not all_codes:
        cmd += ["--gemeente", *codes]
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        print(proc.stdout, proc.stderr[-2000:])
    manifest = json.loads(next(out.glob("*/manifest.json")).read_text(encoding="utf-8"))
    return wall, proc.stdout.strip().splitlines()[0], manifest


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--gemeenten", type=int, default=None, help="only the first N gemeenten of the wave")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--synthetic", type=int, default=100, help="synthetic gemeenten (0: skip)")
    ap.add_argument("--scale", type=float, default=10.0,
                    help="panel size of the synthetic sample (x the bundled sample's 3,300 a wave); "
                         "at 1.0 a synthetic gemeente has ~33 respondents, too few to weight")
    ap.add_argument("--skip-naive", action="store_true")
    args = ap.parse_args(argv)
    os.chdir(ROOT)
    if WORK.exists():
        shutil.rmtree(WORK)
    WORK.mkdir(parents=True)
    print(f"machine: {os.cpu_count()} cores; load average {os.getloadavg()[0]:.1f} at the start")

    plan = plan_reports(notebook=DEFAULT_NOTEBOOK)
    codes = [j.gemeente for j in plan.jobs][: args.gemeenten]
    print(f"sample: golf {plan.golf}, {len(codes)} gemeenten: {', '.join(codes)}")

    fast_out = WORK / "socvit"
    t_fast, said, manifest = socvit_command(codes, args.jobs, fast_out, args.gemeenten is None)
    entries = manifest["reports"].values()
    print(f"socvit reports --jobs {args.jobs}: {t_fast:.1f} s ({t_fast / len(codes):.1f} s a report; "
          f"median {median(e['seconds'] for e in entries):.1f} s a report in a warm kernel)\n  it said: {said}")
    ok = all(e["status"] == "ok" for e in entries) and len(entries) == len(codes)

    if not args.skip_naive:
        naive_out = WORK / "naive"
        t_naive = naive_loop(codes, plan.golf, naive_out)
        print(f"naive papermill + nbconvert loop: {t_naive:.1f} s ({t_naive / len(codes):.1f} s a report)")
        print(f"ratio: {t_naive / t_fast:.1f}x (goal: at least 10x)")
        same = 0
        for job in plan.jobs:
            if job.gemeente not in codes:
                continue
            a = visible_text(naive_out / f"{job.gemeente}.html")
            b = visible_text(fast_out / plan.folder.name / job.html)
            if a == b:
                same += 1
            else:
                ok = False
                print(f"  DIFFERENT text for {job.gemeente}:\n    {first_difference(a, b)}")
        print(f"same report text: {same} of {len(codes)}")

    if args.synthetic:
        from socvit.sample import write_sample

        data_dir = WORK / f"synthetic{args.synthetic}"
        t0 = time.perf_counter()
        write_sample(data_dir, n_gemeenten=args.synthetic, scale=args.scale)
        print(f"synthetic sample with {args.synthetic} gemeenten (scale {args.scale:g}) written in "
              f"{time.perf_counter() - t0:.1f} s")
        res = run_reports(data_dir / "panel.parquet", codebook=SAMPLE_DIR / "codebook.yaml",
                          jobs=args.jobs, out=WORK / "synthetic-out", progress=False)
        n = res.made
        print(f"{args.synthetic} synthetic gemeenten --jobs {args.jobs}: {res.seconds:.1f} s, {n} made, "
              f"{len(res.failed)} failed: {60 * n / res.seconds:.1f} reports/minute "
              f"(median {median(o.seconds for o in res.outcomes):.1f} s a report in a warm kernel)")
        ok = ok and res.exit_code == 0
        for o in res.failed[:3]:
            print(f"  failed {o.gemeente}: {(o.error or '').strip().splitlines()[-1:]}")
    print(f"load average {os.getloadavg()[0]:.1f} at the end")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
