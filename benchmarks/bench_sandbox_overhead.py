"""What the sandbox costs: grading the reference submission under bubblewrap vs without it.

Without bubblewrap the child is confined in layers (grader/inside/confine.py: as root the sandbox
user, and everywhere no_new_privs, Landlock, seccomp, cgroups, rlimits): that is the other mode.

Run from the project root:  python benchmarks/bench_sandbox_overhead.py [--rounds N]

Two measurements, each with the two modes taking turns (the order flips every round, so a burst
of load on the machine hits both alike); printed are medians with the range:

1. a whole grading run of the reference submission (``pipeline.grade``, every question);
2. starting a child and getting one answer (what every restart after a crash or timeout costs).
"""

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from grader import sandbox  # noqa: E402
from grader.authoring import layout
from grader.authoring.reference import build_reference_submission  # noqa: E402
from grader.engine import overlay, pipeline
from grader.engine.intake import read_submission  # noqa: E402
from grader.sandbox.child import Child  # noqa: E402

MODES = {"bubblewrap": True, "layered": False}


def grade_once(submission: Path, use_sandbox: bool) -> float:
    begin = time.perf_counter()
    results = pipeline.grade(submission=submission, use_sandbox=use_sandbox)
    seconds = time.perf_counter() - begin
    expected = "bubblewrap" if use_sandbox else "layered"
    assert results["isolation"]["sandbox"] == expected, results["isolation"]
    return seconds


def start_once(tree: Path, scratch: Path, bwrap: str | None) -> float:
    account = None if bwrap else sandbox.sandbox_account()
    child = Child(tree, scratch, sandbox.Limits(), bwrap, account)
    req = {"op": "call", "target": "layers.relu_forward", "args": [[1.0, -1.0]], "keep": "first"}
    begin = time.perf_counter()
    answer = child.request(req, 60)
    seconds = time.perf_counter() - begin
    child.kill()
    assert answer.status == "ok", answer
    return seconds


def alternate(rounds: int, measure) -> dict[str, list[float]]:
    times: dict[str, list[float]] = {mode: [] for mode in MODES}
    for r in range(rounds):
        order = list(MODES) if r % 2 == 0 else list(reversed(MODES))
        for mode in order:
            times[mode].append(measure(mode))
    return times


def report(title: str, times: dict[str, list[float]], unit: float, label: str) -> None:
    print(f"\n{title}")
    medians = {}
    for mode, values in times.items():
        medians[mode] = statistics.median(values)
        print(
            f"  {mode:<13} median {medians[mode] * unit:8.1f} {label}"
            f"   (min {min(values) * unit:.1f}, max {max(values) * unit:.1f}, n={len(values)})"
        )
    extra = medians["bubblewrap"] - medians["layered"]
    ratio = medians["bubblewrap"] / medians["layered"]
    print(f"  sandbox overhead: {extra * unit:+.1f} {label} ({ratio:.3f}x)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=11, help="grading runs per mode")
    parser.add_argument("--starts", type=int, default=20, help="child starts per mode")
    args = parser.parse_args()

    bwrap = sandbox.find_bwrap()
    if bwrap is None:
        sys.exit("bubblewrap is not available here: nothing to compare")
    version = subprocess.run([bwrap, "--version"], capture_output=True, text=True).stdout.strip()
    print(f"python {platform.python_version()}, {version}, {os.cpu_count()} cores, ", end="")
    print(f"load average {os.getloadavg()[0]:.2f}, uid {os.getuid()}")
    print(f"isolation: {sandbox.describe(bwrap).note}")

    with tempfile.TemporaryDirectory() as tmp:
        os.chmod(tmp, 0o755)  # as root the sandbox user reaches the tree
        submission = build_reference_submission(Path(tmp) / "reference")
        scratch = Path(tmp) / "scratch"
        scratch.mkdir()
        tree = overlay.build(scratch, read_submission(submission, layout.allow_list()))

        for use_sandbox in MODES.values():  # warm-up: imports, dataset, page cache
            grade_once(submission, use_sandbox)

        starts = alternate(
            args.starts, lambda m: start_once(tree, scratch, bwrap if MODES[m] else None)
        )
        report("start a child and get one answer", starts, 1000, "ms")
        runs = alternate(args.rounds, lambda m: grade_once(submission, MODES[m]))
        report("grade the reference submission (all questions)", runs, 1000, "ms")


if __name__ == "__main__":
    main()
