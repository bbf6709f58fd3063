"""Warm Jupyter kernels that run one notebook after another, each from a clean state.

Almost all the time of a naive ``papermill`` + ``nbconvert`` loop goes into starting a
kernel and importing pandas, matplotlib, seaborn and statsmodels (~5 s) for every report.
A :class:`WarmKernel` starts one kernel, imports those once, and then executes notebooks in
it with ``nbclient.NotebookClient(nb, km=km)`` and its own client handed in (``client.kc = kc``;
nbclient unregisters its atexit clean-up after each notebook, so none accumulate).
The garbage collector is paused during those imports and what they made is frozen
(``gc.freeze()``), so the collections during every later report skip it.

The code that runs inside the kernel is :mod:`socvit.runner._warmup`: ``warmup()`` once
after the start, ``reset()`` before every notebook (:meth:`WarmKernel.reset`). The reset
empties the user namespace but keeps ``sys.modules``, so imports stay warm; it closes every
figure and writes back the rcParams, warnings filters, ``sys.path``, working directory and
environment saved after the warm-up, and resets pandas' options.

Port races: kernels use the ``ipc`` transport (Unix domain sockets in a private temporary
folder per kernel), so no TCP ports are picked and several kernels can start at the same
time. On Windows (no ipc) they fall back to TCP; :class:`WarmKernel` users start them one
after another there.

Each kernel also exits by itself when the process that started it dies (ipykernel polls
its parent), so a runner killed with SIGKILL leaves no kernels behind.
"""

from __future__ import annotations

import asyncio
import os
import queue
import re
import shutil
import signal
import sys
import tempfile
import threading
import time

from ._warmup import RESET_CODE, WARMUP_CODE

__all__ = ["WarmKernel", "KernelWorker", "KernelFailure", "DEFAULT_PRELOAD", "error_text"]

#: modules imported once per kernel (errors ignored: a missing one is imported by the
#: notebook itself, as in a fresh kernel): what socvit and the report notebook use, and
#: nothing more; ``"socvit"`` stands for its library and report modules. The statsmodels
#: models are imported from their own modules: the ``statsmodels.api`` namespace also
#: loads its time-series and graphics parts (~0.7 s).
DEFAULT_PRELOAD = (
    "numpy", "pandas", "scipy.stats", "scipy.optimize", "matplotlib.pyplot", "seaborn",
    "statsmodels.genmod.generalized_linear_model", "statsmodels.regression.linear_model",
    "statsmodels.miscmodels.ordinal_model", "patsy", "yaml", "pyarrow.parquet",
    "IPython.display", "socvit",
)

#: command-line options of every report kernel: no input history. A report's cells need
#: none, and the kernels of one run would otherwise all write to one IPython history database
#: (SQLite, with its lock; ~3% of a report's time in the kernel).
KERNEL_ARGUMENTS = ("--HistoryManager.enabled=False",)


class KernelFailure(RuntimeError):
    """The kernel could not start, died, or did not answer in time."""


