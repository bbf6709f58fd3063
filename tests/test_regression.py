"""Tests of socvit.regression against R (survey, sandwich, MASS, lme4).

Reference values: tests/reference/regression/make_reference.R (run from the repository root
with Rscript); it exports the public data sets it uses (survey::api, MASS::housing,
lme4::sleepstudy and Pastes) and subsets of the bundled sample next to the values, so these
tests need no R.
"""

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import socvit as sv
from socvit import regression as reg
from socvit.errors import DataError, SocvitWarning

REF = Path(__file__).parent / "reference" / "regression"
SAMPLE = sv.io.SAMPLE_DIR
CODEBOOK = SAMPLE / "codebook.yaml"
FG = "api00 ~ ell + meals + mobility"
FB = "sch_wide ~ ell + meals + mobility"


def ref(name):
    t = pd.read_csv(REF / f"{name}.csv")
    t["term"] = t["term"].replace({"(Intercept)": "Intercept"})
    return t


def stat(model, name):
    f = pd.read_csv(REF / "fitstats.csv")
    return float(f.loc[(f.model == model) & (f.stat == name), "value"].iloc[0])


FACTORS = ("leeftijdsklasse", "geslacht", "opleiding", "stype")


def patsy_name(term):
    """R's name of a treatment-coded factor level ("geslachtvrouw") as patsy's
    ("geslacht[T.vrouw]"); "factor(golf)2019" as "C(golf)[T.2019]"."""
    if term.startswith("factor(") and ")" in term:
        var, level = term[len("factor("):].split(")", 1)
        return f"C({var})[T.{level}]"
    for f in FACTORS:
        if term.startswith(f) and term != f:
            return f"{f}[T.{term[len(f):]}]"
    return term


def check(res, name, cols=("estimate", "se"), rtol=1e-6, atol=1e-9):
    r = ref(name)
    r["term"] = r.term.map(patsy_name)
    t = res.table.set_index("term").loc[r.term].reset_index()
    assert len(t) == len(r)
    for c in cols:
        np.testing.assert_allclose(t[c].to_numpy(float), r[c].to_numpy(float), rtol=rtol,
                                   atol=atol, err_msg=f"{name}: {c}")


@pytest.fixture(scope="module")
def strat():
    return pd.read_csv(REF / "api_strat.csv")


@pytest.fixture(scope="module")
def clus():
    return pd.read_csv(REF / "api_clus1.csv")


# ================================================================== svyglm (survey)
ALL = ("estimate", "se", "ci_lower", "ci_upper", "p")


@pytest.mark.parametrize("design", ["strat_ids1", "strat_strata", "clus1_dnum"])
@pytest.mark.parametrize("family", ["gaussian", "quasibinomial"])
def test_svyglm_matches_R(design, family, strat, clus):
    data = clus if design == "clus1_dnum" else strat
    kw = {"strat_ids1": {}, "strat_strata": {"strata": "stype"},
          "clus1_dnum": {"cluster": "dnum"}}[design]
    kind = "ols" if family == "gaussian" else "logit"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SocvitWarning)   # 15 clusters in apiclus1
        res = reg.fit(FG if kind == "ols" else FB, data, kind=kind, weights="pw", **kw)
    name = f"svyglm_{design}_{family}"
    check(res, name, ALL)
    assert res.fit["df_resid"] == stat(name, "df_residual")
    assert res.se_type.startswith("Taylor-linearised (svyglm)")


def test_svyglm_factor_terms_and_few_clusters_warning(clus):
    with pytest.warns(SocvitWarning, match="15 clusters"):
        res = reg.fit("api00 ~ ell + meals + stype", clus, weights="pw", cluster="dnum")
    check(res, "svyglm_clus1_dnum_factor", ("estimate", "se", "p"))
    assert res.fit["n_clusters"] == 15


