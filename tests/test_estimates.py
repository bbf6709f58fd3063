"""socvit.estimates against R survey (tests/reference/survey/make_reference.R).

Designs (survey's api data, extracts committed): ids1 = svydesign(ids=~1, weights=~pw,
apistrat); strat = strata=~stype; stratclus = ids=~dnum, strata=~stype, nest=TRUE;
clus = svydesign(ids=~dnum, weights=~pw, apiclus1); raked = ids=~1 with survey::rake's
weights. Values: svymean, svyby(..., svymean), svyciprop (logit, xlogit, beta), svyttest,
svycontrast; plus the bundled sample's 2023 wave with its raked weights.
"""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import socvit as sv
from socvit import estimates as E
from socvit import weighting as W
from socvit.errors import DataError

REF = Path(__file__).parent / "reference" / "survey"
TOL = 1e-8
NOSUP = dict(min_n=1, warn_n=1)


def _read(name):
    return pd.read_csv(REF / name, keep_default_na=False, na_values=["NA", "NaN"])


ST = pd.read_csv(REF / "apistrat.csv")
ST["w"] = pd.read_csv(REF / "rake_weights_apistrat.csv")["st_2m"]
ST["cname3"] = np.where(ST["cname"].isin(["Los Angeles", "San Diego"]), ST["cname"], "other")
CL = pd.read_csv(REF / "apiclus1.csv")
CL["cname3"] = np.where(CL["cname"].isin(["Los Angeles", "San Diego"]), CL["cname"], "other")
DESIGNS = {"ids1": (ST, dict(weights="pw")), "strat": (ST, dict(weights="pw", strata="stype")),
           "stratclus": (ST, dict(weights="pw", strata="stype", cluster="dnum")),
           "clus": (CL, dict(weights="pw", cluster="dnum")), "raked": (ST, dict(weights="w"))}
REFS = _read("estimates.csv")
# apiclus1, yr.rnd == "Yes": every school has sch.wide "Yes" (p = 1). R's logit glm does not
# converge and xlogit/beta give NaN; socvit gives a Clopper-Pearson interval (tested below).
DEGENERATE = (REFS["design"] == "clus") & REFS["stat"].str.startswith("prop_") & \
    (REFS["by"] == "yr.rnd") & (REFS["group"] == "Yes")


def _close(got, want, tol=TOL):
    got, want = float(got), float(want)
    assert abs(got - want) <= tol * max(abs(want), 1e-12), (got, want)


def _case_id(r):
    return f"{r.design}-{r.stat}-{r.variable}-{r.by or 'all'}-{r.group}"


CASES = [r for r in REFS.itertuples()
         if r.stat != "degf" and not DEGENERATE[r.Index] and not r.design.startswith("cal_")]
CAL = [r for r in REFS.itertuples() if r.design.startswith("cal_")]
M2 = {"stype": {"E": 4421, "H": 755, "M": 1018}, "sch.wide": {"No": 1072, "Yes": 5122}}


@pytest.mark.parametrize("r", CASES, ids=[_case_id(r) for r in CASES])
def test_against_r_survey(r):
    df, kw = DESIGNS[r.design]
    by = r.by or None
    if r.stat == "mean":
        t = E.mean(df, r.variable, by=by, **kw, **NOSUP)
    elif r.stat.startswith("prop_"):
        t = E.proportion(df, r.variable, ["Yes"], by=by, method=r.stat[5:], **kw, **NOSUP)
    elif r.stat == "dist":
        t = E.distribution(df, r.variable, **kw, **NOSUP)
        assert t["estimate"].sum() == pytest.approx(1.0, abs=1e-12)
        t = t[t["category"] == r.group]
    elif r.stat == "dist_by":
        t = E.distribution(df, r.variable, by=by, **kw, **NOSUP)
        a, c = r.group.split("|")
        t = t[(t[by] == a) & (t["category"] == c)]
    else:   # comparisons of stype E
        against = {"cmp_rest": "rest", "cmpprop_rest": "rest", "cmp_H": "H", "cmp_all": "all"}
        extra = dict(kind="proportion", categories=["Yes"]) if r.stat == "cmpprop_rest" else {}
        t = E.compare(df, r.variable, "stype", "E", against=against[r.stat], **extra, **kw,
                      **NOSUP)
        assert len(t) == 1
        row = t.iloc[0]
        _close(row["difference"], r.estimate)
        _close(row["se"], r.se)
        _close(row["estimate"] - row["estimate_other"], r.estimate, 1e-12 * 1e3)
        if not np.isnan(r.p):            # svyttest
            _close(row["p"], r.p)
            assert row["df"] == r.df
        return
    if by is not None and not r.stat.startswith("dist"):
        t = t[t[by].astype(str) == r.group]
    assert len(t) == 1
    row = t.iloc[0]
    if r.stat.startswith("prop_"):
        assert row["method"] == r.stat[5:]
    _close(row["estimate"], r.estimate)
    _close(row["se"], r.se)
    if not np.isnan(r.ci_lower):
        _close(row["ci_lower"], r.ci_lower)
        _close(row["ci_upper"], r.ci_upper)


