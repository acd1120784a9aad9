"""grader/course/batch.py: does a batch grade every submission, survive the bad ones, and resume?"""

import csv
import json
import shutil
import statistics
import sys
import time
import zipfile
from pathlib import Path

import pytest

from grader import catalog, cli
from grader.authoring.reference import zip_submission
from grader.course import batch, gradebook, tasks, workers
from grader.engine import report

ONLY = ["fc.affine_forward", "fc.relu_forward"]
POINTS = {"fc.affine_forward": 2.0, "fc.relu_forward": 1.0}


def read_gradebook(path: Path) -> list[dict]:
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def mixed(tmp_path_factory, reference_submission, skeleton_submission):
    """A class of five: two reference copies (folder, zip), the skeleton, a file that is not a
    zip and a zip that tries path traversal; plus a README that is not a submission."""
    subs = tmp_path_factory.mktemp("mixed")
    shutil.copytree(reference_submission, subs / "alice")
    zip_submission(reference_submission, subs / "bob.zip")
    shutil.copytree(skeleton_submission, subs / "carol")
    (subs / "dave.zip").write_bytes(b"this is not a zip file")
    with zipfile.ZipFile(subs / "eve.zip", "w") as archive:
        archive.writestr("../../etc/evil.py", "print('escaped')\n")
    (subs / "README.txt").write_text("not a submission\n")
    return subs


@pytest.fixture(scope="module")
def parallel_run(mixed, tmp_path_factory):
    out = tmp_path_factory.mktemp("out-j2")
    summary = batch.run_batch(submissions=mixed, out=out, jobs=2, only=ONLY, progress=False)
    return out, summary


def test_discover_finds_zips_and_folders_but_not_other_files_or_the_output_folder(tmp_path):
    (tmp_path / "a.zip").write_bytes(b"")
    (tmp_path / "b").mkdir()
    (tmp_path / ".hidden").mkdir()
    (tmp_path / "__MACOSX").mkdir()
    (tmp_path / "notes.txt").write_text("x")
    (tmp_path / "out").mkdir()
    found = tasks.discover(tmp_path, exclude=tmp_path / "out")
    assert found == {"a": tmp_path / "a.zip", "b": tmp_path / "b"}


def test_discover_keeps_full_names_when_a_zip_and_a_folder_share_a_name(tmp_path):
    (tmp_path / "a.zip").write_bytes(b"")
    (tmp_path / "a").mkdir()
    assert set(tasks.discover(tmp_path)) == {"a", "a.zip"}


def test_discover_refuses_a_missing_folder(tmp_path):
    with pytest.raises(tasks.BatchError, match="not a folder"):
        tasks.discover(tmp_path / "nowhere")


@pytest.mark.slow
def test_one_valid_results_file_per_submission_and_bad_ones_do_not_stop_the_batch(
    parallel_run,
):
    out, summary = parallel_run
    files = sorted(p.name for p in (out / "results").iterdir())
    assert files == ["alice.json", "bob.json", "carol.json", "dave.json", "eve.json"]
    for name in files:
        report.validate(json.loads((out / "results" / name).read_text()))
    assert summary["submissions"] == 5 and summary["graded"] == 3
    docs = {n: json.loads((out / "results" / f"{n}.json").read_text()) for n in ("dave", "eve")}
    for doc in docs.values():
        assert doc["total"] == 0
        assert doc["status"] == "rejected"
        assert doc["error"]
    assert not list((out / "results").glob(".*")), "temporary files left behind"


@pytest.mark.slow
def test_bad_zips_are_rejected_for_their_own_reason_not_as_grader_failures(parallel_run):
    out, _ = parallel_run
    for name, reason in (("dave", "not a readable zip"), ("eve", "path traversal")):
        doc = json.loads((out / "results" / f"{name}.json").read_text())
        assert "grader_faults" not in doc, doc.get("grader_faults")
        assert reason in doc["error"]


