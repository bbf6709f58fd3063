"""Reading, checking and writing panel data: CSV (also Dutch Excel exports), SPSS .sav, parquet.

:func:`load_panel` reads a file, checks it against its codebook (:func:`validate`) and types
it: ids, gemeente and kern become pandas ``"string"``; wave, likert, binary and mark columns
nullable ``"Int64"`` codes with missing codes (9, 99) turned into NA; categorical columns
pandas Categoricals with the Dutch labels; numeric and weight columns float64. A file with
problems that make it unusable (codes outside the codebook, text in numeric columns,
gemeenten that did not exist in the wave, duplicate respondents, ...; ``socvit validate
PATH`` lists them all) is refused with a :class:`~socvit.DataError` naming the first ten;
file columns the codebook does not know only give a :class:`~socvit.SocvitWarning`.
:func:`write_panel` writes a panel back (csv, parquet or sav, atomically).

CSV detection: the encoding is UTF-8 (with or without BOM) or, failing that, cp1252 (what
Dutch Excel writes); the separator is whichever of ``;``, ``,`` or tab the header line uses
most; a decimal comma is accepted in every numeric column. ``codebook.yaml`` beside the data
file is the default codebook (for a .sav without one, the codebook is derived from the
file's labels), and a ``gemeenten.csv`` beside it registers extra gemeenten
(:func:`socvit.gemeenten.load_registry`).

Modules: ``_read`` (files to a raw table, typing by the codebook), ``_validation`` (every
problem of a file at once), ``_panel`` (the :class:`Panel`, loading, the sample, writing).
"""

from ._panel import SAMPLE_DIR, Panel, load_panel, load_sample, write_panel
from ._read import (RawTable, UnreadableError, apply_codebook, code_class, column_values,
                    isnan, parse_numbers, read_raw, resolve_codebook)
from ._validation import Problem, check_raw, cli_validate, summarise, validate

__all__ = ["Panel", "load_panel", "load_sample", "write_panel", "SAMPLE_DIR", "read_raw",
           "RawTable", "apply_codebook", "resolve_codebook", "UnreadableError", "parse_numbers",
           "column_values", "code_class", "isnan", "validate", "cli_validate", "check_raw",
           "summarise", "Problem"]
