"""Run-wide data shared with the kernels: the panel prepared once for every report.

Every report of a run reads the same panel, maps it to the same indeling, weights and scores
it. On a national panel (a million rows) that costs each kernel ~10 s and its peak memory;
:func:`share` does it once in the runner, before the kernels start on the reports, with the
reports' own parameters (:func:`socvit.report.share_prepared`), and each kernel's
``prepare()`` reads the result (about 1 s). Small data files (the sample) are not shared: a
kernel prepares them faster than it reads them back. Anything that goes wrong here only
means the kernels prepare the data themselves (and report a real problem there).
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["share", "unshare"]


def share(plan, checked: bool) -> Path | None:
    """Prepare the plan's panel once and write it for the kernels; the folder, or None.
    ``checked``: the data were validated for this run already."""
    from ..report import _prepare
    from ..report import notebook_path
    if Path(plan.notebook).resolve() != Path(notebook_path()).resolve():
        return None                 # another notebook may prepare its data otherwise
    p = plan.common
    try:
        return _prepare.share_prepared(p.get("data"), codebook=p.get("codebook"),
                                       bevolking=p.get("bevolking"), golf=p.get("golf"),
                                       indeling=p.get("indeling"), check=not checked)
    except Exception:               # noqa: BLE001 - the kernels then prepare and report it
        return None


def unshare(folder) -> None:
    """Remove what :func:`share` wrote (after the run; nothing for None)."""
    from ..report import _prepare
    _prepare.unshare_prepared(folder)
