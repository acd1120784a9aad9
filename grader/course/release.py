"""Build the student release, ``dist/student-release.zip``: grade release

The zip holds one folder, ``scratchnet/``, with the generated skeleton ``assignment/``, the
notebooks of ``starter_notebooks/`` (when they exist), a README with the set-up and hand-in
steps, a requirements file, a ``setup.py`` that builds the Cython extension, and
``collect_submission.py`` (the collect step as one standalone file), and the grader's checks
for the self-check (``python -m assignment.selfcheck``): ``grader/`` without the course tools,
the authoring tools, the hints' edits or the reference hyperparameters, with the recording of
the reference's answers on the public cases (``grader.selfcheck.recording``). It never holds
``solutions/``, and the build refuses to write a zip that contains any line of a solution
region's body.
"""

import argparse
import ast
import hashlib
import sys
from pathlib import Path

from grader import errors, files
from grader.authoring import collect, regions
from grader.authoring.generate import diff_tree, render_tree, tree_files
from grader.authoring.regions import split_lines
from grader.selfcheck import recording as selfcheck_recording

PROJECT_ROOT = Path(__file__).resolve().parents[2]
RELEASE_FILES = Path(__file__).resolve().parent / "release_files"
TOP = "scratchnet"
COMMAND = "grade release"
MAX_NOTEBOOK_FILE_BYTES = 10 * 1024 * 1024
# What ships from starter_notebooks/: the notebooks and the images they show; not the
# instructors' tooling beside them (notebook sources, build script), an instructor's
# hyperparams.json (it answers a question), datasets or zips.
NOTEBOOK_SUFFIXES = {".ipynb", ".png", ".jpg", ".jpeg", ".gif", ".svg"}
# A solution line shorter than this (stripped) is too generic to count as a leak ("dx = None").
MIN_LEAK_CHARS = 12


def _split_module(module):
    """(docstring lines, the rest without its imports of the grader or ``__future__``) of a
    module's source."""
    source = Path(module.__file__).read_text("utf-8")
    lines = split_lines(source)
    body = ast.parse(source).body
    doc_end = body[0].end_lineno if isinstance(body[0], ast.Expr) else 0
    drop = set(range(doc_end))
    for node in body:
        if isinstance(node, ast.ImportFrom) and (
            node.level > 0 or (node.module or "").split(".")[0] in ("grader", "__future__")
        ):
            drop.update(range(node.lineno - 1, node.end_lineno))
    rest = "".join(line for i, line in enumerate(lines) if i not in drop)
    return "".join(lines[:doc_end]), rest.strip("\n") + "\n"


def collect_script():
    """``collect_submission.py``: ``grader/errors.py``, ``grader/files.py``,
    ``authoring/regions.py`` and ``authoring/collect.py`` as one script that needs only the
    standard library."""
    collect_doc, collect_code = _split_module(collect)
    parts = [_split_module(module)[1] for module in (errors, files, regions)]
    return (
        f"# Generated from grader/errors.py, files.py, authoring/regions.py and collect.py by "
        f"`{COMMAND}`.\n"
        "# Do not edit it by hand. Students: run it as the README says.\n"
        f"{collect_doc}\nfrom __future__ import annotations\n\n"
        + "\n\n".join([*parts, collect_code])
    )


# What the self-check imports of the grader (a test runs it from an unpacked release); the
# rest stays with the instructors: the course tools, the authoring tools (but the collect step
# and what the grading pipeline uses), hints.json (edits of the solutions) and
# reference_hyperparams.json (an answer).
SELFCHECK_FILES = (
    "__init__.py",
    "errors.py",
    "files.py",
    "inside/*.py",
    "sandbox/*.py",
    "catalog/__init__.py",
    "catalog/catalog.json",
    "catalog/schemas/*.json",
    "authoring/__init__.py",
    "authoring/collect.py",
    "authoring/layout.py",
    "authoring/regions.py",
    "checks/*.py",
    "engine/*.py",
    "options.py",
    "selfcheck/*.py",
)


def selfcheck_entries(recording: bytes):
    """The release's ``grader/`` for the self-check: ``SELFCHECK_FILES`` and ``recording``."""
    grader = Path(__file__).resolve().parents[1]
    entries = {
        f"{TOP}/grader/{path.relative_to(grader).as_posix()}": path.read_bytes()
        for pattern in SELFCHECK_FILES
        for path in sorted(grader.glob(pattern))
    }
    name = selfcheck_recording.RECORDING_PATH.relative_to(grader).as_posix()
    entries[f"{TOP}/grader/{name}"] = recording
    return entries


