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

import csv
import json
import os
import queue
import re
import signal
import statistics
import subprocess
import sys
import threading
import traceback
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import asdict, dataclass
from pathlib import Path

import jsonschema
import numpy as np

from . import __version__, catalog, intake, overlay, pipeline, report, sandbox

RESULTS_DIR = "results"
GRADEBOOK = "gradebook.csv"
SUMMARY_JSON = "summary.json"
SUMMARY_TEXT = "summary.txt"
MANIFEST = "batch.json"
# Slack over the catalog's per-question time limits before a worker is killed: the worker's own
# start-up (imports, data set) and the reference computations are not inside those limits.
BUDGET_SLACK_SECONDS = 120.0
# Whatever a worker prints goes to stderr; its stdout carries only the JSON answers.
_SERVE_FLAG = "--serve"
_NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")
_NOT_A_FAILURE = {"passed", "info", "answered"}
_CSV_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class BatchError(Exception):
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


# ---------------------------------------------------------------------------------------------
# Finding submissions


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


# ---------------------------------------------------------------------------------------------
# Grading one submission (inside a worker)


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
        report.validate(doc)
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
    isolation = sandbox.describe(bwrap)
    feedback = f"not graded: {reason}; the instructor has been told (not your fault)"
    entries = [
        {
            "id": q["id"],
            "title": q["title"],
            "notebook": q["notebook"],
            "kind": q["kind"],
            "score": 0.0,
            "max_score": float(q["points"]),
            "status": "error",
            "feedback": feedback,
            "seconds": 0.0,
            "checks": [{"name": "grader", "status": "error", "message": reason}],
        }
        for q in questions
    ]
    return {
        "schema_version": 1,
        "grader_version": __version__,
        "submission": {
            "name": Path(task.path).name,
            "sha256": "",
            "missing_files": [],
            "extra_files": [],
        },
        "status": "rejected",
        "error": f"not graded: {reason}",
        "grader_faults": [reason],
        "grading_seed": task.seed,
        "total": 0.0,
        "max_score": float(sum(q["points"] for q in questions)),
        "isolation": {
            "sandbox": isolation.sandbox,
            "reduced": isolation.reduced,
            "note": isolation.note,
        },
        "questions": entries,
    }


def _json_default(value):
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def serve(requests=None, answers=None) -> None:
    """Worker main loop: one JSON task per input line, one JSON results document per output
    line, until end of input. Anything else printed goes to stderr."""
    if answers is None:
        answers = os.fdopen(os.dup(sys.stdout.fileno()), "w", encoding="utf-8")
        os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    for line in requests if requests is not None else sys.stdin:
        if not line.strip():
            continue
        fields = json.loads(line)
        fields["only"] = tuple(fields["only"]) if fields["only"] else None
        doc = grade_task(Task(**fields))
        answers.write(json.dumps(doc, sort_keys=True, default=_json_default) + "\n")
        answers.flush()


# ---------------------------------------------------------------------------------------------
# Workers: long-lived processes the batch process can kill


def _worker_env() -> dict[str, str]:
    """The batch's environment, with one BLAS thread per worker (the workers are the
    parallelism) and this grader importable first, so every worker runs the same code."""
    env = dict(os.environ)
    for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        env[name] = "1"
    here = str(Path(__file__).resolve().parent.parent)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (here, env.get("PYTHONPATH")) if p)
    return env


