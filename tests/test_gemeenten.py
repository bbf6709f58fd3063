"""Gemeente codes, names, provinces and the herindelingen of all Dutch gemeenten since 2017."""

import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from socvit import gemeenten as gm
from socvit.errors import DataError

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def clean_registry(monkeypatch):
    """Let a test register gemeenten without leaking them into other tests."""
    monkeypatch.setattr(gm, "_BY_CODE", dict(gm._BY_CODE))
    monkeypatch.setattr(gm, "_BY_NAME", dict(gm._BY_NAME))


# ---------------------------------------------------------------------------------------
# the registry: counts, provinces, herindelingen


def test_number_of_gemeenten_per_indeling():
    # CBS: gemeenten on 1 January of each year; no herindeling on 2026-01-01 (2026 = 2025)
    counts = {y: len(gm.valid_in(y)) for y in range(2017, 2027)}
    assert counts == {2017: 388, 2018: 380, 2019: 355, 2020: 355, 2021: 352, 2022: 345,
                      2023: 342, 2024: 342, 2025: 342, 2026: 342}
    assert len(gm.GEMEENTEN) == 405                     # 388 + 17 new codes
    first = gm.valid_in(2023)
    assert first[0] == "GM1680" and gm.name(first[0]) == "Aa en Hunze"    # sorted by name
    assert first.index("GM0518") < first.index("GM0796")   # 's-Gravenhage before 's-Hertogenbosch


def test_gemeenten_of_groningen_per_indeling():
    groningen = {y: [c for c in gm.valid_in(y) if gm.province(c) == "Groningen"]
                 for y in (2017, 2018, 2019, 2020, 2021, 2023)}
    assert [len(v) for v in groningen.values()] == [23, 20, 12, 12, 10, 10]
    assert set(groningen[2023]) == {"GM0014", "GM0037", "GM0047", "GM0765", "GM1895", "GM1950",
                                    "GM1952", "GM1966", "GM1969", "GM1979"}
    assert groningen[2023][0] == "GM1979"               # sorted by name: Eemsdelta first


def test_gemeenten_per_province_2023():
    per = Counter(gm.province(c) for c in gm.valid_in(2023))
    assert per == {"Noord-Brabant": 56, "Gelderland": 51, "Zuid-Holland": 50, "Noord-Holland": 44,
                   "Limburg": 31, "Utrecht": 26, "Overijssel": 25, "Fryslân": 18, "Zeeland": 13,
                   "Drenthe": 12, "Groningen": 10, "Flevoland": 6}
    assert gm.province("GM0080") == "Fryslân" and gm.province("GM0114") == "Drenthe"
    assert gm.province("GM0545") == "Zuid-Holland"      # Leerdam, before Vijfheerenlanden (Utrecht)
    assert gm.province("GM1961") == "Utrecht"


def test_every_dissolved_code_has_a_successor_valid_the_day_it_ended():
    for g in gm.GEMEENTEN:
        assert (g.end is None) == (g.successor is None), g
        if g.end is not None:
            s = gm._BY_CODE[g.successor]
            assert s.begin <= g.end and (s.end is None or g.end < s.end), g
        assert g.province is not None


