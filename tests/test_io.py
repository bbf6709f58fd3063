"""Loading and writing panels: dtypes, missing codes, Dutch CSV detection, round trips."""

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import socvit as sv
from socvit.io import apply_codebook, load_panel, parse_numbers, read_raw, write_panel

CODEBOOK = Path(__file__).parent / "data" / "mini_codebook.yaml"

HEADER = ["resp_id", "golf", "gemeente", "kern", "geslacht", "opleiding", "bet_1", "bet_2",
          "bet_3", "rapportcijfer", "actief", "uren", "weging"]
ROWS = [
    ["007", "2017", "GM0010", "Delfzijl", "1", "3", "4", "5", "2", "7", "1", "4.5", "1.25"],
    ["R002", "2017", "GM1651", "Uithuizen", "2", "99", "9", "3", "1", "8", "0", "0", "0.8"],
    ["R003", "2021", "GM1979", "Café ’t Dorp", "man", "laag", "3", "99", "3", "6", "99", "999", "1"],
    ["007", "2021", "GM1979", "Delfzijl", "vrouw", "2", "", "4", "5", "", "1", "2.75", "1.1"],
]


def write_csv(tmp_path, sep=",", decimal=".", encoding="utf-8", name="panel.csv", rows=ROWS):
    shutil.copy(CODEBOOK, tmp_path / "codebook.yaml")
    lines = [sep.join(HEADER)]
    for r in rows:
        cells = [c.replace(".", decimal) if i >= 11 else c for i, c in enumerate(r)]
        lines.append(sep.join(cells))
    path = tmp_path / name
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode(encoding))
    return path


def expected_frame():
    """The typed frame of ROWS, written out by hand."""
    eens = lambda *x: pd.array(x, dtype="Int64")
    return pd.DataFrame({
        "resp_id": pd.array(["007", "R002", "R003", "007"], dtype="string"),
        "golf": eens(2017, 2017, 2021, 2021),
        "gemeente": pd.array(["GM0010", "GM1651", "GM1979", "GM1979"], dtype="string"),
        "kern": pd.array(["Delfzijl", "Uithuizen", "Café ’t Dorp", "Delfzijl"], dtype="string"),
        "geslacht": pd.Categorical(["man", "vrouw", "man", "vrouw"], categories=["man", "vrouw"]),
        "opleiding": pd.Categorical(["hoog", None, "laag", "middelbaar"],
                                    categories=["laag", "middelbaar", "hoog"], ordered=True),
        "bet_1": eens(4, None, 3, None),
        "bet_2": eens(5, 3, None, 4),
        "bet_3": eens(2, 1, 3, 5),
        "rapportcijfer": eens(7, 8, 6, None),
        "actief": eens(1, 0, None, 1),
        "uren": [4.5, 0.0, np.nan, 2.75],
        "weging": [1.25, 0.8, 1.0, 1.1],
    })


def test_csv_types_and_missing_codes(tmp_path):
    panel = load_panel(write_csv(tmp_path))
    assert isinstance(panel, sv.Panel) and panel.source.endswith("panel.csv")
    pd.testing.assert_frame_equal(panel.data, expected_frame())


@pytest.mark.parametrize("sep,decimal,encoding", [
    (";", ",", "cp1252"),          # what Dutch Excel writes
    (";", ",", "utf-8-sig"),       # Excel's "CSV UTF-8"
    (",", ".", "utf-8-sig"),
    ("\t", ",", "cp1252"),
    (";", ".", "utf-8"),
])
def test_dutch_csv_is_detected(tmp_path, sep, decimal, encoding):
    path = write_csv(tmp_path, sep, decimal, encoding)
    raw = read_raw(path)
    assert raw.sep == sep and raw.encoding == encoding
    pd.testing.assert_frame_equal(load_panel(path).data, expected_frame())


def test_dirty_csv_falls_back_to_text_and_keeps_values(tmp_path):
    rows = [list(r) for r in ROWS]
    rows[0][11] = '"4,5"'          # a quoted decimal comma in a comma-separated file
    rows[1][12] = " 0.8 "          # spaces around a number
    path = write_csv(tmp_path, rows=rows)
    pd.testing.assert_frame_equal(load_panel(path).data, expected_frame())


