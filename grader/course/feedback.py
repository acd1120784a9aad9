"""The report a student reads: ``feedback/<submission>.html`` and ``.md``.

It shows the student's score per question, the feedback of each failed case (and its hint,
when a check carries one), the late penalty and how it was computed, and the inline answers
they wrote. It never shows what the student must not see: nothing under the results'
``isolation`` key (how the sandbox was set up is for the instructor), no seed, no hash. With
``--hold-hidden-feedback`` the failed cases of scored questions (their inputs come from the
grading seed: hidden cases) are summarised only, until the student's deadline has passed;
rerun the batch after the deadline to release them.

Everything that comes from a submission is hostile text: check messages quote exception
messages, inline answers are the student's own words, submission and file names are theirs.
The HTML escapes every value with ``html.escape``; the Markdown escapes HTML and Markdown
syntax and puts answers in code fences longer than any run of backticks they contain. The HTML
is self-contained (inline CSS, no script, no remote resource) and has a print stylesheet.
"""

from __future__ import annotations

import html
import re
from datetime import datetime, timezone
from pathlib import Path

from grader import __version__
from grader.files import write_atomic

_SCORED_FAIL = {"failed", "not_implemented", "error", "timeout", "missing"}
_MD_SPECIAL = re.compile(r"([\\`*_\[\]#|~])")
STATUS_TEXT = {
    "passed": "passed",
    "partial": "partly passed",
    "failed": "failed",
    "not_implemented": "not implemented",
    "error": "error",
    "timeout": "took too long",
    "missing": "missing",
    "manual": "read by a human",
}
# Colours of the report, with the background they sit on (the browser test checks contrast).
CSS = """
:root { color-scheme: light; }
body { margin: 0; background: #ffffff; color: #1a1a1a;
  font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; }
main { max-width: 52rem; margin: 0 auto; padding: 1.5rem; }
h1 { font-size: 1.6rem; margin: 0 0 .25rem; }
h2 { font-size: 1.25rem; margin: 2rem 0 .5rem; border-bottom: 2px solid #767676; }
h3 { font-size: 1.05rem; margin: 1.25rem 0 .25rem; }
.who, .muted, caption, footer { color: #4d4d4d; }
caption { text-align: left; padding: .25rem 0; }
table { border-collapse: collapse; width: 100%; margin: .5rem 0; }
table.summary { width: auto; min-width: 22rem; }
th, td { border: 1px solid #767676; padding: .35rem .5rem; text-align: left;
  vertical-align: top; }
thead th { background: #eeeeee; color: #1a1a1a; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.status-passed { color: #1b5e20; font-weight: 600; }
.status-partial { color: #7a4100; font-weight: 600; }
.status-failed { color: #a4161a; font-weight: 600; }
.status-manual { color: #4d4d4d; }
.notice { border-left: 4px solid #7a4100; background: #fff8e6; color: #1a1a1a;
  padding: .5rem .75rem; margin: .75rem 0; }
.msg, pre { white-space: pre-wrap; overflow-wrap: anywhere; }
pre { background: #f5f5f5; color: #1a1a1a; border: 1px solid #767676; padding: .5rem;
  font: .9rem/1.4 ui-monospace, "DejaVu Sans Mono", monospace; }
.hint { color: #1a1a1a; background: #eef4fb; padding: .25rem .5rem; }
code { font-family: ui-monospace, "DejaVu Sans Mono", monospace; }
@media print {
  body { font-size: 11pt; }
  main { max-width: none; padding: 0; }
  h2 { break-after: avoid; }
  tr, li, article, .notice { break-inside: avoid; }
  @page { margin: 16mm; }
}
"""


def _points(value) -> str:
    return "-" if value is None else f"{round(float(value), 4):g}"


