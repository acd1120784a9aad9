"""Collect a student's work into submission.zip, the one file a student hands in.

Run it from the notebook folder (or the project folder that holds ``assignment/``):

    python -m grader.authoring.collect            # in the instructors' repository
    python ../collect_submission.py     # in the student release, from starter_notebooks/

The zip holds, and only holds:
- ``assignment/<path>.py`` for every skeleton file a student edits (the files with START/END
  OF YOUR CODE markers; the generated header of those files names the markers too);
- every ``*.ipynb`` of the notebook folder, at the top of the zip;
- ``hyperparams.json`` of the notebook folder, at the top of the zip: the hyperparameters the
  "train a good model" question declares (the grader validates its content).

Datasets and other files are never collected, a file over ``MAX_FILE_BYTES`` stops the collect,
and the zip is byte-for-byte reproducible (sorted entries, fixed timestamps). It prints what it
included, warnings a student can act on (unexecuted notebooks, leftover stubs, syntax errors),
and the zip's sha256.
"""

import hashlib
import json
import re
import sys
from pathlib import Path

from grader.authoring.regions import (
    STUDENT_FILE_NOTE,
    MarkerError,
    is_stub_only,
    leftover_stub_findings,
    looks_like_marker,
    parse_regions,
)
from grader.errors import SubmissionError
from grader.files import write_atomic, zip_bytes

SUBMISSION_NAME = "submission.zip"
HYPERPARAMS_NAME = "hyperparams.json"
NOTEBOOK_FOLDER = "starter_notebooks"
MAX_FILE_BYTES = 2 * 1024 * 1024
MAX_TOTAL_BYTES = 20 * 1024 * 1024
DATA_SUFFIXES = {".npy", ".npz", ".pkl", ".pickle", ".h5", ".hdf5", ".mat", ".csv", ".tar", ".gz"}
DATA_FOLDERS = {"datasets", "data", "cifar-10-batches-py"}
# Saved-file timestamps are compared with this slack (FAT and zip store 2-second resolution).
MTIME_SLACK_SECONDS = 2.0
_IMPORT = re.compile(r"^\s*(?:from|import)\s+assignment((?:\.\w+)*)(?:\s+import\s+([\w\s,()]+))?")


class CollectError(SubmissionError):
    """The submission cannot be built; the message says what to fix."""


def find_project_root(start):
    """The folder holding ``assignment/__init__.py``: ``start`` itself or its parent."""
    start = Path(start).resolve()
    for folder in (start, start.parent):
        if (folder / "assignment" / "__init__.py").is_file():
            return folder
    raise CollectError(
        f"no assignment/ package in {start} or its parent: run this from the notebook folder "
        "or from the folder that holds assignment/"
    )


def find_notebook_folder(start, root):
    """``start`` if it holds notebooks, else ``root/starter_notebooks`` if present, else root."""
    start = Path(start).resolve()
    if any(start.glob("*.ipynb")) or start != root:
        return start
    if (root / NOTEBOOK_FOLDER).is_dir():
        return root / NOTEBOOK_FOLDER
    return root


def is_student_file(text):
    """True for a skeleton file a student edits: it has a marker, or the header that names them.

    A marker whose text the student changed still counts, so the grader can report it.
    """
    return STUDENT_FILE_NOTE in text or any(looks_like_marker(line) for line in text.splitlines())


def _regular_file(path, shown, problems):
    """``path``'s bytes if it is a regular file within the size limit; records why not."""
    if path.is_symlink() or not path.is_file():
        problems.append(f"{shown}: not a regular file (links are not collected)")
        return None
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        problems.append(
            f"{shown}: {size / 1e6:.1f} MB is over the {MAX_FILE_BYTES / 1e6:.1f} MB limit per "
            "file (for a notebook, clear the outputs of the cells that print or plot the most)"
        )
        return None
    return path.read_bytes()


def _student_file_warnings(text, shown):
    warnings, notes = [], []
    try:
        compile(text, shown, "exec")
    except (SyntaxError, ValueError) as exc:  # ValueError: null bytes, on Python < 3.12
        line = getattr(exc, "lineno", None) or 1
        why = getattr(exc, "msg", str(exc))
        warnings.append(f"{shown}:{line}: syntax error ({why}); the grader cannot import this file")
    try:
        regions = parse_regions(text, shown)
        warnings += [f"{shown}: {finding}" for finding in leftover_stub_findings(text, shown)]
    except MarkerError as exc:
        warnings += exc.problems
        return warnings, notes
    if not regions:
        warnings.append(
            f"{shown}: its START/END markers are gone; restore them as in the original file, "
            "the grader finds your code by them"
        )
    unfinished = sorted({region.function for region in regions if is_stub_only(region)})
    if unfinished:
        notes.append(f"{shown}: not implemented yet: {', '.join(unfinished)}")
    return warnings, notes


def _imported_files(notebook, root):
    """Student files under ``root`` that the notebook's code cells import from ``assignment``."""
    found = set()
    for cell in notebook.get("cells", []):
        if cell.get("cell_type") != "code":
            continue
        source = cell.get("source", "")
        source = "".join(source) if isinstance(source, list) else str(source)
        for line in source.splitlines():
            match = _IMPORT.match(line)
            if not match:
                continue
            module = match.group(1).strip(".").split(".") if match.group(1) else []
            names = [] if module else re.findall(r"\w+", match.group(2) or "")
            for parts in [module] if module else [[name] for name in names]:
                for candidate in (Path(*parts).with_suffix(".py"), Path(*parts, "__init__.py")):
                    if (root / "assignment" / candidate).is_file():
                        found.add(Path("assignment", candidate).as_posix())
    return found


