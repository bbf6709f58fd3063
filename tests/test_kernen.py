"""Kernen are identified within their gemeente: Oldambt and Westerkwartier both have an
Oostwold, and no library function may merge them.

The test panel is the sample (which has an Oostwold in Oldambt) with Marum (gemeente Marum in
2017, Westerkwartier from 2019) renamed to "Oostwold"; every result on it must equal the result
on the sample itself, where the two places have different names (the hand computation)."""

import warnings

import numpy as np
import pandas as pd
import pytest

import socvit as sv
from socvit.codebook import Codebook
from socvit.errors import SocvitWarning
from socvit.gemeenten import kern_columns, kern_key, shared_kern_names


@pytest.fixture(scope="module")
def sample():
    return sv.load_sample()


@pytest.fixture(scope="module")
def twice(sample):
    """The sample with two villages called Oostwold, in different gemeenten."""
    data = sample.data.copy()
    data["kern"] = data["kern"].replace({"Marum": "Oostwold"})
    return sv.io.Panel(data, sample.codebook)


def quiet(f, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SocvitWarning)
        return f(*args, **kwargs)


def test_shared_names_are_judged_per_wave(twice, sample):
    assert shared_kern_names(sample) == {}
    # 2017: Oldambt and Marum (GM0025); 2019-2023: Oldambt and Westerkwartier
    assert shared_kern_names(twice) == {"Oostwold": ["GM0025", "GM1895", "GM1969"]}
    one_wave = twice.data[twice.data["golf"] == 2023]
    assert shared_kern_names(one_wave) == {"Oostwold": ["GM1895", "GM1969"]}
    # the same village under its old and its new gemeente code is not a shared name
    marum = sample.data[sample.data["kern"] == "Marum"]     # GM0025 in 2017, then GM1969
    assert marum["gemeente"].nunique() == 2 and shared_kern_names(marum) == {}


def test_kern_key_labels_shared_names_with_their_gemeente(twice):
    key = kern_key(twice)
    d = twice.data
    assert key.dtype == "string" and key.index.equals(d.index)
    w23 = d["golf"] == 2023
    assert set(key[w23 & (d["kern"] == "Oostwold")]) == {"Oostwold (Oldambt)",
                                                          "Oostwold (Westerkwartier)"}
    assert set(key[~w23 & (d["gemeente"] == "GM0025")]) <= {"Oostwold (Marum)"} | set(d["kern"])
    other = d["kern"] != "Oostwold"
    assert key[other].equals(d["kern"][other].astype("string"))
    # unique within each wave: one key per (gemeente, kern)
    pairs = pd.DataFrame({"w": d["golf"], "g": d["gemeente"], "k": d["kern"], "key": key})
    assert pairs.drop_duplicates().groupby(["w", "key"]).size().max() == 1


def test_kern_key_with_renamed_columns_and_declared_codes():
    raw = {"name": "Ander panel", "variables": [
        {"name": "gem", "label": "Gemeente", "kind": "gemeente"},
        {"name": "dorp", "label": "Dorp", "kind": "kern",
         "values": {1: "Oostwold", 2: "Oostwold", 3: "Leek", 4: "Midwolda", 5: "Midwolda"}},
        {"name": "jaar", "label": "Golf", "kind": "wave"}]}
    cb = Codebook.from_dict(raw)
    df = pd.DataFrame({"gem": ["GM1895", "GM1969", "GM1969", "GM1895", "GM1895"],
                       "dorp": ["1", "2", "3", "4", "5"], "jaar": [2023] * 5})
    assert kern_columns(df, cb) == ("gem", "dorp", "jaar")
    assert kern_key(df, cb).tolist() == ["Oostwold (Oldambt)", "Oostwold (Westerkwartier)",
                                         "Leek", "Midwolda (4)", "Midwolda (5)"]
    assert shared_kern_names(df, cb) == {"Oostwold": ["GM1895", "GM1969"]}


def test_kern_key_needs_a_kern_column():
    with pytest.raises(sv.DataError, match="no kern column"):
        kern_key(pd.DataFrame({"gemeente": ["GM0014"]}))


def hand(sample, col, places):
    """Unweighted means of ``col`` per (golf, gemeente, kern) on the sample itself."""
    d = sample.data[sample.data["kern"].isin(places)]
    return (d.assign(y=d[col].astype("float64")).groupby(["golf", "gemeente", "kern"])["y"]
            .mean().rename(index={p: "Oostwold" for p in places}, level="kern"))


