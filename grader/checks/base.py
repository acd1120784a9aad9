"""What every check kind shares: case results, the grading context, and the per-case loop.

A check kind turns one catalog question into a list of case results. The loop is written once
(``run_cases``): for each case it draws the inputs from the grading seed, lets the kind's
``judge`` build the request, run the reference, ask the student and compare, and maps a student
answer that is not ``ok`` (exception, timeout, not implemented) to the case's result.

Two rules of the loop keep one mistake from being charged twice:

- a side effect (an input modified in place) whose returned values are right is not a failure
  of the case; the question gets one extra failed case that says why it matters;
- a case may ``require`` another (a test-mode case counts only together with the train-mode
  case), so that an answer that does nothing cannot earn the easy half of a question.
"""

from __future__ import annotations

import copy
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np

from grader.checks import compare as cmp
from grader.checks.inputs import build, case_rng
from grader.inside import runner, wire
from grader.sandbox.child import Answer

DEFAULT_TOL = 1e-7
SIDE_EFFECT_CASE = "inputs left unchanged"


@dataclass
class CaseResult:
    """One case of one question: ``status`` is passed | failed | not_implemented | error |
    timeout | missing | info (manual questions: answered | unanswered) | skipped (the
    self-check only: see ``Unavailable``); ``message`` says what
    went wrong in words a student can act on (or, for a passed case, a note)."""

    name: str
    status: str
    message: str = ""
    hint: str = ""

    @property
    def passed(self) -> bool:
        return self.status == "passed"


def reference_answer(req: dict, package: str = "solutions"):
    """The answer of a trusted package (the reference solutions, or a hint's variant of them) to
    ``req``, computed in this process. The round trip through the wire format gives it exactly
    the types the student's answer arrives in (lists for tuples, plain floats, base ndarrays)."""
    return wire.decode(wire.encode(runner.execute(copy.deepcopy(req), package)))


class Unavailable(Exception):  # noqa: N818 - a case that cannot be judged here, not an error
    """The expected answer of a case is not available where the check runs (the student's
    self-check replays recorded answers: a request built from the student's own answer was
    never recorded). The case is ``skipped``, never failed."""


@dataclass
class Context:
    """What a check may use: the seed, both executors, the dataset and the declared settings.

    ``reference`` answers a request as the reference solutions do; ``namespace`` prefixes the
    seed of every case's inputs (the grader's hidden cases use "", the student's self-check its
    own, so that public inputs never equal hidden ones); ``package`` is the package whose
    models judge learned weights (the reference's when grading).
    """

    seed: int
    ask_student: Callable[[dict, float], Answer]
    dataset: Mapping
    hyperparams: dict | None = None
    hyperparams_error: str | None = None
    notebooks: dict = field(default_factory=dict)
    deadline: float = 0.0
    # Names the misconception behind a failed case, or returns "" (see ``hints``).
    diagnose: Callable[[Case], str] | None = None
    # Student files that do not import (reported once, at the top of the results).
    broken_files: frozenset[str] = frozenset()
    reference: Callable[[dict], object] = reference_answer
    namespace: str = ""
    package: str = "solutions"

    def ask(self, req: dict) -> Answer:
        remaining = self.deadline - time.monotonic()
        if remaining <= 0:
            return Answer("timeout", error={"message": "the question's time limit was used up"})
        return self.ask_student(req, remaining)


class Stop(Exception):  # noqa: N818 - a control-flow signal, not an error
    """Ends a case early with ``result`` (the student's answer was not usable)."""

    def __init__(self, result: CaseResult):
        super().__init__(result.message)
        self.result = result


@dataclass
class Case:
    """One case while it is judged: its catalog entry, name, generator and tolerance, plus the
    side effects the judge observed (reported once per question, see ``run_cases``)."""

    question: dict
    spec: dict
    index: int
    name: str
    rng: np.random.Generator
    ctx: Context
    side_effects: list[str] = field(default_factory=list)
    exchanges: list[tuple[dict, Answer]] = field(default_factory=list)

    @property
    def tol(self) -> float:
        return self.spec.get("tol", self.question.get("tol", DEFAULT_TOL))

    def build(self, spec, **kwargs):
        return build(spec, self.rng, **kwargs)

    def ask(self, req: dict):
        """The student's answer value; a failed answer ends the case (``Stop``)."""
        answer = self.ctx.ask(req)
        self.exchanges.append((req, answer))
        failure = failure_from(answer, self.name, self.ctx.broken_files)
        if failure:
            raise Stop(failure)
        return answer.value

    def check_unchanged(self, before: list, after, skip: Iterable[int] = ()) -> None:
        """Record inputs that came back modified (param dicts a function writes into are
        skipped); an answer that cannot be inspected is recorded too."""
        if not isinstance(after, list) or len(after) != len(before):
            self.side_effects.append("the inputs could not be checked after the call")
            return
        skip = set(skip)
        for i, (a, b) in enumerate(zip(before, after, strict=True)):
            if i not in skip:
                self.note_unchanged(a, b, f"input {i + 1}")

    def note_unchanged(self, before, after, name: str) -> None:
        problem = cmp.unchanged(before, after, name)
        if problem:
            self.side_effects.append(problem)