class Worker:
    """One worker process (``python -m grader.batch --serve``), started on first use and
    restarted after it dies or is killed. ``grade`` always returns a results document."""

    def __init__(self, command: list[str] | None = None) -> None:
        self.command = command or [sys.executable, "-m", "grader.batch", _SERVE_FLAG]
        self.proc: subprocess.Popen | None = None
        self.closed = False
        self._busy = False
        self._lock = threading.Lock()

    def _start(self) -> subprocess.Popen:
        # A session of its own: a Ctrl-C at the terminal reaches the batch process only, which
        # then kills the workers, so an interrupted submission is never half recorded.
        return subprocess.Popen(
            self.command,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            encoding="utf-8",
            env=_worker_env(),
            start_new_session=True,
        )

    def grade(self, task: Task) -> dict:
        with self._lock:
            if self.closed:
                return failed_document(task, "the batch was stopped")
            if self.proc is None or self.proc.poll() is not None:
                if self.proc is not None:
                    _discard(self.proc)
                self.proc = self._start()
            proc = self.proc
            self._busy = True
        expired = threading.Event()

        def expire():
            expired.set()
            _kill_group(proc)

        timer = threading.Timer(task.budget, expire)
        timer.start()
        try:
            proc.stdin.write(json.dumps(asdict(task)) + "\n")
            proc.stdin.flush()
            line = proc.stdout.readline()
        except OSError:  # the worker died before it read the task
            line = ""
        finally:
            timer.cancel()
            with self._lock:
                self._busy = False
        if line:
            try:
                return json.loads(line)
            except ValueError:
                pass
        with self._lock:
            if self.proc is proc:
                self.proc = None
        _discard(proc)
        if expired.is_set():
            reason = f"grading took longer than {task.budget:.0f} s and was stopped"
        else:
            reason = f"the grading process died ({_exit_reason(proc.returncode)})"
        return failed_document(task, reason)

    def kill(self) -> None:
        """Kill the worker and refuse new tasks. A task in progress ends as a failed document
        that nobody records (the batch is being stopped)."""
        with self._lock:
            self.closed = True
            proc, busy = self.proc, self._busy
            if not busy:
                self.proc = None
        if proc is not None:
            if busy:
                _kill_group(proc)  # the grading thread sees end of output and cleans up
            else:
                _discard(proc)

    def close(self) -> None:
        """Let the worker finish: end of input makes it exit; kill it if it does not."""
        with self._lock:
            self.closed = True
            proc, self.proc = self.proc, None
        if proc is None:
            return
        try:
            proc.stdin.close()
            proc.wait(timeout=30)
        except (OSError, subprocess.TimeoutExpired):
            pass
        _discard(proc)


def _kill_group(proc: subprocess.Popen) -> None:
    """SIGKILL the worker's session (the worker and whatever it started in it)."""
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass


def _discard(proc: subprocess.Popen) -> None:
    _kill_group(proc)
    proc.wait()
    for pipe in (proc.stdin, proc.stdout):
        try:
            pipe.close()
        except OSError:
            pass


def _exit_reason(code: int | None) -> str:
    if code is not None and code < 0:
        try:
            return f"killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"killed by signal {-code}"
    return f"exit code {code}"


class WorkerPool:
    """``size`` workers shared by the threads that hand them tasks."""

    def __init__(self, size: int) -> None:
        self.workers = [Worker() for _ in range(size)]
        self._idle: queue.Queue[Worker] = queue.Queue()
        for worker in self.workers:
            self._idle.put(worker)

    def grade(self, task: Task) -> dict:
        worker = self._idle.get()
        try:
            return worker.grade(task)
        except Exception as exc:  # a bug here must still not stop the batch
            return failed_document(task, f"the batch worker failed ({type(exc).__name__}: {exc})")
        finally:
            self._idle.put(worker)

    def close(self) -> None:
        for worker in self.workers:
            worker.close()

    def kill(self) -> None:
        for worker in self.workers:
            worker.kill()


_thread_worker = threading.local()


def grade_isolated(task: Task) -> dict:
    """Grade ``task`` in this thread's own worker process (started on first use).

    Used where the caller has threads but no pool of its own: a Dask worker's task threads.
    """
    worker = getattr(_thread_worker, "worker", None)
    if worker is None:
        worker = _thread_worker.worker = Worker()
    return worker.grade(task)