def test_mean_by_gemeente_and_kern_keeps_them_apart(twice, sample):
    t = sv.estimates.mean(twice, "rapportcijfer", by=["golf", "gemeente", "kern"], min_n=1)
    o = t[t["kern"] == "Oostwold"].set_index(["golf", "gemeente", "kern"])["estimate"]
    expected = hand(sample, "rapportcijfer", ["Oostwold", "Marum"])
    assert len(o) == 8      # four waves, two places
    pd.testing.assert_series_equal(o.sort_index(), expected.sort_index(), check_names=False,
                                   rtol=1e-12, check_index_type=False)


def test_by_kern_alone_groups_within_gemeente_with_a_warning(twice, sample):
    w23 = twice.subset(twice.data["golf"] == 2023)
    with pytest.warns(SocvitWarning, match="'Oostwold' occurs in more than one gemeente"):
        t = sv.estimates.mean(w23, "rapportcijfer", by="kern")
    assert list(t.columns[:2]) == ["gemeente", "kern"]
    expected = sv.estimates.mean(sample.subset(sample.data["golf"] == 2023), "rapportcijfer",
                                 by="kern")
    assert len(t) == len(expected)
    got = t.set_index("gemeente")[t["kern"].eq("Oostwold").to_numpy()]["estimate"].sort_index()
    want = expected.set_index("kern").loc[["Oostwold", "Marum"], "estimate"].to_numpy()
    np.testing.assert_allclose(got.to_numpy(), want, rtol=1e-12)   # GM1895 Oostwold, GM1969 Marum
    # the sample itself (unique names) is grouped as asked, without a warning
    with warnings.catch_warnings():
        warnings.simplefilter("error", SocvitWarning)
        assert list(expected.columns[:1]) == ["kern"]


def test_proportion_distribution_and_alpha_by_keep_them_apart(twice, sample):
    w23 = twice.subset(twice.data["golf"] == 2023)
    p = quiet(sv.estimates.proportion, w23, "actief", [1], by="kern")
    assert (p["kern"] == "Oostwold").sum() == 2
    d = quiet(sv.estimates.distribution, w23, "bet_1", by="kern")
    assert d[d["kern"] == "Oostwold"].groupby("gemeente").size().tolist() == [5, 5]
    a = quiet(sv.reliability.alpha_by, w23, "kern", "betrokkenheid")
    assert (a.table["kern"] == "Oostwold").sum() == 2
    s23 = sample.subset(sample.data["golf"] == 2023)
    ref = sv.reliability.alpha_by(s23, "kern", "betrokkenheid").table.set_index("kern")
    got = a.table[a.table["kern"] == "Oostwold"].set_index("gemeente")["raw_alpha"]
    np.testing.assert_allclose(got.sort_index().to_numpy(),
                               ref.loc[["Oostwold", "Marum"], "raw_alpha"].to_numpy(), rtol=1e-12)


def test_clusters_and_random_intercepts_by_kern_keep_them_apart(twice, sample):
    w23, s23 = (p.subset(p.data["golf"] == 2023) for p in (twice, sample))
    got = sv.estimates.mean(w23, "rapportcijfer", cluster="kern")
    ref = sv.estimates.mean(s23, "rapportcijfer", cluster="kern")
    np.testing.assert_allclose(got["se"], ref["se"], rtol=1e-12)
    merged = sv.estimates.mean(w23.data[["rapportcijfer"]].assign(
        c=w23.data["kern"]), "rapportcijfer", cluster="c")       # a plain column: as given
    assert not np.isclose(merged["se"].iloc[0], ref["se"].iloc[0], rtol=1e-9)
    m = sv.regression.fit("rapportcijfer ~ leeftijd", w23, kind="mixed")
    r = sv.regression.fit("rapportcijfer ~ leeftijd", s23, kind="mixed")
    np.testing.assert_allclose(m.table["estimate"], r.table["estimate"], rtol=1e-8)
    c = sv.regression.fit("rapportcijfer ~ leeftijd", w23, cluster="kern", se="cluster")
    cr = sv.regression.fit("rapportcijfer ~ leeftijd", s23, cluster="kern", se="cluster")
    np.testing.assert_allclose(c.table["se"], cr.table["se"], rtol=1e-10)
