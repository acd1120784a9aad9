"""``grade export canvas|moodle|csv``: the final scores in the format an LMS imports.

Read from the course records a ``grade batch --roster ...`` wrote (``course/*.json``); a batch
without a roster can only be exported as ``csv`` (an LMS matches students by its own ids, which
only a roster supplies). Text cells are escaped against spreadsheet formula injection with the
batch gradebook's own rule; ``--bom`` writes the UTF-8 byte-order mark Excel needs to read
UTF-8. Where the facts about each format come from is in the README ("Running a course").

- ``canvas``: Canvas's gradebook import layout: ``Student``, ``ID``, ``SIS User ID``,
  ``SIS Login ID``, ``Section``, one column named for the assignment, and a second row
  ``Points Possible``. With ``into``, the scores are merged into a gradebook the instructor
  exported from Canvas: the assignment's column is filled for the students matched on Canvas's
  own ``ID`` (then ``SIS User ID``, then ``SIS Login ID``); every other cell is kept as exported.
- ``moodle``: the grade import CSV: ``Email address`` and ``ID number`` (the identity columns
  Moodle's import can map), the grade column and a feedback column.
- ``csv``: the plain gradebook with raw score, penalty and final score.

Students whose score is not known (a grader failure) get an empty cell or no row, never a 0;
submissions not on the roster cannot be matched and are listed as warnings.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from grader.course import records as course_records
from grader.course.gradebook import cell, number
from grader.errors import EXIT_UNREADABLE, SetupError
from grader.files import atomic_open

CANVAS_IDENTITY = ("Student", "ID", "SIS User ID", "SIS Login ID", "Section")
CANVAS_KEYS = {"ID": "id", "SIS User ID": "sis_user_id", "SIS Login ID": "sis_login_id"}
POINTS_POSSIBLE = "Points Possible"
DEFAULT_ASSIGNMENT = "scratchnet"


class ExportError(SetupError):
    """The export cannot be made (no course records, no roster, a bad Canvas file)."""

    exit_code = EXIT_UNREADABLE


def _load(graded: Path) -> list[dict]:
    graded = Path(graded)
    if not (graded / course_records.COURSE_JSON).is_file():
        raise ExportError(
            f"{graded} has no {course_records.COURSE_JSON}: run `grade batch` (with --roster) "
            "into it first"
        )
    try:
        return course_records.load_records(graded)
    except (OSError, ValueError, KeyError) as exc:
        raise ExportError(f"{graded}: cannot read the course records ({exc})") from exc


def _max_score(recs: list[dict]) -> float:
    scores = [r["max_score"] for r in recs if r["status"] == "graded"]
    return max(scores or [r["max_score"] for r in recs] or [0.0])


def _need_roster(recs: list[dict], what: str) -> None:
    if any(r["roster"] is None for r in recs):
        raise ExportError(
            f"a {what} export needs the students' LMS identities: grade the batch with "
            "--roster roster.csv"
        )


def _score(rec: dict) -> str:
    return "" if rec["final_total"] is None else number(rec["final_total"])


def canvas_rows(recs: list[dict], assignment: str) -> tuple[list[list[str]], list[str]]:
    """Canvas's import layout; returns (rows, warnings)."""
    _need_roster(recs, "Canvas")
    warnings = []
    rows = [[*CANVAS_IDENTITY, cell(assignment)]]
    rows.append([POINTS_POSSIBLE, "", "", "", "", number(_max_score(recs))])
    for rec in recs:
        if rec["roster"] != "listed":
            warnings.append(f"{rec['submission']}: not on the roster, not exported")
            continue
        s = rec["student"]
        if not (s["id"] or s["sis_user_id"] or s["sis_login_id"]):
            warnings.append(
                f"{rec['submission']}: no id, sis_user_id or sis_login_id in the roster; "
                "Canvas may not match this row"
            )
        if rec["final_total"] is None:
            warnings.append(f"{rec['submission']}: not graded (grader failure), cell left empty")
        rows.append(
            [
                cell(s["name"]),
                cell(s["id"]),
                cell(s["sis_user_id"]),
                cell(s["sis_login_id"]),
                cell(s["section"]),
                _score(rec),
            ]
        )
    return rows, warnings


def _assignment_column(header: list[str], assignment: str) -> int:
    """The column of ``assignment`` in a Canvas export, whose headers read ``Name (12345)``."""
    for i, name in enumerate(header):
        if name.strip() == assignment.strip():
            return i
    matches = [
        i
        for i, name in enumerate(header)
        if name.startswith(assignment.strip() + " (") and name.rstrip().endswith(")")
    ]
    if len(matches) == 1:
        return matches[0]
    listed = ", ".join(repr(h) for h in header[len(CANVAS_IDENTITY) :][:15])
    if len(matches) > 1:
        raise ExportError(f"several columns match {assignment!r}; name one exactly: {listed}")
    raise ExportError(
        f"the Canvas export has no column for the assignment {assignment!r} (create the "
        f"assignment in Canvas and export the gradebook again; columns: {listed})"
    )


