"""Evaluators for answers that have no single right output: random layers, open-ended filters.

Each evaluator builds the request for the student and judges the answer on its own terms
(keep rate, mean preserved, mask reused, filter properties), so it needs no reference value.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from grader.checks import compare as cmp
from grader.checks.base import Problem

DROP_PROBABILITY_HINT = (
    "dropout_param['p'] is the probability of KEEPING a unit; this code "
    "keeps units with probability 1 - p."
)
NOT_RESCALED_HINT = (
    "Inverted dropout scales the kept units by 1/p at training time, so that "
    "test time needs no change."
)
TEST_MODE_SCALED_HINT = (
    "With inverted dropout, test mode is the identity: the 1/p scaling "
    "already happened at training time."
)
BACKWARD_UNSCALED_HINT = (
    "The backward pass multiplies dout by the same mask as the forward pass, 1/p scaling included."
)
FRESH_MASK_HINT = (
    "The backward pass must reuse the mask the forward pass stored in the cache, "
    "not draw a new one."
)
CHANNEL_HINT = (
    "w[f, c] is what filter f applies to input channel c (0 red, 1 green, 2 blue): "
    "the first index is the output channel, the second the input channel."
)
EDGE_DIRECTION_HINT = (
    "A vertical edge is a change from left to right: a vertical-edge filter "
    "(Sobel-x) varies across the columns and is symmetric from top to bottom."
)
BLUR_NORMALISED_HINT = (
    "Divide the blur kernel by the sum of its weights, so that a flat image keeps its brightness."
)
SEED_IGNORED_HINT = (
    "When dropout_param has a 'seed', the mask must be drawn from random draws "
    "seeded with it, so that a network can be gradient-checked."
)


@dataclass(frozen=True)
class Evaluator:
    request: Callable[[dict, list, np.random.Generator], dict]
    judge: Callable[[object, dict, dict], str | Problem | None]


def _get(value, *keys):
    for key in keys:
        if isinstance(value, dict):
            value = value.get(key)
        elif isinstance(value, list) and isinstance(key, int) and len(value) > key:
            value = value[key]
        else:
            return None
    return value


def _dropout_call(q, args, rng):
    return {"op": "call", "target": q["target"], "args": args, "keep": "first"}


def _judge_dropout_train(value, req, case) -> str | None:
    x, param = req["args"]
    p = param["p"]
    out = _get(value, "result")
    if not isinstance(out, np.ndarray) or out.shape != x.shape:
        return f"output: expected an array of shape {x.shape}"
    if not np.all(np.isfinite(out)):
        return "output: contains NaN or inf"
    kept = out != 0
    rate = float(kept.mean())
    tol = case.get("rate_tol", 0.02)
    if abs(rate - p) > tol:
        return Problem(
            f"with keep probability p={p} a fraction {rate:.3f} of units was kept",
            DROP_PROBABILITY_HINT if abs(rate - (1 - p)) <= tol else "",
        )
    if not np.allclose(out[kept], x[kept] / p, rtol=1e-6, atol=0):
        unscaled = np.allclose(out[kept], x[kept], rtol=1e-6, atol=0)
        return Problem(
            "kept units should be scaled by 1/p at training time (inverted dropout)",
            NOT_RESCALED_HINT if unscaled else "",
        )
    return None


def _judge_dropout_test(value, req, case) -> str | None:
    x, param = req["args"]
    out = _get(value, "result")
    problem = cmp.compare_array(out, x, "test-mode output", 1e-12)
    if problem and cmp.compare_array(out, x * param["p"], "", 1e-9) is None:
        return Problem(problem, TEST_MODE_SCALED_HINT)
    return problem


def _dropout_backward_request(q, args, rng):
    x, param = args
    dout = rng.standard_normal(x.shape)
    return {
        "op": "forward_backward",
        "forward": q["forward"],
        "backward": q["backward"],
        "args": args,
        "dout": dout,
    }


def _judge_dropout_backward(value, req, case) -> str | None:
    """Train mode: dx is dout times the mask the student's OWN forward applied (read off its
    output), so a wrong forward is charged in its own question only; the forward must drop
    something, or any backward would pass. Test mode: dx is dout."""
    x, param = req["args"]
    out, dx = _get(value, "out"), _get(value, "grads", 0)
    if param["mode"] != "train":
        return cmp.compare_array(dx, req["dout"], "dx in test mode", 1e-12)
    if not isinstance(out, np.ndarray) or out.shape != x.shape or not np.all(np.isfinite(out)):
        return (
            f"your forward pass should return an array of shape {x.shape} "
            "(graded in its own question); this backward pass cannot be judged"
        )
    kept = out != 0
    if kept.all() or not kept.any():
        return (
            "your forward pass kept every unit or none (graded in its own question), so "
            "this backward pass cannot be judged"
        )
    mask = np.where(kept, out / np.where(kept, x, 1), 0.0)  # x has no zeros (shifted draws)
    problem = cmp.compare_array(
        dx,
        req["dout"] * mask,
        "dx (the upstream gradient times the mask of the forward pass)",
        1e-10,
    )
    if problem and isinstance(dx, np.ndarray) and dx.shape == x.shape:
        if cmp.compare_array(dx, req["dout"] * kept, "", 1e-10) is None:
            return Problem(problem, BACKWARD_UNSCALED_HINT)
        if not np.array_equal(dx != 0, kept):
            return Problem(problem, FRESH_MASK_HINT)
    return problem


def _dropout_seeds_request(q, args, rng):
    """The same seed twice, then another seed: the mask must follow the seed."""
    x, param = args
    other = {**param, "seed": param["seed"] + 1}
    calls = [
        {"target": q["target"], "args": [x, dict(p)], "keep": "first"}
        for p in (param, param, other)
    ]
    return {"op": "calls", "calls": calls}


def _judge_dropout_seeds(value, req, case) -> str | None:
    results = _get(value, "results")
    x = req["calls"][0]["args"][0]
    if (
        not isinstance(results, list)
        or len(results) != 3
        or not all(isinstance(r, np.ndarray) and r.shape == x.shape for r in results)
    ):
        return f"output: expected an array of shape {x.shape} from every call"
    first, again, other = results
    if not np.array_equal(first, again):
        return Problem("the same dropout_param['seed'] must give the same mask", SEED_IGNORED_HINT)
    if np.array_equal(first, other):
        return "a different seed should give a different mask"
    return None


def _filters_call(q, args, rng):
    return {"op": "call", "target": q["target"], "args": [], "keep": None}


def _filter(value, index):
    w = _get(value, "result", 0)
    if not isinstance(w, np.ndarray) or w.shape != (4, 3, 3, 3):
        return None, "w: expected an array of shape (4, 3, 3, 3)"
    if not np.all(np.isfinite(w)):
        return None, "w: contains NaN or inf"
    return w[index], None


def _only_channel(kernel, channel, name) -> str | None:
    others = [c for c in range(3) if c != channel]
    if np.any(kernel[others] != 0):
        return Problem(
            f"{name} should only look at the {['red', 'green', 'blue'][channel]} channel",
            CHANNEL_HINT,
        )
    if not np.any(kernel[channel]):
        return f"{name} is still all zeros"
    return None


def _judge_vertical_edges(value, req, case) -> str | None:
    kernel, problem = _filter(value, 2)
    if problem:
        return problem
    problem = _only_channel(kernel, 1, "the vertical-edge filter")
    if problem:
        return problem
    k = kernel[1]
    step_lr = np.tile([0.0, 0.0, 1.0], (3, 1))  # dark left, bright right: a vertical edge
    step_ud = step_lr.T  # a horizontal edge
    if abs(k.sum()) > 1e-9:
        return "the vertical-edge filter should give zero on a flat image (weights sum to 0)"
    if abs(float((k * step_ud).sum())) > 1e-9:
        return Problem(
            "the vertical-edge filter should not respond to horizontal edges", EDGE_DIRECTION_HINT
        )
    if abs(float((k * step_lr).sum())) < 1e-6:
        return "the vertical-edge filter does not respond to a vertical edge"
    return None


def _judge_gaussian(value, req, case) -> str | None:
    kernel, problem = _filter(value, 3)
    if problem:
        return problem
    problem = _only_channel(kernel, 0, "the smoothing filter")
    if problem:
        return problem
    k = kernel[0]
    if np.any(k < 0) or abs(k.sum() - 1) > 1e-6:
        return Problem(
            "a smoothing filter has non-negative weights that sum to 1", BLUR_NORMALISED_HINT
        )
    if not (np.allclose(k, k.T) and np.allclose(k, k[::-1]) and np.allclose(k, k[:, ::-1])):
        return "a Gaussian filter is symmetric"
    if not (k[1, 1] > k[0, 1] > k[0, 0] > 0):
        return "a Gaussian filter weighs the centre most and decays towards the corners"
    return None


EVALUATORS: dict[str, Evaluator] = {
    "dropout_train": Evaluator(_dropout_call, _judge_dropout_train),
    "dropout_test": Evaluator(_dropout_call, _judge_dropout_test),
    "dropout_backward": Evaluator(_dropout_backward_request, _judge_dropout_backward),
    "dropout_seed": Evaluator(_dropout_seeds_request, _judge_dropout_seeds),
    "vertical_edge_filter": Evaluator(_filters_call, _judge_vertical_edges),
    "gaussian_filter": Evaluator(_filters_call, _judge_gaussian),
}