# ================================================================== sandwich
def test_vcovCL_lm_wlm_glm(clus):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SocvitWarning)
        check(reg.fit(FG, clus, cluster="dnum"), "vcovCL_lm")                  # se=None -> cluster
        check(reg.fit(FG, clus, cluster="dnum", weights="pw", se="cluster"), "vcovCL_wlm")
        res = reg.fit(FB, clus, kind="logit", cluster="dnum", se="cluster")
    check(res, "vcovCL_glm")
    assert "vcovCL" in res.se_type


def test_hc3_and_classic(clus):
    check(reg.fit(FG, clus, se="HC3"), "vcovHC3_lm")
    check(reg.fit(FB, clus, kind="logit", se="HC3"), "vcovHC3_glm")
    ols = reg.fit(FG, clus)
    check(ols, "classic_lm")
    assert ols.fit["r2"] == pytest.approx(stat("classic_lm", "r2"), rel=1e-10)
    assert ols.fit["adj_r2"] == pytest.approx(stat("classic_lm", "adj_r2"), rel=1e-10)
    logit = reg.fit(FB, clus, kind="logit")
    check(logit, "classic_glm")
    assert logit.fit["deviance"] == pytest.approx(stat("classic_glm", "deviance"), rel=1e-9)
    assert logit.fit["aic"] == pytest.approx(stat("classic_glm", "aic"), rel=1e-9)
    t = logit.table.set_index("term")
    np.testing.assert_allclose(t.odds_ratio.dropna(), np.exp(t.estimate.iloc[1:]))
    np.testing.assert_allclose(t.or_ci_lower.dropna(), np.exp(t.ci_lower.iloc[1:]))


# ================================================================== polr
def housing():
    h = pd.read_csv(REF / "housing.csv")
    h = h.loc[h.index.repeat(h.Freq)].reset_index(drop=True)   # polr(weights = Freq)
    h["Sat"] = pd.Categorical(h.Sat, ["Low", "Medium", "High"], ordered=True)
    for c, lv in [("Infl", ["Low", "Medium", "High"]), ("Type", ["Tower", "Apartment", "Atrium", "Terrace"]),
                  ("Cont", ["Low", "High"])]:
        h[c] = pd.Categorical(h[c], lv)
    return h


def test_ordinal_matches_polr():
    res = reg.fit("Sat ~ Infl + Type + Cont", housing(), kind="ordinal")
    r = ref("polr_housing")
    # polr names: InflMedium ... ; thresholds "Low|Medium": same order as ours
    assert list(res.table.term[-2:]) == ["Low|Medium", "Medium|High"]
    np.testing.assert_allclose(res.table.estimate, r.estimate, atol=1e-6)   # issue: 1e-4
    np.testing.assert_allclose(res.table.se, r.se, atol=1e-6)
    assert res.fit["deviance"] == pytest.approx(stat("polr_housing", "deviance"), rel=1e-9)
    assert res.fit["aic"] == pytest.approx(stat("polr_housing", "aic"), rel=1e-9)
    assert res.table.odds_ratio.iloc[-2:].isna().all()
    assert res.table.odds_ratio.iloc[0] == pytest.approx(np.exp(r.estimate.iloc[0]), rel=1e-5)


def test_ordinal_refuses_hc_errors():
    # weighted and design-based ordinal models: tests/test_regression_ordinal.py
    with pytest.raises(ValueError, match="model-based"):
        reg.fit("Sat ~ Infl", housing(), kind="ordinal", se="HC3")


# ================================================================== lmer
def test_mixed_matches_lmer_sleepstudy():
    d = pd.read_csv(REF / "sleepstudy.csv")
    res = reg.fit("Reaction ~ Days", d, kind="mixed", groups="Subject")
    check(res, "lmer_sleepstudy", rtol=1e-5)
    m = "lmer_sleepstudy"
    assert res.fit["var_Subject"] == pytest.approx(stat(m, "var_Subject"), rel=1e-5)
    assert res.fit["var_residual"] == pytest.approx(stat(m, "var_residual"), rel=1e-5)
    assert res.fit["reml_criterion"] == pytest.approx(stat(m, "reml_criterion"), rel=1e-8)
    icc = stat(m, "var_Subject") / (stat(m, "var_Subject") + stat(m, "var_residual"))
    assert res.fit["icc_Subject"] == pytest.approx(icc, rel=1e-5)


