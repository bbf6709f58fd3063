"""Reading panel data: CSV, SPSS .sav and parquet, typed by the codebook.

(First version: plain CSV only. Dutch CSV detection, .sav, parquet and ``validate`` follow.)
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .codebook import Codebook
from .errors import DataError

__all__ = ["Panel", "load_panel", "load_sample", "SAMPLE_DIR", "apply_codebook"]

SAMPLE_DIR = Path(__file__).resolve().parent.parent / "data" / "sample"


@dataclass
class Panel:
    """A panel: ``data`` (one row per respondent per wave, typed by the codebook) and its
    ``codebook``. ``source`` is the file it came from."""

    data: pd.DataFrame
    codebook: Codebook
    source: str | None = None

    def __repr__(self):
        return f"Panel({len(self.data)} rows x {self.data.shape[1]} columns, source={self.source!r})"

    def numeric(self, columns) -> pd.DataFrame:
        """Columns as float64 with NaN for missing (for numpy/statsmodels)."""
        cols = [columns] if isinstance(columns, str) else list(columns)
        return pd.DataFrame({c: _as_float(self.data[c]) for c in cols}, index=self.data.index)

    def items(self, scale: str) -> pd.DataFrame:
        """The item columns of a codebook scale as float64 (not yet reverse-keyed)."""
        return self.numeric(self.codebook.scale(scale).items)

    def subset(self, mask) -> "Panel":
        """A Panel of the rows where ``mask`` is True."""
        return Panel(self.data.loc[mask], self.codebook, self.source)


def _as_float(s: pd.Series) -> pd.Series:
    if isinstance(s.dtype, pd.CategoricalDtype):
        raise DataError(f"Column {s.name!r} is categorical; it has no numeric value.")
    return pd.Series(s.to_numpy(dtype="float64", na_value=np.nan), index=s.index, name=s.name)


def apply_codebook(raw: pd.DataFrame, codebook: Codebook) -> pd.DataFrame:
    """Give each codebook column its dtype and turn missing codes into NA.

    id, gemeente, kern -> string; wave, likert, binary, mark -> Int64 codes;
    categorical -> pandas Categorical with the Dutch value labels; numeric, weight -> float64.
    Columns not in the codebook are kept as read.
    """
    out = {}
    for col in raw.columns:
        v = codebook.variables.get(col)
        s = raw[col]
        if v is None:
            out[col] = s
            continue
        if v.kind in ("id", "gemeente", "kern"):
            out[col] = s.astype("string").str.strip()
            continue
        num = pd.to_numeric(s, errors="coerce")
        if v.missing:
            num = num.mask(num.isin(list(v.missing)))
        if v.kind in ("wave", "likert", "binary", "mark"):
            out[col] = num.round().astype("Int64")
        elif v.kind == "categorical" and v.values:
            cat = pd.Categorical(num.map(v.values), categories=[v.values[c] for c in v.codes],
                                 ordered=v.ordered)
            out[col] = pd.Series(cat, index=raw.index)
        else:
            out[col] = num.astype("float64")
    return pd.DataFrame(out, index=raw.index)


def load_panel(path, codebook=None) -> Panel:
    """Read a panel file and type it by its codebook.

    ``codebook``: a Codebook, a path to a YAML codebook, or None to use ``codebook.yaml``
    beside the data file.
    """
    path = Path(path)
    if not path.exists():
        raise DataError(f"Panel file {path} does not exist.")
    if codebook is None:
        codebook = path.parent / "codebook.yaml"
    if not isinstance(codebook, Codebook):
        codebook = Codebook.from_yaml(codebook)
    raw = pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""])
    return Panel(apply_codebook(raw, codebook), codebook, str(path))


def load_sample() -> Panel:
    """The bundled synthetic sample panel (see data/sample/README.md)."""
    return load_panel(SAMPLE_DIR / "panel.csv", SAMPLE_DIR / "codebook.yaml")
