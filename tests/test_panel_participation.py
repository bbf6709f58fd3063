"""socvit.panel: members, participation patterns and retention.

Counts are checked against a plain pandas computation from the raw CSV (sets of ids per
wave); retention shares and their intervals against R's survey package
(tests/reference/panel/make_attrition_reference.R: svyciprop(method = "logit"), svyby
domains, and a stratified clustered weighted design), to 1e-6 relative (closed form).
"""

from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd
import pytest

import socvit as sv
from socvit.errors import DataError

import other_panel as op

REF = Path(__file__).parent / "reference" / "panel"
RTOL = 1e-6


@pytest.fixture(scope="module")
def panel():
    return sv.load_sample()


@pytest.fixture(scope="module")
def raw():
    return pd.read_csv(sv.io.SAMPLE_DIR / "panel.csv")


@pytest.fixture(scope="module")
def other(tmp_path_factory):
    folder = tmp_path_factory.mktemp("other")
    return sv.load_panel(op.write(folder))


def ids_in(raw, wave):
    return set(raw.loc[raw["golf"] == wave, "resp_id"])


# ---------------------------------------------------------------------- members
def test_members_from_codebook_and_explicit(panel, raw):
    m = sv.panel.members(panel)
    assert (m.id, m.wave, m.waves) == ("resp_id", "golf", [2017, 2019, 2021, 2023])
    assert m.presence.sum().tolist() == [len(ids_in(raw, w)) for w in m.waves]
    assert int(m.pair(2017, 2019).sum()) == len(ids_in(raw, 2017) & ids_in(raw, 2019))
    m2 = sv.panel.members(raw, id="resp_id", wave="golf")
    assert m2.presence.equals(m.presence.astype(bool))


def test_members_bad_input_names_the_waves(raw):
    with pytest.raises(DataError, match="Which column is the member id.*id='resp_id'"):
        sv.panel.members(raw)
    dup = pd.concat([raw, raw[raw["golf"] == 2021].iloc[[3, 4, 4]]], ignore_index=True)
    with pytest.raises(DataError, match=r"Wave 2021: 2 member id\(s\).*up to 3 times") as e:
        sv.panel.members(dup, id="resp_id", wave="golf")
    assert not any(i in str(e.value) for i in raw["resp_id"])        # counts, never ids
    fresh = raw.assign(resp_id=raw["resp_id"] + "-" + raw["golf"].astype(str))
    with pytest.raises(DataError, match="more than one wave .2017, 2019, 2021, 2023.: the "
                                        "waves have no persistent member id"):
        sv.panel.members(fresh, id="resp_id", wave="golf")
    gap = raw.copy()
    gap.loc[gap.index[:3], "resp_id"] = np.nan
    with pytest.raises(DataError, match=r"missing in 3 row\(s\) \(wave 2017: 3\)"):
        sv.panel.members(gap, id="resp_id", wave="golf")
    with pytest.raises(DataError, match="needs at least 2 waves"):
        sv.panel.members(raw[raw["golf"] == 2023], id="resp_id", wave="golf")
    m = sv.panel.members(raw, id="resp_id", wave="golf")
    with pytest.raises(DataError, match="Wave 2020 is not in the data.*2017, 2019, 2021, 2023"):
        m.check_waves(2020)
    with pytest.raises(DataError, match="The wave column 'jaar' is not in the data"):
        sv.panel.members(raw, id="resp_id", wave="jaar")


def test_pair_without_overlap_names_both_waves(raw):
    # members of 2017 get new ids in 2023: the pair (2017, 2023) shares nobody
    later = raw["golf"] == 2023
    d = raw.assign(resp_id=np.where(later & raw["resp_id"].isin(ids_in(raw, 2017)),
                                    raw["resp_id"] + "x", raw["resp_id"]))
    m = sv.panel.members(d, id="resp_id", wave="golf")
    with pytest.raises(DataError, match="Waves 2017 and 2023 share no member"):
        m.pair(2017, 2023)
    with pytest.raises(DataError, match="Waves 2017 and 2023 share no member"):
        sv.panel.retention(d, id="resp_id", wave="golf", pairs=[(2017, 2023)])