def view(record: dict, doc: dict | None, assignment: str = "") -> dict:
    """What the report says, as plain data both renderers share. Only the listed fields of the
    results are read, so nothing else (the isolation note, the seed) can leak."""
    student = record.get("student") or {}
    late = record.get("late") or {}
    held = record.get("feedback_held_until")
    notices = []
    if record["status"] == "missing" and doc is None:
        notices.append("No submission was received from you: 0 points.")
    elif record["status"] == "rejected" and doc is not None:
        notices.append(f"Your submission could not be read: {doc.get('error', '')}")
    elif record["status"] == "not_graded":
        notices.append(
            "Your submission has not been graded yet: the grader failed, not your code. "
            "The instructor has been told."
        )
    if held:
        notices.append(
            "The details of failed test cases are held back until the deadline "
            f"({held}); scores are final."
        )
    score = f"{_points(record['raw_total'])} of {_points(record['max_score'])}"
    summary = [("Score", score)]
    if late:
        penalty = record["penalty"]
        summary = [
            ("Score before any late penalty", score),
            ("Late penalty", f"-{_points(penalty)}" if penalty else "none"),
            ("Final score", f"{_points(record['final_total'])} of {_points(record['max_score'])}"),
        ]
    questions, issues, answers = [], [], []
    for q in (doc or {}).get("questions", []):
        if q["kind"] == "manual":
            answers.append(
                {
                    "title": q["title"],
                    "items": [
                        {"name": c["name"], "status": c["status"], "text": c["message"]}
                        for c in q["checks"]
                    ],
                }
            )
            continue
        questions.append(
            {
                "title": q["title"],
                "id": q["id"],
                "score": _points(q["score"]),
                "max": _points(q["max_score"]),
                "status": q["status"],
            }
        )
        if q["status"] == "passed":
            continue
        failed = [
            {"name": c["name"], "message": c["message"], "hint": c.get("hint", "")}
            for c in q["checks"]
            if c["status"] in _SCORED_FAIL
        ]
        issues.append(
            {
                "title": q["title"],
                "feedback": q["feedback"],
                "failed": [] if held else failed,
                "held": len(failed) if held else 0,
            }
        )
    missing_files = (doc or {}).get("submission", {}).get("missing_files", [])
    return {
        "title": f"{assignment or 'Assignment'}: feedback",
        "who": student.get("name") or record["submission"],
        "submission": record["submission"],
        "notices": notices,
        "summary": summary,
        "late": late.get("explanation", ""),
        "questions": questions,
        "issues": issues,
        "answers": answers,
        "missing_files": missing_files,
        "generated": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
    }


def _e(text) -> str:
    return html.escape(str(text), quote=True)


def render_html(v: dict) -> str:
    """The report as one self-contained HTML page."""
    out = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "style-src 'unsafe-inline'\">",
        f"<title>{_e(v['title'])}: {_e(v['who'])}</title>",
        f"<style>{CSS}</style>",
        "</head>",
        "<body>",
        "<main>",
        f"<h1>{_e(v['title'])}</h1>",
        f'<p class="who">{_e(v["who"])} (submission <code>{_e(v["submission"])}</code>)</p>',
    ]
    for notice in v["notices"]:
        out.append(f'<p class="notice" role="note">{_e(notice)}</p>')
    out += ['<section aria-labelledby="h-score">', '<h2 id="h-score">Score</h2>']
    out.append('<table class="summary">')
    out.append("<tbody>")
    for label, value in v["summary"]:
        out.append(f'<tr><th scope="row">{_e(label)}</th><td class="num">{_e(value)}</td></tr>')
    out.append("</tbody></table>")
    if v["late"]:
        out.append(f'<p class="msg">Lateness: {_e(v["late"])}.</p>')
    out.append("</section>")
    if v["questions"]:
        out += [
            '<section aria-labelledby="h-questions">',
            '<h2 id="h-questions">Questions</h2>',
            "<table>",
            "<caption>Your score on each question</caption>",
            '<thead><tr><th scope="col">Question</th><th scope="col">Score</th>'
            '<th scope="col">Out of</th><th scope="col">Result</th></tr></thead>',
            "<tbody>",
        ]
        for q in v["questions"]:
            css = {"passed": "passed", "partial": "partial"}.get(q["status"], "failed")
            out.append(
                f'<tr><th scope="row">{_e(q["title"])} <span class="muted">'
                f"(<code>{_e(q['id'])}</code>)</span></th>"
                f'<td class="num">{_e(q["score"])}</td><td class="num">{_e(q["max"])}</td>'
                f'<td class="status-{css}">{_e(STATUS_TEXT.get(q["status"], q["status"]))}'
                "</td></tr>"
            )
        out += ["</tbody>", "</table>", "</section>"]
    if v["issues"]:
        out += ['<section aria-labelledby="h-fix">', '<h2 id="h-fix">What to fix</h2>']
        for issue in v["issues"]:
            out += ["<article>", f"<h3>{_e(issue['title'])}</h3>"]
            out.append(f'<p class="msg">{_e(issue["feedback"])}</p>')
            if issue["held"]:
                out.append(
                    f'<p class="muted">{issue["held"]} failed case(s): details after the '
                    "deadline.</p>"
                )
            if issue["failed"]:
                out.append("<ul>")
                for case in issue["failed"]:
                    item = f"<li><strong>{_e(case['name'])}</strong>"
                    if case["message"]:
                        item += f': <span class="msg">{_e(case["message"])}</span>'
                    if case["hint"]:
                        item += f'<p class="hint msg">Hint: {_e(case["hint"])}</p>'
                    out.append(item + "</li>")
                out.append("</ul>")
            out.append("</article>")
        out.append("</section>")
    if v["answers"]:
        out += [
            '<section aria-labelledby="h-answers">',
            '<h2 id="h-answers">Your inline answers</h2>',
            '<p class="muted">Read and marked by the course staff, not by the grader.</p>',
        ]
        for group in v["answers"]:
            out += ["<article>", f"<h3>{_e(group['title'])}</h3>", "<dl>"]
            for item in group["items"]:
                out.append(f"<dt><code>{_e(item['name'])}</code></dt>")
                if item["status"] == "answered":
                    out.append(f"<dd><pre>{_e(item['text'])}</pre></dd>")
                else:
                    out.append(f'<dd class="muted">not answered: {_e(item["text"])}</dd>')
            out += ["</dl>", "</article>"]
        out.append("</section>")
    if v["missing_files"]:
        out += [
            '<section aria-labelledby="h-files">',
            '<h2 id="h-files">Files not in your submission</h2>',
            "<ul>",
            *[f"<li><code>{_e(name)}</code></li>" for name in v["missing_files"]],
            "</ul>",
            "</section>",
        ]
    out += [
        f"<footer><p>Generated by scratchnet {_e(__version__)} on {_e(v['generated'])}.</p>"
        "</footer>",
        "</main>",
        "</body>",
        "</html>",
        "",
    ]
    return "\n".join(out)


