"""Grading by executing the notebooks (nbclient) vs grading with `grade`, on the reference work.

Run from the project root:  python benchmarks/bench_notebooks.py [--rounds N] [--threads N]

Notebook-based graders (nbgrader, Otter) grade a submission by executing its notebooks top to
bottom. This measures that cost for the five starter notebooks and sets it beside the cost of
grading the same work with scratchnet's grader:

- notebooks: each notebook executed with nbclient in a fresh kernel (kernel start included),
  in a scratch copy of the student layout whose ``assignment/`` is the reference ``solutions/``
  (as tests/notebooks does);
- grade: ``grade <reference submission> -o results.json`` as a subprocess (command line,
  sandbox, every question of the catalog), on the submission that
  ``grader.authoring.reference.build_reference_submission`` writes.

Both sides run with the same environment: BLAS limited to ``--threads`` threads (default 1;
the notebooks' matrices are tiny, and on a shared machine extra threads mostly contend). The
two sides alternate within each round, so a burst of load hits both; the medians over rounds
are reported, with the ratio notebooks / grade. Watch the load average on a shared machine.
"""

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from grader.authoring.reference import build_reference_submission  # noqa: E402

NOTEBOOKS = [
    "TwoLayerNet",
    "FullyConnectedNets",
    "BatchNormalization",
    "Dropout",
    "ConvolutionalNetworks",
]


def environment(threads):
    env = dict(os.environ)
    for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        env[name] = str(threads)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    return env


def run_notebook(name, home, env):
    """Seconds to execute one notebook in a fresh student layout under ``home``."""
    shutil.copytree(
        ROOT / "solutions", home / "assignment", ignore=shutil.ignore_patterns("__pycache__")
    )
    folder = home / "starter_notebooks"
    folder.mkdir()
    shutil.copy(ROOT / "starter_notebooks" / f"{name}.ipynb", folder)
    nb = nbformat.read(folder / f"{name}.ipynb", as_version=4)
    client = NotebookClient(
        nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(folder)}}
    )
    start = time.perf_counter()
    client.execute(env=env)
    seconds = time.perf_counter() - start
    failures = [
        line
        for cell in nb.cells
        if cell.cell_type == "code"
        for out in cell.outputs
        if out.output_type == "stream"
        for line in out.text.splitlines()
        if line.startswith("FAIL")
    ]
    if failures:
        raise SystemExit(f"{name}: self-checks failed on the reference: {failures}")
    return seconds


def run_grade(submission, out, env):
    """Seconds for `grade` on the reference submission, and the results it wrote."""
    command = [sys.executable, "-m", "grader.cli", str(submission), "-o", str(out), "-q"]
    start = time.perf_counter()
    subprocess.run(command, env=env, check=True, cwd=ROOT)
    seconds = time.perf_counter() - start
    return seconds, json.loads(out.read_text())


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--threads", type=int, default=1, help="BLAS threads (default 1)")
    parser.add_argument("--json", type=Path, help="also write the measurements here")
    args = parser.parse_args(argv)
    env = environment(args.threads)

    notebook_times = {name: [] for name in NOTEBOOKS}
    grade_times, results = [], None
    with tempfile.TemporaryDirectory() as scratch:
        scratch = Path(scratch)
        submission = build_reference_submission(scratch / "submission")
        for round_index in range(args.rounds):
            seconds, results = run_grade(submission, scratch / f"results{round_index}.json", env)
            grade_times.append(seconds)
            for name in NOTEBOOKS:
                home = scratch / f"round{round_index}-{name}"
                notebook_times[name].append(run_notebook(name, home, env))
            print(
                f"round {round_index + 1}/{args.rounds}: grade {seconds:.2f} s, notebooks "
                f"{sum(times[-1] for times in notebook_times.values()):.1f} s",
                flush=True,
            )

    medians = {name: statistics.median(times) for name, times in notebook_times.items()}
    notebooks_total = statistics.median(
        sum(times[i] for times in notebook_times.values()) for i in range(args.rounds)
    )
    grade_median = statistics.median(grade_times)
    print()
    print(
        f"python {platform.python_version()}, {os.cpu_count()} cores, BLAS threads "
        f"{args.threads}, load average {os.getloadavg()[0]:.1f}, {args.rounds} rounds"
    )
    print(f"{'notebook (nbclient, fresh kernel)':<40}{'median s':>10}")
    for name, seconds in medians.items():
        print(f"  {name:<38}{seconds:>10.1f}")
    print(f"  {'all five':<38}{notebooks_total:>10.1f}")
    print(f"{'grade (reference submission, all questions)':<44}{grade_median:>6.2f}")
    isolation = results.get("isolation", {})
    print(
        f"  score {results['total']:g} / {results['max_score']:g}, sandbox: "
        f"{isolation.get('sandbox')}{' (reduced)' if isolation.get('reduced') else ''}"
    )
    ratio = notebooks_total / grade_median
    print(f"ratio notebooks / grade: {ratio:.1f}x")
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "rounds": args.rounds,
                    "threads": args.threads,
                    "notebooks": notebook_times,
                    "grade": grade_times,
                    "notebooks_total_median": notebooks_total,
                    "grade_median": grade_median,
                    "ratio": ratio,
                },
                indent=2,
            )
            + "\n"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
