"""Tests of the `socvit reports` batch runner (socvit.runner: planning, warm kernels, rendering).

The runner is tested on small stand-in notebooks in tests/fixtures/ that follow the
contract of notebooks/gemeente_rapport.ipynb (a `parameters` cell; the last output is the
headline dict with mimetype application/vnd.socvit.headline+json):

* stand_in_report.ipynb   a markdown line, a figure, and an error for Pekela (GM0765);
* isolation_report.ipynb  records what it finds of the previous report, then leaves a
                          variable, a function, rcParams, a style, a pandas option, a
                          warnings filter and an open figure behind;
* slow_report.ipynb       sleeps 1.5 s, for the kill test.

The panel is a tiny CSV (only the gemeente and wave columns matter to the runner).
"""

from __future__ import annotations

import hashlib
import html as htmlmod
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

import socvit
import socvit as sv
from socvit._files import atomic_write, remove_stale_temp, sha256_file
from socvit.errors import DataError
from socvit.runner import _render as render
from socvit.runner import plan_reports, run_reports

ROOT = Path(__file__).resolve().parent.parent
FIX = Path(__file__).resolve().parent / "fixtures"
STAND_IN = FIX / "stand_in_report.ipynb"
ISOLATION = FIX / "isolation_report.ipynb"
SLOW = FIX / "slow_report.ipynb"
LIGHT = ("matplotlib.pyplot", "pandas")  # quicker kernel start-up where warm imports do not matter

ROWS_2023 = ["GM1979", "GM0014", "GM0765", "GM0037"]          # Eemsdelta Groningen Pekela Stadskanaal
ROWS_2017 = ["GM0003", "GM0010", "GM0024", "GM1651", "GM0014"]  # Appingedam Delfzijl Loppersum Eemsmond Groningen