@pytest.mark.parametrize("r", CAL, ids=[_case_id(r) for r in CAL])
def test_calibrated_se_against_svymean_on_raked_design(r):
    """weights=rake(...).design reproduces svymean & co. on survey::rake()'s design."""
    df, kw = (ST, {}) if r.design == "cal_st" else (CL, {"cluster": "dnum"})
    des = W.rake(df, M2, base_weight="pw").design
    by = r.by or None
    if r.stat == "mean":
        t = E.mean(df, r.variable, weights=des, by=by, **kw, **NOSUP)
    elif r.stat == "prop_logit":
        t = E.proportion(df, r.variable, ["Yes"], weights=des, **kw, **NOSUP)
    elif r.stat == "dist":
        t = E.distribution(df, r.variable, weights=des, **kw, **NOSUP)
        t = t[t["category"] == r.group]
        # a raking margin is reproduced exactly: its standard error is 0 (R: ~1e-10 noise)
        assert abs(t["se"].iloc[0]) < 1e-8 and abs(r.se) < 1e-8
        _close(t["estimate"].iloc[0], r.estimate)
        return
    else:
        t = E.compare(df, "api00", "stype", "E", weights=des, **kw, **NOSUP)
        row = t.iloc[0]
        for got, want in [(row["difference"], r.estimate), (row["se"], r.se), (row["p"], r.p)]:
            _close(got, want)
        return
    if by is not None:
        t = t[t[by] == r.group]
    row = t.iloc[0]
    for col in ("estimate", "se", "ci_lower", "ci_upper"):
        _close(row[col], getattr(r, col))
    # calibration never increases the error of a margin-related variable much; here smaller
    fixed = E.mean(df, "api00", weights=des.weights, **kw)["se"].iloc[0]
    cal = E.mean(df, "api00", weights=des, **kw)["se"].iloc[0]
    assert cal < fixed


def test_calibrated_design_needs_the_raked_frame():
    des = W.rake(ST, M2, base_weight="pw").design
    with pytest.raises(DataError, match="data frame that was raked"):
        E.mean(ST.iloc[:150], "api00", weights=des)


def test_degrees_of_freedom_match_degf():
    for r in REFS[REFS["stat"] == "degf"].itertuples():
        df, kw = DESIGNS[r.design]
        d = E.Design(df, kw["weights"], kw.get("strata"), kw.get("cluster"))
        got = d.degf(np.ones(len(df), bool), np.zeros(len(df), np.int64), 1)[0]
        assert got == r.estimate, r.design


@pytest.fixture(scope="module")
def sample2023():
    d = sv.load_sample().data
    d = d[d["golf"] == 2023]
    res = W.rake(d, W.margins_from_population(sv.io.SAMPLE_DIR / "bevolking.csv", golf=2023),
                 by="gemeente")
    return d, res


def test_sample_weighted_estimates_against_r(sample2023):
    d, res = sample2023
    ref = _read("sample_estimates.csv")
    # R's svydesign(ids=~1, weights=~w): the raked weights as fixed weights (res.weights)
    m = E.mean(d, "rapportcijfer", weights=res.weights, by="gemeente").set_index("gemeente")
    p = E.proportion(d, "bet_1", [4, 5], weights=res.weights, by="gemeente").set_index("gemeente")
    # a RakeResult (or its .design) means the calibrated design, as R's rake()d design
    cal = E.mean(d, "rapportcijfer", weights=res, by="gemeente").set_index("gemeente")
    cal_all = E.mean(d, "rapportcijfer", weights=res.design).iloc[0]
    assert cal.attrs["se_type"] == "Taylor-linearised, calibrated (raking)"
    assert m.attrs["se_type"] == "Taylor-linearised, fixed weights"
    for r in ref.itertuples():
        if r.design == "sample_cal":     # R: rake to gemeente x age and gemeente x sex
            row = cal.loc[r.group] if r.by == "gemeente" else cal_all
            for col in ("estimate", "se", "ci_lower", "ci_upper"):
                _close(row[col], getattr(r, col))
            continue
        if r.stat == "cmp_rest":
            c = E.compare(d, "rapportcijfer", "gemeente", r.group, weights=res.weights).iloc[0]
            for got, want in [(c["difference"], r.estimate), (c["se"], r.se), (c["p"], r.p)]:
                _close(got, want)
            assert c["direction"] == ("hoger" if r.p < 0.05 and r.estimate > 0 else
                                      "lager" if r.p < 0.05 else "gelijk")
            continue
        row = (m if r.stat == "mean" else p).loc[r.group]
        for col in ("estimate", "se", "ci_lower", "ci_upper"):
            _close(row[col], getattr(r, col))


