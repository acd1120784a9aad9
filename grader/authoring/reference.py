"""The reference submission: what a student who wrote the solutions would hand in.

CI grades it to prove that the solutions pass every question at full marks.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from grader.authoring import layout
from grader.authoring.layout import HYPERPARAMS_NAME
from grader.catalog import HERE as CATALOG_DIR
from grader.files import write_atomic, zip_bytes

REFERENCE_HYPERPARAMS = CATALOG_DIR / "reference_hyperparams.json"


def solutions_dir() -> Path:
    import solutions

    return Path(solutions.__file__).resolve().parent


def _copy_student_files(source: Path, dest: Path) -> None:
    """Copy the student-editable files of the package tree ``source`` to ``dest/assignment``."""
    for canonical in sorted(layout.allow_list().code):
        rel = canonical.removeprefix("assignment/")
        target = dest / "assignment" / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source / rel, target)


def build_reference_submission(dest: Path) -> Path:
    """Write the solutions' student-editable files under ``dest/assignment`` plus hyperparams."""
    dest = Path(dest)
    _copy_student_files(solutions_dir(), dest)
    shutil.copy2(REFERENCE_HYPERPARAMS, dest / HYPERPARAMS_NAME)
    return dest


def build_skeleton_submission(dest: Path, *, with_hyperparams: bool = False) -> Path:
    """The untouched skeleton handed in as is (every region still a stub).

    With ``with_hyperparams``: a student who declared hyperparameters but wrote no code yet.
    """
    dest = Path(dest)
    _copy_student_files(layout.skeleton_dir(), dest)
    if with_hyperparams:
        shutil.copy2(REFERENCE_HYPERPARAMS, dest / HYPERPARAMS_NAME)
    return dest


def build_working_folder(submission: Path, dest: Path) -> Path:
    """A student's working folder: the whole skeleton package with the files of the submission
    folder ``submission`` laid over it (what ``python -m assignment.selfcheck`` runs on)."""
    dest = Path(dest)
    ignore = shutil.ignore_patterns("__pycache__", "build")
    shutil.copytree(layout.skeleton_dir(), dest / "assignment", ignore=ignore)
    shutil.copytree(submission, dest, dirs_exist_ok=True)
    return dest


def zip_submission(folder: Path, dest: Path) -> Path:
    """Zip every file under ``folder`` (paths relative to it), reproducibly."""
    files = {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in Path(folder).rglob("*")
        if path.is_file()
    }
    return write_atomic(dest, zip_bytes(files))
