"""PyTorch questions that train: Parts II and III trained on the grader's run, and the
open-ended challenge (Part V) retrained from its declaration within its budget. Learned
parameters come back as plain arrays, never pickles.
"""

from __future__ import annotations

import numpy as np

from grader.checks.base import CaseResult, Context, failure_from

MAX_LAYERS = 64  # Part V declarations


def _training_data(ctx: Context, q: dict) -> dict:
    n = q.get("num_train")
    return {
        "X_train": ctx.dataset["X_train"][:n].astype(np.float32),
        "y_train": ctx.dataset["y_train"][:n].astype(np.int64),
    }


def _accuracy(torch, forward, X, y) -> float:
    with torch.no_grad():
        scores = forward(torch.as_tensor(np.array(X), dtype=torch.float32))
    return float(np.mean(scores.argmax(dim=1).numpy() == y))


def _bars(q, ctx, torch, forward) -> list[CaseResult]:
    results = []
    for split, bar in sorted(q.get("bars", {}).items()):
        acc = _accuracy(torch, forward, ctx.dataset[f"X_{split}"], ctx.dataset[f"y_{split}"])
        ok = acc >= bar
        results.append(
            CaseResult(
                f"{split} accuracy {acc:.3f} (bar {bar:.2f})",
                "passed" if ok else "failed",
                "" if ok else f"{split} accuracy {acc:.3f} is below the bar {bar:.2f}",
            )
        )
    for split in q.get("report", []):
        acc = _accuracy(torch, forward, ctx.dataset[f"X_{split}"], ctx.dataset[f"y_{split}"])
        results.append(CaseResult(f"{split} accuracy {acc:.3f} (reported, not scored)", "info"))
    return results


def _finite(arrays) -> str | None:
    for array in arrays:
        if not isinstance(array, np.ndarray) or array.dtype.kind not in "fiu":
            return "training returned something that is not a parameter array"
        if not np.all(np.isfinite(array)):
            return "a learned parameter contains NaN or inf (did training diverge?)"
    return None


def check_train(q: dict, ctx: Context, torch, pm) -> list[CaseResult]:
    name = "training run"
    req = {
        "op": "torch",
        "action": "train",
        "mode": q["mode"],
        "data": _training_data(ctx, q),
        "init_args": q["init_args"],
        "init": q.get("init", {}),
        "seed": ctx.seed,
        "torch_seed": ctx.seed,
        **q["solver"],
    }
    answer = ctx.ask(req)
    failure = failure_from(answer, name, ctx.broken_files)
    if failure:
        return [failure]
    value = answer.value if isinstance(answer.value, dict) else {}
    torch.manual_seed(0)
    if q["mode"] == "barebones":
        ref = pm.three_layer_convnet_init(*q["init_args"], **q.get("init", {}))
        got = value.get("params")
        if not isinstance(got, list) or len(got) != len(ref):
            return [CaseResult(name, "failed", "training returned no parameters")]
        for i, (g, r) in enumerate(zip(got, ref, strict=True)):
            if not isinstance(g, np.ndarray) or g.shape != tuple(r.shape):
                return [
                    CaseResult(
                        name,
                        "failed",
                        f"learned parameter {i + 1}: expected shape {tuple(r.shape)}",
                    )
                ]
        problem = _finite(got)
        if problem:
            return [CaseResult(name, "failed", problem)]
        params = [torch.as_tensor(g, dtype=torch.float32) for g in got]
        return _bars(q, ctx, torch, lambda x: pm.three_layer_convnet(x, params))
    model = pm.ThreeLayerConvNet(*q["init_args"], **q.get("init", {}))
    state = [s.get("value") for s in value.get("state") or [] if isinstance(s, dict)]
    problem = _finite(state) or _load_by_shape(torch, model, state)
    if problem:
        return [CaseResult(name, "failed", problem)]
    model.eval()
    return _bars(q, ctx, torch, model)


def _load_by_shape(torch, model, arrays) -> str | None:
    by_shape = {tuple(a.shape): a for a in arrays}
    if len(by_shape) != len(arrays) or len(arrays) != len(list(model.parameters())):
        return (
            f"training returned {len(arrays)} parameter arrays, expected "
            f"{len(list(model.parameters()))} of the documented shapes"
        )
    with torch.no_grad():
        for param in model.parameters():
            array = by_shape.get(tuple(param.shape))
            if array is None:
                return f"no learned parameter of shape {tuple(param.shape)}"
            param.copy_(torch.as_tensor(array, dtype=torch.float32))
    return None


