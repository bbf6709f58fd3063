"""Every validation rule with a small bad file, and the exit codes of `socvit validate`."""

import shutil
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest

import socvit as sv
from socvit.cli import main
from socvit.errors import DataError
from socvit.io import Problem, cli_validate, validate

CODEBOOK = Path(__file__).parent / "data" / "mini_codebook.yaml"
ROOT = Path(__file__).resolve().parent.parent

HEADER = "resp_id,golf,gemeente,kern,geslacht,opleiding,bet_1,bet_2,bet_3,rapportcijfer,actief,uren,weging"
ROWS = [
    "R001,2017,GM0010,Delfzijl,1,3,4,5,2,7,1,4.5,1.2",
    "R002,2017,GM1651,Uithuizen,2,99,9,3,1,8,0,0,0.8",
    "R003,2021,GM1979,Appingedam,man,laag,3,3,3,6,99,999,1.0",
    "R001,2021,GM1979,Delfzijl,vrouw,2,,4,5,7,1,2,1.1",
]


def write(tmp_path, rows=ROWS, header=HEADER, name="panel.csv", encoding="utf-8", end="\n"):
    shutil.copy(CODEBOOK, tmp_path / "codebook.yaml")
    path = tmp_path / name
    path.write_bytes(("\n".join([header] + list(rows)) + end).encode(encoding))
    return path


def with_cell(row, column, value):
    """ROWS[row] with one cell replaced."""
    cols = HEADER.split(",")
    cells = ROWS[row].split(",")
    cells[cols.index(column)] = value
    rows = list(ROWS)
    rows[row] = ",".join(cells)
    return rows


def only(problems, column=None):
    sel = [p for p in problems if column is None or p.column == column]
    assert len(sel) == 1, [str(p) for p in problems]
    return sel[0]


def test_clean_file_has_no_problems(tmp_path):
    assert validate(write(tmp_path)) == []
    assert sv.validate(write(tmp_path)) == []          # the top-level name


def test_sample_panel_is_clean():
    assert validate(sv.io.SAMPLE_DIR / "panel.csv") == []


@pytest.mark.parametrize("column,value,words", [
    ("bet_1", "7", "not a code of bet_1"),           # code outside the codebook
    ("bet_2", "2.5", "not a code"),                  # non-integer code
    ("actief", "2", "not a code of actief"),
    ("geslacht", "3", "not a code of geslacht"),
    ("geslacht", "onbekend", "text, not a code or label"),
    ("bet_3", "vier", "text, not a number"),         # text in a numeric column
    ("uren", "veel", "text, not a number"),
    ("uren", "250", "outside the valid range 0 to 200"),
    ("rapportcijfer", "11", "outside the valid range 1 to 10"),
    ("weging", "-0.5", "outside the valid range 0 or more"),
    ("golf", "17", "not a year"),
])
def test_bad_value_is_reported_with_line_column_and_value(tmp_path, column, value, words):
    problems = validate(write(tmp_path, with_cell(2, column, value)))
    p = only(problems)
    assert (p.column, p.row, p.value, p.respondent) == (column, 4, value, "R003")
    assert words in p.message
    assert p.severity == "error"
    assert str(p).startswith(f"panel.csv, line 4, respondent R003, column {column}: ")


def test_missing_codes_and_empty_cells_are_not_problems(tmp_path):
    rows = with_cell(0, "uren", "999")         # missing code outside the numeric range
    rows[1] = rows[1].replace(",9,3,1,", ",,3,99,")
    assert validate(write(tmp_path, rows)) == []


def test_unknown_and_missing_columns(tmp_path):
    header = HEADER.replace(",weging", ",extra")
    problems = validate(write(tmp_path, header=header))
    extra, weging = only(problems, "extra"), only(problems, "weging")
    assert extra.severity == "warning" and "not in the codebook" in extra.message
    assert weging.severity == "error" and "not a column of the file" in weging.message


def test_gemeente_not_existing_in_the_wave(tmp_path):
    # Eemsdelta did not exist in 2017; Delfzijl no longer in 2021
    rows = with_cell(0, "gemeente", "GM1979")
    rows[3] = rows[3].replace("GM1979", "GM0010")
    problems = validate(write(tmp_path, rows))
    assert [(p.row, p.value) for p in problems] == [(2, "GM1979"), (5, "GM0010")]
    assert "Eemsdelta" in problems[0].message and "did not exist" in problems[0].message


@pytest.mark.parametrize("value,words", [("GM10", "not a CBS gemeente code"),
                                         ("GM9999", "is unknown"),
                                         ("", "gemeente is empty")])
def test_bad_gemeente_codes(tmp_path, value, words):
    p = only(validate(write(tmp_path, with_cell(1, "gemeente", value))))
    assert p.row == 3 and words in p.message


