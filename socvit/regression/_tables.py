"""Models side by side (``socvit.regression.side_by_side``), as modelsummary/stargazer tables."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from .. import fmt
from ._fit import ModelResult

__all__ = ["side_by_side", "ModelsTable"]


@dataclass
class ModelsTable:
    """Models side by side: ``table`` (rows: terms, then n and fit statistics; columns:
    models; cells "estimate (se)" with stars) and :meth:`to_html`."""

    table: pd.DataFrame
    note: str = ""

    def to_html(self) -> str:
        frame = self.table.reset_index().rename(columns={"index": ""})
        return str(fmt.tabel(frame, note=self.note or None))

    def _repr_html_(self):
        return self.to_html()

    def __repr__(self):
        return self.table.to_string() + (f"\n{self.note}" if self.note else "")


def side_by_side(results, names=None, stars=True, decimals=3, fit_stats=None) -> ModelsTable:
    """Models side by side, as ``modelsummary``/``stargazer`` tables.

    Parameters
    ----------
    results : list of ModelResult
    names : list of str, optional
        Column headers (default "Model 1", "Model 2", ...).
    stars : bool
        Append * p < .05, ** p < .01, *** p < .001.
    decimals : int
        Decimals of the cells (decimal comma, as everything a report reader sees).
    fit_stats : list of str, optional
        Keys of ``ModelResult.fit`` to show below the terms (default: those present among
        r2, adj_r2, pseudo_r2, deviance, aic, icc_*, n_clusters).

    Returns
    -------
    ModelsTable
        ``.table`` (DataFrame: rows terms (labels when present) then "N" and fit rows;
        cells "estimate (se)"), ``.to_html()``.

    Examples
    --------
    >>> # In R: modelsummary::modelsummary(list(m1, m2), estimate = "{estimate}{stars}")
    >>> res1 = sv.regression.fit("rapportcijfer ~ bereidheid", df)
    >>> res2 = sv.regression.fit("rapportcijfer ~ bereidheid + animo + contacten", df)
    >>> sv.regression.side_by_side([res1, res2], names=["basis", "met ACTIE"]).table
                           basis         met ACTIE
    Intercept   6,531*** (0,081)  4,585*** (0,086)
    bereidheid  0,122*** (0,022)  0,062*** (0,019)
    animo                         0,367*** (0,018)
    contacten                     0,297*** (0,018)
    N                      3.204             3.132
    r2                     0,010             0,312
    adj_r2                 0,009             0,312
    """


    results = list(results)
    if not results or not all(isinstance(r, ModelResult) for r in results):
        raise TypeError("side_by_side() takes a list of ModelResult objects from sv.regression.fit.")
    names = list(names) if names is not None else [f"Model {i + 1}" for i in range(len(results))]
    if len(names) != len(results):
        raise ValueError(f"{len(names)} names for {len(results)} models.")
    if len(set(names)) != len(names):
        raise ValueError("Model names must be distinct.")
    rows: dict[str, dict] = {}
    key_col = "label" if all("label" in r.table for r in results) else "term"
    for name, r in zip(names, results):
        for _, row in r.table.iterrows():
            cell = fmt.getal(row.estimate, decimals)
            if stars:
                cell += "***" if row.p < 0.001 else "**" if row.p < 0.01 else "*" if row.p < 0.05 else ""
            cell += f" ({fmt.getal(row.se, decimals)})"
            rows.setdefault(row[key_col], {})[name] = cell
    if fit_stats is None:
        fit_stats = []
        for r in results:
            for k in r.fit:
                if (k in ("r2", "adj_r2", "pseudo_r2", "deviance", "aic", "n_clusters")
                        or k.startswith("icc_")) and k not in fit_stats:
                    fit_stats.append(k)
    rows["N"] = {nm: fmt.aantal(r.n) for nm, r in zip(names, results)}
    for k in fit_stats:
        rows[k] = {nm: (fmt.getal(r.fit[k], decimals) if isinstance(r.fit.get(k), float)
                        else str(r.fit[k]) if k in r.fit else "")
                   for nm, r in zip(names, results)}
    table = pd.DataFrame.from_dict(rows, orient="index").reindex(columns=names).fillna("")
    se_types = sorted({r.se_type for r in results})
    note = "Standaardfouten tussen haakjes" + (f" ({'; '.join(se_types)})" if se_types else "")
    if stars:
        note += ". * p < 0,05; ** p < 0,01; *** p < 0,001"
    return ModelsTable(table=table, note=note + ".")