class WarmKernel:
    """One Jupyter kernel, started once and warmed up, that executes notebooks in turn.

    Use from a single thread and its asyncio event loop (the kernel client is bound to it).

    Parameters
    ----------
    kernel_name : str
        Kernel spec (default ``python3``).
    cwd : str, optional
        Working directory of the kernel and of every notebook (default: the current one).
    preload : sequence of str
        Modules imported once at start-up (:data:`DEFAULT_PRELOAD`).
    startup_timeout : float
        Seconds to wait for the kernel to start and finish the imports.

    Examples
    --------
    A kernel without preloaded modules (the runner preloads :data:`DEFAULT_PRELOAD`):

    >>> import asyncio, nbformat
    >>> nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("6 * 7")])
    >>> async def run(notebooks):
    ...     k = WarmKernel(preload=())
    ...     await k.start()
    ...     try:
    ...         # each notebook from a reset namespace; a failing cell raises CellExecutionError
    ...         return [await k.execute(nb, timeout=60) for nb in notebooks]
    ...     finally:
    ...         await k.shutdown()
    >>> [done.cells[0].outputs[0]["data"]["text/plain"] for done in asyncio.run(run([nb, nb]))]
    ['42', '42']
    """

    def __init__(self, kernel_name: str = "python3", cwd: str | None = None,
                 preload=DEFAULT_PRELOAD, startup_timeout: float = 120.0):
        self.kernel_name = kernel_name
        self.cwd = os.path.abspath(cwd or os.getcwd())
        self.preload = tuple(preload)
        self.startup_timeout = startup_timeout
        self.km = None
        self.kc = None
        self._sockdir = None
        self._pending_reset = None       # msg_id of a reset sent after the last notebook
        self.starts = 0

    def __repr__(self):
        alive = self.km is not None and self.km.has_kernel
        return f"WarmKernel({self.kernel_name!r}, alive={alive}, starts={self.starts})"

    async def start(self) -> None:
        """Start the kernel (ipc transport), connect a client and run the warm-up imports."""
        from jupyter_client import AsyncKernelManager

        kwargs = {"kernel_name": self.kernel_name}
        if os.name == "posix":
            self._sockdir = tempfile.mkdtemp(prefix="socvit-kernel-")
            kwargs.update(transport="ipc", ip=os.path.join(self._sockdir, "k"))
        self.km = AsyncKernelManager(**kwargs)
        env = dict(os.environ)
        # a test runner's MPLBACKEND=Agg would stop figures from showing inline in the report
        env.pop("MPLBACKEND", None)
        env["PYDEVD_DISABLE_FILE_VALIDATION"] = "1"
        # errors of the data checks name file, row and column only, never a respondent id or
        # an answer: their texts can reach the report folder (socvit.io._validation)
        env["SOCVIT_PUBLIC_ERRORS"] = "1"
        try:
            await self.km.start_kernel(cwd=self.cwd, env=env,
                                       extra_arguments=list(KERNEL_ARGUMENTS))
            self.kc = self.km.client()
            self.kc.start_channels()
            await self.kc.wait_for_ready(timeout=self.startup_timeout)
            await self._run(WARMUP_CODE % (self.preload, self.cwd), timeout=self.startup_timeout)
        except Exception as exc:
            await self.shutdown()
            raise KernelFailure(f"The {self.kernel_name!r} kernel could not be started and warmed "
                                f"up: {exc}") from exc
        self.starts += 1

    async def _run(self, code: str, timeout: float) -> None:
        """Execute ``code`` silently; raise KernelFailure on an error or no answer."""
        await self._reply(self._send(code), timeout)

    def _send(self, code: str) -> str:
        return self.kc.execute(code, silent=True, store_history=False, allow_stdin=False)

    async def _reply(self, msg_id: str, timeout: float) -> None:
        """Wait for the reply to ``msg_id``; raise KernelFailure on an error or no answer."""
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise KernelFailure(f"the kernel did not answer within {timeout:.0f} s")
            try:
                reply = await self.kc.get_shell_msg(timeout=min(remaining, 1.0))
            except Exception:  # queue.Empty
                if not await self.km.is_alive():
                    raise KernelFailure("the kernel died") from None
                continue
            if reply["parent_header"].get("msg_id") != msg_id:
                continue
            content = reply["content"]
            if content.get("status") != "ok":
                raise KernelFailure(f"{content.get('ename')}: {content.get('evalue')}")
            return

    async def reset(self, timeout: float = 60.0) -> None:
        """Clear the user namespace and plotting state (see the module docstring); when a
        reset was already sent after the last notebook, wait for that one instead."""
        msg_id, self._pending_reset = self._pending_reset, None
        await self._reply(msg_id or self._send(RESET_CODE), timeout)

    def reset_soon(self) -> None:
        """Send the reset now without waiting: the kernel clears its namespace (~0.2 s,
        mostly IPython's ``gc.collect()``) while this process exports the last report.
        The next :meth:`reset` or :meth:`execute` waits for its reply."""
        if self.kc is not None and self._pending_reset is None:
            self._pending_reset = self._send(RESET_CODE)

    async def alive(self) -> bool:
        return self.km is not None and self.km.has_kernel and await self.km.is_alive()

    async def execute(self, nb, timeout: float = 600.0):
        """Reset, then execute ``nb`` (in place) within ``timeout`` seconds in all.

        Raises nbclient's ``CellExecutionError`` when a cell fails (the kernel stays usable),
        ``CellTimeoutError``/``DeadKernelError``/:class:`KernelFailure` otherwise (call
        :meth:`restart` before the next notebook).
        """
        from nbclient import NotebookClient

        if not await self.alive():
            await self.restart()
        await self.reset()
        deadline = time.monotonic() + timeout
        client = NotebookClient(
            nb, km=self.km, kernel_name=self.kernel_name,
            timeout_func=lambda cell: max(1, int(deadline - time.monotonic())),
            interrupt_on_timeout=False, allow_errors=False, record_timing=False,
            iopub_timeout=10,
        )
        # NotebookClient.__init__ sets kc to None whatever it is given; without our client it
        # would connect a second one, after which this kernel stops answering ours.
        client.kc = self.kc
        await client.async_execute()    # unregisters its own atexit clean-up when done
        self.reset_soon()
        return nb

    def kill_now(self) -> None:
        """SIGKILL the kernel process (safe to call from another thread, e.g. on Ctrl-C)."""
        pid = getattr(getattr(self.km, "provisioner", None), "pid", None)
        if pid:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass

    async def restart(self) -> None:
        """Throw the kernel away and start (and warm up) a new one."""
        await self.shutdown()
        await self.start()

    async def shutdown(self) -> None:
        """Stop the kernel and remove its sockets and connection file."""
        try:
            if self.kc is not None:
                self.kc.stop_channels()
            if self.km is not None and self.km.has_kernel:
                await self.km.shutdown_kernel(now=True)
        except Exception:
            pass
        finally:
            try:
                if self.km is not None:
                    await self.km.cleanup_resources()   # a coroutine in AsyncKernelManager
            except Exception:
                pass
            self.kc = None
            self.km = None
            self._pending_reset = None
            if self._sockdir:
                shutil.rmtree(self._sockdir, ignore_errors=True)
                self._sockdir = None


