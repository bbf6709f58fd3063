"""The Panel: a typed panel (data + codebook), loading it, the sample, writing it back."""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .._files import SAMPLE_DIR, atomic_write
from ..codebook import Codebook
from ..errors import DataError, SocvitWarning
from ._read import _registry_beside, apply_codebook, read_raw, resolve_codebook
from ._validation import check_raw, summarise

__all__ = ["Panel", "load_panel", "load_sample", "write_panel", "SAMPLE_DIR"]

_MAX_SHOWN = 10


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

    def population_file(self, data_path=None) -> Path | None:
        """Where the panel's population margins are expected: the file the codebook names
        (``panel.bevolking``, relative to the codebook file), else ``bevolking.csv`` beside
        the data file (``data_path``, default :attr:`source`); None without either. The file
        need not exist: check before reading it."""
        data = Path(data_path) if data_path is not None else (
            Path(self.source) if self.source else None)
        named = self.codebook.panel.bevolking
        if named:
            cb_src = self.codebook.source
            base = (Path(cb_src).parent if cb_src
                    else data.parent if data is not None else Path.cwd())
            return base / named          # an absolute name stays itself
        return None if data is None else data.parent / "bevolking.csv"


def _as_float(s: pd.Series) -> pd.Series:
    if isinstance(s.dtype, pd.CategoricalDtype):
        raise DataError(f"Column {s.name!r} is categorical; it has no numeric value.")
    return pd.Series(s.to_numpy(dtype="float64", na_value=np.nan), index=s.index, name=s.name)


def load_panel(path, codebook=None, check: bool = True) -> Panel:
    """Read a panel file (CSV, Dutch CSV, SPSS .sav or parquet) and type it by its codebook.

    Parameters
    ----------
    path : str or Path
        ``.csv`` (also ``;``-separated, decimal comma, cp1252 or UTF-8 with BOM, detected
        automatically), ``.sav`` or ``.parquet``.
    codebook : Codebook, path or None
        None: ``codebook.yaml`` beside the data file; for a .sav without one, the codebook
        derived from the file's labels (:meth:`Codebook.from_sav`).
    check : bool
        Run :func:`socvit.io.validate` first (default). Problems that make the data
        unusable raise :class:`DataError` listing the first ten and the count; columns that
        are not in the codebook only give a :class:`SocvitWarning` and are kept as read.

    Returns
    -------
    Panel
        ``.data`` typed as described in the module docstring, ``.codebook``, ``.source``.

    Examples
    --------
    >>> import socvit as sv
    >>> panel = sv.load_panel(sv.io.SAMPLE_DIR / "panel.csv")   # codebook.yaml beside it
    >>> panel.data.shape
    (13202, 47)
    >>> panel.data["gemeente"].dtype, panel.data["bet_1"].dtype
    (<StringDtype(...)>, Int64Dtype())
    >>> # In R: haven::read_sav("panel.sav", user_na = TRUE)
    >>> sav = sv.io.write_panel(panel, getfixture("tmp_path") / "panel.sav")
    >>> sv.load_panel(sav, codebook=panel.codebook).data.equals(panel.data)
    True
    """
    path = Path(path)
    _registry_beside(path)
    cb = resolve_codebook(path, codebook)
    raw = read_raw(path, cb)
    if check:
        problems = check_raw(raw, cb)
        errors = [p for p in problems if p.severity == "error"]
        if errors:
            raise DataError(summarise(errors, path.name, limit=_MAX_SHOWN))
        for p in problems:
            warnings.warn(str(p), SocvitWarning, stacklevel=2)
    # the raw frame is private here: its integer arrays can become the typed ones uncopied
    return Panel(apply_codebook(raw.frame, cb, raw.cache, _owned=True), cb, str(path))


def load_sample() -> Panel:
    """The bundled synthetic sample panel (see socvit/data/sample/README.md).

    >>> sv.load_sample()
    Panel(13202 rows x 47 columns, source='.../socvit/data/sample/panel.csv')
    """
    return load_panel(SAMPLE_DIR / "panel.csv", SAMPLE_DIR / "codebook.yaml")


