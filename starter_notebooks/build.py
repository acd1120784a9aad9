"""Build the starter notebooks (*.ipynb) from their sources in src/: see the usage below.

The sources in ``src/<Name>.py`` are the single source of truth; the notebooks beside this file
are generated from them, with outputs cleared, and are committed so that students get them as
they are. Edit a source, run this script, commit both.

    python starter_notebooks/build.py           # (re)write every notebook
    python starter_notebooks/build.py --check   # write nothing; exit 1 if a notebook is stale

Source format (a subset of jupytext's "percent" format):

- lines before the first cell marker are the source's own header and are not part of the
  notebook;
- ``# %%`` starts a code cell; ``# %% [markdown]`` starts a markdown cell, whose lines are
  written as comments (``# text``, or ``#`` for an empty line);
- ``# %% [markdown] key={"json": "value"}`` also sets one cell metadata key (the inline
  questions' answer cells carry ``scratchnet={"answer": "<id>"}``, which the grader reads);
- in code cells, the IPython magics ``%load_ext``, ``%autoreload`` and ``%matplotlib`` are
  written commented out (``# %autoreload 2``) so that the source stays valid Python.
"""

import argparse
import json
import re
import sys
from pathlib import Path

import nbformat

HERE = Path(__file__).resolve().parent
SOURCES = HERE / "src"
NOTEBOOKS = ("TwoLayerNet", "FullyConnectedNets", "BatchNormalization", "Dropout",
             "ConvolutionalNetworks", "PyTorch")
COMMAND = "python starter_notebooks/build.py"
_MARKER = re.compile(r"^# %%(?: \[(?P<kind>markdown)\])?(?: (?P<key>\w+)=(?P<value>.+))?\s*$")
_MAGIC = re.compile(r"^# (?P<magic>%(?:load_ext|autoreload|matplotlib)\b.*)$")
KERNELSPEC = {"display_name": "Python 3", "language": "python", "name": "python3"}


class SourceError(ValueError):
    """A source file cannot be turned into a notebook; the message names the file and line."""


def _trim(lines):
    while lines and not lines[0].strip():
        lines.pop(0)
    while lines and not lines[-1].strip():
        lines.pop()
    return "\n".join(lines)


def _markdown_line(line, where):
    if line == "#":
        return ""
    if line.startswith("# "):
        return line[2:]
    if not line.strip():
        return ""
    raise SourceError(f"{where}: a markdown line must start with '# ' (or be '#')")


def parse_source(text, name="source"):
    """The cells of a percent-format source: a list of (kind, source text, metadata)."""
    cells = []
    current = None
    for number, line in enumerate(text.splitlines(), start=1):
        marker = _MARKER.match(line)
        if marker:
            metadata = {}
            if marker.group("key"):
                try:
                    metadata[marker.group("key")] = json.loads(marker.group("value"))
                except json.JSONDecodeError as exc:
                    raise SourceError(f"{name}:{number}: cell metadata is not JSON: {exc}") from exc
            current = (marker.group("kind") or "code", [], metadata)
            cells.append(current)
        elif line.startswith("# %%"):
            raise SourceError(f"{name}:{number}: malformed cell marker {line!r}")
        elif current is None:
            continue  # the source's header
        elif current[0] == "markdown":
            current[1].append(_markdown_line(line, f"{name}:{number}"))
        else:
            magic = _MAGIC.match(line)
            current[1].append(magic.group("magic") if magic else line)
    parsed = [(kind, _trim(lines), metadata) for kind, lines, metadata in cells]
    empty = [index for index, (_, source, _) in enumerate(parsed, start=1) if not source]
    if empty:
        raise SourceError(f"{name}: cell {empty[0]} is empty")
    return parsed


def build_notebook(text, name="source"):
    """The notebook (nbformat v4, outputs cleared, stable cell ids) made from a source text."""
    nb = nbformat.v4.new_notebook()
    nb.metadata = {"kernelspec": dict(KERNELSPEC), "language_info": {"name": "python"}}
    for index, (kind, source, metadata) in enumerate(parse_source(text, name), start=1):
        if kind == "markdown":
            cell = nbformat.v4.new_markdown_cell(source, metadata=metadata)
        else:
            cell = nbformat.v4.new_code_cell(source, metadata=metadata)
        cell.id = f"cell-{index:03d}"
        nb.cells.append(cell)
    nbformat.validate(nb)
    return nb


def render(name):
    """The text of ``<name>.ipynb`` as built from ``src/<name>.py``."""
    text = (SOURCES / f"{name}.py").read_text("utf-8")
    return nbformat.writes(build_notebook(text, f"src/{name}.py")) + "\n"


def main(argv=None):
    parser = argparse.ArgumentParser(prog=COMMAND, description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true",
                        help="write nothing; exit 1 if a notebook differs from its source")
    args = parser.parse_args(argv)
    stale = []
    for name in NOTEBOOKS:
        try:
            text = render(name)
        except SourceError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        target = HERE / f"{name}.ipynb"
        if target.is_file() and target.read_text("utf-8") == text:
            continue
        stale.append(target.name)
        if not args.check:
            target.write_text(text, "utf-8")
    if args.check and stale:
        print(f"out of date with src/: {', '.join(stale)}; run `{COMMAND}`", file=sys.stderr)
        return 1
    verb = "up to date" if args.check else f"wrote {len(stale)}"
    print(f"{verb}: {len(NOTEBOOKS)} notebooks in {HERE.name}/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