@pytest.mark.slow
def test_gradebook_has_a_row_per_submission_a_column_per_question_and_the_total(parallel_run):
    out, _ = parallel_run
    rows = read_gradebook(out / "gradebook.csv")
    assert list(rows[0]) == ["submission", "status", "total", "max_score", *ONLY, "note"]
    by_id = {r["submission"]: r for r in rows}
    assert sorted(by_id) == ["alice", "bob", "carol", "dave", "eve"]
    for sub in ("alice", "bob"):  # the reference solutions: full marks
        assert [float(by_id[sub][q]) for q in ONLY] == [POINTS[q] for q in ONLY]
        assert float(by_id[sub]["total"]) == float(by_id[sub]["max_score"]) == 3.0
    assert [float(by_id["carol"][q]) for q in ONLY] == [0.0, 0.0]
    for sub in ("dave", "eve"):
        assert float(by_id[sub]["total"]) == 0 and by_id[sub]["note"]


@pytest.mark.slow
def test_summary_statistics_match_the_gradebook(parallel_run):
    out, summary = parallel_run
    rows = [r for r in read_gradebook(out / "gradebook.csv") if r["status"] == "graded"]
    on_disk = json.loads((out / "summary.json").read_text())
    assert on_disk == json.loads(json.dumps(summary))
    for q in summary["questions"]:
        scores = [float(r[q["id"]]) for r in rows]
        assert q["mean"] == pytest.approx(statistics.fmean(scores), abs=1e-4)
        assert q["median"] == statistics.median(scores)
        assert q["full_marks"] == sum(s == POINTS[q["id"]] for s in scores)
    totals = [float(r["total"]) for r in rows]
    assert summary["total"]["mean"] == pytest.approx(statistics.fmean(totals), abs=1e-4)
    text = (out / "summary.txt").read_text()
    assert "fc.affine_forward" in text and "most common failure" in text


@pytest.mark.slow
def test_summary_names_the_skeletons_failure_with_its_line_number_masked(parallel_run):
    _, summary = parallel_run
    relu = next(q for q in summary["questions"] if q["id"] == "fc.relu_forward")
    assert relu["common_failures"] == [
        {
            "reason": "not implemented yet (assignment/layers.py, line #, in relu_forward)",
            "submissions": 1,
        }
    ]


@pytest.mark.slow
def test_parallel_results_are_identical_to_serial(mixed, parallel_run, tmp_path, strip_timing):
    out2, _ = parallel_run
    batch.run_batch(submissions=mixed, out=tmp_path, jobs=1, only=ONLY, progress=False)
    for path in sorted((out2 / "results").iterdir()):
        serial = json.loads((tmp_path / "results" / path.name).read_text())
        assert strip_timing(serial) == strip_timing(json.loads(path.read_text())), path.name
    assert (tmp_path / "gradebook.csv").read_text() == (out2 / "gradebook.csv").read_text()


@pytest.mark.slow
def test_rerun_skips_graded_work_regrades_changed_submissions_and_force_regrades_all(
    reference_submission, skeleton_submission, tmp_path
):
    subs, out = tmp_path / "subs", tmp_path / "out"
    shutil.copytree(reference_submission, subs / "alice")
    shutil.copytree(skeleton_submission, subs / "carol")
    first = batch.run_batch(submissions=subs, out=out, jobs=2, only=ONLY, progress=False)
    assert (first["graded_now"], first["skipped"]) == (2, 0)
    stamps = {p.name: p.stat().st_mtime_ns for p in (out / "results").iterdir()}

    again = batch.run_batch(submissions=subs, out=out, jobs=2, only=ONLY, progress=False)
    assert (again["graded_now"], again["skipped"]) == (0, 2)
    assert stamps == {p.name: p.stat().st_mtime_ns for p in (out / "results").iterdir()}

    # carol hands in working layers: only she is regraded, and her score changes
    layers = (reference_submission / "assignment" / "layers.py").read_text()
    (subs / "carol" / "assignment" / "layers.py").write_text(layers)
    changed = batch.run_batch(submissions=subs, out=out, jobs=2, only=ONLY, progress=False)
    assert (changed["graded_now"], changed["skipped"]) == (1, 1)
    assert json.loads((out / "results" / "carol.json").read_text())["total"] == 3.0
    assert (out / "results" / "alice.json").stat().st_mtime_ns == stamps["alice.json"]

    forced = batch.run_batch(
        submissions=subs, out=out, jobs=2, only=ONLY, force=True, progress=False
    )
    assert (forced["graded_now"], forced["skipped"]) == (2, 0)


