"""The check kinds: each turns one catalog question into a list of case results.

A check builds the inputs of each case from the grading seed, asks the trusted reference and the
sandboxed student the same request, and compares. The table ``KINDS`` maps a catalog ``kind``
to its function. A case passes only on a positive, validated result.
"""

from __future__ import annotations

import copy
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from . import compare as cmp
from . import runner, statistics, wire
from .child import Answer
from .inputs import build, case_rng

DEFAULT_TOL = 1e-7


@dataclass
class CaseResult:
    """One case of one question: ``status`` is passed | failed | not_implemented | error |
    timeout, ``message`` says what went wrong in words a student can act on."""

    name: str
    status: str
    message: str = ""

    @property
    def passed(self) -> bool:
        return self.status == "passed"


@dataclass
class Context:
    """What a check may use: the seed, both executors, the dataset and the declared settings."""

    seed: int
    ask_student: Callable[[dict, float], Answer]
    dataset: dict
    hyperparams: dict | None = None
    hyperparams_error: str | None = None
    notebooks: dict = field(default_factory=dict)
    deadline: float = 0.0

    def reference(self, req: dict):
        # The trusted reference runs in this process. The round trip through the wire format
        # gives its answer exactly the types the student's answer arrives in (lists for tuples,
        # plain floats, base ndarrays).
        return wire.decode(wire.encode(runner.execute(copy.deepcopy(req), "solutions")))

    def ask(self, req: dict) -> Answer:
        remaining = self.deadline - time.monotonic()
        if remaining <= 0:
            return Answer("timeout", error={"message": "the question's time limit was used up"})
        return self.ask_student(req, remaining)

    def data_slice(self, spec: dict) -> np.ndarray:
        """``{"$data": "X"|"y", "split": "train", "count": N, "flatten": bool}``: dataset rows."""
        split = spec.get("split", "train")
        array = self.dataset[f"{spec['$data']}_{split}"][: spec.get("count")]
        if spec.get("flatten"):
            array = array.reshape(array.shape[0], -1)
        return array.copy()


def failure_from(answer: Answer, case: str) -> CaseResult | None:
    """The case result for an answer that is not ``ok``, or None when it is."""
    if answer.status == "ok":
        return None
    if answer.status == "not_implemented":
        where = _where(answer.error)
        return CaseResult(case, "not_implemented", f"not implemented yet{where}")
    if answer.status == "timeout":
        return CaseResult(case, "timeout", answer.error.get("message", "time limit exceeded"))
    if answer.status == "error":
        where = _where(answer.error)
        return CaseResult(
            case, "error", f"{answer.error.get('type')}: {answer.error.get('message')}{where}"
        )
    return CaseResult(case, "error", answer.error.get("message", answer.status))


def _where(error: dict) -> str:
    where = error.get("where")
    if not isinstance(where, dict) or not isinstance(where.get("file"), str):
        return ""
    func = where.get("function")
    line = where.get("line")
    text = f" ({where['file']}"
    if isinstance(line, int):
        text += f", line {line}"
    if isinstance(func, str) and func != "<module>":
        text += f", in {func}"
    return text + ")"


def _result_or_failure(problems: list[str | None], case: str) -> CaseResult:
    problems = [p for p in problems if p]
    return CaseResult(case, "failed", problems[0]) if problems else CaseResult(case, "passed")


def _field(value, key: str):
    return value.get(key) if isinstance(value, dict) else None


def _mutations(args: list, after, skip: set[int] = frozenset()) -> list[str | None]:
    """Inputs must come back unmodified, except param dicts the function writes into."""
    if not isinstance(after, list) or len(after) != len(args):
        return ["the inputs could not be checked after the call"]
    pairs = enumerate(zip(args, after, strict=True))
    return [cmp.unchanged(a, b, f"input {i + 1}") for i, (a, b) in pairs if i not in skip]


def _cases(q: dict):
    for index, case in enumerate(q["cases"]):
        yield index, case, case.get("name", f"case {index + 1}")


def check_output(q: dict, ctx: Context) -> list[CaseResult]:
    """Student function vs reference on each case; inputs must not be mutated."""
    results = []
    for index, case, name in _cases(q):
        rng = case_rng(ctx.seed, q["id"], index)
        args = build(case["args"], rng, data=ctx.data_slice)
        req = {
            "op": "call",
            "target": q["target"],
            "args": args,
            "keep": q.get("keep"),
            "repeat": case.get("repeat", 1),
        }
        want = ctx.reference(req)
        answer = ctx.ask(req)
        failure = failure_from(answer, name)
        if failure:
            results.append(failure)
            continue
        tol = case.get("tol", q.get("tol", DEFAULT_TOL))
        problems = [cmp.compare(_field(answer.value, "result"), want["result"], "output", tol)]
        for index_key in q.get("state", []):
            arg, key = index_key
            got_state = _field(_nth(_field(answer.value, "args_after"), arg), key)
            problems.append(
                cmp.compare(got_state, want["args_after"][arg][key], f"{key} after the call", tol)
            )
        state_args = {arg for arg, _ in q.get("state", [])}
        problems += _mutations(args, _field(answer.value, "args_after"), skip=state_args)
        results.append(_result_or_failure(problems, name))
    return results


