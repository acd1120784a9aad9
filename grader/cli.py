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
    parser.add_argument(
        "--only",
        nargs="+",
        metavar="QUESTION",
        type=_question_selector,
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
    parser.add_argument("--details", action="store_true",
                        help="list every case of every question (and its hint) in the summary")
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv and argv[0] in COMMANDS:
        return COMMANDS[argv[0]][0](argv[1:])
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
        print(report.summary_table(results, details=args.details))
        print(f"results written to {args.output}")
    if results.get("grader_faults"):
        print(
            "grade: internal grader faults:\n  " + "\n  ".join(results["grader_faults"]),
            file=sys.stderr,
        )
        return EXIT_GRADER_FAULT
    if results["status"] == "not_graded":
        print(f"grade: not graded (grading environment fault): {results.get('error')}",
              file=sys.stderr)
        return EXIT_GRADER_FAULT
    return EXIT_UNREADABLE if results["status"] == "rejected" else EXIT_GRADED


def _question_selector(text: str) -> str:
    """A ``--only`` value: a question id or an id prefix of the catalog; a usage error lists
    the valid ones."""
    try:
        questions = catalog.load_catalog()["questions"]
    except catalog.CatalogError:
        return text  # the command reports the invalid catalog itself
    ids = [q["id"] for q in questions]
    prefix = text.rstrip(".")
    if any(i == text or i.startswith(prefix + ".") for i in ids):
        return text
    parts = sorted({".".join(i.split(".")[:n]) for i in ids for n in range(1, i.count(".") + 1)})
    raise argparse.ArgumentTypeError(
        f"no question matches {text!r}; prefixes: {', '.join(parts)}; ids: {', '.join(ids)}"
    )


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {value}")
    return value


def _add_grading_options(parser: argparse.ArgumentParser, defaults: dict) -> None:
    parser.add_argument(
        "--only",
        nargs="+",
        metavar="QUESTION",
        type=_question_selector,
        help="grade only these question ids or id prefixes (e.g. fc bn.)",
    )
    parser.add_argument(
        "--seed", type=int, default=defaults["seed"], help="grading seed (default: %(default)s)"
    )


def batch_main(argv: list[str]) -> int:
    """``grade batch``: grade a folder of submissions (see ``grader.batch``)."""
    from . import batch

    defaults = batch.run_batch.__kwdefaults__
    parser = argparse.ArgumentParser(
        prog="grade batch",
        description="Grade every submission (zip file or folder) in SUBMISSIONS_DIR: one results "
        "JSON each, a gradebook CSV and a summary in OUT_DIR. A rerun skips what is already "
        "graded; an interrupted run keeps everything written so far.",
        epilog="Exit codes: 0 batch graded (whatever the scores); 2 grader fault (bad catalog, "
        "or some submissions not graded: see summary.txt; a rerun retries them); 130 interrupted.",
    )
    parser.add_argument("submissions", type=Path, metavar="SUBMISSIONS_DIR")
    parser.add_argument(
        "-o",
        "--output",
        type=Path,
        required=True,
        metavar="OUT_DIR",
        help="folder for results/, gradebook.csv, summary.json and summary.txt",
    )
    parser.add_argument(
        "-j",
        "--jobs",
        type=_positive,
        default=defaults["jobs"],
        metavar="N",
        help="grade N submissions at once, one worker process each (default: %(default)s)",
    )
    parser.add_argument(
        "--force", action="store_true", help="regrade submissions that are already graded"
    )
    parser.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="grade on the Dask cluster whose scheduler is at ADDRESS (e.g. tcp://host:8786)",
    )
    _add_grading_options(parser, defaults)
    parser.add_argument(
        "--no-sandbox",
        action="store_true",
        help="do not use bubblewrap even if available (reduced isolation)",
    )
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress bar, no summary")
    _add_course_options(parser)
    args = parser.parse_args(argv)
    try:
        summary = batch.run_batch(
            submissions=args.submissions,
            out=args.output,
            jobs=args.jobs,
            force=args.force,
            scheduler=args.scheduler,
            seed=args.seed,
            only=args.only,
            use_sandbox=not args.no_sandbox,
            progress=not args.quiet,
            course=_course_settings(args),
        )
    except (catalog.CatalogError, batch.BatchError) as exc:
        print(f"grade batch: {exc}", file=sys.stderr)
        return EXIT_GRADER_FAULT
    except KeyboardInterrupt:
        print(
            "grade batch: interrupted; the results written so far are kept, "
            "run the same command again to grade the rest",
            file=sys.stderr,
        )
        return 130
    if not args.quiet:
        print(batch.summary_text(summary))
        for part in ("regrade", "course"):
            if summary.get(part, {}).get("text"):
                print("\n" + summary[part]["text"])
        print(f"\nresults, gradebook.csv and summary.txt written to {args.output}")
    return EXIT_GRADER_FAULT if summary["not_graded"] else EXIT_GRADED


def _add_course_options(parser: argparse.ArgumentParser) -> None:
    """``grade batch``'s course options (see ``grader.course``)."""
    from .course.deadlines import POLICY_HELP

    group = parser.add_argument_group(
        "course", "roster, deadline and late policy (see README, Running a course)"
    )
    group.add_argument(
        "--roster",
        type=Path,
        metavar="CSV",
        help="one row per student: submission (required), name, id, sis_user_id, "
        "sis_login_id, section, email, submitted_at",
    )
    group.add_argument(
        "--deadline",
        metavar="TIME",
        help="ISO 8601 with a UTC offset, e.g. 2026-12-01T23:59:00+01:00",
    )
    group.add_argument(
        "--extensions", type=Path, metavar="CSV", help="per-student deadlines: submission, deadline"
    )
    group.add_argument("--late-policy", metavar="POLICY", help=POLICY_HELP)
    group.add_argument(
        "--submission-times",
        type=Path,
        metavar="CSV",
        help="submission, submitted_at (default: SUBMISSIONS_DIR/submissions.csv if present); "
        "file modification times are never used",
    )
    group.add_argument(
        "--hold-hidden-feedback",
        action="store_true",
        help="feedback reports show failed hidden cases only after the student's deadline "
        "(rerun the batch after it to release them)",
    )


