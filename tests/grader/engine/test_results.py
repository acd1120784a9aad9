"""grader/engine/results.py: the one place a results document is built and validated."""

import jsonschema
import pytest

from grader import catalog, sandbox
from grader.checks import CaseResult
from grader.engine import results

QUESTIONS = catalog.select(catalog.load_catalog(), ["fc.affine_forward", "fc.relu_forward"])
ISOLATION = sandbox.describe(None).as_dict()


def test_a_graded_document_adds_up_its_questions():
    passed = results.QuestionResult.scored(QUESTIONS[0], [CaseResult("a", "passed")], 0.1234)
    failed = results.QuestionResult.scored(QUESTIONS[1], [CaseResult("b", "failed", "off")], 0)
    doc = results.graded(results.SubmissionInfo("s.zip", "ab"), 7, ISOLATION, [passed, failed], [])
    assert doc["status"] == "graded" and doc["grading_seed"] == 7
    assert doc["total"] == QUESTIONS[0]["points"]
    assert doc["max_score"] == QUESTIONS[0]["points"] + QUESTIONS[1]["points"]
    assert doc["questions"][0]["seconds"] == 0.123
    assert "grader_faults" not in doc and "problems" not in doc["submission"]


@pytest.mark.parametrize(
    ("build", "status", "question_status"),
    [
        (
            lambda: results.rejected("s.zip", "not a zip", 0, QUESTIONS, ISOLATION),
            "rejected",
            "missing",
        ),
        (
            lambda: results.not_graded(
                results.SubmissionInfo("s.zip"), "no child", 0, QUESTIONS, ISOLATION
            ),
            "not_graded",
            "error",
        ),
        (
            lambda: results.grader_failed("s.zip", "worker died", 0, QUESTIONS, ISOLATION),
            "rejected",
            "error",
        ),
    ],
)
def test_a_submission_not_graded_earns_nothing_and_says_why(build, status, question_status):
    doc = build()
    assert doc["status"] == status and doc["total"] == 0
    assert doc["max_score"] == sum(q["points"] for q in QUESTIONS)
    assert {q["status"] for q in doc["questions"]} == {question_status}
    assert doc["error"]


def test_a_grader_failure_is_marked_for_the_next_run():
    doc = results.grader_failed("s.zip", "worker died", 0, QUESTIONS, ISOLATION)
    assert doc["grader_faults"] == ["worker died"]


def test_an_invalid_document_is_refused_where_it_is_built():
    bad = results.QuestionResult(QUESTIONS[0], -1.0, "failed", "x", ())
    with pytest.raises(jsonschema.ValidationError):
        results.graded(results.SubmissionInfo("s.zip"), 0, ISOLATION, [bad], [])