HERINDELINGEN = {   # date: successor <- dissolved codes (CBS, herindelingswetten)
    (2018, "GM0080"): {"GM0081"},                                   # Leeuwarden <- Leeuwarderadeel
    (2018, "GM1900"): {"GM0140"},                                   # Súdwest-Fryslân <- Littenseradiel
    (2018, "GM1949"): {"GM0063", "GM0070", "GM1908"},               # Waadhoeke
    (2018, "GM1950"): {"GM0007", "GM0048"},                         # Westerwolde
    (2018, "GM1952"): {"GM0018", "GM0040", "GM1987"},               # Midden-Groningen
    (2018, "GM0299"): {"GM0196"},                                   # Zevenaar <- Rijnwaarden
    (2019, "GM0014"): {"GM0009", "GM0017"},                         # Groningen <- Ten Boer, Haren
    (2019, "GM1966"): {"GM0005", "GM0053", "GM1651", "GM1663"},     # Het Hogeland
    (2019, "GM1969"): {"GM0015", "GM0022", "GM0025", "GM0056"},     # Westerkwartier
    (2019, "GM1970"): {"GM0058", "GM0079", "GM1722"},               # Noardeast-Fryslân
    (2019, "GM1978"): {"GM0689", "GM1927"},                         # Molenlanden
    (2019, "GM1961"): {"GM0545", "GM0620", "GM0707"},               # Vijfheerenlanden
    (2019, "GM1963"): {"GM0584", "GM0585", "GM0588", "GM0611", "GM0617"},  # Hoeksche Waard
    (2019, "GM1960"): {"GM0236", "GM0304", "GM0733"},               # West Betuwe
    (2019, "GM1959"): {"GM0738", "GM0870", "GM0874"},               # Altena
    (2019, "GM1954"): {"GM0881", "GM0951", "GM0962"},               # Beekdaelen
    (2019, "GM0394"): {"GM0393"},                                   # Haarlemmermeer
    (2019, "GM0575"): {"GM0576"},                                   # Noordwijk <- Noordwijkerhout
    (2021, "GM1979"): {"GM0003", "GM0010", "GM0024"},               # Eemsdelta
    (2021, "GM0865"): {"GM0788"},                                   # Vught <- Haaren (largest part)
    (2022, "GM1982"): {"GM0756", "GM0786", "GM0815", "GM1684", "GM1702"},  # Land van Cuijk
    (2022, "GM1991"): {"GM0856", "GM1685"},                         # Maashorst
    (2022, "GM1980"): {"GM0398", "GM0416"},                         # Dijk en Waard
    (2022, "GM0439"): {"GM0370"},                                   # Purmerend <- Beemster
    (2023, "GM0363"): {"GM0457"},                                   # Amsterdam <- Weesp (2022-03-24)
    (2023, "GM1992"): {"GM0501", "GM0530", "GM0614"},               # Voorne aan Zee
}


def test_herindelingen_2018_2023():
    found = {}
    for g in gm.GEMEENTEN:
        if g.successor:
            found.setdefault((g.end.year + (g.end.month > 1), g.successor), set()).add(g.code)
    assert found == HERINDELINGEN
    assert gm._BY_CODE["GM0457"].end == pd.Timestamp("2022-03-24").date()
    assert gm.exists_in("GM0457", 2022) and not gm.exists_in("GM0457", 2023)


def test_eemsdelta_and_het_hogeland():
    assert {g.code for g in gm.GEMEENTEN if g.successor == "GM1979"} == {"GM0003", "GM0010", "GM0024"}
    assert gm._BY_CODE["GM1979"].begin.isoformat() == "2021-01-01"
    assert gm.to_indeling("GM1651", 2019) == "GM1966" and gm.to_indeling("GM1651", 2018) == "GM1651"


def test_splits_and_their_shares():
    assert gm.successors("GM0140") == pytest.approx({"GM1900": 0.51, "GM0080": 0.35, "GM1949": 0.14})
    assert list(gm.successors("GM0788")) == ["GM0865", "GM0824", "GM0855", "GM0757"]
    assert gm.successors("GM0010") == {"GM1979": 1.0} and gm.successors("GM1979") == {}
    assert gm.to_indeling("GM0788", 2021) == "GM0865"                        # Haaren -> Vught
    assert gm.to_indeling("GM0788", 2023, kern="Esch") == "GM0757"           # ... Esch -> Boxtel
    assert gm.to_indeling("GM0788", 2023, kern="biezenmortel") == "GM0855"   # forgiving kern
    assert gm.to_indeling("GM0788", 2021, kern="Haaren") == "GM0824"         # -> Oisterwijk
    assert gm.to_indeling("GM0788", 2021, kern="Helvoirt") == "GM0865"
    assert gm.to_indeling("GM0788", 2020, kern="Esch") == "GM0788"


