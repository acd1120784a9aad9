"""Turn a question's case results into a score, a status and one line of feedback."""

from __future__ import annotations

from dataclasses import dataclass

from grader.checks import CaseResult

# When nothing passed, the most telling status wins, in this order.
FAILURE_ORDER = ("not_implemented", "timeout", "error", "missing", "failed")


@dataclass
class QuestionScore:
    score: float
    status: str
    feedback: str


def score_question(q: dict, cases: list[CaseResult]) -> QuestionScore:
    if q["kind"] == "manual":
        answered = sum(c.status == "answered" for c in cases)
        return QuestionScore(
            0.0,
            "manual",
            f"{answered} of {len(cases)} answer(s) written; read by a human, not scored",
        )
    scored = [c for c in cases if c.status not in ("info", "skipped")]
    skipped = [c for c in cases if c.status == "skipped"]
    passed = sum(c.passed for c in scored)
    total = len(scored)
    if total == 0 and skipped:
        return QuestionScore(0.0, "skipped", f"{skipped[0].name}: {skipped[0].message}")
    if total == 0:
        return QuestionScore(0.0, "error", "no case could be run")
    if passed == total:
        unjudged = f"; {len(skipped)} checked only by the grader" if skipped else ""
        return QuestionScore(float(q["points"]), "passed", f"all {total} case(s) passed{unjudged}")
    fraction = 0.0 if q.get("all_or_nothing") else passed / total
    first_bad = next(c for c in scored if not c.passed)
    if passed:
        status = "partial"
    else:
        statuses = {c.status for c in scored}
        status = next(s for s in FAILURE_ORDER if s in statuses)
    feedback = f"{first_bad.name}: {first_bad.message}"
    if first_bad.hint:
        feedback += f". Hint: {first_bad.hint}"
    others = total - passed - 1
    if others:
        feedback += f" (and {others} other failed case{'s' if others > 1 else ''})"
    return QuestionScore(round(q["points"] * fraction, 4), status, feedback)
