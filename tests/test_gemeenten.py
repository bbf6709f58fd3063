"""Gemeente codes, names and the merger mapping (herindelingen) of the province of Groningen."""

import numpy as np
import pandas as pd
import pytest

from socvit import gemeenten as gm
from socvit.errors import DataError


@pytest.fixture
def clean_registry(monkeypatch):
    """Let a test register gemeenten without leaking them into other tests."""
    monkeypatch.setattr(gm, "_BY_CODE", dict(gm._BY_CODE))
    monkeypatch.setattr(gm, "_BY_NAME", dict(gm._BY_NAME))


def test_number_of_gemeenten_per_indeling():
    # CBS: Groningen had 23 gemeenten in 2017, 20 in 2018, 12 in 2019 and 10 from 2021
    assert [len(gm.valid_in(y)) for y in (2017, 2018, 2019, 2020, 2021, 2023)] == [23, 20, 12, 12, 10, 10]
    assert set(gm.valid_in(2023)) == {"GM0014", "GM0037", "GM0047", "GM0765", "GM1895", "GM1950",
                                      "GM1952", "GM1966", "GM1969", "GM1979"}
    assert gm.valid_in(2023)[0] == "GM1979"            # sorted by name: Eemsdelta first


def test_mergers_map_forward():
    assert gm.to_indeling("GM0010", 2023) == "GM1979"      # Delfzijl -> Eemsdelta
    assert gm.to_indeling("GM0010", 2020) == "GM0010"      # still Delfzijl before 2021
    assert gm.to_indeling("GM0010", 2021) == "GM1979"      # merger on 1 January 2021
    assert gm.to_indeling("GM1651", 2019) == "GM1966"      # Eemsmond -> Het Hogeland
    assert gm.to_indeling("GM1651", 2018) == "GM1651"
    assert gm.to_indeling("GM0017", 2019) == "GM0014"      # Haren -> Groningen
    assert gm.to_indeling("GM0040", 2018) == "GM1952"      # Slochteren -> Midden-Groningen
    assert gm.to_indeling("GM1979", 2023) == "GM1979"      # identity


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


@pytest.mark.parametrize("text", ["Het Hogeland", "het hogeland", "HetHogeland", " het-Hogeland ",
                                  "HET  HOGELAND", "gm1966", "GM1966"])
def test_name_lookup_forgives_case_and_spacing(text):
    assert gm.code(text) == "GM1966"


def test_name_lookup_other_names():
    assert gm.code("midden groningen") == "GM1952"
    assert gm.code("Hoogezand Sappemeer") == "GM0018"
    assert gm.name("GM1979") == "Eemsdelta"
    assert gm.code("Delfzijl", year=2017) == "GM0010"


def test_unknown_name_lists_valid_names():
    with pytest.raises(DataError) as err:
        gm.code("Atlantis", year=2023)
    msg = str(err.value)
    assert "Unknown gemeente 'Atlantis' in the indeling of 2023" in msg
    assert "Eemsdelta (GM1979)" in msg and "Het Hogeland (GM1966)" in msg
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


def test_register_and_chain_of_mergers(clean_registry):
    gm.register("GM8001", "Dorp A", begin=2000, end=2019, successor="GM8002")
    gm.register("GM8002", "Dorp B", begin=2019, end=2021, successor="GM8003")
    gm.register("GM8003", "Dorp C", begin=2021)
    assert gm.to_indeling("GM8001", 2023) == "GM8003"
    assert gm.to_indeling("GM8001", 2020) == "GM8002"
    assert gm.code("dorp a") == "GM8001"
    gm.register("GM8003", "Dorp C", begin=2021)          # same again: no-op
    with pytest.raises(DataError, match="already registered as 'Dorp C'"):
        gm.register("GM8003", "Dorp D")
    with pytest.raises(DataError, match="not of the form GMxxxx"):
        gm.register("8004", "Dorp E")


def test_load_registry(clean_registry, tmp_path):
    path = tmp_path / "gemeenten.csv"
    path.write_text("code,name,begin,end,successor\nGM8101,Oud,2000,2020-01-01,GM8102\n"
                    "GM8102,Nieuw,2020,,\n")
    assert gm.load_registry(path) == 2
    assert gm.to_indeling("GM8101", 2021) == "GM8102" and gm.exists_in("GM8101", 2019)
    path.write_text("code,naam\nGM8103,X\n")
    with pytest.raises(DataError, match="lacks column"):
        gm.load_registry(path)
    path.write_text("code,name\nGM81,X\n")
    with pytest.raises(DataError, match="row 2"):
        gm.load_registry(path)


def test_table():
    t = gm.table()
    assert list(t.columns) == ["code", "name", "begin", "end", "successor"]
    assert t["code"].is_unique and len(t) >= 28


def test_map_to_indeling_with_kern_equals_the_scalar_function():
    rng = np.random.default_rng(7)
    codes = pd.Series(rng.choice(["GM0053", "GM0010", "GM1651", "GM0014", None], 3000), dtype="string")
    kern = pd.Series(rng.choice(["Ezinge", "Baflo", "Garnwerd", None], 3000), index=codes.index)
    out = gm.map_to_indeling(codes, 2023, kern=kern)
    expected = [pd.NA if pd.isna(c) else gm.to_indeling(c, 2023, None if pd.isna(k) else k)
                for c, k in zip(codes, kern)]
    assert out.tolist() == expected and out.index.equals(codes.index)
    assert (out == "GM1969").sum() > 0                  # some Winsum kernen went west
