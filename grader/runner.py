"""Execute grading requests against a package: the student's (in the sandbox) or the reference.

The grader sends requests such as "call ``layers.affine_forward`` with these arrays" or "build
``FullyConnectedNet`` with these params and call ``loss``". ``execute`` carries one out against a
package root (``assignment`` in the child, ``solutions`` in the trusted parent), so student and
reference run exactly the same recipe.

Run as a script, this is the child's main loop: it reads requests from one file descriptor and
answers on another, and it never decides a score. It is copied into the sandbox next to
``wire.py`` and must import nothing from the grader.
"""

import contextlib
import copy
import importlib
import inspect
import os
import sys
import traceback

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
        report.append({"coords": np.array(coords, dtype=np.int64).reshape(len(coords), -1),
                       "values": np.array(values, dtype=np.float64)})
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
    answer = {"out": out, "grads": grads, "args_after": args, "dout_after": dout,
              "cache_layout": layout}
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
    return [{k: v for k, v in p.items() if k in ("running_mean", "running_var")}
            for p in getattr(model, "bn_params", [])]


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
                calls.append({"x": np.asarray(x_before, dtype=np.float64),
                              "out": np.asarray(_first(result), dtype=np.float64),
                              "seed": seed if isinstance(seed, int) else None})
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
            stack.enter_context(_Patched(package, req["replay"]["target"],
                                         _replaying(masks, used)))
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


def op_imports(package, req):
    """Import each module of the package; how each went (the submission's problems)."""
    package_dir = os.path.dirname(importlib.import_module(package).__file__)
    outcomes = []
    for name in req["modules"]:
        try:
            importlib.import_module(f"{package}.{name}")
            outcomes.append({"status": "ok"})
        except BaseException as exc:  # noqa: BLE001 - student code may raise anything
            outcomes.append({"status": "error", **describe_exception(exc, package_dir)})
    return {"modules": outcomes}


# --- PyTorch (the framework notebook): tensors go back to the parent as numpy arrays ---------


def _torch_module(package):
    """torch with one thread (reproducible, and the sandbox counts threads), and the package's
    ``pytorch_models``. torch is imported only here: the other questions never need it."""
    import torch  # noqa: PLC0415 - an optional extra

    torch.set_num_threads(1)
    return torch, importlib.import_module(f"{package}.pytorch_models")


def _to_tensors(torch, value):
    if isinstance(value, np.ndarray):
        kind = torch.long if value.dtype.kind in "iu" else torch.float32
        return torch.as_tensor(value.copy(), dtype=kind)
    if isinstance(value, list):
        return [_to_tensors(torch, v) for v in value]
    return value


def _to_numpy(torch, value, what="the result"):
    """A tensor (or a list of them) as numpy; anything else is the student's error."""
    if isinstance(value, torch.Tensor):
        return value.detach().cpu().numpy().copy()
    if isinstance(value, (list, tuple)):
        return [_to_numpy(torch, v, what) for v in value]
    raise TypeError(f"{what} is a {type(value).__name__}, not a torch tensor")


def _tensor_facts(torch, value):
    if not isinstance(value, torch.Tensor):
        return {"tensor": 0, "type": type(value).__name__}
    return {"tensor": 1, "value": _to_numpy(torch, value), "dtype": str(value.dtype),
            "requires_grad": int(bool(value.requires_grad))}


def _assign_by_shape(torch, model, arrays):
    """Overwrite the model's parameters with ``arrays``, each matched by its shape (the
    contract fixes the shapes, not the attribute names)."""
    by_shape = {tuple(a.shape): a for a in arrays}
    with torch.no_grad():
        for name, param in model.named_parameters():
            array = by_shape.get(tuple(param.shape))
            if array is None:
                raise ValueError(f"parameter {name} has shape {tuple(param.shape)}, which no "
                                 "layer of the documented architecture has")
            param.copy_(torch.as_tensor(array, dtype=param.dtype))


def _layer_facts(model):
    """The leaf layers of a module in order: type and the settings the contract fixes."""
    facts = []
    for layer in model.modules():
        if list(layer.children()):
            continue
        fact = {"type": type(layer).__name__}
        for key in ("in_channels", "out_channels", "kernel_size", "padding", "stride",
                    "in_features", "out_features"):
            value = getattr(layer, key, None)
            if value is not None:
                fact[key] = list(value) if isinstance(value, tuple) else value
        facts.append(fact)
    return facts


def _torch_train_loop(torch, forward, step, data, num_epochs, batch_size, seed):
    """The grader's own loop (not the notebook's copy): softmax loss on shuffled minibatches."""
    import torch.nn.functional as F  # noqa: N812, PLC0415

    X = torch.as_tensor(np.asarray(data["X_train"]), dtype=torch.float32)
    y = torch.as_tensor(np.asarray(data["y_train"]), dtype=torch.long)
    losses = []
    for epoch in range(int(num_epochs)):
        order = np.random.default_rng(seed + epoch).permutation(len(X))
        for start in range(0, len(X), int(batch_size)):
            batch = torch.as_tensor(order[start : start + int(batch_size)])
            loss = F.cross_entropy(forward(X[batch]), y[batch])
            step(loss)
            losses.append(float(loss.detach()))
    return losses


