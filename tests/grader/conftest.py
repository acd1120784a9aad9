"""Shared fixtures for grader tests: reference and skeleton submissions built on the fly."""

import shutil
from pathlib import Path

import pytest

from grader.authoring.reference import build_reference_submission, build_skeleton_submission


@pytest.fixture(scope="session")
def reference_submission(tmp_path_factory) -> Path:
    """The solutions' student-editable files, laid out as a student would hand them in."""
    return build_reference_submission(tmp_path_factory.mktemp("reference"))


@pytest.fixture(scope="session")
def skeleton_submission(tmp_path_factory) -> Path:
    """The untouched skeleton handed in, with declared hyperparameters but no code written."""
    return build_skeleton_submission(tmp_path_factory.mktemp("skeleton"), with_hyperparams=True)


def _strip_timing(doc):
    if isinstance(doc, dict):
        return {k: _strip_timing(v) for k, v in doc.items() if k != "seconds"}
    if isinstance(doc, list):
        return [_strip_timing(v) for v in doc]
    return doc


@pytest.fixture
def strip_timing():
    """``strip_timing(results)``: a results document without its run-to-run timing fields."""
    return _strip_timing


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


def pytest_collection_modifyitems(config, items):
    """The PyTorch questions (issue 13) need the optional extra: without torch, every test
    whose id names a ``pytorch.`` question is skipped, saying why."""
    import importlib.util

    if importlib.util.find_spec("torch") is not None:
        return
    skip = pytest.mark.skip(reason='torch is not installed (pip install -e ".[torch]")')
    for item in items:
        if "pytorch." in item.nodeid or "pytorch_" in item.nodeid:
            item.add_marker(skip)
