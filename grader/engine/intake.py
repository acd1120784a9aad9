"""Read a submission (zip or folder) safely into memory, keeping only the allowed files.

Nothing is extracted to disk here. A zip is refused as a whole for path traversal, absolute
paths, links, encrypted entries, oversize entries, too many entries, too much uncompressed data,
a suspicious compression ratio, names that are not valid UTF-8 although flagged so, the same file
twice, or damage; each refusal names the entry. The entry count is read from the zip's end record
before the central directory is parsed, and the zip itself is size-limited before it is read.
One wrapping folder is accepted. Files outside the allow-list are reported as extra and ignored;
allowed files that are absent are reported as missing (the pristine skeleton stands in for them).
"""

from __future__ import annotations

import hashlib
import io
import os
import stat
import struct
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from grader.authoring.layout import HYPERPARAMS_NAME, AllowList
from grader.errors import SubmissionError

MAX_ENTRIES = 200
MAX_FILE_BYTES = 5 * 2**20
MAX_TOTAL_BYTES = 40 * 2**20
MAX_RATIO = 200
MAX_ZIP_BYTES = MAX_TOTAL_BYTES


class IntakeError(SubmissionError):
    """The submission cannot be read; the message says why in words a student understands."""


@dataclass
class Submission:
    """What was taken from a submission: allowed files by canonical path, and what was not."""

    name: str
    sha256: str
    files: dict[str, bytes] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)
    extra: list[str] = field(default_factory=list)


def _safe_name(name: str) -> PurePosixPath:
    if "\\" in name or "\x00" in name:
        raise IntakeError(f"refused entry {name!r}: backslashes or NUL bytes in a path")
    path = PurePosixPath(name)
    if path.is_absolute() or (path.parts and ":" in path.parts[0]):
        raise IntakeError(f"refused entry {name!r}: absolute paths are not allowed")
    if ".." in path.parts:
        raise IntakeError(f"refused entry {name!r}: '..' in a path (path traversal)")
    return path


def _printable(name: str) -> str:
    """A name safe to report in JSON: undecodable bytes (surrogates) shown as U+FFFD."""
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def _declared_entries(data: bytes) -> int | None:
    """Entry count from the end-of-central-directory record (zip64 too), or None if absent."""
    end = data.rfind(b"PK\x05\x06", max(0, len(data) - 65557))
    if end < 0 or end + 22 > len(data):
        return None
    (count,) = struct.unpack("<H", data[end + 10 : end + 12])
    locator = end - 20
    if count == 0xFFFF and locator >= 0 and data[locator : locator + 4] == b"PK\x06\x07":
        (offset,) = struct.unpack("<Q", data[locator + 8 : locator + 16])
        if data[offset : offset + 4] == b"PK\x06\x06" and offset + 40 <= len(data):
            (count,) = struct.unpack("<Q", data[offset + 32 : offset + 40])
    return count


def _strip_wrapper(paths: list[PurePosixPath]) -> list[PurePosixPath]:
    """Drop one folder that wraps everything (``submission/assignment/layers.py``)."""
    tops = {p.parts[0] for p in paths if p.parts}
    if len(tops) == 1 and all(len(p.parts) > 1 for p in paths):
        top = tops.pop()
        if top != "assignment":
            return [PurePosixPath(*p.parts[1:]) for p in paths]
    return paths


