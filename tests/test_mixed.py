"""Mixed models (kind="mixed", kind="mixed_logit") against lme4.

Reference values: tests/reference/regression/make_mixed_reference.R (run from the repository
root with Rscript; lme4 1.1-31). It exports the data it uses (lme4's Penicillin, Dyestuff2,
cbpp as 0/1 rows, and the bundled sample cleaned) next to the values, so these tests need no
R. sleepstudy.csv comes from make_reference.R. The fits there use tight optimiser settings, so
the values are the optima themselves.
"""

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import socvit as sv
from socvit import regression as reg
from socvit.errors import DataError, SocvitWarning

from other_panel import write as write_other_panel

REF = Path(__file__).parent / "reference" / "regression"
COEF = pd.read_csv(REF / "mixed_coef.csv")
VARCORR = pd.read_csv(REF / "mixed_varcorr.csv", keep_default_na=False)
STATS = pd.read_csv(REF / "mixed_stats.csv")
CROSSED = "rapportcijfer ~ leeftijdsklasse + C(golf) + (1 | kern) + (1 | resp_id)"


def r_term(term, rename=None):
    """lme4's coefficient name as patsy's ("period2" -> "period[T.2]")."""
    if term == "(Intercept)":
        return "Intercept"
    if term.startswith("factor(") and ")" in term:
        var, level = term[len("factor("):].split(")", 1)
        return f"C({(rename or {}).get(var, var)})[T.{level}]"
    for f in ("leeftijdsklasse", "geslacht", "period"):
        if term.startswith(f) and term != f:
            return f"{(rename or {}).get(f, f)}[T.{term[len(f):]}]"
    return term


def stat(model, name):
    s = STATS[(STATS.model == model) & (STATS.stat == name)]
    return float(s.value.iloc[0])


def check_coef(res, model, rtol, se_rtol=None, rename=None):
    r = COEF[COEF.model == model]
    t = res.table.set_index("term").loc[[r_term(x, rename) for x in r.term]]
    np.testing.assert_allclose(t.estimate, r.estimate, rtol=rtol, atol=1e-10,
                               err_msg=f"{model}: estimate")
    np.testing.assert_allclose(t.se, r.se, rtol=se_rtol or rtol, err_msg=f"{model}: se")


def check_varcorr(res, model, rtol, grp_rename=None):
    r = VARCORR[VARCORR.model == model].reset_index(drop=True)
    ours = res.model.varcorr.copy()
    ours["grp"] = ours.grp.replace(grp_rename or {})
    key = ["grp", "var1", "var2"]
    m = r.merge(ours, on=key, suffixes=("_r", ""), how="left")
    assert len(m) == len(ours) and m.vcov.notna().all(), (r, ours)
    np.testing.assert_allclose(m.vcov, m.vcov_r.astype(float), rtol=rtol, atol=1e-12,
                               err_msg=f"{model}: variance components")
    np.testing.assert_allclose(m.sdcor, m.sdcor_r.astype(float), rtol=rtol, atol=1e-12)


def check_fit(res, model, rtol=1e-9):
    assert res.fit["loglik"] == pytest.approx(stat(model, "logLik"), rel=rtol)
    assert res.fit["aic"] == pytest.approx(stat(model, "AIC"), rel=rtol)
    assert res.fit["bic"] == pytest.approx(stat(model, "BIC"), rel=rtol)
    assert res.fit["n_params"] == stat(model, "df")
    assert res.n == stat(model, "nobs")
    assert res.fit["singular"] == bool(stat(model, "isSingular"))


@pytest.fixture(scope="module")
def sleep():
    return pd.read_csv(REF / "sleepstudy.csv")


@pytest.fixture(scope="module")
def sample():
    return pd.read_csv(REF / "sample_mixed.csv.gz",
                       dtype={"resp_id": str, "gemeente": str, "kern": str})


