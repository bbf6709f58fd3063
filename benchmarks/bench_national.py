"""Benchmark of `socvit reports` on a national synthetic panel: throughput and kernel memory.

    .venv/bin/python benchmarks/bench_national.py                    # 100 reports, --jobs 2
    .venv/bin/python benchmarks/bench_national.py --reports 0        # all 342 gemeenten
    .venv/bin/python benchmarks/bench_national.py --baseline 0058ce9 # also a checkout of that commit

The panel: `socvit sample --scale 75 --gemeenten 342` (342 synthetic gemeenten as the
Netherlands has since 2023, 990,180 rows over four waves, parquet, the sample's codebook
beside it), written once to benchmarks/_work/national/data/ (not committed; --regenerate
makes it again). The command `socvit reports --data .../panel.parquet --jobs 2 --force` for
the first N gemeenten of the latest wave (or all), timed from the outside with Python's
start-up included. Printed: wall time, reports a minute, the median seconds a report took in
a warm kernel (from the manifest), and the peak resident memory (VmHWM) of every kernel
process, read from /proc every 0.2 s while the command runs (psutil finds the kernels among
the command's child processes).

With --baseline REF the same command runs a second time with socvit taken from `git archive
REF` (PYTHONPATH, which the kernels inherit), in the same session, so both numbers share the
machine's load. Goal (issue 14): at least 60 reports a minute on 2 cores, every kernel under
1 GB.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tarfile
import threading
import time
from pathlib import Path
from statistics import median

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "benchmarks" / "_work" / "national"
DATA = WORK / "data"
BIN = Path(sys.executable).parent
GEMEENTEN = 342
SCALE = 75


def make_panel(regenerate: bool) -> Path:
    """The national synthetic panel (cached), with the sample's codebook beside it."""
    panel = DATA / "panel.parquet"
    if regenerate or not panel.exists():
        if DATA.exists():
            shutil.rmtree(DATA)
        subprocess.run([str(BIN / "socvit"), "sample", "--out", str(DATA), "--scale", str(SCALE),
                        "--gemeenten", str(GEMEENTEN)], check=True, cwd=ROOT)
        (DATA / "panel.csv").unlink()             # only the parquet file is used
    shutil.copyfile(ROOT / "socvit" / "data" / "sample" / "codebook.yaml", DATA / "codebook.yaml")
    return panel


class KernelMemory(threading.Thread):
    """Samples the peak resident memory (VmHWM) of the ipykernel processes below ``pid``."""

    def __init__(self, pid: int, every: float = 0.2):
        super().__init__(daemon=True)
        self.pid, self.every = pid, every
        self.peak: dict = {}           # kernel pid -> MB
        self.done = threading.Event()

    def run(self):
        import psutil
        try:
            root = psutil.Process(self.pid)
        except psutil.Error:
            return
        while not self.done.is_set():
            try:
                children = root.children(recursive=True)
            except psutil.Error:
                break
            for child in children:
                try:
                    if "ipykernel" not in " ".join(child.cmdline()):
                        continue
                    with open(f"/proc/{child.pid}/status") as fh:
                        hwm = next(int(line.split()[1]) for line in fh if line.startswith("VmHWM:"))
                    self.peak[child.pid] = max(self.peak.get(child.pid, 0), hwm / 1024)
                except (psutil.Error, OSError, StopIteration):
                    pass
            time.sleep(self.every)


def run(codes, jobs: int, out: Path, env: dict) -> dict:
    """One `socvit reports` run: wall time, reports made, manifest seconds, kernel peaks."""
    if out.exists():
        shutil.rmtree(out)
    cmd = [str(BIN / "python"), "-m", "socvit.cli", "reports", "--data",
           str(DATA / "panel.parquet"), "--jobs", str(jobs), "--force", "--out", str(out)]
    cmd += ["--gemeente", *codes] if codes else ["--all"]
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    mem = KernelMemory(proc.pid)
    mem.start()
    stdout, stderr = proc.communicate()
    wall = time.perf_counter() - t0
    mem.done.set()
    mem.join()
    if proc.returncode != 0:
        print(stdout[-2000:], stderr[-3000:])
    manifests = list(out.glob("*/manifest.json"))
    entries = []
    if manifests:
        entries = list(json.loads(manifests[0].read_text(encoding="utf-8"))["reports"].values())
    made = [e for e in entries if e.get("status", "ok") == "ok"]
    return {"wall": wall, "made": len(made), "asked": len(codes) if codes else len(entries),
            "median": median(e["seconds"] for e in made) if made else float("nan"),
            "kernels": sorted(mem.peak.values(), reverse=True), "said": stdout.strip()[:300]}


def show(name: str, res: dict) -> None:
    rate = res["made"] / res["wall"] * 60
    kernels = ", ".join(f"{mb:.0f} MB" for mb in res["kernels"]) or "not sampled"
    print(f"{name}: {res['made']} of {res['asked']} reports in {res['wall']:.1f} s = "
          f"{rate:.1f} reports a minute; median {res['median']:.2f} s a report in a warm "
          f"kernel; kernel peak memory (VmHWM): {kernels}")


def baseline_env(ref: str) -> dict:
    """An environment whose Python (and kernels) import socvit from ``git archive ref``."""
    dest = WORK / f"socvit-{ref}"
    if not dest.exists():
        dest.mkdir(parents=True)
        archive = subprocess.run(["git", "archive", ref, "socvit"], cwd=ROOT, check=True,
                                 capture_output=True).stdout
        tar = dest / "src.tar"
        tar.write_bytes(archive)
        with tarfile.open(tar) as fh:
            fh.extractall(dest, filter="data")
        tar.unlink()
    env = _env()
    env["PYTHONPATH"] = str(dest)
    return env


def _env() -> dict:
    return {k: v for k, v in os.environ.items() if k not in ("MPLBACKEND", "PYTHONPATH")}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--reports", type=int, default=100,
                    help="the first N gemeenten of the wave (0: all 342)")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--baseline", metavar="REF", default=None,
                    help="also run socvit of this git commit (e.g. one before the change)")
    ap.add_argument("--regenerate", action="store_true", help="write the panel again")
    args = ap.parse_args(argv)
    os.chdir(ROOT)
    make_panel(args.regenerate)
    codes = [f"GM{9000 + i:04d}" for i in range(1, GEMEENTEN + 1)][: args.reports or None]
    codes = codes if args.reports else []
    print(f"machine: {os.cpu_count()} cores; load average {os.getloadavg()[0]:.1f} at the start")
    print(f"panel: {DATA / 'panel.parquet'} ({(DATA / 'panel.parquet').stat().st_size / 1e6:.1f} MB), "
          f"{len(codes) or GEMEENTEN} reports, --jobs {args.jobs}")
    show("socvit reports (this checkout)", run(codes, args.jobs, WORK / "out", _env()))
    if args.baseline:
        show(f"socvit reports (git {args.baseline})",
             run(codes, args.jobs, WORK / "out-baseline", baseline_env(args.baseline)))
    print(f"load average {os.getloadavg()[0]:.1f} at the end")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
