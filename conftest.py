"""pytest set-up shared by the tests and the doctests in socvit/.

Doctests run in a namespace with what the examples use: ``sv`` (socvit), ``pd``, ``np``,
``panel`` (the bundled sample), ``wave`` (its 2023 rows as a Panel), ``df`` (those rows with
the codebook's scale scores joined), ``bevolking`` (the sample's population table) and ``bfi``
(psychTools' bfi, the data of the reliability references).
"""

import os

import pytest

os.environ.setdefault("MPLBACKEND", "Agg")

#: not test modules: the report notebook's jupytext pair would run the report when imported
collect_ignore = ["socvit/report/gemeente_rapport.py", "notebooks"]


@pytest.fixture(scope="session")
def _doctest_data():
    import numpy as np
    import pandas as pd

    import socvit as sv
    panel = sv.load_sample()
    wave = panel.subset((panel.data["golf"] == 2023).to_numpy())
    df = wave.data.join(sv.scales.score_all(wave))
    bevolking = pd.read_csv(sv.io.SAMPLE_DIR / "bevolking.csv", dtype={"gemeente": "string"})
    bfi = pd.read_csv(os.path.join(os.path.dirname(__file__), "tests", "reference",
                                   "reliability", "bfi.csv"))
    return {"sv": sv, "pd": pd, "np": np, "panel": panel, "wave": wave, "df": df,
            "bevolking": bevolking, "bfi": bfi}


@pytest.fixture(autouse=True)
def _doctest_namespace(request, doctest_namespace):
    if type(request.node).__name__ == "DoctestItem":
        doctest_namespace.update(request.getfixturevalue("_doctest_data"))