def canvas_merge(
    recs: list[dict], assignment: str, canvas_file: Path
) -> tuple[list[list[str]], list[str], bool]:
    """The Canvas export with the assignment's column filled in; (rows, warnings, had_bom)."""
    _need_roster(recs, "Canvas")
    data = Path(canvas_file).read_bytes()
    had_bom = data.startswith(b"\xef\xbb\xbf")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ExportError(f"{canvas_file} line {line}: not UTF-8") from exc
    rows = list(csv.reader(io.StringIO(text, newline="")))
    if not rows or [h.strip() for h in rows[0][:2]] != ["Student", "ID"]:
        raise ExportError(
            f"{canvas_file} does not look like a Canvas gradebook export "
            "(its header should start with Student, ID)"
        )
    header = rows[0]
    col = _assignment_column(header, assignment)
    keys = {name: header.index(name) for name in CANVAS_KEYS if name in header}
    index: dict[tuple[str, str], int] = {}
    for r, row in enumerate(rows[1:], start=1):
        for name, c in keys.items():
            if c < len(row) and row[c].strip():
                index.setdefault((name, row[c].strip()), r)
    warnings, matched = [], set()
    for rec in recs:
        if rec["roster"] != "listed":
            warnings.append(f"{rec['submission']}: not on the roster, not exported")
            continue
        s = rec["student"]
        r = next(
            (
                index[name, s[key]]
                for name, key in CANVAS_KEYS.items()
                if s[key] and (name, s[key]) in index
            ),
            None,
        )
        if r is None:
            warnings.append(f"{rec['submission']}: not found in the Canvas export, not exported")
            continue
        if r in matched:
            warnings.append(f"{rec['submission']}: matches a Canvas row already filled; skipped")
            continue
        matched.add(r)
        if rec["final_total"] is None:
            warnings.append(f"{rec['submission']}: not graded (grader failure), cell left as is")
            continue
        row = rows[r]
        row.extend([""] * (col + 1 - len(row)))
        row[col] = _score(rec)
    return rows, warnings, had_bom


def moodle_rows(recs: list[dict], assignment: str) -> tuple[list[list[str]], list[str]]:
    """Moodle's grade import CSV: identity, grade and feedback columns."""
    _need_roster(recs, "Moodle")
    warnings = []
    rows = [["Full name", "Email address", "ID number", cell(assignment), "Feedback"]]
    for rec in recs:
        if rec["roster"] != "listed":
            warnings.append(f"{rec['submission']}: not on the roster, not exported")
            continue
        s = rec["student"]
        if not (s["email"] or s["sis_user_id"]):
            warnings.append(
                f"{rec['submission']}: no email or sis_user_id in the roster; Moodle cannot "
                "match this row, not exported"
            )
            continue
        if rec["final_total"] is None:
            warnings.append(f"{rec['submission']}: not graded (grader failure), not exported")
            continue
        rows.append(
            [
                cell(s["name"]),
                cell(s["email"]),
                cell(s["sis_user_id"]),
                _score(rec),
                cell(moodle_feedback(rec)),
            ]
        )
    return rows, warnings


def moodle_feedback(rec: dict) -> str:
    """One line for Moodle's feedback column (Moodle replaces the grade's feedback with it)."""
    if rec["status"] == "missing":
        return "No submission received."
    text = f"Score {number(rec['raw_total'])} of {number(rec['max_score'])}"
    if rec["late"] and rec["penalty"]:
        text += f"; late penalty -{number(rec['penalty'])}: {rec['late']['explanation']}"
    if rec["status"] == "rejected":
        text += "; the submission could not be read"
    return text + ". Details in your feedback report."


def csv_rows(recs: list[dict]) -> tuple[list[list[str]], list[str]]:
    """The plain gradebook: identity, status, raw total, penalty, final total, maximum."""
    header = [
        "submission",
        "roster",
        *course_records.GRADEBOOK_IDENTITY,
        "status",
        "raw_total",
        "late_penalty",
        "final_total",
        "max_score",
    ]
    rows = [header]
    for rec in recs:
        s = rec["student"] or {}
        rows.append(
            [
                cell(rec["submission"]),
                rec["roster"] or "",
                *[cell(s.get(k, "")) for k in course_records.GRADEBOOK_IDENTITY],
                rec["status"],
                number(rec["raw_total"]),
                number(rec["penalty"]),
                _score(rec),
                number(rec["max_score"]),
            ]
        )
    return rows, []


def export(
    kind: str,
    graded: Path,
    output: Path,
    *,
    assignment: str = DEFAULT_ASSIGNMENT,
    into: Path | None = None,
    bom: bool = False,
) -> list[str]:
    """Write the ``kind`` export of ``graded`` to ``output``; returns the warnings."""
    recs = _load(graded)
    if into is not None and kind != "canvas":
        raise ExportError("--into merges into a Canvas gradebook export: use it with canvas")
    if kind == "canvas" and into is not None:
        rows, warnings, had_bom = canvas_merge(recs, assignment, into)
        bom = bom or had_bom
    elif kind == "canvas":
        rows, warnings = canvas_rows(recs, assignment)
    elif kind == "moodle":
        rows, warnings = moodle_rows(recs, assignment)
    elif kind == "csv":
        rows, warnings = csv_rows(recs)
    else:
        raise ExportError(f"unknown export {kind!r}: canvas, moodle or csv")
    with atomic_open(output, newline="", encoding="utf-8-sig" if bom else "utf-8") as fh:
        csv.writer(fh).writerows(rows)
    return warnings
