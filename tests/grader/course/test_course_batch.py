"""End to end: `grade batch --only fc.affine_forward` with a roster, a deadline, an extension
and a late policy, then a regrade after the question's points change, then the exports."""

import csv
import json
import shutil

import pytest

from grader import catalog, cli
from grader.authoring.reference import zip_submission
from grader.course import batch
from grader.course.records import CourseSettings

ROSTER = (
    "submission,name,id,sis_user_id,email,submitted_at\n"
    "alice,Alice,1,S1,alice@example.org,2026-12-01T20:00:00+01:00\n"
    "bob,Bob,2,S2,bob@example.org,2026-12-03T10:00:00+01:00\n"
    "carol,Carol,3,S3,carol@example.org,2026-12-02T10:00:00+01:00\n"
    "dan,Dan,4,S4,dan@example.org,\n"
)


def rows(path):
    with open(path, newline="", encoding="utf-8") as fh:
        return {r["submission"]: r for r in csv.DictReader(fh)}


@pytest.mark.slow
def test_a_course_graded_regraded_and_exported(tmp_path, reference_submission, skeleton_submission):
    subs, out = tmp_path / "submissions", tmp_path / "graded"
    subs.mkdir()
    zip_submission(reference_submission, subs / "alice.zip")
    shutil.copytree(reference_submission, subs / "bob")
    zip_submission(skeleton_submission, subs / "carol.zip")
    (tmp_path / "roster.csv").write_text(ROSTER)
    (tmp_path / "ext.csv").write_text("submission,deadline\ncarol,2026-12-02T23:59:00+01:00\n")
    course = [
        "--roster", str(tmp_path / "roster.csv"),
        "--deadline", "2026-12-01T23:59:00+01:00",
        "--extensions", str(tmp_path / "ext.csv"),
        "--late-policy", "10%/day,max=50%,cutoff=7d",
    ]  # fmt: skip
    argv = ["batch", str(subs), "-o", str(out), "--only", "fc.affine_forward", "-q", *course]
    assert cli.main(argv) == 0

    book = rows(out / "gradebook.csv")
    assert [(s, r["status"], r["raw_total"], r["late_penalty"], r["final_total"]) for s, r in
            book.items()] == [
        ("alice", "graded", "2", "0", "2"),
        ("bob", "graded", "2", "0.4", "1.6"),  # 1 day 10 h late: 2 started days, 20%
        ("carol", "graded", "0", "0", "0"),  # on time for the extension
        ("dan", "missing", "0", "0", "0"),
    ]  # fmt: skip
    assert sorted(p.name for p in (out / "feedback").glob("*.html")) == [
        "alice.html", "bob.html", "carol.html", "dan.html",
    ]  # fmt: skip
    results = json.loads((out / "results" / "bob.json").read_text())
    assert results["isolation"]["note"] not in (out / "feedback" / "bob.html").read_text()
    assert not (out / "changes.csv").exists()  # nothing was graded before

    # The instructor makes fc.affine_forward worth 5 points: every submission is regraded.
    cat = json.loads(catalog.CATALOG_PATH.read_text())
    for q in cat["questions"]:
        if q["id"] == "fc.affine_forward":
            q["points"] = 5
    (tmp_path / "catalog.json").write_text(json.dumps(cat))
    settings = CourseSettings(
        roster=tmp_path / "roster.csv",
        deadline="2026-12-01T23:59:00+01:00",
        extensions=tmp_path / "ext.csv",
        late_policy="10%/day,max=50%,cutoff=7d",
    )
    summary = batch.run_batch(
        submissions=subs,
        out=out,
        only=["fc.affine_forward"],
        catalog_path=tmp_path / "catalog.json",
        progress=False,
        course=settings,
    )
    changes = rows(out / "changes.csv")
    assert list(changes) == ["alice", "bob"]  # carol scored 0 before and after
    assert changes["bob"]["old_total"] == "2" and changes["bob"]["new_total"] == "5"
    assert changes["bob"]["questions_changed"] == "fc.affine_forward: 2 -> 5"
    history = sorted(p.name.split(".")[0] for p in (out / "results" / "history").iterdir())
    assert history == ["alice", "bob", "carol"]
    text = (out / "summary.txt").read_text()
    assert "Regrade: 3 submission(s) with earlier results regraded" in text
    assert "  bob: 2 -> 5 (max 2 -> 5); fc.affine_forward: 2 -> 5" in text
    assert summary["regrade"]["regraded"] == ["alice", "bob", "carol"]
    assert rows(out / "gradebook.csv")["bob"]["final_total"] == "4"  # 5 less 20%

    assert cli.main(["export", "canvas", str(out), "-o", str(tmp_path / "canvas.csv")]) == 0
    with open(tmp_path / "canvas.csv", newline="") as fh:
        canvas = list(csv.reader(fh))
    assert canvas[1] == ["Points Possible", "", "", "", "", "5"]
    assert [r[5] for r in canvas[2:]] == ["5", "4", "0", "0"]
