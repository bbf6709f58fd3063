"""socvit.panel.attrition: the survey logit of staying and stayers against leavers.

Reference values: tests/reference/panel/make_attrition_reference.R (run there with Rscript):
svyglm(family = quasibinomial) on wave 2021 of the sample with a stratified, clustered,
post-stratification-weighted design (and as a domain of a design of all waves), and
svyby/svyttest for the stayer/leaver means;
1e-6 relative (the logit is iterative but converges to ~1e-10 on both sides).

The sample's true mechanism (socvit/data/sample/README.md, socvit/sample.py): a member of
wave A is still in the panel at wave B with probability 1 - ATTRITION = 0.86 (and age at B
<= 95), and then answers with probability expit(c_B + 0.60 age_z + 0.50 hoog - 0.40 laag
+ 0.25 bereidheid_z), bereidheid_z at wave B being 0.8 times the one at A plus normal noise
of variance 0.36. So the probability of staying is 0.86 x (an expit): the logit of staying
on age and education is not that response logit, its slopes are smaller. The test works out
what the true mechanism implies for the logit that is fitted (its pseudo-true coefficients,
from the latent values the generator returns) and checks that the fit recovers them.
"""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as smapi
from scipy.optimize import brentq

import socvit as sv
from socvit import sample
from socvit.errors import DataError

import other_panel as op

REF = Path(__file__).parent / "reference" / "panel"
RTOL = 1e-6
PREDICTORS = ["leeftijd", "opleiding", "geslacht", "rapportcijfer", "ber_1"]
#: R's term names for socvit's
R_TERMS = {"Intercept": "(Intercept)", "leeftijd": "leeftijd",
           "opleiding[T.middelbaar]": "factor(opleiding)2",
           "opleiding[T.hoog]": "factor(opleiding)3",
           "geslacht[T.vrouw]": "factor(geslacht)2", "rapportcijfer": "rapportcijfer",
           "ber_1": "ber_1"}


@pytest.fixture(scope="module")
def panel():
    return sv.load_sample()


def poststrat_weights(frame, golf):
    """N(gemeente, leeftijdsklasse) / n in the wave, as the R script computes them."""
    pop = pd.read_csv(sv.io.SAMPLE_DIR / "bevolking.csv")
    N = pop[pop.golf == golf].groupby(["gemeente", "leeftijdsklasse"])["aantal"].sum()
    cell = list(zip(frame["gemeente"].astype(str), frame["leeftijdsklasse"].astype(str)))
    n = pd.Series(cell).value_counts()
    return pd.Series([N[c] / n[c] for c in cell], index=frame.index)


@pytest.fixture(scope="module")
def weighted(panel):
    a = panel.data[panel.data["golf"] == 2021]
    des = sv.survey.design(a, weights=poststrat_weights(a, 2021), strata="gemeente",
                           cluster="kern")
    return sv.panel.attrition(panel, 2021, 2023, PREDICTORS, outcomes=["rapportcijfer", "ber_1"],
                              weights=des)


def test_logit_equals_svyglm(weighted):
    ref = pd.read_csv(REF / "attrition.csv").set_index("term")
    t = weighted.table.set_index("term")
    assert set(t.index) == set(R_TERMS)
    for term, r_term in R_TERMS.items():
        for c in ("estimate", "se", "p", "ci_lower", "ci_upper"):
            assert t.loc[term, c] == pytest.approx(ref.loc[r_term, c], rel=RTOL), (term, c)
    assert weighted.model.n == ref["n"].iloc[0]
    assert weighted.model.fit["df_resid"] == ref["df_resid"].iloc[0]


def test_design_of_the_whole_panel_keeps_it(panel):
    """A design of all waves: wave A is a domain of it (svyglm on subset(design, golf ==
    2021)); its strata are every wave's gemeenten, so the errors differ from wave A's own
    design while the estimates do not."""
    d = panel.data
    a = d[d["golf"] == 2021]
    w = pd.Series(1.0, index=d.index)
    w[a.index] = poststrat_weights(a, 2021)
    des = sv.survey.design(d, weights=w, strata="gemeente", cluster="kern")
    res = sv.panel.attrition(panel, 2021, 2023, PREDICTORS, weights=des)
    ref = pd.read_csv(REF / "attrition_domain.csv").set_index("term")
    t = res.table.set_index("term")
    for term, r_term in R_TERMS.items():
        for c in ("estimate", "se", "p"):
            assert t.loc[term, c] == pytest.approx(ref.loc[r_term, c], rel=RTOL), (term, c)
    assert res.base_weight.to_numpy() == pytest.approx(w[a.index].to_numpy())
    assert len(res.propensity) == len(a)


