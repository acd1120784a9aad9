"""Worker processes of a batch: each lives for the whole batch (imports and the data set are
loaded once per worker), grades one task at a time, and is killed and replaced when it dies or
overruns, so that a broken or hostile submission costs only itself.

``python -m grader.course.workers --serve`` is one worker (started by ``Worker``).
"""

from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import sys
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import asdict
from pathlib import Path

import numpy as np

from grader.course.tasks import Task, failed_document, grade_task

# Whatever a worker prints goes to stderr; its stdout carries only the JSON answers.
_SERVE_FLAG = "--serve"


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


def _worker_env() -> dict[str, str]:
    """The batch's environment, with one BLAS thread per worker (the workers are the
    parallelism) and this grader importable first, so every worker runs the same code."""
    env = dict(os.environ)
    for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        env[name] = "1"
    here = str(Path(__file__).resolve().parents[2])
    env["PYTHONPATH"] = os.pathsep.join(p for p in (here, env.get("PYTHONPATH")) if p)
    return env


class Worker:
    """One worker process (``python -m grader.course.workers --serve``), started on first use and
    restarted after it dies or is killed. ``grade`` always returns a results document."""

    def __init__(self, command: list[str] | None = None) -> None:
        self.command = command or [sys.executable, "-m", "grader.course.workers", _SERVE_FLAG]
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


if __name__ == "__main__":
    if sys.argv[1:] == [_SERVE_FLAG]:
        serve()
    else:
        sys.exit(f"usage: {sys.executable} -m grader.course.workers {_SERVE_FLAG} (a batch worker)")