def grade_locally(tasks: list[Task], jobs: int, record: Callable[[Task, dict], None]) -> None:
    """Grade ``tasks`` on ``jobs`` local worker processes, calling ``record`` (in this thread)
    as each finishes. On an interrupt the workers are killed and nothing more is recorded."""
    pool = WorkerPool(max(1, min(jobs, len(tasks))))
    threads = ThreadPoolExecutor(max_workers=len(pool.workers), thread_name_prefix="grade")
    try:
        futures = {threads.submit(pool.grade, task): task for task in tasks}
        for future in as_completed(futures):
            record(futures[future], future.result())
    except BaseException:
        threads.shutdown(wait=False, cancel_futures=True)
        pool.kill()
        raise
    threads.shutdown()
    pool.close()


# ---------------------------------------------------------------------------------------------
# Resuming


def fingerprint(path: Path, allow: intake.AllowList) -> str:
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


# ---------------------------------------------------------------------------------------------
# The batch


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

    from .course import records as course_records
    from .course import regrade

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
    allow = overlay.allow_list()
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
            from .distributed import grade_on_cluster

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
    tmp = out / f".{SUMMARY_TEXT}.tmp"
    tmp.write_text(text + "\n", encoding="utf-8")
    os.replace(tmp, out / SUMMARY_TEXT)
    return summary


# ---------------------------------------------------------------------------------------------
# Gradebook and summary


def _cell(text: str) -> str:
    """A text cell a spreadsheet will not run as a formula (names come from students)."""
    return "'" + text if text.startswith(_CSV_FORMULA_START) else text


def _number(value: float) -> str:
    return f"{round(value, 4):g}"


def _state(doc: dict | None) -> str:
    if doc is None:
        return "missing"
    if doc.get("grader_faults") and doc["status"] == "rejected":
        return "not_graded"
    return doc["status"]


def write_gradebook(docs: dict[str, dict | None], questions: list[dict], path: Path) -> None:
    """One row per submission (sorted by id), one column per question, then the total.

    ``status`` is graded, rejected (the submission could not be read), not_graded (a grader
    failure; a rerun retries it) or missing (no results file); ``note`` says why.
    """
    ids = [q["id"] for q in questions]
    header = ["submission", "status", "total", "max_score", *ids, "note"]
    rows = []
    for sub_id in sorted(docs):
        doc = docs[sub_id]
        if doc is None:
            rows.append([_cell(sub_id), "missing", "", "", *[""] * len(ids), "no results file"])
            continue
        scores = {q["id"]: q["score"] for q in doc["questions"]}
        note = doc.get("error") or "; ".join(doc.get("grader_faults", []))
        rows.append(
            [
                _cell(sub_id),
                _state(doc),
                _number(doc["total"]),
                _number(doc["max_score"]),
                *[_number(scores[i]) if i in scores else "" for i in ids],
                _cell(note),
            ]
        )
    write_csv(path, header, rows)


def write_csv(path: Path, header: list[str], rows: list[list[str]]) -> None:
    """Write a CSV atomically (a temporary file beside it, then a rename)."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.tmp")
    with open(tmp, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)
    os.replace(tmp, path)


def failure_reasons(question: dict) -> set[str]:
    """Why a question did not pass, as reasons that group across submissions: the messages of
    its failing checks with every number replaced by ``#``."""
    reasons = {
        _NUMBER.sub("#", c["message"] or c["status"]).strip()
        for c in question["checks"]
        if c["status"] not in _NOT_A_FAILURE
    }
    return reasons or {question["status"]}


def _stats(values: list[float]) -> dict:
    if not values:
        return {"mean": None, "median": None, "min": None, "max": None}
    return {
        "mean": round(statistics.fmean(values), 4),
        "median": round(statistics.median(values), 4),
        "min": round(min(values), 4),
        "max": round(max(values), 4),
    }