def test_proportion_intervals_inside_unit_interval_and_edge_cases(sample2023):
    d, res = sample2023
    t = E.distribution(d, "bet_1", weights=res, by="gemeente", **NOSUP)
    assert ((t["ci_lower"] >= 0) & (t["ci_upper"] <= 1) & (t["ci_lower"] <= t["estimate"])
            & (t["estimate"] <= t["ci_upper"])).all()
    assert np.allclose(t.groupby("gemeente")["estimate"].sum(), 1.0)
    assert list(t["category"].unique()) == [1, 2, 3, 4, 5]
    zero = E.proportion(CL, "sch.wide", ["No"], by="yr.rnd", weights="pw", cluster="dnum", **NOSUP)
    row = zero[zero["yr.rnd"] == "Yes"].iloc[0]
    assert row["estimate"] == 0 and row["ci_lower"] == 0 and 0 < row["ci_upper"] < 0.5
    assert row["method"] == "clopper-pearson (n_eff)"
    n_eff = row["n_eff"]
    assert row["ci_upper"] == pytest.approx(1 - 0.025 ** (1 / n_eff), rel=1e-12)


def test_tidy_columns_and_disclosure_applied():
    small = ST.assign(g=np.where(np.arange(len(ST)) < 8, "klein",
                                 np.where(np.arange(len(ST)) < 28, "middel", "groot")))
    t = E.mean(small, "api00", weights="pw", by="g")
    assert list(t.columns) == ["g", "estimate", "se", "ci_lower", "ci_upper", "n", "n_eff",
                               "suppressed", "indicative", "reason"]
    t = t.set_index("g")
    assert t.loc["klein", "suppressed"] and np.isnan(t.loc["klein", "estimate"])
    assert t.loc["klein", "reason"] == "minder dan 10 respondenten"
    assert t.loc["middel", "indicative"] and not np.isnan(t.loc["middel", "estimate"])
    assert not t.loc["groot", "indicative"] and t.loc["groot", "reason"] == ""
    rules = sv.disclosure.Rules(min_n=25, warn_n=200)
    t2 = E.proportion(small, "sch.wide", ["Yes"], weights="pw", by="g", rules=rules).set_index("g")
    assert t2.loc[["klein", "middel"], "suppressed"].all()
    assert not t2.loc["groot", "suppressed"] and t2.loc["groot", "indicative"]   # 172 < 200
    assert t2.loc["groot", "reason"] == "indicatief: minder dan 200 respondenten"
    c = E.compare(small, "api00", "g", "klein", weights="pw")
    assert c["suppressed"].iloc[0] and pd.isna(c["direction"].iloc[0])


def test_missing_values_and_missing_groups_are_left_out():
    d = ST.copy()
    d.loc[:9, "awards"] = np.nan
    t = E.mean(d, "acs.46", weights="pw", by="awards", **NOSUP)
    assert t["n"].sum() == d.loc[d["awards"].notna(), "acs.46"].notna().sum()
    assert t["n_eff"].lt(t["n"]).all()
    w = d["pw"][d["awards"].eq("Yes") & d["acs.46"].notna()]
    y = d["acs.46"][w.index]
    _close(t.set_index("awards").loc["Yes", "estimate"], (w * y).sum() / w.sum(), 1e-12)