@pytest.mark.slow
def test_an_interrupt_keeps_what_was_written_and_the_rerun_grades_only_the_rest(
    reference_submission, tmp_path, monkeypatch
):
    subs, out = tmp_path / "subs", tmp_path / "out"
    for name in ("a", "b", "c"):
        shutil.copytree(reference_submission, subs / name)
    real_write = report.write_json
    written = []

    def write_then_interrupt(document, path):
        if Path(path).parent.name == tasks.RESULTS_DIR:
            if written:  # Ctrl-C while the second result is being recorded
                raise KeyboardInterrupt
            written.append(Path(path).name)
        real_write(document, path)

    monkeypatch.setattr(report, "write_json", write_then_interrupt)
    with pytest.raises(KeyboardInterrupt):
        batch.run_batch(submissions=subs, out=out, jobs=1, only=ONLY, progress=False)
    monkeypatch.setattr(report, "write_json", real_write)
    kept = sorted(p.name for p in (out / "results").iterdir())
    assert len(kept) == 1 and not kept[0].startswith(".")
    report.validate(json.loads((out / "results" / kept[0]).read_text()))

    resumed = batch.run_batch(submissions=subs, out=out, jobs=1, only=ONLY, progress=False)
    assert (resumed["graded_now"], resumed["skipped"]) == (2, 1)
    assert resumed["graded"] == 3


@pytest.mark.slow
def test_a_submission_that_kills_its_grading_process_costs_only_itself(
    reference_submission, tmp_path, mutate
):
    """Without bubblewrap the student code can see its parent. Where the layers of issue 12
    apply (another user, or seccomp refusing signals to the grader) the kill fails and the
    submission is graded; otherwise killing it must not stop the batch: that submission is
    recorded as not graded and the next one is graded normally."""
    subs, out = tmp_path / "subs", tmp_path / "out"
    mutate(
        reference_submission,
        subs / "a-killer",
        "layers.py",
        "    out = np.maximum(0, x)\n",
        "    import os, signal\n    os.kill(os.getppid(), signal.SIGKILL)\n",
    )
    shutil.copytree(reference_submission, subs / "b-honest")
    summary = batch.run_batch(
        submissions=subs, out=out, jobs=1, only=ONLY, use_sandbox=False, progress=False
    )
    killer = json.loads((out / "results" / "a-killer.json").read_text())
    honest = json.loads((out / "results" / "b-honest.json").read_text())
    layers = {layer["name"] for layer in honest["isolation"]["layers"] if layer["applied"]}
    if {"user", "seccomp"} & layers:  # the signal is refused: graded, and it gains nothing
        assert killer["status"] == "graded" and summary["graded"] == 2
        relu = next(q for q in killer["questions"] if q["id"] == "fc.relu_forward")
        assert relu["score"] == 0
    else:
        assert killer["grader_faults"] and "died" in killer["error"]
        assert summary["not_graded"] == 1 and summary["graded"] == 1
    assert honest["total"] == 3.0


def task_for(path: Path, budget: float = 60.0) -> tasks.Task:
    return tasks.Task("x", str(path), 0, tuple(ONLY), str(catalog.CATALOG_PATH), False, budget)