@pytest.fixture(scope="module")
def panel_dir(tmp_path_factory):
    d = tmp_path_factory.mktemp("panel")
    lines = ["resp_id,golf,gemeente,kern"]
    i = 0
    for golf, codes in ((2017, ROWS_2017), (2023, ROWS_2023)):
        for c in codes:
            for _ in range(3):
                i += 1
                lines.append(f"{i},{golf},{c},Dorp {i % 2}")
    (d / "panel.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (d / "codebook.yaml").write_bytes((sv.io.SAMPLE_DIR / "codebook.yaml").read_bytes())
    return d


def _body_text(path: Path) -> str:
    """The visible text of an HTML report (markup, styles, scripts and images stripped)."""
    text = path.read_text(encoding="utf-8")
    body = text[text.index("<body"):]
    body = re.sub(r"<(style|script)\b.*?</\1>", " ", body, flags=re.S)
    return re.sub(r"\s+", " ", htmlmod.unescape(re.sub(r"<[^>]+>", " ", body))).strip()


def _external_refs(text: str) -> list[str]:
    """src/href of <script> and <link> elements pointing at the network."""
    refs = []
    for tag in re.findall(r"<(?:script|link)\b[^>]*>", text, flags=re.I):
        refs += re.findall(r"""(?:src|href)\s*=\s*["']?((?:https?:)?//[^"' >]+)""", tag, flags=re.I)
    return refs


# ---------------------------------------------------------------------------------------
# parameter checks: no kernel is started


def test_unknown_gemeente_lists_valid_names_for_the_wave(panel_dir):
    with pytest.raises(DataError) as err:
        plan_reports(panel_dir / "panel.csv", ["Atlantis"], golf=2023, notebook=STAND_IN)
    msg = str(err.value)
    assert "Atlantis" in msg and "2023" in msg
    assert "Eemsdelta (GM1979)" in msg and "Het Hogeland (GM1966)" in msg
    assert "Appingedam" not in msg  # gone since 2021: not valid in the 2023 indeling


def test_gemeente_that_did_not_exist_in_the_wave_is_named(panel_dir):
    with pytest.raises(DataError) as err:
        plan_reports(panel_dir / "panel.csv", ["Appingedam"], golf=2023, notebook=STAND_IN)
    assert "Appingedam (GM0003) did not exist" in str(err.value)


def test_gemeente_without_respondents_lists_those_with(panel_dir):
    with pytest.raises(DataError) as err:
        plan_reports(panel_dir / "panel.csv", ["Veendam"], golf=2023, notebook=STAND_IN)
    msg = str(err.value)
    assert "Veendam (GM0047) has no respondents in golf 2023" in msg
    assert "Pekela (GM0765)" in msg and "Stadskanaal (GM0037)" in msg


def test_codes_stay_strings_and_are_written_as_string_literals(panel_dir):
    plan = plan_reports(panel_dir / "panel.csv", ["gm0003", "Delfzijl", "GM0003"], golf=2017,
                        notebook=STAND_IN)
    assert [j.gemeente for j in plan.jobs] == ["GM0003", "GM0010"]  # duplicates dropped
    params = plan.jobs[0].parameters
    assert params["gemeente"] == "GM0003" and isinstance(params["gemeente"], str)
    from papermill.iorw import load_notebook_node

    nb = render.parameterize(load_notebook_node(str(STAND_IN)), params)
    injected = [c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", [])]
    assert len(injected) == 1
    assert re.search(r'^gemeente = "GM0003"$', injected[0].source, flags=re.M)
    assert re.search(r"^golf = 2017$", injected[0].source, flags=re.M)
    with pytest.raises(DataError):  # the integer 3 is no gemeente code
        plan_reports(panel_dir / "panel.csv", [3], golf=2017, notebook=STAND_IN)


def test_plan_defaults_waves_and_indeling(panel_dir, tmp_path):
    plan = plan_reports(panel_dir / "panel.csv", notebook=STAND_IN, out=tmp_path)
    assert plan.golf == 2023 and plan.indeling == 2023           # latest wave, its indeling
    assert sorted(j.gemeente for j in plan.jobs) == sorted(ROWS_2023)
    assert plan.folder == tmp_path / "2023"
    assert plan.jobs[0].html == f"{plan.jobs[0].gemeente}-{render.slug(plan.jobs[0].naam)}.html"

    later = plan_reports(panel_dir / "panel.csv", golf=2017, indeling=2023, notebook=STAND_IN,
                         out=tmp_path)
    assert sorted(j.gemeente for j in later.jobs) == ["GM0014", "GM1966", "GM1979"]
    assert later.folder == tmp_path / "2017-indeling-2023"
    assert all(j.parameters["indeling"] == 2023 for j in later.jobs)

    with pytest.raises(DataError, match="waves in the file are 2017, 2023"):
        plan_reports(panel_dir / "panel.csv", golf=2019, notebook=STAND_IN)
    with pytest.raises(DataError, match="Indeling 2017 lies before golf 2023"):
        plan_reports(panel_dir / "panel.csv", golf=2023, indeling=2017, notebook=STAND_IN)
    with pytest.raises(DataError, match="Unknown report format docx"):
        plan_reports(panel_dir / "panel.csv", formats="html,docx", notebook=STAND_IN)


def test_stamp_follows_parameters_and_inputs(panel_dir, tmp_path):
    a = plan_reports(panel_dir / "panel.csv", ["Pekela"], notebook=STAND_IN).jobs[0]
    b = plan_reports(panel_dir / "panel.csv", ["Pekela"], notebook=STAND_IN).jobs[0]
    c = plan_reports(panel_dir / "panel.csv", ["Pekela"], notebook=STAND_IN, min_n=5).jobs[0]
    d = plan_reports(panel_dir / "panel.csv", ["Pekela"], notebook=SLOW).jobs[0]
    assert a.stamp == b.stamp
    assert len({a.stamp, c.stamp, d.stamp}) == 3
    changed = tmp_path / "panel.csv"
    changed.write_text((panel_dir / "panel.csv").read_text() + "999,2023,GM0765,Dorp 0\n")
    (tmp_path / "codebook.yaml").write_bytes((panel_dir / "codebook.yaml").read_bytes())
    e = plan_reports(changed, ["Pekela"], notebook=STAND_IN).jobs[0]
    assert e.stamp != a.stamp


def test_cli_reports_unknown_gemeente_exits_2_before_any_kernel(panel_dir, tmp_path, capsys):
    from socvit.cli import main

    t0 = time.perf_counter()
    code = main(["reports", "--data", str(panel_dir / "panel.csv"), "--gemeente", "GM9999",
                 "--out", str(tmp_path / "out")])
    assert code == 2
    err = capsys.readouterr().err
    assert "Unknown gemeente 'GM9999' in the indeling of 2023" in err and "Pekela (GM0765)" in err
    assert not (tmp_path / "out").exists()
    assert time.perf_counter() - t0 < 10


# ---------------------------------------------------------------------------------------
# rendering helpers


def test_pop_headline_removes_it_and_returns_the_dict():
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x")])
    nb.cells[0].outputs = [
        nbformat.v4.new_output("display_data", data={"text/plain": "zichtbaar"}),
        nbformat.v4.new_output("display_data", data={render.HEADLINE_MIMETYPE: {"n": 12, "naam": "X"}}),
    ]
    assert render.pop_headline(nb) == {"n": 12, "naam": "X"}
    assert len(nb.cells[0].outputs) == 1
    assert render.pop_headline(nb) is None


def test_dutch_number_formatting():
    assert render.fmt_number(7.64, "mark") == "7,6"
    assert render.fmt_number(6.84, "score") == "6,8"
    assert render.fmt_number(0.724, "pct") == "72%"   # pct_actief is a proportion
    assert render.fmt_number(12345, "int") == "12.345"
    assert render.fmt_number(None, "score") == "–"
    assert render.fmt_number(float("nan"), "pct") == "–"
    assert render.fmt_number("<x>", "score") == "&lt;x&gt;"


def test_index_escapes_names_and_links_only_made_reports():
    sets = [{"dir": "2023", "golf": 2023, "indeling": 2023, "reports": {
        "GM0001": {"gemeente": "GM0001", "naam": "<b>Dorp</b> & Zo", "status": "ok",
                   "file": "GM0001-dorp.html", "pdf": "GM0001-dorp.pdf",
                   "headline": {"n": 1500, "rapportcijfer": 7.64, "pct_actief": 0.724}},
        "GM0002": {"gemeente": "GM0002", "naam": "Mislukt", "status": "failed", "file": None,
                   "headline": None},
    }}]
    page = render.index_html(sets)
    assert "&lt;b&gt;Dorp&lt;/b&gt; &amp; Zo" in page and "<b>Dorp</b>" not in page
    assert 'href="2023/GM0001-dorp.html"' in page and 'href="2023/GM0001-dorp.pdf"' in page
    assert "GM0002-" not in page and "rapport mislukt" in page
    assert "7,6" in page and "72%" in page and "1.500" in page
    assert page.startswith("<!DOCTYPE html>") and 'lang="nl"' in page
    assert _external_refs(page) == []


def test_atomic_write_leaves_no_temp_and_readable_mode(tmp_path):
    target = tmp_path / "sub" / "a.html"
    atomic_write(target, "<html>één</html>")
    atomic_write(target, b"<html>twee</html>")
    assert target.read_bytes() == b"<html>twee</html>"
    assert sorted(p.name for p in target.parent.iterdir()) == ["a.html"]
    mask = os.umask(0)
    os.umask(mask)
    assert target.stat().st_mode & 0o777 == 0o666 & ~mask  # as open() would make it
    (target.parent / ".a.html.x1.tmp").write_text("half")
    assert remove_stale_temp(target.parent) == 1
    assert sorted(p.name for p in target.parent.iterdir()) == ["a.html"]


def test_atomic_write_with_a_writer_keeps_the_old_file_when_writing_fails(tmp_path):
    target = tmp_path / "panel.csv"
    atomic_write(target, lambda tmp: Path(tmp).write_text("oud"))

    def half(tmp):
        Path(tmp).write_text("ha")
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        atomic_write(target, half)
    assert target.read_text() == "oud"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["panel.csv"]


def test_sha256_file_is_the_hash_of_the_bytes(tmp_path):
    p = tmp_path / "x.bin"
    p.write_bytes(os.urandom(3 << 20))  # more than one block
    assert sha256_file(p) == hashlib.sha256(p.read_bytes()).hexdigest()


# ---------------------------------------------------------------------------------------
# full runs in warm kernels


@pytest.fixture(scope="module")
def failing_run(panel_dir, tmp_path_factory):
    out = tmp_path_factory.mktemp("reports")
    summary = run_reports(panel_dir / "panel.csv", out=out, jobs=2, notebook=STAND_IN, progress=False)
    return summary, out


@pytest.mark.slow
def test_failing_gemeente_does_not_stop_the_others(failing_run):
    summary, out = failing_run
    status = {o.gemeente: o.status for o in summary.outcomes}
    assert status == {"GM1979": "ok", "GM0014": "ok", "GM0765": "failed", "GM0037": "ok"}
    assert summary.exit_code == 1
    assert summary.kernel_starts == 2
    folder = out / "2023"
    made = sorted(p.name for p in folder.glob("*.html"))
    assert made == ["GM0014-groningen.html", "GM0037-stadskanaal.html", "GM1979-eemsdelta.html"]
    assert not (folder / "failed").exists()         # private: under out/.socvit, never linked
    kept = out / ".socvit" / "failed" / "2023" / "GM0765-pekela.ipynb"
    nb = nbformat.read(kept, as_version=4)
    assert "mislukt" in nb.cells[0].source and "Opzettelijke fout voor de test: Pekela" in nb.cells[0].source
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert len(errors) == 1 and errors[0].ename == "RuntimeError"
    assert "FAILED Pekela (GM0765): RuntimeError: Opzettelijke fout" in summary.summary()


@pytest.mark.slow
def test_html_reports_have_no_code_no_external_scripts_and_embedded_images(failing_run):
    _, out = failing_run
    source = nbformat.read(STAND_IN, as_version=4)
    code_lines = [ln.strip() for c in source.cells if c.cell_type == "code"
                  for ln in c.source.splitlines() if len(ln.strip()) > 12]
    for path in (out / "2023").glob("*.html"):
        text = path.read_text(encoding="utf-8")
        visible = _body_text(path)
        code = path.name[:6]
        assert f"Rapport voor {code} , golf 2023" in visible  # the markdown output is there
        assert "Stand-in rapport" in visible                   # and the markdown cell
        leaked = [ln for ln in code_lines if ln in htmlmod.unescape(text)]
        assert leaked == [], f"code in {path.name}: {leaked}"
        # nbconvert renders a code input as a CodeMirror editor with highlighted source
        assert 'class="jp-CodeMirrorEditor' not in text and 'class="highlight' not in text
        assert _external_refs(text) == []
        assert "cdnjs" not in text and "require.js" not in text.lower()
        assert len(re.findall(r'<img [^>]*src="data:image/png;base64,', text)) == 1
        assert "vnd.socvit.headline" not in text and "pct_actief" not in text
        assert text.rstrip().endswith("</html>")


@pytest.mark.slow
def test_index_links_each_report_with_headline_figures(failing_run):
    summary, out = failing_run
    page = (out / "index.html").read_text(encoding="utf-8")
    links = re.findall(r'href="([^"]+\.html)"', page)
    assert sorted(set(links)) == ["2023/GM0014-groningen.html", "2023/GM0037-stadskanaal.html",
                                  "2023/GM1979-eemsdelta.html"]
    assert all((out / link).exists() for link in links)
    assert "Pekela" in page and "rapport mislukt" in page
    assert "7,6" in page and "42%" in page    # rapportcijfer 7.64, pct_actief 0.415
    assert "1.234" in page and "6,8" in page
    assert "Peiling 2023" in page


@pytest.mark.slow
def test_manifest_records_inputs_parameters_status_and_duration(failing_run, panel_dir):
    summary, out = failing_run
    man = json.loads((out / "2023" / "manifest.json").read_text(encoding="utf-8"))
    sha = lambda p: hashlib.sha256(Path(p).read_bytes()).hexdigest()
    assert man["data_sha256"] == sha(panel_dir / "panel.csv")
    assert man["codebook_sha256"] == sha(panel_dir / "codebook.yaml")
    assert man["notebook_sha256"] == sha(STAND_IN)
    assert man["socvit_version"] == socvit.__version__
    assert man["golf"] == 2023 and man["parameters"]["golf"] == 2023
    reps = man["reports"]
    assert set(reps) == set(ROWS_2023)
    for code, e in reps.items():
        assert e["parameters"]["gemeente"] == code and e["seconds"] > 0
        assert e["status"] == ("failed" if code == "GM0765" else "ok")
    assert reps["GM0765"]["failed_notebook"] == "../.socvit/failed/2023/GM0765-pekela.ipynb"
    assert "Opzettelijke fout" in reps["GM0765"]["error"] and reps["GM0765"]["file"] is None
    assert reps["GM1979"]["headline"]["n"] == 1234 and reps["GM1979"]["file"] == "GM1979-eemsdelta.html"


@pytest.mark.slow
def test_up_to_date_reports_are_skipped_unless_forced(panel_dir, tmp_path, monkeypatch):
    kw = dict(gemeenten=["Eemsdelta", "Groningen"], out=tmp_path, notebook=STAND_IN, jobs=1,
              progress=False, preload=LIGHT)
    first = run_reports(panel_dir / "panel.csv", **kw)
    assert [o.status for o in first.outcomes] == ["ok", "ok"] and first.exit_code == 0
    html = tmp_path / "2023" / "GM1979-eemsdelta.html"
    before = html.stat().st_mtime_ns

    again = run_reports(panel_dir / "panel.csv", **kw)
    assert [o.status for o in again.outcomes] == ["skipped", "skipped"]
    assert again.kernel_starts == 0 and again.exit_code == 0
    assert html.stat().st_mtime_ns == before
    assert "2 up to date" in again.summary()
    assert (tmp_path / "index.html").exists()

    # new parameters remake; PDF asked for without Chromium: a clear hint, HTML regardless
    monkeypatch.setattr("socvit.runner._run.find_chromium", lambda: None)
    changed = run_reports(panel_dir / "panel.csv", min_n=5, formats="html,pdf", **kw)
    assert [o.status for o in changed.outcomes] == ["ok", "ok"] and changed.exit_code == 0
    assert html.stat().st_mtime_ns > before
    assert any("apt-get install chromium" in n for n in changed.notes)
    assert not list((tmp_path / "2023").glob("*.pdf"))
    monkeypatch.undo()
    middle = html.stat().st_mtime_ns

    # --force remakes reports that are up to date (and, with Chromium, adds the PDFs)
    forced = run_reports(panel_dir / "panel.csv", min_n=5, formats="html,pdf", force=True, **kw)
    assert [o.status for o in forced.outcomes] == ["ok", "ok"] and forced.kernel_starts == 1
    assert html.stat().st_mtime_ns > middle
    if render.find_chromium() is None:  # this machine has no Chromium: the hint again
        assert any("apt-get install chromium" in n for n in forced.notes)
    else:
        pdf = tmp_path / "2023" / "GM1979-eemsdelta.pdf"
        assert pdf.read_bytes()[:5] == b"%PDF-"
        page = (tmp_path / "index.html").read_text(encoding="utf-8")
        assert 'href="2023/GM1979-eemsdelta.pdf"' in page


@pytest.mark.slow
def test_isolation_between_reports_in_one_kernel(panel_dir, tmp_path):
    summary = run_reports(panel_dir / "panel.csv", golf=2017, jobs=1, out=tmp_path,
                          notebook=ISOLATION, progress=False)  # full preload: socvit state too
    assert summary.exit_code == 0 and summary.kernel_starts == 1
    seen = [o.headline for o in summary.outcomes]
    assert len(seen) == 5
    import matplotlib as mpl

    default_titlesize = str(mpl.rcParamsDefault["axes.titlesize"])
    for h in seen:
        assert h["variable"] is False and h["function"] is False
        assert h["rc_titlesize"] == default_titlesize and h["rc_facecolor"] == "white"
        assert h["pandas_precision"] == 6
        assert h["open_figures"] == 0
    assert len({h["n_warning_filters"] for h in seen}) == 1


def _kernels_of(pid: int) -> list[int]:
    """Live kernel processes started by process ``pid`` (JPY_PARENT_PID in their environment)."""
    found = []
    for d in Path("/proc").iterdir():
        if not d.name.isdigit():
            continue
        try:
            env = (d / "environ").read_bytes().split(b"\0")
            stat = (d / "stat").read_text()
        except OSError:
            continue
        if f"JPY_PARENT_PID={pid}".encode() in env and ") Z " not in stat:
            found.append(int(d.name))
    return found


@pytest.mark.slow
def test_kill_in_the_middle_then_rerun_completes_the_set(panel_dir, tmp_path):
    out = tmp_path / "out"
    code = (
        "import sys\n"
        "from socvit.runner import run_reports\n"
        f"r = run_reports({str(panel_dir / 'panel.csv')!r}, golf=2017, jobs=1, out={str(out)!r},\n"
        f"                notebook={str(SLOW)!r}, progress=False, preload={LIGHT!r})\n"
        "sys.exit(r.exit_code)\n"
    )
    proc = subprocess.Popen([sys.executable, "-c", code], cwd=tmp_path,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    folder = out / "2017"
    deadline = time.monotonic() + 90
    try:
        while time.monotonic() < deadline and not list(folder.glob("*.html")):
            assert proc.poll() is None, "the run ended before it could be killed"
            time.sleep(0.05)
        assert list(folder.glob("*.html")), "no report appeared within 90 s"
        time.sleep(0.3)  # into the next report
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == -signal.SIGKILL

    made = sorted(folder.glob("*.html"))
    assert 1 <= len(made) < 5
    for p in made:  # whatever is visible as a report is whole
        assert p.read_text(encoding="utf-8").rstrip().endswith("</html>")
    assert all(p.name.startswith(".") for p in folder.iterdir() if p.name.endswith(".tmp"))
    json.loads((folder / "manifest.json").read_text(encoding="utf-8"))  # whole, if behind

    # the orphaned kernel notices its parent is gone and exits (ipykernel's parent poller)
    deadline = time.monotonic() + 10
    while _kernels_of(proc.pid) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert _kernels_of(proc.pid) == []

    rerun = run_reports(panel_dir / "panel.csv", golf=2017, jobs=2, out=out, notebook=SLOW,
                        progress=False, preload=LIGHT)
    assert rerun.exit_code == 0
    assert rerun.skipped >= 1 and rerun.made + rerun.skipped == 5
    assert len(list(folder.glob("*.html"))) == 5
    assert not list(folder.glob("*.tmp")) and not list(folder.glob(".*.tmp"))
    man = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert {e["status"] for e in man["reports"].values()} == {"ok"} and len(man["reports"]) == 5


# ---------------------------------------------------------------------------------------
# the real report notebook (notebooks/gemeente_rapport.ipynb) on the bundled sample


def test_headline_contract_matches_the_report_sections():
    from socvit.report import _headline, sections

    assert render.HEADLINE_MIMETYPE is sections.HEADLINE_MIMETYPE is _headline.HEADLINE_MIMETYPE
    assert {k for k, _, _ in render.HEADLINE_FIELDS} <= set(sections.HEADLINE_KEYS)


def test_runner_imports_neither_pandas_nor_matplotlib():
    """The kernels boot while the runner process imports: it must stay light."""
    code = ("import sys, socvit.runner, socvit.runner._kernels, socvit.runner._warmup\n"
            "print(' '.join(sorted(m for m in sys.modules if m.split('.')[0] in "
            "('pandas', 'matplotlib', 'numpy', 'IPython'))))\n"
            "print(socvit.runner.DEFAULT_NOTEBOOK.exists())")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    heavy, found = proc.stdout.splitlines()
    assert heavy == "" and found == "True"


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_planning_reads_the_panel_without_pandas(tmp_path, suffix):
    """Parameters are checked before the kernels start, on the critical path: the gemeente
    and wave columns of a CSV are read with pyarrow alone (pandas costs ~0.2 s to import;
    pyarrow.parquet imports it itself, so parquet is only checked for the right plan)."""
    code = ("import sys\nfrom socvit.runner import plan_reports\n"
            f"p = plan_reports({str(sv.io.SAMPLE_DIR / ('panel' + suffix))!r}, golf=2017, "
            f"codebook={str(sv.io.SAMPLE_DIR / 'codebook.yaml')!r}, out={str(tmp_path)!r})\n"
            "print(len(p.jobs), 'pandas' in sys.modules)")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    jobs, pandas_loaded = proc.stdout.split()
    assert jobs == "23"                                    # Groningen's 23 gemeenten of 2017
    if suffix == ".csv":
        assert pandas_loaded == "False"


@pytest.mark.parametrize("reader", ["csv module", "pyarrow"])
def test_planning_reads_a_dutch_excel_csv(tmp_path, monkeypatch, reader):
    """';' separator, cp1252 bytes, padded codes and waves written as 2017.0; small files
    are read with the csv module, large ones with pyarrow."""
    if reader == "pyarrow":
        monkeypatch.setattr("socvit.runner._run._SMALL_CSV", 0)
    raw = (sv.io.SAMPLE_DIR / "panel.csv").read_text(encoding="utf-8").splitlines()
    head = raw[0].split(",")
    g, w = head.index("gemeente"), head.index("golf")
    rows = []
    for line in raw[1:]:
        cells = line.split(",")
        cells[g], cells[w] = f" {cells[g]} ", f"{cells[w]}.0"
        rows.append(";".join(cells))
    (tmp_path / "panel.csv").write_bytes(
        ("\r\n".join([";".join(head), *rows]) + "\r\n").encode("cp1252"))
    plan = plan_reports(tmp_path / "panel.csv", golf=2017, out=tmp_path / "out",
                        codebook=sv.io.SAMPLE_DIR / "codebook.yaml")
    assert len(plan.jobs) == 23 and "GM0010" in {j.gemeente for j in plan.jobs}


def test_default_plan_is_the_sample_latest_wave_and_its_gemeenten(tmp_path):
    from socvit import gemeenten as gm

    plan = plan_reports(out=tmp_path)
    assert plan.notebook == sv.report.notebook_path()
    assert plan.data == (sv.io.SAMPLE_DIR / "panel.csv").resolve()
    assert plan.golf == 2023 and plan.folder == tmp_path / "2023"
    assert sorted(j.gemeente for j in plan.jobs) == sorted(
        c for c in gm.valid_in(2023) if gm.province(c) == "Groningen")   # the sample's province
    assert all(j.parameters["data"] is None for j in plan.jobs)  # the notebook's own sample


@pytest.mark.slow
def test_real_notebook_reports_for_merged_gemeenten(tmp_path):
    from socvit.report import sections

    res = run_reports(golf=2017, gemeenten=["Delfzijl", "Eemsmond"], jobs=2, out=tmp_path,
                      progress=False)
    assert res.exit_code == 0, res.summary()
    assert [o.status for o in res.outcomes] == ["ok", "ok"]
    folder = tmp_path / "2017"
    for o, name in zip(res.outcomes, ("GM0010-delfzijl.html", "GM1651-eemsmond.html")):
        text = (folder / name).read_text(encoding="utf-8")
        assert _external_refs(text) == []
        assert 'class="jp-CodeMirrorEditor' not in text and "report.prepare(" not in text
        # the report's figures: SVG images with their text kept as text (report._figures),
        # each in a <figure> with a text alternative giving numbers and a numbered caption
        figures = re.findall(r'<figure class="figuur"[^>]*><img src="data:image/svg\+xml;base64,'
                             r'[^"]+" alt="([^"]+)"[^>]*><figcaption><em>Figuur \d+\.', text)
        assert len(figures) >= 3 and all(re.search(r"\d(,\d|%)", alt) for alt in figures)
        assert not re.findall(r'<img [^>]*src="data:image/png', text)
        assert sections.HEADLINE_MIMETYPE not in text
        visible = _body_text(folder / name)
        assert o.naam in visible and "2017" in visible
        assert set(o.headline) == set(sections.HEADLINE_KEYS)
        assert o.headline["gemeente"] == o.gemeente and o.headline["golf"] == 2017
    page = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert 'href="2017/GM0010-delfzijl.html"' in page and 'href="2017/GM1651-eemsmond.html"' in page


@pytest.mark.slow
def test_dead_or_timed_out_kernel_is_restarted_and_the_run_goes_on(panel_dir, tmp_path):
    summary = run_reports(panel_dir / "panel.csv", golf=2017, jobs=1, out=tmp_path, timeout=6,
                          notebook=FIX / "crash_report.ipynb", progress=False, preload=LIGHT)
    status = {o.gemeente: o.status for o in summary.outcomes}
    assert status == {"GM0003": "failed", "GM0010": "failed", "GM1651": "ok", "GM0014": "ok",
                      "GM0024": "ok"}
    err = {o.gemeente: o.error for o in summary.outcomes}
    assert "DeadKernelError" in err["GM0003"]
    assert "longer than 6 s" in err["GM0010"]
    assert summary.kernel_starts == 3  # the first, and one after each failure
    pids = {o.headline["pid"] for o in summary.outcomes if o.status == "ok"}
    assert len(pids) == 1              # the three good reports ran in the one restarted kernel
    assert (tmp_path / ".socvit" / "failed" / "2017" / "GM0003-appingedam.ipynb").exists()
    assert summary.exit_code == 1


@pytest.mark.parametrize("suffix", [".sav", ".parquet"])
def test_planning_reads_sav_and_parquet_panels(tmp_path, suffix):
    panel = sv.load_sample()
    path = sv.io.write_panel(panel, tmp_path / f"panel{suffix}")
    plan = plan_reports(path, golf=2017, out=tmp_path / "out",
                        codebook=sv.io.SAMPLE_DIR / "codebook.yaml")
    assert len(plan.jobs) == 23 and "GM0010" in {j.gemeente for j in plan.jobs}


def test_planning_names_a_column_the_panel_lacks(tmp_path):
    raw = (sv.io.SAMPLE_DIR / "panel.csv").read_text(encoding="utf-8")
    (tmp_path / "panel.csv").write_text(raw.replace("gemeente,", "gem,", 1), encoding="utf-8")
    with pytest.raises(sv.DataError, match="cannot be read for columns golf, gemeente.*'gemeente'"):
        plan_reports(tmp_path / "panel.csv", out=tmp_path / "out",
                     codebook=sv.io.SAMPLE_DIR / "codebook.yaml")
