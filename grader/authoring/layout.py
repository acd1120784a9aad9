"""The assignment's layout: where the pristine skeleton lives, which of its files a student
may edit (those with a student region), the notebooks a submission may hold, and the name of its
hyperparameters file."""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from grader.authoring.regions import START_MARKER

HYPERPARAMS_NAME = "hyperparams.json"
NOTEBOOKS = (
    "TwoLayerNet.ipynb",
    "FullyConnectedNets.ipynb",
    "BatchNormalization.ipynb",
    "Dropout.ipynb",
    "ConvolutionalNetworks.ipynb",
    "PyTorch.ipynb",
)


@dataclass(frozen=True)
class AllowList:
    """Student-editable paths (``assignment/layers.py``), notebook names and the hyperparams."""

    code: frozenset[str]
    notebooks: frozenset[str]

    def canonical(self, relpath: str) -> str | None:
        """Map a path inside the submission to the canonical allowed path, or None."""
        parts = PurePosixPath(relpath).parts
        path = "/".join(parts)
        if path in self.code:
            return path
        if f"assignment/{path}" in self.code:
            return f"assignment/{path}"
        base = parts[-1] if parts else ""
        if base in self.notebooks or base == HYPERPARAMS_NAME:
            return base
        return None


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
