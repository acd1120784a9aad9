"""Gradescope: build the autograder zip, and grade one submission inside Gradescope's container.

``build_bundle`` writes ``autograder.zip``: ``setup.sh`` (run once, as root, when Gradescope
builds the image: installs Python, a compiler, bubblewrap and scratchnet from the bundled source
into a virtualenv), ``run_autograder`` (run for every submission), the project source under
``scratchnet/`` and ``scratchnet-autograder.json`` (grading seed and questions).

``run_autograder`` grades ``/autograder/submission`` (a folder, or one uploaded zip) and writes
``/autograder/results/results.json`` in Gradescope's format, always: if grading itself fails,
the results say so with a score of 0 and the traceback goes to the instructors' stdout log.
The environment variable ``SCRATCHNET_AUTOGRADER_ROOT`` moves the ``/autograder`` layout
elsewhere (used by the tests).
"""

from __future__ import annotations

import json
import os
import sys
import traceback
from pathlib import Path

import jsonschema

from grader import sandbox
from grader.engine import pipeline, report
from grader.files import write_atomic, zip_bytes

ROOT_ENV = "SCRATCHNET_AUTOGRADER_ROOT"
DEFAULT_ROOT = Path("/autograder")
CONFIG_NAME = "scratchnet-autograder.json"
SOURCE_DIR = "scratchnet"
PROJECT_ROOT = Path(__file__).resolve().parents[2]
PROJECT_FILES = ("pyproject.toml", "setup.py", "README.md", "LICENSE")
PACKAGES = ("grader", "solutions", "assignment")
# Fixed member time stamps: the same sources always give the same zip.

# Gradescope's results.json, as its autograder specification describes it.
VISIBILITY = ["hidden", "after_due_date", "after_published", "visible"]
RESULTS_SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "properties": {
        "score": {"type": "number"},
        "execution_time": {"type": "number"},
        "output": {"type": "string"},
        "visibility": {"enum": VISIBILITY},
        "stdout_visibility": {"enum": VISIBILITY},
        "extra_data": {"type": "object"},
        "tests": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["name", "score", "max_score", "status"],
                "properties": {
                    "name": {"type": "string"},
                    "number": {"type": "string"},
                    "score": {"type": "number"},
                    "max_score": {"type": "number"},
                    "status": {"enum": ["passed", "failed"]},
                    "output": {"type": "string"},
                    "visibility": {"enum": VISIBILITY},
                    "tags": {"type": "array", "items": {"type": "string"}},
                },
            },
        },
    },
    "required": ["score", "tests"],
}

SETUP_SH = """\
#!/usr/bin/env bash
# Gradescope runs this once, as root, while it builds the autograder image (Ubuntu 22.04 or
# later: scratchnet needs Python >= 3.10). Built by `grade gradescope-bundle`.
set -euo pipefail
ROOT="${SCRATCHNET_AUTOGRADER_ROOT:-/autograder}"
export DEBIAN_FRONTEND=noninteractive
apt-get update
# python3-dev and build-essential build the Cython extension; bubblewrap is the sandbox.
apt-get install -y --no-install-recommends \\
    python3 python3-venv python3-dev build-essential bubblewrap
python3 -m venv "$ROOT/venv"
"$ROOT/venv/bin/python" -m pip install --upgrade pip
"$ROOT/venv/bin/python" -m pip install "$ROOT/source/scratchnet"
# Fail the image build now rather than at the first submission.
"$ROOT/venv/bin/python" -c "import grader.engine.pipeline, solutions, assignment"
# Student code runs as an unprivileged user (created here) that must not read the grader, the
# solutions or this source: make them unreadable to other users, and check it.
"$ROOT/venv/bin/python" -m grader.sandbox --protect "$ROOT/source"
# Self-test: grade the reference submission on this image; fail the build unless full marks.
"$ROOT/venv/bin/python" -m grader.course.gradescope --self-test
"""

# Added to setup.sh only when a selected question needs PyTorch (issue 13): the CPU build from
# PyTorch's own index (PyPI's default torch wheel carries CUDA, gigabytes Gradescope never uses).
TORCH_REQUIREMENT = "torch==2.13.0"
TORCH_SETUP = (
    '"$ROOT/venv/bin/python" -m pip install --index-url https://download.pytorch.org/whl/cpu '
    f'"{TORCH_REQUIREMENT}"\n'
)
_INSTALL_LINE = '"$ROOT/venv/bin/python" -m pip install "$ROOT/source/scratchnet"\n'


def setup_script(questions: list[dict]) -> str:
    """setup.sh for these questions: with torch's CPU build when one of them needs it."""
    if any(q["kind"] == "pytorch" for q in questions):
        return SETUP_SH.replace(_INSTALL_LINE, TORCH_SETUP + _INSTALL_LINE)
    return SETUP_SH


RUN_AUTOGRADER = """\
#!/usr/bin/env bash
# Gradescope runs this for every submission: grade $ROOT/submission into
# $ROOT/results/results.json. Built by `grade gradescope-bundle`.
set -uo pipefail
ROOT="${SCRATCHNET_AUTOGRADER_ROOT:-/autograder}"
export SCRATCHNET_AUTOGRADER_ROOT="$ROOT"
cd "$ROOT"
exec "$ROOT/venv/bin/python" -m grader.course.gradescope
"""


