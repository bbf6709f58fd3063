"""The table book (issue 15): ``socvit reports --format xlsx`` writes per gemeente an Excel
workbook with the numbers of the report, and one workbook with every gemeente's headline.

The workbooks are read back with openpyxl and compared with what the HTML report shows
(its tables' text, parsed) and with the sections' own tidy tables; numbers are checked as
the report displays them (Dutch, rounded by the cell's number format) and exactly against
the tables behind them."""

from __future__ import annotations

import html
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import openpyxl
import pytest

import socvit as sv
from socvit import fmt
from socvit.errors import DataError
from socvit.runner import plan_reports, run_reports

sys.path.insert(0, str(Path(__file__).parent))
import other_panel as op  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


# --------------------------------------------------------------------------- helpers
class _Tables(HTMLParser):
    """Every <table> of a page: its caption and the text of its body cells, row by row."""

    def __init__(self):
        super().__init__()
        self.tables, self._in, self._text, self._row = [], None, [], None

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.tables.append({"caption": "", "rows": []})
        elif tag in ("caption", "td") and self.tables:
            self._in, self._text = tag, []
        elif tag == "tr" and self.tables:
            self._row = []

    def handle_endtag(self, tag):
        if tag == self._in == "caption":
            self.tables[-1]["caption"] = "".join(self._text).strip()
            self._in = None
        elif tag == self._in == "td":
            self._row.append("".join(self._text).strip())
            self._in = None
        elif tag == "tr" and self._row:
            self.tables[-1]["rows"].append(self._row)
            self._row = None

    def handle_data(self, data):
        if self._in:
            self._text.append(data)


def html_table(page: str, caption_part: str) -> list:
    parser = _Tables()
    parser.feed(page)
    found = [t for t in parser.tables if caption_part in html.unescape(t["caption"])]
    assert len(found) == 1, [t["caption"] for t in parser.tables]
    return found[0]["rows"]


def sheet_rows(ws):
    """(header, rows as dicts of cells) of a table book sheet: the header is row 4."""
    header = [c.value for c in ws[4]]
    rows = []
    for r in ws.iter_rows(min_row=5, values_only=True):
        if r[0] is None:
            break                                # the notes follow an empty row
        rows.append(dict(zip(header, r)))
    return header, rows


def shown(cell) -> str:
    """A cell as a Dutch Excel shows it: by its number format, with a decimal comma."""
    v = cell.value
    if cell.number_format == "0%":
        return fmt.procent(v)
    if cell.number_format == "0.0":
        return fmt.getal(v, 1)
    if cell.number_format == "#,##0":
        return fmt.aantal(v)
    raise AssertionError(f"unexpected number format {cell.number_format} for {v!r}")


def find_sheet(wb, suffix: str):
    names = [n for n in wb.sheetnames if n.endswith(suffix)]
    assert len(names) == 1, wb.sheetnames
    return wb[names[0]]


# --------------------------------------------------------------------------- the sample
@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """Eemsdelta and Pekela 2023: first HTML only, then with the table book in the same
    folder (remade: the books are missing), then again (up to date)."""
    out = tmp_path_factory.mktemp("boek")
    kw = dict(golf=2023, gemeenten=["Eemsdelta", "Pekela"], jobs=2, out=out, progress=False)
    plain = run_reports(**kw)
    html_only = {p.name: p.read_bytes() for p in (out / "2023").glob("*.html")}
    assert not list((out / "2023").glob("*.xlsx"))
    books = run_reports(formats="html,xlsx", **kw)
    again = run_reports(formats="xlsx", **kw)
    return out / "2023", plain, html_only, books, again


@pytest.mark.slow
def test_asking_for_the_book_later_remakes_and_keeps_the_html(runs):
    folder, plain, html_only, books, again = runs
    assert plain.exit_code == books.exit_code == again.exit_code == 0
    assert plain.workbook is None and books.workbook == folder / "kerncijfers-2023.xlsx"
    assert books.made == 2                       # the books were missing: remade
    assert again.skipped == 2 and again.made == 0
    assert sorted(p.name for p in folder.glob("*.xlsx")) == [
        "GM0765-pekela.xlsx", "GM1979-eemsdelta.xlsx", "kerncijfers-2023.xlsx"]
    # the report itself does not change because a table book was asked for
    for name, content in html_only.items():
        assert (folder / name).read_bytes() == content, name
    assert "kerncijfers-2023.xlsx" in books.summary()
    index = (folder.parent / "index.html").read_text(encoding="utf-8")
    assert 'href="2023/GM1979-eemsdelta.xlsx"' in index and 'href="2023/GM0765-pekela.xlsx"' in index
    assert 'href="2023/kerncijfers-2023.xlsx"' in index


