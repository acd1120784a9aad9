"""The course layer of a batch: one record per student, the course gradebook, the reports.

``prepare`` reads and checks the instructor's files before anything is graded (a bad roster
costs seconds, not a graded batch); ``finish`` runs after the batch has its results and writes,
into the batch's output folder:

- ``course/<submission>.json``: a record per roster student (and per submission not on the
  roster): identity, status, raw total, and how the late penalty was computed;
- ``gradebook.csv`` (with a roster or a deadline): a row per student, the raw total, the
  penalty and the final total apart, the per-question raw scores;
- ``feedback/<submission>.html`` and ``.md``: the report each student reads;
- ``course.json``: the settings used, the missing and unknown students, warnings.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from grader.course import deadlines, feedback
from grader.course.gradebook import cell, number, state_of, write_csv
from grader.course.roster import Student, load_roster, load_times
from grader.engine import report

COURSE_DIR = "course"
COURSE_JSON = "course.json"
FEEDBACK_DIR = "feedback"
MANIFEST_NAME = "submissions.csv"


@dataclass
class CourseSettings:
    """What the instructor asked for on the command line (paths and texts, not yet read)."""

    roster: Path | None = None
    deadline: str | None = None
    extensions: Path | None = None
    late_policy: str | None = None
    hold_hidden_feedback: bool = False
    manifest: Path | None = None  # default: SUBMISSIONS_DIR/submissions.csv when present


@dataclass
class Course:
    """The settings, read and checked."""

    roster: dict[str, Student] | None = None
    deadline: datetime | None = None
    extensions: dict[str, datetime] = field(default_factory=dict)
    policy: deadlines.LatePolicy | None = None
    times: dict[str, datetime] = field(default_factory=dict)
    hold_hidden_feedback: bool = False
    sources: dict[str, str | None] = field(default_factory=dict)

    @property
    def active(self) -> bool:
        return self.roster is not None or self.deadline is not None


def prepare(settings: CourseSettings | None, submissions_dir: Path) -> Course:
    """Read the roster, extensions and manifest and parse the deadline and the policy.

    Raises CourseFileError (a ValueError) naming the file and line, or ValueError for a bad
    deadline, policy or combination of options.
    """
    settings = settings or CourseSettings()
    course = Course(hold_hidden_feedback=settings.hold_hidden_feedback)
    if settings.roster is not None:
        course.roster = load_roster(settings.roster)
    if settings.deadline:
        try:
            course.deadline = deadlines.parse_time(settings.deadline)
        except ValueError as exc:
            raise ValueError(f"--deadline: {exc}") from exc
    for option, given in (
        ("--extensions", settings.extensions),
        ("--late-policy", settings.late_policy),
        ("--hold-hidden-feedback", settings.hold_hidden_feedback),
    ):
        if given and course.deadline is None:
            raise ValueError(f"{option} needs --deadline")
    if settings.extensions is not None:
        course.extensions = load_times(settings.extensions, ("submission", "deadline"), "deadline")
    if settings.late_policy:
        try:
            course.policy = deadlines.parse_policy(settings.late_policy)
        except ValueError as exc:
            raise ValueError(f"--late-policy: {exc}") from exc
    manifest = settings.manifest
    if manifest is None and (Path(submissions_dir) / MANIFEST_NAME).is_file():
        manifest = Path(submissions_dir) / MANIFEST_NAME
    if manifest is not None:
        course.times = load_times(manifest, ("submission", "submitted_at"), "submitted_at")
    course.sources = {
        "roster": str(settings.roster) if settings.roster else None,
        "deadline": settings.deadline,
        "extensions": str(settings.extensions) if settings.extensions else None,
        "late_policy": settings.late_policy,
        "manifest": str(manifest) if manifest else None,
        "hold_hidden_feedback": settings.hold_hidden_feedback,
    }
    return course


def _record(
    sub: str,
    doc: dict | None,
    student: Student | None,
    course: Course,
    questions: list[dict],
    submitted: bool,
    now: datetime,
) -> dict:
    max_score = float(sum(q["points"] for q in questions))
    if not submitted:
        status, raw, note = "missing", 0.0, "no submission received"
    else:
        status = state_of(doc)
        raw = float(doc["total"]) if doc is not None and status != "not_graded" else 0.0
        if doc is not None:
            max_score = float(doc["max_score"])
        note = "" if doc is None else doc.get("error") or "; ".join(doc.get("grader_faults", []))
        if doc is None:
            note = "no results file (rerun the batch)"
    deadline = course.extensions.get(sub, course.deadline)
    when, time_source = None, ""
    if sub in course.times:
        when, time_source = course.times[sub], "manifest"
    elif student is not None and student.submitted_at is not None:
        when, time_source = student.submitted_at, "roster"
    late = None
    if submitted and status in ("graded", "rejected") and course.deadline is not None:
        late = deadlines.assess(
            raw=raw,
            max_score=max_score,
            submitted_at=when,
            deadline=deadline,
            policy=course.policy,
            deadline_source="extension" if sub in course.extensions else "course",
            time_source=time_source,
        )
    penalty = late["penalty"] if late else 0.0
    final: float | None = round(raw - penalty, 4)
    if status in ("not_graded", "missing") and submitted:
        final = None  # not known: the exports leave the cell blank
    held = bool(course.hold_hidden_feedback and deadline is not None and now < deadline)
    return {
        "schema_version": 1,
        "submission": sub,
        "roster": None if course.roster is None else ("listed" if student else "unknown"),
        "student": student.identity() if student else None,
        "status": status,
        "raw_total": round(raw, 4),
        "late": late,
        "penalty": penalty,
        "final_total": final,
        "max_score": max_score,
        "note": note,
        "feedback_held_until": deadline.isoformat() if held else None,
        "results": f"results/{sub}.json" if doc is not None else None,
    }


def build_records(
    docs: dict[str, dict | None],
    questions: list[dict],
    course: Course,
    now: datetime | None = None,
) -> list[dict]:
    """A record per roster student (roster order; ``missing`` without a submission), then one
    per submission not on the roster (``roster: unknown``), or one per submission without a
    roster."""
    now = now or datetime.now(timezone.utc)
    records = []
    if course.roster is not None:
        for sub, student in course.roster.items():
            records.append(
                _record(sub, docs.get(sub), student, course, questions, sub in docs, now)
            )
    for sub in sorted(docs):
        if course.roster is None or sub not in course.roster:
            records.append(_record(sub, docs[sub], None, course, questions, True, now))
    return records


GRADEBOOK_IDENTITY = ("name", "id", "sis_user_id", "sis_login_id", "section", "email")


def write_gradebook(
    records: list[dict], docs: dict[str, dict | None], questions: list[dict], path: Path
) -> None:
    """The course gradebook: a row per record; raw total, late penalty and final total in
    columns of their own, then the raw score of each question. Text cells are escaped against
    formula injection as in the batch gradebook."""
    ids = [q["id"] for q in questions]
    header = [
        "submission",
        "roster",
        *GRADEBOOK_IDENTITY,
        "status",
        "raw_total",
        "late_penalty",
        "final_total",
        "max_score",
        "submitted_at",
        "deadline",
        "late_by",
        *ids,
        "note",
    ]
    rows = []
    for rec in records:
        student = rec["student"] or {}
        late = rec["late"] or {}
        doc = docs.get(rec["submission"])
        scores = {q["id"]: q["score"] for q in doc["questions"]} if doc else {}
        note = rec["note"]
        if late.get("late") or (late and not late.get("submitted_at")):
            note = "; ".join(filter(None, [note, late["explanation"]]))
        rows.append(
            [
                cell(rec["submission"]),
                rec["roster"] or "",
                *[cell(student.get(k, "")) for k in GRADEBOOK_IDENTITY],
                rec["status"],
                number(rec["raw_total"]),
                number(rec["penalty"]),
                "" if rec["final_total"] is None else number(rec["final_total"]),
                number(rec["max_score"]),
                late.get("submitted_at") or "",
                late.get("deadline") or "",
                deadlines.describe_duration_seconds(late.get("late_seconds", 0))
                if late.get("late")
                else "",
                *[number(scores[i]) if i in scores else "" for i in ids],
                cell(note),
            ]
        )
    write_csv(path, header, rows)


def load_records(out: Path) -> list[dict]:
    """The course records a batch wrote, in gradebook order (``course.json`` keeps the order)."""
    out = Path(out)
    meta = json.loads((out / COURSE_JSON).read_text(encoding="utf-8"))
    return [
        json.loads((out / COURSE_DIR / f"{sub}.json").read_text(encoding="utf-8"))
        for sub in meta["order"]
    ]


def finish(
    *,
    out: Path,
    docs: dict[str, dict | None],
    questions: list[dict],
    course: Course,
    assignment: str = "",
    now: datetime | None = None,
) -> dict:
    """Write the records, the course gradebook (when a roster or deadline is set), the reports
    and ``course.json``; return the course summary (``text`` is the paragraph for
    summary.txt)."""
    out = Path(out)
    now = now or datetime.now(timezone.utc)
    records = build_records(docs, questions, course, now)
    (out / COURSE_DIR).mkdir(exist_ok=True)
    for old in (out / COURSE_DIR).glob("*.json"):
        old.unlink()
    for rec in records:
        report.write_json(rec, out / COURSE_DIR / f"{rec['submission']}.json")
    if course.active:
        write_gradebook(records, docs, questions, out / "gradebook.csv")
    feedback.write_reports(out / FEEDBACK_DIR, records, docs, assignment=assignment)
    missing = [r["submission"] for r in records if r["status"] == "missing"]
    unknown = [r["submission"] for r in records if r["roster"] == "unknown"]
    late = [r for r in records if r["late"] and r["late"]["late"]]
    no_time = [
        r["submission"]
        for r in records
        if r["late"] and r["late"]["submitted_at"] is None and r["late"]["deadline"]
    ]
    stray = sorted(set(course.extensions) - set(docs) - set(course.roster or {}))
    warnings = [f"extension for {s!r}, who is neither on the roster nor submitted" for s in stray]
    if no_time:
        warnings.append(
            f"no submission time for {len(no_time)} submission(s), so no late penalty: "
            + ", ".join(no_time[:10])
        )
    summary = {
        "settings": course.sources,
        "students": len(course.roster) if course.roster is not None else None,
        "missing": missing,
        "unknown": unknown,
        "late": {r["submission"]: r["penalty"] for r in late},
        "extensions": sorted(course.extensions),
        "warnings": warnings,
        "order": [r["submission"] for r in records],
        "generated_at": now.isoformat(timespec="seconds"),
    }
    report.write_json(summary, out / COURSE_JSON)
    summary["text"] = course_text(summary, course)
    return summary


def _names(items, limit: int = 10) -> str:
    items = list(items)
    shown = ", ".join(items[:limit])
    return shown + (f" and {len(items) - limit} more" if len(items) > limit else "")


def course_text(summary: dict, course: Course) -> str:
    """The course paragraph of summary.txt."""
    lines = []
    if summary["students"] is not None:
        lines.append(
            f"Course: {summary['students']} students on the roster, "
            f"{len(summary['missing'])} without a submission (missing, 0 points)"
            + (f": {_names(summary['missing'])}" if summary["missing"] else "")
        )
        if summary["unknown"]:
            lines.append(
                f"Submissions not on the roster (unknown; graded, not exported): "
                f"{_names(summary['unknown'])}"
            )
    if course.deadline is not None:
        policy = f"late policy {course.policy.text}" if course.policy else "no late policy"
        lines.append(
            f"Deadline {course.deadline.isoformat()}, {len(summary['extensions'])} "
            f"extension(s), {policy}; {len(summary['late'])} late"
            + (
                ": " + _names(f"{s} (-{number(p)})" for s, p in summary["late"].items())
                if summary["late"]
                else ""
            )
        )
    lines += [f"Warning: {w}" for w in summary["warnings"]]
    lines.append("Feedback reports for students in feedback/ (HTML and Markdown).")
    return "\n".join(lines)
