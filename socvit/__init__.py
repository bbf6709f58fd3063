"""socvit: survey panels on the social vitality ("sociale vitaliteit") of Dutch villages.

>>> import socvit as sv
>>> panel = sv.load_sample()
>>> round(float(sv.reliability.alpha(panel, "betrokkenheid").total["raw_alpha"]), 2)
0.8

Three layers, imports running one way (runner -> report -> library):

- the library, this package's top level: ``codebook``, ``io``, ``gemeenten``, ``scales``,
  ``reliability``, ``survey`` (the design object), ``weighting``, ``estimates``,
  ``regression``, ``disclosure``, ``panel`` (participation, attrition, longitudinal
  weights, change within persons), ``geo`` (gemeente boundaries for maps), ``plots``,
  ``fmt``, ``sample``;
- ``socvit.report``: the gemeente report (data preparation, sections, Dutch texts);
- ``socvit.runner``: ``socvit reports`` (planning, warm kernels, rendering, manifest, index).

Every submodule is imported on first use (``sv.weighting`` imports ``socvit.weighting``), so
``import socvit`` stays quick; any module in the package is found, none is listed by hand.
"""

import pkgutil
from importlib import import_module

from .errors import CodebookError, DataError, SocvitWarning  # noqa: F401  (in __all__)

__version__ = "0.1.0"

#: the library's most used names, available as ``sv.<name>``
_SHORTCUTS = {
    "load_panel": "io", "load_sample": "io", "Panel": "io", "validate": "io",
    "Codebook": "codebook",
}


def _submodules() -> list[str]:
    return sorted(m.name for m in pkgutil.iter_modules(__path__) if not m.name.startswith("_"))


_MODULES = frozenset(_submodules())
__all__ = sorted(_MODULES | set(_SHORTCUTS) | {"DataError", "CodebookError",
                                                         "SocvitWarning"})


def __getattr__(name):
    if name in _SHORTCUTS:
        return getattr(import_module(f".{_SHORTCUTS[name]}", __name__), name)
    if name in _MODULES:
        return import_module(f".{name}", __name__)
    raise AttributeError(f"module 'socvit' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(__all__))
