"""The notebooks: stored clean and paired, and they run top to bottom on the sample.

The report notebook is also exported as the batch runner does (HTML without code) and read
as a person would: no code, no respondent ids, no tracebacks or warnings, no number for a
group below min_n, and a kern name containing HTML shown escaped.
"""

import re
import shutil
from pathlib import Path

import jupytext
import nbformat
import pytest

import socvit as sv
from socvit.report import sections

ROOT = Path(__file__).resolve().parent.parent
NB = ROOT / "notebooks"
#: the report notebook ships inside the package; the researchers' notebooks live in notebooks/
PATHS = {"gemeente_rapport": sv.report.notebook_path().parent, "verkenning": NB,
         "schaalconstructie": NB, "panelanalyse": NB}
NOTEBOOKS = list(PATHS)
EVIL = "<script>alert(1)</script>"


def _sources(nb):
    return [(c.cell_type, c.source.strip(), sorted(c.metadata.get("tags", [])))
            for c in nb.cells]


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_ipynb_and_py_pair_agree_and_ipynb_has_no_outputs(name):
    ipynb = nbformat.read(PATHS[name] / f"{name}.ipynb", as_version=4)
    py = jupytext.read(PATHS[name] / f"{name}.py")
    assert _sources(ipynb) == _sources(py)
    for cell in ipynb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, cell.source[:60]
    tagged = [c for c in ipynb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1


def test_report_parameters_cell():
    nb = nbformat.read(sv.report.notebook_path(), as_version=4)
    params = next(c for c in nb.cells if "parameters" in c.metadata.get("tags", []))
    ns = {}
    exec(params.source, ns)
    assert {k: ns[k] for k in ("gemeente", "golf", "indeling", "data", "codebook", "min_n",
                               "warn_n", "compare_to")} == {
        "gemeente": "GM1979", "golf": 2023, "indeling": None, "data": None, "codebook": None,
        "min_n": 10, "warn_n": 30, "compare_to": "provincie"}
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert "import socvit" in code[0].source                     # imports first, for warm kernels
    assert "publish_headline" in code[-1].source


def _run(tmp_path, name, cwd=ROOT, **parameters):
    import papermill as pm
    out = tmp_path / f"{name}-out.ipynb"
    pm.execute_notebook(str(PATHS[name] / f"{name}.ipynb"), str(out), parameters=parameters,
                        cwd=str(cwd), progress_bar=False, log_output=False, kernel_name="python3")
    return nbformat.read(out, as_version=4)


def _html(nb):
    """The report HTML exactly as the runner exports it (headline taken out, no code)."""
    from socvit.runner import _render
    nb = nbformat.from_dict(nb)
    _render.pop_headline(nb)
    return _render.notebook_to_html(nb)


def _errors(nb):
    return [o for c in nb.cells if c.cell_type == "code" for o in c.outputs
            if o.output_type == "error" or o.get("name") == "stderr"]


@pytest.fixture(scope="module")
def evil_data(tmp_path_factory):
    """The sample with Eemsdelta's largest kern of 2023 renamed to an HTML snippet and four
    respondents moved to a tiny kern."""
    import pandas as pd
    d = tmp_path_factory.mktemp("evil")
    raw = pd.read_csv(sv.io.SAMPLE_DIR / "panel.csv", dtype=str, keep_default_na=False)
    rows = raw[(raw["golf"] == "2023") & (raw["gemeente"] == "GM1979")]
    big = rows["kern"].value_counts().index[0]
    raw.loc[rows.index[rows["kern"] == big], "kern"] = EVIL
    raw.loc[rows.index[rows["kern"] != big][:4], "kern"] = "Piepklein"
    raw.to_csv(d / "panel.csv", index=False)
    for f in ("codebook.yaml", "bevolking.csv"):
        shutil.copy(sv.io.SAMPLE_DIR / f, d / f)
    return d / "panel.csv"


@pytest.mark.slow
def test_report_html_reads_as_a_publication(tmp_path, evil_data):
    nb = _run(tmp_path, "gemeente_rapport", gemeente="GM1979", golf=2023, data=str(evil_data))
    assert not _errors(nb)
    heads = [o.data[sections.HEADLINE_MIMETYPE] for c in nb.cells if c.cell_type == "code"
             for o in c.outputs if sections.HEADLINE_MIMETYPE in o.get("data", {})]
    assert len(heads) == 1 and heads[0]["gemeente"] == "GM1979" and heads[0]["n"] > 0
    html = _html(nb)
    body = re.sub(r"<(style|script)[^>]*>.*?</\1>", " ", html, flags=re.S)
    text = re.sub(r"<[^>]+>", " ", body)
    # no code, no stray output
    for code_bit in ("report.prepare", "import socvit", "publish_headline", "<Figure size",
                     "DataFrame", "Traceback", "Warning", "Error"):
        assert code_bit not in text, code_bit
    assert 'class="jp-InputArea-editor' not in body and 'class="highlight' not in body
    assert '<figcaption><em>Figuur 1.' in html
    # no respondent ids
    ids = set(__import__("pandas").read_csv(evil_data, usecols=["resp_id"])["resp_id"])
    assert not ids & set(re.findall(r"R\d{7}", html))
    # escaped kern name, small kern absent
    assert EVIL not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "Piepklein" not in html
    # a finished publication: title, numbered sections, captions, source lines
    assert "Sociale vitaliteit in Eemsdelta" in text
    for i in range(1, 10):
        assert f"{i}. " in text
    assert "Figuur 1." in text and "Tabel 1." in text and "Bron: Groninger Panel" in text
    # the figures, embedded as SVG (socvit.report._figures) in a <figure> with a text
    # alternative that gives numbers (report._describe), a numbered caption and a data table
    figures = re.findall(r'<figure class="figuur"[^>]*><img src="data:image/svg\+xml;base64,'
                         r'[^"]+" alt="([^"]+)"[^>]*><figcaption><em>Figuur \d+\.', html)
    assert len(figures) >= 6 and all(re.search(r"\d(,\d|%)", alt) for alt in figures)
    assert html.count('<details class="cijfers"><summary>Cijfers bij figuur ') >= 6
    assert not re.findall(r'<img [^>]*src="data:image/png', html)


@pytest.mark.slow
def test_report_runs_from_the_notebooks_folder_for_a_former_gemeente(tmp_path):
    nb = _run(tmp_path, "gemeente_rapport", cwd=NB, gemeente="Appingedam", golf=2017,
              data="data/sample/panel.csv", min_n=10, warn_n=30)
    assert not _errors(nb)
    html = _html(nb)
    assert "Sociale vitaliteit in Appingedam" in html and "golf 2017" in html


@pytest.mark.slow
@pytest.mark.parametrize("name", ["verkenning", "schaalconstructie", "panelanalyse"])
def test_research_notebooks_run(tmp_path, name):
    nb = _run(tmp_path, name)
    assert not [o for o in _errors(nb) if o.output_type == "error"]
    images = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs
              if "image/png" in o.get("data", {})]
    assert len(images) >= {"verkenning": 5, "panelanalyse": 1}.get(name, 0)


