"""Is the repository itself consistent: generated tree in sync, example current, code clean?"""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_committed_assignment_tree_matches_what_the_generator_writes():
    run = subprocess.run(
        [sys.executable, "-m", "grader.authoring.generate", "--check"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]


@pytest.mark.parametrize("command", [["check", "."], ["format", "--check", "."]])
def test_ruff_is_clean(command):
    """``ruff check`` and ``ruff format --check`` (ruff comes with the test extra)."""
    run = subprocess.run(
        [sys.executable, "-m", "ruff", *command], cwd=ROOT, capture_output=True, text=True
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-1000:]


def test_example_submission_grades_as_partly_correct(tmp_path):
    """The README's first command: the bundled example loses points on its known mistakes."""
    from grader.engine import pipeline

    results = pipeline.grade(
        submission=ROOT / "examples" / "partial_submission.zip",
        only=["fc.affine_forward", "dropout.forward", "fc.adam", "conv.backward"],
    )
    status = {q["id"]: q["status"] for q in results["questions"]}
    assert status == {
        "fc.affine_forward": "passed",
        "dropout.forward": "partial",
        "fc.adam": "failed",
        "conv.backward": "not_implemented",
    }
