"""Turning executed report notebooks into files: offline HTML, the index page, PDF.

Used by :mod:`socvit.runner._run`; the functions are plain and can be called on any
executed notebook.

* :func:`notebook_to_html` writes the outputs (never the code) as one self-contained Dutch
  page with socvit's own stylesheet (``rapport.css``, package data: screen and A4 print, a
  few KB instead of JupyterLab's ~260 KB), the title as a cover with a contents list, no
  scripts, nothing fetched from elsewhere. Markdown is rendered by nbconvert's renderer.
* :func:`pop_headline` takes the headline figures (one output with mimetype
  :data:`HEADLINE_MIMETYPE`) out of a notebook, so they feed the index page and never show
  in the report.
* :func:`index_html` writes the Dutch overview page with a table of headline figures.
* :func:`html_to_pdf` prints an HTML file to an A4 PDF (running header, page numbers,
  tagged, with bookmarks) with headless Chromium over the DevTools protocol
  (:mod:`socvit.runner._chromium`).

Every file is written with :func:`socvit._files.atomic_write` (a temporary file in the
target folder, then renamed), so a reader, or a run killed halfway, never sees a part.
"""

from __future__ import annotations

import html
import re
from datetime import datetime
from pathlib import Path

from .._files import atomic_write
from ..report._headline import HEADLINE_MIMETYPE
from ._chromium import find_chromium

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


def stylesheet() -> str:
    """The report's own stylesheet (package data ``socvit/runner/rapport.css``, read once):
    screen and A4 print, a few kilobytes instead of JupyterLab's ~260 KB."""
    global _CSS
    if _CSS is None:
        from importlib import resources

        _CSS = (resources.files("socvit.runner") / "rapport.css").read_text(encoding="utf-8")
    return _CSS


_CSS = None


def _markdown(source: str, ids: dict) -> str:
    """Markdown to HTML with nbconvert's renderer (as JupyterLab shows it), headings given
    an ``id`` (unique in the page) instead of JupyterLab's pilcrow anchor links."""
    from nbconvert.filters.markdown_mistune import IPythonRenderer, MarkdownWithMath

    class _Renderer(IPythonRenderer):
        def heading(self, text, level, **attrs):
            plain = re.sub(r"<[^>]+>", "", text)
            base = slug(plain)
            ident = base
            k = 1
            while ident in ids:
                k += 1
                ident = f"{base}-{k}"
            ids[ident] = (level, html.unescape(plain))
            return f'<h{level} id="{ident}">{text}</h{level}>\n'

    renderer = _Renderer(escape=False, exclude_anchor_links=True)
    return MarkdownWithMath(renderer=renderer).render(source)


def _page_css(kop: str) -> str:
    """``@page`` rules for print: the running header ``kop`` top left over a thin rule and
    "pagina n van N" bottom right on every page but the cover (CSS margin boxes, Chromium
    131 or newer; an older Chromium prints the pages without them)."""
    text = kop.replace("\\", "\\\\").replace('"', '\\"').replace("<", "\\3c ").replace("\n", " ")
    box = "font-family: 'DejaVu Sans', Arial, sans-serif; font-size: 7.5pt; color: #4d4d4d;"
    return ("@page { @top-left { content: \"" + text + "\"; " + box + " vertical-align: bottom; "
            "padding-bottom: 1.5mm; border-bottom: 0.5pt solid #b0b0b0; }\n"
            "  @bottom-right { content: \"pagina \" counter(page) \" van \" counter(pages); "
            + box + " } }\n"
            "@page :first { @top-left { content: none; border: none; } "
            "@bottom-right { content: none; } }\n")


_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def _output_html(out, ids: dict) -> str:
    """One notebook output as HTML (what JupyterLab would show, code never)."""
    kind = out.get("output_type")
    if kind == "stream":
        return f'<pre class="uitvoer">{html.escape(_ANSI.sub("", "".join(out.get("text", ""))))}</pre>'
    if kind == "error":
        trace = _ANSI.sub("", "\n".join(out.get("traceback") or [out.get("evalue", "")]))
        return f'<pre class="fout">{html.escape(trace)}</pre>'
    data = out.get("data") or {}

    def text(key):
        value = data[key]
        return "".join(value) if isinstance(value, list) else str(value)
    if "text/html" in data:
        return text("text/html")
    if "text/markdown" in data:
        return _markdown(text("text/markdown"), ids)
    for mime in ("image/svg+xml", "image/png", "image/jpeg"):
        if mime in data:
            raw = text(mime)
            if mime == "image/svg+xml":
                import base64

                raw = base64.b64encode(raw.encode("utf-8")).decode("ascii")
            return (f'<img src="data:{mime};base64,{raw.strip()}" alt="Afbeelding" '
                    f'style="max-width:100%">')
    if "text/plain" in data:
        return f'<pre class="uitvoer">{html.escape(text("text/plain"))}</pre>'
    return ""


