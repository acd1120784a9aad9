"""grader/course/feedback.py: what a student reads, and nothing they must not."""

import html
import re
from datetime import datetime, timezone
from html.parser import HTMLParser

from grader.course import feedback, records
from grader.course.records import CourseSettings

from .conftest import ISOLATION_MARKER, make_doc, write_results

HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)> ](javascript:alert(1)) `'


class Tags(HTMLParser):
    """Every tag and attribute of a page (to prove student text made none)."""

    def __init__(self):
        super().__init__()
        self.tags, self.attrs = [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attrs += [name for name, _ in attrs]


def build(tmp_path, docs, questions, settings=None, now=None):
    out = tmp_path / "graded"
    write_results(out, docs)
    course = records.prepare(settings, tmp_path)
    records.finish(
        out=out,
        docs=docs,
        questions=questions,
        course=course,
        now=now or datetime(2026, 12, 20, tzinfo=timezone.utc),
        assignment="Assignment 2",
    )
    return out / "feedback"


def test_hostile_student_text_is_inert_in_html_and_markdown(tmp_path, course_questions):
    doc = make_doc("mal", {"fc.affine_forward": 2}, answer=HOSTILE, message=HOSTILE)
    doc["questions"][1]["checks"][1]["hint"] = HOSTILE  # a hint field may appear in checks
    doc["submission"]["missing_files"] = ["<b>x</b>.ipynb"]
    folder = build(tmp_path, {"mal": doc}, course_questions)
    page = (folder / "mal.html").read_text()
    parser = Tags()
    parser.feed(page)
    assert "script" not in parser.tags and "img" not in parser.tags
    assert "onerror" not in parser.attrs and "src" not in parser.attrs
    assert page.count(html.escape(HOSTILE)) == 3  # the message, the hint and the answer
    assert "Hint:" in page
    md = (folder / "mal.md").read_text()
    outside_fences = re.sub(r"^(`{3,})text\n.*?\n\1$", "", md, flags=re.M | re.S)
    assert "<script>" not in outside_fences and "<img" not in outside_fences
    assert "<b>" not in outside_fences and "&lt;script&gt;" in outside_fences
    assert "\\](javascript" in md  # no link can form
    # the answer sits in a code fence longer than any backtick run inside it
    fence = re.search(r"^(`{3,})text\n" + re.escape(HOSTILE) + r"\n\1$", md, re.M)
    assert fence is not None


def test_reports_show_scores_failed_cases_answers_and_never_the_isolation_note(
    tmp_path, course_questions
):
    doc = make_doc("ann", {"fc.affine_forward": 2}, answer="Because ReLU is piecewise linear.")
    folder = build(tmp_path, {"ann": doc}, course_questions)
    page = (folder / "ann.html").read_text()
    assert "<h1>Assignment 2: feedback</h1>" in page
    assert "relative error 3e-2 &gt; 1e-7" in page  # the failed case's feedback
    assert "Because ReLU is piecewise linear." in page
    assert '<th scope="col">Question</th>' in page and '<th scope="row">' in page
    for forbidden in (ISOLATION_MARKER, "isolation", "sandbox", "grading seed", "sha256"):
        assert forbidden not in page.lower() if forbidden.islower() else forbidden not in page
    assert "http" not in page.replace("http-equiv", "")  # no CDN, no remote resource
    assert "<script" not in page and "<link" not in page


def test_hidden_case_feedback_is_held_until_the_deadline(tmp_path, course_questions):
    docs = {"ann": make_doc("ann", {"fc.affine_forward": 2})}
    settings = CourseSettings(deadline="2026-12-01T23:59:00+01:00", hold_hidden_feedback=True)
    before = datetime(2026, 12, 1, 12, 0, tzinfo=timezone.utc)
    page = (build(tmp_path, docs, course_questions, settings, now=before) / "ann.html").read_text()
    assert "relative error" not in page  # the failed hidden case is not described
    assert "held back until the deadline" in page
    assert "1 failed case(s): details after the deadline" in page
    assert "My answer." in page  # the student's own answers are not hidden cases
    assert "ReLU: forward" in page  # scores are shown
    after = datetime(2026, 12, 2, 0, 0, tzinfo=timezone.utc)
    page = (build(tmp_path, docs, course_questions, settings, now=after) / "ann.html").read_text()
    assert "relative error" in page and "held back" not in page


def test_rejected_and_not_graded_submissions_say_so(tmp_path, course_questions):
    rejected = make_doc("rob", {})
    rejected.update(status="rejected", error="not a zip file")
    broken = make_doc("nat", {})
    broken.update(status="rejected", error="not graded: boom", grader_faults=["boom"])
    folder = build(tmp_path, {"rob": rejected, "nat": broken}, course_questions)
    assert "could not be read: not a zip file" in (folder / "rob.html").read_text()
    assert "the grader failed, not your code" in (folder / "nat.md").read_text()


def test_the_css_has_a_print_stylesheet_and_no_remote_fonts():
    assert "@media print" in feedback.CSS and "url(" not in feedback.CSS
