"""PyTorch questions (the framework notebook): the student's tensors come back as numpy arrays.

One kind, several ``part`` values (catalog key ``part``):

- ``functional``: ``flatten`` and ``three_layer_convnet`` on seeded tensors, against the
  reference's output;
- ``init``: ``random_weight``/``zero_weight``/``three_layer_convnet_init`` judged on their
  properties (shape, dtype, ``requires_grad``, zero biases, the Kaiming standard deviation), since
  any random stream is right;
- ``module``/``sequential``: the module's parameter shapes and initialisation, its architecture,
  and its forward pass with the reference's seeded parameters (matched by shape, so attribute
  names are free); the Part IV optimizer on given gradients;
- ``train``: Part II (barebones, the student's init and ``sgd_step``) or Part III (the
  student's Module with ``torch.optim.SGD``) trained by the grader's own loop in the sandbox;
  the learned parameters come back as arrays and the REFERENCE network measures the accuracy;
- ``challenge``: Part V, the declared model and optimizer, validated here against the budget,
  trained in the sandbox, rebuilt here by the trusted builder and measured.

torch is an optional extra. Without it on the grading machine these questions raise
``EnvironmentFault``: the pipeline reports them as not graded (the environment's fault).
"""

from __future__ import annotations

import importlib
import importlib.util
import math

import numpy as np

from grader.checks import compare as cmp
from grader.checks.base import Case, CaseResult, Context, run_cases
from grader.checks.pytorch_training import check_challenge, check_train
from grader.errors import EnvironmentFault
from grader.inside import runner

DEFAULT_TOL = 1e-5


INIT_STD_TOL = 0.12  # relative, on thousands of values: a wrong fan-in is off by 2x or more


# What the PyTorch questions import, in the parent and in the child; an optimizer's first step
# imports torch._dynamo. Seconds of work, started early in the background (``warm_up``).
TORCH_MODULES = ("torch", "torch.nn", "torch.nn.functional", "torch.optim", "torch._dynamo")


def warm_up() -> None:
    """Import ``TORCH_MODULES`` in a background thread of this process, where torch exists
    (the same background import the child's ``warm`` request starts)."""
    if importlib.util.find_spec("torch") is not None:
        runner.op_warm(None, {"modules": TORCH_MODULES})


def _torch():
    try:
        import torch  # noqa: PLC0415 - an optional extra
    except ImportError as exc:
        raise EnvironmentFault(
            'PyTorch is not installed on the grading machine (pip install -e ".[torch]")'
        ) from exc
    return torch


def _rand(rng, shape, scale=1.0):
    return (scale * rng.standard_normal(shape)).astype(np.float32)


def _convnet_params(rng, c, c1, c2, nc, h, w):
    return [
        _rand(rng, (c1, c, 5, 5), math.sqrt(2 / (c * 25))),
        _rand(rng, (c1,), 0.1),
        _rand(rng, (c2, c1, 3, 3), math.sqrt(2 / (c1 * 9))),
        _rand(rng, (c2,), 0.1),
        _rand(rng, (c2 * h * w, nc), math.sqrt(2 / (c2 * h * w))),
        _rand(rng, (nc,), 0.1),
    ]


def _compare(got, want, name, tol):
    if not isinstance(got, np.ndarray):
        return f"{name}: expected a tensor, got {type(got).__name__}"
    return cmp.compare_array(got.astype(np.float64), np.asarray(want, np.float64), name, tol)


def _judge_functional(case: Case):
    spec, rng = case.spec, case.rng
    n, c, h, w = spec["x"]
    x = _rand(rng, (n, c, h, w))
    if spec["target"] == "flatten":
        args = [x]
    else:
        c1, c2, nc = spec["channels"]
        args = [x, _convnet_params(rng, c, c1, c2, nc, h, w)]
    req = {"op": "torch", "action": "call", "target": spec["target"], "args": args}
    want = case.ctx.reference(req)["result"]
    got = case.ask(req).get("result")
    return [_compare(got, want, "output", case.tol)]


def _fan_in(shape):
    return shape[0] if len(shape) == 2 else int(np.prod(shape[1:]))