def test_stayers_and_leavers_equal_svyttest(weighted, panel):
    ref = pd.read_csv(REF / "stayers.csv").set_index("outcome")
    comp = weighted.comparison.set_index("outcome")
    for y in ("rapportcijfer", "ber_1"):
        for ours, theirs in (("mean_stayers", "mean_stayers"), ("mean_leavers", "mean_leavers"),
                             ("difference", "difference"), ("se", "se"), ("p", "p")):
            assert comp.loc[y, ours] == pytest.approx(ref.loc[y, theirs], rel=RTOL), (y, ours)
    # standardised difference by hand: weighted variances with the unbiased normalisation
    a = panel.data[panel.data["golf"] == 2021]
    w = poststrat_weights(a, 2021).to_numpy()
    stay = a["resp_id"].isin(set(panel.data.loc[panel.data["golf"] == 2023, "resp_id"]))
    y = a["ber_1"].to_numpy(float, na_value=np.nan)

    def wvar(mask):
        m = mask & np.isfinite(y)
        ww, yy = w[m], y[m]
        mu = np.sum(ww * yy) / ww.sum()
        return ww.sum() / (ww.sum() ** 2 - np.sum(ww ** 2)) * np.sum(ww * (yy - mu) ** 2)

    s = stay.to_numpy()
    d = comp.loc["ber_1", "difference"] / np.sqrt((wvar(s) + wvar(~s)) / 2)
    assert comp.loc["ber_1", "std_difference"] == pytest.approx(d, rel=1e-12)
    ok = np.isfinite(y)
    assert comp.loc["ber_1", "mean_all"] == pytest.approx(np.sum(w[ok] * y[ok]) / w[ok].sum(),
                                                          rel=1e-12)
    assert weighted.stayed.sum() == int(s.sum()) and len(weighted.stayed) == len(a)
    assert weighted.propensity.notna().sum() == weighted.model.n


def test_recovers_the_true_attrition_mechanism():
    """Older and higher-educated members stay more often, by as much as the generator's
    mechanism implies for a logit of staying (see the module docstring)."""
    d, _ = sample.generate(seed=5, scale=3, latent=True)
    edu = d["opleiding"].where(d["opleiding"] != 99)
    d = d.assign(age_z=(d["leeftijd"] - sample.AGE_MEAN) / sample.AGE_SD,
                 hoog=(edu == 3).astype(float).where(edu.notna()),
                 laag=(edu == 1).astype(float).where(edu.notna()))
    A, B = 2017, 2019
    res = sv.panel.attrition(d, A, B, ["age_z", "hoog", "laag"], id="resp_id", wave="golf")
    t = res.table.set_index("term")

    # what the mechanism implies, from the latent values of wave A's respondents
    a = d[d["golf"] == A]
    stay = a["resp_id"].isin(set(d.loc[d["golf"] == B, "resp_id"])).to_numpy(float)
    age_b = a["leeftijd"].to_numpy() + (B - A)
    z_b = (age_b - sample.AGE_MEAN) / sample.AGE_SD
    true_edu = a["true_opleiding"].to_numpy()
    C = sample.RESPONSE_COEF
    lin = C["age_z"] * z_b + C["opleiding_hoog"] * (true_edu == 3) \
        + C["opleiding_laag"] * (true_edu == 1)
    nodes, qw = np.polynomial.hermite_e.hermegauss(40)
    qw = qw / qw.sum()
    b_mean = sample.RHO * a["true_bereidheid_z"].to_numpy()          # bereidheid_z at B given A
    b_sd = np.sqrt(1 - sample.RHO ** 2)

    def p_stay(c):
        eta = c + lin[:, None] + C["bereidheid_z"] * (b_mean[:, None] + b_sd * nodes[None, :])
        answer = (qw / (1 + np.exp(-eta))).sum(axis=1)
        return (age_b <= 95) * (1 - sample.ATTRITION) * answer

    # c_B is calibrated on all members (who are not in the data): the one free number,
    # fixed by the count of stayers
    c = brentq(lambda c: p_stay(c).sum() - stay.sum(), -10, 10)
    ok = a["opleiding"].to_numpy() != 99
    X = smapi.add_constant(np.column_stack([a["age_z"], true_edu == 3, true_edu == 1])
                           .astype(float))[ok]
    implied = smapi.GLM(p_stay(c)[ok], X, family=smapi.families.Binomial()).fit().params
    for k, term in enumerate(["age_z", "hoog", "laag"], start=1):
        est, se = t.loc[term, "estimate"], t.loc[term, "se"]
        assert abs(est - implied[k]) < 3 * se, (term, est, implied[k], se)
    # with the earlier answer behind it (bereidheid_z at wave A, true value) as predictor
    res_b = sv.panel.attrition(d, A, B, ["age_z", "hoog", "laag", "true_bereidheid_z"],
                               id="resp_id", wave="golf")
    tb = res_b.table.set_index("term")
    Xb = np.column_stack([X, a["true_bereidheid_z"].to_numpy()[ok]])
    implied_b = smapi.GLM(p_stay(c)[ok], Xb, family=smapi.families.Binomial()).fit().params
    for k, term in enumerate(["age_z", "hoog", "laag", "true_bereidheid_z"], start=1):
        est, se = tb.loc[term, "estimate"], tb.loc[term, "se"]
        assert abs(est - implied_b[k]) < 3 * se, (term, est, implied_b[k], se)
    assert tb.loc["true_bereidheid_z", "ci_lower"] > 0
    assert implied_b[4] < sample.RHO * C["bereidheid_z"]      # 0.25 x 0.8, attenuated
    # older and higher educated stay more, lower educated less; attenuated against the
    # response coefficients (0.60, 0.50, -0.40) by the 0.86 of staying in the panel
    assert t.loc["age_z", "ci_lower"] > 0 and t.loc["hoog", "ci_lower"] > 0
    assert t.loc["laag", "ci_upper"] < 0
    assert t.loc["age_z", "ci_upper"] < C["age_z"]
    assert 0 < implied[1] < C["age_z"] and 0 < implied[2] < C["opleiding_hoog"]


