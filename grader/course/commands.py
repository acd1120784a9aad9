"""The course commands of ``grade``: ``batch``, ``export``, ``similarity`` and
``gradescope-bundle``. Each parses its own options; the modules it needs are imported when it
runs; a ``ScratchnetError`` it raises is reported by ``grader.cli.run_command``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from grader.options import (
    EXIT_GRADED,
    EXIT_GRADER_FAULT,
    EXIT_UNREADABLE,
    add_grading_options,
    add_sandbox_option,
    positive,
)


def batch_main(argv: list[str]) -> int:
    """``grade batch``: grade a folder of submissions (see ``grader.course.batch``)."""
    from grader.course import batch, gradebook

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
        type=positive,
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
    add_grading_options(parser, defaults)
    add_sandbox_option(parser)
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
    except KeyboardInterrupt:
        print(
            "grade batch: interrupted; the results written so far are kept, "
            "run the same command again to grade the rest",
            file=sys.stderr,
        )
        return 130
    if not args.quiet:
        print(gradebook.summary_text(summary))
        for part in ("regrade", "course"):
            if summary.get(part, {}).get("text"):
                print("\n" + summary[part]["text"])
        print(f"\nresults, gradebook.csv and summary.txt written to {args.output}")
    return EXIT_GRADER_FAULT if summary["not_graded"] else EXIT_GRADED


def _add_course_options(parser: argparse.ArgumentParser) -> None:
    """``grade batch``'s course options (see ``grader.course``)."""
    from grader.course.deadlines import POLICY_HELP

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
    from grader.course.records import CourseSettings

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
    from grader.course import exports

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
    from grader.course import gradescope

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
    add_grading_options(parser, defaults)
    args = parser.parse_args(argv)
    path = gradescope.build_bundle(output=args.output, seed=args.seed, only=args.only)
    print(f"Gradescope autograder written to {path}")
    return EXIT_GRADED


def similarity_main(argv: list[str]) -> int:
    """``grade similarity``: the similarity report of the student-written regions."""
    from grader.course import similarity, tasks

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
        type=positive,
        default=defaults["top"],
        help="how many pairs to list (default: %(default)s)",
    )
    args = parser.parse_args(argv)
    result = similarity.similarity_report(source=args.source, top=args.top)
    print(similarity.report_text(result), end="")
    out = args.output or (args.source if (args.source / tasks.MANIFEST).is_file() else None)
    if out is not None:
        json_path, _ = similarity.write_report(result, out)
        print(f"report written to {json_path} and {json_path.with_suffix('.txt')}")
    return EXIT_GRADED