@pytest.mark.slow
def test_verkenning_runs_on_a_panel_given_as_data(tmp_path):
    """The data parameter set (it once crashed with AttributeError: sv.sections)."""
    folder = tmp_path / "eigen"
    folder.mkdir()
    for f in ("panel.csv", "codebook.yaml", "bevolking.csv"):
        shutil.copy(sv.io.SAMPLE_DIR / f, folder / f)
    nb = _run(tmp_path, "verkenning", data=str(folder / "panel.csv"), golf=2021,
              gemeente="Westerkwartier")
    assert not [o for o in _errors(nb) if o.output_type == "error"]
    text = "\n".join(str(o.get("text", "")) + str(o.get("data", {}).get("text/plain", ""))
                     for c in nb.cells if c.cell_type == "code" for o in c.outputs)
    assert str(folder / "panel.csv") in text             # the panel given, not the sample
    assert "2021" in text and "Westerkwartier" in text


def _stdout(nb):
    return "\n".join(o.text for c in nb.cells if c.cell_type == "code" for o in c.outputs
                     if o.output_type == "stream" and o.name == "stdout")


def _number(pattern, text):
    m = re.search(pattern, text)
    assert m, (pattern, text[-2000:])
    return float(m.group(1).replace(",", "."))


@pytest.fixture(scope="module")
def other_panels(tmp_path_factory):
    """Another bureau's panel (tests/other_panel.py): with ACTIE and themes, and without."""
    import other_panel as op
    full, bare = tmp_path_factory.mktemp("eigen"), tmp_path_factory.mktemp("eigen_kaal")
    op.write(full)
    op.write(bare, actie=False, themes=False)
    return {"full": full, "bare": bare}


