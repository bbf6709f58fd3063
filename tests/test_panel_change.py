"""socvit.panel.change: the change between two waves within persons (paired, clustered on the
member) beside the difference of two cross-sections.

Reference values: R survey (svycontrast on svyby of a design clustered on the member),
tests/reference/panel/make_change_reference.R -> change_reference.csv.
"""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import socvit as sv
from socvit import sample
from socvit.panel import change

REF = Path(__file__).parent / "reference" / "panel"


@pytest.fixture(scope="module")
def raw():
    """The sample's CSV as R reads it (missing codes 99 as NA) with the reference weight."""
    d = pd.read_csv(sv.io.SAMPLE_DIR / "panel.csv", dtype={"resp_id": str, "gemeente": str})
    d["rapportcijfer"] = d["rapportcijfer"].where(d["rapportcijfer"] != 99)
    d["actief"] = d["actief"].where(d["actief"] != 99)
    d["w"] = (1 + 0.5 * (d["leeftijdsklasse"] == 1) + 0.25 * (d["geslacht"] == 2)
              + 0.1 * (d["golf"] == 2023))
    return d


CASES = {  # case in the reference -> arguments of change()
    "mark": dict(column="rapportcijfer", wave_from=2021, wave_to=2023),
    "mark_weighted_by_gemeente": dict(column="rapportcijfer", wave_from=2021, wave_to=2023,
                                      weights="w", by="gemeente"),
    "actief_weighted": dict(column="actief", wave_from=2019, wave_to=2023, weights="w",
                            kind="proportion", categories=[1]),
    "actief_by_age": dict(column="actief", wave_from=2017, wave_to=2023, kind="proportion",
                          categories=[1], by="leeftijdsklasse"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_change_equals_r_survey_svycontrast_on_a_member_clustered_design(raw, case):
    ref = pd.read_csv(REF / "change_reference.csv", dtype={"group": str})
    ref = ref[ref["case"] == case]
    args = CASES[case]
    got = change(raw, id="resp_id", wave="golf", min_n=1, warn_n=1, **args)
    by = args.get("by")
    got["group"] = "(all)" if by is None else got[by].astype(str)
    both = ref.merge(got, on=["group", "basis"], suffixes=("_r", ""), validate="1:1")
    assert len(both) == len(ref) > 0
    for col in ("estimate_from", "estimate_to", "estimate", "se"):
        np.testing.assert_allclose(both[col], both[f"{col}_r"], rtol=1e-6, err_msg=col)
    assert (both["n_from"] == both["n_from_r"]).all() and (both["n_to"] == both["n_to_r"]).all()
    # groups R skipped (fewer than 2 rows in a wave) have no change in socvit either
    rest = got[~got.set_index(["group", "basis"]).index.isin(ref.set_index(["group", "basis"]).index)]
    assert rest["se"].isna().all() or (rest[["n_from", "n_to"]].min(axis=1) < 2).all()


def test_paired_change_with_a_longitudinal_weight_is_the_mean_of_differences(raw):
    """Weights equal within a member: the weighted mean of the within-person differences and
    the with-replacement error of that mean, n/(n-1) sum z^2, z = v (d - mean) / sum v."""
    d = raw[raw["golf"].isin([2021, 2023])].copy()
    v = pd.Series(np.random.default_rng(3).uniform(0.5, 2, d["resp_id"].nunique()),
                  index=d["resp_id"].unique())
    d["v"] = d["resp_id"].map(v)
    got = change(d, "rapportcijfer", 2021, 2023, weights="v", id="resp_id", wave="golf")
    got = got[got["basis"] == "paired"].iloc[0]
    wide = d.pivot(index="resp_id", columns="golf", values="rapportcijfer").dropna()
    diff = (wide[2023] - wide[2021]).to_numpy()
    vv = v.loc[wide.index].to_numpy()
    est = np.sum(vv * diff) / vv.sum()
    z = vv * (diff - est) / vv.sum()
    n = len(diff)
    assert got["n"] == n
    assert got["estimate"] == pytest.approx(est, rel=1e-10)
    assert got["se"] == pytest.approx(np.sqrt(n / (n - 1) * np.sum(z * z)), rel=1e-10)
    q = stats.norm.ppf(0.975)
    assert got["ci_lower"] == pytest.approx(est - q * got["se"], rel=1e-12)


def _true_mark(support):
    """E[clip(round(6.9 + 0.7 A + 0.8 support + 0.7 eps), 1, 10)] with A and eps standard
    normal (the sample's mark model, socvit.sample.MARK)."""
    a, b, c, dd = sample.MARK
    mu = a + c * np.asarray(support, dtype=float)
    sd = np.hypot(b, dd)
    k = np.arange(1, 11)
    upper = np.where(k == 10, np.inf, k + 0.5)
    lower = np.where(k == 1, -np.inf, k - 0.5)
    p = stats.norm.cdf((upper[None, :] - mu[:, None]) / sd) - stats.norm.cdf(
        (lower[None, :] - mu[:, None]) / sd)
    return p @ k


def test_the_true_change_of_the_mark_lies_in_the_paired_and_cross_sectional_intervals(raw):
    """The mark moves with the gemeente's support, +0.01 a year (socvit/sample.py): between
    2021 and 2023 (one indeling) each member's expected mark rises by about 0.016. The true
    change of the paired members (from the generator's parameters) lies in the interval of
    the paired estimate; that of all respondents in the cross-sectional interval."""
    t = change(raw, "rapportcijfer", 2021, 2023, id="resp_id", wave="golf")
    d = raw[raw["golf"].isin([2021, 2023]) & raw["rapportcijfer"].notna()]
    eff = d["gemeente"].map(sample.SUPPORT_EFFECT).to_numpy()
    d = d.assign(true=_true_mark(eff + 0.01 * (d["golf"].to_numpy() - 2017)))
    both = d.groupby("resp_id")["golf"].transform("nunique") == 2
    means = lambda f: f.groupby("golf")["true"].mean()           # noqa: E731
    true_paired = means(d[both]).diff().iloc[-1]
    true_cross = means(d).diff().iloc[-1]
    assert 0.012 < true_paired < 0.02                             # not a vacuous truth
    for basis, truth in (("paired", true_paired), ("cross-sectional", true_cross)):
        row = t[t["basis"] == basis].iloc[0]
        assert row["ci_lower"] < truth < row["ci_upper"], (basis, truth, row.to_dict())


def test_paired_error_is_smaller_than_for_independent_samples(raw):
    """The member clusters carry the correlation of a person's answers: the paired error is
    below sqrt(se_from^2 + se_to^2) of the same people treated as two samples."""
    t = change(raw, "actief", 2021, 2023, kind="proportion", categories=[1], id="resp_id",
               wave="golf")
    row = t[t["basis"] == "paired"].iloc[0]
    p_a, p_b, n = row["estimate_from"], row["estimate_to"], row["n"]
    independent = np.sqrt(p_a * (1 - p_a) / (n - 1) + p_b * (1 - p_b) / (n - 1))
    d = raw[raw["golf"].isin([2021, 2023])]
    wide = d.pivot(index="resp_id", columns="golf", values="actief").dropna()
    r = np.corrcoef(wide[2021], wide[2023])[0, 1]
    assert r > 0.1
    # unweighted: se^2 = (var_a + var_b - 2 cov_ab) / n, i.e. the independent one times 1 - r
    assert row["se"] ** 2 == pytest.approx(independent ** 2 * (1 - r), rel=0.02)
    assert row["se"] < independent


def test_disclosure_on_the_paired_n_by_gemeente():
    panel = sv.load_sample()
    t = change(panel, "rapportcijfer", 2021, 2023, by="gemeente", min_n=150, warn_n=300)
    paired = t[t["basis"] == "paired"]
    small = paired["n"] < 150
    assert small.any() and (~small).any()
    assert paired.loc[small, ["estimate", "se", "estimate_from", "estimate_to", "p"]].isna().all().all()
    assert paired.loc[small, "suppressed"].all() and not paired.loc[~small, "suppressed"].any()
    mid = (paired["n"] >= 150) & (paired["n"] < 300)
    assert paired.loc[mid, "indicative"].all()
    assert set(t["gemeente"].astype(str)) == set(panel.data.loc[panel.data["golf"] == 2023, "gemeente"])


def test_another_panel_gives_the_same_change_from_its_codebook(tmp_path):
    """tests/other_panel.py: renamed columns (respondent, jaar, gem_code, cijfer_gem), a
    delivered weight; id and wave come from its codebook. Same numbers as the sample's
    columns with that weight."""
    import other_panel as op
    other = sv.load_panel(op.write(tmp_path))
    got = change(other, "cijfer_gem", 2019, 2021, weights="weegfactor", by="gem_code")
    d = other.data
    same = pd.DataFrame({"resp_id": d["respondent"], "golf": d["jaar"],
                         "gemeente": d["gem_code"], "y": d["cijfer_gem"], "w": d["weegfactor"]})
    want = change(same, "y", 2019, 2021, weights="w", by="gemeente", id="resp_id", wave="golf")
    assert got["n"].tolist() == want["n"].tolist() and got["n"].sum() > 1000
    np.testing.assert_allclose(got["estimate"], want["estimate"], rtol=1e-12)
    np.testing.assert_allclose(got["se"], want["se"], rtol=1e-12)


def test_bad_input_names_the_waves(raw):
    with pytest.raises(sv.DataError, match="2025"):
        change(raw, "rapportcijfer", 2021, 2025, id="resp_id", wave="golf")
    apart = raw.copy()
    apart.loc[apart["golf"] == 2023, "resp_id"] += "x"
    with pytest.raises(sv.DataError, match=r"2021 and 2023 share no member"):
        change(apart, "rapportcijfer", 2021, 2023, id="resp_id", wave="golf")
    with pytest.raises(ValueError, match="categories="):
        change(raw, "actief", 2021, 2023, kind="proportion", id="resp_id", wave="golf")
    with pytest.raises(sv.DataError, match="not in the data"):
        change(raw, "cijfer", 2021, 2023, id="resp_id", wave="golf")
    twice = pd.concat([raw, raw[raw["golf"] == 2021].head(3)])
    with pytest.raises(sv.DataError, match="Wave 2021"):
        change(twice, "rapportcijfer", 2021, 2023, id="resp_id", wave="golf")


def test_longitudinal_weights_weigh_both_rows_of_a_member():
    """A longitudinal_weights result: each member's weight (by_member) on both rows, 0 for
    members outside the balanced panel; the paired change is the weighted mean of the
    within-person differences."""
    panel = sv.load_sample()
    bev = pd.read_csv(sv.io.SAMPLE_DIR / "bevolking.csv")
    margins = sv.weighting.margins_from_population(bev, golf=2023)
    lw = sv.panel.longitudinal_weights(panel, 2021, 2023, margins, ["leeftijd", "opleiding"],
                                       by="gemeente")
    got = change(panel, "rapportcijfer", 2021, 2023, weights=lw)
    paired = got[got["basis"] == "paired"].iloc[0]
    d = panel.data[panel.data["golf"].isin([2021, 2023])]
    wide = d.pivot(index="resp_id", columns="golf", values="rapportcijfer").astype(float).dropna()
    v = lw.by_member.reindex(wide.index).fillna(0).to_numpy()
    keep = v > 0
    diff = (wide[2023] - wide[2021]).to_numpy()[keep]
    assert paired["n"] == keep.sum() > 1500
    assert paired["estimate"] == pytest.approx(np.sum(v[keep] * diff) / v[keep].sum(), rel=1e-10)


@pytest.mark.slow
def test_intervals_cover_the_true_change_across_fresh_samples():
    """30 fresh samples from the generator (socvit.sample, half size): the paired and the
    cross-sectional changes of the mark, 2021 to 2023, scatter around the true change as
    their standard errors say (spread / mean se near 1) and their 95% intervals cover it
    (at least 25 of 30; P(fewer) < 0.3% at 95% coverage)."""
    dev, ses, hits = {"paired": [], "cross-sectional": []}, {"paired": [], "cross-sectional": []}, \
        {"paired": 0, "cross-sectional": 0}
    for seed in range(30):
        d, _ = sample.generate(seed=1000 + seed, scale=0.5)
        d = d[d["golf"].isin([2021, 2023])].copy()
        d["rapportcijfer"] = d["rapportcijfer"].where(d["rapportcijfer"] != 99).astype(float)
        t = change(d, "rapportcijfer", 2021, 2023, id="resp_id", wave="golf").set_index("basis")
        ok = d[d["rapportcijfer"].notna()]
        ok = ok.assign(true=_true_mark(ok["gemeente"].map(sample.SUPPORT_EFFECT).to_numpy()
                                       + 0.01 * (ok["golf"].to_numpy() - 2017)))
        both = ok.groupby("resp_id")["golf"].transform("nunique") == 2
        for basis, rows in (("paired", ok[both]), ("cross-sectional", ok)):
            truth = rows.groupby("golf")["true"].mean().diff().iloc[-1]
            row = t.loc[basis]
            dev[basis].append(row["estimate"] - truth)
            ses[basis].append(row["se"])
            hits[basis] += row["ci_lower"] < truth < row["ci_upper"]
    for basis in dev:
        ratio = np.std(dev[basis], ddof=1) / np.mean(ses[basis])
        assert 0.7 < ratio < 1.4, (basis, ratio)
        assert hits[basis] >= 25, (basis, hits[basis])
