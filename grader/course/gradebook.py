"""A batch's gradebook (``gradebook.csv``) and summary (``summary.json``/``summary.txt``),
and the spreadsheet-safe CSV writing that every course file uses.
"""

from __future__ import annotations

import csv
import re
import statistics
from collections import Counter
from pathlib import Path

from grader.files import atomic_open

GRADEBOOK = "gradebook.csv"


SUMMARY_JSON = "summary.json"


SUMMARY_TEXT = "summary.txt"


_NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")


_NOT_A_FAILURE = {"passed", "info", "answered"}


_CSV_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def cell(text: str) -> str:
    """A text cell a spreadsheet will not run as a formula (names come from students)."""
    return "'" + text if text.startswith(_CSV_FORMULA_START) else text


def number(value: float) -> str:
    return f"{round(value, 4):g}"


def state_of(doc: dict | None) -> str:
    if doc is None:
        return "missing"
    if doc.get("grader_faults") and doc["status"] == "rejected":
        return "not_graded"
    return doc["status"]


def write_gradebook(docs: dict[str, dict | None], questions: list[dict], path: Path) -> None:
    """One row per submission (sorted by id), one column per question, then the total.

    ``status`` is graded, rejected (the submission could not be read), not_graded (a grader
    failure; a rerun retries it) or missing (no results file); ``note`` says why.
    """
    ids = [q["id"] for q in questions]
    header = ["submission", "status", "total", "max_score", *ids, "note"]
    rows = []
    for sub_id in sorted(docs):
        doc = docs[sub_id]
        if doc is None:
            rows.append([cell(sub_id), "missing", "", "", *[""] * len(ids), "no results file"])
            continue
        scores = {q["id"]: q["score"] for q in doc["questions"]}
        note = doc.get("error") or "; ".join(doc.get("grader_faults", []))
        rows.append(
            [
                cell(sub_id),
                state_of(doc),
                number(doc["total"]),
                number(doc["max_score"]),
                *[number(scores[i]) if i in scores else "" for i in ids],
                cell(note),
            ]
        )
    write_csv(path, header, rows)


def write_csv(path: Path, header: list[str], rows: list[list[str]]) -> None:
    """Write a CSV atomically (``grader.files.atomic_open``)."""
    with atomic_open(path, newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)


def failure_reasons(question: dict) -> set[str]:
    """Why a question did not pass, as reasons that group across submissions: the messages of
    its failing checks with every number replaced by ``#``."""
    reasons = {
        _NUMBER.sub("#", c["message"] or c["status"]).strip()
        for c in question["checks"]
        if c["status"] not in _NOT_A_FAILURE
    }
    return reasons or {question["status"]}


def _stats(values: list[float]) -> dict:
    if not values:
        return {"mean": None, "median": None, "min": None, "max": None}
    return {
        "mean": round(statistics.fmean(values), 4),
        "median": round(statistics.median(values), 4),
        "min": round(min(values), 4),
        "max": round(max(values), 4),
    }


def summarize(docs: dict[str, dict | None], questions: list[dict], top: int = 3) -> dict:
    """Per question: mean, median, full marks, statuses and the ``top`` failure reasons (over
    the graded submissions); which submissions were rejected or not graded, and why."""
    graded = {k: d for k, d in docs.items() if d is not None and state_of(d) == "graded"}
    per_question = []
    for q in questions:
        entries = [e for d in graded.values() for e in d["questions"] if e["id"] == q["id"]]
        reasons: Counter[str] = Counter()
        for e in entries:
            if e["status"] not in ("passed", "manual"):
                reasons.update(failure_reasons(e))
        per_question.append(
            {
                "id": q["id"],
                "title": q["title"],
                "max_score": float(q["points"]),
                **_stats([e["score"] for e in entries]),
                "full_marks": sum(e["score"] >= e["max_score"] for e in entries),
                "statuses": dict(sorted(Counter(e["status"] for e in entries).items())),
                "common_failures": [
                    {"reason": r, "submissions": n}
                    for r, n in sorted(reasons.items(), key=lambda item: (-item[1], item[0]))[:top]
                ],
            }
        )
    problems = {
        state: [
            {"submission": k, "reason": d.get("error", "") if d else "no results file"}
            for k, d in sorted(docs.items())
            if state_of(d) == state
        ]
        for state in ("rejected", "not_graded", "missing")
    }
    # The grader's isolation, for the instructor: each distinct level with how many it covered.
    levels: Counter[tuple] = Counter(
        (d["isolation"]["sandbox"], d["isolation"]["reduced"], d["isolation"]["note"])
        for d in docs.values()
        if d is not None and "isolation" in d
    )
    isolation = {
        "reduced": sum(n for (_, reduced, _), n in levels.items() if reduced),
        "levels": [
            {"sandbox": sb, "reduced": reduced, "note": note, "submissions": n}
            for (sb, reduced, note), n in sorted(levels.items())
        ],
    }
    return {
        "submissions": len(docs),
        "graded": len(graded),
        "isolation": isolation,
        **{state: len(items) for state, items in problems.items()},
        "max_score": float(sum(q["points"] for q in questions)),
        "total": _stats([d["total"] for d in graded.values()]),
        "questions": per_question,
        "problems": problems,
    }


def _fmt(value) -> str:
    return "-" if value is None else f"{value:g}"


def summary_text(summary: dict) -> str:
    """The summary as a plain-text report."""
    lines = [
        f"{summary['submissions']} submissions: {summary['graded']} graded, "
        f"{summary['rejected']} rejected, {summary['not_graded']} not graded (grader failure), "
        f"{summary['missing']} missing",
        f"graded now: {summary.get('graded_now', 0)}, skipped as already graded: "
        f"{summary.get('skipped', 0)}",
        f"total over graded submissions: mean {_fmt(summary['total']['mean'])}, median "
        f"{_fmt(summary['total']['median'])} of {_fmt(summary['max_score'])}",
    ]
    for level in summary.get("isolation", {}).get("levels", []):
        flag = "REDUCED " if level["reduced"] else ""
        lines.append(f"{flag}isolation ({level['submissions']} submissions): {level['note']}")
    lines.append("")
    width = max([len(q["id"]) for q in summary["questions"]] + [8])
    lines.append(
        f"{'question':<{width}}  {'max':>5}  {'mean':>6}  {'median':>6}  {'full':>5}"
        "  most common failure reasons"
    )
    for q in summary["questions"]:
        reasons = "; ".join(
            f"{_short(f['reason'])} ({f['submissions']})" for f in q["common_failures"]
        )
        lines.append(
            f"{q['id']:<{width}}  {_fmt(q['max_score']):>5}  {_fmt(q['mean']):>6}  "
            f"{_fmt(q['median']):>6}  {q['full_marks']:>5}  {reasons or '-'}"
        )
    for state, title in (
        ("rejected", "Rejected (could not be read)"),
        ("not_graded", "Not graded (grader failure; a rerun retries them)"),
        ("missing", "Missing results"),
    ):
        items = summary["problems"][state]
        if items:
            lines += ["", f"{title}:"]
            lines += [f"  {item['submission']}: {_short(item['reason'], 100)}" for item in items]
    return "\n".join(lines)


def _short(text: str, limit: int = 80) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."
