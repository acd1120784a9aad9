"""Training questions: the student's model, Solver and optimizers learn; the reference judges.

The child trains and sends back only the learned parameters (and batchnorm running statistics).
The parent loads them into the REFERENCE model of the same architecture and measures accuracy
itself, so a submission cannot report an accuracy it did not reach.
"""

from __future__ import annotations

import numpy as np

from grader.checks.base import CaseResult, Context, failure_from
from grader.inside.ops import _model_kwargs, _resolve

EVAL_BATCH = 500


def _reference_model(package: str, cls_name: str, init: dict, init_args: list | None = None):
    np.random.seed(0)
    cls = _resolve(package, cls_name)
    return cls(*(init_args or []), **_model_kwargs(init))


def load_learned(model, value) -> str | None:
    """Copy learned params (validated against the reference's names and shapes) into model."""
    params = value.get("params") if isinstance(value, dict) else None
    if not isinstance(params, dict):
        return "training returned no parameters"
    for name, ref in model.params.items():
        got = _harmless_reshape(params.get(name), ref.shape)
        if not isinstance(got, np.ndarray) or got.shape != ref.shape:
            return f"learned parameter {name}: expected shape {ref.shape}"
        if not np.all(np.isfinite(got)):
            return f"learned parameter {name} contains NaN or inf (did training diverge?)"
        model.params[name] = got.astype(ref.dtype)
    norms = value.get("norm_params") or []
    for ref_param, got in zip(getattr(model, "bn_params", []), norms, strict=False):
        for key in ("running_mean", "running_var"):
            if isinstance(got, dict) and isinstance(got.get(key), np.ndarray):
                ref_param[key] = got[key].astype(np.float64)
    return None


def _harmless_reshape(got, shape: tuple):
    """A parameter stored with other singleton axes (a bias as a ``(1, M)`` row, batchnorm's
    ``gamma`` as ``(1, C)``) is the same parameter; the shape is graded at initialisation."""
    if isinstance(got, np.ndarray) and got.size == int(np.prod(shape)):
        if [d for d in got.shape if d != 1] == [d for d in shape if d != 1]:
            return got.reshape(shape)
    return got


def accuracy(model, X: np.ndarray, y: np.ndarray) -> float:
    if hasattr(model, "predict"):
        pred = np.concatenate(
            [model.predict(X[i : i + EVAL_BATCH]) for i in range(0, len(X), EVAL_BATCH)]
        )
    else:
        pred = np.concatenate(
            [
                np.argmax(model.loss(X[i : i + EVAL_BATCH]), axis=1)
                for i in range(0, len(X), EVAL_BATCH)
            ]
        )
    return float(np.mean(pred == y))


def _subset(ctx: Context, q: dict) -> dict:
    n = q.get("num_train")
    data = {key: value.copy() for key, value in ctx.dataset.items()}
    if n:
        data["X_train"], data["y_train"] = data["X_train"][:n], data["y_train"][:n]
    if q["mode"] == "overfit":  # the Solver keeps the params that score best on "val"
        data["X_val"], data["y_val"] = data["X_train"], data["y_train"]
    if q.get("flatten"):
        data = {k: v.reshape(v.shape[0], -1) if k.startswith("X") else v for k, v in data.items()}
    return data


def _declared(q: dict, ctx: Context) -> tuple[dict, dict] | CaseResult:
    declared = ctx.hyperparams
    if not isinstance(declared, dict):
        missing = ctx.hyperparams_error is None or "missing" in ctx.hyperparams_error
        return CaseResult(
            "declared hyperparameters",
            "missing" if missing else "failed",
            "no valid hyperparams.json in the submission "
            f"({ctx.hyperparams_error or 'file missing'})",
        )
    init = {**q.get("init", {}), **declared.get("model", {})}
    solver = {**q.get("solver", {}), **declared.get("solver", {})}
    optim_config = (
        {"learning_rate": solver.pop("learning_rate")} if "learning_rate" in solver else {}
    )
    solver["optim_config"] = optim_config
    return init, solver


def check_training(q: dict, ctx: Context) -> list[CaseResult]:
    name = "training run"
    data = _subset(ctx, q)
    if q["mode"] == "declared":
        declared = _declared(q, ctx)
        if isinstance(declared, CaseResult):
            return [declared]
        init, solver = declared
    else:
        init, solver = dict(q.get("init", {})), dict(q.get("solver", {}))
    if q["mode"] == "two_layer":
        req = {
            "op": "model",
            "class": q["model"],
            "init_args": q["init_args"],
            "init": init,
            "calls": [
                {
                    "method": "train",
                    "args": [data["X_train"], data["y_train"], data["X_val"], data["y_val"]],
                    "kwargs": solver,
                    "optional_kwargs": {"seed": ctx.seed},
                }
            ],
            "return_params": True,
            "global_seed": ctx.seed,
        }
    else:
        req = {
            "op": "train_solver",
            "class": q["model"],
            "init": init,
            "data": data,
            "solver": {**solver, "verbose": False, "seed": ctx.seed},
            "global_seed": ctx.seed,
        }
    answer = ctx.ask(req)
    failure = failure_from(answer, name, ctx.broken_files)
    if failure:
        return [failure]
    model = _reference_model(ctx.package, q["model"], init, q.get("init_args"))
    problem = load_learned(model, answer.value)
    if problem:
        return [CaseResult(name, "failed", problem)]
    results = []
    for split, bar in sorted(q.get("bars", {}).items()):
        acc = accuracy(model, data[f"X_{split}"], data[f"y_{split}"])
        label = f"{split} accuracy {acc:.3f} (bar {bar:.2f})"
        results.append(
            CaseResult(
                label,
                "passed" if acc >= bar else "failed",
                "" if acc >= bar else f"{split} accuracy {acc:.3f} is below the bar {bar:.2f}",
            )
        )
    for split in q.get("report", []):
        acc = accuracy(model, data[f"X_{split}"], data[f"y_{split}"])
        results.append(CaseResult(f"{split} accuracy {acc:.3f} (reported, not scored)", "info"))
    return results
