"""A broken file is said once, and only the errors that come from importing it point there."""

from grader.checks.base import failure_from
from grader.engine import problems
from grader.sandbox.child import Answer

BROKEN = frozenset({"assignment/pytorch_models.py"})


def test_an_error_raised_while_importing_points_to_the_broken_file():
    answer = Answer(
        "error",
        error={
            "type": "ImportError",
            "message": "no torch",
            "where": {"file": "assignment/pytorch_models.py", "line": 3, "function": "<module>"},
        },
    )
    result = failure_from(answer, "case", BROKEN)
    assert result.message == "not graded: pytorch_models.py does not import (see above)"


def test_an_error_that_names_no_file_of_the_package_is_not_blamed_on_a_broken_file():
    # A return value the wire refuses carries no place in the package (CI saw it blamed on
    # pytorch_models.py, which the graded question never imports).
    answer = Answer(
        "error",
        error={
            "type": "BadReturnValue",
            "where": None,
            "message": "returned something that is not plain numeric data: an object",
        },
    )
    result = failure_from(answer, "case", BROKEN)
    assert result.message.startswith("BadReturnValue: returned something that is not plain")


def test_an_error_inside_a_student_function_is_its_own():
    answer = Answer(
        "error",
        error={
            "type": "ValueError",
            "message": "shapes",
            "where": {"file": "assignment/layers.py", "line": 40, "function": "affine_forward"},
        },
    )
    assert "does not import" not in failure_from(answer, "case", BROKEN).message


def test_files_that_no_graded_question_imports_are_not_imported():
    asked = []

    def ask(request, timeout):
        asked.append(request)
        return Answer("ok", {"modules": [{"status": "ok"} for _ in request["modules"]]})

    files = {"assignment/layers.py": b"", "assignment/pytorch_models.py": b"import torch\n"}
    assert problems.import_problems(ask, files, [], unused=[problems.TORCH_FILE]) == []
    assert asked[0]["modules"] == ["layers"]
    problems.import_problems(ask, files, [])
    assert asked[1]["modules"] == ["layers", "pytorch_models"]