def test_gemeente_registry_beside_the_file(tmp_path, monkeypatch):
    from socvit import gemeenten
    monkeypatch.setattr(gemeenten, "_BY_CODE", dict(gemeenten._BY_CODE))
    monkeypatch.setattr(gemeenten, "_BY_NAME", dict(gemeenten._BY_NAME))
    rows = with_cell(1, "gemeente", "GM8001")
    path = write(tmp_path, rows)
    assert "unknown" in only(validate(path)).message
    (tmp_path / "gemeenten.csv").write_text("code,name,begin\nGM8001,Testdorp,2000\n")
    assert validate(path) == []


def test_duplicate_respondent_in_a_wave(tmp_path):
    rows = ROWS + [ROWS[0]]
    p = only(validate(write(tmp_path, rows)))
    assert (p.column, p.row, p.respondent) == ("resp_id", 6, "R001")
    assert "also on line 2" in p.message
    # the same respondent in another wave is fine (R001 is in 2017 and 2021 already)


@pytest.mark.parametrize("value,words", [("", "weight is missing"), ("-1", "outside the valid range")])
def test_missing_or_negative_weight(tmp_path, value, words):
    p = only(validate(write(tmp_path, with_cell(3, "weging", value))))
    assert (p.column, p.row) == ("weging", 5) and words in p.message


def test_missing_id_and_wave(tmp_path):
    rows = with_cell(0, "resp_id", "")
    rows[1] = with_cell(1, "golf", "")[1]
    problems = validate(write(tmp_path, rows))
    by_col = {p.column: p for p in problems}
    assert by_col["resp_id"].row == 2 and "id is empty" in by_col["resp_id"].message
    assert by_col["golf"].row == 3 and "wave (golf) is empty" in by_col["golf"].message


def test_empty_file_and_header_only(tmp_path):
    path = tmp_path / "leeg.csv"
    path.write_bytes(b"")
    shutil.copy(CODEBOOK, tmp_path / "codebook.yaml")
    assert "is empty" in only(validate(path)).message
    path.write_text(HEADER + "\n")
    assert "no data rows" in only(validate(path)).message


def test_truncated_file(tmp_path):
    # cut mid-line: the last line has fewer fields and no newline
    path = write(tmp_path, ROWS[:3] + ["R004,2021,GM1979,Delf"], end="")
    p = only(validate(path))
    assert p.row == 5 and "ends in the middle of this line (4 of 13 fields)" in p.message


def test_rows_with_wrong_number_of_fields(tmp_path):
    rows = list(ROWS)
    rows[1] = rows[1] + ",extra"
    rows[2] = ",".join(rows[2].split(",")[:-2])
    problems = validate(write(tmp_path, rows))
    assert [(p.row, p.column) for p in problems] == [(3, None), (4, None)]
    assert "14 fields, the header has 13" in problems[0].message
    assert "11 fields" in problems[1].message
    # the good rows after a skipped one keep their own line numbers
    rows.append(ROWS[0].replace("R001,2017", "R009,2017").replace(",7,1,", ",12,1,"))
    p = [p for p in validate(write(tmp_path, rows)) if p.column == "rapportcijfer"]
    assert p[0].row == 6


def test_blank_lines_are_skipped_and_counted(tmp_path):
    rows = ROWS[:2] + [""] + [with_cell(2, "bet_1", "6")[2]]
    p = only(validate(write(tmp_path, rows)))
    assert (p.row, p.column) == (5, "bet_1")


def test_many_problems_are_listed_up_to_a_cap_with_the_count(tmp_path):
    rows = [f"R{i:04d},2017,GM0010,Delfzijl,1,3,8,5,2,7,1,4.5,1.2" for i in range(50)]
    problems = validate(write(tmp_path, rows), max_per_rule=5)
    assert len(problems) == 6
    assert problems[-1].count == 45 and "45 more rows" in problems[-1].message
    assert sum(p.count for p in problems) == 50


def test_dutch_csv_validates_with_decimal_comma(tmp_path):
    rows = [r.replace(",", ";") for r in ROWS]
    rows = [r.replace("4.5", "4,5").replace("1.2", "1,2") for r in rows]
    path = write(tmp_path, rows, header=HEADER.replace(",", ";"), encoding="cp1252")
    assert validate(path) == []
    rows[0] = rows[0].replace(";7;", ";7,5;")
    # a mark of 7,5 is not a whole code; it is in range, so allowed for kind mark
    assert validate(write(tmp_path, rows, header=HEADER.replace(",", ";"))) == []