def _notebook_warnings(path, data, root, student_files):
    shown = path.name
    try:
        notebook = json.loads(data.decode("utf-8"))
        cells = [c for c in notebook.get("cells", []) if isinstance(c, dict)]
    except (UnicodeDecodeError, ValueError, AttributeError):
        return [f"{shown}: not a readable notebook (was it saved completely?)"]
    warnings = []
    code = [c for c in cells if c.get("cell_type") == "code" and "".join(c.get("source", ""))]
    not_run = [c for c in code if c.get("execution_count") is None]
    if code and len(not_run) == len(code):
        return [f"{shown}: no code cell has been run; run it top to bottom and save it"]
    if not_run:
        warnings.append(f"{shown}: {len(not_run)} of {len(code)} code cells have not been run")
    errors = [
        f"cell {number} ({output.get('ename', 'error')})"
        for number, cell in enumerate(cells, start=1)
        for output in cell.get("outputs", []) or []
        if isinstance(output, dict) and output.get("output_type") == "error"
    ]
    if errors:
        more = f" and {len(errors) - 3} more" if len(errors) > 3 else ""
        warnings.append(f"{shown}: cells ended with an error: {', '.join(errors[:3])}{more}")
    saved = path.stat().st_mtime
    changed = [
        rel
        for rel in sorted(_imported_files(notebook, root) & set(student_files))
        if (root / rel).stat().st_mtime > saved + MTIME_SLACK_SECONDS
    ]
    if changed:
        warnings.append(
            f"{shown}: saved before your last change to {', '.join(changed)}, which it imports; "
            "its outputs may be out of date: re-run it and save it"
        )
    return warnings


def gather(start):
    """Choose the files of a submission from the folder ``start``.

    Returns (files, warnings, notes): ``files`` maps each zip entry name to its bytes, sorted.
    Raises CollectError when a file is too big, not a regular file, or nothing is found.
    """
    root = find_project_root(start)
    notebook_folder = find_notebook_folder(start, root)
    files, warnings, notes, problems = {}, [], [], []

    for path in sorted((root / "assignment").rglob("*.py")):
        rel = path.relative_to(root).as_posix()
        if "__pycache__" in path.parts or ".ipynb_checkpoints" in path.parts:
            continue
        data = _regular_file(path, rel, problems)
        if data is None:
            continue
        text = data.decode("utf-8", errors="replace")
        if is_student_file(text):
            files[rel] = data
            more_warnings, more_notes = _student_file_warnings(text, rel)
            warnings += more_warnings
            notes += more_notes
    student_files = list(files)

    notebooks = sorted(notebook_folder.glob("*.ipynb"))
    if not notebooks:
        warnings.append(f"no notebooks (*.ipynb) in {notebook_folder}")
    for path in notebooks:
        data = _regular_file(path, path.name, problems)
        if data is not None:
            files[path.name] = data
            warnings += _notebook_warnings(path, data, root, student_files)

    hyperparams = notebook_folder / HYPERPARAMS_NAME
    if not hyperparams.exists():
        warnings.append(
            f"no {HYPERPARAMS_NAME} in {notebook_folder}: the 'train a good model' question "
            "needs the hyperparameters you chose"
        )
    else:
        data = _regular_file(hyperparams, HYPERPARAMS_NAME, problems)
        if data is not None:
            files[HYPERPARAMS_NAME] = data
            try:
                if not isinstance(json.loads(data.decode("utf-8")), dict):
                    raise ValueError
            except ValueError:
                warnings.append(f"{HYPERPARAMS_NAME}: not a JSON object; the grader will reject it")

    left_out = sorted(
        path.relative_to(root).as_posix()
        for folder in {root, notebook_folder}
        for path in folder.iterdir()
        if looks_like_data(path)
    )
    if left_out:
        notes.append(
            f"datasets are never submitted; left out: {', '.join(left_out[:5])}"
            + (f" and {len(left_out) - 5} more" if len(left_out) > 5 else "")
        )

    total = sum(len(data) for data in files.values())
    if total > MAX_TOTAL_BYTES:
        problems.append(
            f"the files add up to {total / 1e6:.1f} MB, over the "
            f"{MAX_TOTAL_BYTES / 1e6:.0f} MB limit"
        )
    if problems:
        raise CollectError("cannot build the submission:\n  " + "\n  ".join(problems))
    if not student_files:
        raise CollectError(f"no student files (with START/END markers) in {root / 'assignment'}")
    return dict(sorted(files.items())), warnings, notes


def looks_like_data(path):
    """A dataset file or folder the student may keep beside the notebooks (never collected)."""
    if path.is_dir():
        return path.name in DATA_FOLDERS
    return path.suffix.lower() in DATA_SUFFIXES


def main(argv=None, start=None):
    """Build submission.zip in the folder ``start`` (default: the current folder)."""
    if argv:
        print(__doc__.strip())
        return 0 if argv[0] in ("-h", "--help") else 2
    start = Path.cwd() if start is None else Path(start)
    try:
        files, warnings, notes = gather(start)
    except CollectError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    data = zip_bytes(files)
    out = start.resolve() / SUBMISSION_NAME
    write_atomic(out, data)
    print("Included:")
    for name, content in files.items():
        print(f"  {name}  ({len(content):,} bytes)")
    for note in notes:
        print(f"note: {note}")
    for warning in warnings:
        print(f"WARNING: {warning}")
    print(f"\nWrote {out} ({len(data):,} bytes)")
    print(f"sha256 {hashlib.sha256(data).hexdigest()}")
    print("Save your notebooks before collecting; upload this zip as your submission.")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