def _course_settings(args: argparse.Namespace):
    from .course.records import CourseSettings

    return CourseSettings(
        roster=args.roster,
        deadline=args.deadline,
        extensions=args.extensions,
        late_policy=args.late_policy,
        hold_hidden_feedback=args.hold_hidden_feedback,
        manifest=args.submission_times,
    )


def export_main(argv: list[str]) -> int:
    """``grade export``: the final scores of a graded batch in an LMS's import format."""
    from .course import exports

    parser = argparse.ArgumentParser(
        prog="grade export",
        description="Write the final scores (after late penalties) of a `grade batch --roster` "
        "output folder in the CSV format Canvas or Moodle imports, or as a plain CSV.",
    )
    parser.add_argument("kind", choices=("canvas", "moodle", "csv"))
    parser.add_argument("graded", type=Path, metavar="GRADED_DIR")
    parser.add_argument("-o", "--output", type=Path, required=True, metavar="FILE")
    parser.add_argument(
        "--assignment",
        default=exports.DEFAULT_ASSIGNMENT,
        metavar="NAME",
        help="the assignment's column name in the LMS (default: %(default)s)",
    )
    parser.add_argument(
        "--into",
        type=Path,
        metavar="CANVAS_EXPORT_CSV",
        help="canvas only: fill the assignment's column of a gradebook exported from Canvas "
        "(matched on Canvas's ID, then SIS User ID, then SIS Login ID; other cells unchanged)",
    )
    parser.add_argument(
        "--bom", action="store_true", help="start with the UTF-8 byte-order mark (for Excel)"
    )
    args = parser.parse_args(argv)
    try:
        warnings = exports.export(
            args.kind,
            args.graded,
            args.output,
            assignment=args.assignment,
            into=args.into,
            bom=args.bom,
        )
    except (exports.ExportError, OSError) as exc:
        print(f"grade export: {exc}", file=sys.stderr)
        return EXIT_UNREADABLE
    for warning in warnings:
        print(f"grade export: warning: {warning}", file=sys.stderr)
    print(f"{args.kind} export written to {args.output}")
    return EXIT_GRADED


def gradescope_bundle_main(argv: list[str]) -> int:
    """``grade gradescope-bundle``: build Gradescope's autograder zip."""
    from . import gradescope

    defaults = gradescope.build_bundle.__kwdefaults__
    parser = argparse.ArgumentParser(
        prog="grade gradescope-bundle",
        description="Build the autograder zip to upload to a Gradescope programming assignment "
        "(setup.sh, run_autograder, the scratchnet source and the grading settings).",
    )
    parser.add_argument(
        "-o",
        "--output",
        type=Path,
        default=defaults["output"],
        help="the zip to write (default: %(default)s)",
    )
    _add_grading_options(parser, defaults)
    args = parser.parse_args(argv)
    try:
        path = gradescope.build_bundle(output=args.output, seed=args.seed, only=args.only)
    except catalog.CatalogError as exc:
        print(f"grade gradescope-bundle: {exc}", file=sys.stderr)
        return EXIT_GRADER_FAULT
    print(f"Gradescope autograder written to {path}")
    return EXIT_GRADED


def similarity_main(argv: list[str]) -> int:
    """``grade similarity``: the similarity report of the student-written regions."""
    from . import batch, similarity

    defaults = similarity.similarity_report.__kwdefaults__
    parser = argparse.ArgumentParser(
        prog="grade similarity",
        description="List the pairs of submissions whose student-written regions are most "
        "alike (names, layout and comments ignored; starter code excluded), with the regions "
        "side by side. A signal for a human, never a verdict.",
    )
    parser.add_argument(
        "source",
        type=Path,
        metavar="OUT_DIR_OR_SUBMISSIONS_DIR",
        help="a `grade batch` output folder or a folder of submissions",
    )
    parser.add_argument(
        "-o",
        "--output",
        type=Path,
        help="write similarity.json and similarity.txt here (default: into OUT_DIR when given "
        "a batch output folder; otherwise only print)",
    )
    parser.add_argument(
        "--top",
        type=_positive,
        default=defaults["top"],
        help="how many pairs to list (default: %(default)s)",
    )
    args = parser.parse_args(argv)
    try:
        result = similarity.similarity_report(source=args.source, top=args.top)
    except batch.BatchError as exc:
        print(f"grade similarity: {exc}", file=sys.stderr)
        return EXIT_GRADER_FAULT
    print(similarity.report_text(result), end="")
    out = args.output or (args.source if (args.source / batch.MANIFEST).is_file() else None)
    if out is not None:
        json_path, _ = similarity.write_report(result, out)
        print(f"report written to {json_path} and {json_path.with_suffix('.txt')}")
    return EXIT_GRADED


# Commands other than grading one submission: name -> (entry point, one-line summary).
COMMANDS = {
    "batch": (batch_main, "grade a folder of submissions into results, a gradebook and a summary"),
    "gradescope-bundle": (gradescope_bundle_main, "build the Gradescope autograder zip"),
    "similarity": (similarity_main, "similarity report of the student-written code"),
    "export": (export_main, "final scores as a Canvas, Moodle or plain CSV gradebook"),
}


if __name__ == "__main__":
    sys.exit(main())