def test_scale_names_and_other_panel(tmp_path):
    """Renamed columns (respondent/jaar/lft/opl), its own scale names and delivered weight."""
    other = sv.load_panel(op.write(tmp_path))
    res = sv.panel.attrition(other, 2019, 2021, ["lft", "opl"], outcomes=["inzetbereidheid"],
                             weights="weegfactor")
    # the same model fitted by hand on a frame built with plain pandas
    d = other.data
    a = d[d["jaar"] == 2019].copy()
    a["blijft"] = a["respondent"].isin(set(d.loc[d["jaar"] == 2021, "respondent"])).astype(float)
    hand = sv.regression.fit("blijft ~ lft + opl", a, kind="logit", weights="weegfactor")
    assert np.allclose(res.table["estimate"], hand.table["estimate"], rtol=1e-10)
    assert np.allclose(res.table["se"], hand.table["se"], rtol=1e-10)
    score = sv.scales.score(other.subset(d["jaar"] == 2019), "inzetbereidheid").to_numpy(float)
    w, s = a["weegfactor"].to_numpy(float), a["blijft"].to_numpy() == 1
    ok = np.isfinite(score)
    comp = res.comparison.iloc[0]
    assert comp["outcome"] == "inzetbereidheid"
    assert comp["mean_stayers"] == pytest.approx(
        np.sum((w * score)[ok & s]) / w[ok & s].sum(), rel=1e-12)
    assert comp["mean_leavers"] == pytest.approx(
        np.sum((w * score)[ok & ~s]) / w[ok & ~s].sum(), rel=1e-12)
    assert (comp["n_stayers"], comp["n_leavers"]) == (int((ok & s).sum()), int((ok & ~s).sum()))
    assert "Attrition from wave 2019 to 2021" in res.summary()
    assert "<td>inzetbereidheid</td>" in res._repr_html_()


def test_bad_input(panel):
    with pytest.raises(ValueError, match="needs predictors"):
        sv.panel.attrition(panel, 2021, 2023, [])
    with pytest.raises(DataError, match="Column 'leeftijdd'.*Closest names: leeftijd"):
        sv.panel.attrition(panel, 2021, 2023, ["leeftijdd"])
    with pytest.raises(DataError, match="Wave 2022 is not in the data"):
        sv.panel.attrition(panel, 2021, 2022, ["leeftijd"])
    with pytest.raises(DataError, match="The outcome column 'welzijn' is not in the data"):
        sv.panel.attrition(panel, 2021, 2023, ["leeftijd"], outcomes=["welzijn"])
    with pytest.raises(DataError, match="already have a column 'blijft'"):
        sv.panel.attrition(panel.data.assign(blijft=1), 2021, 2023, ["leeftijd"],
                           id="resp_id", wave="golf")
    d = panel.data
    later = d["golf"] == 2023
    cut = d.assign(resp_id=d["resp_id"].where(~later, d["resp_id"] + "n"))
    with pytest.raises(DataError, match="Waves 2021 and 2023 share no member"):
        sv.panel.attrition(cut, 2021, 2023, ["leeftijd"], id="resp_id", wave="golf")
    wrong = sv.survey.design(d[d["golf"] == 2019], weights=None)
    with pytest.raises(DataError, match="belongs neither to the whole panel"):
        sv.panel.attrition(panel, 2021, 2023, ["leeftijd"], weights=wrong)
