"""The roster: who each submission belongs to, read from a CSV file the instructor exports.

One row per student. ``submission`` (the name of the student's zip or folder in the submissions
folder, without ``.zip``) is required; the LMS identity columns the exports need are optional:
``name``, ``id`` (the LMS's own user id, Canvas's ``ID``), ``sis_user_id``, ``sis_login_id``,
``section``, ``email``, and ``submitted_at`` (ISO 8601 with a UTC offset, from the LMS's export).

A roster that cannot be trusted is refused, never half read: a file that is not UTF-8, an
unknown column, a missing ``submission`` column, a row with too many or too few fields, an empty
or unsafe submission name, the same submission or the same id/email twice, an unreadable time.
Every refusal names the file and the line.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from grader.course import deadlines
from grader.errors import SetupError

COLUMNS = (
    "submission",
    "name",
    "id",
    "sis_user_id",
    "sis_login_id",
    "section",
    "email",
    "submitted_at",
)
# Columns whose non-empty values must be unique across the roster (one person each).
UNIQUE = ("id", "sis_user_id", "sis_login_id", "email")
IDENTITY = ("name", "id", "sis_user_id", "sis_login_id", "section", "email")


class CourseFileError(SetupError):
    """A roster, extensions or manifest file that cannot be used; the message names the line."""


@dataclass(frozen=True)
class Student:
    """One roster row. ``line`` is where it sits in the roster file (for messages)."""

    submission: str
    line: int = 0
    name: str = ""
    id: str = ""
    sis_user_id: str = ""
    sis_login_id: str = ""
    section: str = ""
    email: str = ""
    submitted_at: datetime | None = field(default=None, compare=False)

    def identity(self) -> dict[str, str]:
        return {key: getattr(self, key) for key in IDENTITY}


def read_table(
    path: Path, *, allowed: tuple[str, ...], required: tuple[str, ...]
) -> list[tuple[int, dict[str, str]]]:
    """The rows of a small CSV file as ``(line, {column: value})``, values stripped.

    Refuses, naming the line: bytes that are not UTF-8 (a BOM is fine), an empty file, a header
    with an unknown, empty or repeated column or without a required one, and a row whose number
    of fields differs from the header's. Header names are matched case-insensitively. Blank rows
    are skipped.
    """
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise CourseFileError(f"{path}: cannot read ({exc.strerror or exc})") from exc
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise CourseFileError(
            f"{path} line {line}: not UTF-8 (byte 0x{data[exc.start]:02x}); "
            "save the file as CSV UTF-8"
        ) from exc
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        raise CourseFileError(f"{path} line {line}: NUL character; not a CSV text file")
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader, None)
        if header is None:
            raise CourseFileError(f"{path}: empty file (a header line is needed)")
        columns = [h.strip().lower() for h in header]
        for name in columns:
            if not name:
                raise CourseFileError(f"{path} line 1: an empty column name")
            if name not in allowed:
                raise CourseFileError(
                    f"{path} line 1: unknown column {name!r}; the columns are " + ", ".join(allowed)
                )
            if columns.count(name) > 1:
                raise CourseFileError(f"{path} line 1: column {name!r} appears twice")
        for name in required:
            if name not in columns:
                raise CourseFileError(f"{path} line 1: the required column {name!r} is missing")
        rows = []
        for fields in reader:
            line = reader.line_num
            if not any(f.strip() for f in fields):
                continue
            if len(fields) != len(columns):
                raise CourseFileError(
                    f"{path} line {line}: {len(fields)} fields, the header has {len(columns)}"
                )
            rows.append((line, {c: f.strip() for c, f in zip(columns, fields, strict=True)}))
    except csv.Error as exc:
        raise CourseFileError(f"{path} line {reader.line_num}: malformed CSV ({exc})") from exc
    return rows


def check_submission_name(name: str, where: str) -> str:
    """A submission name as the submissions folder would hold it (``.zip`` dropped); refuses
    names that could not be a file in that folder (they also name the feedback files)."""
    if name.lower().endswith(".zip"):
        name = name[:-4]
    if not name:
        raise CourseFileError(f"{where}: empty submission name")
    if "/" in name or "\\" in name or name in (".", "..") or name.startswith("."):
        raise CourseFileError(f"{where}: {name!r} is not a submission file or folder name")
    if any(ord(ch) < 32 for ch in name):
        raise CourseFileError(f"{where}: control character in submission name {name!r}")
    return name


def load_roster(path: Path) -> dict[str, Student]:
    """The roster as ``{submission: Student}``, in file order; see the module docstring."""
    path = Path(path)
    students: dict[str, Student] = {}
    seen: dict[tuple[str, str], int] = {}
    for line, row in read_table(path, allowed=COLUMNS, required=("submission",)):
        where = f"{path} line {line}"
        sub = check_submission_name(row["submission"], where)
        if sub in students:
            raise CourseFileError(
                f"{where}: submission {sub!r} is already on line {students[sub].line}"
            )
        for key in UNIQUE:
            value = row.get(key, "")
            if not value:
                continue
            norm = value.lower() if key == "email" else value
            if (key, norm) in seen:
                raise CourseFileError(
                    f"{where}: duplicate {key} {value!r} (already on line {seen[key, norm]})"
                )
            seen[key, norm] = line
        when = None
        if row.get("submitted_at"):
            try:
                when = deadlines.parse_time(row["submitted_at"])
            except ValueError as exc:
                raise CourseFileError(f"{where}: submitted_at: {exc}") from exc
        students[sub] = Student(
            submission=sub,
            line=line,
            submitted_at=when,
            **{key: row.get(key, "") for key in IDENTITY},
        )
    return students


def load_times(path: Path, allowed: tuple[str, ...], column: str) -> dict[str, datetime]:
    """``{submission: time}`` from a two-column file (``submission`` and ``column``): the
    extensions file (``deadline``) or the submissions manifest (``submitted_at``). The same
    submission twice, or a time without a UTC offset, is refused with its line."""
    path = Path(path)
    times: dict[str, datetime] = {}
    lines: dict[str, int] = {}
    for line, row in read_table(path, allowed=allowed, required=("submission", column)):
        where = f"{path} line {line}"
        sub = check_submission_name(row["submission"], where)
        if sub in times:
            raise CourseFileError(f"{where}: submission {sub!r} is already on line {lines[sub]}")
        try:
            times[sub] = deadlines.parse_time(row[column])
        except ValueError as exc:
            raise CourseFileError(f"{where}: {column}: {exc}") from exc
        lines[sub] = line
    return times
