"""Issue 14, runner hardening: clear errors, never a traceback.

Output folders that are files or cannot be written, a full disk while the manifest is
written, ``--data`` that is a folder, a truncated .sav, a 3,000-character gemeente name and
control characters in names, a Chromium that hangs while printing, a caller that imported
nbformat first, all-zero weights in ``regression.fit``.
"""

from __future__ import annotations

import errno
import json
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import nbformat
import numpy as np
import pandas as pd
import pytest

import socvit as sv
from socvit.cli import main
from socvit.errors import DataError
from socvit.runner import _run, plan_reports, run_reports
from socvit.runner import _render as render

FIX = Path(__file__).resolve().parent / "fixtures"
STAND_IN = FIX / "stand_in_report.ipynb"
LIGHT = ("matplotlib.pyplot",)


@pytest.fixture()
def panel(tmp_path):
    d = tmp_path / "panel"
    d.mkdir()
    rows = ["resp_id,golf,gemeente,kern"] + [f"R{i},2023,{c},Dorp" for i, c in
                                             enumerate(["GM1979"] * 3 + ["GM0014"] * 3)]
    (d / "panel.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    (d / "codebook.yaml").write_bytes((sv.io.SAMPLE_DIR / "codebook.yaml").read_bytes())
    return d / "panel.csv"


class _NoKernel:
    def __init__(self, *a, **k):
        raise AssertionError("a kernel was started")


# ---------------------------------------------------------------------------------------
# the output folder


def test_out_that_is_a_file_or_lies_under_one(panel, tmp_path, monkeypatch, capsys):
    monkeypatch.setattr("socvit.runner._kernels.KernelWorker", _NoKernel)
    afile = tmp_path / "rapporten.txt"
    afile.write_text("geen map")
    with pytest.raises(DataError, match=r"--out .*rapporten.txt is a file, not a folder"):
        run_reports(panel, out=afile, progress=False)
    code = main(["reports", "--data", str(panel), "--out", str(afile / "sub")])
    err = capsys.readouterr().err
    assert code == 2 and "cannot be made or written to" in err and "Traceback" not in err
    assert afile.read_text() == "geen map"


def test_out_that_cannot_be_written(panel, tmp_path, monkeypatch):
    """As root a read-only folder is writable, so the refusal is simulated where socvit
    first writes: the probe file in <out>/.socvit."""
    monkeypatch.setattr("socvit.runner._kernels.KernelWorker", _NoKernel)

    def refuse(self, data):
        raise PermissionError(errno.EACCES, "Permission denied", str(self))

    monkeypatch.setattr(Path, "write_bytes", refuse)
    with pytest.raises(DataError, match=r"output folder .* cannot be made or written to "
                                        r"\(Permission denied\)\. Give a folder you can write"):
        run_reports(panel, out=tmp_path / "out", progress=False)


def test_full_disk_while_writing_the_manifest_is_a_clear_error(tmp_path, monkeypatch):
    folder = tmp_path / "2023"
    folder.mkdir()
    (folder / "manifest.json").write_text('{"golf": 2023, "reports": {}}')

    def full(path, content):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(_run, "atomic_write", full)
    with pytest.raises(DataError, match=r"could not be written: No space left on device \(errno "
                                        r"28\)\. The reports written so far are whole"):
        _run._write_manifest(folder, {"golf": 2023, "reports": {"x": 1}}, tmp_path)
    assert json.loads((folder / "manifest.json").read_text()) == {"golf": 2023, "reports": {}}


# ---------------------------------------------------------------------------------------
# the data


def test_data_that_is_a_folder(panel, capsys):
    with pytest.raises(DataError, match=r"--data .* is a folder, not a panel file.*panel\.csv"):
        plan_reports(panel.parent)
    assert main(["reports", "--data", str(panel.parent)]) == 2
    assert "is a folder" in capsys.readouterr().err


def test_truncated_sav_is_a_clear_error(tmp_path, capsys):
    sav = sv.io.write_panel(sv.load_sample(), tmp_path / "panel.sav")
    sav.write_bytes(sav.read_bytes()[: sav.stat().st_size // 3])
    with pytest.raises(DataError, match=r"panel.sav cannot be read \(ReadstatError: .*export it "
                                        r"again"):
        plan_reports(sav, codebook=sv.io.SAMPLE_DIR / "codebook.yaml", out=tmp_path / "out")
    code = main(["reports", "--data", str(sav), "--codebook",
                 str(sv.io.SAMPLE_DIR / "codebook.yaml"), "--out", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert code == 2 and "ReadstatError" in err and "Traceback" not in err


# ---------------------------------------------------------------------------------------
# names: long ones and ones with control characters (a registry file beside the data)


def test_long_names_and_control_characters(tmp_path):
    """In a subprocess: the registry of gemeenten is global to a process. A 3,000-character
    name gives a short unique file name; a name with a line break is refused at planning."""
    d = tmp_path / "eigen"
    d.mkdir()
    long = "Zuid" + "erwoude" * 430           # 3,014 characters
    (d / "gemeenten.csv").write_text(
        "code,name,begin,province\n"
        f"GM9801,{long},2017,Groningen\n"
        f'GM9802,"{long}x",2017,Groningen\n'
        'GM9803,"Nieuw\nDorp\x07",2017,Groningen\n', encoding="utf-8")
    rows = ["resp_id,golf,gemeente,kern"] + [f"R{i},2023,GM98{i % 3 + 1:02d},Dorp" for i in range(9)]
    (d / "panel.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    (d / "codebook.yaml").write_bytes((sv.io.SAMPLE_DIR / "codebook.yaml").read_bytes())
    code = textwrap.dedent(f"""
        import json, sys
        from socvit.errors import DataError
        from socvit.runner import run_reports
        try:
            run_reports({str(d / 'panel.csv')!r}, out={str(tmp_path / 'out')!r}, progress=False)
        except DataError as exc:
            refused = str(exc)
        r = run_reports({str(d / 'panel.csv')!r}, gemeenten=["GM9801", "GM9802"],
                        out={str(tmp_path / 'out')!r}, jobs=1, notebook={str(STAND_IN)!r},
                        preload=("matplotlib.pyplot",), progress=True)
        print(json.dumps({{"refused": refused, "status": [o.status for o in r.outcomes],
                           "summary": r.summary()}}))
    """)
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr[-3000:]
    got = json.loads(proc.stdout.strip().splitlines()[-1])
    assert got["refused"].startswith("The name of gemeente GM9803 in ")
    assert "gemeenten.csv holds a line break or control character ('Nieuw\\nDorp\\x07')" in got["refused"]
    assert got["status"] == ["ok", "ok"]
    files = sorted(p.name for p in (tmp_path / "out" / "2023").glob("*.html"))
    assert len(files) == 2 and all(len(f) <= 80 for f in files)
    assert files[0].startswith("GM9801-zuiderwoude") and files[1].startswith("GM9802-zuiderwoude")
    bar = [ln for ln in proc.stderr.replace("\r", "\n").splitlines() if "socvit reports" in ln]
    assert bar and max(len(ln) for ln in bar) < 300          # the bar shows a cut name
    page = (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
    assert long in page                                     # the index keeps the whole name


def test_pages_carry_no_control_characters():
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x")])
    nb.cells[0].outputs = [nbformat.v4.new_output(
        "display_data", data={"text/markdown": "# Sociale vitaliteit in Nieuw\x07Dorp\x1b"})]
    page = render.notebook_to_html(nb, title="Nieuw\x07Dorp")
    assert "\x07" not in page and "\x1b" not in page and "NieuwDorp" in page
    index = render.index_html([{"dir": "2023", "golf": 2023, "reports": {"GM9803": {
        "gemeente": "GM9803", "naam": "Nieuw\x07Dorp", "status": "ok", "file": "a.html"}}}])
    assert "\x07" not in index


def test_one_line_and_slug():
    assert _run.one_line("Nieuw\nDorp\x07\u2028 ") == "Nieuw Dorp"
    a, b = render.slug("ab" * 2000, max_len=60), render.slug("ab" * 2000 + "c", max_len=60)
    assert len(a) == len(b) == 60 and a != b


# ---------------------------------------------------------------------------------------
# the processes: Chromium that hangs, nbformat imported by the caller


def test_a_hanging_chromium_is_killed_with_its_whole_process_group(tmp_path):
    """A stand-in browser that starts a helper and never answers on the pipe."""
    from socvit.runner._chromium import print_pdf

    pids = tmp_path / "pids"
    fake = tmp_path / "chromium"
    fake.write_text(f"#!/bin/sh\nsleep 300 &\necho $$ $! > {pids}\nsleep 300\n")
    fake.chmod(0o755)
    t0 = time.monotonic()
    with pytest.raises(RuntimeError, match=r"Chromium took longer than 2 s .*stopped with all "
                                           r"its processes"):
        print_pdf(str(fake), "about:blank", {}, timeout=2)
    assert time.monotonic() - t0 < 15
    for pid in map(int, pids.read_text().split()):
        stat = Path(f"/proc/{pid}/stat")
        deadline = time.monotonic() + 5
        while stat.exists() and ") Z " not in stat.read_text() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not stat.exists() or ") Z " in stat.read_text(), f"process {pid} still runs"


@pytest.mark.slow
def test_run_reports_after_the_caller_imported_nbformat(panel, tmp_path):
    code = textwrap.dedent(f"""
        import nbformat, nbformat.validator, sys
        from socvit.runner import run_reports
        r = run_reports({str(panel)!r}, out={str(tmp_path / 'out')!r}, jobs=2,
                        notebook={str(STAND_IN)!r}, preload=("matplotlib.pyplot",), progress=False)
        print(r.summary())
        sys.exit(r.exit_code)
    """)
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120, cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr[-3000:]
    assert "2 made" in proc.stdout


# ---------------------------------------------------------------------------------------
# the library: all-zero weights


@pytest.mark.parametrize("kind", ["ols", "logit"])
def test_all_zero_weights_in_regression_fit_are_a_data_error(kind):
    rng = np.random.default_rng(1)
    df = pd.DataFrame({"x": rng.normal(size=40), "w": 0.0})
    df["y"] = (df["x"] + rng.normal(size=40) > 0).astype(float)
    with pytest.raises(DataError, match="weights are all zero"):
        sv.regression.fit("y ~ x", df, kind=kind, weights="w")
