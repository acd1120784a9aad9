"""The framework notebook's questions (issue 13: PyTorch): full marks for the reference, not
implemented for the skeleton, and never a student's 0 when the grading machine lacks torch."""

import importlib.util

import pytest

from grader import catalog, sandbox
from grader.checks import pytorch as torch_checks
from grader.checks import pytorch_training as torch_training
from grader.course import gradescope
from grader.engine import pipeline, report

HAS_TORCH = importlib.util.find_spec("torch") is not None
needs_torch = pytest.mark.skipif(not HAS_TORCH, reason='torch is not installed (".[torch]")')


def _framework_ids():
    return [q["id"] for q in catalog.load_catalog()["questions"] if q["notebook"] == "PyTorch"]


def test_the_framework_questions_are_worth_ten_points():
    questions = [q for q in catalog.load_catalog()["questions"] if q["notebook"] == "PyTorch"]
    assert sum(q["points"] for q in questions) == 10
    assert {q["kind"] for q in questions} == {"pytorch", "manual"}


@needs_torch
@pytest.mark.slow
def test_reference_full_marks_and_skeleton_not_implemented(
    reference_submission, skeleton_submission
):
    ref = pipeline.grade(submission=reference_submission, only=["pytorch"], seed=3)
    report.validate(ref)
    assert {q["id"]: q["status"] for q in ref["questions"]} == {
        qid: "manual" if qid.endswith("inline_questions") else "passed" for qid in _framework_ids()
    }
    assert ref["total"] == ref["max_score"] == 10
    skel = pipeline.grade(submission=skeleton_submission, only=["pytorch"])
    for q in skel["questions"]:
        if q["kind"] != "manual":
            assert q["status"] == "not_implemented", (q["id"], q["feedback"])
    assert skel["total"] == 0


@needs_torch
@pytest.mark.slow
def test_reference_full_marks_without_bubblewrap_where_the_runtime_is_unreadable(
    reference_submission, monkeypatch
):
    # As root without bubblewrap (Gradescope) the child runs as the sandbox user; where that
    # user cannot read the interpreter (here: under /root) everything torch imports lazily must
    # be imported before the switch. An optimizer's first step imports torch._dynamo.
    monkeypatch.setattr(sandbox, "find_bwrap", lambda: None)
    only = ["pytorch.sequential", "pytorch.train_module"]
    ref = pipeline.grade(submission=reference_submission, only=only)
    assert [q["status"] for q in ref["questions"]] == ["passed", "passed"], ref["questions"]


def test_without_torch_the_framework_questions_are_not_graded_and_the_rest_is(
    reference_submission, monkeypatch
):
    def missing():
        raise torch_checks.EnvironmentFault("PyTorch is not installed on the grading machine")

    monkeypatch.setattr(torch_checks, "_torch", missing)
    results = pipeline.grade(
        submission=reference_submission,
        only=["fc.relu_forward", "pytorch.init", "pytorch.challenge"],
    )
    report.validate(results)
    by_id = {q["id"]: q for q in results["questions"]}
    assert by_id["fc.relu_forward"]["status"] == "passed"
    for qid in ("pytorch.init", "pytorch.challenge"):
        assert by_id[qid]["status"] == "error"
        assert "not graded: PyTorch is not installed" in by_id[qid]["feedback"]
        assert "not your submission" in by_id[qid]["feedback"]
    assert len(results["grader_faults"]) == 2


def test_gradescope_setup_installs_torch_only_for_framework_questions():
    questions = catalog.load_catalog()["questions"]
    numpy_only = [q for q in questions if q["notebook"] != "PyTorch"]
    assert gradescope.TORCH_REQUIREMENT in gradescope.setup_script(questions)
    assert "download.pytorch.org/whl/cpu" in gradescope.setup_script(questions)
    assert "torch" not in gradescope.setup_script(numpy_only)


@needs_torch
@pytest.mark.parametrize(
    "layers, problem",
    [
        ([["linear", 10**9], ["linear", 10]], "more than the budget"),
        ([["conv", 10**12, 3], ["linear", 10]], "more than the budget"),
        ([["conv", 8, 3], ["linear", 11]], "expected (10,)"),
        ([["conv", 8, 3], ["maxpool", 16], ["linear", 10]], "shrank to nothing"),
        ([["softmax"], ["linear", 10]], "not valid"),
        ([["relu"]] * 100, "at most"),
    ],
)
def test_a_part_v_declaration_outside_the_contract_is_refused_before_training(layers, problem):
    import torch

    from solutions import pytorch_models as pm

    (q,) = [q for q in catalog.load_catalog()["questions"] if q["id"] == "pytorch.challenge"]
    declared = {
        "layers": layers,
        "optimizer": {"name": "sgd", "lr": 0.1},
        "num_epochs": 1,
        "batch_size": 8,
    }
    found, model = torch_training._validate_declared(declared, q, torch, pm)
    assert model is None and problem in found
    assert torch_training._validate_declared(pm.challenge(), q, torch, pm)[0] is None
