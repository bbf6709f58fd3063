"""Issue 14, runner hardening: no good report is lost, and nothing under the output folder
holds a respondent id or an answer.

* bad parameters stop the run before any kernel starts, reports untouched;
* a report whose remake fails keeps its earlier file, marked stale (manifest and index);
* SIGTERM during ``--force`` leaves every report and a manifest that tells the truth;
* one run at a time per output folder; one run's clean-up keeps another's temporary files;
* the data version each kernel read is recorded per report, the index lists every file;
* invalid data fail the run once, before any report, with a validation report that names
  file, row and column only; errors in kernels are just as discreet.

Small notebooks written by the tests stand in for the report (the contract of
``socvit/report/gemeente_rapport.ipynb``: a ``parameters`` cell, the headline as the last
output); the panel is the tiny CSV of ``tests/test_report.py``.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pandas as pd
import pytest

import socvit as sv
from socvit._files import folder_lock, remove_stale_temp
from socvit.cli import main
from socvit.errors import DataError
from socvit.runner import _run, run_reports

LIGHT = ("matplotlib.pyplot",)      # quick kernels: these notebooks need little
ROWS = {2017: ["GM0003", "GM0010", "GM1651"], 2023: ["GM1979", "GM0014"]}
PARAMS = ('gemeente = "GM1979"\ngolf = 2023\nindeling = None\ndata = None\ncodebook = None\n'
          'min_n = 10\nwarn_n = 30\ncompare_to = "provincie"\n')
HEADLINE = ('from IPython.display import display\n'
            'display({"application/vnd.socvit.headline+json": {"gemeente": gemeente, '
            '"naam": gemeente, "golf": golf, "n": 50}}, raw=True)')


def notebook(path: Path, *cells: str) -> Path:
    """A report stand-in: the parameters cell, ``cells``, then the headline."""
    params = nbformat.v4.new_code_cell(PARAMS)
    params.metadata["tags"] = ["parameters"]
    body = [nbformat.v4.new_code_cell(c) for c in cells]
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# Stand-in"), params,
                                         *body, nbformat.v4.new_code_cell(HEADLINE)])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, path)
    return path


@pytest.fixture()
def panel(tmp_path):
    lines = ["resp_id,golf,gemeente,kern"]
    i = 0
    for golf, codes in ROWS.items():
        for c in codes:
            for _ in range(3):
                i += 1
                lines.append(f"R{i:04d},{golf},{c},Dorp {i % 2}")
    d = tmp_path / "panel"
    d.mkdir()
    (d / "panel.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (d / "codebook.yaml").write_bytes((sv.io.SAMPLE_DIR / "codebook.yaml").read_bytes())
    return d / "panel.csv"


def manifest(out: Path, golf=2023) -> dict:
    return json.loads((out / str(golf) / "manifest.json").read_text(encoding="utf-8"))


class _NoKernel:
    def __init__(self, *a, **k):
        raise AssertionError("a kernel was started")


# ---------------------------------------------------------------------------------------
# parameters are checked before any kernel starts; reports are not touched


@pytest.mark.parametrize("kw,words", [
    (dict(min_n=0), "--min-n must be a whole number of respondents of at least 1, not 0"),
    (dict(min_n=-5), "not -5"),
    (dict(min_n=50), "--min-n 50 with the default --warn-n 30"),
    (dict(min_n=50, warn_n=30), "--min-n 50 and --warn-n 30: --min-n must not exceed --warn-n"),
    (dict(warn_n=2.5), "--warn-n must be a whole number"),
    (dict(formats="html,doc"), "Unknown report format doc"),
    (dict(timeout=0), "--timeout must be a number of seconds above 0"),
    (dict(timeout="lang"), "--timeout must be a number"),
    (dict(jobs=0), "--jobs must be a whole number of at least 1"),
    (dict(compare_to="Nergensland"), "compare_to 'Nergensland' is not 'provincie', a region"),
    (dict(compare_to=["Groningen", "Atlantis"]), "Unknown gemeente 'Atlantis'"),
    (dict(compare_to=[]), "non-empty list of gemeenten"),
])
def test_bad_parameters_stop_before_any_kernel_and_keep_the_reports(panel, tmp_path,
                                                                   monkeypatch, kw, words):
    out = tmp_path / "out"
    report = out / "2023" / "GM1979-eemsdelta.html"
    report.parent.mkdir(parents=True)
    report.write_text("<html>goed rapport</html>", encoding="utf-8")
    monkeypatch.setattr("socvit.runner._kernels.KernelWorker", _NoKernel)
    with pytest.raises(DataError, match=re.escape(words)):
        run_reports(panel, out=out, progress=False, force=True, **kw)
    assert report.read_text(encoding="utf-8") == "<html>goed rapport</html>"
    assert sorted(p.name for p in report.parent.iterdir()) == ["GM1979-eemsdelta.html"]


def test_cli_bad_parameters_exit_2_with_one_paragraph(panel, tmp_path, capsys, monkeypatch):
    monkeypatch.setattr("socvit.runner._kernels.KernelWorker", _NoKernel)
    for args, words in ((["--min-n", "0"], "at least 1, not 0"),
                        (["--min-n", "50", "--warn-n", "30"], "must not exceed --warn-n"),
                        (["--timeout", "-1"], "--timeout must be a number of seconds above 0")):
        code = main(["reports", "--data", str(panel), "--out", str(tmp_path / "o"), *args])
        err = capsys.readouterr().err
        assert code == 2 and words in err and "Traceback" not in err
        assert err.startswith("socvit reports: ") and err.count("\n") == 1
    assert not (tmp_path / "o" / "2023").exists()


# ---------------------------------------------------------------------------------------
# never lose a good report


@pytest.mark.slow
def test_a_failed_remake_keeps_the_good_report_marked_stale(panel, tmp_path):
    nb = notebook(tmp_path / "nb.ipynb",
                  'if min_n == 5:\n    raise RuntimeError("kapot bij min_n 5")\n'
                  'from IPython.display import Markdown, display\n'
                  'display(Markdown(f"Rapport {gemeente} met min_n {min_n}"))')
    out = tmp_path / "out"
    kw = dict(gemeenten=["Eemsdelta"], out=out, notebook=nb, jobs=1, progress=False, preload=LIGHT)
    first = run_reports(panel, **kw)
    assert first.exit_code == 0
    html = out / "2023" / "GM1979-eemsdelta.html"
    good = html.read_bytes()

    again = run_reports(panel, min_n=5, **kw)
    assert again.exit_code == 1 and again.outcomes[0].status == "failed"
    assert html.read_bytes() == good                          # not deleted, not replaced
    e = manifest(out)["reports"]["GM1979"]
    assert e["status"] == "stale" and e["file"] == html.name and e["stamp"] is None
    assert "kapot bij min_n 5" in e["error"] and e["headline"]["n"] == 50
    assert e["parameters"].get("min_n") is None               # what the kept report was made with
    page = (out / "index.html").read_text(encoding="utf-8")
    assert 'href="2023/GM1979-eemsdelta.html"' in page and "verouderd: opnieuw maken mislukt" in page
    text = again.summary()
    assert "FAILED Eemsdelta (GM1979): RuntimeError: kapot bij min_n 5" in text
    assert "earlier report is kept" in text

    fixed = run_reports(panel, **kw)                          # stale is never "up to date"
    assert fixed.outcomes[0].status == "ok"
    assert manifest(out)["reports"]["GM1979"]["status"] == "ok"
    assert "verouderd:" not in (out / "index.html").read_text(encoding="utf-8")


@pytest.mark.slow
def test_failed_notebooks_of_earlier_versions_move_to_the_private_folder(panel, tmp_path):
    out = tmp_path / "out"
    legacy = out / "2023" / "failed"
    legacy.mkdir(parents=True)
    (legacy / "GM0765-pekela.ipynb").write_text("{}")
    nb = notebook(tmp_path / "nb.ipynb", "pass")
    run_reports(panel, gemeenten=["Eemsdelta"], out=out, notebook=nb, jobs=1, progress=False,
                preload=LIGHT)
    assert not legacy.exists()
    assert (out / ".socvit" / "failed" / "2023" / "GM0765-pekela.ipynb").read_text() == "{}"


def test_manifest_never_says_ok_for_a_missing_file(tmp_path):
    folder = tmp_path / "2023"
    folder.mkdir()
    (folder / "GM0014-groningen.html").write_text("<html></html>")
    entries = {"GM1979": {"status": "ok", "file": "GM1979-eemsdelta.html", "pdf": "x.pdf"},
               "GM0014": {"status": "ok", "file": "GM0014-groningen.html", "pdf": "y.pdf"}}
    _run._check_entries(folder, entries)
    assert entries["GM1979"]["status"] == "missing" and entries["GM1979"]["file"] is None
    assert entries["GM0014"]["status"] == "ok" and entries["GM0014"]["pdf"] is None
    page = _run.index_html([{"dir": "2023", "golf": 2023, "reports": entries}])
    assert "rapport ontbreekt" in page and "GM1979-eemsdelta.html" not in page


@pytest.mark.slow
def test_sigterm_during_force_keeps_every_report_and_a_true_manifest(panel, tmp_path):
    nb = notebook(tmp_path / "slow.ipynb", "import time\ntime.sleep(1.0)")
    out = tmp_path / "out"
    kw = dict(golf=2017, out=out, notebook=nb, jobs=1, progress=False, preload=LIGHT)
    assert run_reports(panel, **kw).exit_code == 0
    folder = out / "2017"
    before = {p.name: p.read_bytes() for p in folder.glob("*.html")}
    assert len(before) == 3
    code = ("import sys\nfrom socvit.runner import run_reports\n"
            "try:\n"
            f"    run_reports({str(panel)!r}, force=True, golf=2017, out={str(out)!r}, "
            f"notebook={str(nb)!r}, jobs=1, progress=False, preload={LIGHT!r})\n"
            "except KeyboardInterrupt:\n    sys.exit(143)\n")
    proc = subprocess.Popen([sys.executable, "-c", code], cwd=tmp_path,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    first = folder / sorted(before)[0]
    t0 = first.stat().st_mtime_ns
    deadline = time.monotonic() + 60
    try:      # wait until the forced run has remade one report and works on the next
        while time.monotonic() < deadline and all(
                p.stat().st_mtime_ns == t0 for p in [first]):
            assert proc.poll() is None, proc.stderr.read()
            time.sleep(0.05)
        time.sleep(0.4)
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 143, proc.stderr.read()
    assert sorted(p.name for p in folder.glob("*.html")) == sorted(before)   # none deleted
    for p in folder.glob("*.html"):
        assert p.read_text(encoding="utf-8").rstrip().endswith("</html>")
    assert not [p for p in folder.iterdir() if p.name.endswith(".tmp")]
    for e in manifest(out, 2017)["reports"].values():
        assert e["status"] == "ok" and (folder / e["file"]).exists()
    assert not list(out.rglob("*.ipynb"))         # an interrupted report is not a failed one


# ---------------------------------------------------------------------------------------
# one run per output folder


def test_a_second_run_into_the_same_folder_stops_naming_the_first(panel, tmp_path, monkeypatch):
    out = tmp_path / "out"
    monkeypatch.setattr(_run, "_LOCK_WAIT", 0.3)
    monkeypatch.setattr("socvit.runner._kernels.KernelWorker", _NoKernel)
    with folder_lock(out):
        with pytest.raises(DataError, match=rf"Another socvit reports run \(pid {os.getpid()}, "
                                            rf"started .*\) is writing to {re.escape(str(out))}"):
            run_reports(panel, out=out, progress=False)
    assert not (out / "2023").exists()


def test_clean_up_keeps_the_temporary_files_of_a_running_process(tmp_path):
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    alive = os.getppid()                              # pytest's parent: running
    (tmp_path / f".a.html.{alive}-x1.tmp").write_text("in progress")
    (tmp_path / f".b.html.{dead.pid}-x2.tmp").write_text("left behind")
    (tmp_path / f".c.html.{os.getpid()}-x3.tmp").write_text("our own, interrupted")
    assert remove_stale_temp(tmp_path) == 2
    assert [p.name for p in tmp_path.iterdir()] == [f".a.html.{alive}-x1.tmp"]


# ---------------------------------------------------------------------------------------
# the data each kernel read


@pytest.mark.slow
def test_data_changed_during_a_run_is_recorded_per_report(panel, tmp_path):
    # the first report (Eemsdelta) changes the panel file while it runs
    nb = notebook(tmp_path / "change.ipynb",
                  'if gemeente == "GM1979":\n'
                  '    with open(data, "a") as fh:\n'
                  '        fh.write("R9999,2023,GM0014,Dorp 1\\n")\n')
    planned = sv._files.sha256_file(panel)
    out = tmp_path / "out"
    res = run_reports(panel, out=out, notebook=nb, jobs=1, progress=False, preload=LIGHT)
    assert [o.gemeente for o in res.outcomes] == ["GM1979", "GM0014"]
    changed = sv._files.sha256_file(panel)
    reps = manifest(out)["reports"]
    assert reps["GM1979"]["data_sha256"] is None and reps["GM1979"]["stamp"] is None
    assert "changed while this report was made" in reps["GM1979"]["note"]
    assert reps["GM0014"]["data_sha256"] == changed != planned   # it read the new file
    page = (out / "index.html").read_text(encoding="utf-8")
    assert changed[:12] in page and planned[:12] not in page
    # the next run remakes Eemsdelta (version unknown) and keeps Groningen (made from this file)
    again = run_reports(panel, out=out, notebook=nb, jobs=1, progress=False, preload=LIGHT)
    assert {o.gemeente: o.status for o in again.outcomes}["GM0014"] == "skipped"


@pytest.mark.slow
def test_index_shows_each_data_file_of_a_folder(panel, tmp_path):
    nb = notebook(tmp_path / "nb.ipynb", "pass")
    other = panel.parent / "panel2.csv"
    other.write_text(panel.read_text() + "R8888,2023,GM1979,Dorp 0\n")
    out = tmp_path / "out"
    kw = dict(out=out, notebook=nb, jobs=1, progress=False, preload=LIGHT)
    run_reports(panel, gemeenten=["Eemsdelta"], codebook=panel.parent / "codebook.yaml", **kw)
    run_reports(other, gemeenten=["Groningen"], codebook=panel.parent / "codebook.yaml", **kw)
    page = (out / "index.html").read_text(encoding="utf-8")
    for f in (panel, other):
        assert re.search(rf"gegevensbestand {f.name} sha256 {sv._files.sha256_file(f)[:12]}… "
                         rf"\(1 rapport\)", page)


# ---------------------------------------------------------------------------------------
# ids and answers stay out of the output folder; the data are validated once


def _bad_sample(tmp_path) -> Path:
    raw = pd.read_csv(sv.io.SAMPLE_DIR / "panel.csv", dtype=str, keep_default_na=False)
    raw.loc[10, "bet_1"] = "7"
    d = tmp_path / "bad"
    d.mkdir()
    raw.to_csv(d / "panel.csv", index=False)
    for name in ("codebook.yaml", "bevolking.csv"):
        (d / name).write_bytes((sv.io.SAMPLE_DIR / name).read_bytes())
    return d / "panel.csv"


def _everything_under(out: Path) -> str:
    return "\n".join(p.read_text(encoding="utf-8", errors="replace")
                     for p in out.rglob("*") if p.is_file())


@pytest.mark.slow
def test_invalid_data_fail_the_run_once_before_any_report(tmp_path):
    data = _bad_sample(tmp_path)
    rid = pd.read_csv(data, dtype=str).loc[10, "resp_id"]
    out = tmp_path / "out"
    (out / "2023").mkdir(parents=True)
    (out / "2023" / "GM1979-eemsdelta.html").write_text("<html>goed</html>")
    t0 = time.perf_counter()
    with pytest.raises(DataError) as err:
        run_reports(data, out=out, jobs=2, progress=False, force=True)
    assert time.perf_counter() - t0 < 60
    msg = str(err.value)
    assert "panel.csv, line 12, column bet_1: the value is not a code of bet_1" in msg
    assert "No report was started or changed" in msg
    assert rid not in msg and "'7'" not in msg
    assert (out / "2023" / "GM1979-eemsdelta.html").read_text() == "<html>goed</html>"
    assert sorted(p.name for p in (out / "2023").iterdir()) == ["GM1979-eemsdelta.html"]
    assert rid not in _everything_under(out)


@pytest.mark.slow
def test_errors_in_kernels_name_row_and_column_only(tmp_path):
    """A notebook that reads invalid data itself (validate=False): the manifest and the
    kept notebook name the row and column, never the respondent id or the answer."""
    data = _bad_sample(tmp_path)
    rid = pd.read_csv(data, dtype=str).loc[10, "resp_id"]
    nb = notebook(tmp_path / "load.ipynb", "import socvit as sv\nsv.load_panel(data)")
    out = tmp_path / "out"
    res = run_reports(data, gemeenten=["Eemsdelta"], out=out, notebook=nb, jobs=1,
                      progress=False, preload=LIGHT)
    assert res.outcomes[0].status == "failed"
    e = manifest(out)["reports"]["GM1979"]
    assert "line 12, column bet_1: the value is not a code of bet_1" in e["error"]
    assert "FAILED Eemsdelta (GM1979): DataError: panel.csv cannot be used as it is" in res.summary()
    kept = (out / "2023" / e["failed_notebook"]).resolve()
    assert kept.is_relative_to((out / ".socvit" / "failed").resolve()) and kept.exists()
    everything = _everything_under(out)
    assert rid not in everything and "value '7'" not in everything
    assert ".socvit" not in (out / "index.html").read_text(encoding="utf-8")


def test_public_error_and_error_line():
    assert _run.public_error("line 3, respondent 'R12', column x: value '7' is bad; "
                             "values [1, 2] too") == ("line 3, respondent …, column x: value … "
                                                      "is bad; values … too")
    nbclient_text = ("An error occurred while executing the following cell:\n------------------\n"
                     "raise KeyError('x')\n------------------\n\n\x1b[0;31mKeyError\x1b[0m: 'x'")
    assert _run.error_line("-------------------\n\nKeyError: 'x'") == "KeyError: 'x'"
    assert _run.error_line(nbclient_text).startswith("An error occurred")
    assert _run.error_line(None) == "unknown error"
    assert len(_run.error_line("x" * 5000)) == 300


@pytest.mark.slow
def test_validation_once_on_another_panel(tmp_path):
    """The other panel (renamed columns, a 7-point scale, a delivered weight): clean, it
    passes the run's check; one negative weight stops the run before any kernel, naming
    its own column and the row, not the respondent or the value (as load_panel says it
    on this panel in tests/test_other_panel.py, there with the id and value)."""
    sys.path.insert(0, str(Path(__file__).parent))
    import other_panel as op

    path = op.write(tmp_path / "ander")
    plan = _run.plan_reports(path, out=tmp_path / "out", golf=2023)
    _run._validate_once(plan)                                    # clean: no error
    raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    raw.loc[5, "weegfactor"] = "-1"
    raw.to_csv(path, index=False)
    with pytest.raises(DataError) as err:    # the kernels were booting: stopped, never used
        run_reports(path, out=tmp_path / "out", progress=False, validate=True, preload=LIGHT)
    msg = str(err.value)
    assert "panel.csv, line 7, column weegfactor: the value is outside the valid range" in msg
    assert raw.loc[5, "respondent"] not in msg and "'-1'" not in msg
    assert not list((tmp_path / "out").rglob("*.html"))
