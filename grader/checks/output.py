"""``output``: the student's function on seeded inputs against the reference's output.

With ``state`` (a list of ``[arg index, key]``), values the function writes back into a param
dict (batchnorm's running averages) are compared too; those dicts may change, other inputs may
not (a modified input costs one case for the question, see ``base.run_cases``).
"""

from __future__ import annotations

from grader.checks import compare as cmp
from grader.checks.base import Case, CaseResult, Context, field_of, nth, run_cases


def judge_output(case: Case) -> list[str | None]:
    q = case.question
    args = case.build(case.spec["args"])
    req = {
        "op": "call",
        "target": q["target"],
        "args": args,
        "keep": q.get("keep"),
        "repeat": case.spec.get("repeat", 1),
    }
    want = case.ctx.reference(req)
    value = case.ask(req)
    problems = [cmp.compare(field_of(value, "result"), want["result"], "output", case.tol)]
    args_after = field_of(value, "args_after")
    for arg, key in q.get("state", []):
        got_state = field_of(nth(args_after, arg), key)
        problems.append(
            cmp.compare(got_state, want["args_after"][arg][key], f"{key} after the call", case.tol)
        )
    case.check_unchanged(args, args_after, skip={arg for arg, _ in q.get("state", [])})
    return problems


def check_output(q: dict, ctx: Context) -> list[CaseResult]:
    """Student function vs reference on each case."""
    return run_cases(q, ctx, judge_output)
