"""What the command-line entry points share: exit codes and the grading options."""

from __future__ import annotations

import argparse

from grader import catalog
from grader.errors import EXIT_GRADED, EXIT_GRADER_FAULT, EXIT_UNREADABLE

__all__ = [
    "EXIT_GRADED",
    "EXIT_GRADER_FAULT",
    "EXIT_UNREADABLE",
    "add_grading_options",
    "add_sandbox_option",
    "positive",
    "question_selector",
]


def question_selector(text: str) -> str:
    """A ``--only`` value: a question id or an id prefix of the catalog; a usage error lists
    the valid ones."""
    try:
        questions = catalog.load_catalog()["questions"]
    except catalog.CatalogError:
        return text  # the command reports the invalid catalog itself
    ids = [q["id"] for q in questions]
    prefix = text.rstrip(".")
    if any(i == text or i.startswith(prefix + ".") for i in ids):
        return text
    parts = sorted({".".join(i.split(".")[:n]) for i in ids for n in range(1, i.count(".") + 1)})
    raise argparse.ArgumentTypeError(
        f"no question matches {text!r}; prefixes: {', '.join(parts)}; ids: {', '.join(ids)}"
    )


def positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {value}")
    return value


def add_grading_options(parser: argparse.ArgumentParser, defaults: dict) -> None:
    """``--only`` and ``--seed``, as every grading command takes them."""
    parser.add_argument(
        "--only",
        nargs="+",
        metavar="QUESTION",
        type=question_selector,
        help="grade only these question ids or id prefixes (e.g. fc bn.)",
    )
    parser.add_argument(
        "--seed", type=int, default=defaults["seed"], help="grading seed (default: %(default)s)"
    )


def add_sandbox_option(parser: argparse.ArgumentParser) -> None:
    """``--no-sandbox``, as the commands that run student code take it."""
    parser.add_argument(
        "--no-sandbox",
        action="store_true",
        help="do not use bubblewrap even if available (reduced isolation)",
    )
