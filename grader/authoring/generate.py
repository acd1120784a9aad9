"""Generate the student skeleton ``assignment/`` from the reference package ``solutions/``.

Every START/END region's body becomes one stub line that raises NotImplementedError naming its
function; everything else is copied verbatim, under a header that names the source file. The
output is a pure function of ``solutions/``: sorted, no timestamps, so running it twice changes
nothing, and ``--check`` can diff it against the committed tree.

    grade generate            # (re)write assignment/ from solutions/
    grade generate --check    # exit 1 and print a diff if assignment/ is out of date
"""

import argparse
import difflib
import sys
from pathlib import Path

from grader.authoring.regions import (
    END_MARKER,
    START_MARKER,
    STUDENT_FILE_NOTE,
    MarkerError,
    is_stub_only,
    parse_regions,
    split_lines,
    stub_statement,
)

COMMAND = "grade generate"
PROJECT_ROOT = Path(__file__).resolve().parents[2]

# Python-syntax files get the header; other files are copied byte for byte.
HEADED_SUFFIXES = {".py", ".pyx", ".pxd"}
# Build and editor artefacts: never generated, never compared, never deleted as stale
# (building the Cython extension in place writes .c and .so files into assignment/).
SKIPPED_DIRS = {"__pycache__", "build", ".ipynb_checkpoints", ".pytest_cache"}
SKIPPED_SUFFIXES = {".pyc", ".pyo", ".so", ".pyd", ".c", ".cpp", ".o", ".html"}
SKIPPED_NAMES = {".DS_Store"}


GIVEN_FILE_NOTE = "# Students: this file is given code; you do not need to change it."
# Headers that mark a folder as generated (the older one named the command).
_GENERATED_MARKS = (GIVEN_FILE_NOTE, STUDENT_FILE_NOTE, f"by `{COMMAND}`")


def header(source_name, has_regions):
    """The comment block that opens a generated file: what a student may do with it. (Where
    it comes from is said in solutions/ and the README, for the people who regenerate it;
    ``source_name`` is kept for the callers' line arithmetic.)"""
    if has_regions:
        return (
            STUDENT_FILE_NOTE + "\n"
            "# Keep the given function signatures, the markers and the code outside them as they\n"
            "# are: the grader calls your functions as their docstrings describe.\n"
        )
    return GIVEN_FILE_NOTE + "\n"


def is_skipped(relpath):
    """True for build artefacts and caches, which the generator neither writes nor removes."""
    parts = Path(relpath).parts
    name = parts[-1]
    return (
        any(part in SKIPPED_DIRS or part.endswith(".egg-info") for part in parts[:-1])
        or Path(name).suffix in SKIPPED_SUFFIXES
        or name in SKIPPED_NAMES
    )


def tree_files(root):
    """Relative POSIX paths of the files under ``root`` that the generator owns, sorted."""
    root = Path(root)
    if not root.is_dir():
        return []
    return sorted(
        path.relative_to(root).as_posix()
        for path in root.rglob("*")
        if path.is_file() and not is_skipped(path.relative_to(root).as_posix())
    )


def render_python(source, source_name, stub_path):
    """The skeleton text of one Python source: header, then the source with regions stubbed.

    ``source_name`` is what the header names (``solutions/layers.py``), ``stub_path`` what each
    stub's message names (``assignment/layers.py``). Raises MarkerError (file:line messages) for
    malformed markers, empty regions, and stubs that would not compile.
    """
    regions = parse_regions(source, source_name)
    problems = [
        f"{source_name}:{region.start}: region is empty; a region holds the code a student writes"
        for region in regions
        if not any(line.strip() and not line.strip().startswith("#") for line in region.body)
    ]
    problems += [
        f"{source_name}:{region.start}: region already holds only a stub; the reference must "
        "hold the answer"
        for region in regions
        if is_stub_only(region)
    ]
    lines = split_lines(source)
    problems += [
        f"{source_name}:{region.start}: region has no `# TODO:` comment directly above it; "
        "the stub tells the student to read it"
        for region in regions
        if not _has_todo_above(lines, region.start)
    ]
    if problems:
        raise MarkerError(problems)
    out = []
    previous_end = 0
    for region in regions:
        out.extend(lines[previous_end : region.start])  # up to and including START
        ending = lines[region.start - 1][len(lines[region.start - 1].rstrip("\r\n")) :]
        out.append(region.indent + stub_statement(region.function, stub_path) + ending)
        previous_end = region.end - 1  # the END marker line is copied next
    out.extend(lines[previous_end:])
    text = header(source_name, bool(regions)) + "".join(out)
    try:
        compile(text, stub_path, "exec")
    except SyntaxError as exc:
        line = (exc.lineno or 1) - header(source_name, True).count("\n")
        raise MarkerError(
            [
                f"{source_name}:{line}: the skeleton would not compile ({exc.msg}); a region "
                "must hold whole statements of one block"
            ]
        ) from exc
    return text


