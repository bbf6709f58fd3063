"""socvit.panel.stability: test-retest intraclass correlations of scale scores between two
waves (pingouin's intraclass_corr) and the dependent-alpha comparison (reliability).

Reference values: R psych::ICC on the members with a score in both waves,
tests/reference/panel/make_icc_reference.R -> icc_reference.csv.
"""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import socvit as sv
from socvit.panel import stability

REF = Path(__file__).parent / "reference" / "panel"
TYPES = {"ICC2": "ICC(2,1) absolute agreement", "ICC3": "ICC(3,1) consistency"}


@pytest.fixture(scope="module")
def panel():
    return sv.load_sample()


@pytest.fixture(scope="module")
def ref():
    r = pd.read_csv(REF / "icc_reference.csv")
    r["icc_type"] = r["type"].map(TYPES)
    return r


@pytest.mark.parametrize("pair", [(2021, 2023), (2017, 2023)])
def test_icc_equals_r_psych_icc(panel, ref, pair):
    res = stability(panel, None, *pair, alphas=False)
    want = ref[(ref["wave_from"] == pair[0]) & (ref["wave_to"] == pair[1])]
    both = want.merge(res.table, on=["scale", "icc_type"], suffixes=("_r", ""), validate="1:1")
    assert len(both) == len(want) == 8 == len(res.table)
    for col in ("icc", "F", "df1", "df2", "ci_lower", "ci_upper"):
        np.testing.assert_allclose(both[col], both[f"{col}_r"], rtol=1e-6, err_msg=col)
    np.testing.assert_allclose(both["p"], both["p_r"], rtol=1e-5)
    assert (both["n"] == both["n_r"]).all()


def test_a_trend_lowers_agreement_not_consistency(panel):
    """The sample's organisatiekracht items rise 0.02 a year and with age (socvit/sample.py):
    over six years the whole panel shifts, which the agreement ICC counts as instability
    and the consistency ICC does not; over two years the shift (and the gap) is smaller."""
    gap = {}
    for pair in ((2021, 2023), (2017, 2023)):
        t = stability(panel, None, *pair, alphas=False).table
        wide = t.pivot(index="scale", columns="icc_type", values="icc")
        gap[pair] = wide[TYPES["ICC3"]] - wide[TYPES["ICC2"]]
    assert (gap[(2017, 2023)] > 0.005).all()
    assert (gap[(2021, 2023)] < gap[(2017, 2023)]).all()


def test_alphas_come_from_reliability_alpha_waves(panel):
    res = stability(panel, ["bereidheid", "capaciteit"], 2019, 2021)
    for name in ("bereidheid", "capaciteit"):
        wa = sv.reliability.alpha_waves(panel, name, waves=[2019, 2021])
        row = res.alphas.set_index("scale").loc[name]
        assert row["n"] == wa.table["n"].iloc[0]
        assert row["alpha_from"] == pytest.approx(wa.table["raw_alpha"].iloc[0], rel=1e-12)
        assert row["statistic"] == pytest.approx(wa.test.statistic, rel=1e-12)
        assert str(res.tests[name]).startswith("Toets van Feldt (1980)")


def _icc_by_hand(wide):
    """Two-way ANOVA mean squares and ICC(3,1), ICC(2,1) (McGraw & Wong, 1996)."""
    x = wide.to_numpy(float)
    n, k = x.shape
    grand = x.mean()
    msr = k * ((x.mean(axis=1) - grand) ** 2).sum() / (n - 1)
    msc = n * ((x.mean(axis=0) - grand) ** 2).sum() / (k - 1)
    resid = x - x.mean(axis=1, keepdims=True) - x.mean(axis=0, keepdims=True) + grand
    mse = (resid ** 2).sum() / ((n - 1) * (k - 1))
    icc3 = (msr - mse) / (msr + (k - 1) * mse)
    icc2 = (msr - mse) / (msr + (k - 1) * mse + k * (msc - mse) / n)
    return icc2, icc3


def test_another_panel_with_a_seven_point_scale(tmp_path):
    """tests/other_panel.py: member id 'respondent', wave 'jaar', capaciteit asked on 7 points
    as 'vermogen'; the codebook scores it (reverse key 8 - x) and the ICC is that of the
    scores by the ANOVA formulas; a plain numeric column (the mark) works too."""
    import other_panel as op
    other = sv.load_panel(op.write(tmp_path))
    res = stability(other, ["vermogen", "cijfer_gem"], 2021, 2023)
    d = other.data.assign(s=sv.scales.score(other, "vermogen"))
    d = d[d["jaar"].isin([2021, 2023])]
    wide = d.pivot(index="respondent", columns="jaar", values="s").dropna()
    icc2, icc3 = _icc_by_hand(wide)
    t = res.table.set_index(["scale", "icc_type"])
    assert t.loc[("vermogen", TYPES["ICC2"]), "icc"] == pytest.approx(icc2, rel=1e-9)
    assert t.loc[("vermogen", TYPES["ICC3"]), "icc"] == pytest.approx(icc3, rel=1e-9)
    assert t.loc[("vermogen", TYPES["ICC3"]), "n"] == len(wide)
    assert 0 < t.loc[("cijfer_gem", TYPES["ICC3"]), "icc"] < 1
    assert list(res.alphas["scale"]) == ["vermogen"]          # a column has no items


def test_bad_input(panel):
    with pytest.raises(sv.DataError, match="'betrokenheid' is neither a scale"):
        stability(panel, ["betrokenheid"], 2021, 2023)
    with pytest.raises(sv.DataError, match="Wave 2025"):
        stability(panel, ["betrokkenheid"], 2021, 2025)
    with pytest.raises(sv.DataError, match="needs scales="):
        stability(panel.data, None, 2021, 2023, id="resp_id", wave="golf")
    with pytest.raises(ValueError, match="both wave_from and wave_to"):
        stability(panel, ["betrokkenheid"], 2021)
