"""Full validation with openapi-spec-validator's "already checked" registries as sets
(:func:`contractsync.spec.validate.dedupe_in_sets`) gives exactly the verdicts of the library's
own lists: on documents with errors reached through shared ``$ref`` schemas, and on real ones."""

from __future__ import annotations

from typing import Any

import orjson
import pytest

from contractsync.spec import validate

from .conftest import require_corpus


def _doc(schemas: dict[str, Any], response: dict[str, Any], body: dict[str, Any]) -> dict[str, Any]:
    return {"openapi": "3.0.3", "info": {"title": "t", "version": "1"},
            "paths": {"/a": {"get": {"responses": {"200": {"description": "ok", "content": {
                "application/json": {"schema": response}}}}},
                             "post": {"requestBody": {"content": {"application/json": {"schema": body}}},
                                      "responses": {"204": {"description": "none"}}}}},
            "components": {"schemas": schemas}}


SHARED_ERRORS = _doc(
    {"Base": {"type": "object", "properties": {"id": {"type": "integer", "default": "not a number"}}},
     "Child": {"allOf": [{"$ref": "#/components/schemas/Base"}], "required": ["id", "missing"]},
     "List": {"type": "array", "items": {"$ref": "#/components/schemas/Child"}},
     "Loop": {"type": "object", "properties": {"next": {"$ref": "#/components/schemas/Loop"},
                                              "child": {"$ref": "#/components/schemas/Child"}}}},
    {"$ref": "#/components/schemas/Child"},
    {"oneOf": [{"$ref": "#/components/schemas/List"}, {"$ref": "#/components/schemas/Loop"},
               {"$ref": "#/components/schemas/Child"}]})


def _both(data: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> tuple[list[validate.Problem], list[validate.Problem]]:
    fast = validate._validate(data, source="t")
    with monkeypatch.context() as m:
        m.setattr(validate, "dedupe_in_sets", lambda validator: None)
        plain = validate._validate(data, source="t")
    return fast, plain


def test_sets_replace_the_lists() -> None:
    from openapi_spec_validator import OpenAPIV30SpecValidator

    validator = OpenAPIV30SpecValidator(SHARED_ERRORS)
    validate.dedupe_in_sets(validator)
    schema = validator.keyword_validators_registry["schema"]
    assert isinstance(schema.visited_schema_ids, set) and isinstance(schema.meta_checked_schema_ids, set)
    assert list(validator.iter_errors())  # and the validator still runs through them


def test_same_verdicts_on_shared_schemas_with_errors(monkeypatch: pytest.MonkeyPatch) -> None:
    fast, plain = _both(SHARED_ERRORS, monkeypatch)
    assert fast == plain
    messages = " ".join(p.message for p in fast)
    assert "missing" in messages and "not a number" in messages


@pytest.mark.parametrize("name", ["fastapi/full-stack-fastapi-template.json", "fastapi/arize-phoenix.json"])
def test_same_verdicts_on_real_documents(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    data = orjson.loads((require_corpus() / name).read_bytes())
    fast, plain = _both(data, monkeypatch)
    assert fast == plain
