"""The one input layer of the statistics modules (reliability, scales, weighting, estimates,
regression): data, columns, weights and codebook scales, checked once with the same wording.

- :func:`frame`: a socvit Panel or a DataFrame as a DataFrame (``data``, the first argument of
  every public function);
- :func:`require_columns`: columns that must exist, with the closest names as a hint;
- :func:`weights`: weights given as a column name, an array, a Series (aligned on the index),
  a :class:`~socvit.weighting.RakeResult` or a :class:`~socvit.survey.Design`, as one float
  array (non-negative, finite, not all zero, one per row);
- :func:`design`: weights, strata, clusters and fpc as a :class:`~socvit.survey.Design`
  (design-based standard errors in :mod:`socvit.estimates` and :mod:`socvit.regression`);
- :func:`numeric_items` and :func:`scale_items`: item columns as numbers, and a codebook
  scale's items and reverse keys.

Designs and rakings: where standard errors are design-based (:func:`design`), a ``Design``
brings its strata, clusters, fpc and calibration, and a ``RakeResult`` means its calibrated
design (``RakeResult.design``, as the ``rake()``d design in R). Functions without a design
variance (:func:`weights`: reliability, scales, ...) use their weights as fixed weights.
"""

from __future__ import annotations

import difflib

import numpy as np
import pandas as pd

from .errors import DataError
from .io import Panel


# --------------------------------------------------------------------------- data, columns
def frame(data) -> pd.DataFrame:
    """The DataFrame of a Panel, or the DataFrame itself; TypeError for anything else."""
    df = data.data if isinstance(data, Panel) else data
    if not isinstance(df, pd.DataFrame):
        raise TypeError(f"data must be a pandas DataFrame or a socvit Panel, got "
                        f"{type(data).__name__}.")
    return df


def codebook(data, given=None):
    """``given``, else the codebook of a Panel, else None."""
    if given is not None:
        return given
    return data.codebook if isinstance(data, Panel) else None


def close_names(name, columns) -> str:
    """" Closest names: a, b." (difflib) or "" when nothing is close."""
    close = difflib.get_close_matches(str(name), [str(c) for c in columns], n=3, cutoff=0.6)
    return f" Closest names: {', '.join(close)}." if close else ""


def require_columns(df: pd.DataFrame, columns, what: str = "") -> list:
    """``columns`` (a name or a list) as a list; DataError naming those not in ``df``."""
    cols = [columns] if isinstance(columns, str) else list(columns)
    missing = [c for c in cols if c not in df.columns]
    if missing:
        kind = f"The {what} column" if what else "Column"
        names = ", ".join(map(repr, missing))
        verb = "is" if len(missing) == 1 else "are"
        plural = "s" if len(missing) > 1 else ""
        raise DataError(f"{kind}{plural} {names} {verb} not in the data."
                        f"{close_names(missing[0], df.columns)} Check the spelling, or add "
                        f"the column first.")
    return cols


def column_values(data: pd.DataFrame, spec, what: str):
    """A strata/cluster/groups/fpc argument as a Series on the rows of ``data``: a column
    name, or one value per row (an array, or a Series taken in row order); None for None."""
    if spec is None:
        return None
    if isinstance(spec, str):
        require_columns(data, spec, what)
        return data[spec]
    s = spec if isinstance(spec, pd.Series) else pd.Series(np.asarray(spec))
    if len(s) != len(data):
        raise DataError(f"The {what} have {len(s)} values but the data have {len(data)} "
                        f"rows; give a column name or one value per row.")
    return s.set_axis(data.index)


# --------------------------------------------------------------------------- weights
def design(data, weights=None, strata=None, cluster=None, fpc=None, cb=None, rows=None):
    """The :class:`~socvit.survey.Design` of ``data`` (a DataFrame): ``weights`` as
    :func:`weights` takes them, or a Design or RakeResult (its calibrated design), which
    must belong to ``data`` (the same rows in the same order); ``strata``, ``cluster`` and
    ``fpc`` as in :func:`socvit.survey.design`. Weights are checked on ``rows`` only (a
    boolean mask; default all rows); weights missing outside it count as 0."""
    from .survey import Design
    return Design(data, weights, strata, cluster, cb, fpc=fpc, rows=rows)


