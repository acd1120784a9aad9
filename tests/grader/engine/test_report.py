"""grader/engine/report.py: the terminal summary and the Gradescope document, on small documents."""

from grader.engine import report


def _doc(questions, problems=()):
    return {
        "submission": {
            "name": "s",
            "sha256": "",
            "missing_files": [],
            "extra_files": [],
            "problems": list(problems),
        },
        "status": "graded",
        "total": sum(q["score"] for q in questions),
        "max_score": sum(q["max_score"] for q in questions),
        "isolation": {"sandbox": "bubblewrap", "reduced": False, "note": ""},
        "questions": questions,
    }


def _question(qid, score, status, feedback, checks, kind="output"):
    return {
        "id": qid,
        "title": qid,
        "notebook": "n",
        "kind": kind,
        "score": score,
        "max_score": 2.0,
        "status": status,
        "feedback": feedback,
        "seconds": 0.1,
        "checks": checks,
    }


LONG = "case 3: output: relative error 7.0e-01 exceeds the tolerance 1e-07. Hint: " + "z" * 150


def test_the_summary_wraps_long_feedback_instead_of_cutting_it():
    doc = _doc([_question("fc.affine_forward", 1.0, "partial", LONG, [])])
    text = report.summary_table(doc, width=80)
    assert "..." not in text
    assert "".join(line.strip() for line in text.splitlines()).count("z") == 150
    assert all(len(line) <= 80 for line in text.splitlines())


def test_details_list_every_case_and_its_hint():
    checks = [
        {"name": "case 1", "status": "passed", "message": ""},
        {"name": "case 2", "status": "failed", "message": "bad", "hint": "the hint"},
    ]
    doc = _doc([_question("fc.relu_forward", 1.0, "partial", "case 2: bad", checks)])
    assert "hint: the hint" not in report.summary_table(doc)
    detailed = report.summary_table(doc, details=True)
    assert "case 1: passed" in detailed and "case 2: failed (bad)" in detailed
    assert "hint: the hint" in detailed


def test_problems_come_first_once():
    problem = {
        "file": "assignment/layers.py",
        "line": 7,
        "severity": "error",
        "message": "syntax error: invalid syntax; the file cannot be imported",
    }
    doc = _doc([_question("fc.relu_forward", 0.0, "error", "not graded", [])], [problem])
    text = report.summary_table(doc)
    assert text.splitlines()[1] == (
        "  error: assignment/layers.py:7: syntax error: invalid syntax; the file cannot be imported"
    )
    assert text.count("syntax error") == 1
    assert "assignment/layers.py:7" in report.to_gradescope(doc)["output"]


def test_an_unanswered_inline_question_is_not_passed_on_gradescope():
    answered = {"name": "q1", "status": "answered", "message": "because"}
    unanswered = {"name": "q2", "status": "unanswered", "message": "no answer written"}
    doc = _doc(
        [
            _question("fc.inline", 0.0, "manual", "1 of 2", [answered, unanswered], kind="manual"),
            _question("bn.inline", 0.0, "manual", "1 of 1", [answered], kind="manual"),
        ]
    )
    tests = report.to_gradescope(doc)["tests"]
    assert [t["status"] for t in tests] == ["failed", "passed"]