def solution_lines(solutions):
    """The lines a release must not contain: stripped, non-trivial lines of region bodies.

    Comments, short lines, and lines that also appear outside every region of ``solutions``
    (given code a region happens to repeat) do not count.
    """
    inside, outside = set(), set()
    for rel in tree_files(solutions):
        if not rel.endswith(".py"):
            continue
        source = (Path(solutions) / rel).read_text("utf-8")
        lines = [line.strip() for line in split_lines(source)]
        in_region = set()
        for region in regions.parse_regions(source, rel):
            in_region.update(range(region.start, region.end - 1))
        for index, line in enumerate(lines):
            (inside if index in in_region else outside).add(line)
    return {
        line
        for line in inside - outside
        if len(line) >= MIN_LEAK_CHARS and not line.startswith("#")
    }


def find_leaks(entries, forbidden):
    """(entry name, line) for every ``forbidden`` line found anywhere in the text of ``entries``.

    Text is also searched with JSON's escaped quotes and newlines undone, as notebooks store it.
    """
    leaks = []
    for name, data in sorted(entries.items()):
        text = data.decode("utf-8", errors="replace")
        haystack = text + "\n" + text.replace('\\"', '"').replace("\\n", "\n")
        leaks += [(name, line) for line in sorted(forbidden) if line in haystack]
    return leaks


def _tree_entries(folder, prefix, problems, max_bytes, suffixes=None):
    """The files of ``folder`` (build artefacts aside) as entries under ``scratchnet/<prefix>/``;
    only those with one of ``suffixes`` when it is given."""
    entries = {}
    for rel in tree_files(folder):
        path = Path(folder) / rel
        if suffixes is not None and path.suffix.lower() not in suffixes:
            continue
        if path.is_symlink():
            problems.append(f"{prefix}/{rel}: is a link; the release holds regular files only")
        elif path.stat().st_size > max_bytes:
            problems.append(f"{prefix}/{rel}: over {max_bytes / 1e6:.0f} MB")
        else:
            entries[f"{TOP}/{prefix}/{rel}"] = path.read_bytes()
    return entries


def release_entries(*, solutions, assignment, notebooks, recording=None):
    """{entry name: bytes} of the student release; raises ValueError when it must not be built.

    ``assignment`` must be exactly what the generator makes from ``solutions`` (else: stale
    skeleton); ``notebooks`` is optional; ``recording`` (the self-check's public answers) is
    recorded from the reference when not given. The result is checked for leaks before it is
    returned.
    """
    assignment, notebooks = Path(assignment), Path(notebooks)
    drift = diff_tree(render_tree(solutions, dest_name=assignment.name), assignment)
    if drift:
        raise ValueError(
            f"{assignment} is out of date with {solutions}: run `grade generate` first"
        )
    problems = []
    entries = _tree_entries(assignment, "assignment", problems, collect.MAX_FILE_BYTES)
    if notebooks.is_dir():
        entries.update(
            _tree_entries(
                notebooks, "starter_notebooks", problems, MAX_NOTEBOOK_FILE_BYTES, NOTEBOOK_SUFFIXES
            )
        )
    entries[f"{TOP}/README.md"] = (RELEASE_FILES / "README.student.md").read_bytes()
    entries[f"{TOP}/requirements.txt"] = (RELEASE_FILES / "requirements.txt").read_bytes()
    entries[f"{TOP}/setup.py"] = (RELEASE_FILES / "setup_student.py").read_bytes()
    entries[f"{TOP}/collect_submission.py"] = collect_script().encode("utf-8")
    # The leak search covers what students write into and read: the grader's own engine code
    # shares generic lines with the solutions ("return model") and holds none of their regions.
    leaks = find_leaks(entries, solution_lines(solutions))
    problems += [f"{name}: contains solution text: {line}" for name, line in leaks]
    if problems:
        raise ValueError("refusing to build the release:\n  " + "\n  ".join(problems))
    if recording is None:  # recorded only for a release that will be built
        recording = selfcheck_recording.load_or_record().data
    entries.update(selfcheck_entries(recording))
    return dict(sorted(entries.items()))


def main(argv=None):
    """Command line: write dist/student-release.zip and print its entries and sha256."""
    parser = argparse.ArgumentParser(prog=COMMAND, description=__doc__.split("\n\n")[0])
    parser.parse_args(argv)
    try:
        entries = release_entries(
            solutions=PROJECT_ROOT / "solutions",
            assignment=PROJECT_ROOT / "assignment",
            notebooks=PROJECT_ROOT / "starter_notebooks",
        )
    except ValueError as exc:  # MarkerError included
        print(f"error: {exc}", file=sys.stderr)
        return 1
    data = files.zip_bytes(entries)
    out = PROJECT_ROOT / "dist" / "student-release.zip"
    out.parent.mkdir(exist_ok=True)
    out.write_bytes(data)
    for name in entries:
        print(f"  {name}")
    print(f"Wrote {out} ({len(entries)} files, {len(data):,} bytes)")
    print(f"sha256 {hashlib.sha256(data).hexdigest()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