def _has_todo_above(lines, start):
    """True when the comment block right above line ``start`` has a line starting "# TODO"."""
    index = start - 2
    while index >= 0 and lines[index].strip().startswith("#"):
        if lines[index].strip().startswith("# TODO"):
            return True
        index -= 1
    return False


def render_tree(src, dest_name="assignment"):
    """The skeleton generated from the package at ``src``: {relative POSIX path: bytes}.

    Raises MarkerError listing the problems of every file.
    """
    src = Path(src)
    rendered = {}
    problems = []
    for rel in tree_files(src):
        data = (src / rel).read_bytes()
        source_name = f"{src.name}/{rel}"
        suffix = Path(rel).suffix
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            rendered[rel] = data
            continue
        try:
            if suffix == ".py":
                text = render_python(text, source_name, f"{dest_name}/{rel}")
            elif _has_marker_text(text):
                raise MarkerError(
                    [f"{source_name}:1: student regions are supported in .py files only"]
                )
            elif suffix in HEADED_SUFFIXES:
                text = header(source_name, False) + text
        except MarkerError as exc:
            problems.extend(exc.problems)
            continue
        rendered[rel] = text.encode("utf-8")
    if problems:
        raise MarkerError(problems)
    return rendered


def _has_marker_text(text):
    return START_MARKER in text or END_MARKER in text


def _looks_generated(dest):
    init = dest / "__init__.py"
    text = init.read_text("utf-8", errors="replace") if init.is_file() else ""
    return any(mark in text for mark in _GENERATED_MARKS)


def write_tree(rendered, dest):
    """Make ``dest`` hold exactly ``rendered`` (artefacts aside). Returns (written, removed).

    Refuses (ValueError) to touch a non-empty folder that does not look generated, so a wrong
    ``dest`` cannot lose files.
    """
    dest = Path(dest)
    existing = tree_files(dest)
    if existing and not _looks_generated(dest):
        raise ValueError(
            f"{dest} is not empty and its __init__.py has no generated header; refusing to "
            "overwrite it"
        )
    written, removed = [], []
    for rel, data in sorted(rendered.items()):
        target = dest / rel
        if target.is_file() and target.read_bytes() == data:
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        written.append(rel)
    for rel in existing:
        if rel not in rendered:
            (dest / rel).unlink()
            removed.append(rel)
    for folder in sorted((p for p in dest.rglob("*") if p.is_dir()), reverse=True):
        if not any(folder.iterdir()):
            folder.rmdir()
    return written, removed


def diff_tree(rendered, dest, dest_label="assignment"):
    """Unified diff from the files under ``dest`` to ``rendered``; "" when they agree."""
    dest = Path(dest)
    chunks = []
    for rel in sorted(set(rendered) | set(tree_files(dest))):
        old = (dest / rel).read_bytes() if (dest / rel).is_file() else None
        new = rendered.get(rel)
        if old == new:
            continue
        label = f"{dest_label}/{rel}"
        try:
            old_lines = split_lines(old.decode("utf-8")) if old is not None else []
            new_lines = split_lines(new.decode("utf-8")) if new is not None else []
        except UnicodeDecodeError:
            chunks.append(f"Binary file {label} differs\n")
            continue
        chunks.extend(
            difflib.unified_diff(
                old_lines,
                new_lines,
                fromfile=f"a/{label}" if old is not None else "/dev/null",
                tofile=f"b/{label}" if new is not None else "/dev/null",
            )
        )
        if chunks and not chunks[-1].endswith("\n"):
            chunks.append("\n\\ No newline at end of file\n")
    return "".join(chunks)


def main(argv=None):
    """Command line: write the skeleton, or with --check report whether it is up to date."""
    parser = argparse.ArgumentParser(prog=COMMAND, description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--check",
        action="store_true",
        help="write nothing; exit 1 and print a diff if the skeleton is out of date",
    )
    parser.add_argument("--solutions", type=Path, default=PROJECT_ROOT / "solutions")
    parser.add_argument("--assignment", type=Path, default=PROJECT_ROOT / "assignment")
    args = parser.parse_args(argv)
    label = args.assignment.name
    try:
        rendered = render_tree(args.solutions, dest_name=label)
    except MarkerError as exc:
        print(f"error: malformed student regions:\n{exc}", file=sys.stderr)
        return 2
    if args.check:
        diff = diff_tree(rendered, args.assignment, label)
        if diff:
            sys.stdout.write(diff)
            print(
                f"\n{label}/ is out of date with {args.solutions.name}/: run `{COMMAND}` "
                f"and commit {label}/",
                file=sys.stderr,
            )
            return 1
        print(f"{label}/ is up to date with {args.solutions.name}/ ({len(rendered)} files)")
        return 0
    try:
        written, removed = write_tree(rendered, args.assignment)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(
        f"{label}/: {len(written)} written, {len(removed)} removed, "
        f"{len(rendered) - len(written)} unchanged"
    )
    for rel in written:
        print(f"  wrote   {label}/{rel}")
    for rel in removed:
        print(f"  removed {label}/{rel}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
