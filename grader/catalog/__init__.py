"""The question catalog: a JSON data file, validated by a JSON Schema, loaded as plain dicts."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema

from grader.errors import SetupError

HERE = Path(__file__).resolve().parent
CATALOG_PATH = HERE / "catalog.json"
SCHEMA_DIR = HERE / "schemas"


class CatalogError(SetupError):
    """The catalog file is not valid; the message names the question and the field."""


def load_schema(name: str) -> dict:
    return json.loads((SCHEMA_DIR / name).read_text(encoding="utf-8"))


def load_catalog(path: Path = CATALOG_PATH) -> dict:
    """Read and validate the catalog; returns ``{"schema_version", "questions": [...]}``."""
    try:
        catalog = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise CatalogError(f"{path}: {exc}") from None
    validator = jsonschema.Draft202012Validator(load_schema("catalog.schema.json"))
    errors = sorted(validator.iter_errors(catalog), key=lambda e: list(e.absolute_path))
    if errors:
        first = errors[0]
        where = "/".join(str(p) for p in first.absolute_path)
        raise CatalogError(f"{path}: at {where or 'top level'}: {first.message}")
    seen = set()
    for q in catalog["questions"]:
        if q["id"] in seen:
            raise CatalogError(f"{path}: duplicate question id {q['id']}")
        seen.add(q["id"])  # (an unknown kind is refused by the schema's enum: test_catalog)
    return catalog


def select(catalog: dict, only: list[str] | None) -> list[dict]:
    """Questions whose id equals or starts with one of ``only`` (all when only is empty)."""
    questions = catalog["questions"]
    if not only:
        return questions
    chosen = [
        q
        for q in questions
        if any(q["id"] == o or q["id"].startswith(o.rstrip(".") + ".") for o in only)
    ]
    if not chosen:
        raise CatalogError(f"no question matches {', '.join(only)}")
    return chosen
