"""``gradient``: a layer's backward pass against the reference's gradients.

The backward pass is asked on the student's own forward pass (its cache layout is the
student's choice). The forward's output is graded in its own question, so here a wrong forward
is not charged again: when it differs from the reference, the backward keeps its points if it
is the exact derivative of the student's own forward (checked by central differences in the
child at a few seeded coordinates), provided that forward is not degenerate (all zeros, or an
input handed back unchanged, which any backward could "differentiate").
"""

from __future__ import annotations

import numpy as np

from grader.checks import compare as cmp
from grader.checks.base import (
    Case,
    CaseResult,
    Context,
    Problem,
    Stop,
    field_of,
    result_from,
    run_cases,
)

TIES_HINT = (
    "A window's output is one of its maxima: its gradient goes to that position only "
    "(np.argmax picks the first), not to every position equal to the maximum."
)
NUMERIC_COORDS = 12
NUMERIC_TOL = 1e-5


def judge_backward(case: Case) -> list[str | None] | CaseResult:
    q = case.question
    args = case.build(case.spec["args"])
    forward = case.ctx.reference(
        {"op": "call", "target": q["forward"], "args": args, "keep": "first"}
    )
    want_out = np.asarray(forward["result"])
    dout = case.build({"$like": "out"}, named={"out": want_out}).astype(want_out.dtype)
    req = {
        "op": "forward_backward",
        "forward": q["forward"],
        "backward": q["backward"],
        "args": args,
        "dout": dout,
    }
    want = case.ctx.reference(req)
    value = case.ask(req)
    case.check_unchanged(args, field_of(value, "args_after"))
    case.note_unchanged(dout, field_of(value, "dout_after"), "dout")
    names = q["grad_names"]
    grads = field_of(value, "grads")
    if not isinstance(grads, list) or len(grads) != len(names):
        return [f"the backward pass should return {len(names)} gradient(s): {', '.join(names)}"]
    if case.spec.get("ties"):
        return [_judge_tied_pooling(grads[0], args, dout)]
    against_reference = [
        cmp.compare(grads[i], want["grads"][i], name, case.tol) for i, name in enumerate(names)
    ]
    out = field_of(value, "out")
    if cmp.compare(out, want["out"], "forward output", case.tol) is None or not any(
        against_reference
    ):
        return against_reference
    return _judge_on_own_forward(
        case, req, out, grads, args, against_reference, field_of(value, "cache_layout")
    )


def _judge_on_own_forward(
    case, req, out, grads, args, against_reference, value_layout
) -> CaseResult:
    """The forward differs from the reference: is the backward its derivative?"""
    names = case.question["grad_names"]
    degenerate = _degenerate(out, args, np.shape(req["dout"]))
    if degenerate:
        return CaseResult(
            case.name,
            "failed",
            f"{degenerate}, so this backward pass cannot be judged (the forward pass is "
            f"graded in its own question)",
        )
    value = case.ask(
        {
            **req,
            "numeric": {
                "coords": NUMERIC_COORDS,
                "h": 1e-6,
                "seed": int(case.rng.integers(2**31)),
                "count": len(names),
            },
        }
    )
    numeric = field_of(value, "numeric")
    if not isinstance(numeric, list) or len(numeric) != len(names):
        raise Stop(result_from(against_reference, case.name))
    for name, grad, arg, entry in zip(names, grads, args, numeric, strict=False):
        if _compare_numeric(name, grad, arg, entry):
            if _right_on_the_reference_cache(case, req, value_layout):
                return CaseResult(
                    case.name,
                    "passed",
                    "your forward pass differs from the expected one (graded in its own "
                    "question); given the cache a correct forward pass stores in your layout, "
                    "this backward pass computes the right gradients",
                )
            first = next(p for p in against_reference if p)
            return CaseResult(
                case.name,
                "failed",
                f"{first}; nor is it the derivative of your own forward pass",
            )
    return CaseResult(
        case.name,
        "passed",
        "your forward pass differs from the expected one (graded in its own question); this "
        "backward pass is the correct derivative of your forward pass",
    )


