"""Manual questions: inline free-text answers, extracted from the submitted notebooks for a human.

An answer cell is a markdown cell whose metadata carries ``{"scratchnet": {"answer": ID}}``
(the starter notebooks are built that way). Nothing here is scored.
"""

from __future__ import annotations

import nbformat

from grader.checks.base import CaseResult, Context

MAX_ANSWER_CHARS = 4000
PLACEHOLDER_PREFIXES = ("**your answer:**", "your answer:")


def extract_answers(notebook_text: str) -> dict[str, str]:
    """Answer id -> answer text of one notebook (raises nbformat's errors on a broken file)."""
    nb = nbformat.reads(notebook_text, as_version=4)
    answers = {}
    for cell in nb.cells:
        meta = cell.get("metadata", {}).get("scratchnet", {})
        if cell.cell_type == "markdown" and isinstance(meta, dict) and "answer" in meta:
            answers[str(meta["answer"])] = cell.source[:MAX_ANSWER_CHARS]
    return answers


def _is_blank(text: str) -> bool:
    stripped = text.strip()
    for prefix in PLACEHOLDER_PREFIXES:
        if stripped.lower().startswith(prefix):
            stripped = stripped[len(prefix) :].strip()
    return not stripped


def check_manual(q: dict, ctx: Context) -> list[CaseResult]:
    text = ctx.notebooks.get(q["notebook"])
    if text is None:
        return [
            CaseResult(answer_id, "unanswered", f"notebook {q['notebook']}.ipynb was not submitted")
            for answer_id in q["answers"]
        ]
    try:
        answers = extract_answers(text)
    except Exception as exc:  # a corrupt notebook is the submission's problem, reported
        return [
            CaseResult(
                answer_id,
                "unanswered",
                f"could not read {q['notebook']}.ipynb: {type(exc).__name__}",
            )
            for answer_id in q["answers"]
        ]
    results = []
    for answer_id in q["answers"]:
        answer = answers.get(answer_id)
        if answer is None or _is_blank(answer):
            results.append(CaseResult(answer_id, "unanswered", "no answer written"))
        else:
            results.append(CaseResult(answer_id, "answered", answer))
    return results
