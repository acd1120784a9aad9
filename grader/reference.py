"""The reference submission: what a student who wrote the solutions would hand in.

CI grades it to prove that the solutions pass every question at full marks.
"""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

from . import overlay
from .intake import HYPERPARAMS_NAME

HERE = Path(__file__).resolve().parent
ZIP_DATE = (2026, 1, 1, 0, 0, 0)  # fixed, so the same files always give the same zip


def solutions_dir() -> Path:
    import solutions

    return Path(solutions.__file__).resolve().parent


def _copy_student_files(source: Path, dest: Path) -> None:
    """Copy the student-editable files of the package tree ``source`` to ``dest/assignment``."""
    for canonical in sorted(overlay.allow_list().code):
        rel = canonical.removeprefix("assignment/")
        target = dest / "assignment" / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source / rel, target)


def build_reference_submission(dest: Path) -> Path:
    """Write the solutions' student-editable files under ``dest/assignment`` plus hyperparams."""
    dest = Path(dest)
    _copy_student_files(solutions_dir(), dest)
    shutil.copy2(HERE / "reference_hyperparams.json", dest / HYPERPARAMS_NAME)
    return dest


def build_skeleton_submission(dest: Path, *, with_hyperparams: bool = False) -> Path:
    """The untouched skeleton handed in as is (every region still a stub).

    With ``with_hyperparams``: a student who declared hyperparameters but wrote no code yet.
    """
    dest = Path(dest)
    _copy_student_files(overlay.skeleton_dir(), dest)
    if with_hyperparams:
        shutil.copy2(HERE / "reference_hyperparams.json", dest / HYPERPARAMS_NAME)
    return dest


def zip_submission(folder: Path, dest: Path) -> Path:
    """Zip every file under ``folder`` (paths relative to it), deterministically."""
    with zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(Path(folder).rglob("*")):
            if path.is_file():
                info = zipfile.ZipInfo(path.relative_to(folder).as_posix(), ZIP_DATE)
                info.compress_type = zipfile.ZIP_DEFLATED
                archive.writestr(info, path.read_bytes())
    return dest
