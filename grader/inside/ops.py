"""The numpy requests the child (or the trusted parent, on the reference) carries out: calls,
forward and backward passes, update-rule steps, models and their training. Each ``op_*`` takes
the package name and the request; it imports nothing from the grader (see ``runner``).
"""

from __future__ import annotations

import contextlib
import copy
import importlib
import inspect
import sys

import numpy as np


def _resolve(package, dotted):
    module_name, _, attr = dotted.rpartition(".")
    module = importlib.import_module(f"{package}.{module_name}")
    return getattr(module, attr)


def _as_list(value):
    return list(value) if isinstance(value, (tuple, list)) else [value]


def _model_kwargs(kwargs):
    """JSON cannot carry dtypes or tuples: turn ``"float64"`` and ``input_dim`` lists back."""
    kwargs = dict(kwargs)
    if isinstance(kwargs.get("dtype"), str):
        kwargs["dtype"] = np.dtype(kwargs["dtype"]).type
    if isinstance(kwargs.get("input_dim"), list):
        kwargs["input_dim"] = tuple(kwargs["input_dim"])
    return kwargs


def _snapshot(value):
    """A copy of an answer taken when it is produced: arrays, lists, tuples and dicts are
    copied, so a later in-place update (legitimate in an update rule) cannot change it."""
    if isinstance(value, np.ndarray):
        return value.copy()
    if isinstance(value, (list, tuple)):
        return type(value)(_snapshot(v) for v in value) if type(value) in (list, tuple) else value
    if isinstance(value, dict):
        return {k: _snapshot(v) for k, v in value.items()}
    return value


def _first(result):
    return _as_list(result)[0]


def op_call(package, req):
    """Call a function; return its result (or only the first element) and the args afterwards."""
    func = _resolve(package, req["target"])
    args = req.get("args", [])
    for _ in range(req.get("repeat", 1) - 1):  # e.g. several training passes of batchnorm
        func(*args, **req.get("kwargs", {}))
    result = _snapshot(func(*args, **req.get("kwargs", {})))
    if req.get("keep") == "first":
        result = _first(result)
    return {"result": result, "args_after": args}


def op_calls(package, req):
    """Several independent calls in one request (e.g. the same seed twice); their results."""
    return {"results": [op_call(package, call)["result"] for call in req["calls"]]}


def _numeric_layer_grads(forward, args, dout, spec):
    """Central differences of ``sum(forward(*args)[0] * dout)`` with respect to the first
    ``count`` arguments, at a few seeded coordinates of each: the notebooks' gradient check."""
    rng = np.random.default_rng(spec["seed"])
    h = spec.get("h", 1e-6)
    report = []
    for position in range(spec["count"]):
        arg = args[position] if position < len(args) else None
        if not isinstance(arg, np.ndarray) or arg.dtype.kind != "f" or arg.size == 0:
            report.append(None)
            continue
        coords = [tuple(int(rng.integers(m)) for m in arg.shape) for _ in range(spec["coords"])]
        values = []
        for ix in coords:
            sides = []
            for step in (h, -h):
                moved = copy.deepcopy(args)
                moved[position][ix] += step
                sides.append(float(np.sum(np.asarray(_first(forward(*moved))) * dout)))
            values.append((sides[0] - sides[1]) / (2 * h))
        report.append(
            {
                "coords": np.array(coords, dtype=np.int64).reshape(len(coords), -1),
                "values": np.array(values, dtype=np.float64),
            }
        )
    return report


def _layout(value, depth=0):
    """The structure of a cache: containers, dict keys, arrays' dimensions and dtypes (not
    their shapes, which a wrong forward pass may get wrong); no values."""
    if depth > 5:
        return "deep"
    if isinstance(value, np.ndarray):
        return ["array", value.ndim, str(value.dtype)]
    if isinstance(value, (list, tuple)):
        return ["sequence", [_layout(v, depth + 1) for v in value]]
    if isinstance(value, dict):
        return ["dict", {str(k): _layout(v, depth + 1) for k, v in value.items()}]
    if isinstance(value, (bool, int, float, str)) or value is None:
        return type(value).__name__
    return "other"