def test_parse_numbers():
    s = pd.Series([" 1 ", "2,5", "-3.25", "", None, "1e3", "abc", ".5", "4,5,6"], dtype="string")
    vals, text = parse_numbers(s)
    np.testing.assert_array_equal(vals, [1, 2.5, -3.25, np.nan, np.nan, 1000, np.nan, 0.5, np.nan])
    np.testing.assert_array_equal(text, [0, 0, 0, 0, 0, 0, 1, 0, 1])


def test_apply_codebook_numeric_ids_and_gemeente_codes():
    cb = sv.Codebook.from_yaml(CODEBOOK)
    raw = pd.DataFrame({"resp_id": [12.0, 13.0], "gemeente": [10.0, 1979.0], "kern": ["a ", None]})
    out = apply_codebook(raw, cb)
    assert list(out["resp_id"]) == ["12", "13"]
    assert list(out["gemeente"]) == ["GM0010", "GM1979"]
    assert out["kern"].iloc[0] == "a" and pd.isna(out["kern"].iloc[1])
    assert all(str(t) == "string" for t in out.dtypes)


@pytest.mark.parametrize("ext", ["csv", "parquet", "sav"])
def test_round_trip(tmp_path, ext):
    panel = load_panel(write_csv(tmp_path))
    out = write_panel(panel, tmp_path / "export" / f"panel.{ext}")
    assert out.exists() and not list(out.parent.glob("*.tmp"))
    back = load_panel(out, codebook=CODEBOOK)
    pd.testing.assert_frame_equal(back.data, panel.data)


def test_excel_csv_round_trip(tmp_path):
    panel = load_panel(write_csv(tmp_path))
    out = write_panel(panel, tmp_path / "excel.csv", excel=True)
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbfresp_id;golf;") and b";4,5;" in raw and b"\r\n" in raw
    assert read_raw(out).sep == ";" and read_raw(out).encoding == "utf-8-sig"
    pd.testing.assert_frame_equal(load_panel(out, codebook=CODEBOOK).data, panel.data)


def test_sav_round_trip_keeps_labels(tmp_path):
    import pyreadstat
    panel = load_panel(write_csv(tmp_path))
    path = write_panel(panel, tmp_path / "panel.sav")
    _, meta = pyreadstat.read_sav(str(path), metadataonly=True)
    assert meta.column_names_to_labels["bet_1"] == "Ik voel me thuis in mijn dorp"
    assert meta.variable_value_labels["geslacht"] == {1.0: "man", 2.0: "vrouw"}
    assert meta.variable_value_labels["bet_1"][9.0] == "weet niet / geen mening"
    # without codebook.yaml beside it, the codebook comes from the .sav labels
    alone = tmp_path / "alone"
    alone.mkdir()
    shutil.copy(path, alone / "panel.sav")
    derived = load_panel(alone / "panel.sav")
    assert derived.codebook.variable("bet_1").kind == "likert"
    assert derived.codebook.label("geslacht") == "Geslacht"
    pd.testing.assert_series_equal(derived.data["geslacht"], panel.data["geslacht"])
    pd.testing.assert_series_equal(derived.data["bet_2"], panel.data["bet_2"])


def test_write_panel_is_atomic_and_checks_its_input(tmp_path):
    panel = load_panel(write_csv(tmp_path))
    target = tmp_path / "out.csv"
    target.write_text("old content")
    bad = panel.data.copy()
    bad["kapot"] = [object()] * len(bad)       # pyarrow cannot write this
    with pytest.raises(Exception):
        write_panel(bad, tmp_path / "out.parquet")
    assert not (tmp_path / "out.parquet").exists()
    assert not list(tmp_path.glob("*.tmp"))
    with pytest.raises(ValueError, match="xlsx"):
        write_panel(panel, tmp_path / "out.xlsx")
    with pytest.raises(TypeError, match="Panel or a DataFrame"):
        write_panel([1, 2], target)
    assert target.read_text() == "old content"


