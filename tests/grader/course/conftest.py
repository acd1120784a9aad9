"""Synthetic batch output for the course tests: results documents that follow the results
schema, written where ``grade batch`` writes them, without grading anything."""

import json
from pathlib import Path

import pytest

from grader.engine import report

QUESTIONS = [
    {"id": "fc.affine_forward", "title": "Affine layer: forward", "points": 2, "kind": "output"},
    {"id": "fc.relu_forward", "title": "ReLU: forward", "points": 1, "kind": "output"},
    {"id": "fc.inline_questions", "title": "Inline questions", "points": 0, "kind": "manual"},
]
ISOLATION_MARKER = "ISOLATION-NOTE-FOR-THE-INSTRUCTOR-ONLY"


def make_doc(name: str, scores: dict[str, float], *, answer: str = "My answer.", **extra) -> dict:
    """A valid results document: ``scores`` per question id (missing ids score 0); every
    question has 2 cases, a failed one carries a message (and a hint when given)."""
    questions = []
    for q in QUESTIONS:
        if q["kind"] == "manual":
            checks = [
                {"name": "fc.inline1", "status": "answered", "message": answer},
                {"name": "fc.inline2", "status": "unanswered", "message": "no answer written"},
            ]
            questions.append(
                {
                    "id": q["id"],
                    "title": q["title"],
                    "notebook": "FullyConnectedNets",
                    "kind": "manual",
                    "score": 0.0,
                    "max_score": 0.0,
                    "status": "manual",
                    "feedback": "1 of 2 answer(s) written",
                    "seconds": 0.0,
                    "checks": checks,
                }
            )
            continue
        score = float(scores.get(q["id"], 0.0))
        passed = score >= q["points"]
        checks = [
            {"name": "case one", "status": "passed", "message": ""},
            {
                "name": "case two",
                "status": "passed" if passed else "failed",
                "message": "" if passed else extra.get("message", "relative error 3e-2 > 1e-7"),
            },
        ]
        questions.append(
            {
                "id": q["id"],
                "title": q["title"],
                "notebook": "FullyConnectedNets",
                "kind": q["kind"],
                "score": score,
                "max_score": float(q["points"]),
                "status": "passed" if passed else ("partial" if score else "failed"),
                "feedback": "all cases passed" if passed else "1 of 2 case(s) passed",
                "seconds": 0.01,
                "checks": checks,
            }
        )
    doc = {
        "schema_version": 1,
        "grader_version": "0.1.0",
        "submission": {
            "name": f"{name}.zip",
            "sha256": "0" * 64,
            "missing_files": [],
            "extra_files": [],
        },
        "status": "graded",
        "grading_seed": 0,
        "total": float(sum(q["score"] for q in questions)),
        "max_score": 3.0,
        "isolation": {"sandbox": "bubblewrap", "reduced": False, "note": ISOLATION_MARKER},
        "questions": questions,
    }
    report.validate(doc)
    return doc


def write_results(out: Path, docs: dict[str, dict]) -> dict[str, dict]:
    (out / "results").mkdir(parents=True, exist_ok=True)
    for name, doc in docs.items():
        (out / "results" / f"{name}.json").write_text(json.dumps(doc), encoding="utf-8")
    return docs


@pytest.fixture
def course_questions():
    return [dict(q) for q in QUESTIONS]