@pytest.mark.slow
def test_eemsdelta_book_shows_the_numbers_of_the_html(runs):
    folder = runs[0]
    page = (folder / "GM1979-eemsdelta.html").read_text(encoding="utf-8")
    wb = openpyxl.load_workbook(folder / "GM1979-eemsdelta.xlsx")
    assert wb.sheetnames[0] == "Toelichting"
    assert all(n.startswith(("Figuur ", "Tabel ")) for n in wb.sheetnames[1:])

    # Tabel "Kerncijfers": the gemeente and the comparison area, as the HTML shows them
    ws = find_sheet(wb, "Kerncijfers")
    header, _ = sheet_rows(ws)
    shown_html = html_table(page, "Kerncijfers Eemsdelta")
    col_g, col_v = header.index("Eemsdelta"), header.index("Rest van de provincie")
    rows = [r for r in ws.iter_rows(min_row=5) if r[0].value is not None]
    assert len(rows) == len(shown_html) == 6
    for cells, text in zip(rows, shown_html):
        assert cells[0].value == text[0]
        assert shown(cells[col_g]) == text[1].rstrip("*")
        assert shown(cells[col_v]) == text[2].rstrip("*")
    assert {c.number_format for r in rows for c in (r[col_g],)} == {"0%", "0.0"}

    # Tabel "per dorp of wijk": the same kernen in the same order with the same numbers
    ws = find_sheet(wb, "Dorpen en wijken")
    header, _ = sheet_rows(ws)
    kern_html = html_table(page, "per dorp of wijk in Eemsdelta")
    rows = [r for r in ws.iter_rows(min_row=5) if r[0].value is not None
            and r[0].row < 5 + len(kern_html)]
    assert [r[0].value for r in rows] == [t[0] for t in kern_html]
    for cells, text in zip(rows, kern_html):
        assert [shown(c) for c in cells[1:4]] == [t.rstrip("*") for t in text[1:4]]
    indicatief = [t[0] for t in kern_html if t[2].endswith("*")]
    flags = {r[0].value: r[header.index("Indicatief")].value for r in rows}
    assert indicatief and all(flags[k] == "ja" for k in indicatief)
    assert any("niet getoond" in (ws.cell(row=i, column=1).value or "")
               for i in range(5 + len(kern_html), ws.max_row + 1))

    # Tabel "Respondenten per golf"
    ws = find_sheet(wb, "Respons")
    resp_html = html_table(page, "Respondenten uit Eemsdelta per golf")
    _, rows = sheet_rows(ws)
    assert [(str(r["Golf"]), fmt.aantal(r["Respondenten"])) for r in rows] == [
        (t[0], t[1]) for t in resp_html]

    # every data sheet: caption, source, a frozen Dutch header, readable widths, no ids
    for ws in wb.worksheets[1:]:
        assert ws.freeze_panes == "A5"
        assert re.search(r"\b(Figuur|Tabel) \d+\. ", ws["A1"].value), ws["A1"].value
        assert ws["A2"].value.startswith("Bron:")
        header = [c.value for c in ws[4]]
        assert not {"resp_id", "Respondentnummer", "estimate", "ci_lower"} & set(header), header
        assert ws.column_dimensions["A"].width >= 10
        assert ws.max_row < 120                  # aggregates, not respondents


@pytest.mark.slow
def test_book_cells_hold_the_sections_numbers(runs):
    """Unrounded: exactly the estimates of the sections' tidy tables."""
    folder = runs[0]
    wb = openpyxl.load_workbook(folder / "GM1979-eemsdelta.xlsx")
    r = sv.report.prepare("Eemsdelta", golf=2023)
    scores = sv.report.organisatiekracht(r).tables["scores"]
    _, rows = sheet_rows(find_sheet(wb, "Organisatiekracht"))
    assert [(x["Onderwerp"], x["Groep"]) for x in rows] == list(zip(scores["label"], scores["group"]))
    for col, dutch in (("estimate", "Score (0-10)"), ("ci_lower", "Ondergrens 95%-interval"),
                       ("ci_upper", "Bovengrens 95%-interval"), ("n", "Respondenten")):
        np.testing.assert_allclose([x[dutch] for x in rows], scores[col].astype(float), rtol=1e-12)
    trend = sv.report.trends(r).tables["actief"]
    _, rows = sheet_rows(find_sheet(wb, "Actief per golf"))
    np.testing.assert_allclose([x["Aandeel actief"] for x in rows], trend["estimate"], rtol=1e-12)
    assert find_sheet(wb, "Actief per golf")["C5"].number_format == "0%"

    about = {row[0]: row[1] for row in wb["Toelichting"].iter_rows(min_row=3, values_only=True)
             if row[0]}
    assert about["Panel"] == r.codebook.panel.name and about["Bron"] == r.codebook.panel.source
    assert about["Golf"] == 2023 and about["Gemeentelijke indeling"] == 2023
    assert about["Weging"] == "gewogen naar leeftijd en geslacht"
    assert "minder dan 10 respondenten" in about["Onthullingsregels"]
    contents = [row[0] for row in wb["Toelichting"].iter_rows(values_only=True)]
    assert wb.sheetnames[1:] == contents[contents.index("Inhoud") + 1:]


