"""grader/selfcheck: the student's run of the grader's checks on public cases.

The self-check must pass the reference, fail the skeleton with the grader's words, flag a
mistake with the hint the grader gives, keep a correct variant at full marks, never draw the
inputs the grader draws, and say "checked only by the grader" for a case it cannot judge.
"""

import gzip
import importlib.util
import os

import numpy as np
import pytest

from grader import catalog
from grader.authoring.reference import build_working_folder
from grader.checks import KINDS, Context
from grader.checks.base import reference_answer
from grader.checks.hints import load_hints
from grader.inside import wire
from grader.sandbox.child import Answer
from grader.selfcheck import recording, run

NUMPY_SAMPLE = ["fc.affine_forward", "bn.forward", "conv.max_pool_backward", "fc.fc_net"]


@pytest.fixture(scope="session")
def public_cases():
    return recording.load_or_record()


def _check(submission, tmp_path, only, public_cases, mutate=None, edit=None):
    if edit is not None:
        submission = mutate(submission, tmp_path / "edited", *edit)
    folder = build_working_folder(submission, tmp_path / "working")
    return {q["id"]: q for q in run.self_check(folder, only, public_cases, True)["questions"]}


def test_the_reference_passes_every_public_case_with_nothing_skipped(
    reference_submission, tmp_path, public_cases
):
    only = [q["id"] for q in catalog.load_catalog()["questions"] if recording.recorded(q)]
    if importlib.util.find_spec("torch") is None:
        only = [q for q in only if not q.startswith("pytorch.")]
    questions = _check(reference_submission, tmp_path, only, public_cases)
    assert set(questions) == set(only)
    for q in questions.values():
        assert q["status"] == "passed", (q["id"], q["feedback"])
        assert all(c["status"] == "passed" and "hint" not in c for c in q["checks"]), q["id"]


def test_the_skeleton_is_told_what_to_write(skeleton_submission, tmp_path, public_cases):
    questions = _check(skeleton_submission, tmp_path, NUMPY_SAMPLE, public_cases)
    for q in questions.values():
        assert q["status"] == "not_implemented", q
        assert "not implemented yet (assignment/" in q["feedback"]


def _hint_edit(variant_id: str) -> tuple[str, str, str]:
    (edit,) = next(v["edits"] for v in load_hints() if v["id"] == variant_id)
    return edit["file"], edit["old"], edit["new"]


@pytest.mark.parametrize(
    ("question", "edit"),
    [
        (  # a mistake the hints name: the same hint comes back
            "bn.layernorm_forward",
            _hint_edit("bn.layernorm_forward:statistics-over-the-batch-axis"),
        ),
        (  # a mistake written by hand, which one of the hints names
            "fc.affine_backward",
            ("layers.py", "db = dout.sum(axis=0)", "db = dout.mean(axis=0)"),
        ),
    ],
)
def test_a_mistake_is_flagged_with_the_graders_feedback(
    question, edit, reference_submission, tmp_path, public_cases, mutate
):
    from grader.engine import pipeline

    edited = mutate(reference_submission, tmp_path / "edited", *edit)
    (graded,) = pipeline.grade(submission=edited, only=[question])["questions"]
    folder = build_working_folder(edited, tmp_path / "working")
    (checked,) = run.self_check(folder, [question], public_cases, True)["questions"]
    assert graded["status"] != "passed" and checked["status"] != "passed"
    graded_hints = {c.get("hint") for c in graded["checks"]} - {None}
    checked_hints = {c.get("hint") for c in checked["checks"]} - {None}
    assert graded_hints == checked_hints
    assert checked_hints


def test_a_correct_variant_keeps_every_public_case(
    reference_submission, tmp_path, public_cases, mutate
):
    edit = ("layers.py", "dx = dout * (x > 0)", "dx = np.where(x > 0, dout, 0)")
    questions = _check(
        reference_submission, tmp_path, ["fc.relu_backward"], public_cases, mutate, edit
    )
    assert questions["fc.relu_backward"]["status"] == "passed"


def test_masks_drawn_another_way_are_judged_without_being_replayed(
    reference_submission, tmp_path, public_cases, mutate
):
    # Dropout masks drawn with another stream: the grader replays them in the reference; the
    # recording holds the reference's own masks only, so the self-check judges the network by
    # what holds whatever the masks (test mode, dropout applied, its own numeric gradient).
    edit = (
        "layers.py",
        "mask = ((rng.random(x.shape) < p) / p).astype(x.dtype)",
        "mask = ((np.random.default_rng(rng.integers(2**31)).random(x.shape) < p) / p)"
        ".astype(x.dtype)",
    )
    questions = _check(
        reference_submission, tmp_path, ["dropout.fc_net"], public_cases, mutate, edit
    )
    q = questions["dropout.fc_net"]
    assert q["status"] == "passed", q["checks"]
    replayed = [c for c in q["checks"] if "masks replayed" in c["name"]]
    assert replayed and all("drawn differently" in c["message"] for c in replayed)


