"""The PyTorch requests (the framework notebook): tensors go back to the parent as numpy
arrays, never as pickles. torch is imported only when such a request comes.
"""

from __future__ import annotations

import importlib

import numpy as np


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
    return {
        "tensor": 1,
        "value": _to_numpy(torch, value),
        "dtype": str(value.dtype),
        "requires_grad": int(bool(value.requires_grad)),
    }


def _assign_by_shape(torch, model, arrays):
    """Overwrite the model's parameters with ``arrays``, each matched by its shape (the
    contract fixes the shapes, not the attribute names)."""
    by_shape = {tuple(a.shape): a for a in arrays}
    with torch.no_grad():
        for name, param in model.named_parameters():
            array = by_shape.get(tuple(param.shape))
            if array is None:
                raise ValueError(
                    f"parameter {name} has shape {tuple(param.shape)}, which no "
                    "layer of the documented architecture has"
                )
            param.copy_(torch.as_tensor(array, dtype=param.dtype))


def _layer_facts(model):
    """The leaf layers of a module in order: type and the settings the contract fixes."""
    facts = []
    for layer in model.modules():
        if list(layer.children()):
            continue
        fact = {"type": type(layer).__name__}
        for key in (
            "in_channels",
            "out_channels",
            "kernel_size",
            "padding",
            "stride",
            "in_features",
            "out_features",
        ):
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
    return [
        {"name": name, "value": _to_numpy(torch, value)}
        for name, value in model.state_dict().items()
    ]


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
                answer["scores"] = _to_numpy(
                    torch, model(_to_tensors(torch, req["x"])), "the forward pass's result"
                )
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

        losses = _torch_train_loop(
            torch,
            lambda x: pm.three_layer_convnet(x, params),
            step,
            data,
            req["num_epochs"],
            req["batch_size"],
            seed,
        )
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
    losses = _torch_train_loop(torch, model, step, data, req["num_epochs"], req["batch_size"], seed)
    return {"state": _state_arrays(torch, model), "losses": losses}
