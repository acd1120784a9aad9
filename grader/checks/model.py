"""``model``: a classifier's initialisation, scores, loss and gradients.

The model is built by the student's class, then its params are overwritten with the
reference's initial params moved by seeded noise (at the initial params every bias is zero, and
a mistake involving biases would not show), so the loss and gradients are compared at the same
point. A case may also run the numeric gradient check of the student's own loss, as the
notebooks do.

Dropout networks are random; the contract leaves the random stream to the student. A case with
``"replay_dropout": true`` records the student's own masks (what its dropout forward kept and
how it scaled them) and replays them in the reference, so the network's code is judged exactly
while the masks are the student's.
"""

from __future__ import annotations

import numpy as np

from grader.checks import compare as cmp
from grader.checks.base import (
    Case,
    CaseResult,
    Context,
    Problem,
    Unavailable,
    field_of,
    nth,
    run_cases,
)

DROPOUT_FORWARD = "layers.dropout_forward"
INLINE_DROPOUT = (
    "dropout_forward was not called, so your masks could not be replayed; "
    "this network is judged by its test mode and its numeric gradient check"
)
OTHER_MASKS = (
    "your masks are drawn differently from the reference's (which is allowed): the grader "
    "replays them, the self-check judges this network by its test mode and its numeric "
    "gradient check"
)
SEED_NOT_PASSED_HINT = (
    "The network passes its seed to every dropout layer "
    "(self.dropout_param['seed']), so that it can be gradient-checked."
)


def judge_model(case: Case) -> list[str | None] | CaseResult:
    q, spec = case.question, case.spec
    base = {
        "op": "model",
        "class": q["model"],
        "init": {**q.get("init", {}), **spec.get("init", {})},
        "global_seed": int(case.rng.integers(2**31)),
    }
    if spec.get("check") == "init":
        return _judge_init(case, base)
    call_args = case.build(spec["args"])
    call = {
        "method": spec.get("method", "loss"),
        "args": call_args,
        "kwargs": case.build(spec.get("kwargs", {})),
    }
    init_params = case.ctx.reference(base)["init_params"]
    noise = spec.get("param_noise", q.get("param_noise", 0.1))
    params = {
        name: (value + noise * case.rng.standard_normal(value.shape)).astype(value.dtype)
        for name, value in sorted(init_params.items())
    }
    req = {**base, "params": params, "calls": [call]}
    if spec.get("replay_dropout"):
        req["record"] = DROPOUT_FORWARD
    if spec.get("numeric_check"):
        req["numeric_check"] = {"args": call_args, **spec["numeric_check"]}
    value = case.ask(req)
    if spec.get("replay_dropout"):
        replay = _replay_request(case, base, value)
        if replay is None:
            return _judge_unobserved_dropout(case, base, params, call, value)
        if isinstance(replay, (str, Problem)):
            return [replay]
        try:
            want = case.ctx.reference({**base, "params": params, "calls": [call], **replay})
        except Unavailable:  # the self-check has the reference's own masks only
            return _judge_unobserved_dropout(case, base, params, call, value, OTHER_MASKS)
        recorded, replayed = len(replay["replay"]["masks"]), want["replayed"]
        if replayed["mismatch"] or replayed["calls"] != recorded:
            return [_count_message(recorded, replayed["calls"])]
    else:
        want = case.ctx.reference({**base, "params": params, "calls": [call]})
    got, expected = nth(field_of(value, "results"), 0), want["results"][0]
    if isinstance(expected, list):  # (loss, grads)
        problems = [
            cmp.compare(nth(got, 0), expected[0], "loss", case.tol),
            cmp.compare(nth(got, 1), expected[1], "grads", case.tol),
        ]
    else:
        problems = [cmp.compare(got, expected, "scores", case.tol)]
    if spec.get("numeric_check"):
        problems.append(
            numeric_consistency(field_of(value, "numeric"), spec["numeric_check"].get("tol", 1e-5))
        )
    return problems


def _replay_request(case: Case, base: dict, value) -> dict | str | Problem | None:
    """The replay of the student's recorded masks, a message when they cannot be used, or None
    when the network applied dropout without calling ``dropout_forward``."""
    calls = field_of(value, "recorded")
    if not isinstance(calls, list) or not calls:
        return None
    seed = base["init"].get("seed")
    masks = []
    for call in calls:
        x, out = field_of(call, "x"), field_of(call, "out")
        if not isinstance(x, np.ndarray) or not isinstance(out, np.ndarray) or x.shape != out.shape:
            return "dropout_forward returned an output of another shape than its input"
        if seed is not None and field_of(call, "seed") != seed:
            return Problem(
                "the dropout layers were not given the network's seed", SEED_NOT_PASSED_HINT
            )
        with np.errstate(divide="ignore", invalid="ignore"):
            masks.append(np.where(x != 0, out / np.where(x != 0, x, 1), 0.0))
    return {"replay": {"target": DROPOUT_FORWARD, "masks": masks}}


