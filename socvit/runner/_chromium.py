"""Headless Chromium driven through the DevTools protocol over a pipe, in plain Python.

Chromium's command line (``--print-to-pdf``) cannot print a running header or page numbers,
nor choose tagging and a document outline; ``Page.printToPDF`` of the DevTools protocol can
[1]_. Chromium started with ``--remote-debugging-pipe`` reads protocol messages from file
descriptor 3 and writes its answers to descriptor 4, each message one JSON object ended by a
NUL byte, so no port, no websocket library and no third-party package is needed.

* :class:`Chromium` starts the browser in a process group of its own
  (:func:`os.posix_spawn`, safe in a threaded program, unlike ``preexec_fn``), sends
  commands (:meth:`Chromium.call`), opens pages (:meth:`Chromium.open`) and evaluates
  JavaScript (:meth:`Chromium.evaluate`). Every read waits at most until the deadline given
  at the start; a browser that hangs is killed with its whole process group
  (renderer and helper processes too) and a ``RuntimeError`` says what was waited for.
* :func:`print_pdf` prints one page to PDF bytes.

References
----------
.. [1] Chrome DevTools Protocol, domains Target, Page (``printToPDF``) and Runtime,
   https://chromedevtools.github.io/devtools-protocol/

Examples
--------
>>> # In a shell: chromium --headless --print-to-pdf=out.pdf rapport.html  (no header/footer)
>>> from socvit.runner._chromium import Chromium, find_chromium
>>> with Chromium(find_chromium(), timeout=60) as browser:          # doctest: +SKIP
...     page = browser.open("data:text/html,<title>x</title><p>hallo</p>")
...     browser.evaluate(page, "document.querySelector('p').textContent")
'hallo'
"""

from __future__ import annotations

import base64
import json
import os
import select
import shutil
import signal
import tempfile
import time

__all__ = ["Chromium", "find_chromium", "print_pdf", "CHROMIUM_NAMES"]

#: executables tried, in order, by :func:`find_chromium`
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable",
                  "chrome", "headless_shell")

_FLAGS = ("--headless", "--remote-debugging-pipe", "--no-first-run", "--no-default-browser-check",
          "--disable-gpu", "--disable-extensions", "--disable-sync", "--mute-audio",
          "--disable-background-networking", "--disable-dev-shm-usage", "--hide-scrollbars",
          "--disable-component-update", "--no-service-autorun", "--password-store=basic")


def find_chromium() -> str | None:
    """Path of a Chromium or Chrome executable on the PATH, or None."""
    for name in CHROMIUM_NAMES:
        path = shutil.which(name)
        if path:
            return path
    return None


def _high_fd(fd: int) -> int:
    """A close-on-exec copy of ``fd`` numbered 10 or more (never 3 or 4), the original closed."""
    import fcntl     # POSIX only; imported here so that the module imports everywhere

    new = fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 10)
    os.close(fd)
    return new