# ---------------------------------------------------------------------------------------
# mapping


def test_mergers_map_forward():
    assert gm.to_indeling("GM0010", 2023) == "GM1979"      # Delfzijl -> Eemsdelta
    assert gm.to_indeling("GM0010", 2020) == "GM0010"      # still Delfzijl before 2021
    assert gm.to_indeling("GM0010", 2021) == "GM1979"      # merger on 1 January 2021
    assert gm.to_indeling("GM0017", 2019) == "GM0014"      # Haren -> Groningen
    assert gm.to_indeling("GM0040", 2018) == "GM1952"      # Slochteren -> Midden-Groningen
    assert gm.to_indeling("GM1979", 2023) == "GM1979"      # identity
    assert gm.to_indeling("GM0081", 2023) == "GM0080"      # Leeuwarderadeel -> Leeuwarden
    assert gm.to_indeling("GM0140", 2023) == "GM1900"      # Littenseradiel -> Súdwest-Fryslân
    assert gm.to_indeling("GM0058", 2023) == "GM1970"      # Dongeradeel -> Noardeast-Fryslân
    assert gm.to_indeling("GM0457", 2022) == "GM0457"      # Weesp until 24 March 2022
    assert gm.to_indeling("GM0457", 2023) == "GM0363"
    assert gm.to_indeling("GM0501", 2026) == "GM1992"      # Brielle -> Voorne aan Zee


def test_mergers_do_not_map_backwards():
    with pytest.raises(DataError, match=r"Eemsdelta \(GM1979\) began on 2021-01-01.*indeling of 2017"):
        gm.to_indeling("GM1979", 2017)
    with pytest.raises(DataError, match="Het Hogeland"):
        gm.to_indeling("GM1966", 2018)


def test_split_gemeente_follows_the_kern():
    assert gm.to_indeling("GM0053", 2019) == "GM1966"                  # Winsum -> Het Hogeland
    assert gm.to_indeling("GM0053", 2019, kern="Ezinge") == "GM1969"   # ... but Ezinge -> Westerkwartier
    assert gm.to_indeling("GM0053", 2019, kern="Baflo") == "GM1966"


def test_map_to_indeling_vectorised():
    codes = pd.Series(["GM0010", "GM1651", None, "GM0014", "GM0053"], dtype="string")
    kern = pd.Series(["Delfzijl", "Uithuizen", "x", "Haren", "Ezinge"])
    out = gm.map_to_indeling(codes, 2023)
    assert out.tolist()[:2] == ["GM1979", "GM1966"] and pd.isna(out.iloc[2])
    assert out.iloc[4] == "GM1966" and str(out.dtype) == "string"
    with_kern = gm.map_to_indeling(codes, 2023, kern=kern)
    assert with_kern.iloc[4] == "GM1969" and with_kern.iloc[0] == "GM1979" and pd.isna(with_kern.iloc[2])
    with pytest.raises(DataError, match="GM9999"):
        gm.map_to_indeling(pd.Series(["GM9999"]), 2023)


def test_map_to_indeling_with_kern_equals_the_scalar_function():
    rng = np.random.default_rng(7)
    codes = pd.Series(rng.choice(["GM0053", "GM0010", "GM1651", "GM0014", "GM0788", None], 3000),
                      dtype="string")
    kern = pd.Series(rng.choice(["Ezinge", "Baflo", "Garnwerd", "Esch", None], 3000), index=codes.index)
    out = gm.map_to_indeling(codes, 2023, kern=kern)
    expected = [pd.NA if pd.isna(c) else gm.to_indeling(c, 2023, None if pd.isna(k) else k)
                for c, k in zip(codes, kern)]
    assert out.tolist() == expected and out.index.equals(codes.index)
    assert (out == "GM1969").sum() > 0 and (out == "GM0757").sum() > 0


