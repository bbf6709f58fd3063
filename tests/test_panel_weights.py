"""socvit.panel.longitudinal_weights: propensity adjustment, then raking to wave B's margins.

Checked by hand against the definitions (Valliant, Dever & Kreuter 2018, ch. 13-14): the
adjusted weight is wave A's weight over the fitted propensity (or the weighted stay rate of
its propensity class); the final weights reproduce wave B's margins; and the correction
works on the sample, whose older, higher-educated and more willing members stay more
often: weighted, the stayers' wave-A means come back to the whole wave A's means.
"""

import numpy as np
import pandas as pd
import pytest

import socvit as sv
from socvit.errors import DataError
from socvit.io import Panel

import other_panel as op

PREDICTORS = ["leeftijd", "opleiding", "bereidheid"]


@pytest.fixture(scope="module")
def setup():
    p = sv.load_sample()
    d = p.data.join(sv.scales.score_all(p, group="organisatiekracht"))
    panel = Panel(d, p.codebook)
    bev = pd.read_csv(sv.io.SAMPLE_DIR / "bevolking.csv", dtype={"gemeente": "string"})
    a = d[d["golf"] == 2021]
    cross = sv.weighting.rake(a, sv.weighting.margins_from_population(bev, golf=2021),
                              by="gemeente").weights          # wave A's cross-sectional weight
    m23 = sv.weighting.margins_from_population(bev, golf=2023)
    return panel, a, cross, m23


@pytest.fixture(scope="module", params=[None, 5], ids=["propensity", "classes"])
def lw(setup, request):
    panel, a, cross, m23 = setup
    return sv.panel.longitudinal_weights(panel, 2021, 2023, m23, PREDICTORS, base_weight=cross,
                                         by="gemeente", classes=request.param)


def test_final_weights_hit_wave_b_margins(lw, setup):
    panel, _, _, m23 = setup
    rows = panel.data.loc[lw.weights.index]
    assert (rows["golf"] == 2023).all()
    ids_a = set(panel.data.loc[panel.data["golf"] == 2021, "resp_id"])
    ids_b = set(panel.data.loc[panel.data["golf"] == 2023, "resp_id"])
    assert set(rows["resp_id"]) == ids_a & ids_b                 # the balanced panel
    for col in ("leeftijdsklasse", "geslacht"):
        got = lw.weights.groupby([rows["gemeente"], rows[col]], observed=True).sum()
        for (g, cat), total in got.items():
            assert total == pytest.approx(m23[g][col][cat], rel=1e-8)
    assert lw.rake.converged
    assert lw.deff == pytest.approx(sv.weighting.kish(lw.weights)[1], rel=1e-12)
    assert lw.n_eff == pytest.approx(sv.weighting.kish(lw.weights)[0], rel=1e-12)
    assert lw.by_member[rows["resp_id"]].to_numpy() == pytest.approx(lw.weights.to_numpy())
    assert lw.design.calibrated


def test_adjusted_weight_is_base_over_propensity(lw, setup):
    panel, a, cross, _ = setup
    att = lw.attrition
    ids = panel.data.loc[lw.adjusted.index, "resp_id"]
    row_a = pd.Series(a.index, index=a["resp_id"])[ids].to_numpy()
    base = cross[row_a].to_numpy()
    p = att.propensity[row_a].to_numpy()
    if lw.classes is None:
        expected = base / p
    else:
        # classes: quintiles of the fitted propensity; rate = weighted stay rate of the class
        pa = att.propensity.to_numpy()
        ok = np.isfinite(pa)
        edges = np.quantile(pa[ok], [0.2, 0.4, 0.6, 0.8])
        cls = np.searchsorted(edges, pa, side="left")
        r, w = att.stayed.to_numpy(), cross[att.stayed.index].to_numpy()
        rate = np.array([np.sum((w * r)[ok & (cls == k)]) / np.sum(w[ok & (cls == k)])
                         for k in range(5)])
        assert lw.classes["rate"].to_numpy() == pytest.approx(rate, rel=1e-12)
        assert lw.classes["n"].sum() == ok.sum()
        assert lw.classes["n_stayed"].sum() == int(r[ok].sum())
        expected = base / rate[np.searchsorted(edges, p, side="left")]
    miss = ~np.isfinite(p)           # a missing predictor: the stay rate of those members
    if miss.any():
        m = ~np.isfinite(att.propensity.to_numpy())
        r, w = att.stayed.to_numpy(), cross[att.stayed.index].to_numpy()
        expected[miss] = base[miss] / (np.sum((w * r)[m]) / w[m].sum())
    assert lw.adjusted.to_numpy() == pytest.approx(expected, rel=1e-10)


