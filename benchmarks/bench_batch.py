"""Batch throughput: grade the same class with ``-j 1`` and ``-j 2`` and report the efficiency.

The class is ``--n`` zip submissions, half the reference solutions (every question passes) and
half the untouched skeleton (every question fails fast with "not implemented"). Each run grades
all of them from scratch (``force``) into a fresh folder; worker start-up is included.

    python benchmarks/bench_batch.py                 # 20 submissions, full catalog, -j 1 and 2
    python benchmarks/bench_batch.py --only fc bn    # a subset of the questions

Parallel efficiency for ``-j N`` is ``T(1) / (N * T(N))``: 1.0 means N workers are N times as
fast. Other processes on the machine skew the figures, so the runs are interleaved and the
load average and the cores actually available (two busy loops against one) are printed too.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from grader.authoring.reference import (
    build_reference_submission,
    build_skeleton_submission,
    zip_submission,
)
from grader.course import batch, tasks


def make_class(root: Path, n: int) -> Path:
    reference = build_reference_submission(root / "reference")
    skeleton = build_skeleton_submission(root / "skeleton")
    subs = root / "submissions"
    subs.mkdir()
    for i in range(n):
        source = reference if i % 2 == 0 else skeleton
        zip_submission(source, subs / f"student{i:03d}.zip")
    return subs


def run(subs: Path, out: Path, jobs: int, only: list[str] | None) -> dict:
    load_before = os.getloadavg()[0]
    begin = time.perf_counter()
    summary = batch.run_batch(
        submissions=subs, out=out, jobs=jobs, force=True, only=only, progress=False
    )
    seconds = time.perf_counter() - begin
    question_seconds = {"reference": [], "skeleton": []}
    for path in sorted((out / tasks.RESULTS_DIR).glob("*.json")):
        doc = json.loads(path.read_text())
        kind = "reference" if int(path.stem.removeprefix("student")) % 2 == 0 else "skeleton"
        question_seconds[kind].append(sum(q["seconds"] for q in doc["questions"]))
    return {
        "jobs": jobs,
        "seconds": round(seconds, 2),
        "submissions_per_minute": round(60 * summary["submissions"] / seconds, 1),
        "graded": summary["graded"],
        "not_graded": summary["not_graded"],
        "mean_total": summary["total"]["mean"],
        "mean_question_seconds": {
            kind: round(sum(v) / len(v), 2) for kind, v in question_seconds.items() if v
        },
        "load_before": round(load_before, 2),
        "load_after": round(os.getloadavg()[0], 2),
    }


BUSY = "x = 0\nfor i in range(20_000_000):\n    x += i\n"


def parallel_capacity() -> float:
    """How many cores this machine gives right now: one busy loop alone, then two at once
    (2.0 on an idle two-core machine, nearer 1.0 when other processes take a core)."""

    def busy(count: int) -> float:
        begin = time.perf_counter()
        procs = [subprocess.Popen([sys.executable, "-c", BUSY]) for _ in range(count)]
        for proc in procs:
            proc.wait()
        return time.perf_counter() - begin

    alone = busy(1)
    return round(2 * alone / busy(2), 2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=20, help="submissions (default: 20)")
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--only", nargs="+", help="question ids or prefixes (default: all)")
    parser.add_argument("--repeat", type=int, default=1, help="runs per -j; the median counts")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="bench-batch-") as tmp:
        subs = make_class(Path(tmp), args.n)
        cores_before = parallel_capacity()
        runs: dict[int, list[dict]] = {jobs: [] for jobs in args.jobs}
        # Interleaved (-j 1, -j 2, -j 1, ...) so that load from other processes, which comes and
        # goes, falls on every setting alike; the median run of each setting counts.
        for r in range(args.repeat):
            for jobs in args.jobs:
                row = run(subs, Path(tmp) / f"out-j{jobs}-{r}", jobs, args.only)
                runs[jobs].append(row)
                print(json.dumps(row), flush=True)
        cores_after = parallel_capacity()
    rows = []
    for done in runs.values():
        median = sorted(done, key=lambda r: r["seconds"])[len(done) // 2]
        rows.append({**median, "all_seconds": [r["seconds"] for r in done]})
    serial = next((r["seconds"] for r in rows if r["jobs"] == 1), None)
    for row in rows:
        if serial:
            row["efficiency"] = round(serial / (row["jobs"] * row["seconds"]), 3)
    result = {
        "submissions": args.n,
        "mix": "half reference solutions, half untouched skeleton (zip files)",
        "questions": args.only or "all",
        "cpus": os.cpu_count(),
        "cores_available_before_after": [cores_before, cores_after],
        "runs": rows,
    }
    print()
    print(f"cores available (2 busy loops vs 1) before/after: {cores_before}/{cores_after}")
    print(f"{'jobs':>4}  {'seconds':>8}  {'subs/min':>8}  {'efficiency':>10}  load before/after")
    for row in rows:
        print(
            f"{row['jobs']:>4}  {row['seconds']:>8.2f}  "
            f"{row['submissions_per_minute']:>8.1f}  {row.get('efficiency', float('nan')):>10.3f}  "
            f"{row['load_before']:.2f}/{row['load_after']:.2f}"
        )
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