@pytest.mark.slow
@pytest.mark.parametrize("which", ["full", "bare"])
def test_verkenning_on_another_panel(tmp_path, other_panels, which):
    """Columns, roles, the delivered weight and the 7-point range all come from the codebook;
    the printed 0-10 mean of the 7-point scale equals a numpy computation from the CSV."""
    import other_panel as op
    folder = other_panels[which]
    nb = _run(tmp_path, "verkenning", data=str(folder / "panel.csv"), golf=2021,
              gemeente="Westerkwartier")
    assert not _errors(nb)
    text = _stdout(nb)
    assert op.NAME in text and "meegeleverde weegfactor 'weegfactor'" in text
    images = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs
              if "image/png" in o.get("data", {})]
    assert len(images) >= 5
    sc = sv.load_panel(folder / "panel.csv").codebook.scale("vermogen")
    want = op.hand_mean(folder, sc.items, gemeente=sv.gemeenten.code("Westerkwartier", year=2021),
                        golf=2021, reverse=sc.reverse, low=1, high=7, min_valid=sc.min_valid)
    got = _number(r"Vermogen in Westerkwartier, golf 2021: gemiddeld (\d+,\d+) op 0-10", text)
    assert got == pytest.approx(want, abs=5e-5)
    # read as 1-5 it would be 1.5 times as far from 0; the truth is well inside 0-10
    assert 0 < got < 10


@pytest.mark.slow
@pytest.mark.parametrize("which", ["full", "bare"])
def test_schaalconstructie_on_another_panel(tmp_path, other_panels, which):
    """Scales and parts from the codebook's roles (no 'organisatiekracht' total scale, no
    ACTIE in the bare panel); the printed alfa equals sv.reliability.alpha on the same rows."""
    folder = other_panels[which]
    nb = _run(tmp_path, "schaalconstructie", data=str(folder / "panel.csv"), golf=2021,
              gemeente="Westerkwartier")
    assert not _errors(nb)
    text = _stdout(nb)
    assert "organisatiekracht: verbondenheid, gedeelde_waarden, inzetbereidheid, vermogen" in text
    assert ("ACTIE: geen schalen in het codeboek" in text) == (which == "bare")
    assert "omega over de items van de delen samen" in text
    panel = sv.load_panel(folder / "panel.csv")
    wave = panel.subset(panel.data["jaar"] == 2021)
    want = sv.reliability.alpha(wave, "vermogen").total["raw_alpha"]
    got = _number(r"Vermogen: alfa (\d+,\d+) \(4 items, antwoorden 1 tot 7\)", text)
    assert got == pytest.approx(want, abs=5e-5)
    code = sv.gemeenten.code("Westerkwartier", year=2021)
    rows = wave.data[wave.data["gem_code"] == code]
    sc = panel.codebook.scale("vermogen")
    want_gem = sv.reliability.alpha(rows, sc.items, reverse=sc.reverse).total["raw_alpha"]
    got_gem = _number(r"Vermogen in Westerkwartier: alfa (\d+,\d+)", text)
    assert got_gem == pytest.approx(want_gem, abs=5e-3)


@pytest.mark.slow
def test_panelanalyse_on_another_panel(tmp_path, other_panels):
    """Member id, wave, scales and the delivered weight from the other bureau's codebook (no
    population margins: no longitudinal weights); the printed number of members in both
    waves is that of sv.panel.change on the same panel."""
    import other_panel as op
    folder = other_panels["full"]
    nb = _run(tmp_path, "panelanalyse", data=str(folder / "panel.csv"))
    assert not _errors(nb)
    text = _stdout(nb)
    assert op.NAME in text and "Geen longitudinale gewichten" in text and "weegfactor" in text
    panel = sv.load_panel(folder / "panel.csv")
    t = sv.panel.change(panel, "vrijwilliger", 2021, 2023, weights="weegfactor",
                        kind="proportion", categories=[1])
    n = int(t.set_index("basis").loc["paired", "n"])
    got = _number(r"dezelfde (\d+(?:\.\d+)?) leden", text.replace(".", ""))
    assert got == n > 1000
    assert "Vermogen: ICC(3,1) 0," in text
