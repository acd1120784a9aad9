"""What a regrade changed: earlier results kept, and the differences listed before publishing.

When a batch regrades a submission whose results file exists (a new catalog, a fixed question,
``--force``, a replaced submission), ``Archive.keep`` copies the earlier file to
``results/history/<submission>.<UTC time>.json`` just before the new one replaces it. After the
batch, ``compare`` lists, per submission, the old and new total and the questions whose score
changed; ``write_changes`` writes them to ``changes.csv`` and ``paragraph`` says it in
summary.txt. Only submissions whose scores or status differ are listed (a question worth more
points changes nothing for a student who scored 0 on it).
"""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

from grader.course.gradebook import cell, number, state_of, write_csv
from grader.course.tasks import RESULTS_DIR, load_result, result_path
from grader.files import write_atomic

HISTORY_DIR = "history"
CHANGES = "changes.csv"


class Archive:
    """Keeps the earlier results of every submission the batch regrades."""

    def __init__(self, out: Path) -> None:
        self.out = Path(out)
        self.previous: dict[str, dict] = {}

    def keep(self, sub_id: str) -> None:
        """Copy ``results/<sub_id>.json`` into the history before it is overwritten (the
        first time in this batch only; nothing to do when there is none)."""
        if sub_id in self.previous:
            return
        path = result_path(self.out, sub_id)
        doc = load_result(path)
        if doc is None:
            return
        history = self.out / RESULTS_DIR / HISTORY_DIR
        history.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")
        target = history / f"{sub_id}.{stamp}.json"
        write_atomic(target, path.read_bytes())
        self.previous[sub_id] = doc


def _scores(doc: dict | None) -> dict[str, float]:
    if doc is None or state_of(doc) == "not_graded":
        return {}
    return {q["id"]: float(q["score"]) for q in doc["questions"]}


def _total(doc: dict | None) -> float | None:
    if doc is None or state_of(doc) == "not_graded":
        return None
    return float(doc["total"])


def compare(previous: dict[str, dict], current: dict[str, dict | None]) -> list[dict]:
    """One row per regraded submission whose status, total, maximum or any question's score
    changed, sorted by submission."""
    rows = []
    for sub in sorted(previous):
        old, new = previous[sub], current.get(sub)
        old_scores, new_scores = _scores(old), _scores(new)
        changed = [
            f"{qid}: {_fmt(old_scores.get(qid))} -> {_fmt(new_scores.get(qid))}"
            for qid in sorted(set(old_scores) | set(new_scores))
            if old_scores.get(qid) != new_scores.get(qid)
        ]
        old_total, new_total = _total(old), _total(new)
        old_max = float(old["max_score"])
        new_max = float(new["max_score"]) if new else None
        if not changed and old_total == new_total and state_of(old) == state_of(new):
            continue  # a new maximum alone changes nobody's score
        rows.append(
            {
                "submission": sub,
                "old_status": state_of(old),
                "new_status": state_of(new),
                "old_total": old_total,
                "new_total": new_total,
                "change": None
                if old_total is None or new_total is None
                else round(new_total - old_total, 4),
                "old_max_score": old_max,
                "new_max_score": new_max,
                "questions_changed": changed,
            }
        )
    return rows


def _fmt(value: float | None) -> str:
    return "-" if value is None else number(value)


def write_changes(rows: list[dict], path: Path) -> None:
    header = [
        "submission",
        "old_status",
        "new_status",
        "old_total",
        "new_total",
        "change",
        "old_max_score",
        "new_max_score",
        "questions_changed",
    ]
    write_csv(
        path,
        header,
        [
            [
                cell(row["submission"]),
                row["old_status"],
                row["new_status"],
                "" if row["old_total"] is None else number(row["old_total"]),
                "" if row["new_total"] is None else number(row["new_total"]),
                "" if row["change"] is None else f"{row['change']:+g}",
                number(row["old_max_score"]),
                "" if row["new_max_score"] is None else number(row["new_max_score"]),
                "; ".join(row["questions_changed"]),
            ]
            for row in rows
        ],
    )


def paragraph(previous: dict[str, dict], rows: list[dict]) -> str:
    """The regrade paragraph of summary.txt ("" when nothing graded before was regraded)."""
    if not previous:
        return ""
    lines = [
        f"Regrade: {len(previous)} submission(s) with earlier results regraded "
        f"(earlier results kept in {RESULTS_DIR}/{HISTORY_DIR}/); {len(rows)} changed"
        + (", listed in changes.csv:" if rows else "; changes.csv lists none.")
    ]
    for row in rows[:20]:
        total = f"{_fmt(row['old_total'])} -> {_fmt(row['new_total'])}"
        if row["old_max_score"] != row["new_max_score"]:
            total += f" (max {_fmt(row['old_max_score'])} -> {_fmt(row['new_max_score'])})"
        status = (
            f", {row['old_status']} -> {row['new_status']}"
            if row["old_status"] != row["new_status"]
            else ""
        )
        what = "; ".join(row["questions_changed"][:4])
        more = len(row["questions_changed"]) - 4
        lines.append(
            f"  {row['submission']}: {total}{status}"
            + (f"; {what}" if what else "")
            + (f" and {more} more" if more > 0 else "")
        )
    if len(rows) > 20:
        lines.append(f"  ... and {len(rows) - 20} more in changes.csv")
    return "\n".join(lines)


def finish(out: Path, archive: Archive, docs: dict[str, dict | None]) -> dict:
    """Write ``changes.csv`` when this batch regraded earlier results; the regrade summary."""
    rows = compare(archive.previous, docs)
    if archive.previous:
        write_changes(rows, Path(out) / CHANGES)
    return {
        "regraded": sorted(archive.previous),
        "changed": rows,
        "text": paragraph(archive.previous, rows),
    }