@pytest.mark.slow
def test_run_workbook_has_one_row_per_gemeente(runs):
    folder = runs[0]
    ws = openpyxl.load_workbook(folder / "kerncijfers-2023.xlsx")["Kerncijfers"]
    header, rows = sheet_rows(ws)
    assert ws.freeze_panes == "A5"
    assert [x["CBS-code"] for x in rows] == ["GM1979", "GM0765"]       # by name
    man = __import__("json").loads((folder / "manifest.json").read_text(encoding="utf-8"))
    for x in rows:
        head = man["reports"][x["CBS-code"]]["headline"]
        assert x["Gemeente"] == head["naam"] and x["Respondenten"] == head["n"]
        assert x["Actief voor dorp of wijk"] == pytest.approx(head["pct_actief"], rel=1e-12)
        assert x["Betrokkenheid"] == pytest.approx(head["betrokkenheid"], rel=1e-12)
    assert ws.cell(row=5, column=header.index("Actief voor dorp of wijk") + 1).number_format == "0%"
    assert ws.cell(row=5, column=header.index("Rapportcijfer gemeente") + 1).number_format == "0.0"


def test_suppressed_cells_are_empty_with_a_note(tmp_path):
    """Pekela with min_n 115: waves and items with fewer respondents are suppressed; the book
    leaves their numbers empty, says why, and agrees with the report's table."""
    r = sv.report.prepare("Pekela", golf=2023, min_n=115, warn_n=200)
    sections = [getattr(sv.report, name)(r) for name in sv.report.shown_sections(r)]
    path = tmp_path / "pekela.xlsx"
    assert sv.report.tabellenboek(r, path) is None
    wb = openpyxl.load_workbook(path)
    _, rows = sheet_rows(find_sheet(wb, "Uitspraken eens"))
    hidden = [x for x in rows if x["Niet getoond"] == "ja"]
    assert hidden and len(hidden) < len(rows)
    for x in hidden:
        assert x["Aandeel (helemaal) eens"] is None and x["Respondenten"] is None
        assert x["Ondergrens 95%-interval"] is None
        assert x["Opmerking"] == "niet getoond: minder dan 115 respondenten"
    assert all(isinstance(x["Aandeel (helemaal) eens"], float) for x in rows if x not in hidden)

    # the per-wave table: empty exactly where the report says "niet getoond"
    trends = next(s for s in sections if "scores_per_golf" in s.tables)
    page = next(str(p) for k, p in trends.parts if k == "html")
    report_rows = html_table(page, "per golf")
    _, rows = sheet_rows(find_sheet(wb, "Scores per golf"))
    golven = sorted({x["Golf"] for x in rows})
    for text in report_rows:
        for golf, cell in zip(golven, text[1:]):
            row = next(x for x in rows if x["Onderwerp"] == text[0] and x["Golf"] == golf)
            if cell == fmt.NIET_GETOOND:
                assert row["Score (0-10)"] is None and row["Niet getoond"] == "ja"
            else:
                assert fmt.getal(row["Score (0-10)"], 1) == cell.rstrip("*")

    # the response table: fewer than min_n -> empty, as the report's "minder dan 115"
    _, rows = sheet_rows(find_sheet(wb, "Respons"))
    few = [x for x in rows if x["Respondenten"] is None]
    assert few and all(x["Opmerking"].startswith("minder dan 115") for x in few)


def test_too_few_respondents_the_book_holds_what_the_report_still_shows(tmp_path):
    """Pekela below min_n: the report shows only the province-wide model and the alphas of
    all respondents; so does the book, with the gemeente's alphas empty."""
    r = sv.report.prepare("Pekela", golf=2023, min_n=500, warn_n=500)
    sections = [getattr(sv.report, name)(r) for name in sv.report.shown_sections(r)]
    sv.report.tabellenboek(r, tmp_path / "pekela.xlsx")
    wb = openpyxl.load_workbook(tmp_path / "pekela.xlsx")
    shown = [c for s in sections for c in s.shown_in.values()]
    assert len(wb.sheetnames) == 1 + len(shown) == 3
    _, rows = sheet_rows(find_sheet(wb, "Betrouwbaarheid"))
    assert all(x["Alfa Pekela"] is None and isinstance(x["Alfa alle respondenten"], float)
               for x in rows)