def op_forward_cache(package, req):
    """The forward's cache itself (trusted side: the reference's cache for ``op_backward``)."""
    _, cache = _resolve(package, req["forward"])(*req["args"])
    return {"cache": cache, "cache_layout": _layout(cache)}


def op_backward(package, req):
    """A backward pass on a given cache (one laid out as the package's own forward does)."""
    grads = _resolve(package, req["backward"])(req["dout"], req["cache"])
    return {"grads": _snapshot(_as_list(grads))}


def op_forward_backward(package, req):
    """Run a layer's forward pass, then its backward pass on the forward's own cache; with
    ``numeric``, also the numeric gradient of the forward (see ``_numeric_layer_grads``)."""
    forward = _resolve(package, req["forward"])
    backward = _resolve(package, req["backward"])
    args = req["args"]
    pristine = copy.deepcopy([args, req["dout"]]) if req.get("numeric") else None
    out, cache = forward(*args)
    out = _snapshot(out)
    layout = _layout(cache)
    dout = req["dout"]
    grads = _snapshot(_as_list(backward(dout, cache)))
    answer = {
        "out": out,
        "grads": grads,
        "args_after": args,
        "dout_after": dout,
        "cache_layout": layout,
    }
    if pristine:
        answer["numeric"] = _numeric_layer_grads(forward, *pristine, req["numeric"])
    return answer


def op_steps(package, req):
    """Apply an update rule several times, feeding each step's config into the next."""
    rule = _resolve(package, req["target"])
    w, config = req["w"], req.get("config")
    steps = []
    for dw in req["dws"]:
        w, config = rule(w, dw, config)
        # Copies: a rule may update w and its state arrays in place, legitimately.
        steps.append({"next_w": _snapshot(w), "config": _snapshot(config)})
    return {"steps": steps}


def _numeric_check(model, check):
    """Numeric gradient of the model's own loss at a few coordinates of each parameter.

    The global generator is reseeded before every loss, so that a model whose random layers
    draw from ``np.random`` sees the same masks in every evaluation, as a seeded one does.
    """
    rng = np.random.default_rng(check.get("seed", 0))
    h = check.get("h", 1e-6)
    args = check["args"]

    def loss():
        np.random.seed(check.get("seed", 0))
        return model.loss(*args)

    _, grads = loss()
    grads = _snapshot(grads)
    report = {}
    for name in sorted(model.params):
        param = model.params[name]
        coords = [
            tuple(int(rng.integers(m)) for m in param.shape) for _ in range(check.get("coords", 6))
        ]
        numeric, analytic = [], []
        for ix in coords:
            old = param[ix]
            param[ix] = old + h
            plus, _ = loss()
            param[ix] = old - h
            minus, _ = loss()
            param[ix] = old
            numeric.append((plus - minus) / (2 * h))
            analytic.append(np.asarray(grads[name])[ix])
        report[name] = {
            "numeric": np.array(numeric, dtype=np.float64),
            "analytic": np.array(analytic, dtype=np.float64),
        }
    return report


def _norm_stats(model):
    """The running statistics of each normalization layer (all test-time scoring needs)."""
    return [
        {k: v for k, v in p.items() if k in ("running_mean", "running_var")}
        for p in getattr(model, "bn_params", [])
    ]


def _accepted_kwargs(method, kwargs, optional):
    """``kwargs`` plus those of ``optional`` that the method's signature accepts (a student's
    ``train`` need not take the skeleton's extra ``seed``)."""
    if not optional:
        return kwargs
    try:
        params = inspect.signature(method).parameters
    except (TypeError, ValueError):
        return kwargs
    takes_any = any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values())
    extra = {k: v for k, v in optional.items() if takes_any or k in params}
    return {**kwargs, **extra}


class _Patched:
    """Replace a function of the package everywhere it is bound (``layers.dropout_forward``
    is also a name in every module that imported it) for the duration of a request."""

    def __init__(self, package, dotted, make):
        self.original = _resolve(package, dotted)
        self.replacement = make(self.original)
        self.places = [
            (module, name)
            for module_name, module in list(sys.modules.items())
            if module is not None and (module_name + ".").startswith(package + ".")
            for name, value in list(vars(module).items())
            if value is self.original
        ]

    def __enter__(self):
        for module, name in self.places:
            setattr(module, name, self.replacement)
        return self

    def __exit__(self, *exc):
        for module, name in self.places:
            setattr(module, name, self.original)


