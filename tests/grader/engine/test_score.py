"""grader/engine/score.py: cases become a score, a status and one line of feedback."""

from grader.checks import CaseResult
from grader.engine.score import score_question

Q = {"id": "fc.x", "kind": "output", "points": 4}


def test_all_cases_passed_is_full_marks():
    scored = score_question(Q, [CaseResult("a", "passed"), CaseResult("b", "passed")])
    assert (scored.score, scored.status) == (4.0, "passed")


def test_partial_credit_is_proportional_and_names_the_first_failure_with_its_hint():
    cases = [
        CaseResult("a", "passed"),
        CaseResult("b", "failed", "off by 2", "p is kept"),
        CaseResult("c", "failed", "off"),
        CaseResult("d", "passed"),
    ]
    scored = score_question(Q, cases)
    assert (scored.score, scored.status) == (2.0, "partial")
    assert scored.feedback == "b: off by 2. Hint: p is kept (and 1 other failed case)"


def test_all_or_nothing_gives_nothing_for_a_partial_answer():
    cases = [CaseResult("a", "passed"), CaseResult("b", "failed", "x")]
    assert score_question({**Q, "all_or_nothing": True}, cases).score == 0.0


def test_when_nothing_passed_the_most_telling_status_wins():
    cases = [CaseResult("a", "failed", "x"), CaseResult("b", "not_implemented", "todo")]
    assert score_question(Q, cases).status == "not_implemented"
    cases = [CaseResult("a", "failed", "x"), CaseResult("b", "timeout", "slow")]
    assert score_question(Q, cases).status == "timeout"


def test_info_cases_do_not_count_and_no_case_at_all_is_an_error():
    cases = [CaseResult("note", "info", "fyi"), CaseResult("a", "passed")]
    assert score_question(Q, cases).status == "passed"
    assert score_question(Q, [CaseResult("note", "info")]).status == "error"


def test_a_manual_question_is_never_scored():
    cases = [CaseResult("q1", "answered"), CaseResult("q2", "unanswered")]
    scored = score_question({**Q, "kind": "manual"}, cases)
    assert (scored.score, scored.status) == (0.0, "manual")
    assert scored.feedback.startswith("1 of 2 answer(s) written")
