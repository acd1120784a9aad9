"""The grading pipeline, in order: intake -> overlay -> child -> checks -> score -> report.

``grade`` is the one entry point the CLI, batch mode and Gradescope share. The parent process
imports the grader and the reference solutions; student code runs only in the child.
"""

from __future__ import annotations

import dataclasses
import functools
import importlib
import json
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path

import jsonschema
import numpy as np

from grader import catalog, sandbox
from grader.authoring import layout
from grader.authoring.layout import HYPERPARAMS_NAME
from grader.checks import KINDS, CaseResult, Context, hints
from grader.checks import pytorch as torch_checks
from grader.checks.base import Case, reference_answer
from grader.engine import intake, overlay, problems, results
from grader.engine.results import QuestionResult, SubmissionInfo
from grader.errors import EnvironmentFault
from grader.sandbox.child import Child, ChildStartError

DEFAULT_LIMITS = sandbox.Limits()


@dataclasses.dataclass(frozen=True)
class Judging:
    """Where a grading run takes its expected answers from: by default the reference solutions
    and their hint variants, on the hidden cases of the grading seed. The student's self-check
    replays recorded answers on public cases instead (``grader.selfcheck``)."""

    reference: Callable[[dict], object] = reference_answer
    diagnose: Callable[[Case], str] = hints.diagnose
    namespace: str = ""  # prefixes the cases' seeds (see ``checks.base.Context``)
    package: str = "solutions"  # loads the digits and judges learned weights


@functools.lru_cache(maxsize=2)
def _digits(package: str = "solutions") -> dict:
    data = importlib.import_module(f"{package}.data_utils").load_digits_data()
    for array in data.values():
        array.setflags(write=False)
    return data


