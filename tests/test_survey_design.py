"""The one survey design (socvit.survey) against R's survey package.

Reference values: tests/reference/survey/make_design_reference.R (svydesign with strata,
clusters and fpc, rake()d designs, subset() domains, missing values; svyglm, svymean, svyby,
svyciprop) on survey's api data and on the bundled sample. Closed forms are compared at
1e-6 relative, the iterative ones (logit, raking) at 1e-4 (in practice both agree to ~1e-9).
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import socvit as sv
from socvit import DataError, SocvitWarning

REF = Path(__file__).parent / "reference" / "survey"
R = pd.read_csv(REF / "design_reference.csv")
RS = pd.read_csv(REF / "sample_design_reference.csv")
CLOSED, ITER = 1e-6, 1e-4


def _api(name):
    d = pd.read_csv(REF / f"api_design_{name}.csv")
    d.columns = [c.replace(".", "_") for c in d.columns]
    d["aw"] = (d["awards"] == "Yes").astype(float)
    return d


ST, CL, C2 = _api("strat"), _api("clus1"), _api("clus2")
POP = {"stype": {"E": 4421, "H": 755, "M": 1018}, "sch_wide": {"No": 1072, "Yes": 5122}}
POP_AW = {"sch_wide": {"No": 1072, "Yes": 5122}, "awards": {"No": 2027, "Yes": 4167}}


def _term(r_name):
    if r_name == "(Intercept)":
        return "Intercept"
    for var in ("yr.rnd",):
        if r_name == f"{var}Yes":
            return f"{var.replace('.', '_')}[T.Yes]"
    return r_name.replace(".", "_")


def _rel(got, want):
    return abs(float(got) - float(want)) / max(abs(float(want)), 1e-300)


def _check_fit(res, case, tol, ref=R):
    ref = ref[ref["case"] == case]
    assert len(ref), case
    t = res.table.set_index("term")
    worst = 0.0
    for r in ref.itertuples():
        row = t.loc[_term(r.term)]
        for got, want in ((row["estimate"], r.estimate), (row["se"], r.se)):
            worst = max(worst, _rel(got, want))
    assert worst <= tol, (case, worst)
    # svyglm's residual df: degf(design) + 1 - p
    assert res.fit["df_resid"] == ref["df"].iloc[0], case
    return worst


def _fit(formula, data, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SocvitWarning)      # few clusters (15 in apiclus1)
        return sv.regression.fit(formula, data, **kw)


def _raked(data, margins, base):
    return sv.weighting.rake(data, margins, base_weight=base, tol=1e-13, max_iter=1000)


# ------------------------------------------------------------------ calibrated designs
def test_svyglm_on_a_raked_design_gives_calibrated_errors():
    rk = _raked(ST, POP, "pw")
    for w in (rk, rk.design):                  # a RakeResult means its calibrated design
        res = _fit("api00 ~ meals + yr_rnd + enroll", ST, weights=w)
        _check_fit(res, "rake_st_ols", ITER)
        assert "calibrated (raking)" in res.se_type
        _check_fit(_fit("aw ~ meals + yr_rnd", ST, kind="logit", weights=w), "rake_st_logit",
                   ITER)
    # its weights alone are fixed weights: the intercept error differs (R: 11% larger)
    fixed = _fit("api00 ~ meals + yr_rnd + enroll", ST, weights=rk.weights)
    want = R[(R.case == "rake_st_ols") & (R.term == "(Intercept)")].se.iloc[0]
    assert _rel(fixed.table.se.iloc[0], want) > 0.01
    assert "fixed weights" in fixed.se_type


def test_raking_a_stratified_design_with_fpc_keeps_strata_and_fpc():
    des = sv.survey.design(ST, weights="pw", strata="stype", fpc="fpc")
    rk = _raked(ST, POP_AW, des)
    d = rk.design
    assert d.calibrated and d.fpc is not None and d.H == 3
    _check_fit(_fit("api00 ~ meals + yr_rnd", ST, weights=d), "rake_stfpc_ols", ITER)
    m = sv.estimates.mean(ST, "api00", weights=rk)
    ref = R[R.case == "rake_stfpc_mean"].iloc[0]
    assert _rel(m.estimate.iloc[0], ref.estimate) < ITER and _rel(m.se.iloc[0], ref.se) < ITER
    assert m.attrs["se_type"] == "Taylor-linearised, strata, fpc, calibrated (raking)"
    b = sv.estimates.mean(ST, "api00", weights=rk, by="yr_rnd").set_index("yr_rnd")
    for r in R[R.case == "rake_stfpc_by"].itertuples():
        assert _rel(b.loc[r.term, "se"], r.se) < ITER


def test_raked_cluster_design_and_a_domain_of_a_raked_design():
    rk = _raked(CL, POP, sv.survey.design(CL, weights="pw", cluster="dnum"))
    _check_fit(_fit("api00 ~ meals + enroll", CL, weights=rk), "rake_cl_ols", ITER)
    rs = _raked(ST, POP, "pw")
    _check_fit(_fit("api00 ~ meals", ST, weights=rs, subset="stype == 'E'"),
               "rake_st_domain_E", ITER)


# ------------------------------------------------------------------ domains
def test_svyglm_on_subset_keeps_the_full_design():
    _check_fit(_fit("api00 ~ meals + enroll", CL, weights="pw", cluster="dnum",
                    subset="stype == 'M'"), "domain_cl_M", CLOSED)
    _check_fit(_fit("api00 ~ meals + enroll", CL, weights="pw", cluster="dnum", fpc="fpc",
                    subset=CL["stype"] == "M"), "domain_clfpc_M", CLOSED)
    res = _fit("api00 ~ meals + yr_rnd", ST, weights="pw", strata="stype",
               subset=(ST["awards"] == "Yes").to_numpy())
    _check_fit(res, "domain_strat_awards", CLOSED)
    # fitting the rows alone (a rebuilt design) is what R does not do
    alone = _fit("api00 ~ meals + yr_rnd", ST[ST.awards == "Yes"], weights="pw",
                 strata="stype")
    assert not np.allclose(alone.table.se, res.table.se, rtol=1e-6)


def test_domain_means_with_fpc():
    des = sv.survey.design(CL, weights="pw", cluster="dnum", fpc="fpc")
    m = sv.estimates.mean(CL, "api00", weights=des, subset="stype == 'M'").iloc[0]
    ref = R[R.case == "domain_clfpc_M_mean"].iloc[0]
    assert _rel(m.estimate, ref.estimate) < CLOSED and _rel(m.se, ref.se) < CLOSED
    m = sv.estimates.mean(ST, "api00", weights="pw", strata="stype", fpc="fpc",
                          subset=ST.awards == "Yes").iloc[0]
    ref = R[R.case == "domain_stfpc_awards_mean"].iloc[0]
    assert _rel(m.estimate, ref.estimate) < CLOSED and _rel(m.se, ref.se) < CLOSED


# ------------------------------------------------------------------ missing values
def test_missing_values_keep_the_full_designs_psus():
    res = _fit("api00 ~ acs_46 + meals", ST, weights="pw", strata="stype")
    assert res.n_dropped == 66
    _check_fit(res, "missing_strat", CLOSED)
    _check_fit(_fit("api00 ~ acs_46 + meals", ST, weights="pw", strata="stype", fpc="fpc"),
               "missing_stfpc", CLOSED)


def test_a_stratum_left_with_one_complete_row_gets_rs_error():
    res = _fit("api00 ~ meals_h1", ST, weights="pw", strata="stype")
    _check_fit(res, "missing_lonely_strat", CLOSED)


# ------------------------------------------------------------------ fpc
@pytest.mark.parametrize("case, data, formula, kw", [
    ("fpc_clus1_ols", CL, "api00 ~ meals + enroll", {"cluster": "dnum", "fpc": "fpc"}),
    ("fpc_clus1_logit", CL, "aw ~ meals", {"cluster": "dnum", "fpc": "fpc", "kind": "logit"}),
    ("fpc_clus2_ols", C2, "api00 ~ meals + ell", {"cluster": "dnum", "fpc": "fpc1"}),
    ("fpc_strat_ols", ST, "api00 ~ meals + yr_rnd", {"strata": "stype", "fpc": "fpc"}),
    ("frac_strat_ols", ST, "api00 ~ meals + yr_rnd", {"strata": "stype", "fpc": "frac"}),
])
def test_svyglm_with_fpc(case, data, formula, kw):
    res = _fit(formula, data, weights="pw", **kw)
    _check_fit(res, case, ITER if kw.get("kind") == "logit" else CLOSED)
    assert "fpc" in res.se_type


@pytest.mark.parametrize("name, data, kw", [
    ("d_clfpc", CL, {"cluster": "dnum", "fpc": "fpc"}),
    ("d_c2fpc", C2, {"cluster": "dnum", "fpc": "fpc1"}),
    ("d_stfpc", ST, {"strata": "stype", "fpc": "fpc"}),
    ("d_stfrac", ST, {"strata": "stype", "fpc": "frac"}),
])
def test_estimates_with_fpc(name, data, kw):
    des = sv.survey.design(data, weights="pw", **kw)
    nosup = {"min_n": 1, "warn_n": 1}
    m = sv.estimates.mean(data, "api00", weights=des, **nosup).iloc[0]
    ref = R[R.case == f"{name}_mean"].iloc[0]
    assert _rel(m.estimate, ref.estimate) < CLOSED and _rel(m.se, ref.se) < CLOSED
    b = sv.estimates.mean(data, "api00", weights=des, by="awards", **nosup).set_index("awards")
    for r in R[R.case == f"{name}_by"].itertuples():
        assert _rel(b.loc[r.term, "se"], r.se) < CLOSED
    p = sv.estimates.proportion(data, "sch_wide", ["Yes"], weights=des, **nosup).iloc[0]
    ref = R[R.case == f"{name}_prop"].iloc[0]
    for got, want in ((p.estimate, ref.estimate), (p.se, ref.se), (p.ci_lower, ref.ci_lower),
                      (p.ci_upper, ref.ci_upper)):
        assert _rel(got, want) < CLOSED, name
    # the same design given column by column
    same = sv.estimates.mean(data, "api00", weights="pw", **kw, **nosup).iloc[0]
    assert same.se == pytest.approx(m.se, rel=1e-13)


# ------------------------------------------------------------------ one variance
def test_estimates_and_regression_share_one_variance():
    """svyglm(y ~ 1) and svymean give the same error: on every kind of design."""
    rk = _raked(CL, POP, sv.survey.design(CL, weights="pw", cluster="dnum", fpc="fpc"))
    for w in (rk, sv.survey.design(ST, weights="pw", strata="stype", fpc="fpc")):
        data = CL if w is rk else ST
        m = sv.estimates.mean(data, "api00", weights=w, subset="yr_rnd == 'No'").iloc[0]
        f = _fit("api00 ~ 1", data, weights=w, subset="yr_rnd == 'No'").table.iloc[0]
        assert f.estimate == pytest.approx(m.estimate, rel=1e-12)
        assert f.se == pytest.approx(m.se, rel=1e-10)


def test_weighted_ordinal_takes_the_design():
    """svyolr's variance comes from the same design (score_variance), fpc and all."""
    d = ST.assign(api_cat=pd.cut(ST.api00, [0, 600, 700, 800, 1000], labels=False))
    des = sv.survey.design(d, weights="pw", strata="stype", fpc="fpc")
    a = _fit("api_cat ~ meals", d, kind="ordinal", weights=des)
    b = _fit("api_cat ~ meals", d, kind="ordinal", weights="pw", strata="stype")
    assert "fpc" in a.se_type
    np.testing.assert_allclose(a.table.estimate, b.table.estimate, rtol=1e-10)
    # the fpc shrinks each stratum's term by 1 - n_h/N_h: smaller errors
    assert (a.table.se < b.table.se).all()


