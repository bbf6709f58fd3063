"""Weighted ordinal regression (kind="ordinal" with weights, strata, clusters) against R's
survey::svyolr, and against MASS::polr with sandwich::vcovCL.

Reference values: tests/reference/regression/make_reference_svyolr.R (run from the
repository root with Rscript); it reads the data make_reference.R exported (survey's api
designs, a 2023 subset of the sample with its post-stratification weight). The api outcome is
api00 in four classes, api_cat = 1 + (api00 > 550) + (api00 > 650) + (api00 > 750).
Iterative fits: tolerance 1e-4 relative.
"""

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import socvit as sv
from socvit import regression as reg
from socvit.errors import DataError, SocvitWarning

import other_panel as op
from test_regression import s23  # noqa: F401  (the fixture: 2023 subset, weight w, scores)

REF = Path(__file__).parent / "reference" / "regression"
RTOL = 1e-4


def ref(name):
    return pd.read_csv(REF / f"{name}.csv")


def stat(model, name):
    f = pd.read_csv(REF / "fitstats_svyolr.csv")
    return float(f.loc[(f.model == model) & (f.stat == name), "value"].iloc[0])


def r_term(term):
    """patsy's name of a factor level ("stype[T.H]", "leeftijdsklasse[T.35-49 jaar]") as R's
    ("stypeH", "leeftijdsklasse35-49 jaar")."""
    if term.endswith("]") and "[T." in term:
        var, level = term[:-1].split("[T.", 1)
        return var + level
    return term


def check(res, name, rtol=RTOL, atol=0.0):
    r = ref(name).set_index("term")
    t = res.table.assign(term=res.table.term.map(r_term)).set_index("term")
    assert sorted(t.index) == sorted(r.index)
    t = t.loc[r.index]
    np.testing.assert_allclose(t.estimate, r.estimate, rtol=rtol, atol=atol,
                               err_msg=f"{name}: estimate")
    np.testing.assert_allclose(t.se, r.se, rtol=rtol, atol=atol, err_msg=f"{name}: se")


def api(name):
    d = pd.read_csv(REF / f"api_{name}.csv")
    d["api_cat"] = 1 + (d.api00 > 550).astype(int) + (d.api00 > 650) + (d.api00 > 750)
    return d


# ================================================================== survey's api designs
def test_stratified_weighted_matches_svyolr():
    res = reg.fit("api_cat ~ ell + meals + mobility", api("strat"), kind="ordinal",
                  weights="pw", strata="stype")
    check(res, "svyolr_strat_strata")
    assert res.se_type.startswith("Taylor-linearised (svyolr)") and "strata" in res.se_type
    assert res.fit["deviance"] == pytest.approx(stat("svyolr_strat_strata", "deviance"), rel=1e-8)
    assert res.n == stat("svyolr_strat_strata", "n")
    # svyolr's residual df is the design df minus the coefficients (thresholds not counted)
    assert res.fit["design_df"] - 3 == stat("svyolr_strat_strata", "df_residual")
    assert list(res.table.term[-3:]) == ["1|2", "2|3", "3|4"]
    assert res.table.odds_ratio.iloc[-3:].isna().all()
    assert res.table.odds_ratio.iloc[0] == pytest.approx(np.exp(res.table.estimate.iloc[0]))


def test_cluster_design_with_a_factor_matches_svyolr():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SocvitWarning)      # 15 clusters: the usual warning
        res = reg.fit("api_cat ~ ell + meals + stype", api("clus1"), kind="ordinal",
                      weights="pw", cluster="dnum")
    check(res, "svyolr_clus1_dnum")
    assert res.fit["n_clusters"] == 15
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SocvitWarning)
        robust = reg.fit("api_cat ~ ell + meals + stype", api("clus1"), kind="ordinal",
                         weights="pw", cluster="dnum", se="cluster")
    check(robust, "svyolr_clus1_dnum")      # without strata the same sandwich
    assert res.fit["design_df"] - 4 == stat("svyolr_clus1_dnum", "df_residual")


def test_few_clusters_warn():
    with pytest.warns(SocvitWarning, match="Only 15 clusters"):
        reg.fit("api_cat ~ ell + meals", api("clus1"), kind="ordinal", weights="pw",
                cluster="dnum")


def test_unweighted_clusters_match_vcovCL_on_polr_and_svyolr():
    d = api("clus1")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SocvitWarning)
        res = reg.fit("api_cat ~ ell + meals + mobility", d, kind="ordinal", cluster="dnum")
        survey = reg.fit("api_cat ~ ell + meals + mobility", d, kind="ordinal",
                         cluster="dnum", se="survey")
    assert res.se_type == "cluster-robust (vcovCL)"            # the default with cluster=
    check(res, "polr_clus1_vcovCL")
    check(survey, "svyolr_clus1_unweighted")


