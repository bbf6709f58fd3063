"""The report a gemeente publishes: accessible HTML (WCAG 2.1 AA, checked with axe-core in
headless Chromium) and an A4 PDF that reads as a publication (issue 15).

What these tests need they install or find themselves, and they fail, never skip, when it
is missing: axe-core is installed with npm into ``.cache/axe-core`` (git-ignored; a CI run
on a fresh clone installs it there), Chromium and poppler's ``pdftotext``/``pdfinfo`` come
from the system (``scripts/test.sh`` installs them with apt-get when it runs as root).
One report (the sample's Eemsdelta 2023, HTML and PDF) is made once for the module.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from socvit.runner import _render
from socvit.runner._chromium import Chromium, find_chromium

ROOT = Path(__file__).resolve().parent.parent
AXE_DIR = ROOT / ".cache" / "axe-core"
#: the rule sets of WCAG 2.0 and 2.1, levels A and AA
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def _need(tool: str, hint: str) -> str:
    path = shutil.which(tool)
    if path is None:
        pytest.fail(f"{tool} is needed for this test and is not installed; {hint} "
                    "(scripts/test.sh installs it when run as root).")
    return path


@pytest.fixture(scope="module")
def chromium():
    path = find_chromium()
    if path is None:
        pytest.fail("Chromium is needed for this test and is not installed; install it "
                    "(`apt-get install -y chromium`; scripts/test.sh does so when run as root).")
    return path


@pytest.fixture(scope="module")
def axe_source() -> str:
    """axe-core's script, installed with npm into .cache/axe-core on first use."""
    script = AXE_DIR / "node_modules" / "axe-core" / "axe.min.js"
    if not script.exists():
        npm = _need("npm", "install Node.js with npm (`apt-get install -y npm`)")
        AXE_DIR.mkdir(parents=True, exist_ok=True)
        proc = subprocess.run([npm, "install", "--no-audit", "--no-fund", "--prefix", str(AXE_DIR),
                               "axe-core@4"], capture_output=True, text=True, timeout=300)
        assert proc.returncode == 0 and script.exists(), f"npm install axe-core failed: {proc.stderr[-800:]}"
    return script.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def made(tmp_path_factory, chromium):
    from socvit.runner import run_reports
    out = tmp_path_factory.mktemp("publicatie")
    res = run_reports(golf=2023, gemeenten=["Eemsdelta"], jobs=1, out=out, formats="html,pdf",
                      progress=False)
    assert res.exit_code == 0, res.summary()
    return out


def _axe(chromium: str, axe_source: str, path: Path) -> list:
    """axe-core's WCAG 2.1 A/AA violations of a page, with every <details> opened first
    (so that the figures' data tables are checked too)."""
    with Chromium(chromium, timeout=120) as browser:
        page = browser.open(path.resolve().as_uri())
        browser.evaluate(page, axe_source + "\n;document.querySelectorAll('details')"
                               ".forEach(d => { d.open = true; }); true")
        return browser.evaluate(page, (
            "axe.run(document, {runOnly: {type: 'tag', values: %s}, resultTypes: ['violations']})"
            ".then(r => r.violations.map(v => ({id: v.id, help: v.help, nodes: v.nodes.slice(0, 3)"
            ".map(n => n.html.slice(0, 200) + ' -> ' + n.failureSummary)})))") % json.dumps(WCAG_TAGS))


def test_axe_finds_violations_on_a_bad_page(chromium, axe_source, tmp_path):
    """The harness works: a page with an image without alt text, grey-on-grey text and no
    language has violations (so an empty list below means something)."""
    bad = tmp_path / "slecht.html"
    bad.write_text('<!DOCTYPE html><html><head><title>x</title></head><body>'
                   '<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">'
                   '<p style="color:#aaa;background:#bbb">lees mij</p></body></html>', encoding="utf-8")
    ids = {v["id"] for v in _axe(chromium, axe_source, bad)}
    assert {"image-alt", "color-contrast", "html-has-lang"} <= ids


def test_report_and_index_have_no_wcag_violations(made, chromium, axe_source):
    for path in (made / "2023" / "GM1979-eemsdelta.html", made / "index.html"):
        violations = _axe(chromium, axe_source, path)
        assert violations == [], f"{path.name}: {json.dumps(violations, indent=1, ensure_ascii=False)}"


def test_report_html_is_dutch_lean_and_every_figure_has_numbers_and_a_table(made):
    page = (made / "2023" / "GM1979-eemsdelta.html").read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and '<html lang="nl">' in page
    assert len(page.encode("utf-8")) < 300_000, len(page.encode("utf-8"))
    assert "jp-Notebook" not in page and "--jp-" not in page          # no JupyterLab CSS
    styles = "".join(re.findall(r"<style[^>]*>(.*?)</style>", page, flags=re.S))
    assert len(styles) < 10_000
    figures = re.findall(r'<figure class="figuur" id="figuur-(\d+)"><img [^>]*alt="([^"]+)"[^>]*>'
                         r"<figcaption><em>Figuur (\d+)\.(.*?)</figure>", page, flags=re.S)
    assert len(figures) >= 7
    for number, alt, number2, rest in figures:
        assert number == number2
        assert re.search(r"\d(,\d|%)", alt), alt                          # says its numbers
        assert f"<summary>Cijfers bij figuur {number} (tabel)</summary><table" in rest
    # the cover: title, panel and wave, a contents list linking to the numbered sections
    cover = re.search(r'<header class="omslag">(.*?)</header>', page, flags=re.S).group(1)
    assert "<h1" in cover and "Groninger Panel, golf 2023" in cover
    links = re.findall(r'<a href="#([^"]+)">(\d)\. ', cover)
    assert [n for _, n in links] == [str(i) for i in range(1, 10)]
    assert all(f'id="{ident}"' in page for ident, _ in links)


