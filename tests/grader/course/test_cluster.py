"""grader/course/cluster.py: does a batch on a Dask cluster give exactly the local results?"""

import json
import shutil
from pathlib import Path

import pytest

from grader import catalog
from grader.authoring.reference import zip_submission
from grader.course import batch, tasks, workers
from grader.course import cluster as distributed

ONLY = ["fc.affine_forward", "fc.relu_forward"]


def task_for(path: Path) -> tasks.Task:
    return tasks.Task("x", str(path), 0, tuple(ONLY), str(catalog.CATALOG_PATH), True, 60.0)


def test_a_zip_travels_as_bytes_and_a_folder_by_path(tmp_path):
    (tmp_path / "a.zip").write_bytes(b"PK-bytes")
    (tmp_path / "b").mkdir()
    assert distributed.payload(task_for(tmp_path / "a.zip")) == b"PK-bytes"
    assert distributed.payload(task_for(tmp_path / "b")) is None


def test_a_shipped_zip_is_graded_under_its_own_name_from_its_bytes(tmp_path, monkeypatch):
    seen = {}

    def fake_grade(task):
        path = Path(task.path)
        seen.update(name=path.name, data=path.read_bytes(), elsewhere=path.parent != tmp_path)
        return {"ok": True}

    monkeypatch.setattr(workers, "grade_isolated", fake_grade)
    assert distributed.grade_remote(task_for(tmp_path / "alice.zip"), b"zip bytes") == {"ok": True}
    assert seen == {"name": "alice.zip", "data": b"zip bytes", "elsewhere": True}


@pytest.mark.slow
def test_results_on_a_two_worker_cluster_are_identical_to_local_mode(
    reference_submission, skeleton_submission, tmp_path, monkeypatch, strip_timing
):
    dask_distributed = pytest.importorskip("distributed")
    monkeypatch.setattr(distributed, "MIN_WINDOW", 1)  # 2 threads: 4 at a time, then 1 more
    subs = tmp_path / "subs"
    shutil.copytree(reference_submission, subs / "alice")
    zip_submission(reference_submission, subs / "bob.zip")
    shutil.copytree(skeleton_submission, subs / "carol")
    zip_submission(skeleton_submission, subs / "dave.zip")
    zip_submission(reference_submission, subs / "erin.zip")
    local = batch.run_batch(
        submissions=subs, out=tmp_path / "local", jobs=2, only=ONLY, progress=False
    )
    with dask_distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        remote = batch.run_batch(
            submissions=subs,
            out=tmp_path / "cluster",
            scheduler=cluster.scheduler_address,
            only=ONLY,
            progress=False,
        )
    assert remote["graded"] == local["graded"] == 5
    names = sorted(p.name for p in (tmp_path / "local" / "results").iterdir())
    assert names == sorted(p.name for p in (tmp_path / "cluster" / "results").iterdir())
    for name in names:
        here = json.loads((tmp_path / "local" / "results" / name).read_text())
        there = json.loads((tmp_path / "cluster" / "results" / name).read_text())
        assert strip_timing(there) == strip_timing(here), name
    gradebook = (tmp_path / "local" / "gradebook.csv").read_text()
    assert (tmp_path / "cluster" / "gradebook.csv").read_text() == gradebook
