"""The codebook: the sample's codebook, malformed codebooks, YAML round trip, from_sav."""

import copy

import pandas as pd
import pytest

import socvit as sv
from socvit.codebook import Codebook
from socvit.errors import CodebookError

GOOD = {
    "name": "test",
    "value_sets": {"eens5": {1: "helemaal mee oneens", 2: "mee oneens", 3: "neutraal",
                             4: "mee eens", 5: "helemaal mee eens"}},
    "missing_sets": {"likert": {9: "weet niet", 99: "geen antwoord"}},
    "variables": [
        {"name": "resp_id", "label": "Respondent", "kind": "id"},
        {"name": "golf", "kind": "wave"},
        {"name": "a1", "label": "Item 1", "kind": "likert", "values": "eens5", "missing": "likert"},
        {"name": "a2", "label": "Item 2", "kind": "likert", "values": "eens5", "missing": "likert"},
        {"name": "cijfer", "kind": "mark", "range": [1, 10]},
        {"name": "actief", "kind": "binary", "values": {0: "nee", 1: "ja"}},
    ],
    "scales": {"schaal_a": {"label": "Schaal A", "items": ["a1", "a2"], "reverse": ["a2"],
                            "min_valid": 1, "group": "g"}},
    "elements": {"el": {"label": "Element", "scales": ["schaal_a"]}},
}


def test_sample_codebook():
    cb = Codebook.from_yaml(sv.io.SAMPLE_DIR / "codebook.yaml")
    assert cb.scales_in("organisatiekracht") == ["betrokkenheid", "overtuigingen", "bereidheid",
                                                 "capaciteit"]
    assert cb.scale("betrokkenheid").element == "betrokkenheid_overtuigingen"
    assert cb.scale("capaciteit").element == "bereidheid_capaciteit"
    assert len(cb.scales_in("actie")) == 5
    assert cb.variable("bet_1").missing == {9: "weet niet / geen mening", 99: "geen antwoord"}
    assert cb.variable("bet_1").values[5] == "helemaal mee eens"
    assert cb.column("gemeente") == "gemeente" and cb.column("id") == "resp_id"
    assert cb.column("weight") is None
    assert cb.label("betrokkenheid") == "Betrokkenheid"
    assert set(cb.elements) == {"betrokkenheid_overtuigingen", "bereidheid_capaciteit"}


def test_yaml_round_trip(tmp_path):
    cb = Codebook.from_dict(GOOD)
    path = tmp_path / "cb.yaml"
    cb.to_yaml(path)
    back = Codebook.from_yaml(path)
    assert back.to_dict() == cb.to_dict()
    assert back.variable("cijfer").range == (1.0, 10.0)
    assert back.scale("schaal_a").keys() == {"a1": 1, "a2": -1}


def broken(edit):
    raw = copy.deepcopy(GOOD)
    edit(raw)
    return raw


def var(raw, name):
    return next(v for v in raw["variables"] if v["name"] == name)