def test_drenthe_and_fryslan_panel_validates_and_maps(tmp_path):
    from socvit.io import validate
    shutil.copy(ROOT / "tests" / "data" / "mini_codebook.yaml", tmp_path / "codebook.yaml")
    header = "resp_id,golf,gemeente,kern,geslacht,opleiding,bet_1,bet_2,bet_3,rapportcijfer,actief,uren,weging"
    rows = ["R001,2017,GM0114,Emmen,1,3,4,5,2,7,1,4.5,1.2",           # Emmen (Drenthe)
            "R002,2017,GM0140,Mantgum,2,2,3,3,1,8,0,0,0.8",            # Littenseradiel (Fryslân)
            "R003,2017,GM0081,Stiens,1,1,3,3,3,6,1,2,1.0",             # Leeuwarderadeel
            "R004,2019,GM0080,Stiens,2,2,4,4,5,7,1,2,1.1",             # Leeuwarden
            "R005,2023,GM1970,Dokkum,1,3,4,4,4,7,0,0,0.9"]             # Noardeast-Fryslân
    path = tmp_path / "panel.csv"
    path.write_text("\n".join([header] + rows) + "\n")
    assert validate(path) == []
    frame = pd.read_csv(path, dtype={"gemeente": "string"})
    assert gm.map_to_indeling(frame["gemeente"], 2023).tolist() == [
        "GM0114", "GM1900", "GM0080", "GM0080", "GM1970"]
    assert [gm.province(c) for c in frame["gemeente"]] == ["Drenthe"] + ["Fryslân"] * 4


# ---------------------------------------------------------------------------------------
# names


@pytest.mark.parametrize("text", ["Het Hogeland", "het hogeland", "HetHogeland", " het-Hogeland ",
                                  "HET  HOGELAND", "gm1966", "GM1966"])
def test_name_lookup_forgives_case_and_spacing(text):
    assert gm.code(text) == "GM1966"


def test_name_lookup_other_names():
    assert gm.code("midden groningen") == "GM1952"
    assert gm.code("Hoogezand Sappemeer") == "GM0018"
    assert gm.name("GM1979") == "Eemsdelta"
    assert gm.code("Delfzijl", year=2017) == "GM0010"
    assert gm.code("sudwest-fryslan") == gm.code("Súdwest-Fryslân") == "GM1900"   # accents forgiven
    assert gm.code("Noardeast Fryslân", year=2023) == "GM1970"
    assert gm.code("Nuenen, Gerwen en Nederwetten") == "GM0820"


def test_cbs_suffixed_names_are_accepted():
    # 2024/2025 boundary files: "Hengelo (O.)" etc.; the name stays the plain one
    assert gm.name("GM0164") == "Hengelo"
    for text in ("Hengelo (O.)", "hengelo o", "Hengelo"):
        assert gm.code(text) == "GM0164"
    assert gm.code("Laren (NH.)", year=2025) == gm.code("Laren") == "GM0417"
    assert gm.code("Stein (L.)") == "GM0971" and gm.code("Middelburg (Z.)") == "GM0687"
    assert gm.code("Bergen (NH.)") == "GM0373" and gm.code("bergen nh") == "GM0373"
    assert gm.code("Bergen L") == "GM0893"


def test_ambiguous_name_lists_its_candidates():
    with pytest.raises(DataError, match=r"'Bergen' is ambiguous.*Bergen \(L\.\) \(GM0893\).*"
                                        r"Bergen \(NH\.\) \(GM0373\)"):
        gm.code("Bergen", year=2023)