@pytest.mark.parametrize("name,design,domain", [
    ("svyolr_clus1_domain_M", "clus1", lambda d: d.stype == "M"),
    ("svyolr_strat_domain_schwide", "strat", lambda d: d.sch_wide == 1)])
def test_a_domain_keeps_the_full_design(name, design, domain):
    """A domain as weight 0 outside it equals svyolr on subset(design, ...): the PSUs and
    strata without a domain member still count (3 of apiclus1's 15 clusters hold no middle
    school)."""
    d = api(design)
    dom = domain(d).to_numpy()
    kw = dict(cluster="dnum") if design == "clus1" else dict(strata="stype")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SocvitWarning)
        res = reg.fit("api_cat ~ ell + meals + mobility", d.assign(wd=d.pw * dom),
                      kind="ordinal", weights="wd", **kw)
        rebuilt = reg.fit("api_cat ~ ell + meals + mobility", d.loc[dom], kind="ordinal",
                          weights="pw", **kw)
    check(res, name)
    assert res.n == stat(name, "n") == dom.sum()
    assert res.fit["design_df"] - 3 == stat(name, "df_residual")
    assert res.fit["deviance"] == pytest.approx(stat(name, "deviance"), rel=1e-8)
    # the design rebuilt from the domain's rows alone gives other errors
    assert not np.allclose(rebuilt.table.se, res.table.se, rtol=1e-3)


RAKE_MARGINS = {"stype": {"E": 4421, "H": 755, "M": 1018}, "sch_wide": {0: 1072, 1: 5122}}


def test_raked_weights_as_fixed_weights_match_svyolr():
    """apistrat raked to stype and sch.wide, the raked weights given as a column: svyolr on
    svydesign(strata = ~stype, weights = ~w_raked) (the calibration is not in these errors)."""
    d = api("strat")
    d["w_raked"] = sv.weighting.rake(d, RAKE_MARGINS, base_weight="pw").weights
    res = reg.fit("api_cat ~ ell + meals + mobility", d, kind="ordinal", weights="w_raked",
                  strata="stype")
    check(res, "svyolr_strat_raked_fixed")


def test_raked_design_carries_its_calibration_as_svyolr():
    """The RakeResult (its calibrated design) as weights: svyolr on the rake()d design."""
    d = api("strat")
    rk = sv.weighting.rake(d, RAKE_MARGINS, base_weight="pw")
    res = reg.fit("api_cat ~ ell + meals + mobility", d, kind="ordinal", weights=rk,
                  strata="stype")
    check(res, "svyolr_strat_raked")
    assert "calibrated" in res.se_type
    fixed = reg.fit("api_cat ~ ell + meals + mobility", d.assign(w=rk.weights),
                    kind="ordinal", weights="w", strata="stype")
    assert not np.allclose(fixed.table.se, res.table.se, rtol=1e-4)


def test_finite_population_correction_as_svyolr():
    d = api("clus1")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SocvitWarning)
        res = reg.fit("api_cat ~ ell + meals + mobility", d, kind="ordinal", weights="pw",
                      cluster="dnum", fpc=np.full(len(d), 757))
    check(res, "svyolr_clus1_fpc")
    assert "fpc" in res.se_type


def test_subset_and_missing_values_keep_the_full_design():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SocvitWarning)
        res = reg.fit("api_cat ~ ell + meals + mobility", api("clus1"), kind="ordinal",
                      weights="pw", cluster="dnum", subset="stype == 'M'")
        check(res, "svyolr_clus1_domain_M")
        d = pd.read_csv(REF / "api_clus1_missing.csv")
        d["api_cat"] = 1 + (d.api00 > 550).astype(int) + (d.api00 > 650) + (d.api00 > 750)
        res = reg.fit("api_cat ~ ell + meals + mobility", d, kind="ordinal", weights="pw",
                      cluster="dnum")
    check(res, "svyolr_clus1_missing")
    assert res.n == stat("svyolr_clus1_missing", "n")
    assert res.n_dropped == d.mobility.isna().sum() > 0


def test_weights_are_sampling_weights_estimates_as_polr_with_case_weights():
    """Point estimates with weights equal polr(weights = Freq) on MASS's housing table (the
    errors differ: svyolr treats weights as sampling weights, rows as PSUs)."""
    h = pd.read_csv(REF / "housing.csv")
    h["Sat"] = pd.Categorical(h.Sat, ["Low", "Medium", "High"], ordered=True)
    for c, lv in [("Infl", ["Low", "Medium", "High"]),
                  ("Type", ["Tower", "Apartment", "Atrium", "Terrace"]), ("Cont", ["Low", "High"])]:
        h[c] = pd.Categorical(h[c], lv)
    res = reg.fit("Sat ~ Infl + Type + Cont", h, kind="ordinal", weights="Freq")
    r = ref("polr_housing")
    np.testing.assert_allclose(res.table.estimate, r.estimate, rtol=RTOL)
    assert not np.allclose(res.table.se, r.se, rtol=0.01)
    # the scale of the weights does not matter
    res2 = reg.fit("Sat ~ Infl + Type + Cont", h.assign(f2=h.Freq * 37.5), kind="ordinal",
                   weights="f2")
    np.testing.assert_allclose(res2.table[["estimate", "se"]], res.table[["estimate", "se"]],
                               rtol=1e-8)