def _nth(seq, index: int):
    return seq[index] if isinstance(seq, list) and len(seq) > index else None


def check_gradient(q: dict, ctx: Context) -> list[CaseResult]:
    """Layer backward passes, or model loss and gradients, against the reference."""
    if "model" in q:
        return check_model(q, ctx)
    results = []
    for index, case, name in _cases(q):
        rng = case_rng(ctx.seed, q["id"], index)
        args = build(case["args"], rng, data=ctx.data_slice)
        forward = ctx.reference(
            {"op": "call", "target": q["forward"], "args": args, "keep": "first"}
        )
        dout = build({"$like": "out"}, rng, named={"out": forward["result"]})
        req = {
            "op": "forward_backward",
            "forward": q["forward"],
            "backward": q["backward"],
            "args": args,
            "dout": dout.astype(np.asarray(forward["result"]).dtype),
        }
        want = ctx.reference(req)
        answer = ctx.ask(req)
        failure = failure_from(answer, name)
        if failure:
            results.append(failure)
            continue
        tol = case.get("tol", q.get("tol", DEFAULT_TOL))
        names = q["grad_names"]
        got_grads = _field(answer.value, "grads")
        problems = [cmp.compare(_field(answer.value, "out"), want["out"], "forward output", tol)]
        if not isinstance(got_grads, list) or len(got_grads) != len(names):
            problems.append(
                f"the backward pass should return {len(names)} gradient(s): {', '.join(names)}"
            )
        else:
            problems += [
                cmp.compare(got_grads[i], want["grads"][i], g, tol) for i, g in enumerate(names)
            ]
        problems += _mutations(args, _field(answer.value, "args_after"))
        problems.append(cmp.unchanged(req["dout"], _field(answer.value, "dout_after"), "dout"))
        results.append(_result_or_failure(problems, name))
    return results


def check_model(q: dict, ctx: Context) -> list[CaseResult]:
    """A model's initialisation, scores, loss and gradients; params are the reference's."""
    results = []
    for index, case, name in _cases(q):
        rng = case_rng(ctx.seed, q["id"], index)
        init = {**q.get("init", {}), **case.get("init", {})}
        base = {
            "op": "model",
            "class": q["model"],
            "init": init,
            "global_seed": int(rng.integers(2**31)),
        }
        tol = case.get("tol", q.get("tol", DEFAULT_TOL))
        if case.get("check") == "init":
            results.append(_check_init(base, ctx, name, case))
            continue
        call_args = build(case["args"], rng, data=ctx.data_slice)
        call = {
            "method": case.get("method", "loss"),
            "args": call_args,
            "kwargs": build(case.get("kwargs", {}), rng),
        }
        # Grade at the reference's initial params moved by seeded noise: at the initial
        # params every bias is zero, and a mistake involving biases would not show.
        init_params = ctx.reference(base)["init_params"]
        noise = case.get("param_noise", q.get("param_noise", 0.1))
        params = {name: (value + noise * rng.standard_normal(value.shape)).astype(value.dtype)
                  for name, value in sorted(init_params.items())}
        want = ctx.reference({**base, "params": params, "calls": [call]})
        req = {**base, "params": params, "calls": [call]}
        if case.get("numeric_check"):
            req["numeric_check"] = {"args": call_args, **case["numeric_check"]}
        answer = ctx.ask(req)
        failure = failure_from(answer, name)
        if failure:
            results.append(failure)
            continue
        got = _nth(_field(answer.value, "results"), 0)
        expected = want["results"][0]
        if isinstance(expected, list):  # (loss, grads)
            problems = [
                cmp.compare(_nth(got, 0), expected[0], "loss", tol),
                cmp.compare(_nth(got, 1), expected[1], "grads", tol),
            ]
        else:
            problems = [cmp.compare(got, expected, "scores", tol)]
        if case.get("numeric_check"):
            problems.append(
                _numeric_consistency(
                    _field(answer.value, "numeric"), case["numeric_check"].get("tol", 1e-5)
                )
            )
        results.append(_result_or_failure(problems, name))
    return results


def _numeric_consistency(report, tol: float) -> str | None:
    if not isinstance(report, dict) or not report:
        return "the numeric gradient check of your loss did not run"
    for pname in sorted(report):
        entry = report[pname]
        numeric, analytic = _field(entry, "numeric"), _field(entry, "analytic")
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