def reference_cache_request(req: dict) -> dict:
    """The request for the reference's forward cache on the inputs of a ``forward_backward``
    request (asked only when the student's forward differs; the self-check records it for
    every case)."""
    return {"op": "forward_cache", "forward": req["forward"], "args": req["args"]}


def _right_on_the_reference_cache(case, req, layout) -> bool:
    """Does the backward pass give the reference's gradients when it is handed the reference's
    cache? Tried only when the student's cache has the reference's layout (containers, keys,
    arrays' dimensions and dtypes), so that the backward can read it as its own."""
    forward = case.ctx.reference(reference_cache_request(req))
    if layout is None or layout != forward["cache_layout"]:
        return False
    value = case.ask(
        {
            "op": "backward",
            "backward": case.question["backward"],
            "dout": req["dout"],
            "cache": forward["cache"],
        }
    )
    want = case.ctx.reference(req)["grads"]
    grads = field_of(value, "grads")
    return (
        isinstance(grads, list)
        and len(grads) == len(want)
        and all(
            cmp.compare(g, w, "grad", case.tol) is None for g, w in zip(grads, want, strict=True)
        )
    )


def _degenerate(out, args, out_shape) -> str | None:
    if not isinstance(out, np.ndarray) or out.shape != tuple(out_shape):
        return f"your forward output should have shape {tuple(out_shape)}"
    if not np.all(np.isfinite(out)):
        return "your forward output contains NaN or inf"
    if not np.any(out):
        return "your forward pass returns zeros"
    for arg in args:
        if isinstance(arg, np.ndarray) and arg.shape == out.shape and np.array_equal(arg, out):
            return "your forward pass returns its input unchanged"
    return None


def _compare_numeric(name, grad, arg, entry) -> str | None:
    if not isinstance(arg, np.ndarray):
        return None
    coords, numeric = field_of(entry, "coords"), field_of(entry, "values")
    if not isinstance(grad, np.ndarray) or grad.shape != arg.shape:
        return f"{name}: expected shape {arg.shape}"
    if not isinstance(coords, np.ndarray) or not isinstance(numeric, np.ndarray):
        return f"{name}: the numeric gradient could not be computed"
    if not np.any(numeric) and not np.any(grad):
        return f"{name}: zero"
    analytic = grad[tuple(coords.T)]
    if not np.all(np.isfinite(analytic)) or cmp.relative_error(analytic, numeric) > NUMERIC_TOL:
        return f"{name}: not the derivative of your forward pass"
    return None


def _judge_tied_pooling(dx, args, dout) -> str | Problem | None:
    """Max-pool backward where windows hold several equal maxima: the contract routes each
    window's gradient to its maximum and leaves the choice among tied maxima open (first one,
    or split), so judge what every valid choice shares: in each (non-overlapping) window the
    gradient lands on maxima only and adds up to the window's upstream gradient."""
    x, pool = args
    if not isinstance(dx, np.ndarray) or dx.shape != x.shape or not np.all(np.isfinite(dx)):
        return f"dx: expected a finite array of shape {x.shape}"
    ph, pw, stride = pool["pool_height"], pool["pool_width"], pool["stride"]
    for i in range(dout.shape[2]):
        for j in range(dout.shape[3]):
            rows, cols = slice(i * stride, i * stride + ph), slice(j * stride, j * stride + pw)
            window, grad = x[:, :, rows, cols], dx[:, :, rows, cols]
            is_max = window == window.max(axis=(2, 3), keepdims=True)
            if np.any(grad[~is_max] != 0):
                return "dx: a window's gradient went to a position that is not its maximum"
            if not np.allclose(grad.sum(axis=(2, 3)), dout[:, :, i, j], rtol=1e-9, atol=1e-12):
                return Problem(
                    "dx: where a window has several equal maxima, its gradient must be routed "
                    "to them once in all (to the first, or split), not copied to each",
                    TIES_HINT,
                )
    return None


def check_gradient(q: dict, ctx: Context) -> list[CaseResult]:
    """Layer backward passes against the reference (or the student's own forward)."""
    return run_cases(q, ctx, judge_backward)
