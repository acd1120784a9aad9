"""Problems of a submission's files, found once and reported once at the top of the results.

A syntax error, an import that fails in the grading environment (``import torch`` at the top of
``layers.py``) or a stub left under written code would otherwise show up in every case of every
question that touches the file. Each problem is ``{"file", "line", "severity", "message"}``;
``severity`` is ``error`` (the file does not import: its questions are not graded) or
``warning`` (the file imports, but something in it is likely wrong).

Syntax is checked by compiling the source in the parent (compiling runs no student code); the
imports are tried in the sandboxed child.
"""

from __future__ import annotations

import importlib.util
import warnings
from collections.abc import Callable, Iterable

from grader.authoring.regions import MarkerError, leftover_stub_findings
from grader.sandbox.child import Answer

IMPORT_TIMEOUT = 20.0
TORCH_FILE = "assignment/pytorch_models.py"  # needs the optional extra torch


def static_problems(files: dict[str, bytes]) -> list[dict]:
    """Syntax errors, Python's warnings about the code, and leftover stubs, per student file."""
    problems = []
    for name in sorted(files):
        if not (name.startswith("assignment/") and name.endswith(".py")):
            continue
        text = files[name].decode("utf-8", "replace")
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                compile(text, name, "exec")
            except (SyntaxError, ValueError) as exc:
                line = getattr(exc, "lineno", None)
                why = getattr(exc, "msg", str(exc))
                problems.append(
                    _problem(
                        name, line, "error", f"syntax error: {why}; the file cannot be imported"
                    )
                )
                continue
        for warning in caught:
            problems.append(
                _problem(
                    name,
                    warning.lineno,
                    "warning",
                    f"{warning.category.__name__}: {warning.message}",
                )
            )
        try:
            findings = leftover_stub_findings(text, name)
        except MarkerError:
            continue  # broken markers are reported by collect and the similarity report
        for finding in findings:
            line, _, message = finding.partition(": ")
            problems.append(_problem(name, int(line.split()[1]), "warning", message))
    return problems


def import_problems(
    ask: Callable[[dict, float], Answer],
    files: dict[str, bytes],
    known: list[dict],
    unused: Iterable[str] = (),
) -> list[dict]:
    """Import every student module in the child; one problem per module that fails.
    ``unused``: files that no graded question imports (``pytorch_models.py`` when no PyTorch
    question is graded), left alone: their imports may need what the child was not given."""
    skip = {p["file"] for p in known if p["severity"] == "error"} | set(unused)
    modules = [
        name[: -len(".py")].replace("/", ".")
        for name in sorted(files)
        if name.startswith("assignment/") and name.endswith(".py") and name not in skip
    ]
    if not modules:
        return []
    answer = ask(
        {"op": "imports", "modules": [m.split(".", 1)[1] for m in modules]}, IMPORT_TIMEOUT
    )
    if answer.status != "ok" or not isinstance(answer.value, dict):
        return []  # the questions will meet (and report) whatever went wrong
    problems = []
    for module, outcome in zip(modules, answer.value.get("modules", []), strict=False):
        if not isinstance(outcome, dict) or outcome.get("status") == "ok":
            continue
        where = outcome.get("where") if isinstance(outcome.get("where"), dict) else {}
        file = f"{module.replace('.', '/')}.py"
        if where.get("file") not in (None, file):
            continue  # it fails in another file it imports: that file's problem
        if file == TORCH_FILE and _torch_missing(outcome):
            continue  # the machine lacks the optional extra: the pytorch questions say so
        line = where.get("line")
        problems.append(
            _problem(
                file,
                line,
                "error",
                f"does not import: {outcome.get('type')}: {str(outcome.get('message'))[:300]}",
            )
        )
    return problems


def _torch_missing(outcome: dict) -> bool:
    """The PyTorch module failed only because torch is not installed here (issue 13)."""
    message = str(outcome.get("message"))
    return (
        outcome.get("type") == "ModuleNotFoundError"
        and "'torch'" in message
        and importlib.util.find_spec("torch") is None
    )


def broken_files(problems: list[dict]) -> set[str]:
    return {p["file"] for p in problems if p["severity"] == "error"}


def _problem(file: str, line, severity: str, message: str) -> dict:
    return {
        "file": file,
        "line": line if isinstance(line, int) else None,
        "severity": severity,
        "message": message,
    }
