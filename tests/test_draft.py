"""Onboarding a real panel: `socvit codebook draft DATA.sav` and `socvit validate DATA.sav
--codebook CB.yaml` comparing the file's value labels with the codebook."""

import subprocess
import sys

import pandas as pd
import pyreadstat
import pytest
import yaml

import socvit as sv
from socvit.cli import main
from socvit.codebook import Codebook, draft_yaml, write_draft
from socvit.errors import CodebookError

EENS = {1.0: "helemaal mee oneens", 2.0: "mee oneens", 3.0: "neutraal", 4.0: "mee eens",
        5.0: "helemaal mee eens"}


@pytest.fixture(scope="module")
def sample_sav(tmp_path_factory):
    """The first 300 rows of the sample as .sav, written by socvit.io.write_panel."""
    p = sv.load_sample()
    path = tmp_path_factory.mktemp("sav") / "panel.sav"
    sv.io.write_panel(sv.io.Panel(p.data.head(300), p.codebook), path)
    return path


def own_sav(path):
    """A bureau's own file: other names, a delivered weight, user-missing 9 and 99 with their
    own labels, a 'weet niet' SPSS does not mark as missing, an ordinal class, a mark and a
    variable without any labels."""
    df = pd.DataFrame({
        "respnr": ["A1", "A2", "A3", "A4"],
        "jaar": [2023.0] * 4,
        "gemeente_code": ["GM1895", "GM1969", "GM1969", "GM1895"],
        "dorp": ["Oostwold", "Oostwold", "Leek", "Winschoten"],
        "v1": [1.0, 5.0, 9.0, 99.0],
        "v2": [2.0, 4.0, 8.0, 3.0],
        "lftklas": [1.0, 2.0, 3.0, 2.0],
        "cijfer_gem": [7.0, 8.0, 6.0, 99.0],
        "weegfactor": [0.8, 1.2, 1.0, 1.1],
        "GEWICHT_2023": [1.0, 1.0, 1.0, 1.0],
        "x17": [3.0, 4.0, 5.0, 6.0],
    })
    labels = ["Respondentnummer", "Jaar", "Gemeente", "Dorp", "Ik voel me thuis",
              "Mensen helpen elkaar", "Leeftijdsklasse", "Rapportcijfer gemeente", "Weegfactor",
              "Gewicht 2023", None]
    pyreadstat.write_sav(
        df, str(path), column_labels=labels,
        variable_value_labels={
            "v1": {**EENS, 9.0: "weet niet", 99.0: "geen antwoord"},
            "v2": {**EENS, 8.0: "weet niet"},                   # 8 not user-missing in SPSS
            "lftklas": {1.0: "jong", 2.0: "middelbaar", 3.0: "oud"},
            "cijfer_gem": {99.0: "geen antwoord"}},
        missing_ranges={"v1": [9.0, 99.0], "cijfer_gem": [99.0]},
        variable_measure={"lftklas": "ordinal", "v1": "ordinal", "v2": "ordinal",
                          "x17": "scale"})
    return path


def test_draft_of_the_sample_has_its_kinds_codes_and_missing_codes(sample_sav):
    text = draft_yaml(sample_sav)
    cb = Codebook.from_dict(yaml.safe_load(text))
    ref = sv.load_sample().codebook
    assert list(cb.variables) == list(ref.variables)
    for name, v in ref.variables.items():
        got = cb.variables[name]
        assert got.kind == v.kind, name
        assert got.values == v.values, name
        if v.kind != "categorical":       # write_panel stores categoricals' labels only
            assert got.missing == v.missing, name   # 9 and 99: each its own label
    assert cb.variables["bet_1"].missing == {9: "weet niet / geen mening", 99: "geen antwoord"}
    assert "# KIES: is dit een schaalitem? welke schaal?" in text
    assert "#   bet: {label: bet, items: [bet_1, bet_2, bet_3, bet_4]}" in text
    # the file passes validation against its own draft
    out = sample_sav.parent / "draft.yaml"
    out.write_text(text, encoding="utf-8")
    assert [p for p in sv.validate(sample_sav, codebook=out) if p.severity == "error"] == []