def _skipped(path: Path, project: Path) -> bool:
    """Build products and caches: ``pip install`` rebuilds them on Gradescope's platform."""
    parts = path.relative_to(project).parts
    if any(part in ("__pycache__", "build") or part.endswith(".egg-info") for part in parts):
        return True
    if path.suffix in (".pyc", ".so", ".o", ".pyd"):
        return True
    return path.suffix == ".c" and path.with_suffix(".pyx").exists()  # Cython's output


def source_files(project: Path = PROJECT_ROOT) -> dict[str, Path]:
    """What ``pip install`` needs to build scratchnet, by path inside the project."""
    files = {name: project / name for name in PROJECT_FILES if (project / name).is_file()}
    for package in PACKAGES:
        for path in sorted((project / package).rglob("*")):
            if path.is_file() and not _skipped(path, project):
                files[path.relative_to(project).as_posix()] = path
    return dict(sorted(files.items()))


def build_bundle(
    *, output: Path = Path("autograder.zip"), seed: int = 0, only: list[str] | None = None
) -> Path:
    """Write Gradescope's autograder zip and return its path.

    Args:
        output: the zip to write (its folder is created).
        seed: the grading seed every submission is graded with.
        only: grade only these question ids or id prefixes (all when empty).
    Raises:
        catalog.CatalogError: ``only`` matches no question of the catalog.
    """
    from grader import catalog

    questions = catalog.select(catalog.load_catalog(), only)  # refuse one that cannot grade
    files = source_files()
    if "README.md" not in files:  # pyproject.toml names it; the build needs one
        readme = b"# scratchnet\n\nBundled for Gradescope by `grade gradescope-bundle`.\n"
    else:
        readme = None
    config = {"seed": seed, "only": list(only) if only else None}
    output = Path(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    entries = {
        "setup.sh": setup_script(questions).encode(),
        "run_autograder": RUN_AUTOGRADER.encode(),
        CONFIG_NAME: (json.dumps(config, indent=2) + "\n").encode(),
    }
    if readme is not None:
        entries[f"{SOURCE_DIR}/README.md"] = readme
    for name, path in files.items():
        entries[f"{SOURCE_DIR}/{name}"] = path.read_bytes()
    write_atomic(output, zip_bytes(entries, executable={"setup.sh", "run_autograder"}))
    return output


def submission_path(folder: Path) -> Path:
    """What Gradescope handed in: the folder, or the zip when a single zip was uploaded."""
    entries = [p for p in Path(folder).iterdir() if not p.name.startswith(".")]
    if len(entries) == 1 and entries[0].is_file() and entries[0].suffix.lower() == ".zip":
        return entries[0]
    return Path(folder)


def _failure(message: str) -> dict:
    return {
        "score": 0.0,
        "output": message,
        "tests": [],
        "visibility": "visible",
        "stdout_visibility": "hidden",
    }


def run_autograder(*, root: Path = DEFAULT_ROOT) -> dict:
    """Grade ``root/submission`` into ``root/results/results.json``; returns what was written.

    Instructors read this process's stdout on Gradescope: it gets the score table, any grader
    faults and, if grading failed, the traceback. Students see only results.json.
    """
    root = Path(root)
    # The child must not read the autograder's source (the grader, the solutions, the config).
    os.environ[sandbox.SECRET_PATHS_ENV] = str(root / "source")
    try:
        config = json.loads((root / "source" / CONFIG_NAME).read_text(encoding="utf-8"))
        native = pipeline.grade(
            submission=submission_path(root / "submission"),
            seed=config["seed"],
            only=config["only"],
        )
        print(report.summary_table(native))  # with the isolation note: instructors only
        for fault in native.get("grader_faults", []):
            print(f"grader fault: {fault}")
        if native["status"] == "not_graded":
            raise RuntimeError(f"not graded: {native.get('error')}")
        document = report.to_gradescope(native)
        jsonschema.validate(document, RESULTS_SCHEMA)
    except Exception:
        traceback.print_exc(file=sys.stdout)
        document = _failure(
            "The autograder could not grade this submission because of an error on our side; "
            "the course staff can see what happened. Please tell them."
        )
    report.write_json(document, root / "results" / "results.json")
    return document


def self_test(*, root: Path = DEFAULT_ROOT) -> int:
    """Grade the reference submission as every submission will be graded (setup.sh runs this
    on the image): 0 only if it is graded with full marks; the isolation is printed."""
    import tempfile  # noqa: PLC0415

    from grader.authoring.reference import build_reference_submission  # noqa: PLC0415

    root = Path(root)
    os.environ[sandbox.SECRET_PATHS_ENV] = str(root / "source")
    config = json.loads((root / "source" / CONFIG_NAME).read_text(encoding="utf-8"))
    with tempfile.TemporaryDirectory(prefix="scratchnet-selftest-") as tmp:
        submission = build_reference_submission(Path(tmp) / "reference")
        native = pipeline.grade(submission=submission, seed=config["seed"], only=config["only"])
    print(report.summary_table(native))
    print(f"isolation: {native['isolation']['note']}")
    if native["status"] != "graded" or native["total"] < native["max_score"]:
        print(
            f"self-test FAILED: {native['status']} {native['total']}/{native['max_score']} "
            f"{native.get('error', '')}",
            file=sys.stderr,
        )
        return 1
    print("self-test passed: the reference submission gets full marks on this image")
    return 0


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    root = Path(os.environ.get(ROOT_ENV) or DEFAULT_ROOT)
    if args == ["--self-test"]:
        return self_test(root=root)
    run_autograder(root=root)
    return 0


if __name__ == "__main__":
    sys.exit(main())
