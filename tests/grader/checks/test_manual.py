"""grader/checks/manual.py: inline answers are read from the notebook for a human, never
scored, and a missing or broken notebook says so."""

import nbformat

from grader.checks.base import Context
from grader.checks.manual import check_manual, extract_answers

Q = {"id": "fc.inline_questions", "notebook": "FullyConnectedNets", "answers": ["q1", "q2"]}


def _notebook(*cells):
    nb = nbformat.v4.new_notebook()
    for answer_id, text in cells:
        cell = nbformat.v4.new_markdown_cell(text)
        if answer_id:
            cell.metadata["scratchnet"] = {"answer": answer_id}
        nb.cells.append(cell)
    return nbformat.writes(nb)


def _ctx(notebooks):
    return Context(seed=0, ask_student=None, dataset=None, notebooks=notebooks)


def test_answers_are_found_by_their_cell_metadata():
    text = _notebook((None, "prose"), ("q1", "Because ReLU kills gradients."), ("q2", "x"))
    assert extract_answers(text) == {"q1": "Because ReLU kills gradients.", "q2": "x"}


def test_a_placeholder_left_as_is_is_unanswered():
    text = _notebook(("q1", "**Your answer:** it saturates"), ("q2", "**Your answer:**  "))
    results = check_manual(Q, _ctx({"FullyConnectedNets": text}))
    assert [r.status for r in results] == ["answered", "unanswered"]


def test_a_missing_or_broken_notebook_leaves_every_answer_unanswered_saying_why():
    missing = check_manual(Q, _ctx({}))
    assert {r.status for r in missing} == {"unanswered"}
    assert "was not submitted" in missing[0].message
    broken = check_manual(Q, _ctx({"FullyConnectedNets": "{not json"}))
    assert {r.status for r in broken} == {"unanswered"}
    assert "could not read FullyConnectedNets.ipynb" in broken[0].message