def test_a_backward_is_judged_on_its_own_forward_as_the_grader_does(
    reference_submission, tmp_path, public_cases, mutate
):
    # A wrong layernorm forward: the grader hands the backward the reference's cache (a request
    # made only when a forward is wrong; the recording has it for every case) and the backward
    # keeps its points, in the grader and in the self-check.
    edit = (
        "layers.py",
        "x_centered = x - x.mean(axis=1, keepdims=True)\n"
        "    std = np.sqrt(np.mean(x_centered**2, axis=1, keepdims=True) + eps)",
        "x_centered = x - x.mean(axis=0, keepdims=True)\n"
        "    std = np.sqrt(np.mean(x_centered**2, axis=0, keepdims=True) + eps)",
    )
    only = ["bn.layernorm_forward", "bn.layernorm_backward"]
    questions = _check(reference_submission, tmp_path, only, public_cases, mutate, edit)
    assert questions["bn.layernorm_forward"]["status"] == "failed"
    assert questions["bn.layernorm_backward"]["status"] == "passed"


def test_a_case_without_a_recorded_answer_is_skipped_not_failed(
    reference_submission, tmp_path, public_cases
):
    empty = recording.Recording(public_cases.data)
    empty._answers = {}  # as for a request built from a student's own answer
    questions = _check(reference_submission, tmp_path, ["fc.affine_forward"], empty)
    q = questions["fc.affine_forward"]
    assert q["status"] == "skipped" and q["score"] == 0
    assert all(c["status"] == "skipped" for c in q["checks"])
    assert "checked only by the grader" in q["feedback"]


def _requests(namespace: str, seed: int, questions) -> dict[str, dict]:
    """Every request the checks send to a (reference) student, by key."""
    seen = {}

    def ask(req, _remaining):
        seen[recording.request_key(req)] = req
        return Answer("ok", reference_answer(req))

    ctx = Context(seed=seed, ask_student=ask, dataset={}, namespace=namespace)
    for q in questions:
        ctx.deadline = float("inf")
        KINDS[q["kind"]](q, ctx)
    return seen


def _arrays(value) -> list[np.ndarray]:
    if isinstance(value, np.ndarray):
        return [value] if value.size > 1 else []
    if isinstance(value, dict):
        return [a for v in value.values() for a in _arrays(v)]
    if isinstance(value, list):
        return [a for v in value for a in _arrays(v)]
    return []


def test_public_inputs_never_equal_hidden_ones():
    questions = [
        q
        for q in catalog.load_catalog()["questions"]
        if recording.recorded(q) and q["kind"] != "pytorch"
    ]
    public = _requests(recording.PUBLIC_NAMESPACE, recording.PUBLIC_SEED, questions)
    public_arrays = {a.tobytes() for req in public.values() for a in _arrays(req)}
    assert len(public_arrays) > 100
    for seed in (0, 1, recording.PUBLIC_SEED):
        hidden = _requests("", seed, questions)
        shared = [public[key] for key in set(public) & set(hidden)]
        # Only a request that draws nothing (the image filters run on the sample photos) is
        # the same whatever the seed.
        assert all(not _arrays(req) for req in shared), shared
        hidden_arrays = {a.tobytes() for req in hidden.values() for a in _arrays(req)}
        assert not public_arrays & hidden_arrays


def test_a_recording_replays_what_it_recorded_and_nothing_else(public_cases):
    (q,) = catalog.select(catalog.load_catalog(), ["fc.affine_forward"])
    req = next(iter(_requests(recording.PUBLIC_NAMESPACE, recording.PUBLIC_SEED, [q]).values()))
    want = reference_answer(req)
    got = public_cases.reference(req)
    assert wire.encode(got) == wire.encode(want)
    other = {**req, "args": [a + 1 if isinstance(a, np.ndarray) else a for a in req["args"]]}
    with pytest.raises(recording.Unavailable, match="checked only by the grader"):
        public_cases.reference(other)


def test_a_stale_recording_is_recorded_again_where_the_solutions_are(tmp_path, public_cases):
    document = wire.decode(gzip.decompress(public_cases.data))
    document["fingerprint"] = "0" * 24  # made from other solutions, catalog or hints
    path = tmp_path / "public.wire.gz"
    path.write_bytes(gzip.compress(wire.encode(document)))
    current = recording.fingerprint(recording.reference_sources())
    assert recording.load_or_record(path).fingerprint == current
    assert recording.Recording.load(path).fingerprint == current


@pytest.mark.skipif(os.geteuid() != 0, reason="only root could switch users")
def test_on_a_students_machine_no_user_is_created_or_switched_to(
    reference_submission, tmp_path, public_cases
):
    folder = build_working_folder(reference_submission, tmp_path / "working")
    document = run.self_check(folder, ["fc.affine_forward"], public_cases, sandbox=False)
    (user,) = [layer for layer in document["isolation"]["layers"] if layer["name"] == "user"]
    assert not user["applied"]
    assert document["questions"][0]["status"] == "passed"