def test_mixed_two_levels_matches_lmer_pastes():
    d = pd.read_csv(REF / "pastes.csv")
    res = reg.fit("strength ~ 1", d, kind="mixed", groups=["batch", "cask"])
    check(res, "lmer_pastes", rtol=1e-5)
    m = "lmer_pastes"
    assert res.fit["var_batch"] == pytest.approx(stat(m, "var_batch"), rel=1e-4)
    assert res.fit["var_cask"] == pytest.approx(stat(m, "var_batch_cask"), rel=1e-4)
    assert res.fit["var_residual"] == pytest.approx(stat(m, "var_residual"), rel=1e-4)
    assert res.fit["n_cask"] == 30 and res.fit["n_batch"] == 10


def test_mixed_refuses_weights():
    d = pd.read_csv(REF / "sleepstudy.csv")
    with pytest.raises(DataError, match="does not take survey weights"):
        reg.fit("Reaction ~ Days", d, kind="mixed", groups="Subject", weights="Days")


# ================================================================== within
def test_within_matches_lm_with_person_dummies():
    d = pd.read_csv(REF / "sleep_unbal.csv")
    with pytest.warns(SocvitWarning, match="17 persons"):
        res = reg.fit("Reaction ~ Days + x2", d, kind="within", groups="Subject")
    check(res, "within_sleep_unbal", ("estimate", "se", "p"))
    assert res.fit["n_single_dropped"] == 1            # subject 370 has one row
    assert res.n == stat("within_sleep_unbal", "n")
    assert res.fit["df_resid"] == stat("within_sleep_unbal", "df_residual")


