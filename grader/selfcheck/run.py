"""Check your whole package the way the grader will, on public cases, before you hand it in.

    python -m assignment.selfcheck                 # every question
    python -m assignment.selfcheck --only fc conv  # the questions whose ids start so
    python -m assignment.selfcheck --details       # every case, passed ones too

Run it from the folder that holds ``assignment/`` (or from the notebook folder). It collects
your files as the collect step does, then runs the grader's own checks on them: the same kinds
of cases (the same shapes, edge cases and tolerances, N=1, strides and pads, gamma != 1,
networks with normalization and dropout), the same feedback and the same hints, with inputs
drawn from PUBLIC seeds and compared with the reference's recorded answers. The grader uses
other, hidden inputs, so a PASS here is a very good sign but not a grade. Training questions
train your model on the digits exactly as the grader does (they take a few seconds each).
"""

from __future__ import annotations

import argparse
import hashlib
import shutil
import sys
import tempfile
import warnings
from pathlib import Path

from grader import catalog
from grader.authoring import collect
from grader.engine import overlay, pipeline, report
from grader.files import zip_bytes
from grader.options import add_sandbox_option, question_selector
from grader.selfcheck.recording import RECORDING_PATH, Recording, load_or_record

PROG = "python -m assignment.selfcheck"
NOTE = (
    "Self-check on PUBLIC cases: the grader uses other, hidden inputs of the same kinds, so "
    "these scores are a forecast, not your grade."
)


def judging(recording: Recording, package: str) -> pipeline.Judging:
    """Expected answers from ``recording``; learned weights judged by ``package``'s models."""
    return pipeline.Judging(
        reference=recording.reference,
        diagnose=recording.diagnose,
        namespace=recording.namespace,
        package=package,
    )


def _import_alias(package: Path, scratch: Path) -> str:
    """Make a copy of the student's package importable under a name of its own (this process
    may already hold another ``assignment``); the training questions evaluate learned weights
    with its models, and its given code loads the digits."""
    name = "scratchnet_selfcheck_" + hashlib.sha256(str(scratch).encode()).hexdigest()[:12]
    shutil.copytree(package, scratch / name, ignore=overlay.SKIP)
    sys.path.insert(0, str(scratch))
    return name


def self_check(start: Path, only: list[str] | None, recording: Recording, sandbox: bool) -> dict:
    """The results document of the public cases for the package found from ``start``."""
    files, _, _ = collect.gather(start)
    root = collect.find_project_root(start)
    with tempfile.TemporaryDirectory(prefix="scratchnet-selfcheck-") as scratch:
        submission = Path(scratch) / collect.SUBMISSION_NAME
        submission.write_bytes(zip_bytes(files))
        package = _import_alias(root / "assignment", Path(scratch))
        try:
            return pipeline.grade(
                submission=submission,
                seed=recording.seed,
                only=[q for q in only or [] if q] or None,
                use_sandbox=sandbox,
                judging=judging(recording, package),
                switch_user=False,  # never create users on a student's machine
            )
        finally:
            sys.path.remove(str(scratch))
            for module in [m for m in list(sys.modules) if m.split(".")[0] == package]:
                del sys.modules[module]


def main(argv: list[str] | None = None) -> int:
    """Print the self-check's summary; exit 0 when every checked question passed, else 1."""
    parser = argparse.ArgumentParser(prog=PROG, description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--only",
        nargs="+",
        metavar="QUESTION",
        type=question_selector,
        help="question ids or id prefixes (e.g. fc bn.)",
    )
    parser.add_argument("--details", action="store_true", help="show every case")
    parser.add_argument("--recording", type=Path, default=RECORDING_PATH, help=argparse.SUPPRESS)
    add_sandbox_option(parser)
    args = parser.parse_args(argv)
    # The notebooks said it already: the fast layers fall back to numpy when not compiled.
    warnings.filterwarnings("ignore", message=r".*im2col_cython is not built")
    try:
        recording = load_or_record(args.recording)
    except (OSError, ValueError) as exc:
        print(f"error: the self-check's recorded answers cannot be read ({exc})", file=sys.stderr)
        return 2
    try:
        document = self_check(Path.cwd(), args.only, recording, not args.no_sandbox)
    except (collect.CollectError, catalog.CatalogError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(NOTE)
    print(report.summary_table(document, details=args.details, isolation_note=False))
    done = {"passed", "skipped", "manual"}
    return 0 if all(q["status"] in done for q in document["questions"]) else 1


if __name__ == "__main__":
    sys.exit(main())