def test_name_reused_across_time_needs_the_year(clean_registry):
    gm.register("GM8201", "Nieuwdorp", begin=2000, end=2019, successor="GM8202")
    gm.register("GM8202", "Overdorp", begin=2019, end=2024, successor="GM8203")
    gm.register("GM8203", "Nieuwdorp", begin=2024)         # the name comes back with a new code
    assert gm.code("Nieuwdorp", year=2018) == "GM8201"
    assert gm.code("nieuwdorp", year=2025) == "GM8203"
    with pytest.raises(DataError) as err:
        gm.code("Nieuwdorp")
    msg = str(err.value)
    assert "ambiguous" in msg and "GM8201" in msg and "GM8203" in msg and "year" in msg
    assert "until 2019-01-01" in msg and "from 2024-01-01" in msg
    with pytest.raises(DataError, match="did not exist in the indeling of 2020"):
        gm.code("Nieuwdorp", year=2020)
    with pytest.raises(DataError, match="same period"):
        gm.register("GM8204", "Nieuwdorp", begin=2010)


def test_unknown_name_suggests_close_names():
    with pytest.raises(DataError, match=r"Did you mean Leeuwarden \(GM0080\)"):
        gm.code("Leewarden", year=2023)


def test_unknown_name_lists_valid_names():
    with pytest.raises(DataError) as err:
        gm.code("Atlantis", year=2023)
    msg = str(err.value)
    assert "Unknown gemeente 'Atlantis' in the indeling of 2023" in msg
    assert "Eemsdelta (GM1979)" in msg and "Het Hogeland (GM1966)" in msg and "Emmen (GM0114)" in msg
    assert "Delfzijl" not in msg                   # only names valid in 2023 are listed


def test_name_not_existing_in_the_year():
    with pytest.raises(DataError, match=r"Delfzijl \(GM0010\) did not exist in the indeling of 2023"):
        gm.code("Delfzijl", year=2023)


def test_exists_and_is_code():
    assert gm.exists_in("GM0010", 2020) and not gm.exists_in("GM0010", 2021)
    assert gm.exists_in("GM1979", 2021) and not gm.exists_in("GM1979", 2020)
    assert not gm.exists_in("GM9999", 2020)
    assert gm.is_code("GM0003") and not gm.is_code("3") and not gm.is_code(3) and not gm.is_code("GM03")
    with pytest.raises(DataError, match="leading zeros matter"):
        gm.name("GM3")
    with pytest.raises(DataError, match="Did you mean 'GM0014'"):
        gm.name("gm0014")


# ---------------------------------------------------------------------------------------
# the own registry: adds codes, never redefines


def test_register_and_chain_of_mergers(clean_registry):
    gm.register("GM8001", "Dorp A", begin=2000, end=2019, successor="GM8002")
    gm.register("GM8002", "Dorp B", begin=2019, end=2021, successor="GM8003")
    gm.register("GM8003", "Dorp C", begin=2021)
    assert gm.to_indeling("GM8001", 2023) == "GM8003"
    assert gm.to_indeling("GM8001", 2020) == "GM8002"
    assert gm.code("dorp a") == "GM8001"
    gm.register("GM8003", "Dorp C", begin=2021)          # same again: no-op
    gm.register("GM8003", "Dorp C")                      # fewer fields given: still the same entry
    with pytest.raises(DataError, match="already registered as 'Dorp C'"):
        gm.register("GM8003", "Dorp D")
    with pytest.raises(DataError, match="begin 2021-01-01, not 2022-01-01"):
        gm.register("GM8003", "Dorp C", begin=2022)
    with pytest.raises(DataError, match="not of the form GMxxxx"):
        gm.register("8004", "Dorp E")
    with pytest.raises(DataError, match="province of gemeente Dorp C"):
        gm.province("GM8003")
    gm.register("GM8005", "Dorp F", province="Drenthe")
    assert gm.province("GM8005") == "Drenthe"