def test_sample_loads_with_the_documented_dtypes():
    panel = sv.load_sample()
    d = panel.data
    for col in ("resp_id", "gemeente", "kern"):
        assert str(d[col].dtype) == "string"
    for col in ("golf", "bet_1", "rapportcijfer", "actief"):
        assert str(d[col].dtype) == "Int64"
    assert list(d["geslacht"].cat.categories) == ["man", "vrouw"]
    assert d["leeftijdsklasse"].cat.ordered and "18-34 jaar" in d["leeftijdsklasse"].cat.categories
    assert d["leeftijd"].dtype == "float64"
    assert not d["bet_1"].isin([9, 99]).any()          # missing codes became NA
    assert set(d["golf"].unique()) == {2017, 2019, 2021, 2023}
    np.testing.assert_array_equal(panel.items("betrokkenheid").columns, ["bet_1", "bet_2", "bet_3", "bet_4"])
    assert panel.items("betrokkenheid").dtypes.eq("float64").all()


def test_sample_parquet_equals_sample_csv():
    csv = sv.load_sample()
    pq = load_panel(sv.io.SAMPLE_DIR / "panel.parquet")
    pd.testing.assert_frame_equal(pq.data, csv.data)


def test_panel_numeric_refuses_categoricals(tmp_path):
    panel = load_panel(write_csv(tmp_path))
    with pytest.raises(sv.DataError, match="geslacht"):
        panel.numeric("geslacht")
    sub = panel.subset(panel.data["golf"] == 2021)
    assert len(sub.data) == 2 and sub.codebook is panel.codebook


@pytest.mark.parametrize("ext", ["csv", "parquet"])
def test_loaded_data_can_be_edited(tmp_path, ext):
    # arrow hands out read-only buffers; panel.data must still accept assignments
    panel = load_panel(write_csv(tmp_path))
    path = write_panel(panel, tmp_path / f"p.{ext}")
    d = load_panel(path, codebook=CODEBOOK).data
    d.loc[0, "bet_1"] = 3
    d.loc[1, "uren"] = 7.5
    d.loc[0, "kern"] = "Farmsum"
    d.loc[0, "geslacht"] = "vrouw"
    assert d.loc[0, ["bet_1", "kern", "geslacht"]].tolist() == [3, "Farmsum", "vrouw"]
    assert d.loc[1, "uren"] == 7.5


def test_code_class_lookup_table_edges():
    from socvit.io import code_class
    v = np.array([0, 1, 2, 5, 9, 99, 100, -1, -5, 3, 1000])
    expected = [0, 1, 1, 1, 2, 2, 0, 0, 0, 1, 0]          # 1 valid, 2 missing, 0 neither
    assert code_class(v, [1, 2, 3, 4, 5], [9, 99]).tolist() == expected
    assert code_class(v.astype(float), [1, 2, 3, 4, 5], [9, 99]).tolist() == expected
    f = np.array([0.0, 1.0, 1.5, np.nan, np.inf, -np.inf, 1e300, 99.0, -0.0])
    assert code_class(f, [0, 1], [99]).tolist() == [1, 1, 0, 0, 0, 0, 0, 2, 1]
    assert code_class(np.array([0, 1, 2, -1, 99]), [0, 1], [99]).tolist() == [1, 1, 0, 0, 2]
    # codes the table does not handle fall back to np.isin
    assert code_class(np.array([-9.0, 1.0, 2.5]), [1, 2.5], [-9]).tolist() == [2, 1, 1]


def test_apply_codebook_does_not_share_memory_with_its_input():
    cb = sv.Codebook.from_yaml(CODEBOOK)
    raw = pd.DataFrame({"bet_1": np.array([1, 2, 9], dtype=np.int64), "golf": [2017, 2019, 2021]})
    out = apply_codebook(raw, cb)
    assert out["bet_1"].tolist()[:2] == [1, 2] and pd.isna(out["bet_1"].iloc[2])
    out.loc[0, "bet_1"] = 5
    out.loc[0, "golf"] = 2023
    assert raw["bet_1"].tolist() == [1, 2, 9] and raw["golf"].tolist() == [2017, 2019, 2021]


@pytest.mark.parametrize("name,excel", [("s.sav", False), ("s.parquet", False), ("s.csv", True)])
def test_sample_round_trips(tmp_path, name, excel):
    panel = sv.load_sample()
    out = write_panel(panel, tmp_path / name, excel=excel)
    back = load_panel(out, codebook=panel.codebook)
    pd.testing.assert_frame_equal(back.data, panel.data)
