"""Correct implementations written differently from ``solutions/``, and "null" submissions.

Issue 10: the grader must judge the documented contract, not the reference's choices. This
package holds the data the tests and ``benchmarks/sweep_alternatives.py`` grade:

- ``ALTERNATIVES``: correct code written the ways students of the CS231n family write it (global
  ``np.random`` seeded from the param dict, in-place updates, loops, other cache layouts, ...),
  each written from the docstrings in ``solutions/`` and the conventions of DESIGN.md. Each one
  replaces whole student regions of a copy of the reference submission and names the questions
  on which it must keep full marks (its own, and the training questions its code takes part in).
- ``NULL_SUBMISSIONS`` (see ``nulls.py``): every student region rewritten to return zeros, ones
  or one of its own arguments unchanged; such a submission must score 0 on every question.

A region is addressed by file, enclosing function and its rank among that function's regions
(see ``grader.authoring.regions.parse_regions``). ``TextEdit`` changes text outside the regions,
for the few course-style answers that need it (a ``train`` with the course's own signature).
"""

from __future__ import annotations

import json
import shutil
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

from grader.authoring.regions import parse_regions, split_lines

LAYERS = "layers.py"
OPTIM = "optim.py"
FILTERS = "image_filters.py"
WORKBOOK = "classifiers/neural_net.py"
FC_NET = "classifiers/fc_net.py"
CNN = "classifiers/cnn.py"


@dataclass(frozen=True)
class Region:
    """New content for the ``index``-th student region of ``function`` in ``relpath``.

    ``code`` is written without the region's indentation (it is dedented, then indented to the
    markers' level).
    """

    relpath: str
    function: str
    code: str
    index: int = 0


@dataclass(frozen=True)
class TextEdit:
    """``old`` (found exactly once in ``relpath``) becomes ``new``: for code outside regions."""

    relpath: str
    old: str
    new: str


@dataclass(frozen=True)
class Hyperparams:
    """The submission's declared hyperparameters (``hyperparams.json``) replaced by ``declared``:
    a student's own choice of model and update rule for the "train a good model" question."""

    declared: dict


@dataclass(frozen=True)
class Alternative:
    """A correct answer written differently: it must keep full marks on ``questions``.

    - slug: short name, unique within the corpus
    - questions: the question ids it must keep full marks on (its own first)
    - edits: Region and TextEdit changes applied to a copy of the reference submission
    - xfail: why the current grader is known to take points from it (issue 10), or None
    - xfail_on: the questions that defect affects (all of ``questions`` when empty)
    - note: the grader defect of issue 10 this answer exercised when it was written (fixed
      since: it must keep full marks)
    - tags: "one-mistake" for an answer wrong in one question that must keep full marks on
      the questions it names, whose own code is right (a mistake is charged once)
    """

    slug: str
    questions: tuple[str, ...]
    edits: tuple
    xfail: str | None = None
    xfail_on: tuple[str, ...] = field(default=())
    note: str = ""
    tags: tuple[str, ...] = field(default=())

    @property
    def name(self) -> str:
        return f"{self.questions[0]}:{self.slug}"

    def known_defect(self, question: str) -> str | None:
        """The xfail reason when the current grader is known to fail ``question``, else None."""
        if self.xfail and (not self.xfail_on or question in self.xfail_on):
            return self.xfail
        return None


TRAINING_QUESTIONS = (
    "twolayer.train",
    "fc.overfit",
    "fc.good_model",
    "conv.overfit",
    "pytorch.train_barebones",
    "pytorch.train_module",
    "pytorch.challenge",
)


def _indent(code: str, indent: str) -> list[str]:
    body = textwrap.dedent(code).strip("\n")
    return [(indent + line if line.strip() else "") + "\n" for line in body.split("\n")]


def replace_region(source: str, relpath: str, function: str, index: int, code: str) -> str:
    """``source`` with the body of the ``index``-th region of ``function`` replaced by ``code``."""
    regions = [r for r in parse_regions(source, relpath) if r.function == function]
    if index >= len(regions):
        raise KeyError(f"{relpath}: {function} has no student region number {index}")
    region = regions[index]
    lines = split_lines(source)
    # Region.start/end are the 1-based marker lines: the body is lines start+1 .. end-1.
    new = lines[: region.start] + _indent(code, region.indent) + lines[region.end - 1 :]
    return "".join(new)


def apply_edits(source_root: Path, dest: Path, edits) -> Path:
    """Copy the submission folder ``source_root`` to ``dest`` and apply ``edits`` to the copy."""
    shutil.copytree(source_root, dest)
    for edit in edits:
        if isinstance(edit, Hyperparams):
            (dest / "hyperparams.json").write_text(json.dumps(edit.declared, indent=1))
            continue
        path = dest / "assignment" / edit.relpath
        text = path.read_text(encoding="utf-8")
        if isinstance(edit, TextEdit):
            if text.count(edit.old) != 1:
                raise ValueError(f"{edit.relpath}: snippet not found exactly once: {edit.old!r}")
            text = text.replace(edit.old, edit.new)
        else:
            text = replace_region(text, edit.relpath, edit.function, edit.index, edit.code)
        path.write_text(text, encoding="utf-8")
    return dest


def build(alternative: Alternative, reference: Path, dest: Path) -> Path:
    """The reference submission ``reference`` with ``alternative``'s edits, written to ``dest``."""
    return apply_edits(reference, dest, alternative.edits)


def all_alternatives() -> list[Alternative]:
    from . import alt_layers, alt_models, alt_optim, alt_pytorch

    alts = [
        *alt_layers.ALTERNATIVES,
        *alt_optim.ALTERNATIVES,
        *alt_models.ALTERNATIVES,
        *alt_pytorch.ALTERNATIVES,
    ]
    names = [a.name for a in alts]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise ValueError(f"duplicate alternatives: {duplicates}")
    return alts


def correct_alternatives() -> list[Alternative]:
    """The alternatives that are correct everywhere (not the "one mistake" entries)."""
    return [a for a in all_alternatives() if "one-mistake" not in a.tags]