# ================================================================== lmer: ML, REML, slopes
@pytest.mark.parametrize("model, formula, reml", [
    ("sleep_int_ml", "Reaction ~ Days + (1 | Subject)", False),
    ("sleep_slope_ml", "Reaction ~ Days + (Days | Subject)", False),
    ("sleep_slope_reml", "Reaction ~ Days + (1 + Days | Subject)", True),
    ("sleep_uncor_reml", "Reaction ~ Days + (Days || Subject)", None),     # REML by default
])
def test_lmer_sleepstudy(sleep, model, formula, reml):
    res = reg.fit(formula, sleep, kind="mixed", reml=reml)
    check_coef(res, model, rtol=1e-6)
    check_varcorr(res, model, rtol=1e-5, grp_rename={"Subject.1": "Subject.1"})
    check_fit(res, model)
    theta = [stat(model, f"theta{i + 1}") for i in range(len(res.model.theta))]
    np.testing.assert_allclose(res.model.theta, theta, rtol=1e-5)
    if reml is False:
        assert res.fit["deviance"] == pytest.approx(stat(model, "deviance"), rel=1e-9)
        assert "ML" in res.se_type and "REML" not in res.se_type
    else:
        assert res.fit["reml_criterion"] == pytest.approx(stat(model, "REMLcrit"), rel=1e-9)


def test_slope_fit_keys(sleep):
    res = reg.fit("Reaction ~ Days + (1 + Days | Subject)", sleep, kind="mixed")
    vc = VARCORR[VARCORR.model == "sleep_slope_reml"]
    assert res.fit["var_Subject"] == pytest.approx(float(vc.vcov.iloc[0]), rel=1e-5)
    assert res.fit["var_Subject[Days]"] == pytest.approx(float(vc.vcov.iloc[1]), rel=1e-5)
    assert res.fit["cor_Subject[(Intercept),Days]"] == pytest.approx(float(vc.sdcor.iloc[2]),
                                                                     rel=1e-5)
    assert "icc_Subject" not in res.fit          # no single ICC with a random slope
    modes = res.model.ranef["Subject"]
    assert modes.shape == (18, 2) and abs(modes.mean().to_numpy()).max() < 1e-6


def test_likelihood_ratio_test_as_anova(sleep):
    """anova(m_int, m_slope) on ML fits: chi-square, df and p from our logLik and n_params."""
    m0 = reg.fit("Reaction ~ Days + (1 | Subject)", sleep, kind="mixed", reml=False)
    m1 = reg.fit("Reaction ~ Days + (Days | Subject)", sleep, kind="mixed", reml=False)
    chisq = 2 * (m1.fit["loglik"] - m0.fit["loglik"])
    df = m1.fit["n_params"] - m0.fit["n_params"]
    assert chisq == pytest.approx(stat("lrt_sleep", "Chisq"), rel=1e-7)
    assert df == stat("lrt_sleep", "Df")
    assert stats.chi2.sf(chisq, df) == pytest.approx(stat("lrt_sleep", "p"), rel=1e-5)


def test_groups_argument_keeps_working(sleep):
    a = reg.fit("Reaction ~ Days", sleep, kind="mixed", groups="Subject")
    b = reg.fit("Reaction ~ Days + (1 | Subject)", sleep, kind="mixed")
    pd.testing.assert_frame_equal(a.table, b.table)
    assert a.fit == b.fit


# ================================================================== crossed and nested
def test_crossed_intercepts_penicillin():
    d = pd.read_csv(REF / "mixed_penicillin.csv")
    res = reg.fit("diameter ~ 1 + (1 | plate) + (1 | sample)", d, kind="mixed")
    check_coef(res, "penicillin_reml", rtol=1e-6)
    check_varcorr(res, "penicillin_reml", rtol=1e-5)
    check_fit(res, "penicillin_reml")
    assert res.fit["n_plate"] == 24 and res.fit["n_sample"] == 6


def test_nested_shorthand_equals_groups():
    d = pd.read_csv(REF / "pastes.csv")
    a = reg.fit("strength ~ 1 + (1 | batch/cask)", d, kind="mixed")
    b = reg.fit("strength ~ 1", d, kind="mixed", groups=["batch", "cask"])
    assert a.fit["reml_criterion"] == pytest.approx(b.fit["reml_criterion"], rel=1e-12)
    assert a.fit["var_batch:cask"] == pytest.approx(b.fit["var_cask"], rel=1e-6)
    f = pd.read_csv(REF / "fitstats.csv")           # lme4 values from make_reference.R
    v = float(f.loc[(f.model == "lmer_pastes") & (f.stat == "var_batch_cask"), "value"].iloc[0])
    assert a.fit["var_batch:cask"] == pytest.approx(v, rel=1e-5)


# ================================================================== singular fits
def test_singular_fit_is_flagged():
    d = pd.read_csv(REF / "mixed_dyestuff2.csv")
    with pytest.warns(SocvitWarning, match=r"singular.*'Batch'"):
        res = reg.fit("Yield ~ 1 + (1 | Batch)", d, kind="mixed")
    assert res.fit["singular"] is True and stat("dyestuff2_reml", "isSingular") == 1
    assert res.fit["var_Batch"] == 0.0
    check_coef(res, "dyestuff2_reml", rtol=1e-8)
    check_fit(res, "dyestuff2_reml")