@pytest.mark.parametrize("content,words", [
    (b"resp_id,golf\nR1,2017\n\x81\x8d\x8f\x90,x\n", "neither UTF-8 nor Windows-1252"),
    (b"PK\x03\x04rest of a zip", "Excel workbook"),
    (b"\x00\x01\x02binary", "NUL bytes"),
    (b"just some text without separators\nmore\n", "not a table"),
    (b"resp_id,golf,golf\nR1,2017,2019\n", "appear more than once"),
])
def test_unreadable_files_raise(tmp_path, content, words):
    shutil.copy(CODEBOOK, tmp_path / "codebook.yaml")
    path = tmp_path / "panel.csv"
    path.write_bytes(content)
    with pytest.raises(DataError, match=words):
        validate(path)


def test_missing_file_and_missing_codebook(tmp_path):
    with pytest.raises(DataError, match="does not exist"):
        validate(tmp_path / "nergens.csv", codebook=CODEBOOK)
    (tmp_path / "panel.csv").write_text(HEADER + "\n" + ROWS[0] + "\n")
    with pytest.raises(DataError, match="no codebook.yaml beside it"):
        validate(tmp_path / "panel.csv")


def test_load_panel_refuses_data_with_errors_and_warns_for_unknown_columns(tmp_path):
    path = write(tmp_path, with_cell(0, "bet_1", "7"))
    with pytest.raises(DataError) as err:
        sv.load_panel(path)
    msg = str(err.value)
    assert "1 problem" in msg and "line 2" in msg and "bet_1" in msg and "socvit validate" in msg
    path = write(tmp_path, [r + ",x" for r in ROWS], header=HEADER + ",extra")
    with pytest.warns(sv.SocvitWarning, match="extra"):
        panel = sv.load_panel(path)
    assert list(panel.data["extra"]) == ["x"] * 4


def test_load_panel_error_shows_at_most_ten_and_the_count(tmp_path):
    rows = [f"R{i:04d},2017,GM0010,Delfzijl,1,3,8,5,2,7,1,4.5,1.2" for i in range(40)]
    with pytest.raises(DataError) as err:
        sv.load_panel(write(tmp_path, rows))
    msg = str(err.value)
    assert "40 problems" in msg and msg.count("  - ") == 10 and "30 more" in msg


@pytest.mark.parametrize("column,value,rule", [
    ("bet_1", "7", "is not a code of bet_1"), ("bet_3", "vier", "is text, not a number"),
    ("uren", "250", "is outside the valid range 0 to 200"), ("golf", "17", "is not a year"),
    ("gemeente", "GM9", "is not a CBS gemeente code"),
])
def test_redacted_problems_name_row_and_column_not_id_or_value(tmp_path, monkeypatch, column,
                                                               value, rule):
    """Issue 14: what may reach a report folder names file, row and column only."""
    p = only(validate(write(tmp_path, with_cell(2, column, value))), column)
    assert p.redacted().startswith(f"panel.csv, line 4, column {column}: the value {rule}")
    assert "R003" not in p.redacted() and repr(value) not in p.redacted()
    assert f"value {value!r} {rule}" in str(p) and "R003" in str(p)   # socvit validate: all
    text = sv.io.summarise([p], "panel.csv", redact=True)
    assert "line 4, column" in text and "R003" not in text and repr(value) not in text
    monkeypatch.setenv("SOCVIT_PUBLIC_ERRORS", "1")         # as in the runner's kernels
    with pytest.raises(DataError) as err:
        sv.load_panel(write(tmp_path, with_cell(2, column, value)))
    assert "R003" not in str(err.value) and repr(value) not in str(err.value)
    assert f"line 4, column {column}: the value {rule}" in str(err.value)


def test_redacted_duplicate_respondent(tmp_path):
    p = only(validate(write(tmp_path, ROWS + [ROWS[3]])))
    assert p.redacted().startswith("panel.csv, line 6, column resp_id: the respondent id "
                                   "appears twice in the same wave: also on line 5")
    assert "R001" not in p.redacted() and "R001" in str(p)


def test_problem_str_for_records_and_whole_file():
    p = Problem("panel.parquet", "bet_1", 3, 7, "value 7 is bad", unit="record")
    assert str(p) == "panel.parquet, record 3, column bet_1: value 7 is bad"
    assert str(Problem("x.csv", None, None, None, "the file is empty.")) == "x.csv: the file is empty."


def test_parquet_and_sav_are_validated_by_record(tmp_path):
    df = pd.read_csv(write(tmp_path, with_cell(1, "bet_2", "6")), dtype={"resp_id": str})
    df.to_parquet(tmp_path / "panel.parquet")
    p = only(validate(tmp_path / "panel.parquet"))
    assert (p.row, p.unit, p.column, p.value) == (2, "record", "bet_2", 6)
    import pyreadstat
    pyreadstat.write_sav(df, str(tmp_path / "panel.sav"))
    p = only(validate(tmp_path / "panel.sav"))
    assert (p.row, p.column, p.value, p.respondent) == (2, "bet_2", 6, "R002")