def _md(text) -> str:
    """Student text made inert in Markdown: HTML escaped, Markdown syntax backslashed, one
    line."""
    flat = " ".join(str(text).split())
    return _MD_SPECIAL.sub(r"\\\1", html.escape(flat, quote=False))


def _fence(text: str) -> str:
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}text\n{text}\n{fence}"


def render_markdown(v: dict) -> str:
    """The report as Markdown (for an LMS comment box or an e-mail)."""
    out = [f"# {_md(v['title'])}", "", f"{_md(v['who'])} (submission {_md(v['submission'])})", ""]
    for notice in v["notices"]:
        out += [f"**Note:** {_md(notice)}", ""]
    out += ["## Score", "", "| | |", "|---|---|"]
    out += [f"| {_md(label)} | {_md(value)} |" for label, value in v["summary"]]
    out.append("")
    if v["late"]:
        out += [f"Lateness: {_md(v['late'])}.", ""]
    if v["questions"]:
        out += ["## Questions", "", "| Question | Score | Out of | Result |", "|---|--:|--:|---|"]
        for q in v["questions"]:
            out.append(
                f"| {_md(q['title'])} ({_md(q['id'])}) | {q['score']} | {q['max']} | "
                f"{_md(STATUS_TEXT.get(q['status'], q['status']))} |"
            )
        out.append("")
    if v["issues"]:
        out += ["## What to fix", ""]
        for issue in v["issues"]:
            out += [f"### {_md(issue['title'])}", "", _md(issue["feedback"]), ""]
            if issue["held"]:
                out += [f"{issue['held']} failed case(s): details after the deadline.", ""]
            for case in issue["failed"]:
                line = f"- **{_md(case['name'])}**"
                if case["message"]:
                    line += f": {_md(case['message'])}"
                if case["hint"]:
                    line += f" (hint: {_md(case['hint'])})"
                out.append(line)
            if issue["failed"]:
                out.append("")
    if v["answers"]:
        out += ["## Your inline answers", "", "Read and marked by the course staff.", ""]
        for group in v["answers"]:
            out += [f"### {_md(group['title'])}", ""]
            for item in group["items"]:
                if item["status"] == "answered":
                    out += [f"**{_md(item['name'])}**", "", _fence(item["text"]), ""]
                else:
                    out += [f"**{_md(item['name'])}**: not answered ({_md(item['text'])})", ""]
    if v["missing_files"]:
        out += ["## Files not in your submission", ""]
        out += [f"- {_md(name)}" for name in v["missing_files"]]
        out.append("")
    out += [f"_Generated by scratchnet {_md(__version__)} on {_md(v['generated'])}._", ""]
    return "\n".join(out)


def write_reports(
    folder: Path, records: list[dict], docs: dict[str, dict | None], assignment: str = ""
) -> None:
    """``<submission>.html`` and ``.md`` per record (earlier reports in ``folder`` removed)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    for old in [*folder.glob("*.html"), *folder.glob("*.md")]:
        old.unlink()
    for record in records:
        v = view(record, docs.get(record["submission"]), assignment)
        write_atomic(folder / f"{record['submission']}.html", render_html(v))
        write_atomic(folder / f"{record['submission']}.md", render_markdown(v))
