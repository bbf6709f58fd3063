"""Members and waves of a panel: the layer every function of :mod:`socvit.panel` starts from.

:func:`members` reads a panel's member id and wave columns (the codebook's kinds ``id`` and
``wave`` for a socvit Panel, or ``id=`` and ``wave=``) and checks what every panel analysis
needs, each failure a :class:`~socvit.DataError` naming the waves:

- a member id column that exists and is filled in every row;
- no member id twice within a wave (the message names the wave and counts, never ids: error
  texts can end up in a report);
- an id that persists: with two or more waves, some member answers in more than one wave;
- waves asked for (:meth:`Members.check_waves`) that are in the data, and wave pairs
  (:meth:`Members.pair`) that share members.

The result, :class:`Members`, holds the checked frame with its id and wave columns and the
member x wave presence table (:attr:`Members.presence`, one row per member, True where the
member answered), so the other modules never re-derive who answered when.

Example
-------
>>> m = members(panel)                      # the sample: resp_id and golf from the codebook
>>> m.id, m.wave, m.waves
('resp_id', 'golf', [2017, 2019, 2021, 2023])
>>> m.presence.sum().tolist()               # respondents per wave
[3293, 3305, 3293, 3311]
>>> int(m.pair(2021, 2023).sum())           # members in both waves
2234
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .. import _inputs
from ..errors import DataError

__all__ = ["Members", "members"]


@dataclass(frozen=True)
class Members:
    """A panel's checked member id and wave columns (made by :func:`members`).

    Attributes
    ----------
    data : DataFrame
        The panel frame (rows as given).
    id, wave : str
        The member id and wave columns.
    waves : list
        The waves present, sorted.
    codebook : Codebook or None
        The panel's codebook, when the data came as a socvit Panel.
    presence : DataFrame
        One row per member (index: member id), one bool column per wave: answered or not.
    """

    data: pd.DataFrame
    id: str
    wave: str
    waves: list
    codebook: object = None
    presence: pd.DataFrame = field(default=None, repr=False)

    def check_waves(self, *waves) -> list:
        """The waves as given, after checking each is in the data (DataError otherwise)."""
        for w in waves:
            if w is None or not any(_same(w, x) for x in self.waves):
                raise DataError(f"Wave {w!r} is not in the data: the {self.wave!r} column has "
                                f"waves {_list(self.waves)}. Pass one of those.")
        return [next(x for x in self.waves if _same(w, x)) for w in waves]

    def rows(self, wave) -> np.ndarray:
        """Boolean mask of the rows of one wave."""
        (wave,) = self.check_waves(wave)
        return (self.data[self.wave] == wave).fillna(False).to_numpy(dtype=bool)

    def pair(self, wave_a, wave_b, require_overlap: bool = True) -> pd.Series:
        """Members (index of :attr:`presence`) in both waves as a bool Series; DataError
        when the two waves share no member (with ``require_overlap``)."""
        a, b = self.check_waves(wave_a, wave_b)
        if _same(a, b):
            raise DataError(f"The wave pair ({a}, {b}) names the same wave twice; pass two "
                            f"different waves of {_list(self.waves)}.")
        both = self.presence[a] & self.presence[b]
        if require_overlap and not both.any():
            raise DataError(
                f"Waves {a} and {b} share no member: none of the {int(self.presence[a].sum())} "
                f"members of wave {a} is among the {int(self.presence[b].sum())} of wave {b} "
                f"(by {self.id!r}). A panel analysis of this pair needs the same people in "
                f"both waves: check that {self.id!r} is the persistent member id and that "
                f"both waves use the same ids.")
        return both

    def in_wave(self, wave, weights=None):
        """``(frame, weights, subset)`` for an analysis of one wave's rows, ready for
        :mod:`socvit.estimates` and :func:`socvit.regression.fit`.

        A survey design or RakeResult (``weights``) made for the whole panel keeps it:
        ``frame`` is the whole panel and ``subset`` the wave's rows (a domain of the design,
        as ``subset(design, golf == A)`` in R); one made for the wave's rows alone gives
        those rows and ``subset`` None. Other weights (a column name, one value per row of
        the panel or of the wave, a Series on the index) are fixed weights of the wave's
        rows (``frame``)."""
        from .. import survey
        mask = self.rows(wave)
        base = survey._base_design(weights)
        if base is not None:
            if base.index.equals(self.data.index):
                return self.data, weights, mask
            if base.index.equals(self.data.index[mask]):
                return self.data.loc[mask], weights, None
            raise DataError(
                f"The design passed as weights= belongs neither to the whole panel "
                f"({len(self.data)} rows) nor to the {int(mask.sum())} rows of wave {wave}. "
                f"Make the design (or raking) on one of those two frames, or pass its "
                f".weights as fixed weights.")
        frame = self.data.loc[mask]
        if weights is None or isinstance(weights, str):
            return frame, weights, None
        if isinstance(weights, pd.Series) or np.ndim(weights) == 1 and \
                len(weights) == len(frame):             # on the wave's rows already
            return frame, _inputs.weights(frame, weights), None
        return frame, _inputs.weights(self.data, weights, rows=mask)[mask], None

    def consecutive(self) -> list[tuple]:
        """The pairs of consecutive waves, ``[(2017, 2019), (2019, 2021), ...]``."""
        return list(zip(self.waves[:-1], self.waves[1:]))


def members(data, id=None, wave=None, min_waves: int = 2) -> Members:
    """Check and read a panel's member id and wave columns.

    Parameters
    ----------
    data : Panel or DataFrame
        Long format: one row per member per wave.
    id, wave : str, optional
        The member id and wave columns; default the codebook's columns of kind ``id`` and
        ``wave`` (a socvit Panel), which a DataFrame does not have.
    min_waves : int
        The number of waves the analysis needs (2 for anything about change or attrition).

    Returns
    -------
    Members

    Raises
    ------
    DataError
        No id or wave column; a missing member id or wave; a member id more than once within
        a wave (the wave and counts are named, not the ids); fewer than ``min_waves`` waves;
        an id that never repeats across waves (not a persistent member id).
    """
    cb = _inputs.codebook(data)
    df = _inputs.frame(data)
    id_col = _column(id, cb, "id", "member id", "id='resp_id'")
    wave_col = _column(wave, cb, "wave", "wave", "wave='golf'")
    _inputs.require_columns(df, [id_col], "member id")
    _inputs.require_columns(df, [wave_col], "wave")
    for col, what in ((id_col, "member id"), (wave_col, "wave")):
        miss = df[col].isna()
        if miss.any():
            where = ""
            if col == id_col and not df[wave_col].isna().all():
                per = df.loc[miss, wave_col].value_counts(dropna=False).sort_index()
                where = " (" + ", ".join(f"wave {w}: {k}" for w, k in per.items()) + ")"
            raise DataError(f"The {what} column {col!r} is missing in {int(miss.sum())} "
                            f"row(s){where}. Every row of a panel needs its {what}; drop or "
                            f"complete those rows first.")
    waves = sorted(pd.unique(df[wave_col]).tolist())
    if len(waves) < min_waves:
        raise DataError(f"A panel analysis needs at least {min_waves} waves; the {wave_col!r} "
                        f"column has {len(waves)} ({_list(waves)}).")
    dup = df.duplicated([wave_col, id_col], keep=False)
    if dup.any():
        counts = df.loc[dup].groupby([wave_col, id_col], observed=True, sort=True).size()
        first_wave = counts.index[0][0]
        in_wave = counts.loc[first_wave]
        more = counts.index.get_level_values(0).nunique() - 1
        also = f"; {more} more wave(s) have repeated ids too" if more else ""
        raise DataError(
            f"Wave {first_wave}: {len(in_wave)} member id(s) in {id_col!r} occur more than "
            f"once (up to {int(in_wave.max())} times){also}. A member answers a wave "
            f"once: remove the duplicate rows, or check that {id_col!r} is the member id and "
            f"{wave_col!r} the wave.")
    id_code, id_values = pd.factorize(df[id_col], sort=True)
    wave_code = np.searchsorted(np.asarray(waves), df[wave_col].to_numpy())
    table = np.zeros((len(id_values), len(waves)), dtype=bool)
    table[id_code, wave_code] = True
    presence = pd.DataFrame(table, index=pd.Index(id_values, name=id_col),
                            columns=pd.Index(waves, name=wave_col))
    if len(waves) >= 2 and not (presence.sum(axis=1) > 1).any():
        raise DataError(
            f"No member id in {id_col!r} occurs in more than one wave ({_list(waves)}): the "
            f"waves have no persistent member id. A panel analysis follows the same people "
            f"across waves; give the column that identifies a member in every wave as id=.")
    return Members(df, id_col, wave_col, waves, cb, presence)


def _column(given, cb, kind, what, example):
    if given is not None:
        if not isinstance(given, str):
            raise TypeError(f"The {what} column is given by name, e.g. {example}; got "
                            f"{type(given).__name__}.")
        return given
    col = cb.column(kind) if cb is not None else None
    if col is None:
        source = (f"The codebook has no variable of kind {kind!r}" if cb is not None
                  else "A DataFrame has no codebook to say which column it is")
        raise DataError(f"Which column is the {what}? {source}. Pass it, e.g. {example}"
                        + (", or give the column that kind in the codebook." if cb is not None
                           else ", or load the data as a socvit Panel."))
    return col


def _same(a, b) -> bool:
    try:
        return bool(a == b)
    except (TypeError, ValueError):
        return False


def _list(waves) -> str:
    return ", ".join(str(w) for w in waves) or "none"
