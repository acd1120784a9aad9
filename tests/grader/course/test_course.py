"""A course: roster, deadline, two extensions and three late submissions, graded into a
gradebook with the right penalties, Canvas and Moodle import files and a report per student.

The batch output is synthetic (results documents that follow the schema), so no grading runs
here; tests/grader/course/test_course_batch.py runs the real thing end to end.
"""

import csv
import json
from datetime import datetime, timezone

import pytest

from grader.course import exports, records
from grader.course.gradebook import cell as spreadsheet_cell
from grader.course.records import CourseSettings

from .conftest import ISOLATION_MARKER, make_doc, write_results

FULL = {"fc.affine_forward": 2, "fc.relu_forward": 1}
NOW = datetime(2026, 12, 20, tzinfo=timezone.utc)
ROSTER = (
    "submission,name,id,sis_user_id,sis_login_id,section,email,submitted_at\n"
    "ann,Ann Apple,1001,S-1,ann,A,ann@example.org,2026-12-01T21:00:00+01:00\n"
    "ben,Ben Berry,1002,S-2,ben,A,ben@example.org,\n"
    "cat,Cat Cherry,1003,S-3,cat,B,cat@example.org,2026-12-03T05:59:00+01:00\n"
    'dov,"=HYPERLINK(""http://x"")",1004,S-4,dov,B,dov@example.org,2026-12-07T10:00:00Z\n'
    "eve,Eve Elder,1005,S-5,eve,B,eve@example.org,2026-12-11T12:00:00+01:00\n"
    "fay,Fay Fig,1006,S-6,fay,A,fay@example.org,\n"
    "gus,Gus Grape,1007,S-7,gus,A,gus@example.org,\n"
)
# ben's time comes from the LMS's manifest, which wins over the roster.
MANIFEST = "submission,submitted_at\nben,2026-12-03T01:00:00+01:00\nann,2026-12-01T20:00:00Z\n"
EXTENSIONS = "submission,deadline\ncat,2026-12-03T23:59:00+01:00\neve,2026-12-03T23:59:00+01:00\n"
DEADLINE = "2026-12-01T23:59:00+01:00"


@pytest.fixture
def course_dir(tmp_path):
    subs, out = tmp_path / "submissions", tmp_path / "graded"
    subs.mkdir()
    (subs / "submissions.csv").write_text(MANIFEST)
    (tmp_path / "roster.csv").write_text(ROSTER)
    (tmp_path / "extensions.csv").write_text(EXTENSIONS)
    docs = write_results(
        out,
        {
            "ann": make_doc("ann", FULL),
            "ben": make_doc("ben", FULL),
            "cat": make_doc("cat", {"fc.affine_forward": 2}),
            "dov": make_doc("dov", FULL),
            "eve": make_doc("eve", {"fc.relu_forward": 1}),
            "gus": make_doc("gus", FULL),
            "zed": make_doc("zed", {"fc.affine_forward": 2}),
        },
    )
    settings = CourseSettings(
        roster=tmp_path / "roster.csv",
        deadline=DEADLINE,
        extensions=tmp_path / "extensions.csv",
        late_policy="10%/day,max=50%,cutoff=7d",
    )
    return tmp_path, subs, out, docs, settings


def finish(course_dir, questions, **kw):
    tmp, subs, out, docs, settings = course_dir
    course = records.prepare(settings, subs)
    return records.finish(out=out, docs=docs, questions=questions, course=course, now=NOW, **kw)


def read_csv(path, encoding="utf-8"):
    with open(path, newline="", encoding=encoding) as fh:
        return list(csv.reader(fh))


def gradebook(out):
    with open(out / "gradebook.csv", newline="", encoding="utf-8") as fh:
        return {row["submission"]: row for row in csv.DictReader(fh)}


def test_gradebook_keeps_raw_penalty_and_final_apart_with_extensions_and_a_cutoff(
    course_dir, course_questions
):
    summary = finish(course_dir, course_questions)
    out = course_dir[2]
    book = gradebook(out)
    expected = {
        # submission: (status, raw, penalty, final)
        "ann": ("graded", "3", "0", "3"),  # manifest time (20:00Z = 21:00+01:00): on time
        "ben": ("graded", "3", "0.6", "2.4"),  # 1 day 1 h 1 min late: 2 started days x 10%
        "cat": ("graded", "2", "0", "2"),  # late for the course, on time for its extension
        "dov": ("graded", "3", "1.5", "1.5"),  # 5 days 11 h late: 60% capped at 50%
        "eve": ("graded", "1", "1", "0"),  # 7 days 12 h after its extension: past the cut-off
        "fay": ("missing", "0", "0", "0"),  # on the roster, no submission
        "gus": ("graded", "3", "0", "3"),  # no submission time anywhere: no penalty, a warning
        "zed": ("graded", "2", "0", "2"),  # not on the roster: unknown, never dropped
    }
    assert list(book) == ["ann", "ben", "cat", "dov", "eve", "fay", "gus", "zed"]
    for sub, (status, raw, penalty, final) in expected.items():
        row = book[sub]
        assert (row["status"], row["raw_total"], row["late_penalty"], row["final_total"]) == (
            status,
            raw,
            penalty,
            final,
        ), sub
    assert book["zed"]["roster"] == "unknown" and book["ann"]["roster"] == "listed"
    assert book["ben"]["late_by"] == "1 day 1 h 1 min"  # 01:00 on the 3rd vs 23:59 on the 1st
    assert book["ben"]["submitted_at"] == "2026-12-03T01:00:00+01:00"  # from the manifest
    assert book["cat"]["deadline"] == "2026-12-03T23:59:00+01:00"  # the extension
    assert book["dov"]["name"] == '\'=HYPERLINK("http://x")'  # formula escaped as in batch
    assert book["fay"]["note"] == "no submission received"
    assert book["ann"]["fc.affine_forward"] == "2" and book["eve"]["fc.relu_forward"] == "1"
    assert summary["missing"] == ["fay"] and summary["unknown"] == ["zed"]
    assert summary["late"] == {"ben": 0.6, "dov": 1.5, "eve": 1.0}
    assert any("gus" in w for w in summary["warnings"])
    assert "1 without a submission (missing, 0 points): fay" in summary["text"]
    assert "3 late: ben (-0.6), dov (-1.5), eve (-1)" in summary["text"]


