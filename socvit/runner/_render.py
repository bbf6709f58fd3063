"""Turning executed report notebooks into files: offline HTML, the index page, PDF.

Used by :mod:`socvit.runner._run`; the functions are plain and can be called on any
executed notebook.

* :func:`notebook_to_html` exports with nbconvert's ``lab`` template, without code cells
  (``exclude_input``), with images embedded as base64 and with the template's CDN scripts
  (require.js, MathJax, Mermaid, widgets) left out, so the report reads offline.
* :func:`pop_headline` takes the headline figures (one output with mimetype
  :data:`HEADLINE_MIMETYPE`) out of a notebook, so they feed the index page and never show
  in the report.
* :func:`index_html` writes the Dutch overview page with a table of headline figures.
* :func:`html_to_pdf` prints an HTML file to PDF with headless Chromium.

Every file is written with :func:`socvit._files.atomic_write` (a temporary file in the
target folder, then renamed), so a reader, or a run killed halfway, never sees a part.
"""

from __future__ import annotations

import html
import os
import re
import shutil
import subprocess
import tempfile
import threading
from datetime import datetime
from pathlib import Path

from .._files import atomic_write
from ..report._headline import HEADLINE_MIMETYPE

__all__ = [
    "HEADLINE_MIMETYPE", "HEADLINE_FIELDS", "notebook_to_html", "pop_headline", "index_html",
    "find_chromium", "html_to_pdf", "slug",
    "fmt_number", "parameterize", "keep_failed_notebook", "quick_nbformat_import",
]

#: (key, Dutch column heading, kind) of the headline figures shown on the index page
HEADLINE_FIELDS = (
    ("n", "Respondenten", "int"),
    ("pct_actief", "Actief voor dorp of wijk", "pct"),
    ("rapportcijfer", "Rapportcijfer gemeente", "mark"),
    ("betrokkenheid", "Betrokkenheid", "score"),
    ("overtuigingen", "Overtuigingen", "score"),
    ("bereidheid", "Bereidheid", "score"),
    ("capaciteit", "Capaciteit", "score"),
)

# nbconvert's lab template minus every script it would fetch from a CDN, plus a quieter,
# publication-like page. Kept here (a Jinja DictLoader) so that no template folder has to
# be installed.
_TEMPLATE = r"""{%- extends 'lab/index.html.j2' -%}
{%- block html_head_js -%}{%- endblock html_head_js -%}
{%- block jupyter_widgets -%}{%- endblock jupyter_widgets -%}
{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
{%- block extra_css -%}
<meta name="generator" content="socvit">
<style type="text/css">
body.jp-Notebook { max-width: 56rem; margin: 0 auto; padding: 2rem 1.5rem 4rem;
  font-family: "Segoe UI", "Helvetica Neue", Arial, sans-serif; line-height: 1.5; }
.jp-Cell { padding: 0; }
.jp-RenderedMarkdown.jp-MarkdownOutput, .jp-OutputArea-output { padding-left: 0; margin-left: 0; }
.jp-OutputPrompt, .jp-InputPrompt { display: none; }
.jp-OutputArea-output img { max-width: 100%; height: auto; }
.jp-RenderedHTMLCommon table { margin: 0.5rem 0 1rem; }
@media print { body.jp-Notebook { max-width: none; padding: 0; } }
</style>
{%- endblock extra_css -%}
"""

_exporter_lock = threading.Lock()
_EXPORTER = None


def quick_nbformat_import() -> None:
    """Import nbformat (and with it jsonschema) without jsonschema's optional IRI checker.

    jsonschema >= 4.25 imports ``rfc3987_syntax`` when it is installed (jupyterlab's
    dependencies bring it), and that module builds a lark grammar for ~3 s at import
    (python-jsonschema/jsonschema#1428). The notebook schema uses no ``format`` keyword, so
    nbformat never needs that checker: when jsonschema is not imported yet, a ``None`` entry
    in ``sys.modules`` makes the optional import fail at once; it is removed again, so a
    later explicit ``import rfc3987_syntax`` works as usual.
    """
    import sys

    if "jsonschema" in sys.modules or "rfc3987_syntax" in sys.modules:
        return
    sys.modules["rfc3987_syntax"] = None
    try:
        import nbformat  # noqa: F401  (imports jsonschema)
    finally:
        if sys.modules.get("rfc3987_syntax", 0) is None:
            del sys.modules["rfc3987_syntax"]


