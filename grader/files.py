"""Writing files the way every part of the grader must: atomically, and zips reproducibly.

Only the standard library: the student's standalone ``collect_submission.py`` carries a copy of
this module (``grader.course.release.collect_script``).
"""

from __future__ import annotations

import contextlib
import io
import os
import tempfile
import zipfile
from collections.abc import Collection, Iterator, Mapping
from pathlib import Path

# The zip format's epoch: the same files always give the same bytes, whenever they are zipped.
ZIP_DATE = (1980, 1, 1, 0, 0, 0)


@contextlib.contextmanager
def atomic_open(path, mode="w", encoding="utf-8", newline=None) -> Iterator:
    """Open a temporary file beside ``path`` for writing; on success it replaces ``path`` in one
    rename (readers see the old file or the new one, never half of one), on failure it goes.
    The file gets the usual permissions (0666 less the umask), not mkstemp's private 0600."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o666 & ~umask)
    binary = "b" in mode
    try:
        with os.fdopen(
            fd, mode, encoding=None if binary else encoding, newline=None if binary else newline
        ) as fh:
            yield fh
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_atomic(path, data, encoding="utf-8") -> Path:
    """Write ``data`` (bytes or text) to ``path`` atomically; returns the path."""
    binary = isinstance(data, bytes | bytearray)
    with atomic_open(path, "wb" if binary else "w", encoding=encoding) as fh:
        fh.write(data)
    return Path(path)


def zip_bytes(files: Mapping[str, bytes], executable: Collection[str] = ()) -> bytes:
    """A reproducible zip of ``files`` ({entry name: bytes}): entries sorted, dates fixed, Unix
    modes (0755 for the names in ``executable``, 0644 for the rest)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(files):
            info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3  # Unix, so the mode below means the same everywhere
            info.external_attr = (0o100755 if name in executable else 0o100644) << 16
            archive.writestr(info, files[name])
    return buffer.getvalue()