# ================================================================== the bundled sample
# s23 (from test_regression): the 2023 subset with its weight w and the scale scores

FS = "budget_3 ~ bereidheid + geslacht + leeftijdsklasse"


def test_sample_weighted_design_matches_svyolr(s23):
    res = reg.fit(FS, s23, kind="ordinal", weights="w", strata="gemeente", cluster="kern",
                  labels="nl")
    check(res, "svyolr_sample_budget3")
    assert res.n == stat("svyolr_sample_budget3", "n")
    assert res.fit["deviance"] == pytest.approx(stat("svyolr_sample_budget3", "deviance"),
                                                rel=1e-8)
    assert res.table.label.iloc[-4] == "Drempel helemaal mee oneens | mee oneens"
    assert "Leeftijdsklasse: 65 jaar en ouder" in list(res.table.label)


def test_sample_unweighted_stays_polr_and_differs_from_weighted(s23):
    plain = reg.fit(FS, s23, kind="ordinal")
    # polr's BFGS stops ~1e-6 from the optimum here (statsmodels' Newton and ours agree to
    # 1e-8), and the threshold 3|4 is ~0.015: an absolute tolerance besides the relative one
    check(plain, "polr_sample_budget3", atol=1e-5)
    assert plain.se_type.startswith("classic")
    weighted = reg.fit(FS, s23, kind="ordinal", weights="w", strata="gemeente", cluster="kern")
    diff = np.abs(weighted.table.estimate.to_numpy() - plain.table.estimate.to_numpy())
    assert diff.max() > 1e-3


def test_weighted_model_refuses_classic_and_hc_errors(s23):
    with pytest.raises(ValueError, match="se='classic' with survey weights"):
        reg.fit(FS, s23, kind="ordinal", weights="w", se="classic")
    with pytest.raises(ValueError, match="svyolr"):
        reg.fit(FS, s23, kind="ordinal", weights="w", se="HC1")


def test_two_categories_and_a_lonely_psu_are_clear_errors(s23):
    d = s23.data.assign(twee=(s23.data.budget_3 > 3).astype("float"))
    with pytest.raises(DataError, match="at least three categories"):
        reg.fit("twee ~ bereidheid", d, kind="ordinal", weights="w")
    d = api("strat")
    d.loc[d.stype == "H", "stype"] = ["H"] + ["M"] * (int((d.stype == "H").sum()) - 1)
    with pytest.raises(DataError, match="Stratum 'H'"):
        reg.fit("api_cat ~ ell + meals", d, kind="ordinal", weights="pw", strata="stype")


# ================================================================== another panel
@pytest.fixture(scope="module")
def other(tmp_path_factory):
    folder = tmp_path_factory.mktemp("eigen_ordinal")
    op.write(folder)
    return sv.load_panel(folder / "panel.csv", folder / "codebook.yaml", check=False)


def test_other_panel_seven_points_and_delivered_weight(other):
    """The other panel asks capaciteit on 7 points (1 2 3 4 5 -> 1 2 4 6 7) and delivers its
    own weight: the weighted model of vm_1 equals the sample's model of cap_1 with that weight
    (the same ordered categories), with thresholds named and labelled by the 7-point codes."""
    d = other.data
    sample = sv.load_sample().data
    assert len(sample) == len(d)
    ours = reg.fit("vm_1 ~ lftkl + sekse", other, kind="ordinal", weights="weegfactor",
                   strata="gem_code", labels="nl")
    theirs = reg.fit("cap_1 ~ leeftijdsklasse + geslacht",
                     sample.assign(weegfactor=d.weegfactor.to_numpy()), kind="ordinal",
                     weights="weegfactor", strata="gemeente")
    np.testing.assert_allclose(ours.table.estimate, theirs.table.estimate, rtol=1e-9)
    np.testing.assert_allclose(ours.table.se, theirs.table.se, rtol=1e-9)
    assert list(ours.table.term[-4:]) == ["1|2", "2|4", "4|6", "6|7"]
    assert ours.table.label.iloc[-1] == "Drempel eens | helemaal eens"
    assert ours.fit["n_strata"] == d.loc[d.vm_1.notna(), "gem_code"].nunique()