def test_draft_of_an_own_panel(tmp_path):
    path = own_sav(tmp_path / "eigen.sav")
    text = draft_yaml(path)
    cb = Codebook.from_dict(yaml.safe_load(text))
    kinds = {n: v.kind for n, v in cb.variables.items()}
    assert kinds == {"respnr": "id", "jaar": "wave", "gemeente_code": "gemeente", "dorp": "kern",
                     "v1": "likert", "v2": "likert", "lftklas": "categorical",
                     "cijfer_gem": "mark", "weegfactor": "weight", "GEWICHT_2023": "weight",
                     "x17": "numeric"}
    v1, v2 = cb.variables["v1"], cb.variables["v2"]
    assert v1.missing == {9: "weet niet", 99: "geen antwoord"}     # kept apart
    assert v2.missing == {8: "weet niet"} and sorted(v2.values) == [1, 2, 3, 4, 5]
    assert "8 = weet niet: in SPSS geen ontbrekende waarde, hier wel" in text
    assert cb.variables["lftklas"].ordered
    assert cb.variables["cijfer_gem"].range == (1.0, 10.0)
    assert cb.variables["cijfer_gem"].missing == {99: "geen antwoord"}
    assert "herkend als weegfactor aan de naam" in text
    assert "#   weight: weegfactor" in text
    assert "2 weegfactoren (weegfactor, GEWICHT_2023): welke hoort bij deze golf?" in text
    # x17 has neither a variable label nor value labels: named by itself, with a question
    assert cb.variables["x17"].label == "x17"
    lines = text.splitlines()
    at = next(i for i, s in enumerate(lines) if s.startswith("  - {name: x17"))
    assert "geen variabelelabel" in lines[at - 2] and "geldige bereik" in lines[at - 1]


def test_cli_draft_writes_beside_the_data_and_never_overwrites(tmp_path, capsys):
    path = own_sav(tmp_path / "eigen.sav")
    assert main(["codebook", "draft", str(path)]) == 0
    written = tmp_path / "codebook.yaml"
    assert "concept-codeboek met 11 variabelen" in capsys.readouterr().out
    first = written.read_text(encoding="utf-8")
    Codebook.from_yaml(written)
    written.write_text("# mijn eigen codeboek\n", encoding="utf-8")
    assert main(["codebook", "draft", str(path)]) == 2
    err = capsys.readouterr().err
    assert "codebook.yaml already exists" in err and "--force" in err
    assert written.read_text(encoding="utf-8") == "# mijn eigen codeboek\n"   # untouched
    assert main(["codebook", "draft", str(path), "--force"]) == 0
    assert written.read_text(encoding="utf-8") == first
    other = tmp_path / "sub" / "cb.yaml"
    assert main(["codebook", "draft", str(path), "--out", str(other)]) == 0
    assert other.read_text(encoding="utf-8") == first
    assert sorted(p.name for p in tmp_path.rglob("*.tmp")) == []      # atomic: no leftovers


@pytest.mark.parametrize("name,content,words", [
    ("kapot.sav", b"resp_id,golf\nR1,2023\n", "cannot be read as an SPSS .sav file"),
    ("panel.csv", b"resp_id,golf\nR1,2023\n", "is not an SPSS .sav file"),
])
def test_cli_draft_bad_input_is_one_paragraph(tmp_path, capsys, name, content, words):
    path = tmp_path / name
    path.write_bytes(content)
    assert main(["codebook", "draft", str(path)]) == 2
    err = capsys.readouterr().err
    assert words in err and str(path) in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1
    assert not (tmp_path / "codebook.yaml").exists()


def test_cli_draft_missing_file_and_command_line(tmp_path):
    with pytest.raises(CodebookError, match="does not exist"):
        write_draft(tmp_path / "nergens.sav")
    r = subprocess.run([sys.executable, "-m", "socvit.cli", "codebook", "draft",
                        str(tmp_path / "nergens.sav")], capture_output=True, text=True)
    assert r.returncode == 2 and "does not exist" in r.stderr and "Traceback" not in r.stderr