def test_pdf_is_a4_tagged_dutch_with_header_and_page_numbers(made):
    pdf = made / "2023" / "GM1979-eemsdelta.pdf"
    info = subprocess.run([_need("pdfinfo", "install poppler-utils"), str(pdf)],
                          capture_output=True, text=True, check=True).stdout
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
    assert 6 <= pages <= 9, info
    assert re.search(r"Page size:\s+594\.9\d x 841\.9\d pts \(A4\)", info), info
    assert re.search(r"Tagged:\s+yes", info), info
    raw = pdf.read_bytes()
    assert b"/Lang (nl)" in raw and b"/Outlines" in raw          # language and bookmarks
    text = subprocess.run([_need("pdftotext", "install poppler-utils"), "-layout", str(pdf), "-"],
                          capture_output=True, text=True, check=True).stdout
    sheets = text.split("\f")[:pages]
    assert "Sociale vitaliteit in Eemsdelta" in sheets[0] and "Inhoud" in sheets[0]
    assert "pagina" not in sheets[0]                               # the cover has no header
    for i, sheet in enumerate(sheets[1:], start=2):
        assert f"pagina {i} van {pages}" in sheet, i
        assert "Sociale vitaliteit in Eemsdelta · Groninger Panel, golf 2023" in sheet, i
    # figures and their captions on one page; the figures as vectors (their text is text)
    for n in range(1, 8):
        page_of = [i for i, s in enumerate(sheets) if f"Figuur {n}." in s]
        assert page_of, n
    assert "Betrokkenheid en overtuigingen" in text


def test_pdf_layout_keeps_headings_with_their_text(made):
    """No page ends with a section heading (the heading is kept with what follows)."""
    text = subprocess.run([_need("pdftotext", "install poppler-utils"), "-layout",
                           str(made / "2023" / "GM1979-eemsdelta.pdf"), "-"],
                          capture_output=True, text=True, check=True).stdout
    for sheet in text.split("\f"):
        lines = [ln.strip() for ln in sheet.splitlines() if ln.strip()
                 and not ln.strip().startswith("pagina ")]
        if lines:
            assert not re.fullmatch(r"\d\. [A-Z][^.]{2,60}", lines[-1]), lines[-1]


def test_a_hanging_chromium_is_killed_with_its_process_group(chromium):
    browser = Chromium(chromium, timeout=3)
    t0 = time.monotonic()
    with pytest.raises(RuntimeError, match=r"longer than 3 s .*stopped with all its processes"):
        # the page never finishes loading: its script never ends
        browser.open("data:text/html,<title>x</title><script>while (true) {}</script>")
    assert time.monotonic() - t0 < 10
    with pytest.raises(ProcessLookupError):
        os.killpg(browser.pid, 0)                          # no process of the group is left
    browser.close()


def test_html_to_pdf_names_what_is_missing(tmp_path):
    page = tmp_path / "a.html"
    page.write_text("<p>x</p>", encoding="utf-8")
    with pytest.raises(RuntimeError, match="could not be started"):
        _render.html_to_pdf(page, tmp_path / "a.pdf", chromium=str(tmp_path / "geen-chromium"))
    assert not (tmp_path / "a.pdf").exists()


def test_other_panel_figures_say_their_numbers(tmp_path):
    """On a differently shaped panel (7-point scale, other names) every figure's text
    alternative gives the shown estimates of its table, in Dutch format."""
    from socvit import fmt
    from socvit.report import sections

    import other_panel as op
    op.write(tmp_path)
    r = sections.prepare("GM1979", 2023, data=str(tmp_path / "panel.csv"))
    sec = sections.organisatiekracht(r)
    alt, (caption, source, table) = sec.alt[0], sec.figures[0]
    shown = sec.tables["scores"]
    shown = shown[~shown["suppressed"].astype(bool)]
    assert len(shown) >= 4
    for est in shown["estimate"]:
        assert fmt.getal(est, 1) in alt and fmt.getal(est, 1) in table
    assert caption.startswith("Figuur ") and "Bron:" in source
    likert = sections.uitspraken(r)
    assert any("zeven antwoordmogelijkheden" in a for a in likert.alt)
    assert all(t and "<table" in t for _, _, t in likert.figures)


def test_pdf_pages_are_not_half_empty(made):
    """Every page between the cover and the last is filled at least halfway (the lowest
    text above the footer, figures' text included, lies below the middle of the page),
    unless the next page starts a new section."""
    import xml.etree.ElementTree as ET
    out = subprocess.run([_need("pdftotext", "install poppler-utils"), "-bbox-layout",
                          str(made / "2023" / "GM1979-eemsdelta.pdf"), "-"],
                         capture_output=True, text=True, check=True).stdout
    out = re.sub(r"<!DOCTYPE[^>]*>", "", out)
    root = ET.fromstring(out.replace('xmlns="http://www.w3.org/1999/xhtml"', ""))
    pages = root.findall(".//page")
    assert len(pages) >= 3
    fill, first_line = [], []
    for page in pages:
        height = float(page.get("height"))
        lines = [(float(ln.get("yMin")), float(ln.get("yMax")), " ".join(w.text or "" for w in ln.iter("word")))
                 for ln in page.iter("line")]
        body = [ln for ln in lines if not ln[2].startswith("pagina ") and ln[0] > 0.07 * height]
        fill.append(max((ln[1] for ln in body), default=0) / height)
        first_line.append(min(body, default=(0, 0, ""))[2])
    for i in range(1, len(pages) - 1):
        new_section = re.match(r"\d\. \S", first_line[i + 1])
        assert fill[i] > 0.5 or new_section, (i + 1, round(fill[i], 2), first_line[i + 1])