def test_compare_every_group_and_waves():
    panel = sv.load_sample()
    d = panel.data
    t = E.compare(d[d["golf"] == 2023], "rapportcijfer", "gemeente")
    assert len(t) == 10 and set(t["against"]) == {"rest"}
    sig = t["p"] < 0.05
    assert (t.loc[sig, "direction"] == np.where(t.loc[sig, "difference"] > 0, "hoger", "lager")).all()
    assert (t.loc[~sig, "direction"] == "gelijk").all()
    assert ((t["ci_lower"] > 0) | (t["ci_upper"] < 0)).eq(sig).all()
    w = E.compare_waves(panel, "bet_1", kind="proportion", categories=[4, 5], cluster="resp_id")
    assert w["golf"].tolist() == [2023] and w["against"].tolist() == ["2021"]
    both = d[d["golf"].isin([2021, 2023])]
    p23 = E.proportion(both[both["golf"] == 2023], "bet_1", [4, 5])["estimate"].iloc[0]
    p21 = E.proportion(both[both["golf"] == 2021], "bet_1", [4, 5])["estimate"].iloc[0]
    _close(w["difference"].iloc[0], p23 - p21, 1e-12)
    # same people in both waves: clustering by respondent changes the standard error
    w2 = E.compare_waves(panel, "bet_1", 2023, 2021, kind="proportion", categories=[4, 5])
    assert w2["se"].iloc[0] != pytest.approx(w["se"].iloc[0], rel=1e-6)


def test_bad_input():
    with pytest.raises(DataError, match="'stype' is categorical"):
        E.mean(ST.astype({"stype": "category"}), "stype")
    with pytest.raises(DataError, match="'gewicht' is not in"):
        E.mean(ST, "api00", weights="gewicht")
    with pytest.raises(DataError, match="'nope' is not in"):
        E.mean(ST, "nope")
    bad = ST.assign(pw=ST["pw"].where(ST.index != 3))
    with pytest.raises(DataError, match=r"rows \[3\]"):
        E.mean(bad, "api00", weights="pw")
    with pytest.raises(DataError, match="'Ja' is not a category"):
        E.proportion(ST.astype({"sch.wide": "category"}), "sch.wide", ["Ja"])
    with pytest.raises(DataError, match="holds codes"):
        E.proportion(sv.load_sample().data, "bet_1", ["mee eens"])
    lonely = ST.assign(s=np.where(ST.index == 0, "alleen", "rest"))
    with pytest.raises(DataError, match="Stratum 'alleen' of 's' has a single primary sampling unit"):
        E.mean(lonely, "api00", strata="s")
    with pytest.raises(DataError, match="'X' does not occur"):
        E.compare(ST, "api00", "stype", "X")
    with pytest.raises(DataError, match="categories"):
        E.compare(ST, "sch.wide", "stype", "E", kind="proportion")
    with pytest.raises(ValueError, match="level"):
        E.mean(ST, "api00", level=95)
    with pytest.raises(ValueError, match="method"):
        E.proportion(ST, "sch.wide", ["Yes"], method="wilson")


def test_vectorised_speed():
    import time
    rng = np.random.default_rng(1)
    n = 300_000
    big = pd.DataFrame({"y": rng.normal(size=n), "g": rng.integers(0, 300, n),
                        "w": rng.uniform(0.5, 2, n), "c": rng.integers(0, 5000, n)})
    t0 = time.perf_counter()
    t = E.mean(big, "y", weights="w", by="g", cluster="c")
    assert len(t) == 300 and time.perf_counter() - t0 < 5


def test_groups_of_categorical_and_text_columns_as_groupby():
    """by= on categorical/text columns takes a faster path; key and group table are those of
    groupby(sort=True, observed=True, dropna=True)."""
    from socvit.estimates import _groups
    rng = np.random.default_rng(3)
    d = pd.DataFrame({
        "k": pd.Categorical(rng.choice(["p", "q", None], 300), categories=["q", "p", "z"]),
        "s": pd.array(rng.choice(["b", "a", None], 300), dtype="string"),
        "t": pd.Series(rng.choice(["y", "x"], 300), dtype="str")})
    for by in (["k"], ["s"], ["k", "s"], ["t", "k", "s"]):
        key, table, _ = _groups(d, by)
        g = d.groupby(by, sort=True, observed=True, dropna=True)
        labels = g.size().index
        want = (labels.to_frame(index=False) if isinstance(labels, pd.MultiIndex)
                else pd.DataFrame({by[0]: labels}))
        np.testing.assert_array_equal(key, g.ngroup().fillna(-1).to_numpy(dtype=np.int64))
        pd.testing.assert_frame_equal(table, want, check_exact=True)