def _cover(first: str, ids: dict) -> tuple[str, str]:
    """(running header, cover HTML) from the first output when it holds the report's
    ``<h1>`` title and its line "**panel, golf** · date"; else ("", "")."""
    m = re.match(r'\s*<h1 id="([^"]+)">(.*?)</h1>\s*(?:<p>(.*?)</p>)?\s*$', first, flags=re.S)
    if not m:
        return "", ""
    title, line = m.group(2), m.group(3) or ""
    sub = re.match(r"<strong>(.*?)</strong>\s*·?\s*(.*)$", line, flags=re.S)
    plain = lambda t: html.unescape(re.sub(r"<[^>]+>", "", t)).strip()   # noqa: E731
    kop = " · ".join(x for x in (plain(title), plain(sub.group(1)) if sub else plain(line)) if x)
    parts = ['<header class="omslag">', f'<h1 id="{m.group(1)}">{title}</h1>']
    if sub:
        parts.append(f'<p class="ondertitel"><strong>{sub.group(1)}</strong></p>')
        if sub.group(2).strip():
            parts.append(f'<p class="datum">{sub.group(2).strip()}</p>')
    elif line:
        parts.append(f'<p class="ondertitel">{line}</p>')
    parts.append("{inhoud}")
    parts.append('<p class="uitgave">Gemaakt met socvit.</p></header>')
    return kop, "\n".join(parts)


