"""Items, keys and weights of a reliability call, from a DataFrame or a Panel with a codebook
scale name: checked once, with errors that name the item."""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..errors import DataError
from ..io import Panel


@dataclass
class _Items:
    x: pd.DataFrame                  # float64 item columns, NaN = missing, not yet keyed
    keys: dict                       # item -> +1 / -1
    adjust: dict                     # item -> (min + max) used to reverse it
    weights: np.ndarray | None
    label: str | None = None


def _resolve(data, items=None, reverse=(), weights=None, need=2) -> _Items:
    """Items, keys and weights from a DataFrame or a Panel (+ codebook scale name)."""
    label, codebook_range = None, {}
    if isinstance(data, Panel):
        cb, df = data.codebook, data.data
        if isinstance(items, str) and items in cb.scales:
            scale = cb.scale(items)
            label = scale.label
            if not reverse:
                reverse = scale.reverse
            items = scale.items
        elif isinstance(items, str):
            raise DataError(f"{items!r} is not a scale in the codebook {cb.source or ''}; the "
                            f"scales are: {', '.join(cb.scales)}. Pass a scale name or a list "
                            f"of item columns.")
        elif items is None:
            raise DataError("alpha(panel, ...) needs a codebook scale name or a list of items, "
                            f"e.g. alpha(panel, {next(iter(cb.scales), 'betrokkenheid')!r}).")
        for it in items:
            v = cb.variables.get(it)
            if v is not None and v.values:
                codebook_range[it] = min(v.values) + max(v.values)
        if isinstance(weights, str):
            weights = _weight_column(df, weights)
    else:
        df = data
        if not isinstance(df, pd.DataFrame):
            raise TypeError(f"data must be a pandas DataFrame or a socvit Panel, got "
                            f"{type(data).__name__}.")
        if isinstance(items, str):
            raise DataError(f"items={items!r}: a scale name needs a socvit Panel with a codebook; "
                            f"with a DataFrame pass a list of item columns.")
        if isinstance(weights, str):
            weights = _weight_column(df, weights)
    items = list(df.columns) if items is None else list(items)
    missing = [c for c in items if c not in df.columns]
    if missing:
        raise DataError(f"Item column(s) {', '.join(map(repr, missing))} are not in the data "
                        f"(columns: {', '.join(map(str, df.columns[:30]))}).")
    if len(set(items)) != len(items):
        raise DataError(f"Items are listed twice: {sorted({i for i in items if items.count(i) > 1})}.")
    if len(items) < need:
        raise DataError(f"A reliability coefficient needs at least {need} items; got "
                        f"{len(items)} ({', '.join(map(str, items)) or 'none'}).")
    for c in items:
        s = df[c]
        if isinstance(s.dtype, pd.CategoricalDtype) or not (
                pd.api.types.is_numeric_dtype(s) or pd.api.types.is_bool_dtype(s)):
            raise DataError(f"Item {c!r} is not numeric (dtype {s.dtype}); reliability needs "
                            f"numeric item codes. Convert it (e.g. with the codebook) or drop it.")
    arr = df[items].to_numpy(dtype="float64", na_value=np.nan)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)       # all-NaN columns: named below
        lo, hi = np.nanmin(arr, axis=0), np.nanmax(arr, axis=0)
    for j, c in enumerate(items):
        if np.isnan(lo[j]):
            raise DataError(f"Item {c!r} has no valid answers (all missing); drop it from the items.")
        if lo[j] == hi[j]:
            raise DataError(f"Item {c!r} has no variance (every answer is {lo[j]:g}); "
                            f"alpha is undefined with it. Drop it from the items.")
    x = pd.DataFrame(arr, index=df.index, columns=items, copy=False)
    reverse = [reverse] if isinstance(reverse, str) else list(reverse or ())
    bad = [r for r in reverse if r not in items]
    if bad:
        raise DataError(f"Reverse-keyed item(s) {', '.join(map(repr, bad))} are not among the "
                        f"items ({', '.join(items)}).")
    keys = {c: (-1 if c in reverse else 1) for c in items}
    # psych::alpha reverses with max + min of all item data; the codebook's code range wins.
    data_adjust = float(lo.min() + hi.max())
    adjust = {c: float(codebook_range.get(c, data_adjust)) for c in items}
    return _Items(x, keys, adjust, _check_weights(weights, x.index), label)


def _weight_column(df, name):
    if name not in df.columns:
        raise DataError(f"Weight column {name!r} is not in the data.")
    return df[name]


def _check_weights(weights, index) -> np.ndarray | None:
    if weights is None:
        return None
    if isinstance(weights, pd.Series):
        if not weights.index.equals(index):
            if not index.isin(weights.index).all() or not weights.index.is_unique:
                raise DataError("The weights (a Series) do not align with the rows of the data: "
                                f"{int((~index.isin(weights.index)).sum())} row label(s) have "
                                "no weight. Pass weights with the same index as the data.")
            weights = weights.reindex(index)
        w = weights.to_numpy(dtype="float64", na_value=np.nan)
    else:
        w = np.asarray(weights, dtype="float64")
        if w.ndim != 1 or len(w) != len(index):
            raise DataError(f"The weights have length {w.size}, the data {len(index)} rows; "
                            f"give one weight per row.")
    if np.isnan(w).any():
        raise DataError(f"{int(np.isnan(w).sum())} weight(s) are missing (NaN); give every "
                        f"row a weight (0 to leave it out).")
    if (w < 0).any():
        i = int(np.argmax(w < 0))
        raise DataError(f"Weights must not be negative; row {index[i]!r} has weight {w[i]:g}.")
    if w.sum() <= 0:
        raise DataError("All weights are zero.")
    return w