# ------------------------------------------------------------------ the sample, other panel
def test_sample_raked_design_against_r():
    d = sv.load_sample().data
    d = d[d["golf"] == 2023]
    rk = sv.weighting.rake(d, sv.weighting.margins_from_population(
        sv.io.SAMPLE_DIR / "bevolking.csv", golf=2023), by="gemeente", tol=1e-13,
        max_iter=1000)
    data = d.assign(bet_1=d["bet_1"].where(d["bet_1"] <= 5))
    _check_fit(_fit("rapportcijfer ~ bet_1", data, weights=rk), "sample_rake_ols", ITER, RS)
    _check_fit(_fit("rapportcijfer ~ bet_1", data, weights=rk, subset="gemeente == 'GM0014'"),
               "sample_rake_domain", ITER, RS)
    m = sv.estimates.mean(data, "rapportcijfer", weights=rk, subset="gemeente == 'GM0014'")
    ref = RS[RS.case == "sample_rake_domain_mean"].iloc[0]
    assert _rel(m.se.iloc[0], ref.se) < ITER


def test_the_other_panel_with_a_design(tmp_path):
    from tests import other_panel
    p = sv.load_panel(other_panel.write(tmp_path))
    df = p.data
    des = sv.survey.design(p, weights="weegfactor", strata="gem_code")
    sub = "jaar == 2023"
    m = sv.estimates.mean(p, "cijfer_gem", weights=des, subset=sub).iloc[0]
    f = _fit("cijfer_gem ~ 1", p, weights=des, subset=sub).table.iloc[0]
    assert f.se == pytest.approx(m.se, rel=1e-10)
    # the domain keeps every row of every wave as a PSU: not the design of 2023 alone
    alone = sv.estimates.mean(df[df.jaar == 2023], "cijfer_gem", weights="weegfactor",
                              strata="gem_code").iloc[0]
    assert alone.estimate == pytest.approx(m.estimate, rel=1e-12)
    assert alone.se != pytest.approx(m.se, rel=1e-9)


