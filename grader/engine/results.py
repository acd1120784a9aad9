"""The results of grading one submission: typed records, and the one place the results document
is built and validated.

``Results.document()`` gives the native document (``results.schema.json``); the Gradescope
document (``report.to_gradescope``), the gradebook row (``course.gradebook``) and the feedback
text (``report.summary_table``, ``course.feedback``) are all derived from that document. The
three constructors say what can happen to a submission: ``graded``, ``rejected`` (its files
cannot be read: the student's to fix) and ``not_graded`` (the grading environment failed: never
a score the student earned).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Literal

import jsonschema

from grader import __version__
from grader.catalog import load_schema
from grader.checks import CaseResult
from grader.engine.score import score_question

SCHEMA_VERSION = 1
Status = Literal["graded", "rejected", "not_graded"]
QuestionStatus = Literal[
    "passed",
    "partial",
    "failed",
    "not_implemented",
    "error",
    "timeout",
    "missing",
    "manual",
    "skipped",
]


@dataclass(frozen=True)
class SubmissionInfo:
    """What was handed in."""

    name: str
    """The file or folder name of the submission."""
    sha256: str = ""
    """Hash of the allowed files' contents ("" when they could not be read)."""
    missing_files: tuple[str, ...] = ()
    """Allowed files the submission lacks (the pristine skeleton stands in for them)."""
    extra_files: tuple[str, ...] = ()
    """Files outside the allow-list, ignored."""
    problems: tuple[dict, ...] | None = None
    """Problems of the student's files, said once (``engine.problems``); None: not looked for."""

    def as_dict(self) -> dict:
        out = {
            "name": self.name,
            "sha256": self.sha256,
            "missing_files": list(self.missing_files),
            "extra_files": list(self.extra_files),
        }
        if self.problems is not None:
            out["problems"] = list(self.problems)
        return out


@dataclass(frozen=True)
class QuestionResult:
    """One question's score, status, feedback and cases."""

    question: dict
    """The catalog entry (id, title, notebook, kind, points)."""
    score: float
    """Points earned, between 0 and the question's points."""
    status: QuestionStatus
    """How the question went, as a whole."""
    feedback: str
    """One paragraph a student can act on."""
    cases: tuple[CaseResult, ...]
    """Every case, in order, with its message and hint."""
    seconds: float = 0.0
    """Time spent grading it."""

    @classmethod
    def scored(cls, q: dict, cases: list[CaseResult], seconds: float) -> QuestionResult:
        """The question as its cases score it (``engine.score``)."""
        s = score_question(q, cases)
        return cls(q, s.score, s.status, s.feedback, tuple(cases), round(seconds, 3))

    @classmethod
    def unscored(cls, q: dict, status: QuestionStatus, feedback: str, case: CaseResult):
        """0 points, for a submission that was rejected or not graded."""
        return cls(q, 0.0, status, feedback, (case,))

    def as_dict(self) -> dict:
        return {
            "id": self.question["id"],
            "title": self.question["title"],
            "notebook": self.question["notebook"],
            "kind": self.question["kind"],
            "score": self.score,
            "max_score": float(self.question["points"]),
            "status": self.status,
            "feedback": self.feedback,
            "seconds": self.seconds,
            "checks": [_check(c) for c in self.cases],
        }


@dataclass(frozen=True)
class Results:
    """Everything about one grading run of one submission."""

    submission: SubmissionInfo
    """What was handed in."""
    status: Status
    """graded, rejected (unreadable) or not_graded (the environment failed)."""
    seed: int
    """The grading seed: the same submission and seed always give the same results."""
    isolation: dict
    """What confinement the run had (``sandbox.Isolation.as_dict``): for instructors only."""
    questions: tuple[QuestionResult, ...]
    """Every graded question, in catalog order."""
    error: str | None = None
    """Why the submission was rejected or not graded."""
    grader_faults: tuple[str, ...] = field(default=())
    """Grader bugs or environment faults met on the way (a batch grades these again)."""

    def document(self) -> dict:
        """The native results document, validated against ``results.schema.json``."""
        questions = [q.as_dict() for q in self.questions]
        doc = {
            "schema_version": SCHEMA_VERSION,
            "grader_version": __version__,
            "submission": self.submission.as_dict(),
            "status": self.status,
            "grading_seed": self.seed,
            "total": round(sum(q["score"] for q in questions), 4),
            "max_score": float(sum(q["max_score"] for q in questions)),
            "isolation": self.isolation,
            "questions": questions,
        }
        if self.error is not None:
            doc["error"] = self.error
        if self.grader_faults:
            doc["grader_faults"] = list(self.grader_faults)
        validate(doc)
        return doc


def validate(document: dict) -> None:
    """Raise ``jsonschema.ValidationError`` if ``document`` does not fit the results schema."""
    jsonschema.validate(document, _schema())


def graded(
    info: SubmissionInfo,
    seed: int,
    isolation: dict,
    questions: list[QuestionResult],
    faults: list[str],
) -> dict:
    return Results(
        info, "graded", seed, isolation, tuple(questions), grader_faults=tuple(faults)
    ).document()


def rejected(
    name: str, reason: str, seed: int, catalog_questions: list[dict], isolation: dict
) -> dict:
    """The submission cannot be read (the student's to fix): every question 0, saying why."""
    feedback = f"submission refused: {reason}"
    entries = [
        QuestionResult.unscored(q, "missing", feedback, CaseResult("submission", "missing", reason))
        for q in catalog_questions
    ]
    return Results(
        SubmissionInfo(name), "rejected", seed, isolation, tuple(entries), error=reason
    ).document()


def not_graded(
    info: SubmissionInfo, reason: str, seed: int, catalog_questions: list[dict], isolation: dict
) -> dict:
    """The grading environment failed (the child could not start): every question 0, the
    reason for the instructor. Not a score the student earned."""
    feedback = "not graded: the grading environment failed (not your submission)"
    entries = [
        QuestionResult.unscored(q, "error", feedback, CaseResult("grader", "error", "not graded"))
        for q in catalog_questions
    ]
    return Results(info, "not_graded", seed, isolation, tuple(entries), error=reason).document()


def grader_failed(
    name: str, reason: str, seed: int, catalog_questions: list[dict], isolation: dict
) -> dict:
    """The grader itself failed on this submission (a worker died, an exception): every
    question 0, and ``grader_faults`` set so that a batch grades it again. Built from the
    catalog alone, so it cannot fail the way grading did."""
    feedback = f"not graded: {reason}; the instructor has been told (not your fault)"
    entries = [
        QuestionResult.unscored(q, "error", feedback, CaseResult("grader", "error", reason))
        for q in catalog_questions
    ]
    return Results(
        SubmissionInfo(name),
        "rejected",
        seed,
        isolation,
        tuple(entries),
        error=f"not graded: {reason}",
        grader_faults=(reason,),
    ).document()


def _check(case: CaseResult) -> dict:
    entry = {"name": case.name, "status": case.status, "message": case.message}
    if case.hint:
        entry["hint"] = case.hint
    return entry


@functools.lru_cache(maxsize=1)
def _schema() -> dict:
    return load_schema("results.schema.json")