# ---------------------------------------------------------------------- participation
def test_participation_equals_pandas(panel, raw):
    res = sv.panel.participation(panel)
    waves = sorted(raw["golf"].unique())
    answered = raw.groupby("resp_id")["golf"].apply(set)
    hand = answered.map(lambda s: "".join("X" if w in s else "." for w in waves))
    expected = hand.value_counts()
    got = res.patterns.set_index("pattern")["n"]
    assert got.sort_index().equals(expected.sort_index().rename("n").rename_axis("pattern"))
    assert res.patterns["n"].is_monotonic_decreasing
    assert res.patterns["share"].sum() == pytest.approx(1.0, rel=1e-12)
    assert res.member.sort_index().equals(hand.sort_index().rename("pattern"))
    row = res.patterns.set_index("pattern").loc["X.XX"]
    assert (row["waves"], row["n_waves"]) == ("2017, 2021, 2023", 3)
    first = raw.groupby("resp_id")["golf"].min()
    for w, r in res.per_wave.set_index("golf").iterrows():
        assert r["n"] == len(ids_in(raw, w))
        assert r["n_first"] == int((first[list(ids_in(raw, w))] == w).sum())
        assert r["n_first"] + r["n_returning"] == r["n"]
    assert "1072 answered every wave" in res.summary()
    assert "<td>XXXX</td>" in res._repr_html_()


# ---------------------------------------------------------------------- retention
def test_retention_counts_equal_pandas_and_ci_equals_r(panel, raw):
    ref = pd.read_csv(REF / "retention.csv", keep_default_na=False)
    pairs = [(2017, 2019), (2019, 2021), (2021, 2023), (2017, 2023)]
    t = sv.panel.retention(panel, pairs=pairs)
    first = raw.groupby("resp_id")["golf"].min()
    for (a, b), (_, row) in zip(pairs, t.iterrows()):
        A, B = ids_in(raw, a), ids_in(raw, b)
        assert (row["wave_a"], row["wave_b"]) == (a, b)
        assert row["n_a"] == len(A) and row["n_both"] == len(A & B) and row["n_b"] == len(B)
        new = {i for i in B - A if first[i] == b}
        assert row["n_new"] == len(new) and row["n_returning"] == len(B - A - new)
        assert row["refreshment"] == pytest.approx(len(new) / len(B), rel=1e-12)
        r = ref[(ref.wave_a == a) & (ref.wave_b == b) & (ref.group == "")].iloc[0]
        assert row["n_both"] == r["n_both"]
        for c in ("retention", "ci_lower", "ci_upper"):
            assert row[c] == pytest.approx(float(r[c]), rel=RTOL)
    assert not t["suppressed"].any()


def test_retention_by_group_uses_wave_a_values_and_equals_r(panel):
    ref = pd.read_csv(REF / "retention.csv", keep_default_na=False)
    t = sv.panel.retention(panel, by="leeftijdsklasse", pairs=[(2021, 2023)])
    for _, row in t.iterrows():
        r = ref[ref.group == row["leeftijdsklasse"]].iloc[0]
        assert (row["n_a"], row["n_both"]) == (r["n_a"], r["n_both"])
        for c in ("retention", "ci_lower", "ci_upper"):
            assert row[c] == pytest.approx(float(r[c]), rel=RTOL)


def test_retention_weighted_design_equals_r(panel):
    ref = pd.read_csv(REF / "retention.csv", keep_default_na=False)
    r = ref[ref.group == "weighted"].iloc[0]
    d = panel.data[panel.data["golf"] == 2021].copy()
    pop = pd.read_csv(sv.io.SAMPLE_DIR / "bevolking.csv")
    N = pop[pop.golf == 2021].groupby(["gemeente", "leeftijdsklasse"])["aantal"].sum()
    cell = list(zip(d["gemeente"].astype(str), d["leeftijdsklasse"].astype(str)))
    n = pd.Series(cell).value_counts()
    d["w"] = [N[c] / n[c] for c in cell]
    des = sv.survey.design(d, weights="w", strata="gemeente", cluster="kern")
    t = sv.panel.retention(panel, pairs=[(2021, 2023)], weights=des)
    for c in ("retention", "ci_lower", "ci_upper"):
        assert t[c].iloc[0] == pytest.approx(float(r[c]), rel=RTOL)
    assert t["n_a"].iloc[0] == r["n_a"] and t["n_both"].iloc[0] == r["n_both"]
    assert "strata, clusters" in t.attrs["se_type"]


