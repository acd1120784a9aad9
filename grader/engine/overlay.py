"""Build the tree the child grades: a pristine skeleton with the student's files laid over it.

The skeleton comes from the installed ``assignment`` package (located, never imported); the
student's files are written only at allow-listed paths, so a submission cannot place a file
anywhere else. The runner files are copied next to it.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from grader.authoring.layout import skeleton_dir
from grader.engine.intake import Submission
from grader.inside import CHILD_FILES

INSIDE = Path(__file__).resolve().parents[1] / "inside"  # the code that runs in the child
SKIP = shutil.ignore_patterns("__pycache__", "*.pyc", "*.c", "build")


def build(scratch: Path, submission: Submission, skeleton: Path | None = None) -> Path:
    """Write ``scratch/tree`` (package + runner) and return it."""
    skeleton = skeleton or skeleton_dir()
    tree = scratch / "tree"
    shutil.copytree(skeleton, tree / "assignment", ignore=SKIP)
    for canonical, content in submission.files.items():
        if canonical.startswith("assignment/") and canonical.endswith(".py"):
            target = tree / canonical
            target.write_bytes(content)
    for name in CHILD_FILES:
        shutil.copy2(INSIDE / name, tree / name)
    return tree