def _exporter():
    """The HTMLExporter, made once (it loads and compiles the templates: ~0.5 s) and shared
    by the worker threads; use it while holding ``_exporter_lock``."""
    global _EXPORTER
    if _EXPORTER is None:
        quick_nbformat_import()
        import jinja2
        from nbconvert import HTMLExporter

        _EXPORTER = HTMLExporter(
            template_name="lab",
            extra_loaders=[jinja2.DictLoader({"socvit_report.html.j2": _TEMPLATE})],
            template_file="socvit_report.html.j2",
            exclude_input=True,
            exclude_input_prompt=True,
            exclude_output_prompt=True,
            embed_images=True,
            # validate the notebook once, after all preprocessors, not after each of them
            # (12 validations of a ~0.5 MB notebook otherwise: ~0.03 s each)
            optimistic_validation=True,
        )
    return _EXPORTER


def notebook_to_html(nb, title: str | None = None) -> str:
    """HTML of an executed notebook: outputs and markdown only, images embedded, no CDN scripts.

    Parameters
    ----------
    nb : nbformat.NotebookNode
        The executed notebook (not changed).
    title : str, optional
        The page title (``<title>``); default the notebook's metadata title or name.

    Examples
    --------
    >>> # In a shell: jupyter nbconvert --to html --no-input rapport.ipynb
    >>> import nbformat
    >>> nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("geheim = 1")])
    >>> nb.cells[0].outputs = [nbformat.v4.new_output(
    ...     "display_data", data={"text/html": "<p>Rapportcijfer 7,6</p>"})]
    >>> page = notebook_to_html(nb, title="Sociale vitaliteit in Pekela (2023)")
    >>> "<p>Rapportcijfer 7,6</p>" in page, "geheim" in page
    (True, False)
    >>> "<title>Sociale vitaliteit in Pekela (2023)</title>" in page
    True
    """
    import copy

    # the exporter works on its own deep copy; only the title goes into a shallow one here
    if title:
        nb = copy.copy(nb)
        nb.metadata = copy.copy(nb.metadata)
        nb.metadata["title"] = title
    with _exporter_lock:
        body, _ = _exporter().from_notebook_node(nb, resources={"metadata": {"name": title or "rapport"}})
    return body


def parameterize(nb, parameters: dict):
    """A copy of ``nb`` with a papermill ``injected-parameters`` cell after its ``parameters``
    cell, exactly as ``papermill -p`` writes it (strings stay string literals:
    ``gemeente = "GM0003"``). ``nb`` should come from ``papermill.iorw.load_notebook_node``
    (which tags every cell)."""
    import copy

    quick_nbformat_import()
    import nbformat
    from papermill.parameterize import parameterize_notebook

    nb = copy.deepcopy(nb)
    nb.metadata.setdefault("papermill", nbformat.NotebookNode())
    return parameterize_notebook(nb, parameters, kernel_name=None, language="python")


def keep_failed_notebook(nb, path, error: str, what: str) -> None:
    """Write an executed notebook that failed to ``path`` (atomically) with a first cell
    saying, in Dutch, that ``what`` failed and showing ``error``."""
    import copy

    import nbformat

    nb = copy.deepcopy(nb)
    note = nbformat.v4.new_markdown_cell(
        f"**socvit reports: {what} is mislukt.** De fout staat hieronder en bij de cel waar "
        f"hij optrad.\n\n```\n{error[-4000:]}\n```"
    )
    note.metadata["tags"] = ["socvit-error"]
    nb.cells.insert(0, note)
    atomic_write(path, nbformat.writes(nb))