def _tensor_problems(fact, shape, name, kind):
    """Problems of one returned tensor: ``kind`` is "kaiming" or "zeros"."""
    if not isinstance(fact, dict) or not fact.get("tensor"):
        return [f"{name}: expected a torch tensor, got {(fact or {}).get('type', 'nothing')}"]
    value = fact.get("value")
    if not isinstance(value, np.ndarray) or value.shape != tuple(shape):
        got = value.shape if isinstance(value, np.ndarray) else None
        return [f"{name}: shape {got}, expected {tuple(shape)}"]
    problems = []
    if fact.get("dtype") != "torch.float32":
        problems.append(f"{name}: dtype {fact.get('dtype')}, expected torch.float32")
    if not fact.get("requires_grad"):
        problems.append(f"{name}: requires_grad is not set, so it cannot learn")
    if kind == "zeros":
        if np.any(value != 0):
            problems.append(f"{name}: expected zeros")
        return problems
    if not np.all(np.isfinite(value)):
        return problems + [f"{name}: contains NaN or inf"]
    want = math.sqrt(2.0 / _fan_in(shape))
    std, mean = float(value.std()), float(value.mean())
    if abs(std / want - 1) > INIT_STD_TOL:
        problems.append(
            f"{name}: standard deviation {std:.4g}, expected about sqrt(2 / fan_in) "
            f"= {want:.4g} (fan_in {_fan_in(shape)})"
        )
    if abs(mean) > 4 * want / math.sqrt(value.size):
        problems.append(f"{name}: mean {mean:.3g}, expected about 0")
    return problems


def _judge_init(case: Case):
    spec = case.spec
    if "shapes" in spec:
        req = {
            "op": "torch",
            "action": "weights",
            "target": spec["target"],
            "shapes": spec["shapes"],
            "torch_seed": case.ctx.seed,
        }
        facts = case.ask(req).get("results") or []
        kind = "zeros" if spec["target"] == "zero_weight" else "kaiming"
        problems = []
        for i, shape in enumerate(spec["shapes"]):
            fact = facts[i] if i < len(facts) else None
            problems += _tensor_problems(fact, shape, f"shape {tuple(shape)}", kind)
        return problems
    req = {
        "op": "torch",
        "action": "weights",
        "target": spec["target"],
        "args": spec["args"],
        "kwargs": spec.get("kwargs", {}),
        "torch_seed": case.ctx.seed,
    }
    want = case.ctx.reference(req)["results"]
    got = case.ask(req).get("results") or []
    if len(got) != len(want):
        return [f"returned {len(got)} tensors, expected {len(want)}"]
    names = ["conv_w1", "conv_b1", "conv_w2", "conv_b2", "fc_w", "fc_b"]
    problems = []
    for name, fact, ref in zip(names, got, want, strict=False):
        shape = ref["value"].shape
        problems += _tensor_problems(fact, shape, name, "zeros" if "_b" in name else "kaiming")
    return problems


def _module_req(spec, target, **extra):
    args = spec["args"]
    kwargs = {"image_size": spec["image_size"]} if "image_size" in spec else {}
    return {
        "op": "torch",
        "action": "module",
        "target": target,
        "args": args,
        "kwargs": kwargs,
        **extra,
    }


def _shapes(answer):
    return sorted(
        tuple(p["value"].shape)
        for p in answer.get("params", [])
        if isinstance(p, dict) and isinstance(p.get("value"), np.ndarray)
    )