def _check_init(base: dict, ctx: Context, name: str, case: dict) -> CaseResult:
    want = ctx.reference(base)["init_params"]
    answer = ctx.ask(base)
    failure = failure_from(answer, name)
    if failure:
        return failure
    got = _field(answer.value, "init_params")
    if not isinstance(got, dict):
        return CaseResult(name, "failed", "self.params is not a dict of arrays")
    missing = sorted(set(want) - set(got))
    extra = sorted(set(got) - set(want))
    if missing or extra:
        return CaseResult(
            name,
            "failed",
            "self.params: "
            + "; ".join(
                part
                for part in (
                    f"missing {', '.join(missing)}" if missing else "",
                    f"unexpected {', '.join(extra)}" if extra else "",
                )
                if part
            ),
        )
    scale = base["init"].get(case.get("scale_key", "weight_scale"))
    for key in sorted(want):
        value = got[key]
        if not isinstance(value, np.ndarray) or value.shape != want[key].shape:
            shape = getattr(value, "shape", None)
            return CaseResult(
                name, "failed", f"{key}: expected shape {want[key].shape}, got {shape}"
            )
        if want[key].dtype != value.dtype:
            return CaseResult(
                name, "failed", f"{key}: expected dtype {want[key].dtype}, got {value.dtype}"
            )
        if not np.all(np.isfinite(value)):
            return CaseResult(name, "failed", f"{key}: contains NaN or inf")
        if key[0] == "W" and scale and value.size >= 50:
            std = float(np.std(value))
            if not 0.7 * scale <= std <= 1.3 * scale or abs(float(np.mean(value))) > 0.3 * scale:
                return CaseResult(
                    name,
                    "failed",
                    f"{key}: should be drawn from a normal "
                    f"distribution with standard deviation {scale}",
                )
        elif key[0] != "W" and not np.array_equal(value, want[key]):
            return CaseResult(name, "failed", f"{key}: wrong initial values")
    return CaseResult(name, "passed")


def check_state(q: dict, ctx: Context) -> list[CaseResult]:
    """Side effects that matter: update-rule configs over several steps, written-back stats."""
    if q.get("op") != "steps":
        return check_output(q, ctx)
    results = []
    for index, case, name in _cases(q):
        rng = case_rng(ctx.seed, q["id"], index)
        built = build({"w": case["w"], "dws": case["dws"], "config": case.get("config")}, rng)
        req = {"op": "steps", "target": q["target"], **built}
        want = ctx.reference(req)["steps"]
        answer = ctx.ask(req)
        failure = failure_from(answer, name)
        if failure:
            results.append(failure)
            continue
        tol = case.get("tol", q.get("tol", DEFAULT_TOL))
        steps = _field(answer.value, "steps")
        if not isinstance(steps, list) or len(steps) != len(want):
            results.append(CaseResult(name, "failed", "the update rule did not run every step"))
            continue
        problems = []
        for i, (got, exp) in enumerate(zip(steps, want, strict=True)):
            problems.append(
                cmp.compare(_field(got, "next_w"), exp["next_w"], f"step {i + 1}: next_w", tol)
            )
            for key in q["state_keys"]:
                problems.append(
                    cmp.compare(
                        _field(_field(got, "config"), key),
                        exp["config"][key],
                        f"step {i + 1}: config[{key!r}]",
                        tol,
                    )
                )
        results.append(_result_or_failure(problems, name))
    return results


def check_statistic(q: dict, ctx: Context) -> list[CaseResult]:
    """Properties of random or open-ended answers, judged by a named evaluator."""
    results = []
    for index, case, name in _cases(q):
        rng = case_rng(ctx.seed, q["id"], index)
        args = build(case["args"], rng, data=ctx.data_slice)
        evaluator = statistics.EVALUATORS[case["evaluate"]]
        req = evaluator.request(q, args, rng)
        answer = ctx.ask(req)
        failure = failure_from(answer, name)
        if failure:
            results.append(failure)
            continue
        problems = [evaluator.judge(answer.value, req, case)]
        if "args" in req:
            problems += _mutations(req["args"], _field(answer.value, "args_after"))
        results.append(_result_or_failure(problems, name))
    return results


def check_training(q: dict, ctx: Context) -> list[CaseResult]:
    from . import training

    return training.check(q, ctx)


def check_manual(q: dict, ctx: Context) -> list[CaseResult]:
    from . import manual

    return manual.check(q, ctx)


KINDS: dict[str, Callable[[dict, Context], list[CaseResult]]] = {
    "output": check_output,
    "gradient": check_gradient,
    "state": check_state,
    "statistic": check_statistic,
    "training": check_training,
    "manual": check_manual,
}