def notebook_to_html(nb, title: str | None = None) -> str:
    """HTML of an executed notebook: outputs only (no code), Dutch, self-contained and lean.

    The page is ``<html lang="nl">`` with socvit's own stylesheet (:func:`stylesheet`, for
    screen and A4 print) and no scripts. Markdown outputs are rendered as nbconvert does
    (headings get ids), HTML outputs (tables, figures) are kept as they are. When the first
    output is the report's title (an ``<h1>`` and "**panel, golf** · date"), it becomes the
    cover with a contents list of the ``<h2>`` headings, and the printed pages get a running
    header (title · panel, golf) and page numbers (:func:`_page_css`).

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
    >>> "<p>Rapportcijfer 7,6</p>" in page, "geheim" in page, '<html lang="nl">' in page
    (True, False, True)
    >>> "<title>Sociale vitaliteit in Pekela (2023)</title>" in page
    True
    """
    title = title or nb.get("metadata", {}).get("title") or "Rapport"
    ids: dict = {}
    blocks = []
    for cell in nb.cells:
        if cell.get("cell_type") == "markdown":
            blocks.append([_markdown(cell.source, ids)])
        elif cell.get("cell_type") == "code":
            shown = [h for h in (_output_html(o, ids) for o in cell.get("outputs", [])) if h]
            if shown:
                blocks.append(shown)
    kop, cover = _cover(blocks[0][0], ids) if blocks else ("", "")
    if cover:
        blocks[0] = blocks[0][1:]
        items = [f'<li><a href="#{i}">{html.escape(t)}</a></li>'
                 for i, (level, t) in ids.items() if level == 2]
        nav = ('<nav class="inhoud" aria-labelledby="inhoud-kop"><p class="inhoud-kop" '
               f'id="inhoud-kop">Inhoud</p><ol>{"".join(items)}</ol></nav>') if items else ""
        cover = cover.replace("{inhoud}", nav)
    head = ["<!DOCTYPE html>", '<html lang="nl">', "<head>", '<meta charset="utf-8">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            '<meta name="generator" content="socvit">']
    head += [f"<title>{html.escape(title)}</title>",
             f"<style>\n{stylesheet()}{_page_css(kop) if kop else ''}</style>",
             "</head>", "<body>"]
    body = [cover] if cover else []
    body.append("<main>")
    body += ["<section>\n" + "\n".join(b) + "\n</section>" for b in blocks if b]
    body += ["</main>", "</body>", "</html>"]
    # control characters (from a name in a registry file, say) are not allowed in HTML
    return _CONTROL.sub("", "\n".join(head + body) + "\n")


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


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


def slug(text: str, max_len: int | None = None) -> str:
    """A file-name-safe lowercase form; longer than ``max_len``: cut, with a short hash of
    the whole text, so that two long names that begin alike stay apart.

    >>> slug("Het Hogeland"), slug("Súdwest-Fryslân")
    ('het-hogeland', 'sudwest-fryslan')
    >>> slug("Zuid " * 600, max_len=30)
    'zuid-zuid-zuid-zuid-z-b542017f'
    """
    import unicodedata

    plain = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode()
    out = re.sub(r"[^a-z0-9]+", "-", plain.lower()).strip("-") or "x"
    if max_len is not None and len(out) > max_len:
        import hashlib

        digest = hashlib.sha256(str(text).encode("utf-8")).hexdigest()[:8]
        out = f"{out[: max_len - 9].rstrip('-')}-{digest}"
    return out


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
tr.verouderd td { color: #6b4e00; }
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
            stale = e.get("status") == "stale"    # an earlier report kept after a failed remake
            ok = e.get("status") == "ok" or stale
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
            if ok and e.get("xlsx"):            # the table book (--format xlsx)
                files.append(f'<a href="{html.escape(s["dir"] + "/" + e["xlsx"], quote=True)}">Excel</a>')
            if stale:
                files.append("verouderd: opnieuw maken mislukt")
            if not ok:
                files.append("rapport ontbreekt" if e.get("status") == "missing" else "rapport mislukt")
            cls = ' class="verouderd"' if stale else "" if ok else ' class="mislukt"'
            parts.append(f'<tr{cls}><td class="naam">{cell}</td>{nums}'
                         f'<td class="bestanden">{" · ".join(files)}</td></tr>')
        parts.append("</tbody></table>")
        if s.get("kerncijfers"):                # the run's workbook of headline figures
            parts.append(f'<p class="meta"><a href="{html.escape(s["dir"] + "/" + s["kerncijfers"], quote=True)}">'
                         "Kerncijfers van alle gemeenten (Excel)</a></p>")
        meta = []
        # every data file the reports of this set were made from, with how many each
        versions: dict = {}
        for e in entries:
            if e.get("status") in ("ok", "stale") and e.get("data_sha256"):
                key = (str(e.get("data") or ""), e["data_sha256"])
                versions[key] = versions.get(key, 0) + 1
        if not versions and s.get("data_sha256"):
            versions[("", s["data_sha256"])] = 0
        for (name, sha), count in versions.items():
            label = f"gegevensbestand {html.escape(name)}" if name else "gegevensbestand"
            times = (f" ({count} rapport{'en' if count != 1 else ''})"
                     if count and len(versions) > 1 else "")
            meta.append(f"{label} sha256 {html.escape(sha[:12])}…{times}")
        if any(e.get("status") == "stale" for e in entries):
            meta.append("verouderd: het rapport kon niet opnieuw worden gemaakt; het eerdere "
                        "rapport staat er nog")
        if s.get("socvit_version"):
            meta.append(f"socvit {html.escape(str(s['socvit_version']))}")
        if meta:
            parts.append(f'<p class="meta">{"; ".join(meta)}</p>')
    parts.append(f"<footer>Gemaakt op {generated:%d-%m-%Y om %H:%M} met socvit.</footer>")
    parts.append("</body></html>")
    return _CONTROL.sub("", "\n".join(parts) + "\n")


CHROMIUM_HINT = (
    "PDF output needs Chromium (or Google Chrome) on the PATH, and none was found; the HTML "
    "reports are made anyway. Install it with `sudo apt-get install chromium` (Debian/Ubuntu), "
    "`brew install --cask chromium` (macOS) or from https://www.chromium.org, then run the "
    "same command again: HTML reports that are up to date are kept and only the PDFs are made."
)


#: Page.printToPDF options: the page size, margins, running header and page numbers of the
#: report's CSS (A4; ``@page`` margin boxes, none on the cover: :func:`_page_css`), tagged PDF
#: (structure for screen readers, the document language from ``<html lang>``) with an
#: outline (bookmarks) of the headings
PDF_OPTIONS = {"preferCSSPageSize": True, "printBackground": True, "displayHeaderFooter": False,
               "generateTaggedPDF": True, "generateDocumentOutline": True}


def html_to_pdf(html_path, pdf_path, chromium: str | None = None, timeout: float = 120) -> None:
    """Print ``html_path`` to ``pdf_path`` with headless Chromium (atomically), as a
    publication: A4 as the page's CSS says, a running header and page numbers, tagged, with
    an outline of its headings (:data:`PDF_OPTIONS`; Chromium driven over the DevTools
    protocol, :mod:`socvit.runner._chromium`).

    Raises RuntimeError with Chromium's message when it fails or takes longer than
    ``timeout`` seconds (it is then killed with all its processes); the PDF is written
    atomically, so a failed print leaves no file.
    """
    from ._chromium import print_pdf

    chromium = chromium or find_chromium()
    if chromium is None:
        raise RuntimeError(CHROMIUM_HINT)
    html_path = Path(html_path).resolve()
    try:
        data = print_pdf(chromium, html_path.as_uri(), PDF_OPTIONS, timeout=timeout)
    except (OSError, ValueError, KeyError) as exc:     # a garbled answer, a closed pipe
        raise RuntimeError(f"Chromium could not print {html_path} to PDF: "
                           f"{type(exc).__name__}: {exc}") from None
    if not data.startswith(b"%PDF"):
        raise RuntimeError(f"Chromium printed no PDF for {html_path}.")
    atomic_write(pdf_path, data)
