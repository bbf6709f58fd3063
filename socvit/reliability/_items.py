"""Items, keys and weights of a reliability call, from a DataFrame or a Panel with a codebook
scale name: checked once, with errors that name the item."""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .. import _inputs
from ..errors import DataError, SocvitWarning


@dataclass
class _Items:
    x: pd.DataFrame                  # float64 item columns, NaN = missing, not yet keyed
    keys: dict                       # item -> +1 / -1
    adjust: dict                     # item -> (min + max) used to reverse it
    weights: np.ndarray | None
    label: str | None = None


def repeated_respondents(df: pd.DataFrame, cb, x: pd.DataFrame, call: str, groups=None,
                         stacklevel: int = 4) -> None:
    """Warn when the rows that answer an item repeat respondents (the same person in several
    waves): the coefficient is fine as a description, but its interval and any test treat
    the rows as independent people and are too narrow. The codebook's id column (kind
    ``id``) identifies people; without it (a plain DataFrame) nothing is checked.
    ``groups``: an array of group labels per row (alpha_by): repeats within a group count."""
    idcol = cb.column("id") if cb is not None else None
    if idcol is None or idcol not in df.columns:
        return
    answered = x.notna().any(axis=1).to_numpy()
    ids = df[idcol].to_numpy()[answered]
    if groups is not None:
        keys = pd.MultiIndex.from_arrays([np.asarray(groups)[answered], ids])
        n_people = int(keys.nunique())
    else:
        n_people = int(pd.unique(ids).size)
    n_rows = int(answered.sum())
    if n_rows <= n_people:
        return
    wave = cb.column("wave")
    how = (f"compute it for one wave (e.g. panel.subset(panel.data[{wave!r}] == 2023)) or "
           if wave is not None and wave in df.columns else "")
    where = " within a group" if groups is not None else ""
    warnings.warn(f"{call}: the {n_rows} rows that answer these items hold only {n_people} "
                  f"respondents{where} ({idcol!r} repeats: the same people in several waves). "
                  f"The coefficient describes the pooled rows, but its interval (and any test) "
                  f"treats them as {n_rows} independent people and is too narrow. "
                  f"{how[:1].upper() + how[1:] if how else ''}{'k' if how else 'K'}eep one "
                  f"row per person; to compare waves of the same people use "
                  f"sv.reliability.alpha_waves.", SocvitWarning, stacklevel=stacklevel)


def _resolve(data, items=None, reverse=(), weights=None, need=2, call="alpha",
             check_repeats=True) -> _Items:
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
    if check_repeats:
        repeated_respondents(df, cb, x, call)
    return _Items(x, keys, adjust, w, label)
