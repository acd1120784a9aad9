"""Seconds to grade the reference submission end to end on the digits data, per question.

    python benchmarks/bench_grade.py [--repeats 3]

Prints the median wall time of a whole `grade` run (sandboxed child included) and each
question's median seconds, slowest first. Target: under 30 s on a 2-core machine.
"""

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from grader.authoring.reference import build_reference_submission
from grader.engine import pipeline


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        sub = build_reference_submission(Path(tmp) / "reference")
        totals, per_question = [], {}
        for _ in range(args.repeats):
            begin = time.perf_counter()
            results = pipeline.grade(submission=sub)
            totals.append(time.perf_counter() - begin)
            for q in results["questions"]:
                per_question.setdefault(q["id"], []).append(q["seconds"])
    print(
        f"score {results['total']:g}/{results['max_score']:g}, sandbox "
        f"{results['isolation']['sandbox']}"
    )
    print(
        f"whole grade run: median {statistics.median(totals):.2f} s over {args.repeats} "
        f"runs (min {min(totals):.2f}, max {max(totals):.2f})"
    )
    rows = sorted(((statistics.median(v), k) for k, v in per_question.items()), reverse=True)
    for seconds, qid in rows:
        print(f"  {qid:<28} {seconds:6.3f} s")


if __name__ == "__main__":
    main()