class Chromium:
    """A headless Chromium for one job, spoken to over ``--remote-debugging-pipe``.

    Parameters
    ----------
    executable : str
        The browser (:func:`find_chromium`).
    timeout : float
        Seconds the whole job may take, from the start of the browser to its end; after
        that any call raises ``RuntimeError`` and the browser's process group is killed.

    Use it as a context manager: leaving the block closes the browser (and kills its
    process group when it does not end within a few seconds).
    """

    def __init__(self, executable: str, timeout: float = 120.0):
        if not executable:
            raise RuntimeError("No Chromium executable given (socvit.runner._chromium.find_chromium).")
        if not hasattr(os, "posix_spawn"):
            raise RuntimeError("Printing to PDF needs os.posix_spawn (Linux or macOS).")
        self.executable = executable
        self.timeout = float(timeout)
        self.deadline = time.monotonic() + self.timeout
        self._profile = tempfile.TemporaryDirectory(prefix="socvit-chromium-")
        self._stderr = tempfile.TemporaryFile(prefix="socvit-chromium-", suffix=".log")
        self._buffer = b""
        self._events: list = []
        self._next_id = 0
        to_child_r, self._to_child = (_high_fd(fd) for fd in os.pipe())
        self._from_child, from_child_w = (_high_fd(fd) for fd in os.pipe())
        args = [executable, *_FLAGS, f"--user-data-dir={self._profile.name}"]
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            args.append("--no-sandbox")      # Chromium refuses to run as root with its sandbox
        args.append("about:blank")
        actions = [(os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0),
                   (os.POSIX_SPAWN_OPEN, 1, os.devnull, os.O_WRONLY, 0),
                   (os.POSIX_SPAWN_DUP2, self._stderr.fileno(), 2),
                   (os.POSIX_SPAWN_DUP2, to_child_r, 3),
                   (os.POSIX_SPAWN_DUP2, from_child_w, 4)]
        try:
            self.pid = os.posix_spawn(executable, args, os.environ, file_actions=actions,
                                      setpgroup=0)
        except OSError as exc:
            self._cleanup_fds(self._to_child, self._from_child)
            self._stderr.close()
            self._profile.cleanup()
            raise RuntimeError(f"Chromium ({executable}) could not be started: {exc}") from None
        finally:
            os.close(to_child_r)
            os.close(from_child_w)
        self._alive = True

    # ----------------------------------------------------------------- protocol
    def call(self, method: str, params: dict | None = None, session: str | None = None) -> dict:
        """Send one protocol command and return its ``result`` (events that arrive in
        between are kept for :meth:`wait_event`). Raises RuntimeError on a protocol error."""
        self._next_id += 1
        message = {"id": self._next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        self._write(json.dumps(message).encode() + b"\0")
        while True:
            reply = self._read(f"the answer to {method}")
            if reply.get("id") == self._next_id:
                if "error" in reply:
                    err = reply["error"]
                    raise RuntimeError(f"Chromium refused {method}: {err.get('message')} "
                                       f"{err.get('data', '')}".strip())
                return reply.get("result", {})
            if "method" in reply:
                self._events.append(reply)

    def wait_event(self, method: str, session: str | None = None) -> dict:
        """The next event ``method`` (of ``session``), waiting for it until the deadline."""
        while True:
            for i, event in enumerate(self._events):
                if event.get("method") == method and event.get("sessionId") == session:
                    return self._events.pop(i).get("params", {})
            reply = self._read(f"the event {method}")
            if "method" in reply:
                self._events.append(reply)

    def open(self, url: str) -> str:
        """Open ``url`` in a new page, wait for its load event and fonts; return the page's
        session id."""
        target = self.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        self.call("Page.enable", session=session)
        nav = self.call("Page.navigate", {"url": url}, session=session)
        if nav.get("errorText"):
            raise RuntimeError(f"Chromium could not open {url}: {nav['errorText']}")
        self.wait_event("Page.loadEventFired", session)
        self.evaluate(session, "document.fonts.ready.then(() => true)")
        return session

    def evaluate(self, session: str, expression: str):
        """The value of a JavaScript expression in the page (promises awaited)."""
        res = self.call("Runtime.evaluate", {"expression": expression, "awaitPromise": True,
                                             "returnByValue": True}, session=session)
        if "exceptionDetails" in res:
            det = res["exceptionDetails"]
            text = det.get("exception", {}).get("description") or det.get("text")
            raise RuntimeError(f"JavaScript failed in Chromium: {text}")
        return res.get("result", {}).get("value")

    # ----------------------------------------------------------------- pipe
    def _remaining(self, what: str) -> float:
        left = self.deadline - time.monotonic()
        if left <= 0:
            self.kill()
            raise RuntimeError(f"Chromium took longer than {self.timeout:.0f} s (waiting for "
                               f"{what}); it was stopped with all its processes.")
        return left

    def _write(self, data: bytes) -> None:
        view = memoryview(data)
        while view:
            _, ready, _ = select.select([], [self._to_child], [], self._remaining("Chromium to read"))
            if not ready:
                continue
            try:
                view = view[os.write(self._to_child, view):]
            except BrokenPipeError:
                raise RuntimeError(f"Chromium ended unexpectedly: {self.log()}") from None

    def _read(self, what: str) -> dict:
        while b"\0" not in self._buffer:
            ready, _, _ = select.select([self._from_child], [], [], self._remaining(what))
            if not ready:
                continue
            chunk = os.read(self._from_child, 1 << 20)
            if not chunk:
                self.kill()
                raise RuntimeError(f"Chromium ended while socvit waited for {what}: {self.log()}")
            self._buffer += chunk
        raw, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(raw)

    def log(self) -> str:
        """The end of what Chromium wrote to its standard error."""
        try:
            self._stderr.seek(0)
            text = self._stderr.read().decode("utf-8", "replace").strip()
        except (OSError, ValueError):
            return ""
        return text[-600:] or "(no message)"

    # ----------------------------------------------------------------- ending
    def kill(self) -> None:
        """Kill the browser's whole process group at once and reap it."""
        if not self._alive:
            return
        try:
            os.killpg(self.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        self._reap(block=True)
        end = time.monotonic() + 3           # the group's other processes die a moment later
        while time.monotonic() < end:
            try:
                os.killpg(self.pid, 0)
            except (ProcessLookupError, PermissionError):
                break
            time.sleep(0.02)

    def _reap(self, block: bool) -> bool:
        try:
            pid, _ = os.waitpid(self.pid, 0 if block else os.WNOHANG)
        except ChildProcessError:
            pid = self.pid
        if pid:
            self._alive = False
        return not self._alive

    def close(self) -> None:
        """Ask the browser to quit; kill its process group if it has not ended in 5 s."""
        if self._alive:
            try:
                self.deadline = min(self.deadline, time.monotonic() + 5)
                self._write(json.dumps({"id": 0, "method": "Browser.close"}).encode() + b"\0")
                end = time.monotonic() + 5
                while time.monotonic() < end and not self._reap(block=False):
                    time.sleep(0.02)
            except (RuntimeError, OSError):
                pass
            try:     # helpers (zygote, crashpad) that outlive the browser go with the group
                os.killpg(self.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
            if self._alive:
                self._reap(block=True)
        self._cleanup_fds(self._to_child, self._from_child)
        self._stderr.close()
        try:
            self._profile.cleanup()
        except OSError:         # a file the killed browser was still writing
            pass

    @staticmethod
    def _cleanup_fds(*fds) -> None:
        for fd in fds:
            try:
                os.close(fd)
            except OSError:
                pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def print_pdf(chromium: str, url: str, options: dict, timeout: float = 120.0) -> bytes:
    """Print the page at ``url`` to PDF bytes with ``Page.printToPDF`` ``options`` [1]_."""
    with Chromium(chromium, timeout=timeout) as browser:
        page = browser.open(url)
        res = browser.call("Page.printToPDF", {**options, "transferMode": "ReturnAsBase64"},
                           session=page)
        return base64.b64decode(res["data"])