def test_correction_brings_stayers_back_to_wave_a(lw, setup):
    """Wave A's means of the stayers, weighted, move back to the whole wave A's means:
    for the model's variables and for an outcome not in the model (actief)."""
    panel, a, cross, _ = setup
    adj = pd.Series(lw.adjusted.to_numpy(), index=panel.data.loc[lw.adjusted.index, "resp_id"])
    stay = a["resp_id"].isin(adj.index).to_numpy()
    w = cross.to_numpy()
    wa = a["resp_id"].map(adj).to_numpy()
    wf = a["resp_id"].map(lw.by_member).to_numpy()
    for y in ("leeftijd", "bereidheid", "hoog", "actief"):
        v = ((a["opleiding"] == "hoog").astype(float).to_numpy() if y == "hoog"
             else a[y].to_numpy(float, na_value=np.nan))
        ok = np.isfinite(v)
        s = ok & stay
        full = np.sum((w * v)[ok]) / w[ok].sum()
        stayers = np.sum((w * v)[s]) / w[s].sum()
        adjusted = np.sum((wa * v)[s]) / wa[s].sum()
        assert abs(stayers - full) > 0.01 * abs(full)             # attrition biased them
        assert abs(adjusted - full) < 0.25 * abs(stayers - full), y
        if y != "leeftijd":   # the final weights represent wave B's (two years older) people
            final = np.sum((wf * v)[s]) / wf[s].sum()
            assert abs(final - full) < abs(stayers - full), y


def test_trimming_and_reusing_the_model(setup):
    panel, _, cross, m23 = setup
    att = sv.panel.attrition(panel, 2021, 2023, PREDICTORS, weights=cross)
    lw = sv.panel.longitudinal_weights(panel, 2021, 2023, m23, attrition_model=att,
                                       base_weight=cross, by="gemeente", bounds=(0.3, 3.0))
    assert lw.attrition is att
    assert lw.rake.bounds == (0.3, 3.0) and lw.rake.bounds_met and lw.rake.converged
    ratio = lw.weights / lw.weights.groupby(panel.data.loc[lw.weights.index, "gemeente"]) \
        .transform("mean")
    assert ratio.min() >= 0.3 - 1e-8 and ratio.max() <= 3.0 + 1e-8
    untrimmed = sv.panel.longitudinal_weights(panel, 2021, 2023, m23, attrition_model=att,
                                              base_weight=cross, by="gemeente")
    assert (untrimmed.weights / untrimmed.weights.groupby(
        panel.data.loc[lw.weights.index, "gemeente"]).transform("mean")).max() > 3.0
    assert "Raking: 2234 rows" in lw.summary() and "propensity adjustment" in lw.summary()


def test_strata_and_clusters_carry_into_the_design(setup, lw):
    panel, _, cross, m23 = setup
    des = sv.panel.longitudinal_weights(panel, 2021, 2023, m23, PREDICTORS, base_weight=cross,
                                        by="gemeente", classes=None if lw.classes is None
                                        else len(lw.classes), strata="gemeente", cluster="kern")
    assert des.design.describe() == ("Taylor-linearised, strata, clusters, calibrated "
                                     "(raking)")
    rows = panel.data.loc[des.weights.index]
    assert des.design.H == rows["gemeente"].nunique()
    # the propensity model's point estimates do not depend on the design; the weights neither
    assert des.weights.to_numpy() == pytest.approx(lw.weights.to_numpy(), rel=1e-10)
    t = sv.estimates.mean(rows, "rapportcijfer", weights=des.design)
    assert t["estimate"].iloc[0] == pytest.approx(
        np.average(rows["rapportcijfer"].dropna(), weights=des.weights[
            rows["rapportcijfer"].notna()]), rel=1e-12)


def test_other_panel(tmp_path):
    """Renamed columns (respondent/jaar/gem_code/lftkl/sekse) and a delivered weight."""
    other = sv.load_panel(op.write(tmp_path))
    bev = pd.read_csv(sv.io.SAMPLE_DIR / "bevolking.csv", dtype={"gemeente": "string"})
    bev = bev.rename(columns={"leeftijdsklasse": "lftkl", "geslacht": "sekse"})
    m23 = sv.weighting.margins_from_population(bev, golf=2023, columns=("lftkl", "sekse"))
    lw = sv.panel.longitudinal_weights(other, 2021, 2023, m23, ["lft", "opl"],
                                       base_weight="weegfactor", by="gem_code", classes=4)
    rows = other.data.loc[lw.weights.index]
    assert (rows["jaar"] == 2023).all() and len(lw.classes) == 4
    got = lw.weights.groupby([rows["gem_code"], rows["lftkl"]], observed=True).sum()
    for (g, cat), total in got.items():
        assert total == pytest.approx(m23[g]["lftkl"][cat], rel=1e-8)
    assert lw.by_member.index.name == "respondent"
    assert "4 propensity classes" in lw._repr_html_() and "<td>4</td>" in lw._repr_html_()


def test_bad_input(setup):
    panel, _, cross, m23 = setup
    with pytest.raises(ValueError, match="classes must be a whole number"):
        sv.panel.longitudinal_weights(panel, 2021, 2023, m23, PREDICTORS, classes=1)
    with pytest.raises(ValueError, match="needs predictors"):
        sv.panel.longitudinal_weights(panel, 2021, 2023, m23)
    att = sv.panel.attrition(panel, 2019, 2021, ["leeftijd"])
    with pytest.raises(DataError, match="attrition result of waves 2021 and 2023; got waves "
                                        "2019 and 2021"):
        sv.panel.longitudinal_weights(panel, 2021, 2023, m23, attrition_model=att)
    with pytest.raises(DataError, match="Wave 2024 is not in the data"):
        sv.panel.longitudinal_weights(panel, 2021, 2024, m23, PREDICTORS)
    few = {g: v for g, v in m23.items() if g != "GM0014"}
    with pytest.raises(DataError, match="GM0014"):
        sv.panel.longitudinal_weights(panel, 2021, 2023, few, PREDICTORS, by="gemeente")
