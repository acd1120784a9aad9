"""What a batch grades and where its results go: discovery of the submissions, one task per
submission, grading it (or the document that says it was not graded), and resuming.
"""

from __future__ import annotations

import json
import subprocess
import sys
import traceback
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import jsonschema

from grader import __version__, catalog, sandbox
from grader.authoring import layout
from grader.engine import intake, pipeline, report, results
from grader.errors import SetupError

RESULTS_DIR = "results"


MANIFEST = "batch.json"


class BatchError(SetupError):
    """The batch cannot start (no such folder, cluster unreachable); the message says why."""


@dataclass(frozen=True)
class Task:
    """One submission to grade and the settings to grade it with (plain data: it crosses
    process and machine boundaries as JSON or a Dask argument).

    - id: the submission's name in the batch (``alice`` for ``alice.zip``); names its results
    - path: the zip file or folder
    - seed, only, catalog_path, use_sandbox: passed on to ``pipeline.grade``
    - budget: seconds the submission may take in all before its worker is killed
    """

    id: str
    path: str
    seed: int
    only: tuple[str, ...] | None
    catalog_path: str
    use_sandbox: bool
    budget: float


def discover(submissions_dir: Path, exclude: Path | None = None) -> dict[str, Path]:
    """The submissions in a folder, by id: every ``*.zip`` file and every sub-folder.

    Hidden entries, ``__MACOSX`` and other files are not submissions; ``exclude`` (the output
    folder, when it sits inside the submissions folder) is skipped. The id is the name without
    ``.zip``; where a zip and a folder would share an id, both keep their full names.
    """
    submissions_dir = Path(submissions_dir)
    if not submissions_dir.is_dir():
        raise BatchError(f"{submissions_dir} is not a folder of submissions")
    skip = exclude.resolve() if exclude is not None else None
    entries = []
    for entry in sorted(submissions_dir.iterdir()):
        if entry.name.startswith(".") or entry.name == "__MACOSX":
            continue
        if skip is not None and entry.resolve() == skip:
            continue
        if entry.is_dir() or (entry.is_file() and entry.suffix.lower() == ".zip"):
            entries.append(entry)
    stems = Counter(_stem(e) for e in entries)
    return {(_stem(e) if stems[_stem(e)] == 1 else e.name): e for e in entries}


def _stem(entry: Path) -> str:
    return entry.stem if entry.suffix.lower() == ".zip" and not entry.is_dir() else entry.name


def result_path(out_dir: Path, sub_id: str) -> Path:
    return Path(out_dir) / RESULTS_DIR / f"{sub_id}.json"


def grade_task(task: Task) -> dict:
    """Grade one submission in this process; never raises for a problem with the submission.

    A grader exception becomes a results document that says the submission was not graded
    (``grader_faults`` set), so a batch records it and goes on.
    """
    try:
        doc = pipeline.grade(
            submission=Path(task.path),
            seed=task.seed,
            only=list(task.only) if task.only else None,
            catalog_path=Path(task.catalog_path),
            use_sandbox=task.use_sandbox,
        )
        return doc
    except Exception as exc:  # one submission's grader failure must not stop the batch
        traceback.print_exc(file=sys.stderr)
        return failed_document(task, f"the grader failed ({type(exc).__name__}: {exc})")


def failed_document(task: Task, reason: str) -> dict:
    """A valid results document for a submission that could not be graded: every question 0,
    each saying why, and ``grader_faults`` set so that a rerun tries it again.

    Built from the catalog alone (no scoring code), so it cannot fail the way grading did.
    """
    try:
        questions = catalog.select(catalog.load_catalog(Path(task.catalog_path)), task.only)
    except catalog.CatalogError:
        questions = []
    try:
        bwrap = sandbox.find_bwrap() if task.use_sandbox else None
    except (OSError, subprocess.SubprocessError):
        bwrap = None
    isolation = sandbox.describe(bwrap).as_dict()
    return results.grader_failed(Path(task.path).name, reason, task.seed, questions, isolation)


def fingerprint(path: Path, allow: layout.AllowList) -> str:
    """The sha256 that ``grade`` reports for this submission ("" when it cannot be read)."""
    try:
        return intake.read_submission(Path(path), allow).sha256
    except intake.IntakeError:
        return ""


def is_current(doc: dict, task: Task, questions: list[dict], sha256: str) -> bool:
    """Whether an existing results document still stands for ``task``: it is valid, it graded
    the same submission bytes with the same seed, questions, points and grader version, and
    no grader fault spoiled it."""
    try:
        report.validate(doc)
    except jsonschema.ValidationError:
        return False
    wanted = [(q["id"], float(q["points"])) for q in questions]
    graded = [(q["id"], q["max_score"]) for q in doc["questions"]]
    return (
        doc["grading_seed"] == task.seed
        and doc["grader_version"] == __version__
        and graded == wanted
        and not doc.get("grader_faults")
        and doc["submission"]["sha256"] == sha256
    )


def load_result(path: Path) -> dict | None:
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