_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def error_text(exc: BaseException) -> str:
    """``"Name: message"`` of an exception, without the terminal colour codes of tracebacks."""
    text = _ANSI.sub("", str(exc)).strip()
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


class KernelWorker(threading.Thread):
    """A thread with its own event loop and :class:`WarmKernel` that takes jobs from a queue.

    For every job it puts ``await handle(kernel, job)`` on ``results``; when the kernel could
    not start, or ``handle`` raised, ``on_error(job, message)`` instead, so that every job
    gets exactly one result. The kernel starts as soon as the thread does, so jobs may be
    queued while it boots. It stops at a ``None`` job or when ``stop`` is set, and shuts its
    kernel down.
    """

    def __init__(self, jobs: queue.Queue, results: queue.Queue, handle, on_error,
                 stop: threading.Event, kernel_name: str = "python3", cwd: str | None = None,
                 preload=DEFAULT_PRELOAD):
        super().__init__(daemon=True, name="socvit-kernel-worker")
        # Imported here, in the thread that makes the workers: two threads importing one
        # module at the same time can get it partially initialised (an ImportError).
        import jupyter_client  # noqa: F401
        self.jobs, self.results, self.handle, self.on_error, self.stop = jobs, results, handle, on_error, stop
        self.kernel = WarmKernel(kernel_name, cwd=cwd, preload=preload)

    def run(self):
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        start_error = None
        try:
            loop.run_until_complete(self.kernel.start())
        except Exception as exc:
            start_error = error_text(exc)
        try:
            while not self.stop.is_set():
                try:
                    job = self.jobs.get(timeout=0.2)
                except queue.Empty:
                    continue
                if job is None:
                    break
                if start_error is not None:
                    self.results.put(self.on_error(job, start_error))
                    continue
                try:
                    result = loop.run_until_complete(self.handle(self.kernel, job))
                except BaseException as exc:  # never lose a job
                    result = self.on_error(job, error_text(exc))
                self.results.put(result)
        finally:
            try:
                loop.run_until_complete(self.kernel.shutdown())
            finally:
                asyncio.set_event_loop(None)
                loop.close()

    def kill(self):
        """Kill the kernel process at once (from another thread, e.g. on Ctrl-C)."""
        self.kernel.kill_now()


if sys.platform == "win32":  # pragma: no cover
    asyncio.set_event_loop_policy(asyncio.WindowsSelectorEventLoopPolicy())
