"""Shared fixtures for grader tests: reference and skeleton submissions built on the fly."""

import shutil
from pathlib import Path

import pytest

from grader import overlay, reference
from grader.intake import HYPERPARAMS_NAME
from grader.reference import build_reference_submission


@pytest.fixture(scope="session")
def reference_submission(tmp_path_factory) -> Path:
    """The solutions' student-editable files, laid out as a student would hand them in."""
    return build_reference_submission(tmp_path_factory.mktemp("reference"))


@pytest.fixture(scope="session")
def skeleton_submission(tmp_path_factory) -> Path:
    """The untouched skeleton handed in as is: every region still a stub."""
    dest = tmp_path_factory.mktemp("skeleton")
    skeleton = overlay.skeleton_dir()
    for canonical in sorted(overlay.allow_list().code):
        rel = canonical.removeprefix("assignment/")
        target = dest / "assignment" / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(skeleton / rel, target)
    # A student who declared hyperparameters but wrote no code yet.
    shutil.copy2(Path(reference.__file__).parent / "reference_hyperparams.json",
                 dest / HYPERPARAMS_NAME)
    return dest


def _mutate(submission: Path, dest: Path, relpath: str, old: str, new: str) -> Path:
    shutil.copytree(submission, dest)
    path = dest / "assignment" / relpath
    source = path.read_text()
    assert source.count(old) == 1, f"snippet not found exactly once in {relpath}: {old!r}"
    path.write_text(source.replace(old, new))
    return dest


@pytest.fixture
def mutate():
    """``mutate(submission, dest, relpath, old, new)``: a copy with one snippet replaced."""
    return _mutate