def read_zip(path: Path, allow: AllowList) -> Submission:
    size = path.stat().st_size
    if size > MAX_ZIP_BYTES:
        raise IntakeError(f"the zip is {size} bytes; at most {MAX_ZIP_BYTES} allowed")
    data = path.read_bytes()
    sub = Submission(_printable(path.name), hashlib.sha256(data).hexdigest())
    declared = _declared_entries(data)
    if declared is not None and declared > MAX_ENTRIES:
        raise IntakeError(f"the zip has {declared} entries; at most {MAX_ENTRIES} allowed")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except UnicodeDecodeError:
        raise IntakeError("the zip has file names that are not valid UTF-8") from None
    except Exception as exc:  # a damaged directory surfaces as many types; all are refusals
        raise IntakeError(f"not a readable zip file ({type(exc).__name__}: {exc})") from None
    with archive:
        everything = archive.infolist()
        if len(everything) > MAX_ENTRIES:
            raise IntakeError(
                f"the zip has {len(everything)} entries; at most {MAX_ENTRIES} allowed"
            )
        for info in everything:
            _safe_name(info.filename)
        infos = [i for i in everything if not i.is_dir()]
        total = 0
        for info in infos:
            mode = info.external_attr >> 16
            if stat.S_ISLNK(mode):
                raise IntakeError(f"refused entry {info.filename!r}: links are not allowed")
            if info.flag_bits & 0x1:
                raise IntakeError(f"refused entry {info.filename!r}: encrypted entries")
            if info.file_size > MAX_FILE_BYTES:
                raise IntakeError(
                    f"refused entry {info.filename!r}: {info.file_size} bytes, "
                    f"over the {MAX_FILE_BYTES} byte limit per file"
                )
            if info.file_size > 2**20 and info.file_size > MAX_RATIO * max(info.compress_size, 1):
                raise IntakeError(
                    f"refused entry {info.filename!r}: suspicious compression ratio (zip bomb?)"
                )
            total += info.file_size
            if total > MAX_TOTAL_BYTES:
                raise IntakeError(f"the zip unpacks to more than {MAX_TOTAL_BYTES} bytes")
        names = _strip_wrapper([PurePosixPath(i.filename) for i in infos])
        for info, name in zip(infos, names, strict=True):
            canonical = allow.canonical(str(name))
            if canonical is None:
                sub.extra.append(str(name))
                continue
            if canonical in sub.files:
                raise IntakeError(f"refused entry {info.filename!r}: {canonical} appears twice")
            try:
                with archive.open(info) as member:
                    content = member.read(MAX_FILE_BYTES + 1)
            except Exception as exc:  # damaged data surfaces as many types; all are refusals
                raise IntakeError(f"entry {info.filename!r} is damaged ({exc})") from None
            if len(content) > MAX_FILE_BYTES:
                raise IntakeError(f"refused entry {info.filename!r}: larger than it claims")
            sub.files[canonical] = content
    _note_missing(sub, allow)
    return sub


def read_dir(path: Path, allow: AllowList) -> Submission:
    files: dict[str, Path] = {}
    for dirpath, dirnames, filenames in os.walk(path, followlinks=False):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith(".") and d != "__pycache__")
        for filename in sorted(filenames):
            full = Path(dirpath, filename)
            files[full.relative_to(path).as_posix()] = full
        if len(files) > 10 * MAX_ENTRIES:
            raise IntakeError(f"the folder has over {len(files)} files; too many for a submission")
    digest = hashlib.sha256()
    sub = Submission(_printable(path.name), "")
    names = _strip_wrapper([PurePosixPath(p) for p in files])
    for (rel, full), name in zip(files.items(), names, strict=True):
        canonical = allow.canonical(str(name))
        if canonical is None:
            sub.extra.append(_printable(str(name)))
            continue
        if canonical in sub.files:
            raise IntakeError(f"refused {_printable(rel)!r}: {canonical} appears twice")
        content = _read_regular_file(full, _printable(rel))
        digest.update(canonical.encode() + b"\0" + hashlib.sha256(content).digest())
        sub.files[canonical] = content
    sub.sha256 = digest.hexdigest()
    _note_missing(sub, allow)
    return sub


def _read_regular_file(full: Path, rel: str) -> bytes:
    """Read at most the size limit from a regular file, never through a link."""
    try:
        fd = os.open(full, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        raise IntakeError(f"refused {rel!r}: links and special files are not allowed") from None
    with os.fdopen(fd, "rb") as fh:
        if not stat.S_ISREG(os.fstat(fh.fileno()).st_mode):
            raise IntakeError(f"refused {rel!r}: links and special files are not allowed")
        content = fh.read(MAX_FILE_BYTES + 1)
    if len(content) > MAX_FILE_BYTES:
        raise IntakeError(f"refused {rel!r}: over the {MAX_FILE_BYTES} byte limit per file")
    return content


def _note_missing(sub: Submission, allow: AllowList) -> None:
    wanted = sorted(allow.code) + sorted(allow.notebooks) + [HYPERPARAMS_NAME]
    sub.missing = [p for p in wanted if p not in sub.files]
    sub.extra.sort()


def read_submission(path: Path, allow: AllowList) -> Submission:
    """A zip file or a folder; raises ``IntakeError`` with a reason for anything unreadable."""
    try:
        if path.is_dir():
            return read_dir(path, allow)
        if not path.is_file():
            raise IntakeError(f"{_printable(str(path))} does not exist")
        return read_zip(path, allow)
    except OSError as exc:  # unreadable file or folder: the submission's problem, reported
        raise IntakeError(f"could not read the submission ({exc.strerror or exc})") from None