def _validate_declared(declared, q, torch, pm):
    """The declaration against the budget; returns (problem, model) with the trusted model."""
    if not isinstance(declared, dict):
        return "challenge() must return a dict", None
    budget = q["budget"]
    for key in ("layers", "optimizer", "num_epochs", "batch_size"):
        if key not in declared:
            return f"the declaration has no '{key}'", None
    epochs, batch = declared["num_epochs"], declared["batch_size"]
    if not isinstance(epochs, int) or not 1 <= epochs <= budget["max_epochs"]:
        return f"num_epochs must be an integer from 1 to {budget['max_epochs']}", None
    if not isinstance(batch, int) or not 1 <= batch <= budget["max_batch_size"]:
        return f"batch_size must be an integer from 1 to {budget['max_batch_size']}", None
    if not isinstance(declared["optimizer"], dict):
        return "the optimizer must be a dict", None
    layers = declared["layers"]
    if not isinstance(layers, list) or len(layers) > MAX_LAYERS:
        return f"the layers must be a list of at most {MAX_LAYERS} declarations", None
    try:
        # Counted first on the meta device (no memory): a declaration of a billion weights
        # must not allocate them in the grader.
        with torch.device("meta"):
            count = sum(
                p.numel() for p in pm.build_challenge_model(layers, *q["init_args"]).parameters()
            )
        if count > budget["max_parameters"]:
            return (f"{count} parameters, more than the budget of {budget['max_parameters']}", None)
        model = pm.build_challenge_model(layers, *q["init_args"])
        pm.build_optimizer(declared["optimizer"], model.parameters())
    except (ValueError, TypeError, RuntimeError, OverflowError) as exc:
        return f"the declaration is not valid: {exc}", None
    with torch.no_grad():
        model.eval()
        shape = model(torch.zeros((2, *q["input_shape"]))).shape
    if tuple(shape) != (2, q["num_classes"]):
        return (
            f"the model gives scores of shape {tuple(shape)[1:]} per example, expected "
            f"({q['num_classes']},)",
            None,
        )
    return None, model


def check_challenge(q: dict, ctx: Context, torch, pm) -> list[CaseResult]:
    answer = ctx.ask({"op": "torch", "action": "declare"})
    failure = failure_from(answer, "declaration", ctx.broken_files)
    if failure:
        return [failure]
    declared = (answer.value or {}).get("declared") if isinstance(answer.value, dict) else None
    torch.manual_seed(0)
    problem, model = _validate_declared(declared, q, torch, pm)
    if problem:
        return [CaseResult("declaration", "failed", problem)]
    req = {
        "op": "torch",
        "action": "train",
        "mode": "challenge",
        "declared": declared,
        "data": _training_data(ctx, q),
        "init_args": q["init_args"],
        "seed": ctx.seed,
        "torch_seed": ctx.seed,
    }
    answer = ctx.ask(req)
    failure = failure_from(answer, "training run", ctx.broken_files)
    if failure:
        return [failure]
    state = answer.value.get("state") if isinstance(answer.value, dict) else None
    if not isinstance(state, list):
        return [CaseResult("training run", "failed", "training returned no parameters")]
    mine = model.state_dict()
    loaded = {}
    for entry in state:
        name = entry.get("name") if isinstance(entry, dict) else None
        value = entry.get("value") if isinstance(entry, dict) else None
        if (
            name not in mine
            or not isinstance(value, np.ndarray)
            or value.shape != tuple(mine[name].shape)
        ):
            return [
                CaseResult(
                    "training run",
                    "failed",
                    f"learned state {name!r} does not fit the declared model",
                )
            ]
        loaded[name] = torch.as_tensor(value).to(mine[name].dtype)
    problem = _finite([v.numpy() for v in loaded.values()])
    if problem or set(loaded) != set(mine):
        return [
            CaseResult(
                "training run", "failed", problem or "training did not return every learned tensor"
            )
        ]
    model.load_state_dict(loaded)
    model.eval()
    return _bars(q, ctx, torch, model)
