"""``grade``: the command line. It parses options and calls ``pipeline.grade``; nothing else.

Exit codes: 0 graded (whatever the score); 1 the submission could not be read (a results file
explaining why is still written); 2 grader fault (bad catalog, internal error).

A first argument naming a command in ``COMMANDS`` runs that command instead (``grade batch``,
``grade gradescope-bundle``, ``grade similarity``); each parses its own options and imports its
module only when it runs. A submission that happens to be called like a command is graded
with a path: ``grade ./batch``.
"""

from __future__ import annotations

import argparse
import difflib
import importlib
import sys
from pathlib import Path

from grader.engine import pipeline, report
from grader.errors import ScratchnetError
from grader.options import (
    EXIT_GRADED,
    EXIT_GRADER_FAULT,
    EXIT_UNREADABLE,
    add_grading_options,
    add_sandbox_option,
)

# Every command other than grading one submission: name -> (module:function, one-line summary).
# Modules are imported only when their command runs, so ``grade`` starts fast.
COMMANDS = {
    "batch": (
        "grader.course.commands:batch_main",
        "grade a folder of submissions into results, a gradebook and a summary",
    ),
    "export": (
        "grader.course.commands:export_main",
        "final scores as a Canvas, Moodle or plain CSV gradebook",
    ),
    "similarity": (
        "grader.course.commands:similarity_main",
        "similarity report of the student-written code",
    ),
    "gradescope-bundle": (
        "grader.course.commands:gradescope_bundle_main",
        "build the Gradescope autograder zip",
    ),
    "generate": (
        "grader.authoring.generate:main",
        "regenerate the student skeleton assignment/ from solutions/ (--check)",
    ),
    "fixtures": (
        "grader.authoring.fixtures:main",
        "regenerate the public self-check fixtures from the reference (--check)",
    ),
    "release": ("grader.course.release:main", "build dist/student-release.zip"),
    "collect": (
        "grader.authoring.collect:main",
        "build submission.zip from the current folder (what students hand in)",
    ),
    "sandbox": (
        "grader.sandbox.__main__:main",
        "as root: check (--check) or make (--protect) the grader unreadable to the sandbox user",
    ),
}


def _parser() -> argparse.ArgumentParser:
    defaults = pipeline.grade.__kwdefaults__
    parser = argparse.ArgumentParser(
        prog="grade",
        description="Grade a scratchnet submission (zip or folder) and write "
        "JSON scores per question.",
        epilog="Exit codes: 0 graded; 1 submission unreadable (results still written); "
        "2 grader fault. Other commands: "
        + "; ".join(f"grade {name}: {summary}" for name, (_, summary) in COMMANDS.items())
        + " (grade COMMAND -h for its options).",
    )
    parser.add_argument("submission", type=Path, help="submission.zip or a folder")
    parser.add_argument(
        "-o",
        "--output",
        type=Path,
        default=Path("results.json"),
        help="where to write the results (default: results.json)",
    )
    parser.add_argument(
        "--format",
        choices=("native", "gradescope"),
        default="native",
        help="native scratchnet results or Gradescope's results.json",
    )
    add_grading_options(parser, defaults)
    add_sandbox_option(parser)
    parser.add_argument("-q", "--quiet", action="store_true", help="no summary table")
    parser.add_argument(
        "--details",
        action="store_true",
        help="list every case of every question (and its hint) in the summary",
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv and argv[0] in COMMANDS:
        return run_command(argv[0], argv[1:])
    close = difflib.get_close_matches(argv[0], COMMANDS, n=1) if argv else []
    if close and not Path(argv[0]).exists():  # ``grade bacth``: a mistyped command, not a path
        print(
            f"grade: no command or submission named {argv[0]!r}; did you mean "
            f"`grade {close[0]}`? (commands: {', '.join(COMMANDS)})",
            file=sys.stderr,
        )
        return EXIT_GRADER_FAULT
    args = _parser().parse_args(argv)
    try:
        results = pipeline.grade(
            submission=args.submission,
            seed=args.seed,
            only=args.only,
            use_sandbox=not args.no_sandbox,
            progress=None
            if args.quiet
            else lambda qid: print(f"grading {qid} ...", file=sys.stderr, flush=True),
        )
        document = report.to_gradescope(results) if args.format == "gradescope" else results
        report.write_json(document, args.output)
    except ScratchnetError as exc:  # the catalog, the hints: the grader's set-up
        print(f"grade: {exc}", file=sys.stderr)
        return exc.exit_code
    if not args.quiet:
        print(report.summary_table(results, details=args.details))
        print(f"results written to {args.output}")
    if results.get("grader_faults"):
        print(
            "grade: internal grader faults:\n  " + "\n  ".join(results["grader_faults"]),
            file=sys.stderr,
        )
        return EXIT_GRADER_FAULT
    if results["status"] == "not_graded":
        print(
            f"grade: not graded (grading environment fault): {results.get('error')}",
            file=sys.stderr,
        )
        return EXIT_GRADER_FAULT
    return EXIT_UNREADABLE if results["status"] == "rejected" else EXIT_GRADED


def run_command(name: str, argv: list[str]) -> int:
    """Run the command ``name`` of ``COMMANDS`` with its own arguments. A ``ScratchnetError``
    it raises is said in one line and ends it with the error's exit code."""
    module, _, function = COMMANDS[name][0].partition(":")
    try:
        return getattr(importlib.import_module(module), function)(argv) or 0
    except ScratchnetError as exc:
        print(f"grade {name}: {exc}", file=sys.stderr)
        return exc.exit_code


if __name__ == "__main__":
    sys.exit(main())