def _judge_module(case: Case):
    spec, q = case.spec, case.question
    target = q["target"]
    probe = spec["probe"]
    req = _module_req(spec, target, torch_seed=case.ctx.seed)
    ref = case.ctx.reference(req)
    want_shapes = _shapes(ref)
    if len(set(want_shapes)) != len(want_shapes):
        raise ValueError(f"{q['id']}: the case's channel counts must give distinct shapes")
    if probe == "forward":
        n = spec.get("n", 4)
        c = spec["args"][0]
        h, w = spec.get("image_size", (8, 8))
        req["assign"] = [
            _rand(case.rng, s, 1 / math.sqrt(max(1, int(np.prod(s[1:]))))) for s in want_shapes
        ]
        req["x"] = _rand(case.rng, (n, c, h, w))
        ref = case.ctx.reference(req)
    got = case.ask(req)
    shapes = _shapes(got)
    if shapes != want_shapes:
        return [f"parameter shapes {shapes}, expected {want_shapes} (every layer with a bias)"]
    if probe == "parameters":
        return [
            None
            if all(p.get("requires_grad") for p in got["params"])
            else "a parameter does not require a gradient"
        ]
    if probe == "init":
        problems = []
        for p in got["params"]:
            shape = p["value"].shape
            kind = "zeros" if len(shape) == 1 else "kaiming"
            # nn.Linear stores (out, in): its fan_in is shape[1], like a conv's prod(shape[1:])
            fact = p if len(shape) != 2 else {**p, "value": p["value"].T}
            label = f"{p.get('name')} {shape}"
            problems += _tensor_problems(
                fact, shape[::-1] if len(shape) == 2 else shape, label, kind
            )
        return problems
    if probe == "architecture":
        return _architecture_problems(got, spec)
    return [_compare(got.get("scores"), ref["scores"], "scores", case.tol)]


def _architecture_problems(got, spec):
    if not got.get("sequential"):
        return [f"expected an nn.Sequential, got {got.get('kind')}"]
    c, c1, c2, nc = spec["args"]
    h, w = spec.get("image_size", (8, 8))
    layers = [layer for layer in got.get("layers", []) if isinstance(layer, dict)]
    learned = [layer for layer in layers if layer.get("type") in ("Conv2d", "Linear")]
    expected = [
        {
            "type": "Conv2d",
            "in_channels": c,
            "out_channels": c1,
            "kernel_size": [5, 5],
            "padding": [2, 2],
            "stride": [1, 1],
        },
        {
            "type": "Conv2d",
            "in_channels": c1,
            "out_channels": c2,
            "kernel_size": [3, 3],
            "padding": [1, 1],
            "stride": [1, 1],
        },
        {"type": "Linear", "in_features": c2 * h * w, "out_features": nc},
    ]
    if len(learned) != 3:
        return [f"{len(learned)} conv/linear layers, expected 3 (conv, conv, linear)"]
    for number, (layer, want) in enumerate(zip(learned, expected, strict=True), start=1):
        for key, value in want.items():
            if layer.get(key) != value:
                return [f"layer {number} with weights: {key} is {layer.get(key)}, expected {value}"]
    types = [layer["type"] for layer in layers]
    first, second, last = (i for i, t in enumerate(types) if t in ("Conv2d", "Linear"))
    if "ReLU" not in types[first:second] or "ReLU" not in types[second:last]:
        return ["expected a ReLU after each convolution"]
    return []


def _judge_optimizer(case: Case):
    spec, rng = case.spec, case.rng
    shape = tuple(spec["shape"])
    req = {
        "op": "torch",
        "action": "optimizer_steps",
        "target": case.question["optimizer"],
        "learning_rate": spec["learning_rate"],
        "w": _rand(rng, shape),
        "dws": [_rand(rng, shape) for _ in range(spec.get("steps", 3))],
    }
    want = case.ctx.reference(req)["steps"]
    got = case.ask(req).get("steps")
    if not isinstance(got, list) or len(got) != len(want):
        return ["the optimizer did not take every step"]
    return [
        _compare(g, v, f"weights after step {i + 1}", case.tol)
        for i, (g, v) in enumerate(zip(got, want, strict=True))
    ]


def _judge_module_case(case: Case):
    if case.spec["probe"] == "optimizer":
        return _judge_optimizer(case)
    return _judge_module(case)


def check_pytorch(q: dict, ctx: Context) -> list[CaseResult]:
    torch = _torch()
    torch.set_num_threads(1)
    pm = importlib.import_module(f"{ctx.package}.pytorch_models")  # needs torch

    part = q["part"]
    if part == "functional":
        return run_cases(q, ctx, _judge_functional)
    if part == "init":
        return run_cases(q, ctx, _judge_init)
    if part in ("module", "sequential"):
        return run_cases(q, ctx, _judge_module_case)
    if part == "train":
        return check_train(q, ctx, torch, pm)
    if part == "challenge":
        return check_challenge(q, ctx, torch, pm)
    raise ValueError(f"{q['id']}: unknown part {part}")
