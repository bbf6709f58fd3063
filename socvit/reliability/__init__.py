"""Reliability of scales: psych-grade alpha, omega, split-half and alpha per group.

Researchers decide from these numbers whether a scale may be reported, so they follow R's
``psych`` package (Revelle), which is what they trust today:

- :func:`alpha` is ``psych::alpha``: the same totals, item table, "alpha if dropped" table and
  response frequencies, plus Feldt, Duhachek or (weighted, seeded, vectorised) bootstrap
  intervals;
- :func:`omega` is ``psych::omega`` (minres, oblimin, Schmid-Leiman);
- :func:`splithalf` is ``psych::splitHalf``;
- :func:`alpha_by` gives one row per gemeente/golf/kern with disclosure flags and a test of
  equal alphas (Feldt, 1969; Hakstian & Whalen, 1976).

Every function takes a DataFrame with item columns, or a socvit Panel with a codebook scale
name (then items and reverse keys come from the codebook).
"""

from ._alpha import AlphaResult, alpha, bootstrap_alpha
from ._cli import cli_reliability
from ._compare import AlphaByResult, TestResult, alpha_by, equal_alphas_test, feldt_test
from ._matrix import cov2cor, pairwise_cov, smc
from ._omega import OmegaResult, omega
from ._splithalf import SplitHalfResult, splithalf

__all__ = ["alpha", "AlphaResult", "bootstrap_alpha", "omega", "OmegaResult", "splithalf",
           "SplitHalfResult", "alpha_by", "AlphaByResult", "feldt_test", "equal_alphas_test",
           "TestResult", "pairwise_cov", "cov2cor", "smc", "cli_reliability"]