def _state_arrays(torch, model):
    return [{"name": name, "value": _to_numpy(torch, value)}
            for name, value in model.state_dict().items()]


def op_torch(package, req):
    """One PyTorch request; ``action`` says which (see the branches)."""
    torch, pm = _torch_module(package)
    torch.manual_seed(req.get("torch_seed", 0))
    action = req["action"]
    if action == "call":  # a functional: flatten, three_layer_convnet
        func = getattr(pm, req["target"])
        result = func(*_to_tensors(torch, req["args"]))
        return {"result": _to_numpy(torch, result)}
    if action == "weights":  # random_weight / zero_weight on shapes, or the Part II init
        func = getattr(pm, req["target"])
        if "shapes" in req:
            return {"results": [_tensor_facts(torch, func(tuple(s))) for s in req["shapes"]]}
        made = func(*req["args"], **req.get("kwargs", {}))
        if not isinstance(made, (list, tuple)):
            raise TypeError(f"{req['target']} returned a {type(made).__name__}, not a list")
        return {"results": [_tensor_facts(torch, t) for t in made]}
    if action == "module":  # build, describe, (assign), forward
        model = getattr(pm, req["target"])(*req["args"], **req.get("kwargs", {}))
        if not isinstance(model, torch.nn.Module):
            raise TypeError(f"{req['target']} gave a {type(model).__name__}, not an nn.Module")
        answer = {
            "kind": type(model).__name__,
            "sequential": int(isinstance(model, torch.nn.Sequential)),
            "params": [{"name": n, **_tensor_facts(torch, p)} for n, p in model.named_parameters()],
            "layers": _layer_facts(model),
        }
        if "assign" in req:
            _assign_by_shape(torch, model, req["assign"])
        if "x" in req:
            model.eval()
            with torch.no_grad():
                answer["scores"] = _to_numpy(torch, model(_to_tensors(torch, req["x"])),
                                             "the forward pass's result")
        return answer
    if action == "optimizer_steps":  # the Part IV optimizer on one tensor, given gradients
        weight = torch.nn.Parameter(torch.as_tensor(req["w"].copy(), dtype=torch.float32))
        optimizer = getattr(pm, req["target"])([weight], req["learning_rate"])
        steps = []
        for dw in req["dws"]:
            optimizer.zero_grad()
            weight.grad = torch.as_tensor(dw.copy(), dtype=torch.float32)
            optimizer.step()
            steps.append(_to_numpy(torch, weight))
        return {"steps": steps}
    if action == "declare":  # Part V: the declaration, as plain data
        return {"declared": pm.challenge()}
    if action == "train":
        return _torch_train(torch, pm, req)
    raise ValueError(f"unknown torch action {action}")


def _torch_train(torch, pm, req):
    data, seed, mode = req["data"], req.get("seed", 0), req["mode"]
    if mode == "barebones":
        params = pm.three_layer_convnet_init(*req["init_args"], **req.get("init", {}))

        def step(loss):
            loss.backward()
            pm.sgd_step(params, req["learning_rate"])

        losses = _torch_train_loop(torch, lambda x: pm.three_layer_convnet(x, params), step,
                                   data, req["num_epochs"], req["batch_size"], seed)
        return {"params": _to_numpy(torch, list(params), "a parameter"), "losses": losses}
    if mode == "module":
        model = pm.ThreeLayerConvNet(*req["init_args"], **req.get("init", {}))
        optimizer = torch.optim.SGD(model.parameters(), lr=req["learning_rate"])
    else:  # the open-ended model: the declaration the parent validated
        declared = req["declared"]
        model = pm.build_challenge_model(declared["layers"], *req.get("init_args", []))
        optimizer = pm.build_optimizer(declared["optimizer"], model.parameters())
        req = {**req, "num_epochs": declared["num_epochs"], "batch_size": declared["batch_size"]}

    def step(loss):
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()

    model.train()
    losses = _torch_train_loop(torch, model, step, data, req["num_epochs"], req["batch_size"],
                               seed)
    return {"state": _state_arrays(torch, model), "losses": losses}


OPS = {
    "imports": op_imports,
    "call": op_call,
    "calls": op_calls,
    "forward_backward": op_forward_backward,
    "forward_cache": op_forward_cache,
    "backward": op_backward,
    "steps": op_steps,
    "model": op_model,
    "train_solver": op_train_solver,
    "torch": op_torch,
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
    # A syntax error in a package file is reported there, not at the line that imported it.
    frames = [] if where and where["file"] else traceback.extract_tb(exc.__traceback__)
    for frame in frames:
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

    package = "assignment"
    package_dir = os.path.join(root, package)
    # The handshake, before any student file is imported: a child that cannot get this far is
    # the grading environment's fault. It carries what confine.py applied (if it ran).
    import json  # noqa: PLC0415 - only the child loop needs it

    confinement = json.loads(os.environ.pop("SCRATCHNET_CONFINEMENT", "{}"))
    wire.write_message(out_fd, {"status": "ready", "uid": os.getuid(), "confinement": confinement})
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
