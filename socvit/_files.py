"""Writing files whole and hashing them: used by the library, the report and the runner.

* :func:`atomic_write` writes to a temporary file beside the target and renames it over the
  target (``os.replace``), so a reader, or a run killed halfway, sees the old file or the
  whole new one, never a part.
* :func:`remove_stale_temp` deletes the temporary files a killed writer left behind (never
  those of a process that is still running: each temporary name carries its writer's pid).
* :func:`folder_lock` keeps two runs from writing into one folder at the same time.
* :func:`sha256_file` is the hex SHA-256 of a file, read in blocks.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import tempfile
import time
from importlib import resources
from pathlib import Path

__all__ = ["atomic_write", "remove_stale_temp", "folder_lock", "sha256_file", "TMP_SUFFIX",
           "SAMPLE_DIR"]

#: the bundled synthetic sample (package data: socvit/data/sample); here, importable without
#: pandas, for the runner process
SAMPLE_DIR = Path(str(resources.files("socvit") / "data" / "sample"))

#: temporary files are named ``.<target name>.<pid>-<random>.tmp`` in the target's folder
TMP_SUFFIX = ".tmp"
_TMP_PID = re.compile(r"\.(\d+)-[^.]*\.tmp$")


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


_FILE_MODE = 0o666 & ~_umask()  # what open() would give; mkstemp makes 0600 files


def atomic_write(path, content) -> Path:
    """Write ``content`` to ``path`` through a temporary file in the same folder.

    Parameters
    ----------
    path : str or Path
        The target; missing parent folders are made.
    content : str, bytes or callable
        Text (written as UTF-8), bytes, or a function that is given the temporary file's
        path (a str) and writes the file there itself (``lambda tmp: df.to_parquet(tmp)``).

    Returns
    -------
    Path
        ``path``. The file gets the permissions :func:`open` would give it (``0o666`` minus
        the umask) and is flushed to disk before it replaces the target. When writing fails,
        the temporary file is removed and the target left as it was.

    Examples
    --------
    >>> import tempfile
    >>> from socvit._files import atomic_write
    >>> folder = Path(tempfile.mkdtemp())
    >>> atomic_write(folder / "a.txt", "één").read_text(encoding="utf-8")
    'één'
    >>> atomic_write(folder / "b.txt", lambda tmp: Path(tmp).write_text("twee")).read_text()
    'twee'
    >>> sorted(p.name for p in folder.iterdir())     # no temporary file left
    ['a.txt', 'b.txt']
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    # the writer's pid in the name: another process's clean-up leaves it alone while it runs
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name[:150]}.{os.getpid()}-", suffix=TMP_SUFFIX,
                               dir=path.parent)
    try:
        if callable(content):
            os.close(fd)
            fd = None
            content(tmp)
            fd = os.open(tmp, os.O_RDONLY)
        else:
            data = content.encode("utf-8") if isinstance(content, str) else bytes(content)
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
        os.fsync(fd)
        os.close(fd)
        fd = None
        os.chmod(tmp, _FILE_MODE)
        os.replace(tmp, path)
    except BaseException:
        if fd is not None:
            try:
                os.close(fd)
            except OSError:
                pass
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return path


def _running(pid: int) -> bool:
    if pid == os.getpid():
        return False           # this process's own leftovers (a writer it interrupted)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True            # exists, another user's
    return True


def remove_stale_temp(folder) -> int:
    """Delete the temporary files of :func:`atomic_write` left in ``folder`` by a killed
    run; returns how many. A temporary file of a process that is still running (its pid is
    in the name) is another writer's work in progress and is kept."""
    folder = Path(folder)
    n = 0
    if folder.is_dir():
        for p in folder.glob(f".*{TMP_SUFFIX}"):
            m = _TMP_PID.search(p.name)
            if m and _running(int(m.group(1))):
                continue
            try:
                p.unlink()
                n += 1
            except OSError:
                pass
    return n


@contextlib.contextmanager
def folder_lock(folder, wait: float = 10.0, what: str = "socvit reports"):
    """Hold an exclusive lock on ``folder`` (the file ``<folder>/.socvit/lock``) while the
    block runs; another process that asks for it waits up to ``wait`` seconds, then gets a
    :class:`~socvit.errors.DataError` naming the pid that holds it.

    The lock is an advisory ``flock``: the operating system releases it when its holder
    ends, also when killed, so a crashed run never leaves the folder locked. On a system
    without ``fcntl`` (Windows) the block runs unlocked.

    Examples
    --------
    >>> folder = Path(tempfile.mkdtemp())
    >>> with folder_lock(folder):
    ...     (folder / ".socvit" / "lock").read_text().split()[0] == str(os.getpid())
    True
    """
    from .errors import DataError

    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows
        yield
        return
    path = Path(folder) / ".socvit" / "lock"
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    holder = os.pread(fd, 200, 0).decode("utf-8", "replace").strip() or "?"
                    pid, _, since = holder.partition(" ")
                    raise DataError(
                        f"Another {what} run (pid {pid}{f', started {since}' if since else ''}) "
                        f"is writing to {folder}; two runs into one folder would overwrite "
                        f"each other's manifest. Wait until it has finished (it holds "
                        f"{path}), or give this run another output folder (--out)."
                    ) from None
                time.sleep(0.2)
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()} {time.strftime('%Y-%m-%dT%H:%M:%S')}\n".encode(), 0)
        yield
    finally:
        os.close(fd)        # releases the lock


def sha256_file(path) -> str:
    """Hex SHA-256 of the file at ``path``.

    Examples
    --------
    >>> sha256_file(sv.io.SAMPLE_DIR / "codebook.yaml") == hashlib.sha256(
    ...     (sv.io.SAMPLE_DIR / "codebook.yaml").read_bytes()).hexdigest()
    True
    """
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()
