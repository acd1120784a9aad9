"""The reference submission: what a student who wrote the solutions would hand in.

CI grades it to prove that the solutions pass every question at full marks.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from . import overlay
from .intake import HYPERPARAMS_NAME

HERE = Path(__file__).resolve().parent


def solutions_dir() -> Path:
    import solutions

    return Path(solutions.__file__).resolve().parent


def build_reference_submission(dest: Path) -> Path:
    """Write the solutions' student-editable files under ``dest/assignment`` plus hyperparams."""
    dest = Path(dest)
    for canonical in sorted(overlay.allow_list().code):
        rel = canonical.removeprefix("assignment/")
        target = dest / "assignment" / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(solutions_dir() / rel, target)
    shutil.copy2(HERE / "reference_hyperparams.json", dest / HYPERPARAMS_NAME)
    return dest
