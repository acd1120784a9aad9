"""Build the tree the child grades: a pristine skeleton with the student's files laid over it.

The skeleton comes from the installed ``assignment`` package (located, never imported); the
student's files are written only at allow-listed paths, so a submission cannot place a file
anywhere else. The runner files are copied next to it.
"""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path

from .intake import AllowList, Submission
from .regions import START_MARKER

HERE = Path(__file__).resolve().parent
SKIP = shutil.ignore_patterns("__pycache__", "*.pyc", "*.c", "build")
NOTEBOOKS = (
    "TwoLayerNet.ipynb",
    "FullyConnectedNets.ipynb",
    "BatchNormalization.ipynb",
    "Dropout.ipynb",
    "ConvolutionalNetworks.ipynb",
    "PyTorch.ipynb",
)


def skeleton_dir() -> Path:
    """Where the pristine ``assignment`` package lives (without importing it)."""
    spec = importlib.util.find_spec("assignment")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the assignment package is not installed; run `pip install -e .`")
    return Path(next(iter(spec.submodule_search_locations))).resolve()


def allow_list(skeleton: Path | None = None) -> AllowList:
    """The student-editable files: every skeleton file that contains a student region."""
    skeleton = skeleton or skeleton_dir()
    code = {
        f"assignment/{path.relative_to(skeleton).as_posix()}"
        for path in skeleton.rglob("*.py")
        if "__pycache__" not in path.parts and START_MARKER in path.read_text(encoding="utf-8")
    }
    return AllowList(frozenset(code), frozenset(NOTEBOOKS))


def build(scratch: Path, submission: Submission, skeleton: Path | None = None) -> Path:
    """Write ``scratch/tree`` (package + runner) and return it."""
    skeleton = skeleton or skeleton_dir()
    tree = scratch / "tree"
    shutil.copytree(skeleton, tree / "assignment", ignore=SKIP)
    for canonical, content in submission.files.items():
        if canonical.startswith("assignment/") and canonical.endswith(".py"):
            target = tree / canonical
            target.write_bytes(content)
    for name in ("runner.py", "wire.py"):
        shutil.copy2(HERE / name, tree / name)
    return tree