def test_retention_disclosure_on_small_groups(panel, raw):
    t = sv.panel.retention(panel, by="kern", pairs=[(2021, 2023)])
    a = raw[raw.golf == 2021].groupby("kern").size()
    small = t[t["kern"].map(a).fillna(0) < 10]
    assert len(small) > 0 and small["suppressed"].all()
    assert small[["retention", "ci_lower"]].isna().all().all()
    assert small[["n_a", "n_both", "n_new"]].isna().all().all()     # counts hidden too
    shown = t[~t["suppressed"]]
    assert (shown["n_a"] >= 10).all()
    assert (shown["indicative"] == (shown["n_a"] < 30)).all()
    strict = sv.panel.retention(panel, by="kern", pairs=[(2021, 2023)], min_n=50, warn_n=60)
    assert strict["suppressed"].sum() > t["suppressed"].sum()


def test_retention_bad_input(panel):
    with pytest.raises(ValueError, match="pairs must be a list"):
        sv.panel.retention(panel, pairs=[2017, 2019])
    with pytest.raises(DataError, match="Wave 2018 is not in the data"):
        sv.panel.retention(panel, pairs=[(2017, 2018)])
    with pytest.raises(DataError, match="same wave twice"):
        sv.panel.retention(panel, pairs=[(2019, 2019)])
    with pytest.raises(DataError, match="member id column"):
        sv.panel.retention(panel, by="resp_id")
    with pytest.raises(DataError, match="'leeftijdklasse'.*Closest names: leeftijdsklasse"):
        sv.panel.retention(panel, by="leeftijdklasse")


def test_other_panel_retention_and_weights(other, raw):
    """Renamed columns (respondent/jaar) from its codebook; its delivered weight."""
    t = sv.panel.retention(other)
    assert list(t["wave_a"]) == [2017, 2019, 2021]
    for _, row in t.iterrows():
        A, B = ids_in(raw, row["wave_a"]), ids_in(raw, row["wave_b"])
        assert (row["n_a"], row["n_both"]) == (len(A), len(A & B))
    d = pd.read_csv(Path(other.source))
    a = d[d["jaar"] == 2021]
    stay = a["respondent"].isin(set(d.loc[d["jaar"] == 2023, "respondent"])).to_numpy()
    w = a["weegfactor"].to_numpy()
    tw = sv.panel.retention(other, pairs=[(2021, 2023)], weights="weegfactor")
    assert tw["retention"].iloc[0] == pytest.approx(np.sum(w * stay) / np.sum(w), rel=1e-12)
    assert tw["n_eff"].iloc[0] == pytest.approx(w.sum() ** 2 / np.sum(w * w), rel=1e-12)
    res = sv.panel.participation(other)
    assert res.patterns["n"].sum() == raw["resp_id"].nunique()
    by = sv.panel.retention(other, by="lftkl", pairs=[(2021, 2023)])
    assert by["n_a"].sum() == len(ids_in(raw, 2021))


# ---------------------------------------------------------------------- figure
def test_retention_plot(panel):
    sv.plots.set_theme()
    t = sv.panel.retention(panel)
    fig = sv.plots.retention(t)
    ax = fig.axes[0]
    labels = [lab.get_text() for lab in ax.get_xticklabels()]
    assert labels[0] == "2017-2019\nn = 3.293"             # Dutch thousands separator
    assert ax.get_yaxis().get_major_formatter()(0.5, 0).endswith("%")
    own = matplotlib.figure.Figure()
    target = own.add_subplot()
    by = sv.panel.retention(panel, by="kern", pairs=[(2021, 2023)])
    assert sv.plots.retention(by, group="kern", ax=target) is target
    drawn = [line for line in target.lines if len(line.get_xdata())]
    assert len(drawn) <= (~by["suppressed"]).sum() * 2         # suppressed kernen not drawn
    with pytest.raises(DataError, match="lacks column"):
        sv.plots.retention(t.drop(columns="retention"))


def test_public_names():
    """The panel package names its public functions (`from socvit.panel import *`)."""
    names = {"members", "Members", "participation", "Participation", "retention", "attrition",
             "AttritionResult", "longitudinal_weights", "LongitudinalWeights"}
    assert names <= set(sv.panel.__all__)
    assert all(hasattr(sv.panel, n) for n in sv.panel.__all__)
