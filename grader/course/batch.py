"""Batch mode: grade every submission in a folder, then write a gradebook and a summary.

``OUT_DIR`` gets one ``results/<submission>.json`` per submission (written atomically, as soon as
it is graded), ``gradebook.csv`` (a row per submission, a column per question, the total),
``summary.json`` and ``summary.txt`` (per question: mean, median, most common failure reasons),
and ``batch.json`` (what was graded, with which seed and questions).

Each submission is graded by ``pipeline.grade`` in a worker process of its own that lives for
the whole batch (imports and the data set are loaded once per worker, not per submission); the
student code still runs in the sandboxed child that ``grade`` starts. The batch process owns a
deadline per submission: a worker that dies or overruns is killed and replaced, and that
submission gets a results file saying it was not graded. So a broken or hostile submission costs
only itself. A rerun skips every submission whose results are current (same submission bytes,
seed, questions and grader version, no grader fault) unless ``force``.
"""

from __future__ import annotations

from pathlib import Path

import jsonschema

from grader import __version__, catalog
from grader.authoring import layout
from grader.course.gradebook import (
    GRADEBOOK,
    SUMMARY_JSON,
    SUMMARY_TEXT,
    summarize,
    summary_text,
    write_gradebook,
)
from grader.course.tasks import (
    MANIFEST,
    BatchError,
    Task,
    discover,
    failed_document,
    fingerprint,
    is_current,
    load_result,
    result_path,
)
from grader.course.workers import grade_locally
from grader.engine import report
from grader.files import write_atomic

# Slack over the catalog's per-question time limits before a worker is killed: the worker's own
# start-up (imports, data set) and the reference computations are not inside those limits.
BUDGET_SLACK_SECONDS = 120.0


def run_batch(
    *,
    submissions: Path,
    out: Path,
    jobs: int = 1,
    force: bool = False,
    scheduler: str | None = None,
    seed: int = 0,
    only: list[str] | None = None,
    catalog_path: Path = catalog.CATALOG_PATH,
    use_sandbox: bool = True,
    progress: bool = True,
    course=None,
) -> dict:
    """Grade every submission in ``submissions`` into ``out``; returns the summary.

    Args:
        submissions: a folder of submissions (zip files and/or folders).
        out: where results, gradebook and summary go (created if needed).
        jobs: local worker processes grading at once (ignored with ``scheduler``).
        force: regrade submissions whose results are current.
        scheduler: a Dask scheduler address (``tcp://host:8786``): grade on that cluster.
        seed, only, catalog_path, use_sandbox: as for ``pipeline.grade``.
        progress: show a progress bar (on a terminal).
        course: a ``grader.course.records.CourseSettings`` (roster, deadline, late policy);
            the course records, reports and regrade changes are written in any case.
    Raises:
        catalog.CatalogError: the catalog is invalid or ``only`` matches nothing.
        BatchError: ``submissions`` is not a folder, the cluster cannot be used, or a course
            file (roster, extensions, manifest) or setting is invalid.
    """
    from tqdm import tqdm

    from grader.course import records as course_records
    from grader.course import regrade

    questions = catalog.select(catalog.load_catalog(Path(catalog_path)), only)
    submissions, out = Path(submissions).resolve(), Path(out).resolve()
    found = discover(submissions, exclude=out)
    try:
        course_state = course_records.prepare(course, submissions)
    except ValueError as exc:
        raise BatchError(str(exc)) from exc
    archive = regrade.Archive(out)
    out.mkdir(parents=True, exist_ok=True)
    only_t = tuple(only) if only else None
    budget = sum(q["time_limit"] for q in questions) + BUDGET_SLACK_SECONDS
    tasks = [
        Task(
            sub_id, str(path), seed, only_t, str(Path(catalog_path).resolve()), use_sandbox, budget
        )
        for sub_id, path in found.items()
    ]
    report.write_json(
        {
            "submissions_dir": str(submissions),
            "seed": seed,
            "only": list(only_t) if only_t else None,
            "catalog_path": str(Path(catalog_path).resolve()),
            "grader_version": __version__,
            "submissions": {t.id: Path(t.path).name for t in tasks},
        },
        out / MANIFEST,
    )
    allow = layout.allow_list()
    todo = []
    for task in tasks:
        doc = None if force else load_result(result_path(out, task.id))
        if doc is None or not is_current(doc, task, questions, fingerprint(task.path, allow)):
            todo.append(task)
    skipped = len(tasks) - len(todo)

    bar = tqdm(total=len(todo), unit="sub", desc="grading", disable=None if progress else True)

    def record(task: Task, doc: dict) -> None:
        try:
            report.validate(doc)
        except jsonschema.ValidationError as exc:
            doc = failed_document(task, f"the grader produced invalid results ({exc.message})")
        archive.keep(task.id)  # the earlier results go to results/history/
        report.write_json(doc, result_path(out, task.id))
        bar.set_postfix_str(task.id, refresh=False)
        bar.update()

    try:
        if not todo:
            pass
        elif scheduler:
            from grader.course.cluster import grade_on_cluster

            grade_on_cluster(todo, address=scheduler, record=record)
        else:
            grade_locally(todo, jobs, record)
    finally:
        bar.close()

    docs = {t.id: load_result(result_path(out, t.id)) for t in tasks}
    write_gradebook(docs, questions, out / GRADEBOOK)
    summary = summarize(docs, questions)
    summary["skipped"] = skipped
    summary["graded_now"] = len(todo)
    extra = {
        "regrade": regrade.finish(out, archive, docs),
        "course": course_records.finish(
            out=out, docs=docs, questions=questions, course=course_state
        ),
    }
    summary.update(extra)  # each with a "text" paragraph for summary.txt
    report.write_json(summary, out / SUMMARY_JSON)
    text = "\n\n".join([summary_text(summary), *(d["text"] for d in extra.values() if d["text"])])
    write_atomic(out / SUMMARY_TEXT, text + "\n")
    return summary
