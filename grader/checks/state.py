"""``state``: side effects that matter, over several calls.

With ``"op": "steps"``, an update rule runs several steps, each fed the config the previous one
returned; ``next_w`` and the ``state_keys`` of the config are compared at every step. Updating
``w`` and the config's arrays in place is allowed by the contract: each step's answer is copied
in the child when it is produced. Without ``op``, a function's written-back param dict is
compared (batchnorm's running averages; see ``output``).
"""

from __future__ import annotations

from grader.checks import compare as cmp
from grader.checks.base import Case, CaseResult, Context, field_of, run_cases
from grader.checks.output import judge_output


def judge_steps(case: Case) -> list[str | None]:
    q, spec = case.question, case.spec
    built = case.build({"w": spec["w"], "dws": spec["dws"], "config": spec.get("config")})
    req = {"op": "steps", "target": q["target"], **built}
    want = case.ctx.reference(req)["steps"]
    steps = field_of(case.ask(req), "steps")
    if not isinstance(steps, list) or len(steps) != len(want):
        return ["the update rule did not run every step"]
    problems = []
    for i, (got, exp) in enumerate(zip(steps, want, strict=True)):
        label = f"step {i + 1}"
        problems.append(
            cmp.compare(field_of(got, "next_w"), exp["next_w"], f"{label}: next_w", case.tol)
        )
        config = field_of(got, "config")
        for key in q["state_keys"]:
            problems.append(
                cmp.compare(
                    field_of(config, key), exp["config"][key], f"{label}: config[{key!r}]", case.tol
                )
            )
    return problems


def check_state(q: dict, ctx: Context) -> list[CaseResult]:
    """Update-rule configs over several steps, or values written back into a param dict."""
    return run_cases(q, ctx, judge_steps if q.get("op") == "steps" else judge_output)