def _recording(calls):
    """Wrap a dropout forward: record each train-mode call's input, output and seed."""

    def make(original):
        def recorded(x, dropout_param, *args, **kwargs):
            x_before = _snapshot(x)
            result = original(x, dropout_param, *args, **kwargs)
            if isinstance(dropout_param, dict) and dropout_param.get("mode") == "train":
                seed = dropout_param.get("seed")
                calls.append(
                    {
                        "x": np.asarray(x_before, dtype=np.float64),
                        "out": np.asarray(_first(result), dtype=np.float64),
                        "seed": seed if isinstance(seed, int) else None,
                    }
                )
            return result

        return recorded

    return make


def _replaying(masks, used):
    """The reference's dropout forward with the student's masks, in order (train mode only).

    Trusted side only: the cache is the reference's layout ``(dropout_param, mask)``. A mask
    that is missing or of another shape counts as a mismatch and is replaced by ones.
    """

    def make(original):
        def replayed(x, dropout_param):
            if dropout_param.get("mode") != "train":
                return original(x, dropout_param)
            index = used["calls"]
            used["calls"] += 1
            mask = masks[index] if index < len(masks) else None
            if mask is None or mask.shape != x.shape:
                used["mismatch"] = True
                mask = np.ones_like(x)
            mask = mask.astype(x.dtype)
            return x * mask, (dropout_param, mask)

        return replayed

    return make


def op_model(package, req):
    """Build a model, optionally overwrite its params, then call its methods in order.

    ``record``: the dropout forward's calls are recorded (student side); ``replay``: the
    recorded masks are used instead of fresh ones (reference side).
    """
    recorded, used = [], {"calls": 0, "mismatch": False}
    # Import the model's module first: a module imported while the patch is on would keep
    # the patched function after it is lifted.
    _resolve(package, req["class"])
    with contextlib.ExitStack() as stack:
        if req.get("record"):
            stack.enter_context(_Patched(package, req["record"], _recording(recorded)))
        if req.get("replay"):
            masks = [np.asarray(m) for m in req["replay"]["masks"]]
            stack.enter_context(_Patched(package, req["replay"]["target"], _replaying(masks, used)))
        answer = _run_model(package, req, mark=lambda: used.update(recorded=len(recorded)))
    if req.get("record"):
        answer["recorded"] = recorded[: used["recorded"]]  # the calls, not the numeric check
    if req.get("replay"):
        answer["replayed"] = {"calls": used["calls"], "mismatch": used["mismatch"]}
    return answer


def _run_model(package, req, mark=lambda: None):
    cls = _resolve(package, req["class"])
    model = cls(*req.get("init_args", []), **_model_kwargs(req.get("init", {})))
    answer = {"init_params": {k: np.array(v) for k, v in model.params.items()}}
    for name, value in (req.get("params") or {}).items():
        model.params[name] = value.copy()
    results = []
    for call in req.get("calls", []):
        method = getattr(model, call["method"])
        kwargs = _accepted_kwargs(method, call.get("kwargs", {}), call.get("optional_kwargs"))
        results.append(_snapshot(method(*call.get("args", []), **kwargs)))
    answer["results"] = results
    mark()
    if req.get("numeric_check"):
        answer["numeric"] = _numeric_check(model, req["numeric_check"])
    if req.get("return_params"):
        answer["params"] = dict(model.params)
        answer["norm_params"] = _norm_stats(model)
    return answer


def op_train_solver(package, req):
    """Train a model with the package's own Solver and optimizers; return what it learned."""
    cls = _resolve(package, req["class"])
    solver_cls = _resolve(package, "solver.Solver")
    model = cls(**_model_kwargs(req.get("init", {})))
    solver = solver_cls(model, req["data"], **req.get("solver", {}))
    solver.train()
    return {
        "params": dict(model.params),
        "norm_params": _norm_stats(model),
        "loss_history": [float(v) for v in solver.loss_history],
    }
