"""``grade``: the command line. It parses options and calls ``pipeline.grade``; nothing else.

Exit codes: 0 graded (whatever the score); 1 the submission could not be read (a results file
explaining why is still written); 2 grader fault (bad catalog, internal error).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import catalog, pipeline, report

EXIT_GRADED, EXIT_UNREADABLE, EXIT_GRADER_FAULT = 0, 1, 2


def _parser() -> argparse.ArgumentParser:
    defaults = pipeline.grade.__kwdefaults__
    parser = argparse.ArgumentParser(
        prog="grade",
        description="Grade a scratchnet submission (zip or folder) and write "
        "JSON scores per question.",
        epilog="Exit codes: 0 graded; 1 submission unreadable (results still written); "
        "2 grader fault.",
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
    parser.add_argument(
        "--only",
        nargs="+",
        metavar="QUESTION",
        help="grade only these question ids or id prefixes (e.g. fc bn.)",
    )
    parser.add_argument(
        "--seed", type=int, default=defaults["seed"], help="grading seed (default: %(default)s)"
    )
    parser.add_argument(
        "--no-sandbox",
        action="store_true",
        help="do not use bubblewrap even if available (reduced isolation)",
    )
    parser.add_argument("-q", "--quiet", action="store_true", help="no summary table")
    return parser


def main(argv: list[str] | None = None) -> int:
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
        report.validate(results)
        document = report.to_gradescope(results) if args.format == "gradescope" else results
        report.write_json(document, args.output)
    except catalog.CatalogError as exc:
        print(f"grade: catalog error: {exc}", file=sys.stderr)
        return EXIT_GRADER_FAULT
    if not args.quiet:
        print(report.summary_table(results))
        print(f"results written to {args.output}")
    if results.get("grader_faults"):
        print(
            "grade: internal grader faults:\n  " + "\n  ".join(results["grader_faults"]),
            file=sys.stderr,
        )
        return EXIT_GRADER_FAULT
    return EXIT_UNREADABLE if results["status"] == "rejected" else EXIT_GRADED


if __name__ == "__main__":
    sys.exit(main())
