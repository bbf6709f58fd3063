"""One input layer (socvit._inputs) and one survey variance (socvit._variance): every kind of
weights gives the same array, and every bad input the same message from reliability.alpha,
estimates.mean, regression.fit and weighting.rake."""

import re

import numpy as np
import pandas as pd
import pytest

import socvit as sv
from socvit import _inputs
from socvit.errors import DataError

ITEMS = ["a", "b", "c"]
MARGINS = {"g": {"x": 600.0, "y": 400.0}}


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(11)
    n = 120
    common = rng.normal(size=n)
    d = pd.DataFrame({c: np.clip(np.round(3 + common + rng.normal(size=n)), 1, 5)
                      for c in ITEMS}, index=pd.RangeIndex(500, 500 + n))
    d["y"] = d[ITEMS].mean(axis=1) + rng.normal(size=n)
    d["g"] = np.where(np.arange(n) % 3 == 0, "x", "y")
    d["s"] = np.where(np.arange(n) < 60, "noord", "zuid")
    d["k"] = np.arange(n) % 24
    d["w"] = rng.uniform(0.5, 2.0, size=n)
    return d


def _message(call):
    with pytest.raises(DataError) as info:
        call()
    return str(info.value)


def _messages(d, weights):
    """The error of each of the four public functions given these weights."""
    return {
        "alpha": _message(lambda: sv.reliability.alpha(d, ITEMS, weights=weights)),
        "mean": _message(lambda: sv.estimates.mean(d, "y", weights=weights)),
        "fit": _message(lambda: sv.regression.fit("y ~ a", d, weights=weights)),
        "rake": _message(lambda: sv.weighting.rake(d, MARGINS, base_weight=weights)),
    }


# ------------------------------------------------------------------ accepted weights
def test_every_kind_of_weights_gives_the_same_array(data):
    raked = sv.weighting.rake(data, MARGINS, base_weight="w")
    d = data.assign(rw=raked.weights)
    expected = d["rw"].to_numpy()
    shuffled = raked.weights.sample(frac=1, random_state=3)
    bigger = pd.concat([raked.weights, pd.Series([9.0], index=[-1])])   # extra rows: ignored
    for weights in ("rw", expected, list(expected), raked.weights, shuffled, bigger, raked,
                    raked.design):
        got = _inputs.weights(d, weights)
        assert got.dtype == np.float64
        np.testing.assert_array_equal(got, expected)
    assert _inputs.weights(d, None) is None


def test_functions_give_the_same_numbers_for_every_kind_of_weights(data):
    raked = sv.weighting.rake(data, MARGINS, base_weight="w")
    d = data.assign(rw=raked.weights)
    kinds = ["rw", d["rw"].to_numpy(), raked.weights.sample(frac=1, random_state=3),
             raked.weights]
    alphas = {sv.reliability.alpha(d, ITEMS, weights=w).total["raw_alpha"] for w in kinds}
    means = [sv.estimates.mean(d, "y", weights=w)[["estimate", "se"]].to_numpy() for w in kinds]
    slopes = [sv.regression.fit("y ~ a", d, weights=w).table["se"].to_numpy() for w in kinds]
    assert len(alphas) == 1
    for m, s in zip(means[1:], slopes[1:]):
        np.testing.assert_array_equal(m, means[0])
        np.testing.assert_allclose(s, slopes[0], rtol=1e-13)
    # a RakeResult and its .design are the calibrated design, in estimates and regression
    # alike; its .weights alone are fixed weights
    fixed = sv.estimates.mean(d, "y", weights=raked.weights)
    calibrated = sv.estimates.mean(d, "y", weights=raked.design)
    assert calibrated["estimate"].iloc[0] == fixed["estimate"].iloc[0]
    assert calibrated["se"].iloc[0] != fixed["se"].iloc[0]
    np.testing.assert_array_equal(sv.estimates.mean(d, "y", weights=raked)["se"],
                                  calibrated["se"])
    a = sv.regression.fit("y ~ a", d, weights=raked).table["se"].to_numpy()
    b = sv.regression.fit("y ~ a", d, weights=raked.design).table["se"].to_numpy()
    np.testing.assert_allclose(a, b, rtol=1e-13)
    assert not np.allclose(a, slopes[0], rtol=1e-6)


# ------------------------------------------------------------------ bad weights, one wording
def _bad(data, what):
    d = data.copy()
    if what == "negative":
        d.loc[503, "w"] = -2.0
        return d, "w", r"The 'w' weights must be non-negative numbers; 1 row\(s\).*rows \[503\], values \[-2\.0\]"
    if what == "nan":
        d.loc[507, "w"] = np.nan
        return d, "w", r"The 'w' weights must be non-negative numbers; 1 row\(s\).*rows \[507\], values \[nan\]"
    if what == "zero":
        return d, np.zeros(len(d)), r"The given weights are all zero"
    if what == "length":
        return d, np.ones(len(d) - 1), r"The weights have 119 values but the data have 120 rows"
    if what == "misaligned":
        return d, pd.Series(1.0, index=d.index + 5), \
            r"do not align with the rows of the data: 5 row label\(s\) have no weight \(first 500\)"
    if what == "column":
        return d, "ww", r"The weights column 'ww' is not in the data\. Closest names: w\."
    raise AssertionError(what)


