"""Writing files whole and hashing them: used by the library, the report and the runner.

* :func:`atomic_write` writes to a temporary file beside the target and renames it over the
  target (``os.replace``), so a reader, or a run killed halfway, sees the old file or the
  whole new one, never a part.
* :func:`remove_stale_temp` deletes the temporary files a killed writer left behind.
* :func:`sha256_file` is the hex SHA-256 of a file, read in blocks.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from importlib import resources
from pathlib import Path

__all__ = ["atomic_write", "remove_stale_temp", "sha256_file", "TMP_SUFFIX", "SAMPLE_DIR"]

#: the bundled synthetic sample (package data: socvit/data/sample); here, importable without
#: pandas, for the runner process
SAMPLE_DIR = Path(str(resources.files("socvit") / "data" / "sample"))

#: temporary files are named ``.<target name>.<random>.tmp`` in the target's folder
TMP_SUFFIX = ".tmp"


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
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=TMP_SUFFIX, dir=path.parent)
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


def remove_stale_temp(folder) -> int:
    """Delete the temporary files of :func:`atomic_write` left in ``folder`` by a killed
    run; returns how many."""
    folder = Path(folder)
    n = 0
    if folder.is_dir():
        for p in folder.glob(f".*{TMP_SUFFIX}"):
            try:
                p.unlink()
                n += 1
            except OSError:
                pass
    return n


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
