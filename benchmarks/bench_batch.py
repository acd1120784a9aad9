"""Batch throughput: grade the same class with ``-j 1`` and ``-j 2`` and report the efficiency.

The class is ``--n`` zip submissions, half the reference solutions (every question passes) and
half the untouched skeleton (every question fails fast with "not implemented"). Each run grades
all of them from scratch (``force``) into a fresh folder; worker start-up is included.

    python benchmarks/bench_batch.py                 # 20 submissions, full catalog, -j 1 and 2
    python benchmarks/bench_batch.py --only fc bn    # a subset of the questions

Parallel efficiency for ``-j N`` is ``T(1) / (N * T(N))``: 1.0 means N workers are N times as
fast. The load average is printed because other processes on the machine skew the figures; the
CPU seconds (this process and all its finished descendants) show the work done, which the number
of workers should not change.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import tempfile
import time
import zipfile
from pathlib import Path

from grader import batch, overlay
from grader.reference import build_reference_submission


def skeleton_submission(dest: Path) -> Path:
    skeleton = overlay.skeleton_dir()
    for canonical in sorted(overlay.allow_list().code):
        rel = canonical.removeprefix("assignment/")
        target = dest / "assignment" / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(skeleton / rel, target)
    return dest


def zip_folder(folder: Path, dest: Path) -> None:
    with zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                archive.write(path, path.relative_to(folder).as_posix())


def make_class(root: Path, n: int) -> Path:
    reference = build_reference_submission(root / "reference")
    skeleton = skeleton_submission(root / "skeleton")
    subs = root / "submissions"
    subs.mkdir()
    for i in range(n):
        source = reference if i % 2 == 0 else skeleton
        zip_folder(source, subs / f"student{i:03d}.zip")
    return subs


def _cpu_seconds() -> float:
    """CPU time of this process and of every finished descendant (workers, sandboxed children)."""
    own, children = (
        resource.getrusage(resource.RUSAGE_SELF),
        resource.getrusage(resource.RUSAGE_CHILDREN),
    )
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def run(subs: Path, out: Path, jobs: int, only: list[str] | None) -> dict:
    load_before = os.getloadavg()[0]
    cpu_before = _cpu_seconds()
    begin = time.perf_counter()
    summary = batch.run_batch(
        submissions=subs, out=out, jobs=jobs, force=True, only=only, progress=False
    )
    seconds = time.perf_counter() - begin
    return {
        "jobs": jobs,
        "seconds": round(seconds, 2),
        "cpu_seconds": round(_cpu_seconds() - cpu_before, 2),
        "submissions_per_minute": round(60 * summary["submissions"] / seconds, 1),
        "graded": summary["graded"],
        "not_graded": summary["not_graded"],
        "mean_total": summary["total"]["mean"],
        "load_before": round(load_before, 2),
        "load_after": round(os.getloadavg()[0], 2),
    }


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
        rows = []
        for jobs in args.jobs:
            runs = [
                run(subs, Path(tmp) / f"out-j{jobs}-{r}", jobs, args.only)
                for r in range(args.repeat)
            ]
            best = sorted(runs, key=lambda r: r["seconds"])[len(runs) // 2]
            best["all_seconds"] = [r["seconds"] for r in runs]
            rows.append(best)
            print(json.dumps(best), flush=True)
    serial = next((r["seconds"] for r in rows if r["jobs"] == 1), None)
    for row in rows:
        if serial:
            row["efficiency"] = round(serial / (row["jobs"] * row["seconds"]), 3)
    result = {
        "submissions": args.n,
        "mix": "half reference solutions, half untouched skeleton (zip files)",
        "questions": args.only or "all",
        "cpus": os.cpu_count(),
        "runs": rows,
    }
    print()
    print(
        f"{'jobs':>4}  {'seconds':>8}  {'cpu s':>7}  {'subs/min':>8}  {'efficiency':>10}  "
        "load before/after"
    )
    for row in rows:
        print(
            f"{row['jobs']:>4}  {row['seconds']:>8.2f}  {row['cpu_seconds']:>7.1f}  "
            f"{row['submissions_per_minute']:>8.1f}  {row.get('efficiency', float('nan')):>10.3f}  "
            f"{row['load_before']:.2f}/{row['load_after']:.2f}"
        )
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
