"""Does the student's self-check flag every mistake the grader flags, and pass every correct
variant the grader passes?

    python benchmarks/selfcheck_coverage.py [--seed N] [--alternatives]

For every mutant of tests/grader/checks/test_mutants.py that loses points when graded (hidden
cases, grading seed ``--seed``), runs the self-check (public cases, recorded answers) on a
working folder holding that mutant, on the mutant's question, and counts it flagged when the
question is not ``passed``; a hint the grader gives should come back too. Then self-checks
the correct variants of that table and the FULL rows of tests/grader/checks/test_contract.py:
each must pass (or say "skipped" for a case built from its own random draws); with
``--alternatives``, also the 100+ correct alternatives of the issue-10 corpus, and the whole
null submissions (zeros, ones, identity, mixed), which must earn nothing. Prints the
mutants it misses, with the status the self-check gave them.
"""

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "grader" / "checks")]

from hint_coverage import correct_variants, variant  # noqa: E402

from grader.authoring.reference import (  # noqa: E402
    build_reference_submission,
    build_working_folder,
)
from grader.engine import pipeline  # noqa: E402
from grader.selfcheck import recording, run  # noqa: E402
from tests.grader.checks.alternatives import build, correct_alternatives, nulls  # noqa: E402

# A correct variant passes, or is "skipped" where a case is built from its own random draws.
OK = ("passed", "skipped")


def _self_check(submission: Path, scratch: Path, only: list[str], rec) -> list[dict]:
    folder = scratch / "working"
    shutil.rmtree(folder, ignore_errors=True)
    build_working_folder(submission, folder)
    return run.self_check(folder, only, rec, sandbox=True)["questions"]


def _hints(questions: list[dict]) -> set[str]:
    return {c["hint"] for q in questions for c in q["checks"] if c.get("hint")}


def main() -> int:
    import test_mutants

    rec = recording.load_or_record()
    scratch = Path(tempfile.mkdtemp())
    reference = build_reference_submission(scratch / "reference")
    begin = time.monotonic()
    losing = flagged = hint_kept = graded_hints = 0
    missed, hint_lost = [], []
    for m in test_mutants.MUTANTS:
        mutant = variant(reference, scratch, m.relpath, m.old, m.new)
        (graded,) = pipeline.grade(submission=mutant, seed=ARGS.seed, only=[m.question])[
            "questions"
        ]
        if graded["score"] >= graded["max_score"]:
            continue
        losing += 1
        checked = _self_check(mutant, scratch, [m.question], rec)
        if any(q["status"] != "passed" for q in checked):
            flagged += 1
        else:
            missed.append(f"{m.question}-{m.slug} ({checked[0]['feedback']})")
        wanted = _hints([graded])
        if wanted:
            graded_hints += 1
            if wanted & _hints(checked):
                hint_kept += 1
            else:
                hint_lost.append(f"{m.question}-{m.slug} ({checked[0]['status']})")
    correct = correct_variants()
    false_fails, skipped, false_hints = [], [], []
    for relpath, old, new, only in correct:
        edited = variant(reference, scratch, relpath, old, new)
        checked = _self_check(edited, scratch, only, rec)
        bad = [f"{q['id']} {q['status']}" for q in checked if q["status"] not in OK]
        if bad:
            false_fails.append(f"{relpath}: {new[:40]!r} -> {bad}")
        if any(c["status"] == "skipped" for q in checked for c in q["checks"]):
            skipped.append(new[:40])
        if _hints(checked):
            false_hints.append(new[:40])
    print(
        f"mutants the grader flags: {losing}; the self-check flags: {flagged} "
        f"({flagged / losing:.0%})"
    )
    print(
        f"of those with a hint from the grader ({graded_hints}), the self-check gives the "
        f"same hint: {hint_kept}"
    )
    print("hint not given by the self-check: " + ("; ".join(hint_lost) or "none"))
    print("missed: " + ("; ".join(missed) or "none"))
    alternatives = correct_alternatives() if ARGS.alternatives else []
    alt_passed = 0
    for alternative in alternatives:
        dest = scratch / "alternative"
        shutil.rmtree(dest, ignore_errors=True)
        build(alternative, reference, dest)
        checked = _self_check(dest, scratch, list(alternative.questions), rec)
        bad = [f"{q['id']} {q['status']}" for q in checked if q["status"] not in OK]
        if bad:
            false_fails.append(f"alternative {alternative.slug} -> {bad}")
        else:
            alt_passed += 1
        if any(c["status"] == "skipped" for q in checked for c in q["checks"]):
            skipped.append(alternative.slug)
        if _hints(checked):
            false_hints.append(alternative.slug)
    print(
        f"correct variants self-checked: {len(correct)} of the tables, "
        f"{len(alternatives)} of the alternatives corpus ({alt_passed} passed); "
        f"failed: {len(false_fails)}; with a case skipped (checked only by the grader): "
        f"{len(skipped)}"
    )
    for line in false_fails:
        print(f"  {line}")
    if skipped:
        print("  skipped in: " + ", ".join(skipped))
    print(f"correct variants given a hint: {len(false_hints)} {', '.join(false_hints)}")
    null_points = {}
    for null in nulls.VARIANTS if ARGS.alternatives else ():
        dest = nulls.whole_null_submission(reference, scratch / f"null-{null}", null)
        checked = _self_check(dest, scratch, [], rec)
        null_points[null] = sum(q["score"] for q in checked)
    if null_points:
        print(f"whole null submissions, self-check points: {null_points}")
    print(f"{time.monotonic() - begin:.0f} s")
    shutil.rmtree(scratch, ignore_errors=True)
    return 1 if missed or false_fails or false_hints or any(null_points.values()) else 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--alternatives",
        action="store_true",
        help="also self-check every correct alternative of tests/grader/checks/alternatives",
    )
    ARGS = parser.parse_args()
    sys.exit(main())
