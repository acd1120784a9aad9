"""grader/course/regrade.py: a regrade keeps the earlier results and lists exactly the students
whose scores changed."""

import csv
import json

from grader.course import regrade

from .conftest import make_doc, write_results


def rescore(doc, qid, points):
    """The document as it would be graded with ``qid`` worth ``points`` (same cases pass)."""
    doc = json.loads(json.dumps(doc))
    for q in doc["questions"]:
        if q["id"] == qid:
            q["score"] = q["score"] / q["max_score"] * points
            q["max_score"] = float(points)
    doc["total"] = sum(q["score"] for q in doc["questions"])
    doc["max_score"] = sum(q["max_score"] for q in doc["questions"])
    return doc


def test_changing_one_questions_points_lists_exactly_the_students_whose_totals_changed(tmp_path):
    out = tmp_path / "graded"
    before = write_results(
        out,
        {
            "ann": make_doc("ann", {"fc.affine_forward": 2, "fc.relu_forward": 1}),
            "ben": make_doc("ben", {"fc.affine_forward": 1}),  # partial
            "cat": make_doc("cat", {"fc.relu_forward": 1}),  # 0 on the changed question
            "dov": make_doc("dov", {}),
        },
    )
    archive = regrade.Archive(out)
    after = {}
    for sub, doc in before.items():  # what the batch's record() does for each regraded one
        archive.keep(sub)
        after[sub] = rescore(doc, "fc.affine_forward", 5)
        (out / "results" / f"{sub}.json").write_text(json.dumps(after[sub]))
    result = regrade.finish(out, archive, after)
    with open(out / "changes.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert [r["submission"] for r in rows] == ["ann", "ben"]
    assert rows[0]["old_total"] == "3" and rows[0]["new_total"] == "6"
    assert rows[0]["change"] == "+3" and rows[0]["new_max_score"] == "6"
    assert rows[1]["questions_changed"] == "fc.affine_forward: 1 -> 2.5"
    history = sorted(p.name.split(".")[0] for p in (out / "results" / "history").iterdir())
    assert history == ["ann", "ben", "cat", "dov"]  # every earlier result kept, none lost
    kept = next((out / "results" / "history").glob("ben.*.json"))
    assert json.loads(kept.read_text()) == before["ben"]
    assert result["text"].startswith("Regrade: 4 submission(s) with earlier results regraded")
    assert "2 changed" in result["text"] and "ann: 3 -> 6 (max 3 -> 6)" in result["text"]


def test_status_changes_are_listed_and_nothing_is_written_without_earlier_results(tmp_path):
    out = tmp_path / "graded"
    broken = make_doc("ann", {})
    broken.update(status="rejected", error="not graded: boom", grader_faults=["boom"])
    write_results(out, {"ann": broken})
    archive = regrade.Archive(out)
    archive.keep("ann")
    archive.keep("ann")  # a second write in the same batch keeps the first earlier version
    rows = regrade.compare(archive.previous, {"ann": make_doc("ann", {"fc.relu_forward": 1})})
    assert rows[0]["old_status"] == "not_graded" and rows[0]["new_status"] == "graded"
    assert rows[0]["old_total"] is None and rows[0]["new_total"] == 1
    assert len(list((out / "results" / "history").iterdir())) == 1
    fresh = tmp_path / "fresh"
    assert regrade.finish(fresh, regrade.Archive(fresh), {})["text"] == ""
    assert not (fresh / "changes.csv").exists()