def _hyperparams(sub: intake.Submission) -> tuple[dict | None, str | None]:
    raw = sub.files.get(HYPERPARAMS_NAME)
    if raw is None:
        return None, f"{HYPERPARAMS_NAME} is missing"
    try:
        declared = json.loads(raw.decode("utf-8"))
        jsonschema.validate(declared, catalog.load_schema("hyperparams.schema.json"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        return None, f"{HYPERPARAMS_NAME} is not valid JSON: {exc}"
    except jsonschema.ValidationError as exc:
        where = "/".join(str(p) for p in exc.absolute_path) or "top level"
        return None, f"{HYPERPARAMS_NAME}: at {where}: {exc.message}"
    solver = declared["solver"]
    for key in ("num_epochs", "batch_size"):  # JSON Schema counts 2.0 as an integer
        if key in solver:
            solver[key] = int(solver[key])
    return declared, None


class Background(Mapping):
    """A mapping computed in a background thread (the digits: sklearn's import takes a second);
    the first read waits for it, and re-raises what computing it raised."""

    def __init__(self, compute: Callable[[], Mapping]) -> None:
        self._value: Mapping = {}
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, args=(compute,), daemon=True)
        self._thread.start()

    def _run(self, compute: Callable[[], Mapping]) -> None:
        try:
            self._value = compute()
        except BaseException as exc:  # noqa: BLE001 - re-raised where the value is read
            self._error = exc

    def _get(self) -> Mapping:
        self._thread.join()
        if self._error is not None:
            raise self._error
        return self._value

    def __getitem__(self, key):
        return self._get()[key]

    def __iter__(self) -> Iterator:
        return iter(self._get())

    def __len__(self) -> int:
        return len(self._get())


def _notebooks(sub: intake.Submission) -> dict[str, str]:
    return {
        name[: -len(".ipynb")]: content.decode("utf-8", "replace")
        for name, content in sub.files.items()
        if name.endswith(".ipynb")
    }


def _grade_question(q: dict, ctx: Context, faults: list[str]) -> QuestionResult:
    """Run one question's check; a grader bug is recorded in ``faults`` and costs only it."""
    begin = time.monotonic()
    ctx.deadline = begin + q["time_limit"]
    try:
        cases = KINDS[q["kind"]](q, ctx)
    except ChildStartError:
        raise  # the environment's fault: the whole submission is not graded
    except EnvironmentFault as exc:  # e.g. torch missing: this question only, not graded
        faults.append(f"{q['id']}: not graded: {exc}")
        cases = [
            CaseResult(
                "grader",
                "error",
                f"not graded: {exc} (the grading machine's "
                "fault, not your submission; the instructor has been told)",
            )
        ]
    except Exception as exc:  # a grader bug must not cost the other questions
        faults.append(f"{q['id']}: {type(exc).__name__}: {exc}")
        cases = [
            CaseResult(
                "grader",
                "error",
                "internal grader error; the instructor has been told (not your fault)",
            )
        ]
    return QuestionResult.scored(q, cases, time.monotonic() - begin)


def grade(
    *,
    submission: Path,
    seed: int = 0,
    only: list[str] | None = None,
    catalog_path: Path = catalog.CATALOG_PATH,
    limits: sandbox.Limits = DEFAULT_LIMITS,
    use_sandbox: bool = True,
    progress=None,
    judging: Judging = Judging(),  # noqa: B008 - frozen, shared safely
    switch_user: bool = True,
) -> dict:
    """Grade one submission (zip or folder) and return the validated results document.

    Args:
        submission: the zip file or folder handed in.
        seed: the grading seed; the same submission and seed always give the same results.
        only: question ids (or id prefixes such as ``fc``) to grade; all when empty.
        catalog_path: the question catalog to use.
        limits: resource limits of the child process.
        use_sandbox: run the child under bubblewrap when it is available.
        progress: optional callable(question_id) called before each question.
        judging: where the expected answers come from (the reference, unless self-checking).
        switch_user: as root without bubblewrap, run the child as the sandbox user (created
            when missing). The self-check, a student's own code on the student's machine,
            does not.
    Raises:
        catalog.CatalogError: the catalog is invalid (an instructor's error, not the student's).
    """
    questions = catalog.select(catalog.load_catalog(catalog_path), only)
    bwrap = sandbox.find_bwrap() if use_sandbox else None
    sandbox.harden_parent()
    account = None if bwrap or not switch_user else sandbox.sandbox_account()
    secrets = [] if bwrap else sandbox.secret_paths()
    exposed = sandbox.exposed_to(account, secrets) if account else None
    unreadable = sandbox.unreadable_runtime(account)
    isolation = sandbox.describe(bwrap, None, account, exposed, None, unreadable)
    allow = layout.allow_list()
    try:
        sub = intake.read_submission(Path(submission), allow)
    except intake.IntakeError as exc:
        return results.rejected(
            Path(submission).name, str(exc), seed, questions, isolation.as_dict()
        )
    info = SubmissionInfo(sub.name, sub.sha256, tuple(sub.missing), tuple(sub.extra))
    hyperparams, hyper_error = _hyperparams(sub)
    entries, faults = [], []
    digits = Background(
        functools.partial(_digits, judging.package)
    )  # sklearn's import takes a second: done while the child works
    with tempfile.TemporaryDirectory(prefix="scratchnet-") as scratch:
        tree = overlay.build(Path(scratch), sub)
        child = Child(tree, Path(scratch), limits, bwrap, account, secrets)
        # torch (hundreds of MB) is imported only when a PyTorch question is graded: it may not
        # fit under a course's lower memory limit, and the other questions never import it.
        needs_torch = any(q["kind"] == "pytorch" for q in questions)
        unused = () if needs_torch else (problems.TORCH_FILE,)
        if unreadable:  # what the skeleton imports, imported before the child switches user
            skip = [Path(name).name for name in unused]
            child.preimport = sandbox.module_level_imports(layout.skeleton_dir(), skip)
            if needs_torch:  # and what torch imports only when first used (torch._dynamo)
                child.preimport += list(torch_checks.TORCH_MODULES)
        ctx = Context(
            seed=seed,
            ask_student=child.request,
            dataset=digits,
            hyperparams=hyperparams,
            hyperparams_error=hyper_error,
            notebooks=_notebooks(sub),
            diagnose=judging.diagnose,
            reference=judging.reference,
            namespace=judging.namespace,
            package=judging.package,
        )
        # Seconds of imports, done while the child starts and the numpy questions are graded.
        if needs_torch:
            torch_checks.warm_up()
        try:
            child.start()  # the handshake: before any student file is imported
            if needs_torch:  # torch only, never student code, in the child's background
                child.request({"op": "warm", "modules": list(torch_checks.TORCH_MODULES)}, 10.0)
            found = problems.static_problems(sub.files)
            found += problems.import_problems(child.request, sub.files, found, unused)
            info = dataclasses.replace(info, problems=tuple(found))
            ctx.broken_files = frozenset(problems.broken_files(found))
            with np.errstate(all="ignore"):  # student answers may overflow in comparisons
                for q in questions:
                    if progress:
                        progress(q["id"])
                    entries.append(_grade_question(q, ctx, faults))
        except ChildStartError as exc:
            return results.not_graded(info, str(exc), seed, questions, isolation.as_dict())
        finally:
            child.kill()
    isolation = sandbox.describe(
        bwrap, child.confinement, account, exposed, child.cgroup_kinds, unreadable
    )
    return results.graded(info, seed, isolation.as_dict(), entries, faults)
