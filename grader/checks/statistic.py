"""``statistic``: answers with no single right output (random layers, open-ended filters),
judged on their properties by a named evaluator (see ``evaluators``)."""

from __future__ import annotations

from grader.checks.base import Case, CaseResult, Context, field_of, run_cases
from grader.checks.evaluators import EVALUATORS


def judge_statistic(case: Case) -> list[str | None]:
    args = case.build(case.spec["args"])
    evaluator = EVALUATORS[case.spec["evaluate"]]
    req = evaluator.request(case.question, args, case.rng)
    value = case.ask(req)
    if "args" in req:
        case.check_unchanged(req["args"], field_of(value, "args_after"))
    return [evaluator.judge(value, req, case.spec)]


def check_statistic(q: dict, ctx: Context) -> list[CaseResult]:
    """Properties of random or open-ended answers."""
    return run_cases(q, ctx, judge_statistic)