def weights(data: pd.DataFrame, weights, rows=None) -> np.ndarray | None:
    """Weights as a float array, one per row of ``data``; None when ``weights`` is None.

    ``weights`` is a column name, an array of ``len(data)``, a Series (aligned on the
    index; a Series holding more rows is reindexed), a RakeResult or a Design (their
    ``.weights``, used as fixed weights). Every weight of ``rows`` (a boolean mask; default
    all rows) must be a finite number >= 0, and not all of them zero; outside ``rows`` the
    values are returned unchecked (a regression leaves incomplete rows out)."""
    if weights is None:
        return None
    name = "given"
    if isinstance(getattr(weights, "weights", None), pd.Series):   # RakeResult, Design
        weights = weights.weights
    if isinstance(weights, str):
        require_columns(data, weights, "weights")
        name, s = repr(weights), data[weights]
    elif isinstance(weights, pd.Series):
        s = weights
        if not s.index.equals(data.index):
            absent = ~data.index.isin(s.index)
            if absent.any() or not s.index.is_unique:
                what = (f"{int(absent.sum())} row label(s) have no weight (first "
                        f"{data.index[absent][0]!r})" if absent.any()
                        else "its index repeats labels")
                raise DataError(f"The weights (a Series) do not align with the rows of the "
                                f"data: {what}. Pass weights with the same index as the data.")
            s = s.reindex(data.index)
    else:
        arr = np.asarray(weights)
        if arr.ndim != 1 or len(arr) != len(data):
            raise DataError(f"The weights have {arr.size} values but the data have "
                            f"{len(data)} rows; give one weight per row (or a Series with "
                            f"the data's index).")
        s = pd.Series(arr, index=data.index)
    w = pd.to_numeric(s, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    check = np.ones(len(w), dtype=bool) if rows is None else np.asarray(rows, dtype=bool)
    bad = check & (~np.isfinite(w) | (w < 0))
    if bad.any():
        first = np.flatnonzero(bad)[:5]
        raise DataError(f"The {name} weights must be non-negative numbers; {int(bad.sum())} "
                        f"row(s) are missing, negative or not a number (rows "
                        f"{data.index[first].tolist()}, values {s.iloc[first].tolist()}). Give "
                        f"every respondent a weight >= 0 (0 leaves a row out), e.g. with "
                        f"sv.weighting.rake, or drop those rows.")
    if not w[check].any():
        raise DataError(f"The {name} weights are all zero; at least one respondent needs a "
                        f"positive weight.")
    return w


# --------------------------------------------------------------------------- items, scales
def numeric_items(df: pd.DataFrame, items, what: str = "item") -> pd.DataFrame:
    """The item columns as float64 (NaN missing); DataError for absent or non-numeric ones."""
    items = require_columns(df, items, what)
    for c in items:
        s = df[c]
        if isinstance(s.dtype, pd.CategoricalDtype) or not (
                pd.api.types.is_numeric_dtype(s.dtype) or pd.api.types.is_bool_dtype(s.dtype)):
            raise DataError(f"Item {c!r} is not numeric (dtype {s.dtype}); scale items must be "
                            f"numeric codes. Load the data with sv.load_panel (the codebook "
                            f"turns answers into codes) or drop the item.")
    arr = df[items].to_numpy(dtype="float64", na_value=np.nan)
    return pd.DataFrame(arr, index=df.index, columns=items, copy=False)


def scale_items(data, items=None, reverse=(), call="alpha"):
    """Items, reverse-keyed items and label from a list of items or a codebook scale name.

    With a Panel (or a codebook) a scale name gives the scale's items and, unless
    ``reverse`` is given, its reverse keys. Returns ``(items, reverse, label, codebook)``;
    ``items`` is None when not given (the caller decides)."""
    cb = codebook(data)
    label = None
    if isinstance(items, str):
        if cb is None:
            raise DataError(f"items={items!r}: a scale name needs a socvit Panel with a "
                            f"codebook; with a DataFrame pass a list of item columns.")
        if items not in cb.scales:
            raise DataError(f"{items!r} is not a scale in the codebook {cb.source or ''}; the "
                            f"scales are: {', '.join(cb.scales)}. Pass a scale name or a list "
                            f"of item columns.")
        scale = cb.scale(items)
        label = scale.label
        if not reverse:
            reverse = scale.reverse
        items = scale.items
    elif items is None and cb is not None:
        raise DataError(f"{call}(panel, ...) needs a codebook scale name or a list of items, "
                        f"e.g. items={next(iter(cb.scales), 'betrokkenheid')!r}.")
    reverse = [reverse] if isinstance(reverse, str) else list(reverse or ())
    return (None if items is None else list(items)), reverse, label, cb


# --------------------------------------------------------------------------- kernen
def kern_by(df: pd.DataFrame, by, cb=None) -> list:
    """``by`` columns, with the gemeente column put before the kern column when ``by``
    groups by kern without gemeente and a kern name occurs in more than one gemeente in one
    wave (Oostwold in Oldambt and in Westerkwartier): those kernen stay apart, and a
    :class:`~socvit.SocvitWarning` names them. Columns from ``cb`` (else ``gemeente``,
    ``kern``, ``golf``); see :func:`socvit.gemeenten.kern_columns`."""
    cols = [by] if isinstance(by, str) else list(by)
    from . import gemeenten
    g, k, _ = gemeenten.kern_columns(df, cb)
    if k is None or g is None or k not in cols or g in cols:
        return cols
    shared = gemeenten.shared_kern_names(df, cb)
    if not shared:
        return cols
    import warnings
    from .errors import SocvitWarning
    first = next(iter(shared))
    more = f" and {len(shared) - 1} more" if len(shared) > 1 else ""
    warnings.warn(f"Kern name {first!r}{more} occurs in more than one gemeente "
                  f"({', '.join(shared[first])}); grouped by {g!r} and {k!r} so that those "
                  f"kernen stay apart. Group by [{g!r}, {k!r}] yourself to silence this, or "
                  f"label them with sv.gemeenten.kern_key.", SocvitWarning, stacklevel=3)
    i = cols.index(k)
    return cols[:i] + [g] + cols[i:]


def kern_column(df: pd.DataFrame, spec, cb=None):
    """A cluster/groups argument: the kern column itself becomes the kern's identity within
    its gemeente (:func:`socvit.gemeenten.kern_key`) when a kern name occurs in more than one
    gemeente in one wave; any other column name or array is returned as given."""
    if not isinstance(spec, str):
        return spec
    from . import gemeenten
    g, k, _ = gemeenten.kern_columns(df, cb)
    if spec != k or g is None or not gemeenten.shared_kern_names(df, cb):
        return spec
    return gemeenten.kern_key(df, cb).rename(spec)