Judge = Callable[[Case], "list[str | None] | CaseResult"]


def run_cases(q: dict, ctx: Context, judge: Judge) -> list[CaseResult]:
    """The per-case loop shared by the check kinds (see the module docstring)."""
    results: list[CaseResult] = []
    side_effects: list[tuple[str, str]] = []
    for index, spec in enumerate(q["cases"]):
        name = spec.get("name", f"case {index + 1}")
        rng = case_rng(f"{ctx.namespace}{ctx.seed}", q["id"], index)
        case = Case(q, spec, index, name, rng, ctx)
        try:
            outcome = judge(case)
        except Stop as stop:
            outcome = stop.result
        except Unavailable as exc:
            outcome = CaseResult(name, "skipped", str(exc))
        result = outcome if isinstance(outcome, CaseResult) else result_from(outcome, name)
        if result.status in ("failed", "error") and not result.hint and ctx.diagnose is not None:
            try:
                result.hint = ctx.diagnose(case)
            except Unavailable:  # the self-check: no recorded answer to tell the hint apart
                pass
        results.append(result)
        if result.passed:
            side_effects += [(name, effect) for effect in case.side_effects]
    _apply_requirements(q, results)
    if side_effects and any(r.passed for r in results):
        where, effect = side_effects[0]
        results.append(
            CaseResult(
                SIDE_EFFECT_CASE,
                "failed",
                f"{where}: {effect}. The values you return are right, but a caller that uses "
                "the same arrays again (the next layer, the backward pass, the numeric gradient "
                "check) would see them changed",
            )
        )
    return results


def _apply_requirements(q: dict, results: list[CaseResult]) -> None:
    """A case with ``"requires": NAME`` counts only when the case NAME passed too."""
    by_name = {r.name: r for r in results}
    for index, spec in enumerate(q["cases"]):
        needed = spec.get("requires")
        if needed is None or not results[index].passed:
            continue
        other = by_name.get(needed)
        if other is not None and other.status == "skipped":
            results[index] = CaseResult(results[index].name, "skipped", other.message)
        elif other is None or not other.passed:
            results[index] = CaseResult(
                results[index].name,
                "failed",
                f"counts only together with the case '{needed}', which did not pass",
            )


@dataclass(frozen=True)
class Problem:
    """A failed judgement that also names the misconception behind it."""

    message: str
    hint: str = ""

    def __str__(self) -> str:
        return self.message


def result_from(problems: list, name: str) -> CaseResult:
    """The case passes when no problem (a message, a ``Problem`` or None) is left."""
    problems = [p for p in problems if p]
    if not problems:
        return CaseResult(name, "passed")
    first = problems[0]
    return CaseResult(name, "failed", str(first), getattr(first, "hint", ""))


def failure_from(
    answer: Answer, case: str, broken_files: frozenset[str] = frozenset()
) -> CaseResult | None:
    """The case result for an answer that is not ``ok``, or None when it is. An error raised
    while importing a file already reported as broken says so in a few words."""
    if answer.status == "ok":
        return None
    where = answer.error.get("where") if isinstance(answer.error.get("where"), dict) else {}
    if (
        answer.status == "error"
        and broken_files
        and where.get("file")
        and where.get("function") in (None, "<module>")
    ):
        # Raised while importing, in the package: the broken file itself, or a module that
        # imports it. (An error that names no file of the package, such as a return value that
        # is not plain data, is not an import's.)
        files = [where["file"]] if where.get("file") in broken_files else sorted(broken_files)
        names = " and ".join(f.split("/", 1)[-1] for f in files)
        verb = "does" if len(files) == 1 else "do"
        return CaseResult(case, "error", f"not graded: {names} {verb} not import (see above)")
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


def field_of(value, key: str):
    return value.get(key) if isinstance(value, dict) else None


def nth(seq, index: int):
    return seq[index] if isinstance(seq, list) and len(seq) > index else None
