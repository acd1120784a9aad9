"""How many of the mutant table's mistakes get a hint, and do correct variants ever get one?

    python benchmarks/hint_coverage.py [--seed N]

Grades every mutant of tests/grader/checks/test_mutants.py on its own question and counts those
whose failed cases carry a ``hint``; then grades the correct variants of that table and the FULL
rows of tests/grader/checks/test_contract.py and counts any hint at all (there must be none).
"""

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "grader" / "checks")]

from grader.authoring.reference import build_reference_submission  # noqa: E402
from grader.engine import pipeline  # noqa: E402


def variant(reference: Path, scratch: Path, relpath: str, old: str, new: str) -> Path:
    """A copy of the submission ``reference`` (in ``scratch``) with one snippet replaced."""
    dest = scratch / "variant"
    shutil.rmtree(dest, ignore_errors=True)
    shutil.copytree(reference, dest)
    path = dest / "assignment" / relpath
    path.write_text(path.read_text().replace(old, new, 1))
    return dest


def correct_variants() -> list[tuple[str, str, str, list[str]]]:
    """(relpath, old, new, questions at full marks) of the correct variants of the mutant table
    and of the FULL rows of the contract table."""
    import test_contract
    import test_mutants

    correct = [(m.relpath, m.old, m.new, [m.question]) for m, _ in test_mutants.CORRECT_VARIANTS]
    correct += [
        (r.relpath, r.old, r.new, sorted(q for q, e in r.expect.items() if e == "full"))
        for r in test_contract.ROWS
    ]
    return [c for c in correct if c[3]]


def _grade(reference: Path, scratch: Path, relpath, old, new, only) -> list[dict]:
    dest = variant(reference, scratch, relpath, old, new)
    return pipeline.grade(submission=dest, seed=ARGS.seed, only=only)["questions"]


def _hinted(questions: list[dict]) -> bool:
    return any(c.get("hint") for q in questions for c in q["checks"])


def main() -> int:
    import test_mutants

    scratch = Path(tempfile.mkdtemp())
    reference = build_reference_submission(scratch / "reference")
    losing = hinted = 0
    unhinted = []
    for m in test_mutants.MUTANTS:
        questions = _grade(reference, scratch, m.relpath, m.old, m.new, [m.question])
        if questions[0]["score"] < questions[0]["max_score"]:
            losing += 1
            if _hinted(questions):
                hinted += 1
            else:
                unhinted.append(f"{m.question}-{m.slug}")
    correct = correct_variants()
    false_hints = [c for c in correct if _hinted(_grade(reference, scratch, *c))]
    print(f"mutants losing points: {losing}; with a hint: {hinted} ({hinted / losing:.0%})")
    print("without a hint: " + ", ".join(unhinted))
    print(f"correct variants graded: {len(correct)}; with a hint: {len(false_hints)}")
    shutil.rmtree(scratch, ignore_errors=True)
    return 1 if false_hints else 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=0)
    ARGS = parser.parse_args()
    sys.exit(main())