# --------------------------------------------------------------------------- writing
def write_panel(panel, path, codebook: Codebook | None = None, excel: bool = False) -> Path:
    """Write a Panel (or a typed DataFrame) as ``.csv``, ``.parquet`` or ``.sav``.

    CSV is UTF-8 with ``,`` and ``.`` decimals, categoricals as their Dutch labels, NA as an
    empty field; with ``excel=True`` it is what Dutch Excel opens directly: ``;``
    separator, decimal comma, UTF-8 with BOM. Parquet keeps the pandas dtypes; .sav stores
    categoricals as codes with value labels and every codebook label as variable label.
    The file is written to a temporary name beside ``path`` and renamed, so a failed write
    leaves no half file. :func:`load_panel` reads all of these back unchanged.

    Examples
    --------
    >>> out = getfixture("tmp_path")
    >>> sv.io.write_panel(panel, out / "panel.sav").name
    'panel.sav'
    >>> # In R: haven::write_sav(panel, "export/panel.sav")
    >>> csv = sv.io.write_panel(panel, out / "panel.csv", excel=True)
    >>> # In R: write.csv2(panel, "export/panel.csv", fileEncoding = "UTF-8-BOM")
    >>> csv.read_bytes().startswith("\\ufeff".encode()), csv.read_text("utf-8-sig")[:26]
    (True, 'resp_id;golf;gemeente;kern')
    >>> sv.load_panel(csv, codebook=panel.codebook).data.equals(panel.data)
    True
    """
    if isinstance(panel, Panel):
        df, cb = panel.data, codebook or panel.codebook
    elif isinstance(panel, pd.DataFrame):
        df, cb = panel, codebook
    else:
        raise TypeError(f"write_panel needs a Panel or a DataFrame, got {type(panel).__name__}.")
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".parquet", ".sav"):
        raise ValueError(f"write_panel writes .csv, .parquet or .sav, not {path.name!r}.")
    def write(tmp: str) -> None:
        if suffix == ".csv":
            if excel:
                df.to_csv(tmp, index=False, sep=";", decimal=",", encoding="utf-8-sig",
                          lineterminator="\r\n")
            else:
                df.to_csv(tmp, index=False, encoding="utf-8", lineterminator="\n")
        elif suffix == ".parquet":
            df.reset_index(drop=True).to_parquet(tmp, index=False)
        else:
            _write_sav(df, cb, tmp)

    atomic_write(path, write)
    return path


def _write_sav(df: pd.DataFrame, cb: Codebook | None, tmp: str):
    import pyreadstat
    out, value_labels, labels, missing = {}, {}, [], {}
    for col in df.columns:
        s = df[col]
        v = cb.variables.get(col) if cb is not None else None
        labels.append(v.label if v is not None else col)
        if isinstance(s.dtype, pd.CategoricalDtype):
            if v is not None and v.values:
                lut = {lab: code for code, lab in v.values.items()}
            else:
                lut = {lab: i + 1 for i, lab in enumerate(s.cat.categories)}
            out[col] = s.map(lut).astype("float64")
            value_labels[col] = {float(c): str(l) for l, c in lut.items()}
        elif pd.api.types.is_numeric_dtype(s.dtype):
            out[col] = s.to_numpy(dtype="float64", na_value=np.nan)
            if v is not None and (v.values or v.missing):
                value_labels[col] = {float(c): l for c, l in {**v.values, **v.missing}.items()}
            if v is not None and v.missing:     # SPSS allows three discrete missing values
                missing[col] = sorted(float(c) for c in v.missing)[:3]
        else:
            out[col] = s.astype(object).where(s.notna(), "")
    pyreadstat.write_sav(pd.DataFrame(out), tmp, column_labels=labels,
                         variable_value_labels=value_labels, missing_ranges=missing)