@pytest.mark.parametrize("what", ["column", "negative", "nan", "misaligned", "length", "zero"])
def test_bad_weights_get_one_message_everywhere(data, what):
    d, weights, pattern = _bad(data, what)
    got = _messages(d, weights)
    assert len(set(got.values())) == 1, got
    assert re.search(pattern, got["alpha"]), got["alpha"]


def test_regression_checks_weights_only_of_rows_in_the_model(data):
    d = data.copy()
    d.loc[[510, 511], "y"] = np.nan
    d.loc[510, "w"] = np.nan                      # left out anyway: its outcome is missing
    res = sv.regression.fit("y ~ a", d, weights="w")
    assert res.n == len(d) - 2
    d.loc[512, "w"] = np.nan                      # in the model: an error naming the row
    with pytest.raises(DataError, match=r"rows \[512\]"):
        sv.regression.fit("y ~ a", d, weights="w")


# ------------------------------------------------------------------ columns, data
def test_missing_columns_are_named_with_close_names(data):
    msg = _message(lambda: sv.estimates.mean(data, "yy"))
    assert msg.startswith("Column 'yy' is not in the data. Closest names: y.")
    msg = _message(lambda: sv.estimates.mean(data, "y", by="gg"))
    assert msg.startswith("The by column 'gg' is not in the data. Closest names: g.")
    assert _message(lambda: sv.weighting.rake(data, MARGINS, by="gg")) == msg
    assert _message(lambda: sv.reliability.alpha_by(data, "gg", ITEMS)) == msg
    msg = _message(lambda: sv.reliability.alpha(data, ["a", "bb"]))
    assert msg.startswith("The item column 'bb' is not in the data. Closest names: b")
    assert _message(lambda: sv.scales.score(data, "x", items=["a", "bb"])) == msg


@pytest.mark.parametrize("call", [
    lambda x: sv.estimates.mean(x, "y"),
    lambda x: sv.reliability.alpha(x, ITEMS),
    lambda x: sv.weighting.rake(x, MARGINS),
    lambda x: sv.regression.fit("y ~ a", x),
    lambda x: sv.scales.score(x, "x", items=ITEMS),
])
def test_data_must_be_a_frame_or_panel(data, call):
    with pytest.raises(TypeError, match="data must be a pandas DataFrame or a socvit Panel, "
                                        "got dict"):
        call(data.to_dict())


def test_panel_and_its_frame_give_the_same_result():
    panel = sv.load_sample()
    wave = panel.subset((panel.data["golf"] == 2023).to_numpy())
    a = sv.estimates.mean(wave, "rapportcijfer", by="gemeente")
    b = sv.estimates.mean(wave.data, "rapportcijfer", by="gemeente")
    pd.testing.assert_frame_equal(a, b)
    items = wave.codebook.scale("betrokkenheid").items
    rev = wave.codebook.scale("betrokkenheid").reverse
    x = sv.reliability.alpha(wave, "betrokkenheid")
    y = sv.reliability.alpha(wave, items, reverse=rev)
    assert x.total["raw_alpha"] == y.total["raw_alpha"] and x.keys == y.keys


# ------------------------------------------------------------------ one survey variance
def test_mean_and_intercept_only_model_share_the_variance(data):
    """svymean and svyglm(y ~ 1) have the same linearised variance: one formula."""
    for strata, cluster in [(None, None), ("s", None), (None, "k"), ("s", "k")]:
        m = sv.estimates.mean(data, "y", weights="w", strata=strata, cluster=cluster)
        f = sv.regression.fit("y ~ 1", data, weights="w", strata=strata, cluster=cluster,
                              se="survey")
        assert f.table["estimate"].iloc[0] == pytest.approx(m["estimate"].iloc[0], rel=1e-12)
        assert f.table["se"].iloc[0] == pytest.approx(m["se"].iloc[0], rel=1e-12), (strata,
                                                                                    cluster)


def test_lonely_psu_named_by_its_label_in_estimates_and_regression(data):
    d = data.assign(st=np.where(data.index == 500, "alleen", data["s"]))
    one = _message(lambda: sv.estimates.mean(d, "y", weights="w", strata="st"))
    two = _message(lambda: sv.regression.fit("y ~ a", d, weights="w", strata="st"))
    assert "Stratum 'alleen'" in one and "single primary sampling unit (one row)" in one
    assert two == one               # the one design object of both


def test_the_variance_formula_matches_centred_sums():
    rng = np.random.default_rng(5)
    z = rng.normal(size=(40, 3))
    h = np.repeat([0, 1, 2, 3], 10)
    n_h = np.full(4, 10.0)
    cov = sv._variance.variance(z, h, n_h, cov=True)
    expected = sum(10 / 9 * (z[h == k] - z[h == k].mean(axis=0)).T
                   @ (z[h == k] - z[h == k].mean(axis=0)) for k in range(4))
    np.testing.assert_allclose(cov, expected, rtol=1e-12)
    np.testing.assert_allclose(sv._variance.variance(z, h, n_h), np.diag(expected), rtol=1e-12)
    dom = np.repeat([0, 1], 20)
    per_domain = sv._variance.variance(z[:, 0], h, n_h, domain=dom, n_domains=2)
    for k in range(2):
        zk = np.where(dom == k, z[:, 0], 0.0)
        exp = sum(10 / 9 * ((zk[h == s] - zk[h == s].mean()) ** 2).sum() for s in range(4))
        assert per_domain[k] == pytest.approx(exp, rel=1e-12)