def summarize(docs: dict[str, dict | None], questions: list[dict], top: int = 3) -> dict:
    """Per question: mean, median, full marks, statuses and the ``top`` failure reasons (over
    the graded submissions); which submissions were rejected or not graded, and why."""
    graded = {k: d for k, d in docs.items() if d is not None and _state(d) == "graded"}
    per_question = []
    for q in questions:
        entries = [e for d in graded.values() for e in d["questions"] if e["id"] == q["id"]]
        reasons: Counter[str] = Counter()
        for e in entries:
            if e["status"] not in ("passed", "manual"):
                reasons.update(failure_reasons(e))
        per_question.append(
            {
                "id": q["id"],
                "title": q["title"],
                "max_score": float(q["points"]),
                **_stats([e["score"] for e in entries]),
                "full_marks": sum(e["score"] >= e["max_score"] for e in entries),
                "statuses": dict(sorted(Counter(e["status"] for e in entries).items())),
                "common_failures": [
                    {"reason": r, "submissions": n}
                    for r, n in sorted(reasons.items(), key=lambda item: (-item[1], item[0]))[:top]
                ],
            }
        )
    problems = {
        state: [
            {"submission": k, "reason": d.get("error", "") if d else "no results file"}
            for k, d in sorted(docs.items())
            if _state(d) == state
        ]
        for state in ("rejected", "not_graded", "missing")
    }
    # The grader's isolation, for the instructor: each distinct level with how many it covered.
    levels: Counter[tuple] = Counter(
        (d["isolation"]["sandbox"], d["isolation"]["reduced"], d["isolation"]["note"])
        for d in docs.values()
        if d is not None and "isolation" in d
    )
    isolation = {
        "reduced": sum(n for (_, reduced, _), n in levels.items() if reduced),
        "levels": [
            {"sandbox": sb, "reduced": reduced, "note": note, "submissions": n}
            for (sb, reduced, note), n in sorted(levels.items())
        ],
    }
    return {
        "submissions": len(docs),
        "graded": len(graded),
        "isolation": isolation,
        **{state: len(items) for state, items in problems.items()},
        "max_score": float(sum(q["points"] for q in questions)),
        "total": _stats([d["total"] for d in graded.values()]),
        "questions": per_question,
        "problems": problems,
    }


def _fmt(value) -> str:
    return "-" if value is None else f"{value:g}"


def summary_text(summary: dict) -> str:
    """The summary as a plain-text report."""
    lines = [
        f"{summary['submissions']} submissions: {summary['graded']} graded, "
        f"{summary['rejected']} rejected, {summary['not_graded']} not graded (grader failure), "
        f"{summary['missing']} missing",
        f"graded now: {summary.get('graded_now', 0)}, skipped as already graded: "
        f"{summary.get('skipped', 0)}",
        f"total over graded submissions: mean {_fmt(summary['total']['mean'])}, median "
        f"{_fmt(summary['total']['median'])} of {_fmt(summary['max_score'])}",
    ]
    for level in summary.get("isolation", {}).get("levels", []):
        flag = "REDUCED " if level["reduced"] else ""
        lines.append(f"{flag}isolation ({level['submissions']} submissions): {level['note']}")
    lines.append("")
    width = max([len(q["id"]) for q in summary["questions"]] + [8])
    lines.append(
        f"{'question':<{width}}  {'max':>5}  {'mean':>6}  {'median':>6}  {'full':>5}"
        "  most common failure reasons"
    )
    for q in summary["questions"]:
        reasons = "; ".join(
            f"{_short(f['reason'])} ({f['submissions']})" for f in q["common_failures"]
        )
        lines.append(
            f"{q['id']:<{width}}  {_fmt(q['max_score']):>5}  {_fmt(q['mean']):>6}  "
            f"{_fmt(q['median']):>6}  {q['full_marks']:>5}  {reasons or '-'}"
        )
    for state, title in (
        ("rejected", "Rejected (could not be read)"),
        ("not_graded", "Not graded (grader failure; a rerun retries them)"),
        ("missing", "Missing results"),
    ):
        items = summary["problems"][state]
        if items:
            lines += ["", f"{title}:"]
            lines += [f"  {item['submission']}: {_short(item['reason'], 100)}" for item in items]
    return "\n".join(lines)


def _short(text: str, limit: int = 80) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


if __name__ == "__main__":
    if sys.argv[1:] == [_SERVE_FLAG]:
        serve()
    else:
        sys.exit(f"usage: {sys.executable} -m grader.batch {_SERVE_FLAG} (a batch worker)")