def pop_headline(nb) -> dict | None:
    """Remove the headline output(s) from ``nb`` (in place) and return the last one's dict.

    The report notebook's last cell displays one output whose data has mimetype
    :data:`HEADLINE_MIMETYPE` (a dict of headline figures). Returns None when there is none.
    """
    found = None
    for cell in nb.cells:
        if cell.get("cell_type") != "code":
            continue
        keep = []
        for out in cell.get("outputs", []):
            data = out.get("data") or {}
            if HEADLINE_MIMETYPE in data:
                value = data[HEADLINE_MIMETYPE]
                if isinstance(value, str):  # some writers store JSON as text
                    import json

                    value = json.loads(value)
                found = dict(value)
                continue
            keep.append(out)
        cell["outputs"] = keep
    return found


def slug(text: str) -> str:
    """A file-name-safe lowercase form.

    >>> slug("Het Hogeland"), slug("Súdwest-Fryslân")
    ('het-hogeland', 'sudwest-fryslan')
    """
    import unicodedata

    plain = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", plain.lower()).strip("-") or "x"


def fmt_number(value, kind: str) -> str:
    """Dutch display of a headline figure, as in the reports (:mod:`socvit.fmt`):
    ``kind`` ``int`` (``"1.234"``), ``pct`` (a proportion 0-1: ``0.724 -> "72%"``), ``mark``
    and ``score`` (one decimal: ``7.64 -> "7,6"``); None or NaN -> ``"–"``.

    >>> fmt_number(1234, "int"), fmt_number(0.724, "pct"), fmt_number(7.64, "mark")
    ('1.234', '72%', '7,6')
    """
    from .. import fmt

    if isinstance(value, str):
        return html.escape(value)
    if kind == "int":
        return fmt.aantal(value)
    if kind == "pct":
        return fmt.procent(value)
    return fmt.getal(value, decimals=1)


_INDEX_CSS = """
body { font-family: "Segoe UI", "Helvetica Neue", Arial, sans-serif; max-width: 72rem;
  margin: 0 auto; padding: 2rem 1.5rem; color: #1b1b1b; line-height: 1.45; }
h1 { font-size: 1.7rem; margin-bottom: 0.2rem; } h2 { margin-top: 2rem; font-size: 1.25rem; }
p.meta { color: #555; font-size: 0.9rem; }
table { border-collapse: collapse; width: 100%; font-size: 0.95rem; }
th, td { padding: 0.35rem 0.6rem; border-bottom: 1px solid #ddd; }
th { text-align: left; background: #f3f3f3; font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
td.naam, td.bestanden { white-space: nowrap; }
tr.mislukt td { color: #a11; }
a { color: #0b5cad; }
footer { margin-top: 2.5rem; font-size: 0.85rem; color: #555; }
"""