def test_registry_cannot_hijack_a_built_in_code_or_name(clean_registry, tmp_path):
    path = tmp_path / "gemeenten.csv"
    path.write_text("code,name\nGM9001,Groningen\n")
    with pytest.raises(DataError) as err:
        gm.load_registry(path)
    msg = str(err.value)
    assert str(path) in msg and "GM9001 (Groningen)" in msg and "GM0014" in msg
    path.write_text("code,name\nGM9001,groningen \n")                      # forgiving, still caught
    with pytest.raises(DataError, match="built-in gemeente Groningen"):
        gm.load_registry(path)
    path.write_text("code,name\nGM9002,Hengelo (O.)\n")                   # the suffixed alias
    with pytest.raises(DataError, match="Hengelo"):
        gm.load_registry(path)
    path.write_text("code,name\nGM0014,Stad\n")
    with pytest.raises(DataError) as err:
        gm.load_registry(path)
    msg = str(err.value)
    assert str(path) in msg and "row 2" in msg and "GM0014" in msg and "'Groningen', not 'Stad'" in msg
    path.write_text("code,name,end,successor\nGM0014,Groningen,2025,GM1979\n")
    with pytest.raises(DataError, match=r"GM0014 \(Groningen\) is a built-in gemeente with end None"):
        gm.load_registry(path)
    assert gm.name("GM0014") == "Groningen" and "GM9001" not in gm._BY_CODE
    # the same entries again are fine (idempotent), fields left empty are not compared
    path.write_text("code,name,begin,end,successor,province\nGM0014,Groningen,,,,Groningen\n"
                    "GM0010,Delfzijl,2000,2021-01-01,GM1979,\nGM0003,Appingedam,,,,\n")
    assert gm.load_registry(path) == 3
    assert gm._BY_CODE["GM0010"] is gm._BUILTIN["GM0010"]


def test_load_registry(clean_registry, tmp_path):
    path = tmp_path / "gemeenten.csv"
    path.write_text("code,name,begin,end,successor\nGM8101,Oud,2000,2020-01-01,GM8102\n"
                    "GM8102,Nieuw,2020,,\n\n")
    assert gm.load_registry(path) == 2
    assert gm.load_registry(path) == 2                       # again: idempotent
    assert gm.to_indeling("GM8101", 2021) == "GM8102" and gm.exists_in("GM8101", 2019)
    path.write_text("code,naam\nGM8103,X\n")
    with pytest.raises(DataError, match="lacks column"):
        gm.load_registry(path)
    path.write_text("code,name\nGM81,X\n")
    with pytest.raises(DataError, match="row 2"):
        gm.load_registry(path)
    path.write_text("code,name,end,successor\nGM8104,Y,2020,GM8999\n")
    with pytest.raises(DataError, match="successor GM8999, which is not a known"):
        gm.load_registry(path)


def test_synthetic_sample_gemeenten_register_repeatedly(clean_registry, tmp_path):
    from socvit import sample
    k1 = sample.kernen_table(n_gemeenten=3)
    k2 = sample.kernen_table(n_gemeenten=3)
    assert k1.equals(k2) and gm.name("GM9001") == "Testgemeente 001"
    sample.write_sample(tmp_path, scale=0.02, n_gemeenten=3)
    assert gm.load_registry(tmp_path / "gemeenten.csv") == 3


def test_table():
    t = gm.table()
    assert list(t.columns) == ["code", "name", "province", "begin", "end", "successor"]
    assert t["code"].is_unique and len(t) >= 405
    assert t.set_index("code").loc["GM1970", "province"] == "Fryslân"


def test_import_does_not_need_pandas():
    code = ("import sys, socvit.gemeenten as g; assert 'pandas' not in sys.modules, 'pandas'; "
            "print(len(g.valid_in(2017)))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "388"


def test_bundled_data_matches_the_derivation_script_header():
    # the CSV files are written by scripts/make_gemeenten.py (not run in CI)
    head = (ROOT / "socvit" / "data" / "gemeenten.csv").read_text(encoding="utf-8").splitlines()[0]
    assert head == "code,name,province,begin,end,successor,alias"
    assert (ROOT / "scripts" / "make_gemeenten.py").exists()
