"""socvit: survey panels on the social vitality ("sociale vitaliteit") of Dutch villages.

>>> import socvit as sv
>>> panel = sv.load_sample()
>>> sv.reliability.alpha(panel, "betrokkenheid").total["raw_alpha"]  # doctest: +SKIP

Submodules are imported on first use so that ``import socvit`` stays quick.
"""

from importlib import import_module

from .errors import CodebookError, DataError, SocvitWarning

__version__ = "0.1.0"

_SUBMODULES = {
    "codebook", "io", "gemeenten", "scales", "reliability", "weighting", "estimates",
    "regression", "disclosure", "plots", "report", "cli", "sample", "fmt",
}
_LAZY = {
    "load_panel": "io", "load_sample": "io", "Panel": "io", "validate": "io",
    "Codebook": "codebook",
}

__all__ = sorted(_SUBMODULES | set(_LAZY) | {"DataError", "CodebookError", "SocvitWarning"})


def __getattr__(name):
    if name in _SUBMODULES:
        return import_module(f".{name}", __name__)
    if name in _LAZY:
        return getattr(import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(f"module 'socvit' has no attribute {name!r}")