def index_html(sets: list[dict], generated: datetime | None = None) -> str:
    """The Dutch overview page: per golf (and indeling) a table of headline figures, each
    gemeente linking to its report.

    ``sets``: manifests as written by :func:`~socvit.runner.run_reports` (``dir`` relative to
    the index, ``golf``, ``indeling``, ``reports`` mapping code -> entry with ``naam``,
    ``status``, ``file``, ``pdf``, ``headline``), newest golf first.
    """
    generated = generated or datetime.now()
    parts = [
        "<!DOCTYPE html>", '<html lang="nl">', "<head>", '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        "<title>Sociale vitaliteit: rapporten per gemeente</title>",
        f"<style>{_INDEX_CSS}</style>", "</head>", "<body>",
        "<h1>Sociale vitaliteit: rapporten per gemeente</h1>",
        '<p class="meta">Kerncijfers per gemeente; klik op een gemeente voor het volledige rapport. '
        "Scores op een schaal van 0 tot 10; een streepje betekent: te weinig respondenten "
        "of niet beschikbaar.</p>",
    ]
    if not sets:
        parts.append("<p>Er zijn nog geen rapporten gemaakt.</p>")
    for s in sets:
        golf, indeling = s.get("golf"), s.get("indeling")
        head = f"Peiling {golf}"
        if indeling not in (None, golf):
            head += f", gemeentelijke indeling {indeling}"
        parts.append(f"<h2>{html.escape(head)}</h2>")
        parts.append("<table><thead><tr><th>Gemeente</th>"
                     + "".join(f'<th class="num">{html.escape(lab)}</th>' for _, lab, _ in HEADLINE_FIELDS)
                     + "<th>Bestanden</th></tr></thead><tbody>")
        entries = sorted(s.get("reports", {}).values(), key=lambda e: str(e.get("naam", "")).casefold())
        for e in entries:
            naam = html.escape(str(e.get("naam") or e.get("gemeente")))
            code = html.escape(str(e.get("gemeente", "")))
            ok = e.get("status") == "ok"
            rel = f'{s["dir"]}/{e["file"]}' if ok and e.get("file") else None
            cell = f'<a href="{html.escape(rel, quote=True)}">{naam}</a> ({code})' if rel else f"{naam} ({code})"
            head_fig = e.get("headline") or {}
            nums = "".join(f'<td class="num">{fmt_number(head_fig.get(k), kind)}</td>'
                           for k, _, kind in HEADLINE_FIELDS)
            files = []
            if rel:
                files.append(f'<a href="{html.escape(rel, quote=True)}">HTML</a>')
            if ok and e.get("pdf"):
                files.append(f'<a href="{html.escape(s["dir"] + "/" + e["pdf"], quote=True)}">PDF</a>')
            if not ok:
                files.append("rapport mislukt")
            cls = "" if ok else ' class="mislukt"'
            parts.append(f'<tr{cls}><td class="naam">{cell}</td>{nums}'
                         f'<td class="bestanden">{" · ".join(files)}</td></tr>')
        parts.append("</tbody></table>")
        meta = []
        if s.get("data_sha256"):
            meta.append(f"gegevensbestand sha256 {html.escape(s['data_sha256'][:12])}…")
        if s.get("socvit_version"):
            meta.append(f"socvit {html.escape(str(s['socvit_version']))}")
        if meta:
            parts.append(f'<p class="meta">{"; ".join(meta)}</p>')
    parts.append(f"<footer>Gemaakt op {generated:%d-%m-%Y om %H:%M} met socvit.</footer>")
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def find_chromium() -> str | None:
    """Path of a Chromium or Chrome executable, or None."""
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        path = shutil.which(name)
        if path:
            return path
    return None


CHROMIUM_HINT = (
    "PDF output needs Chromium (or Google Chrome) on the PATH, and none was found; the HTML "
    "reports are made anyway. Install it with `sudo apt-get install chromium` (Debian/Ubuntu), "
    "`brew install --cask chromium` (macOS) or from https://www.chromium.org, then run the "
    "same command again: HTML reports that are up to date are kept and only the PDFs are made."
)


def html_to_pdf(html_path, pdf_path, chromium: str | None = None, timeout: float = 120) -> None:
    """Print ``html_path`` to ``pdf_path`` with headless Chromium (atomically).

    Raises RuntimeError with Chromium's message when it fails; the PDF is written
    atomically, so a failed print leaves no file.
    """
    chromium = chromium or find_chromium()
    if chromium is None:
        raise RuntimeError(CHROMIUM_HINT)
    html_path = Path(html_path).resolve()

    def print_to(tmp: str) -> None:
        with tempfile.TemporaryDirectory(prefix="socvit-chromium-") as profile:
            cmd = [chromium, "--headless", "--disable-gpu", "--no-pdf-header-footer",
                   f"--user-data-dir={profile}", f"--print-to-pdf={tmp}", html_path.as_uri()]
            if hasattr(os, "geteuid") and os.geteuid() == 0:
                cmd.insert(1, "--no-sandbox")
            try:
                proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
            except subprocess.TimeoutExpired:
                raise RuntimeError(f"Chromium took longer than {timeout:.0f} s to print "
                                   f"{html_path}.") from None
            if proc.returncode != 0 or os.path.getsize(tmp) == 0:
                raise RuntimeError(f"Chromium could not print {html_path} to PDF "
                                   f"(exit {proc.returncode}): {proc.stderr.strip()[-500:]}")

    atomic_write(pdf_path, print_to)