def test_each_record_says_how_its_penalty_was_computed(course_dir, course_questions):
    finish(course_dir, course_questions)
    out = course_dir[2]
    ben = json.loads((out / "course" / "ben.json").read_text())
    assert ben["student"]["sis_user_id"] == "S-2"
    assert ben["late"]["time_source"] == "manifest" and ben["late"]["periods_late"] == 2
    assert ben["late"]["share"] == 0.2 and ben["penalty"] == 0.6
    assert (
        "2 started days x 10% = 20% of the score; 0.6 points deducted" in ben["late"]["explanation"]
    )
    eve = json.loads((out / "course" / "eve.json").read_text())
    assert eve["late"]["deadline_source"] == "extension" and eve["late"]["after_cutoff"]
    assert eve["final_total"] == 0
    dov = json.loads((out / "course" / "dov.json").read_text())
    assert dov["late"]["capped"] and dov["late"]["time_source"] == "roster"


def test_canvas_import_file(course_dir, course_questions):
    finish(course_dir, course_questions)
    tmp, out = course_dir[0], course_dir[2]
    warnings = exports.export("canvas", out, tmp / "canvas.csv", assignment="Assignment 2")
    rows = read_csv(tmp / "canvas.csv")
    assert rows[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "Assignment 2"]
    assert rows[1] == ["Points Possible", "", "", "", "", "3"]
    by_id = {r[1]: r for r in rows[2:]}
    assert sorted(by_id) == ["1001", "1002", "1003", "1004", "1005", "1006", "1007"]
    assert by_id["1002"] == ["Ben Berry", "1002", "S-2", "ben", "A", "2.4"]
    assert by_id["1004"][0] == '\'=HYPERLINK("http://x")' and by_id["1004"][5] == "1.5"
    assert by_id["1005"][5] == "0" and by_id["1006"][5] == "0"  # cut-off, missing
    assert warnings == ["zed: not on the roster, not exported"]
    assert not (tmp / "canvas.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    exports.export("canvas", out, tmp / "bom.csv", bom=True)
    assert (tmp / "bom.csv").read_bytes().startswith(b"\xef\xbb\xbf")


def test_canvas_merge_fills_one_column_and_leaves_every_other_cell_alone(
    course_dir, course_questions
):
    finish(course_dir, course_questions)
    tmp, out = course_dir[0], course_dir[2]
    export = (
        "\ufeffStudent,ID,SIS User ID,SIS Login ID,Section,Quiz 1 (77),Assignment 2 (1234),"
        "Current Score\n"
        "    Points Possible,,,,,10,3,(read only)\n"
        '"Apple, Ann",1001,S-1,ann,A,9,,95\n'
        '"Berry, Ben",1002,,,A,8,1,80\n'  # matched on Canvas's ID alone
        '"Cherry, Cat",,S-3,,B,7,,70\n'  # matched on SIS User ID
        '"Student, Test",9999,,,A,,,\n'  # Canvas's test student: not ours, untouched
    )
    (tmp / "canvas_export.csv").write_text(export, encoding="utf-8")
    warnings = exports.export(
        "canvas", out, tmp / "merged.csv", assignment="Assignment 2", into=tmp / "canvas_export.csv"
    )
    data = (tmp / "merged.csv").read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")  # the export's BOM is kept
    rows = read_csv(tmp / "merged.csv", encoding="utf-8-sig")
    original = read_csv(tmp / "canvas_export.csv", encoding="utf-8-sig")
    assert [r[6] for r in rows] == ["Assignment 2 (1234)", "3", "3", "2.4", "2", ""]
    for got, was in zip(rows, original, strict=True):
        assert got[:6] + got[7:] == was[:6] + was[7:]
    assert "dov: not found in the Canvas export, not exported" in warnings
    with pytest.raises(exports.ExportError, match="no column for the assignment 'Lab 9'"):
        exports.export(
            "canvas", out, tmp / "x.csv", assignment="Lab 9", into=tmp / "canvas_export.csv"
        )


def test_moodle_import_file(course_dir, course_questions):
    finish(course_dir, course_questions)
    tmp, out = course_dir[0], course_dir[2]
    exports.export("moodle", out, tmp / "moodle.csv", assignment="Assignment 2")
    rows = read_csv(tmp / "moodle.csv")
    assert rows[0] == ["Full name", "Email address", "ID number", "Assignment 2", "Feedback"]
    by_email = {r[1]: r for r in rows[1:]}
    assert len(by_email) == 7
    assert by_email["ben@example.org"][2:4] == ["S-2", "2.4"]
    assert "late penalty -0.6" in by_email["ben@example.org"][4]
    assert by_email["fay@example.org"][3:] == ["0", "No submission received."]


def test_plain_csv_export_and_exports_reuse_the_batch_escaping(course_dir, course_questions):
    finish(course_dir, course_questions)
    tmp, out = course_dir[0], course_dir[2]
    exports.export("csv", out, tmp / "plain.csv")
    with open(tmp / "plain.csv", newline="", encoding="utf-8") as fh:
        rows = {r["submission"]: r for r in csv.DictReader(fh)}
    assert rows["ben"]["final_total"] == "2.4" and rows["ben"]["raw_total"] == "3"
    assert rows["zed"]["roster"] == "unknown"
    assert exports.cell is spreadsheet_cell  # one escaping rule, not a copy


def test_exports_without_a_roster_only_as_plain_csv(tmp_path, course_questions):
    out = tmp_path / "graded"
    docs = write_results(out, {"ann": make_doc("ann", FULL)})
    course = records.prepare(None, tmp_path)
    records.finish(out=out, docs=docs, questions=course_questions, course=course, now=NOW)
    assert not (out / "gradebook.csv").exists()  # the batch's own gradebook stays as it is
    exports.export("csv", out, tmp_path / "plain.csv")
    for kind in ("canvas", "moodle"):
        with pytest.raises(exports.ExportError, match="--roster"):
            exports.export(kind, out, tmp_path / f"{kind}.csv")
    with pytest.raises(exports.ExportError, match="no course.json"):
        exports.export("csv", tmp_path / "nowhere", tmp_path / "x.csv")


def test_settings_that_need_a_deadline_are_refused(tmp_path):
    for settings in (
        CourseSettings(late_policy="10%/day"),
        CourseSettings(extensions=tmp_path / "e.csv"),
        CourseSettings(hold_hidden_feedback=True),
    ):
        with pytest.raises(ValueError, match="needs --deadline"):
            records.prepare(settings, tmp_path)
    with pytest.raises(ValueError, match="--deadline: .* no UTC offset"):
        records.prepare(CourseSettings(deadline="2026-12-01T23:59"), tmp_path)


def test_a_report_per_student_never_with_the_isolation_note(course_dir, course_questions):
    finish(course_dir, course_questions)
    out = course_dir[2]
    names = sorted(p.name for p in (out / "feedback").iterdir())
    subs = ["ann", "ben", "cat", "dov", "eve", "fay", "gus", "zed"]
    assert names == sorted([f"{s}.html" for s in subs] + [f"{s}.md" for s in subs])
    for path in (out / "feedback").iterdir():
        text = path.read_text(encoding="utf-8")
        assert ISOLATION_MARKER not in text and "bubblewrap" not in text
        assert "grading_seed" not in text and "0" * 64 not in text
    ben = (out / "feedback" / "ben.html").read_text()
    assert "Late penalty" in ben and "-0.6" in ben and "2 started days" in ben
    assert "No submission was received" in (out / "feedback" / "fay.md").read_text()


def test_cli_export_writes_the_file_and_reports_warnings(course_dir, course_questions, capsys):
    from grader import cli

    finish(course_dir, course_questions)
    tmp, out = course_dir[0], course_dir[2]
    code = cli.main(["export", "canvas", str(out), "-o", str(tmp / "c.csv"), "--assignment", "A2"])
    assert code == 0 and read_csv(tmp / "c.csv")[0][-1] == "A2"
    assert "warning: zed: not on the roster" in capsys.readouterr().err
    assert cli.main(["export", "moodle", str(tmp), "-o", str(tmp / "m.csv")]) != 0
    assert "no course.json" in capsys.readouterr().err


def test_grade_batch_refuses_a_bad_roster_before_grading_anything(tmp_path, capsys):
    from grader import cli

    subs = tmp_path / "subs"
    subs.mkdir()
    (tmp_path / "roster.csv").write_text("submission,email\nann,a@x.org\nben,A@x.org\n")
    argv = [
        "batch",
        str(subs),
        "-o",
        str(tmp_path / "out"),
        "--roster",
        str(tmp_path / "roster.csv"),
    ]
    assert cli.main(argv) == 2
    assert "roster.csv line 3: duplicate email 'A@x.org' (already on line 2)" in (
        capsys.readouterr().err
    )
    assert not (tmp_path / "out").exists()