def test_a_table_the_report_does_not_show_is_not_in_the_book(tmp_path):
    r = sv.report.prepare("Eemsdelta", golf=2023)
    sec = sv.report.kerncijfers(r)
    sec.tables["geheim"] = sec.tables["kerncijfers"]       # stored, shown nowhere
    names = [s.name for s in sv.report.book_sheets(r, [sec])]
    assert names and not any("geheim" in n for n in names)


def test_the_run_workbook_leaves_missing_figures_empty(tmp_path):
    rows = [{"gemeente": "GM0765", "naam": "Pekela", "golf": 2023, "n": None},
            {"gemeente": "GM1979", "naam": "Eemsdelta", "golf": 2023, "n": 359,
             "pct_actief": 0.3063, "rapportcijfer": 6.78, "betrokkenheid": 7.5}]
    path = sv.report.kerncijfers_boek(rows, tmp_path / "k.xlsx", golf=2023)
    header, got = sheet_rows(openpyxl.load_workbook(path)["Kerncijfers"])
    assert [x["Gemeente"] for x in got] == ["Eemsdelta", "Pekela"]
    assert got[1]["Respondenten"] is None and got[1]["Actief voor dorp of wijk"] is None
    assert got[0]["Actief voor dorp of wijk"] == 0.3063
    assert not list(tmp_path.glob(".*.tmp"))          # written atomically, nothing left over


# --------------------------------------------------------------------------- other panel
@pytest.mark.slow
def test_book_on_the_other_panel(tmp_path):
    data = op.write(tmp_path / "panel")
    res = run_reports(data, golf=2023, gemeenten=["Eemsdelta"], jobs=1, formats="xlsx",
                      out=tmp_path / "out", progress=False)
    assert res.exit_code == 0, res.summary()
    folder = tmp_path / "out" / "2023"
    wb = openpyxl.load_workbook(folder / "GM1979-eemsdelta.xlsx")
    about = {row[0]: row[1] for row in wb["Toelichting"].iter_rows(min_row=3, values_only=True)
             if row[0]}
    assert about["Panel"] == op.NAME and about["Bron"] == op.SOURCE
    assert about["Weging"] == "gewogen met de meegeleverde weegfactor"
    _, rows = sheet_rows(find_sheet(wb, "Uitspraken antwoorden"))
    assert set(op.EENS7.values()) <= {x["Antwoord"] for x in rows}     # the 7-point items
    page = (folder / "GM1979-eemsdelta.html").read_text(encoding="utf-8")
    ws = find_sheet(wb, "Kerncijfers")
    kern_html = html_table(page, "Kerncijfers Eemsdelta")
    cells = [r for r in ws.iter_rows(min_row=5) if r[0].value is not None]
    assert [c[0].value for c in cells] == [t[0] for t in kern_html]
    assert [shown(c[1]) for c in cells] == [t[1].rstrip("*") for t in kern_html]
    _, heads = sheet_rows(openpyxl.load_workbook(folder / "kerncijfers-2023.xlsx")["Kerncijfers"])
    assert [x["CBS-code"] for x in heads] == ["GM1979"]
    # remade without a table book: the old books would not match the new report
    again = run_reports(data, golf=2023, gemeenten=["Eemsdelta"], jobs=1, force=True,
                        out=tmp_path / "out", progress=False)
    assert again.made == 1 and not list(folder.glob("*.xlsx"))
    assert ".xlsx" not in (tmp_path / "out" / "index.html").read_text(encoding="utf-8")


# --------------------------------------------------------------------------- bad input
@pytest.mark.parametrize("bad", ["xls", "html,excel", "docx"])
def test_an_unknown_format_lists_the_choices(bad):
    with pytest.raises(DataError, match=r"--format takes one or more of html, pdf, xlsx"):
        plan_reports(formats=bad)


def test_cli_format_xls_is_a_clear_error():
    proc = subprocess.run([sys.executable, "-m", "socvit.cli", "reports", "--format", "xls"],
                          capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert proc.returncode == 2
    assert "Unknown report format xls (an Excel table book is xlsx)" in proc.stderr
    assert "html, pdf, xlsx" in proc.stderr and "Traceback" not in proc.stderr


def test_tabellenboek_without_sections_or_path():
    r = sv.report.prepare("Eemsdelta", golf=2023)
    assert sv.report.tabellenboek(r, None) is None          # the notebook's default
    with pytest.raises(DataError, match="No report sections were made for Eemsdelta"):
        sv.report.tabellenboek(r, "x.xlsx")
    assert not Path("x.xlsx").exists()
