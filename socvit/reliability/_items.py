"""Items, keys and weights of a reliability call, from a DataFrame or a Panel with a codebook
scale name: checked once, with errors that name the item."""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .. import _inputs
from ..errors import DataError


@dataclass
class _Items:
    x: pd.DataFrame                  # float64 item columns, NaN = missing, not yet keyed
    keys: dict                       # item -> +1 / -1
    adjust: dict                     # item -> (min + max) used to reverse it
    weights: np.ndarray | None
    label: str | None = None


def _resolve(data, items=None, reverse=(), weights=None, need=2, call="alpha") -> _Items:
    """Items, keys and weights from a DataFrame or a Panel (+ codebook scale name)."""
    df = _inputs.frame(data)
    items, reverse, label, cb = _inputs.scale_items(data, items, reverse, call)
    w = _inputs.weights(df, weights)
    items = list(df.columns) if items is None else items
    if len(set(items)) != len(items):
        raise DataError(f"Items are listed twice: {sorted({i for i in items if items.count(i) > 1})}.")
    if len(items) < need:
        raise DataError(f"A reliability coefficient needs at least {need} items; got "
                        f"{len(items)} ({', '.join(map(str, items)) or 'none'}).")
    x = _inputs.numeric_items(df, items)
    arr = x.to_numpy()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)       # all-NaN columns: named below
        lo, hi = np.nanmin(arr, axis=0), np.nanmax(arr, axis=0)
    for j, c in enumerate(items):
        if np.isnan(lo[j]):
            raise DataError(f"Item {c!r} has no valid answers (all missing); drop it from the items.")
        if lo[j] == hi[j]:
            raise DataError(f"Item {c!r} has no variance (every answer is {lo[j]:g}); "
                            f"alpha is undefined with it. Drop it from the items.")
    bad = [r for r in reverse if r not in items]
    if bad:
        raise DataError(f"Reverse-keyed item(s) {', '.join(map(repr, bad))} are not among the "
                        f"items ({', '.join(items)}).")
    keys = {c: (-1 if c in reverse else 1) for c in items}
    # psych::alpha reverses with max + min of all item data; the codebook's code range wins.
    codebook_range = {}
    for it in items if cb is not None else ():
        v = cb.variables.get(it)
        if v is not None and v.values:
            codebook_range[it] = min(v.values) + max(v.values)
    data_adjust = float(lo.min() + hi.max())
    adjust = {c: float(codebook_range.get(c, data_adjust)) for c in items}
    return _Items(x, keys, adjust, w, label)