def test_within_time_invariant_term_is_named():
    d = pd.read_csv(REF / "sleep_unbal.csv")
    d["groep"] = (d.Subject.astype(int) % 2).astype(float)
    with pytest.raises(DataError, match="'groep'.*does not vary within persons"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", SocvitWarning)
            reg.fit("Reaction ~ Days + groep", d, kind="within", groups="Subject")


# ================================================================== the bundled sample
@pytest.fixture(scope="module")
def s23():
    """2023 subset of the sample (exported by make_reference.R) as a Panel, with scores."""
    panel = sv.load_panel(REF / "sample_2023.csv", CODEBOOK, check=False)
    d = panel.data
    w = pd.read_csv(REF / "sample_weights_2023.csv")
    key = pd.MultiIndex.from_arrays([d.leeftijdsklasse.cat.codes + 1, d.geslacht.cat.codes + 1])
    d["w"] = w.set_index(["leeftijdsklasse", "geslacht"]).w.reindex(key).to_numpy()
    for s in ("bereidheid", "capaciteit", "contact_gemeente"):
        d[s] = sv.scales.score(panel, s)
    return panel


def test_sample_weighted_logit_matches_svyglm(s23):
    res = reg.fit("actief ~ bereidheid + capaciteit + leeftijdsklasse + geslacht + opleiding",
                  s23, kind="logit", weights="w", strata="gemeente", cluster="kern", labels="nl")
    check(res, "sample_svyglm_actief", ALL)
    assert res.n == stat("sample_svyglm_actief", "n")
    assert res.n + res.n_dropped == len(s23.data)
    assert res.fit["df_resid"] == stat("sample_svyglm_actief", "df_residual")
    labels = list(res.table.label)
    assert labels[0] == "Constante" and "Bereidheid" in labels and "Capaciteit" in labels
    assert "Leeftijdsklasse: 65 jaar en ouder" in labels
    assert "Hoogst voltooide opleiding: hoog" in labels


def test_sample_weighted_ols_matches_svyglm(s23):
    res = reg.fit("rapportcijfer ~ contact_gemeente + leeftijdsklasse", s23, weights="w",
                  strata="gemeente", cluster="kern")
    check(res, "sample_svyglm_rapportcijfer", ("estimate", "se", "p"))
    assert res.n == stat("sample_svyglm_rapportcijfer", "n")


def test_sample_ordinal_likert_matches_polr(s23):
    res = reg.fit("budget_3 ~ bereidheid + geslacht", s23, kind="ordinal", labels="nl")
    check(res, "sample_polr_budget3", rtol=0, atol=1e-6)
    assert list(res.table.term[-4:]) == ["1|2", "2|3", "3|4", "4|5"]
    assert res.table.label.iloc[-4] == "Drempel helemaal mee oneens | mee oneens"


def test_sample_mixed_gemeente_kern_matches_lmer(s23):
    res = reg.fit("capaciteit ~ leeftijdsklasse", s23, kind="mixed", groups=["gemeente", "kern"])
    check(res, "sample_lmer_capaciteit", rtol=1e-4, atol=1e-6)
    m = "sample_lmer_capaciteit"
    for ours, theirs in [("var_gemeente", "var_gemeente"), ("var_kern", "var_kern"),
                         ("var_residual", "var_residual")]:
        assert res.fit[ours] == pytest.approx(stat(m, theirs), rel=1e-4)
    assert 0 < res.fit["icc_gemeente"] < res.fit["icc_kern"] < 1


def test_sample_within_matches_lm(s23):
    panel = sv.load_panel(REF / "sample_within.csv", CODEBOOK, check=False)
    panel.data["capaciteit"] = sv.scales.score(panel, "capaciteit")
    panel.data["animo"] = sv.scales.score(panel, "animo")
    res = reg.fit("capaciteit ~ C(golf) + animo", panel, kind="within")  # id from the codebook
    check(res, "sample_within_capaciteit", ("estimate", "se", "p"))
    assert res.n == stat("sample_within_capaciteit", "n")
    assert res.fit["n_persons"] == stat("sample_within_capaciteit", "n_persons")


@pytest.fixture(scope="module")
def sample():
    return sv.load_sample()


def test_sample_true_support_effect_recovered(sample):
    """rapportcijfer = round(6.9 + 0.7 A + 0.8 support + 0.7 eps) (socvit.sample.MARK) with
    support = SUPPORT_EFFECT[gemeente] + 0.01 (golf - 2017) and A a person factor independent
    of the gemeente: a regression on support recovers 0.8 (and 6.9) within the 95% intervals."""
    from socvit import sample as smp
    d = sample.data.copy()
    d["support"] = (d.gemeente.map(smp.SUPPORT_EFFECT).astype(float)
                    + 0.01 * (d.golf.astype(float) - 2017))
    a, _, c, _ = smp.MARK
    res = reg.fit("rapportcijfer ~ support", d, cluster="gemeente")
    t = res.table.set_index("term")
    assert t.ci_lower["support"] < c < t.ci_upper["support"]
    assert t.ci_lower["Intercept"] < a < t.ci_upper["Intercept"]
    assert res.fit["n_clusters"] >= 20


def test_sample_true_actief_coefficients_recovered_on_the_latent_scale():
    """On the documented (latent) scale the logit of data/sample/README.md is recovered:
    every true coefficient (socvit.sample.ACTIEF_COEF) lies in its 99% interval. Response
    depends only on covariates of the model, so the selection is ignorable; errors are
    clustered by respondent (repeated waves)."""
    from socvit import sample as smp
    d, _ = smp.generate(smp.DEFAULT_SEED, latent=True)
    d = d[d.actief != 99].copy()
    d["age_z"] = (d.leeftijd - smp.AGE_MEAN) / smp.AGE_SD
    d["hoog"] = (d.true_opleiding == 3).astype(float)
    d["laag"] = (d.true_opleiding == 1).astype(float)
    res = reg.fit("actief ~ true_bereidheid_z + true_capaciteit_z + age_z + hoog + laag + true_stad",
                  d, kind="logit", cluster="resp_id", level=0.99)
    t = res.table.set_index("term")
    b = smp.ACTIEF_COEF
    truth = {"Intercept": b["intercept"], "true_bereidheid_z": b["bereidheid_z"],
             "true_capaciteit_z": b["capaciteit_z"], "age_z": b["age_z"],
             "hoog": b["opleiding_hoog"], "laag": b["opleiding_laag"], "true_stad": b["stad"]}
    for term, value in truth.items():
        assert t.ci_lower[term] < value < t.ci_upper[term], (term, value, t.loc[term].to_dict())
    assert res.fit["n_clusters"] > 5000


def test_sample_actief_drivers_have_the_documented_signs(sample):
    """Observed scale scores measure the latent bereidheid/capaciteit with error, so their
    logit coefficients are attenuated; the documented signs (ACTIEF_COEF) must hold, and be
    significant."""
    from socvit import sample as smp
    d = sample.data
    sub = sample.subset((d.golf == 2023).to_numpy())
    sub.data["bereidheid"] = sv.scales.score(sub, "bereidheid")
    sub.data["capaciteit"] = sv.scales.score(sub, "capaciteit")
    sub.data["age_z"] = (sub.data.leeftijd - smp.AGE_MEAN) / smp.AGE_SD
    res = reg.fit("actief ~ bereidheid + capaciteit + age_z + opleiding", sub, kind="logit",
                  cluster="kern")
    t = res.table.set_index("term")
    b = smp.ACTIEF_COEF
    for term, truth in [("bereidheid", b["bereidheid_z"]), ("capaciteit", b["capaciteit_z"]),
                        ("age_z", b["age_z"]), ("opleiding[T.hoog]", b["opleiding_hoog"])]:
        assert np.sign(t.estimate[term]) == np.sign(truth) and t.p[term] < 0.01, term


# ================================================================== standardised, compare
def test_standardized_equals_refit_on_z_scores(strat):
    res = reg.fit(FG, strat, standardize=True)
    z = strat.copy()
    for c in ("api00", "ell", "meals", "mobility"):
        z[c] = (z[c] - z[c].mean()) / z[c].std()
    refit = reg.fit(FG, z).table.set_index("term").estimate
    t = res.table.set_index("term")
    np.testing.assert_allclose(t.std_estimate.iloc[1:], refit.iloc[1:], rtol=1e-10)
    assert np.isnan(t.std_estimate["Intercept"])
    lg = reg.fit(FB, strat, kind="logit", standardize=True).table.set_index("term")
    zx = strat.copy()
    for c in ("ell", "meals", "mobility"):
        zx[c] = (zx[c] - zx[c].mean()) / zx[c].std()
    np.testing.assert_allclose(lg.std_estimate.iloc[1:],
                               reg.fit(FB, zx, kind="logit").table.estimate.iloc[1:], rtol=1e-8)


def test_compare_side_by_side(strat):
    m1 = reg.fit("api00 ~ ell", strat)
    m2 = reg.fit(FG, strat, weights="pw", strata="stype")
    cmp_ = reg.side_by_side([m1, m2], names=["basis", "gewogen"])
    t = cmp_.table
    assert list(t.columns) == ["basis", "gewogen"]
    assert t.loc["mobility", "basis"] == ""                     # not in model 1
    est, se = m2.table.set_index("term").loc["meals", ["estimate", "se"]]
    assert t.loc["meals", "gewogen"] == f"{est:.3f}***".replace(".", ",") + f" ({se:.3f})".replace(".", ",")
    assert t.loc["N", "basis"] == "200"
    assert "r2" in t.index
    html = cmp_.to_html()
    assert "<table" in html and "gewogen" in html and "Standaardfouten" in html
    with pytest.raises(ValueError, match="2 models"):
        reg.side_by_side([m1, m2], names=["a"])


def test_summary_and_repr(strat):
    res = reg.fit(FG, strat, weights="pw", strata="stype")
    text = res.summary()
    assert "Taylor-linearised" in text and "n = 200" in text and "meals" in text
    assert repr(res) == text
    assert "<table" in res._repr_html_()


# ================================================================== errors and warnings
def test_unknown_column_names_it_and_suggests(strat):
    with pytest.raises(DataError, match=r"Column 'mealz'.*Closest names: meals"):
        reg.fit("api00 ~ ell + mealz", strat)
    with pytest.raises(DataError, match="weights column 'pww'"):
        reg.fit("api00 ~ ell", strat, weights="pww")


def test_formula_functions_are_not_unknown_columns(strat):
    res = reg.fit("np.log(api00) ~ ell + I(meals / 100) + C(stype)", strat)
    assert "C(stype)[T.H]" in set(res.table.term)


def test_a_name_from_the_callers_namespace_is_not_an_unknown_column(strat):
    cutoff = 50  # noqa: F841  (used in the formula, not a column)
    res = reg.fit("api00 ~ ell + I(meals > cutoff)", strat)
    assert "I(meals > cutoff)[T.True]" in set(res.table.term)
    with pytest.raises(DataError, match="Column 'cutof'"):
        reg.fit("api00 ~ ell + I(meals > cutof)", strat)


def test_perfect_separation_names_the_variable(strat):
    d = strat.copy()
    d["elite"] = (d.api00 > 850).astype(float)
    d["hoog"] = ((d.api00 > 850) | (d.snum % 7 == 0)).astype(int)     # elite=1 -> hoog=1
    with pytest.raises(DataError, match="Perfect separation.*'elite'"):
        reg.fit("hoog ~ ell + elite", d, kind="logit")
    d["y"] = (d.meals < 50).astype(int)                             # complete: by meals
    with pytest.raises(DataError, match="Perfect separation.*'meals'"):
        reg.fit("y ~ meals + ell", d, kind="logit")


def test_singular_design_names_collinear_terms(strat):
    d = strat.copy()
    d["som"] = d.ell + d.meals
    with pytest.raises(DataError, match="'som' is a linear combination of 'ell', 'meals'"):
        reg.fit("api00 ~ ell + meals + som", d)


def test_too_few_observations(strat):
    small = strat.head(30)
    with pytest.warns(SocvitWarning, match="fewer than 10 per parameter"):
        reg.fit(FG, small)
    with pytest.raises(DataError, match="only 3 complete observations"):
        reg.fit(FG, strat.head(3))


def test_missing_values_are_dropped_and_counted(strat):
    d = strat.copy()
    d["ell_na"] = pd.array(d.ell, dtype="Int64")
    d.loc[d.index[:7], "ell_na"] = pd.NA
    res = reg.fit("api00 ~ ell_na", d)
    assert res.n == 193 and res.n_dropped == 7


def test_lonely_psu_and_weight_errors(strat):
    d = strat.copy()
    d["st"] = np.where(d.index == 0, "alleen", d.stype)
    with pytest.raises(DataError, match="Stratum 'alleen' of 'st' has a single primary sampling unit"):
        reg.fit(FG, d, weights="pw", strata="st")
    d.loc[d.index[3], "pw"] = np.nan
    with pytest.raises(DataError, match=r"'pw' weights must be non-negative numbers; 1 row\(s\)"):
        reg.fit(FG, d, weights="pw")
    with pytest.raises(ValueError, match="precision"):
        reg.fit(FG, strat, weights="pw", se="classic")


def test_mixed_defaults_to_the_panels_kern_column(s23):
    res = reg.fit("capaciteit ~ 1", s23, kind="mixed")
    assert res.fit["n_kern"] == s23.data.loc[s23.data.capaciteit.notna(), "kern"].nunique()
    assert 0 < res.fit["icc_kern"] < 1
    assert "REML" in res.se_type


def test_survey_results_do_not_depend_on_the_scale_of_the_weights(strat):
    d = strat.assign(pw10=strat.pw * 10)
    a = reg.fit(FB, d, kind="logit", weights="pw", strata="stype").table
    b = reg.fit(FB, d, kind="logit", weights="pw10", strata="stype").table
    pd.testing.assert_frame_equal(a, b, rtol=1e-9)
