"""Benchmark of the report's figure export: PNG against SVG with text kept as text.

    .venv/bin/python benchmarks/bench_figures.py                 # GM1979, 2023, 7 rounds
    .venv/bin/python benchmarks/bench_figures.py --repeat 15 --gemeente Eemsdelta

The figures are those of one sample report (the sections of
``socvit.report.prepare(gemeente, golf)``), made afresh for every round and format, so each
export draws a never-drawn figure, as a report does (making the sections is not timed). After
one warm-up round (fonts and writers loaded, as in the runner's warm kernels) each format
exports every figure ``--repeat`` times; the script prints per figure the median time and
size, the report's total (sum of the medians) and the ratio SVG / PNG.

Formats:

* ``png``: ``Figure.savefig(format="png")`` at the report's resolution (what the report
  embedded before SVG; public matplotlib API only);
* ``svg``: :func:`socvit.report._figures.to_svg` (``svg.fonttype="none"``: text stays text,
  no glyph outlines; a fixed ``svg.hashsalt`` and no date, so the output is deterministic);
* ``png-private`` (only when run against an older socvit that still has it):
  ``plots.to_png``, which drew text through matplotlib's private renderer methods.
"""

from __future__ import annotations

import argparse
import sys
import time
from io import BytesIO
from pathlib import Path
from statistics import median

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import socvit as sv  # noqa: E402
from socvit import report  # noqa: E402

SECTIONS = ("titel", "respons", "kerncijfers", "organisatiekracht", "uitspraken",
            "ondersteuning", "inzet", "trends", "verantwoording")


def report_figures(r) -> list:
    """The report's figures, not yet drawn."""
    return [part for name in SECTIONS for kind, part in getattr(report, name)(r).parts
            if kind == "fig"]


def exporters() -> dict:
    out = {}
    try:
        from socvit.report import _figures
    except ImportError:                      # an older socvit: the same calls, written out
        _figures = None

    def png(fig):
        buf = BytesIO()
        fig.savefig(buf, format="png", dpi=100, pil_kwargs={"compress_level": 1})
        return buf.getvalue()
    out["png"] = _figures.to_png if _figures and hasattr(_figures, "to_png") else png

    def svg(fig):
        import matplotlib as mpl
        buf = BytesIO()
        with mpl.rc_context({"svg.fonttype": "none", "svg.hashsalt": "socvit"}):
            fig.savefig(buf, format="svg", metadata={"Date": None})
        return buf.getvalue()
    out["svg"] = _figures.to_svg if _figures else svg
    if hasattr(sv.plots, "_text_renderer_class"):
        out["png-private"] = sv.plots.to_png
    return out


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--gemeente", default="GM1979")
    ap.add_argument("--golf", type=int, default=2023)
    ap.add_argument("--repeat", type=int, default=7)
    args = ap.parse_args(argv)

    sv.plots.set_theme()
    r = report.prepare(args.gemeente, args.golf)
    n_figs = len(report_figures(r))
    funcs = exporters()
    times = {name: [[] for _ in range(n_figs)] for name in funcs}
    sizes = {name: [0] * n_figs for name in funcs}
    for rnd in range(args.repeat + 1):       # round 0: warm-up, not counted
        for name, func in funcs.items():
            for i, fig in enumerate(report_figures(r)):
                t0 = time.perf_counter()
                data = func(fig)
                dt = time.perf_counter() - t0
                if rnd:
                    times[name][i].append(dt)
                    sizes[name][i] = len(data)

    names = list(funcs)
    print(f"{n_figs} figures of the {args.gemeente} {args.golf} report, median of "
          f"{args.repeat} rounds after a warm-up (ms; size in kB)")
    print("figure " + "".join(f"{n:>22}" for n in names))
    totals = {n: 0.0 for n in names}
    for i in range(n_figs):
        row = []
        for n in names:
            m = median(times[n][i])
            totals[n] += m
            row.append(f"{m * 1000:9.1f} ms {sizes[n][i] / 1024:7.1f} kB")
        print(f"{i + 1:>6} " + "".join(f"{c:>22}" for c in row))
    print("total  " + "".join(f"{totals[n] * 1000:9.1f} ms {sum(sizes[n]) / 1024:7.1f} kB"
                              .rjust(22) for n in names))
    for n in names:
        if n != "png":
            print(f"{n} / png: time {totals[n] / totals['png']:.2f}, "
                  f"size {sum(sizes[n]) / sum(sizes['png']):.2f}")


if __name__ == "__main__":
    main()