MALFORMED = [
    ("no variables", lambda r: r.pop("variables"), "'variables' list"),
    ("variables not a list", lambda r: r.update(variables={"a": 1}), "'variables' must be a list"),
    ("entry without name", lambda r: r["variables"].append({"kind": "numeric"}),
     "variables entry 7"),
    ("unknown kind", lambda r: var(r, "a1").update(kind="schaal"), "variable 'a1': kind 'schaal'"),
    ("unknown field", lambda r: var(r, "a1").update(lable="x"), "variable 'a1': unknown field(s) lable"),
    ("range reversed", lambda r: var(r, "cijfer").update(range=[10, 1]), "variable 'cijfer': range"),
    ("range not numbers", lambda r: var(r, "cijfer").update(range=["laag", "hoog"]),
     "variable 'cijfer': range"),
    ("undefined set", lambda r: var(r, "a1").update(values="eens7"),
     "variable 'a1', values: refers to set 'eens7'"),
    ("code not integer", lambda r: var(r, "actief").update(values={0: "nee", "ja": "ja"}),
     "variable 'actief', values: code 'ja'"),
    ("code 1.5", lambda r: var(r, "actief").update(values={0: "nee", 1.5: "ja"}),
     "variable 'actief', values: code 1.5"),
    ("valid and missing", lambda r: var(r, "a1").update(missing={5: "x"}),
     "variable 'a1': code(s) [5] are both valid and missing"),
    ("likert without values", lambda r: var(r, "a1").pop("values"), "variable 'a1': a likert"),
    ("binary codes", lambda r: var(r, "actief").update(values={1: "nee", 2: "ja"}),
     "variable 'actief': a binary variable has codes 0 and 1"),
    ("two ids", lambda r: r["variables"].append({"name": "id2", "kind": "id"}),
     "more than one variable of kind 'id' (resp_id, id2)"),
    ("duplicate variable", lambda r: r["variables"].append({"name": "a1", "kind": "numeric"}),
     "variable 'a1' is defined twice"),
    ("one item", lambda r: r["scales"]["schaal_a"].update(items=["a1"], reverse=[]),
     "scale 'schaal_a': a scale needs at least two items"),
    ("item unknown", lambda r: r["scales"]["schaal_a"]["items"].append("a3"),
     "scale 'schaal_a': item 'a3' is not a variable"),
    ("item not numeric", lambda r: r["scales"]["schaal_a"]["items"].append("resp_id"),
     "scale 'schaal_a': item 'resp_id' has kind 'id'"),
    ("reverse not an item", lambda r: r["scales"]["schaal_a"].update(reverse=["cijfer"]),
     "scale 'schaal_a': reverse item 'cijfer'"),
    ("min_valid too big", lambda r: r["scales"]["schaal_a"].update(min_valid=3),
     "scale 'schaal_a': min_valid 3"),
    ("min_valid text", lambda r: r["scales"]["schaal_a"].update(min_valid="twee"),
     "scale 'schaal_a': min_valid 'twee'"),
    ("scale without items", lambda r: r["scales"]["schaal_a"].pop("items"),
     "scale 'schaal_a': needs an 'items' list"),
    ("element scale unknown", lambda r: r["elements"]["el"]["scales"].append("schaal_b"),
     "element 'el': scale 'schaal_b' is not defined"),
    ("element without scales", lambda r: r["elements"]["el"].pop("scales"),
     "element 'el': needs a 'scales' list"),
]


@pytest.mark.parametrize("what,edit,words", MALFORMED, ids=[m[0] for m in MALFORMED])
def test_malformed_codebook_names_the_entry(what, edit, words):
    with pytest.raises(CodebookError) as err:
        Codebook.from_dict(broken(edit), source="cb.yaml")
    assert words in str(err.value)
    assert str(err.value).startswith("cb.yaml")


