"""Execute grading requests against a package: the student's (in the sandbox) or the reference.

The grader sends requests such as "call ``layers.affine_forward`` with these arrays" or "build
``FullyConnectedNet`` with these params and call ``loss``". ``execute`` carries one out against a
package root (``assignment`` in the child, ``solutions`` in the trusted parent), so student and
reference run exactly the same recipe.

Run as a script, this is the child's main loop: it reads requests from one file descriptor and
answers on another, and it never decides a score. It is copied into the sandbox next to
``wire.py`` and must import nothing from the grader.
"""

import copy
import importlib
import os
import sys
import traceback

import numpy as np

PACKAGE_ENV = "SCRATCHNET_PACKAGE"


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


def op_call(package, req):
    """Call a function; return its result (or only the first element) and the args afterwards."""
    func = _resolve(package, req["target"])
    args = req.get("args", [])
    for _ in range(req.get("repeat", 1) - 1):  # e.g. several training passes of batchnorm
        func(*args, **req.get("kwargs", {}))
    result = func(*args, **req.get("kwargs", {}))
    if req.get("keep") == "first":
        result = _as_list(result)[0]
    return {"result": result, "args_after": args}


def op_calls(package, req):
    """Several independent calls in one request (e.g. the same seed twice); their results."""
    return {"results": [op_call(package, call)["result"] for call in req["calls"]]}


def op_forward_backward(package, req):
    """Run a layer's forward pass, then its backward pass on the forward's own cache."""
    forward = _resolve(package, req["forward"])
    backward = _resolve(package, req["backward"])
    args = req["args"]
    out, cache = forward(*args)
    dout = req["dout"]
    grads = backward(dout, cache)
    return {"out": out, "grads": _as_list(grads), "args_after": args, "dout_after": dout}


def op_steps(package, req):
    """Apply an update rule several times, feeding each step's config into the next."""
    rule = _resolve(package, req["target"])
    w, config = req["w"], req.get("config")
    steps = []
    for dw in req["dws"]:
        w, config = rule(w, dw, config)
        # A deep copy: a rule may update its state arrays in place, legitimately.
        steps.append({"next_w": w, "config": copy.deepcopy(config)})
    return {"steps": steps}


def _numeric_check(model, check):
    """Numeric gradient of the model's own loss at a few coordinates of each parameter."""
    rng = np.random.default_rng(check.get("seed", 0))
    h = check.get("h", 1e-6)
    args = check["args"]
    _, grads = model.loss(*args)
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
            plus, _ = model.loss(*args)
            param[ix] = old - h
            minus, _ = model.loss(*args)
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
    return [{k: v for k, v in p.items() if k in ("running_mean", "running_var")}
            for p in getattr(model, "bn_params", [])]


def op_model(package, req):
    """Build a model, optionally overwrite its params, then call its methods in order."""
    cls = _resolve(package, req["class"])
    model = cls(*req.get("init_args", []), **_model_kwargs(req.get("init", {})))
    answer = {"init_params": {k: np.asarray(v) for k, v in model.params.items()}}
    for name, value in (req.get("params") or {}).items():
        model.params[name] = value.copy()
    results = []
    for call in req.get("calls", []):
        method = getattr(model, call["method"])
        results.append(method(*call.get("args", []), **call.get("kwargs", {})))
    answer["results"] = results
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


OPS = {
    "call": op_call,
    "calls": op_calls,
    "forward_backward": op_forward_backward,
    "steps": op_steps,
    "model": op_model,
    "train_solver": op_train_solver,
}


def execute(req, package):
    """Carry out one request against ``package`` (``"assignment"`` or ``"solutions"``)."""
    np.random.seed(req.get("global_seed", 0))  # models draw their init from the global RNG
    return OPS[req["op"]](package, req)


def describe_exception(exc, package_dir):
    """Exception type, message and the deepest line of the student's package it passed through."""
    where = None
    if isinstance(exc, SyntaxError) and exc.filename:
        where = {"file": _relative(exc.filename, package_dir), "line": exc.lineno, "function": None}
    for frame in traceback.extract_tb(exc.__traceback__):
        rel = _relative(frame.filename, package_dir)
        if rel is not None:
            where = {"file": rel, "line": frame.lineno, "function": frame.name}
    return {
        "type": type(exc).__name__,
        "message": str(exc)[:500],
        "where": where if where and where["file"] else None,
    }


def _relative(filename, package_dir):
    try:
        path = os.path.realpath(filename)
    except (TypeError, ValueError):
        return None
    base = os.path.realpath(package_dir)
    if os.path.commonpath([path, base]) != base:
        return None
    return os.path.relpath(path, os.path.dirname(base))


def answer_request(req, package, package_dir):
    """Execute and package the outcome as a plain answer; never raises."""
    try:
        return {"status": "ok", "value": execute(req, package)}
    except NotImplementedError as exc:
        return {"status": "not_implemented", **describe_exception(exc, package_dir)}
    except BaseException as exc:  # student code may raise anything, SystemExit included
        return {"status": "error", **describe_exception(exc, package_dir)}


def main(argv):
    """Child loop: ``runner.py IN_FD OUT_FD ROOT`` — ROOT holds the package to grade."""
    in_fd, out_fd, root = int(argv[1]), int(argv[2]), argv[3]
    here = os.path.dirname(os.path.abspath(__file__))
    sys.path[:0] = [here, root]
    import wire  # noqa: PLC0415 - found only once ``here`` is on the path

    package = os.environ.get(PACKAGE_ENV, "assignment")
    package_dir = os.path.join(root, package)
    while True:
        try:
            req = wire.read_message(in_fd)
        except EOFError:
            return 0
        answer = answer_request(req, package, package_dir)
        try:
            wire.write_message(out_fd, answer)
        except wire.WireError as exc:
            wire.write_message(
                out_fd,
                {
                    "status": "error",
                    "type": "BadReturnValue",
                    "message": f"returned something that is not plain numeric data: {exc}",
                    "where": None,
                },
            )


if __name__ == "__main__":
    sys.exit(main(sys.argv))