def reversed_sav(sample_sav, tmp_path, turn):
    """The sample as .sav with the labels of bet_1 turned by ``turn(code)``."""
    p = sv.load_sample()
    raw = p.codebook.to_dict()
    for v in raw["variables"]:
        if v["name"] == "bet_1":
            v["values"] = {k: v["values"][turn(k)] for k in v["values"]}
    path = tmp_path / "omgekeerd.sav"
    sv.io.write_panel(sv.io.Panel(p.data.head(50), Codebook.from_dict(raw)), path)
    return path


def test_validate_sav_coded_the_other_way_round_does_not_pass(sample_sav, tmp_path, capsys):
    path = reversed_sav(sample_sav, tmp_path, lambda k: 6 - k)
    cb = sv.io.SAMPLE_DIR / "codebook.yaml"
    problems = sv.validate(path, codebook=cb)
    assert len(problems) == 1
    p = problems[0]
    assert (p.severity, p.column) == ("error", "bet_1")
    assert "1 = 'helemaal mee eens' in the file, 1 = 'helemaal mee oneens' in the codebook" \
        in p.message
    assert "coded the other way round" in p.message
    assert main(["validate", str(path), "--codebook", str(cb)]) == 1
    assert "column bet_1" in capsys.readouterr().out
    with pytest.raises(sv.DataError, match="bet_1"):
        sv.load_panel(path, codebook=cb)


def test_validate_sav_labels_differing_only_in_case_or_spaces_pass(tmp_path):
    p = sv.load_sample()
    raw = p.codebook.to_dict()
    for v in raw["variables"]:
        if v["name"] == "bet_1":
            v["values"] = {k: "  " + t.upper() for k, t in v["values"].items()}
    path = tmp_path / "hoofdletters.sav"
    sv.io.write_panel(sv.io.Panel(p.data.head(50), Codebook.from_dict(raw)), path)
    assert sv.validate(path, codebook=sv.io.SAMPLE_DIR / "codebook.yaml") == []
    # one label changed (not a reversal) is still an error, without the reversal remark
    raw["variables"] = [dict(v, values={**v["values"], 3: "weet niet"}) if v["name"] == "bet_1"
                        else v for v in raw["variables"]]
    sv.io.write_panel(sv.io.Panel(p.data.head(50), Codebook.from_dict(raw)), path)
    (p1,) = sv.validate(path, codebook=sv.io.SAMPLE_DIR / "codebook.yaml")
    assert "3 = 'weet niet' in the file, 3 = 'neutraal' in the codebook" in p1.message
    assert "other way round" not in p1.message


def test_validate_sav_missing_code_labels_differing_is_a_warning(tmp_path):
    p = sv.load_sample()
    raw = p.codebook.to_dict()
    for v in raw["variables"]:
        if v["name"] == "bet_1":
            v["missing"] = {9: "weet niet", 99: "geen antwoord"}
    path = tmp_path / "ontbrekend.sav"
    sv.io.write_panel(sv.io.Panel(p.data.head(50), Codebook.from_dict(raw)), path)
    (w,) = sv.validate(path, codebook=sv.io.SAMPLE_DIR / "codebook.yaml")
    assert (w.severity, w.column) == ("warning", "bet_1")
    assert "9 = 'weet niet' in the file, 9 = 'weet niet / geen mening' in the codebook" in w.message


def test_cli_an_unwritable_out_and_an_unexpected_error_are_one_paragraph(sample_sav, tmp_path,
                                                                          capsys, monkeypatch):
    """socvit's main turns an OSError or any unexpected error into one paragraph, exit 2."""
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    assert main(["codebook", "draft", str(sample_sav), "--out", str(blocker / "cb.yaml")]) == 2
    err = capsys.readouterr().err
    assert "socvit codebook: a file could not be read or written" in err
    assert "Traceback" not in err and err.count("\n") == 1

    def broken(*args, **kwargs):
        raise RuntimeError("kapot")
    monkeypatch.setattr("socvit.codebook.write_draft", broken)
    assert main(["codebook", "draft", str(sample_sav), "--out", str(tmp_path / "cb.yaml")]) == 2
    err = capsys.readouterr().err
    assert "unexpected error (RuntimeError: kapot)" in err and "bug in socvit" in err