def test_codebook_files_that_cannot_be_read(tmp_path):
    with pytest.raises(CodebookError, match="does not exist"):
        Codebook.from_yaml(tmp_path / "nergens.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("variables:\n  - {name: a, kind: id\n  - {name: b}\n")
    with pytest.raises(CodebookError, match="not valid YAML at line 3"):
        Codebook.from_yaml(bad)
    bad.write_bytes("variables: []\nname: caf\xe9\n".encode("latin-1"))
    with pytest.raises(CodebookError, match="not UTF-8"):
        Codebook.from_yaml(bad)
    bad.write_text("- a\n- b\n")
    with pytest.raises(CodebookError, match="a codebook is a mapping"):
        Codebook.from_yaml(bad)


def test_lookup_errors_name_what_exists():
    cb = Codebook.from_dict(GOOD)
    with pytest.raises(CodebookError, match="Scale 'x' is not in the codebook; scales: schaal_a"):
        cb.scale("x")
    with pytest.raises(CodebookError, match="Variable 'x'"):
        cb.variable("x")


def test_from_sav_labels_and_user_missing(tmp_path):
    import pyreadstat
    df = pd.DataFrame({
        "resp_id": ["R1", "R2", "R3"],
        "golf": [2019.0, 2019.0, 2021.0],
        "gemeente": ["GM0014", "GM0037", "GM0014"],
        "tevreden": [1.0, 5.0, 9.0],
        "geslacht": [1.0, 2.0, 2.0],
        "actief": [0.0, 1.0, 99.0],
        "leeftijd": [34.0, 71.0, 999.0],
        "weging": [1.0, 0.5, 1.5],
    })
    path = tmp_path / "panel.sav"
    pyreadstat.write_sav(
        df, str(path),
        column_labels=["Respondentnummer", "Golf", "Gemeente", "Ik ben tevreden over mijn dorp",
                       "Geslacht", "Actief geweest", "Leeftijd", "Weegfactor"],
        variable_value_labels={
            "tevreden": {1.0: "helemaal mee oneens", 2.0: "mee oneens", 3.0: "neutraal",
                         4.0: "mee eens", 5.0: "helemaal mee eens", 9.0: "weet niet"},
            "geslacht": {1.0: "man", 2.0: "vrouw"},
            "actief": {0.0: "nee", 1.0: "ja", 99.0: "geen antwoord"},
        },
        missing_ranges={"tevreden": [9.0], "actief": [99.0], "leeftijd": [{"lo": 900, "hi": 999}]})
    cb = Codebook.from_sav(path)
    kinds = {n: v.kind for n, v in cb.variables.items()}
    assert kinds == {"resp_id": "id", "golf": "wave", "gemeente": "gemeente", "tevreden": "likert",
                     "geslacht": "categorical", "actief": "binary", "leeftijd": "numeric",
                     "weging": "weight"}
    assert cb.label("tevreden") == "Ik ben tevreden over mijn dorp"
    assert cb.variable("tevreden").values[5] == "helemaal mee eens"
    assert cb.variable("tevreden").missing == {9: "weet niet"}
    assert cb.variable("actief").missing == {99: "geen antwoord"}
    assert cb.variable("leeftijd").missing == {900: "ontbrekend", 999: "ontbrekend"}
    assert cb.variable("geslacht").values == {1: "man", 2: "vrouw"}
    # and the panel loads with it: user-missing codes become NA
    panel = sv.load_panel(path)
    assert panel.data["tevreden"].isna().tolist() == [False, False, True]
    assert panel.data["actief"].tolist()[:2] == [0, 1] and pd.isna(panel.data["actief"].iloc[2])
    assert pd.isna(panel.data["leeftijd"].iloc[2])
    assert panel.data["geslacht"].tolist() == ["man", "vrouw", "vrouw"]


def test_from_sav_unreadable(tmp_path):
    with pytest.raises(CodebookError, match="does not exist"):
        Codebook.from_sav(tmp_path / "x.sav")
    (tmp_path / "x.sav").write_text("not spss")
    with pytest.raises(CodebookError, match="cannot be read"):
        Codebook.from_sav(tmp_path / "x.sav")


def test_from_sav_numbered_classes_are_categorical_not_likert(tmp_path):
    import pyreadstat
    df = pd.DataFrame({"leeftijdsklasse": [1.0, 4.0], "eens": [2.0, 5.0]})
    path = tmp_path / "klassen.sav"
    five = {1.0: "helemaal mee oneens", 2.0: "mee oneens", 3.0: "neutraal", 4.0: "mee eens",
            5.0: "helemaal mee eens"}
    pyreadstat.write_sav(df, str(path), variable_value_labels={
        "leeftijdsklasse": {1.0: "18-34 jaar", 2.0: "35-49 jaar", 3.0: "50-64 jaar",
                            4.0: "65 jaar en ouder"},
        "eens": five})
    cb = Codebook.from_sav(path)
    assert cb.variable("leeftijdsklasse").kind == "categorical"
    assert cb.variable("eens").kind == "likert"