# ----------------------------------------------------------------------------- CLI
def test_cli_exit_codes(tmp_path, capsys):
    good = write(tmp_path)
    assert main(["validate", str(good)]) == 0
    assert "no problems found (4 rows, 13 columns)" in capsys.readouterr().out
    bad = write(tmp_path, with_cell(0, "bet_1", "7") + [ROWS[0]], name="slecht.csv")
    assert main(["validate", str(bad), "--codebook", str(CODEBOOK)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("slecht.csv, line 2, respondent R001, column bet_1: value '7'")
    assert out[-1] == "slecht.csv: 2 errors and 0 warnings (5 rows, 13 columns)."
    assert main(["validate", str(tmp_path / "nergens.csv")]) == 2
    assert "does not exist" in capsys.readouterr().err
    broken = tmp_path / "kapot.yaml"
    broken.write_text("variables: [{name: x, kind: onzin}]\n")
    assert main(["validate", str(good), "--codebook", str(broken)]) == 2
    assert "onzin" in capsys.readouterr().err


def test_cli_writes_nothing(tmp_path):
    path = write(tmp_path, with_cell(0, "bet_1", "7"))
    before = sorted(p.name for p in tmp_path.iterdir())
    assert cli_validate(SimpleNamespace(path=str(path), codebook=None)) == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == before


def test_cli_subprocess_never_shows_a_traceback(tmp_path):
    exe = ROOT / ".venv" / "bin" / "socvit"
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "socvit.cli"]
    cases = {0: write(tmp_path), 1: write(tmp_path, with_cell(0, "golf", "abc"), name="b.csv")}
    enc = tmp_path / "enc.csv"
    enc.write_bytes(b"resp_id,golf\n\x81\x8d,2017\n")
    cases[2] = enc
    for code, path in cases.items():
        res = subprocess.run(cmd + ["validate", str(path)], capture_output=True, text=True,
                             timeout=60)
        assert res.returncode == code, res.stderr
        assert "Traceback" not in res.stdout + res.stderr


@pytest.mark.parametrize("order", ["sorted", "shuffled"])
def test_duplicates_found_in_sorted_and_unsorted_files(tmp_path, order):
    # sorted by wave and id, duplicates are found by comparing neighbours; otherwise by hashing
    rows = [f"R{i:03d},{w},GM1979,Delfzijl,1,3,4,5,2,7,1,4.5,1.2" for w in (2021, 2023) for i in range(30)]
    rows.insert(11, rows[10])                   # R010 2021 twice
    rows.insert(45, rows[44])                   # R013 2023 twice
    rows.insert(46, rows[44])                   # ... three times
    if order == "shuffled":
        rows = rows[::-1]
    problems = validate(write(tmp_path, rows))
    assert all(p.column == "resp_id" for p in problems)
    got = sorted((p.respondent, p.row) for p in problems)
    if order == "sorted":
        assert got == [("R010", 13), ("R013", 47), ("R013", 48)]
    # whatever the order: every later copy is reported, pointing at the first one
    first, later = {}, []
    for line, r in enumerate(rows, start=2):
        key = tuple(r.split(",")[:2])
        if key in first:
            later.append((key[0], line, first[key]))
        else:
            first[key] = line
    assert got == sorted((rid, line) for rid, line, _ in later)
    assert {p.row: p.message.split("also on line ")[1].split(".")[0] for p in problems} == \
        {line: str(f) for _, line, f in later}


def test_kern_name_in_two_gemeenten_of_one_wave_is_a_warning(tmp_path):
    rows = list(ROWS)
    rows[2] = "R003,2021,GM1895,Oostwold,man,laag,3,3,3,6,99,999,1.0"
    rows[3] = "R004,2021,GM1969,Oostwold,vrouw,2,,4,5,7,1,2,1.1"
    p = only(validate(write(tmp_path, rows)))
    assert (p.severity, p.column, p.value) == ("warning", "kern", "Oostwold")
    assert "Oldambt (GM1895) and Westerkwartier (GM1969)" in p.message
    # one name in two waves under two codes (a herindeling) is one village: no warning
    rows[3] = "R004,2017,GM0022,Oostwold,vrouw,2,,4,5,7,1,2,1.1"
    assert validate(write(tmp_path, rows)) == []
    # the warning does not stop loading
    rows[3] = "R004,2021,GM1969,Oostwold,vrouw,2,,4,5,7,1,2,1.1"
    with pytest.warns(sv.SocvitWarning, match="Oostwold"):
        panel = sv.load_panel(write(tmp_path, rows))
    assert sv.gemeenten.kern_key(panel).tolist()[2:] == ["Oostwold (Oldambt)",
                                                         "Oostwold (Westerkwartier)"]
