"""Results: build the native document, validate it, write it atomically; Gradescope and a table."""

from __future__ import annotations

import functools
import json
import shutil
import textwrap
from pathlib import Path

import numpy as np

from grader.engine.results import validate  # noqa: F401 - report.validate, for readers
from grader.files import atomic_open

GRADESCOPE_STATUS = {"passed": "passed", "partial": "failed", "manual": "passed"}


def _gradescope_status(q: dict) -> str:
    """Gradescope's pass/fail; an inline question passes only when every answer is written."""
    if q["status"] == "manual":
        answered = all(c["status"] == "answered" for c in q["checks"])
        return "passed" if answered else "failed"
    return GRADESCOPE_STATUS.get(q["status"], "failed")


def to_gradescope(results: dict) -> dict:
    """Gradescope's results.json: overall score, one test per question."""
    tests = []
    for number, q in enumerate(results["questions"], start=1):
        lines = [q["feedback"]] + [
            f"- {c['name']}: {c['status']}"
            + (f" ({c['message']})" if c["message"] else "")
            + (f"\n  hint: {c['hint']}" if c.get("hint") else "")
            for c in q["checks"]
        ]
        tests.append(
            {
                "name": f"{q['id']}: {q['title']}",
                "number": str(number),
                "score": q["score"],
                "max_score": q["max_score"],
                "status": _gradescope_status(q),
                "output": "\n".join(lines),
                "visibility": "visible",
            }
        )
    seconds = sum(q["seconds"] for q in results["questions"])
    out = {
        "score": results["total"],
        "execution_time": round(seconds, 2),
        "tests": tests,
        "visibility": "visible",
        "stdout_visibility": "hidden",
    }
    if problem_lines(results):
        out["output"] = "Problems in the submitted files:\n" + "\n".join(problem_lines(results))
    if results["status"] == "rejected":
        out["output"] = f"Submission refused: {results.get('error', '')}"
    # The grader's isolation is for instructors (terminal, batch summary, Gradescope's hidden
    # stdout), never in what students read.
    return out


def _default(value):
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def write_json(document: dict, path: Path) -> None:
    """Write the document as JSON, atomically (``grader.files.atomic_open``)."""
    with atomic_open(path) as fh:
        json.dump(document, fh, indent=2, sort_keys=True, default=_default, ensure_ascii=False)
        fh.write("\n")


def problem_lines(results: dict) -> list[str]:
    """The submission's file problems, one line each (said once, above the questions)."""
    return [
        f"{p['severity']}: {p['file']}"
        + (f":{p['line']}" if p["line"] else "")
        + f": {p['message']}"
        for p in results["submission"].get("problems", [])
    ]


def summary_table(
    results: dict, details: bool = False, width: int | None = None, isolation_note: bool = True
) -> str:
    """A readable terminal summary: the file problems, one row per question (its feedback
    wrapped, never cut), then the total. ``details`` adds every case under its question;
    ``isolation_note`` says when the sandbox was reduced (for the instructor)."""
    width = width or shutil.get_terminal_size((100, 24)).columns
    rows = [
        (q["id"], f"{q['score']:g}/{q['max_score']:g}", q["status"], q["feedback"])
        for q in results["questions"]
    ]
    id_width = max([len(r[0]) for r in rows] + [8])
    indent = id_width + 2 + 9 + 2 + 15 + 1
    wrap = functools.partial(textwrap.wrap, width=max(width - indent, 30))
    lines = problem_lines(results)
    if lines:
        lines = ["problems in the submitted files:", *(f"  {line}" for line in lines), ""]
    lines.append(f"{'question':<{id_width}}  {'score':>9}  {'status':<15} feedback")
    for (qid, score, status, feedback), q in zip(rows, results["questions"], strict=True):
        text = wrap(feedback) or [""]
        lines.append(f"{qid:<{id_width}}  {score:>9}  {status:<15} {text[0]}")
        lines += [" " * indent + part for part in text[1:]]
        if details:
            for check in q["checks"]:
                about = f"{check['name']}: {check['status']}" + (
                    f" ({check['message']})" if check["message"] else ""
                )
                lines += [" " * (indent + 2) + part for part in wrap(about)]
                if check.get("hint"):
                    lines += [" " * (indent + 4) + part for part in wrap(f"hint: {check['hint']}")]
    total = f"{round(results['total'], 2):g}/{results['max_score']:g}"
    lines.append(f"{'TOTAL':<{id_width}}  {total:>9}")
    if results["status"] == "rejected":
        lines.append(f"submission refused: {results.get('error')}")
    if results["status"] == "not_graded":
        lines.append(f"NOT GRADED (grading environment fault): {results.get('error')}")
    if isolation_note and results["isolation"]["reduced"]:
        lines.append(f"note: {results['isolation']['note']}")
    return "\n".join(lines)