def test_regular_fit_has_no_singular_warning(sleep):
    with warnings.catch_warnings():
        warnings.simplefilter("error", SocvitWarning)
        res = reg.fit("Reaction ~ Days + (Days | Subject)", sleep, kind="mixed")
    assert res.fit["singular"] is False


# ================================================================== glmer binomial (Laplace)
def test_glmer_cbpp():
    d = pd.read_csv(REF / "mixed_cbpp01.csv", dtype={"period": str, "herd": str})
    res = reg.fit("y ~ period + (1 | herd)", d, kind="mixed_logit")
    # lme4's Hessian-based errors carry finite-difference noise of ~5e-5 (the same model on
    # cbpp's aggregated rows gives errors 2e-5-5e-5 apart): 1e-4 here
    check_coef(res, "cbpp01", rtol=1e-5, se_rtol=1e-4)
    r = COEF[COEF.model == "cbpp01"]
    np.testing.assert_allclose(np.sqrt(np.diag(res.model.cov_rx)), r.se_rx, rtol=1e-6)
    check_varcorr(res, "cbpp01", rtol=1e-5)
    check_fit(res, "cbpp01")
    assert res.fit["deviance"] == pytest.approx(stat("cbpp01", "deviance"), rel=1e-9)
    assert "Laplace" in res.se_type and "Hessian" in res.se_type
    assert res.table.odds_ratio.iloc[1] == pytest.approx(np.exp(res.table.estimate.iloc[1]))
    assert res.fit["icc_herd"] == pytest.approx(
        res.fit["var_herd"] / (res.fit["var_herd"] + np.pi ** 2 / 3))


def test_glmer_sample_actief(sample):
    s23 = sample[sample.golf == 2023]
    res = reg.fit("actief ~ leeftijdsklasse + geslacht + (1 | kern)", s23, kind="mixed_logit")
    # lme4 stops PIRLS at a relative deviance change of tolPwrss, so its deviance carries
    # ~3e-7 of noise: its optimum is 1e-5 (relative) from ours (our logLik is 1.6e-7 higher)
    # and its finite-difference Hessian errors move by 1e-4 with tolPwrss (1e-7: 0.1121912,
    # 1e-12: 0.1121876; ours 0.1122022). The PIRLS errors (use.hessian = FALSE) agree closely.
    check_coef(res, "sample_glmer_actief", rtol=5e-5, se_rtol=2e-4)
    r = COEF[COEF.model == "sample_glmer_actief"]
    np.testing.assert_allclose(np.sqrt(np.diag(res.model.cov_rx)), r.se_rx, rtol=1e-5)
    check_varcorr(res, "sample_glmer_actief", rtol=1e-4)
    check_fit(res, "sample_glmer_actief", rtol=1e-9)
    assert res.fit["loglik"] >= stat("sample_glmer_actief", "logLik")


# ================================================================== the sample: crossed lmer
@pytest.mark.parametrize("model, reml", [("sample_crossed_reml", True),
                                         ("sample_crossed_ml", False)])
def test_sample_kern_and_respondent_intercepts(sample, model, reml):
    res = reg.fit(CROSSED, sample, kind="mixed", reml=reml)
    check_coef(res, model, rtol=1e-5)
    check_varcorr(res, model, rtol=1e-5)
    check_fit(res, model)
    assert res.n_dropped == sample.rapportcijfer.isna().sum()


def test_other_panel_matches_lme4(tmp_path):
    """The differently shaped panel (renamed columns, its own codebook) holds the sample's
    marks and activity: the same lme4 values under other names."""
    panel = sv.load_panel(write_other_panel(tmp_path), tmp_path / "codebook.yaml")
    ren = {"leeftijdsklasse": "lftkl", "golf": "jaar", "geslacht": "sekse"}
    res = reg.fit("cijfer_gem ~ lftkl + C(jaar) + (1 | woonkern) + (1 | respondent)", panel,
                  kind="mixed")
    check_coef(res, "sample_crossed_reml", rtol=1e-5, rename=ren)
    check_varcorr(res, "sample_crossed_reml", rtol=1e-5,
                  grp_rename={"woonkern": "kern", "respondent": "resp_id"})
    d23 = panel.data[panel.data.jaar == 2023]
    res = reg.fit("vrijwilliger ~ lftkl + sekse + (1 | woonkern)", d23, kind="mixed_logit")
    check_coef(res, "sample_glmer_actief", rtol=5e-5, se_rtol=2e-4, rename=ren)
    # groups= defaults to the codebook's kern column, whatever it is called
    res = reg.fit("cijfer_gem ~ lftkl", panel, kind="mixed")
    assert "n_woonkern" in res.fit and 0 < res.fit["icc_woonkern"] < 1