def test_a_worker_that_overruns_its_budget_is_killed_and_the_submission_marked(tmp_path):
    worker = workers.Worker([sys.executable, "-c", "import time; time.sleep(60)"])
    begin = time.monotonic()
    doc = worker.grade(task_for(tmp_path, budget=1))
    assert time.monotonic() - begin < 15
    report.validate(doc)
    assert "longer than 1 s" in doc["error"] and doc["grader_faults"]
    assert [q["status"] for q in doc["questions"]] == ["error", "error"]
    worker.close()


def test_a_worker_that_dies_gives_a_not_graded_document_with_its_exit_code(tmp_path):
    worker = workers.Worker([sys.executable, "-c", "import os; os._exit(3)"])
    doc = worker.grade(task_for(tmp_path))
    report.validate(doc)
    assert "exit code 3" in doc["error"]
    worker.close()


def test_a_grader_exception_becomes_a_results_document_not_a_crash(tmp_path, monkeypatch):
    def explode(**kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(tasks.pipeline, "grade", explode)
    doc = tasks.grade_task(task_for(tmp_path))
    report.validate(doc)
    assert doc["grader_faults"] == ["the grader failed (RuntimeError: boom)"]
    assert doc["total"] == 0 and len(doc["questions"]) == 2


def test_a_results_file_stands_only_for_the_same_bytes_seed_questions_and_no_fault(tmp_path):
    task = task_for(tmp_path)
    questions = catalog.select(catalog.load_catalog(), ONLY)
    good = tasks.failed_document(task, "x")
    del good["grader_faults"]
    good["submission"]["sha256"] = "abc"
    assert tasks.is_current(good, task, questions, "abc")
    assert not tasks.is_current(good, task, questions, "def")  # resubmitted
    assert not tasks.is_current({**good, "grading_seed": 1}, task, questions, "abc")
    assert not tasks.is_current(good, task, questions[:1], "abc")  # other questions
    assert not tasks.is_current({**good, "grader_faults": ["x"]}, task, questions, "abc")
    assert not tasks.is_current({"truncated": True}, task, questions, "abc")


def test_gradebook_cells_from_student_names_cannot_run_as_spreadsheet_formulas(tmp_path):
    questions = catalog.select(catalog.load_catalog(), ONLY)
    doc = tasks.failed_document(task_for(tmp_path), "x")
    gradebook.write_gradebook({"=HYPERLINK(1)": doc}, questions, tmp_path / "g.csv")
    (row,) = read_gradebook(tmp_path / "g.csv")
    assert row["submission"] == "'=HYPERLINK(1)"


def test_failure_reasons_group_messages_that_differ_only_in_numbers():
    def question(message):
        return {
            "status": "failed",
            "checks": [{"name": "c", "status": "failed", "message": message}],
        }

    a = gradebook.failure_reasons(question("relative error 3.1e-02 above 1e-07 at line 40"))
    b = gradebook.failure_reasons(question("relative error 0.5 above 1e-07 at line 41"))
    assert a == b == {"relative error # above # at line #"}


@pytest.mark.slow
def test_cli_batch_and_single_grade_both_work(reference_submission, tmp_path):
    subs = tmp_path / "subs"
    shutil.copytree(reference_submission, subs / "alice")
    code = cli.main(["batch", str(subs), "-o", str(tmp_path / "out"), "-q", "--only", *ONLY])
    assert code == 0
    assert read_gradebook(tmp_path / "out" / "gradebook.csv")[0]["total"] == "3"
    single = tmp_path / "one.json"
    assert cli.main([str(reference_submission), "-o", str(single), "-q", "--only", *ONLY]) == 0
    assert json.loads(single.read_text())["total"] == 3.0


def test_cli_batch_on_a_missing_folder_is_an_error_not_a_traceback(tmp_path, capsys):
    assert cli.main(["batch", str(tmp_path / "nowhere"), "-o", str(tmp_path / "o")]) == 2
    assert "not a folder" in capsys.readouterr().err
