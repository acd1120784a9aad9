"""grader/errors.py: one hierarchy of errors, each kind with its exit code."""

import importlib
import inspect
import pkgutil

import grader
from grader import cli, errors
from grader.authoring.regions import MarkerError
from grader.catalog import CatalogError
from grader.engine.intake import IntakeError
from grader.sandbox.child import ChildStartError


def _grader_exception_classes():
    for info in pkgutil.walk_packages(grader.__path__, "grader."):
        if ".inside" in info.name or info.name.endswith("__main__"):
            continue  # the child's code imports nothing of the grader (its WireError included)
        module = importlib.import_module(info.name)
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, Exception) and cls.__module__ == info.name:
                yield cls


# Signals caught where they are raised, never seen by a caller: ``Stop`` ends a case early
# (checks.base), ``Unavailable`` skips a case the self-check cannot judge (checks.base),
# ``HomeFull`` stops a child that wrote too much (sandbox.child).
CONTROL_FLOW = {"Stop", "Unavailable", "HomeFull"}


def test_every_error_the_grader_defines_is_a_scratchnet_error():
    classes = [c for c in _grader_exception_classes() if c.__qualname__ not in CONTROL_FLOW]
    assert len(classes) >= 9
    assert [c.__qualname__ for c in classes if not issubclass(c, errors.ScratchnetError)] == []


def test_each_kind_keeps_the_builtin_base_its_callers_catch():
    assert issubclass(CatalogError, ValueError) and issubclass(MarkerError, ValueError)
    assert issubclass(ChildStartError, RuntimeError)


def test_exit_codes_say_whose_fault_it_is():
    assert IntakeError("x").exit_code == cli.EXIT_UNREADABLE == 1  # the student's files
    assert CatalogError("x").exit_code == cli.EXIT_GRADER_FAULT == 2  # the instructor's set-up
    assert ChildStartError("x").exit_code == 2  # the grading machine


def test_a_command_that_raises_one_says_it_in_one_line(capsys, tmp_path):
    code = cli.main(["similarity", str(tmp_path / "nowhere")])
    assert code == 2
    err = capsys.readouterr().err
    assert err.startswith("grade similarity: ") and "Traceback" not in err