def _judge_unobserved_dropout(
    case: Case, base: dict, params: dict, call: dict, value, why: str = INLINE_DROPOUT
):
    """Masks that cannot be replayed (dropout written inline; in the self-check, masks other
    than the reference's). The case then checks what holds whatever the masks: the test-mode
    scores of the same network equal the reference's, dropout is applied at train time (the
    loss differs from the same network's without it), and, where the case asks for it, the
    gradients agree with the numeric gradient of the student's own loss."""
    scores = {
        **base,
        "params": params,
        "calls": [{"method": "loss", "args": call["args"][:1], "kwargs": {}}],
    }
    got_scores = nth(field_of(case.ask(scores), "results"), 0)
    problem = cmp.compare(
        got_scores, case.ctx.reference(scores)["results"][0], "test-mode scores", case.tol
    )
    if problem:
        return [problem]
    plain = {**base, "init": {**base["init"], "dropout": 1}, "params": params, "calls": [call]}
    without = case.ctx.reference(plain)["results"][0]
    loss = nth(nth(field_of(value, "results"), 0), 0)
    problem = cmp.compare(loss, without[0], "loss", case.tol)
    if problem is None:
        return ["the train-mode loss equals the loss without dropout: dropout is not applied"]
    if not problem.startswith("loss: relative error"):
        return [problem]
    numeric = case.spec.get("numeric_check")
    if numeric:
        problem = numeric_consistency(field_of(value, "numeric"), numeric.get("tol", 1e-5))
        if problem:
            return [problem]
    return CaseResult(case.name, "passed", why)


def _count_message(got: int, want: int) -> str:
    return (
        f"dropout was applied {got} time(s) in one forward pass; the network has {want} "
        "hidden layer(s), each followed by one dropout layer"
    )


def numeric_consistency(report, tol: float) -> str | None:
    """The student's analytic gradients against the numeric gradient of its own loss."""
    if not isinstance(report, dict) or not report:
        return "the numeric gradient check of your loss did not run"
    if all(
        not np.any(field_of(e, "numeric")) and not np.any(field_of(e, "analytic"))
        for e in report.values()
    ):
        return "numeric gradient check: your loss does not change with any parameter"
    for pname in sorted(report):
        entry = report[pname]
        numeric, analytic = field_of(entry, "numeric"), field_of(entry, "analytic")
        if not isinstance(numeric, np.ndarray) or not isinstance(analytic, np.ndarray):
            return "the numeric gradient check of your loss returned no numbers"
        if numeric.shape != analytic.shape or not np.all(np.isfinite(analytic)):
            return f"numeric gradient check of {pname}: bad gradient"
        err = cmp.relative_error(analytic, numeric)
        if err > tol:
            return (
                f"numeric gradient check of your own loss: {pname} differs from your "
                f"backward pass by {err:.1e} (tolerance {tol:.0e})"
            )
    return None


def _judge_init(case: Case, base: dict) -> CaseResult:
    want = case.ctx.reference(base)["init_params"]
    got = field_of(case.ask(base), "init_params")
    name = case.name
    if not isinstance(got, dict):
        return CaseResult(name, "failed", "self.params is not a dict of arrays")
    missing, extra = sorted(set(want) - set(got)), sorted(set(got) - set(want))
    if missing or extra:
        parts = [
            f"missing {', '.join(missing)}" if missing else "",
            f"unexpected {', '.join(extra)}" if extra else "",
        ]
        return CaseResult(name, "failed", "self.params: " + "; ".join(p for p in parts if p))
    scale = base["init"].get(case.spec.get("scale_key", "weight_scale"))
    for key in sorted(want):
        problem = _init_problem(key, got[key], want[key], scale)
        if problem:
            return CaseResult(name, "failed", problem)
    return CaseResult(name, "passed")


def _init_problem(key: str, value, want: np.ndarray, scale) -> str | None:
    if not isinstance(value, np.ndarray) or value.shape != want.shape:
        return f"{key}: expected shape {want.shape}, got {getattr(value, 'shape', None)}"
    if want.dtype != value.dtype:
        return f"{key}: expected dtype {want.dtype}, got {value.dtype}"
    if not np.all(np.isfinite(value)):
        return f"{key}: contains NaN or inf"
    if key[0] == "W" and scale and value.size >= 50:
        std = float(np.std(value))
        if not 0.7 * scale <= std <= 1.3 * scale or abs(float(np.mean(value))) > 0.3 * scale:
            return (
                f"{key}: should be drawn from a normal distribution with standard deviation {scale}"
            )
    elif key[0] != "W" and not np.array_equal(value, want):
        return f"{key}: wrong initial values"
    return None


def check_model(q: dict, ctx: Context) -> list[CaseResult]:
    """Model initialisation, scores, loss and gradients against the reference."""
    return run_cases(q, ctx, judge_model)
