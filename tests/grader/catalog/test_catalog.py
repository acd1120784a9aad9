"""grader/catalog.py and its schema: closed, documented data."""

import json

import pytest

from grader import catalog
from grader.checks import KINDS
from grader.checks.evaluators import EVALUATORS


def _schema():
    return catalog.load_schema("catalog.schema.json")


def test_the_schema_kinds_are_the_check_table():
    kinds = _schema()["$defs"]["question"]["properties"]["kind"]["enum"]
    assert sorted(kinds) == sorted(KINDS)


def test_the_schema_evaluators_are_the_evaluator_table():
    evaluate = _schema()["$defs"]["case"]["properties"]["evaluate"]["enum"]
    assert sorted(evaluate) == sorted(EVALUATORS)


def test_every_key_is_documented_and_nothing_else_is_allowed():
    schema = _schema()["$defs"]
    for part in ("question", "case"):
        assert schema[part]["additionalProperties"] is False
        undocumented = [k for k, v in schema[part]["properties"].items() if "description" not in v]
        assert undocumented == [], part


@pytest.mark.parametrize("where", ["question", "case"])
def test_a_mistyped_key_is_refused_not_ignored(tmp_path, where):
    data = json.loads(catalog.CATALOG_PATH.read_text())
    question = next(q for q in data["questions"] if q["id"] == "fc.affine_forward")
    (question if where == "question" else question["cases"][0])["tolerance"] = 1e-3
    path = tmp_path / "catalog.json"
    path.write_text(json.dumps(data))
    with pytest.raises(catalog.CatalogError, match="tolerance"):
        catalog.load_catalog(path)


def test_a_kind_without_its_required_keys_is_refused(tmp_path):
    data = json.loads(catalog.CATALOG_PATH.read_text())
    question = next(q for q in data["questions"] if q["id"] == "fc.affine_backward")
    del question["grad_names"]
    path = tmp_path / "catalog.json"
    path.write_text(json.dumps(data))
    with pytest.raises(catalog.CatalogError, match="grad_names"):
        catalog.load_catalog(path)


def test_select_takes_ids_and_prefixes():
    questions = catalog.load_catalog()["questions"]
    assert [q["id"] for q in catalog.select({"questions": questions}, ["fc.adam"])] == ["fc.adam"]
    chosen = {q["id"] for q in catalog.select({"questions": questions}, ["bn."])}
    assert chosen and all(qid.startswith("bn.") for qid in chosen)
    with pytest.raises(catalog.CatalogError):
        catalog.select({"questions": questions}, ["nope"])