# ================================================================== refusals
def test_binary_outcome_with_kind_mixed_is_refused(sample):
    with pytest.raises(DataError, match=r"'actief' is 0/1.*kind='mixed_logit'.*kind='ols' with "
                                        r"cluster="):
        reg.fit("actief ~ leeftijdsklasse + (1 | kern)", sample, kind="mixed")
    with pytest.raises(DataError, match="kind='mixed_logit'"):
        reg.fit("actief ~ leeftijdsklasse", sample, kind="mixed", groups="kern")


def test_mixed_logit_refusals(sample, sleep):
    with pytest.raises(DataError, match="needs a 0/1 outcome; 'rapportcijfer'"):
        reg.fit("rapportcijfer ~ geslacht + (1 | kern)", sample, kind="mixed_logit")
    with pytest.raises(DataError, match="does not take survey weights"):
        reg.fit("actief ~ geslacht + (1 | kern)", sample.assign(w=1.0), kind="mixed_logit",
                weights="w")
    with pytest.raises(ValueError, match="reml= applies to kind='mixed' only"):
        reg.fit("actief ~ geslacht + (1 | kern)", sample, kind="mixed_logit", reml=True)
    with pytest.raises(ValueError, match="model-based"):
        reg.fit("actief ~ geslacht + (1 | kern)", sample, kind="mixed_logit", se="HC1")


def test_formula_refusals(sleep):
    with pytest.raises(DataError, match=r"random-effect terms.*kind='mixed'"):
        reg.fit("Reaction ~ Days + (1 | Subject)", sleep, kind="ols")
    with pytest.raises(ValueError, match="not both"):
        reg.fit("Reaction ~ Days + (1 | Subject)", sleep, kind="mixed", groups="Subject")
    with pytest.raises(DataError, match="Column 'Dayz'"):
        reg.fit("Reaction ~ Days + (Dayz | Subject)", sleep, kind="mixed")
    with pytest.raises(DataError, match="Subjekt"):
        reg.fit("Reaction ~ Days + (1 | Subjekt)", sleep, kind="mixed")
    with pytest.raises(DataError, match="at least two groups"):
        reg.fit("Reaction ~ Days + (1 | one)", sleep.assign(one="a"), kind="mixed")
    with pytest.raises(DataError, match="as many as the 180 observations"):
        reg.fit("Reaction ~ Days + (1 | row)", sleep.assign(row=range(180)), kind="mixed")
    with pytest.raises(DataError, match="does not take survey weights"):
        reg.fit("Reaction ~ Days + (1 | Subject)", sleep, kind="mixed", weights="Days")


def test_sample_random_slope_by_respondent(sample):
    """(1 + jaren | resp_id): 2 x 2 blocks for 5,582 respondents, crossed with kern. The REML
    criterion is flat along the slope: lme4's default optimiser stops 0.014 above the
    optimum (the reference uses bobyqa with rhoend = 1e-12), and a search that starts at the
    slope's SD 0 meets a saddle there."""
    res = reg.fit("rapportcijfer ~ leeftijdsklasse + jaren + (1 + jaren | resp_id) + (1 | kern)",
                  sample.assign(jaren=sample.golf - 2017), kind="mixed")
    check_coef(res, "sample_slope_resp", rtol=1e-5)
    # the slope's variance is what the flat criterion leaves loose: lme4 and socvit find it
    # 1.7e-3 apart at criteria equal to 1e-13 (ours the lower); the rest agree to 1e-4
    check_varcorr(res, "sample_slope_resp", rtol=5e-3)
    vc = res.model.varcorr
    ref = VARCORR[VARCORR.model == "sample_slope_resp"].vcov.astype(float).to_numpy()
    np.testing.assert_allclose(vc.vcov.to_numpy()[[0, 3, 4]], ref[[0, 3, 4]], rtol=1e-4)
    check_fit(res, "sample_slope_resp")
    assert res.fit["reml_criterion"] == pytest.approx(stat("sample_slope_resp", "REMLcrit"),
                                                      rel=1e-10)
