"""Reliability of scales: psych-grade alpha, omega, split-half and alpha per group.

Researchers decide from these numbers whether a scale may be reported, so they follow R's
``psych`` package (Revelle), which is what they trust today:

- :func:`alpha` is ``psych::alpha``: the same totals, item table, "alpha if dropped" table and
  response frequencies, plus Feldt, Duhachek or (weighted, seeded, vectorised) bootstrap
  intervals;
- :func:`omega` is ``psych::omega`` (minres, oblimin, Schmid-Leiman);
- :func:`splithalf` is ``psych::splitHalf``;
- :func:`alpha_by` gives one row per gemeente/golf/kern with disclosure flags and a test of
  equal alphas (Feldt, 1969; Hakstian & Whalen, 1976); :func:`omega_by` the same for omega;
- :func:`alpha_waves` compares the waves of the same panel members with the test for
  dependent alphas (Feldt, 1980; Feldt, Woodruff & Salih, 1987).

A Panel whose rows repeat respondents (the codebook's id column: several waves pooled)
gets a warning from alpha, omega and splithalf: their intervals would treat one person's
waves as different people.

Every function takes a DataFrame with item columns, or a socvit Panel with a codebook scale
name (then items and reverse keys come from the codebook).
"""

from ._alpha import AlphaResult, alpha, bootstrap_alpha
from ._cli import cli_reliability
from ._compare import (AlphaByResult, TestResult, alpha_by, alpha_waves,
                       equal_alphas_dependent_test, equal_alphas_test, feldt_dependent_test,
                       feldt_test, omega_by)
from ._matrix import cov2cor, pairwise_cov, smc
from ._omega import OmegaResult, bootstrap_omega, omega
from ._splithalf import SplitHalfResult, splithalf

__all__ = ["alpha", "AlphaResult", "bootstrap_alpha", "omega", "OmegaResult", "bootstrap_omega",
           "splithalf", "SplitHalfResult", "alpha_by", "omega_by", "alpha_waves", "AlphaByResult",
           "feldt_test", "equal_alphas_test", "feldt_dependent_test",
           "equal_alphas_dependent_test", "TestResult", "pairwise_cov", "cov2cor", "smc",
           "cli_reliability"]