# ------------------------------------------------------------------ bad input
def test_bad_designs_are_named():
    with pytest.raises(DataError, match="stratum 'E' of 'stype' has a population of 50"):
        sv.survey.design(ST.assign(f=np.where(ST.stype == "E", 50, ST.fpc)), weights="pw",
                         strata="stype", fpc="f")
    with pytest.raises(DataError, match="differs within stratum 'H'"):
        sv.survey.design(ST.assign(f=np.where(ST.index == ST.index[ST.stype == "H"][0],
                                              9999, ST.fpc)), strata="stype", fpc="f")
    lonely = ST.assign(s=np.where(ST.index == 0, "alleen", ST.stype))
    with pytest.raises(DataError, match="Stratum 'alleen' of 's' has a single primary"):
        sv.survey.design(lonely, weights="pw", strata="s")
    with pytest.raises(DataError, match="leaves no rows"):
        sv.regression.fit("api00 ~ meals", ST, weights="pw", subset="stype == 'X'")
    with pytest.raises(DataError, match="leaves no rows"):
        sv.estimates.mean(ST, "api00", weights="pw", subset=np.zeros(len(ST), bool))
    with pytest.raises(DataError, match="cannot be evaluated"):
        sv.estimates.mean(ST, "api00", subset="nope ==")
    des = sv.survey.design(ST, weights="pw", strata="stype")
    with pytest.raises(DataError, match="already has strata="):
        sv.estimates.mean(ST, "api00", weights=des, strata="stype")
    with pytest.raises(DataError, match="the data frame it was made for"):
        sv.regression.fit("api00 ~ meals", ST.iloc[:100], weights=des)
    with pytest.raises(ValueError, match="fpc= is used only"):
        sv.regression.fit("api00 ~ meals", ST, fpc="fpc", se="HC1")


def test_compare_waves_keeps_the_design():
    """Two groups of a design compared as a domain of it: svyttest on subset(design, ...)."""
    des = sv.survey.design(CL, weights="pw", cluster="dnum", fpc="fpc")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SocvitWarning)
        t = sv.estimates.compare_waves(CL, "api00", "M", "E", wave_col="stype", weights=des,
                                       min_n=1, warn_n=1).iloc[0]
    ref = R[R.case == "ttest_clfpc_ME"].iloc[0]
    assert _rel(t.difference, ref.estimate) < CLOSED and _rel(t.se, ref.se) < CLOSED
    assert t.df == ref.df
