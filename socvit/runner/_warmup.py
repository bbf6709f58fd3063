"""Runs inside a warm kernel: the imports once, then a clean state before every report.

:class:`~socvit.runner._kernels.WarmKernel` sends ``warmup(preload, cwd)`` once after the
kernel started, and ``reset()`` before every notebook (see :data:`WARMUP_CODE` and
:data:`RESET_CODE`). Only the standard library is imported at module level: pandas and
matplotlib are loaded by the warm-up itself, when ``preload`` names them.

:func:`warmup`

* imports every module of ``preload`` (errors ignored: a missing one is imported by the
  notebook itself, as in a fresh kernel), and when that names ``socvit``, every module of
  socvit's library and of its report layer, with the
  garbage collector paused, then moves what they made into the permanent generation
  (``gc.freeze()``), so the collections during every report skip those objects;
* draws one small figure, so fonts and the PNG and SVG writers are loaded once;
* saves the state each report starts from: ``sys.path``, ``warnings.filters``, the working
  directory, ``os.environ`` and matplotlib's rcParams (the state a fresh kernel has after
  the same imports, including a theme set at import time).

:func:`reset` empties the user namespace (``get_ipython().reset(new_session=True)``: variables,
functions, ``Out`` cache, history; ``sys.modules`` stays, so imports stay warm), closes every
figure, writes the saved state back and resets pandas' options to their defaults.
"""

from __future__ import annotations

import gc
import importlib
import os
import sys
import warnings

__all__ = ["warmup", "reset", "WARMUP_CODE", "RESET_CODE"]

#: what the kernel executes to warm up (``%`` formatted with ``preload`` and ``cwd``)
WARMUP_CODE = "__import__('socvit.runner._warmup', fromlist=['warmup']).warmup(%r, %r)"
#: what the kernel executes before every notebook
RESET_CODE = "__import__('socvit.runner._warmup', fromlist=['reset']).reset()"

#: socvit modules that are no part of a report: the command line, the batch runner (this
#: module's own package) and the sample generator
_NOT_IN_REPORTS = ("cli", "runner", "sample")


class _State:
    """What every report starts from (set by :func:`warmup`)."""

    def __init__(self, cwd: str):
        self.cwd = cwd
        self.path = list(sys.path)
        self.filters = list(warnings.filters)
        self.environ = dict(os.environ)
        mpl = sys.modules.get("matplotlib")
        self.rc = dict(mpl.rcParams) if mpl is not None else None


_state: _State | None = None


def _ipython():
    from IPython import get_ipython   # in the kernel, where IPython is loaded already

    return get_ipython()


def _import_quietly(name: str) -> None:
    try:
        importlib.import_module(name)
    except Exception:
        pass


def warmup(preload, cwd: str) -> None:
    """Import ``preload`` and socvit, save the state every report starts from, then clear
    the user namespace."""
    global _state
    gc_was_on = gc.isenabled()
    gc.disable()          # imports make few cycles, but trigger many collections (~0.4 s)
    for name in preload:
        _import_quietly(name)
    if "socvit" in preload:  # the library and the report layer, as the report notebook uses them
        import pkgutil

        for info in pkgutil.iter_modules(sys.modules["socvit"].__path__):
            if not info.name.startswith("_") and info.name not in _NOT_IN_REPORTS:
                _import_quietly(f"socvit.{info.name}")
        _import_quietly("socvit.report.sections")
    if "matplotlib.pyplot" in sys.modules:  # load fonts and the PNG and SVG writers once
        import io

        import matplotlib.pyplot as plt

        fig = plt.figure(figsize=(1, 1))
        fig.gca().plot([0, 1], [0, 1])
        fig.gca().set_title("x")
        for fmt in ("png", "svg"):
            fig.savefig(io.BytesIO(), format=fmt)
        plt.close(fig)
    _reset_pandas_options()  # the first call costs ~0.1 s; later ones well under 1 ms
    # Move what the imports made into the permanent generation: the collections during a
    # report and the gc.collect() of every reset then skip those ~300,000 objects. No
    # collection first (~0.15 s a kernel): the few import-time cycles it would free stay.
    gc.freeze()
    if gc_was_on:
        gc.enable()
    _state = _State(cwd)
    _ipython().reset(new_session=True)


def reset() -> None:
    """Bring the kernel back to the state :func:`warmup` saved."""
    state = _state
    if state is None:
        raise RuntimeError("socvit.runner._warmup.reset() was called before warmup().")
    _ipython().reset(new_session=True)
    sys.path[:] = state.path
    warnings.resetwarnings()               # also clears the cached "already shown" marks
    warnings.filters[:] = state.filters
    os.chdir(state.cwd)
    for k in set(os.environ) - set(state.environ):
        del os.environ[k]
    os.environ.update(state.environ)
    if state.rc is not None:
        import matplotlib
        import matplotlib.pyplot as plt

        plt.close("all")
        dict.update(matplotlib.rcParams, state.rc)   # values validated when first set
    _reset_pandas_options()


def _reset_pandas_options() -> None:
    """Every pandas option back to its default, as in a fresh kernel (socvit sets none)."""
    pandas = sys.modules.get("pandas")
    if pandas is not None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")   # resetting deprecated options warns
            pandas.reset_option("all")
