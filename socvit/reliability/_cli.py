"""``socvit reliability PATH --scale NAME``."""

from __future__ import annotations

import warnings

from ..errors import DataError, SocvitWarning
from ..io import load_panel
from ._alpha import alpha


def cli_reliability(args) -> int:
    """``socvit reliability PATH --scale NAME [--codebook FILE] [--golf YEAR]``: print the
    psych-style alpha table of a codebook scale. Bad input raises DataError (exit 2)."""
    panel = load_panel(args.path, getattr(args, "codebook", None))
    if args.scale not in panel.codebook.scales:
        raise DataError(f"Scale {args.scale!r} is not in the codebook; the scales are: "
                        f"{', '.join(panel.codebook.scales)}.")
    golf = getattr(args, "golf", None)
    if golf is not None:
        wave = panel.codebook.column("wave")
        if wave is None:
            raise DataError("--golf needs a wave (golf) column in the codebook.")
        mask = (panel.data[wave] == golf).fillna(False).to_numpy(dtype=bool)
        if not mask.any():
            waves = sorted(panel.data[wave].dropna().unique().tolist())
            raise DataError(f"No rows with {wave} = {golf} in {args.path}; the waves are: "
                            f"{', '.join(map(str, waves))}.")
        panel = panel.subset(mask)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", SocvitWarning)
        res = alpha(panel, args.scale)
    print(res.summary())
    for wmsg in caught:
        print(f"\nLet op: {wmsg.message}")
        if "repeats" in str(wmsg.message) and golf is None:
            print("Kies één golf met --golf JAAR (één rij per respondent).")
    return 0
