"""Scale-out: grade a batch on a Dask distributed cluster instead of local worker processes.

The batch process is a Dask client: it submits one task per submission to the scheduler at
``address`` and writes each results document as it comes back, exactly as in local mode (the
results directory, gradebook and summary live only where the batch runs). On a Dask worker a
task grades in that worker thread's own grading process (``workers.grade_isolated``), the same
code and deadline as local mode, so the results are the same.

Zip submissions travel with their task (their bytes), so workers need no shared filesystem;
folder submissions are graded by path, so workers must see them at the same path. Every
worker needs scratchnet installed (same version) and, for full isolation, bubblewrap.

Needs ``dask[distributed]`` (``pip install 'scratchnet[cluster]'``).
"""

from __future__ import annotations

import tempfile
import uuid
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from grader.course import workers
from grader.course.tasks import Task

CONNECT_TIMEOUT = "20s"
MIN_WINDOW = 8


def payload(task: Task) -> bytes | None:
    """What travels with the task: a zip's bytes, or None (a folder, read in place)."""
    path = Path(task.path)
    return path.read_bytes() if path.is_file() else None


def grade_remote(task: Task, data: bytes | None) -> dict:
    """Runs on a Dask worker: grade one submission, from its bytes when it has them.

    The zip is written under its own file name, so the results name it as local mode does.
    """
    if data is None:
        return workers.grade_isolated(task)
    with tempfile.TemporaryDirectory(prefix="scratchnet-batch-") as tmp:
        local = Path(tmp) / Path(task.path).name
        local.write_bytes(data)
        return workers.grade_isolated(replace(task, path=str(local)))


def grade_on_cluster(
    tasks: list[Task], *, address: str, record: Callable[[Task, dict], None]
) -> None:
    """Grade ``tasks`` on the Dask cluster at ``address``, calling ``record`` (in this thread)
    as each finishes. A task the cluster loses (a worker died too often) is recorded as not
    graded; an interrupt cancels what has not started.

    Only a window of tasks (twice the cluster's threads, at least ``MIN_WINDOW``) is submitted
    at a time, so the scheduler never holds the bytes of a whole course.
    """
    try:
        from distributed import Client, as_completed
    except ImportError:
        raise tasks.BatchError(
            "grading on a cluster needs Dask: pip install 'scratchnet[cluster]'"
        ) from None
    try:
        client = Client(address, timeout=CONNECT_TIMEOUT)
    except OSError as exc:
        raise tasks.BatchError(f"cannot reach the Dask scheduler at {address}: {exc}") from None
    run = uuid.uuid4().hex[:8]  # keys unique per run: two batches may share a scheduler
    waiting = iter(tasks)
    futures = {}
    with client:
        window = max(MIN_WINDOW, 2 * sum(client.nthreads().values()))
        done = as_completed()

        def submit_next() -> None:
            task = next(waiting, None)
            if task is not None:
                key = f"grade-{task.id}-{run}"
                future = client.submit(grade_remote, task, payload(task), key=key)
                futures[future] = task
                done.add(future)

        try:
            for _ in range(window):
                submit_next()
            for future in done:
                task = futures.pop(future)
                try:
                    doc = future.result()
                except Exception as exc:  # lost on the cluster: that submission only
                    doc = tasks.failed_document(
                        task, f"the cluster could not grade it ({type(exc).__name__}: {exc})"
                    )
                record(task, doc)
                submit_next()
        except BaseException:
            client.cancel(list(futures))
            raise
