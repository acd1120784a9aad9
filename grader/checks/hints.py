"""Name the misconception behind a failed case.

``grader/catalog/hints.json`` (validated by ``schemas/hints.schema.json``) lists known wrong
variants of the reference: each is a small edit of a file of ``solutions/`` (the mistake as students
write it) with one sentence that names it. When a case fails, the trusted parent runs the
variants listed for the question on the same request and compares their answers with the
student's: a variant that reproduces the student's answer (within the case's tolerance) and
differs from the reference gives the case its hint. The sentence never reveals the input or
the expected values.

A variant is a patched copy of the reference package, made once per process in a private
temporary folder and imported under its own name; it runs only on the grader's own inputs.
"""

from __future__ import annotations

import atexit
import functools
import hashlib
import json
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import jsonschema
import numpy as np

from grader.catalog import HERE, load_schema
from grader.checks import compare as cmp
from grader.checks.base import Case, field_of, reference_answer
from grader.errors import SetupError

HINTS_PATH = HERE / "hints.json"
SOLUTIONS_DIR = HERE.parents[1] / "solutions"
# The parts of an answer that carry the result, per request op.
ANSWER_KEYS = {
    "call": ("result", "args_after"),
    "forward_backward": ("grads",),
    "model": ("init_params", "results"),
    "steps": ("steps",),
}
# PyTorch requests (op "torch") by action: the parts of the answer a variant must reproduce.
TORCH_ANSWER_KEYS = {"call": ("result",), "module": ("scores",), "optimizer_steps": ("steps",)}


def _answer_keys(req: dict) -> tuple[str, ...]:
    if req.get("op") == "torch":
        return TORCH_ANSWER_KEYS.get(req.get("action"), ())
    return ANSWER_KEYS.get(req.get("op"), ())


class HintError(SetupError):
    """hints.json is invalid, or a variant's edit no longer applies to solutions/."""


@functools.lru_cache(maxsize=1)
def load_hints(path: Path = HINTS_PATH) -> tuple[dict, ...]:
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    try:
        jsonschema.validate(data, load_schema("hints.schema.json"))
    except jsonschema.ValidationError as exc:
        raise HintError(f"{path}: {exc.message}") from None
    return tuple(data["variants"])


def hints_for(question_id: str) -> list[dict]:
    return [v for v in load_hints() if question_id in v["questions"]]


@functools.lru_cache(maxsize=1)
def _variants_root() -> Path:
    root = Path(tempfile.mkdtemp(prefix="scratchnet-hints-"))
    atexit.register(shutil.rmtree, root, ignore_errors=True)
    sys.path.insert(0, str(root))
    return root


@functools.cache
def variant_package(variant_id: str) -> str:
    """Import name of the reference package with the variant's edits applied."""
    variant = next(v for v in load_hints() if v["id"] == variant_id)
    digest = hashlib.sha256(variant_id.encode()).hexdigest()[:12]
    name = f"scratchnet_variant_{digest}"
    target = _variants_root() / name
    ignore = shutil.ignore_patterns("__pycache__", "fixtures", "*.c")
    shutil.copytree(SOLUTIONS_DIR, target, ignore=ignore)
    for edit in variant["edits"]:
        path = target / edit["file"]
        source = path.read_text(encoding="utf-8")
        if source.count(edit["old"]) != 1:
            raise HintError(f"hint {variant_id}: the edit of {edit['file']} no longer applies")
        path.write_text(source.replace(edit["old"], edit["new"]), encoding="utf-8")
    return name


# What a variant did with a request: ("answer", its value) or ("raises", the exception's type
# name). The self-check replays recorded outcomes (``selfcheck.recording``).
Outcome = tuple[str, object]
Outcomes = Callable[[str, dict], Iterable[tuple[str, Outcome]]]


def variant_outcome(variant: dict, req: dict) -> Outcome:
    try:
        return "answer", reference_answer(req, variant_package(variant["id"]))
    except Exception as exc:  # a variant may fail on an input: that is its outcome
        return "raises", type(exc).__name__


def variant_outcomes(question_id: str, req: dict) -> Iterator[tuple[str, Outcome]]:
    """(hint, outcome) of each variant listed for the question, computed when asked for."""
    for variant in hints_for(question_id):
        yield variant["hint"], variant_outcome(variant, req)


def explainable(req: dict) -> bool:
    """Can a variant's answer to ``req`` explain a student's? (Not for a numeric check or a
    recording of the student's dropout masks, whose answers are the student's own.)"""
    return bool(_answer_keys(req)) and "numeric" not in req and not req.get("record")


def _parts(value, req: dict) -> list:
    return [field_of(value, key) for key in _answer_keys(req)]


def _same(got, want, tol: float) -> bool:
    """Equal within ``tol``, NaN and inf included (an overflow is a symptom to match too)."""
    if isinstance(want, (list, tuple)):
        return (
            isinstance(got, (list, tuple))
            and len(got) == len(want)
            and all(_same(g, w, tol) for g, w in zip(got, want, strict=True))
        )
    if isinstance(want, dict):
        return (
            isinstance(got, dict)
            and set(got) == set(want)
            and all(_same(got[k], want[k], tol) for k in want)
        )
    if isinstance(want, (np.ndarray, float, int)) and not isinstance(want, bool):
        try:
            got_a, want_a = np.asarray(got, dtype=np.float64), np.asarray(want, dtype=np.float64)
        except (TypeError, ValueError):
            return False
        if got_a.shape != want_a.shape:
            return False
        finite = np.isfinite(want_a)
        if not np.array_equal(np.isfinite(got_a), finite) or not np.array_equal(
            got_a[~finite], want_a[~finite], equal_nan=True
        ):
            return False
        return cmp.relative_error(got_a[finite], want_a[finite]) <= tol
    return got == want


def diagnose(case: Case) -> str:
    """The hint of the first variant that explains the student's answer (the same values, or
    the same exception type where the student's code raised), or ""."""
    return explain(case, variant_outcomes)


def explain(case: Case, outcomes: Outcomes) -> str:
    """``diagnose`` with the variants' outcomes taken from ``outcomes(question id, request)``."""
    if not case.exchanges:
        return ""
    req, answer = case.exchanges[0]
    if not explainable(req):
        return ""
    candidates = outcomes(case.question["id"], req)
    if answer.status == "error":
        raised = answer.error.get("type")
        return next((hint for hint, (kind, v) in candidates if (kind, v) == ("raises", raised)), "")
    if answer.status != "ok":
        return ""
    got = _parts(answer.value, req)
    if any(part is None for part in got):
        return ""
    tol = max(case.tol, 1e-9)
    reference = None
    for hint, (kind, value) in candidates:
        if kind != "answer":  # a variant that fails on this input explains nothing here
            continue
        wrong = _parts(value, req)
        if not _same(got, wrong, tol):
            continue
        if reference is None:
            reference = _parts(case.ctx.reference(req), req)
        if not _same(wrong, reference, tol):
            return hint
    return ""
