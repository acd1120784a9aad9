"""Results: build the native document, validate it, write it atomically; Gradescope and a table."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

import jsonschema
import numpy as np

from .catalog import load_schema

GRADESCOPE_STATUS = {"passed": "passed", "partial": "failed", "manual": "passed"}


def validate(results: dict) -> None:
    """Raise ``jsonschema.ValidationError`` if ``results`` does not fit our schema."""
    jsonschema.validate(results, load_schema("results.schema.json"))


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
                "status": GRADESCOPE_STATUS.get(q["status"], "failed"),
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
    """Write atomically: a temporary file in the same folder, then rename over the target."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes 0600; results are meant to be shared
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(document, fh, indent=2, sort_keys=True, default=_default, ensure_ascii=False)
            fh.write("\n")
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def summary_table(results: dict) -> str:
    """A readable terminal summary: one row per question, then the total."""
    rows = [
        (q["id"], f"{q['score']:g}/{q['max_score']:g}", q["status"], q["feedback"])
        for q in results["questions"]
    ]
    width = max([len(r[0]) for r in rows] + [8])
    lines = [f"{'question':<{width}}  {'score':>9}  {'status':<15} feedback"]
    for qid, score, status, feedback in rows:
        short = feedback if len(feedback) <= 70 else feedback[:67] + "..."
        lines.append(f"{qid:<{width}}  {score:>9}  {status:<15} {short}")
    lines.append(f"{'TOTAL':<{width}}  {round(results['total'], 2):g}/{results['max_score']:g}")
    if results["status"] == "rejected":
        lines.append(f"submission refused: {results.get('error')}")
    if results["status"] == "not_graded":
        lines.append(f"NOT GRADED (grading environment fault): {results.get('error')}")
    if results["isolation"]["reduced"]:
        lines.append(f"note: {results['isolation']['note']}")
    return "\n".join(lines)
