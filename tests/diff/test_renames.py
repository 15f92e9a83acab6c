"""Renames (#11): one removed and one added element with the same structure in the same scope
are one ``…-renamed`` change; anything ambiguous stays a removal plus an addition."""

from __future__ import annotations

import datetime
from typing import Any

from contractsync.diff import DiffOptions, diff
from contractsync.diff import examples as ex
from contractsync.diff.renames import match_renames, structural_hash

NOW = DiffOptions(now=datetime.date(2026, 1, 1))


def ids(old: Any, new: Any) -> list[tuple[str, str]]:
    return sorted((c.id, c.level.value) for c in diff(old, new, options=NOW))


# --- structural identity ----------------------------------------------------------------------

def test_structural_hash_ignores_annotations_and_list_order() -> None:
    a = {"type": "object", "title": "A", "required": ["x", "y"], "properties": {
        "x": {"type": "string", "description": "one"}, "y": {"type": "integer"}}}
    b = {"type": "object", "title": "B", "required": ["y", "x"], "properties": {
        "x": {"type": "string"}, "y": {"type": "integer", "examples": [1]}}}
    assert structural_hash(a) == structural_hash(b)
    assert structural_hash(a) != structural_hash({**b, "required": ["x"]})


def test_match_renames_needs_an_unambiguous_pair() -> None:
    s, i = {"type": "string"}, {"type": "integer"}
    assert match_renames({"a": s}, {"b": s}) == [("a", "b")]
    assert match_renames({"a": s, "c": i}, {"b": s, "d": i}) == [("a", "b"), ("c", "d")]
    assert match_renames({"a": s, "c": s}, {"b": s}) == []   # which one was renamed?
    assert match_renames({"a": s}, {"b": s, "d": s}) == []
    assert match_renames({"a": s}, {"b": i}) == []


# --- component schemas ------------------------------------------------------------------------

def _components(name: str, title: str | None = None) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "object", "properties": {"id": {"type": "integer"}},
                              "required": ["id"]}
    if title:
        schema["title"] = title
    return ex.doc({"/units": {"get": {"responses": ex.ok({"$ref": f"#/components/schemas/{name}"})}}},
                  components={"schemas": {name: schema}})


def test_component_schema_renamed_with_the_same_structure() -> None:
    changes = list(diff(_components("UnitOut", "UnitOut"), _components("UnitPublic", "UnitPublic"),
                        options=NOW))
    assert [(c.id, c.level.value) for c in changes] == [("api-schema-renamed", "info")]
    assert "UnitOut" in changes[0].message and "UnitPublic" in changes[0].message
    assert changes[0].location.base == "/components/schemas/UnitOut"
    assert changes[0].location.revision == "/components/schemas/UnitPublic"


def test_component_schema_with_another_structure_is_removed() -> None:
    new = _components("UnitPublic")
    new["components"]["schemas"]["UnitPublic"]["properties"]["name"] = {"type": "string"}
    assert ("api-schema-removed", "info") in ids(_components("UnitOut"), new)


# --- query parameters -------------------------------------------------------------------------

def _tasks(*names: str, required: bool = False, deprecated: bool = False) -> dict[str, Any]:
    status = {"anyOf": [{"type": "string", "enum": ["open", "done"]}, {"type": "null"}]}
    params = [{"name": n, "in": "query", "required": required, "deprecated": deprecated,
               "schema": {**status, "title": n.replace("_", " ").title()}} for n in names]
    return ex.op("get", path="/tasks", parameters=params)


def test_query_parameter_renamed() -> None:
    changes = list(diff(_tasks("completion_status"), _tasks("overall_status"), options=NOW))
    assert [(c.id, c.level.value) for c in changes] == [("request-parameter-renamed", "warning")]
    assert "completion_status" in changes[0].message and "overall_status" in changes[0].message
    assert (changes[0].before, changes[0].after) == ("completion_status", "overall_status")


def test_ambiguous_or_required_parameter_renames_stay_remove_plus_add() -> None:
    assert ids(_tasks("a", "b"), _tasks("c")) == [
        ("new-optional-request-parameter", "info"), ("request-parameter-removed", "warning"),
        ("request-parameter-removed", "warning")]
    assert ids(_tasks("a", required=True), _tasks("c", required=True)) == [
        ("new-required-request-parameter", "breaking"), ("request-parameter-removed", "warning")]
    # A deprecated parameter that goes away is its announced end, not a rename.
    assert ("request-parameter-renamed", "warning") not in ids(
        _tasks("a", deprecated=True), _tasks("c"))


def test_parameter_in_another_location_is_not_a_rename() -> None:
    new = _tasks("c")
    new["paths"]["/tasks"]["get"]["parameters"][0]["in"] = "header"
    assert ("request-parameter-renamed", "warning") not in ids(_tasks("a"), new)


# --- properties -------------------------------------------------------------------------------

def _body(names: list[str], required: list[str], response: bool = True) -> dict[str, Any]:
    schema = {"type": "object", "required": required, "properties": {
        n: {"title": n.title(), "type": "string", "format": "date-time"} for n in names}}
    return ex.response_body(schema) if response else ex.request_body(schema)


def test_response_property_renamed() -> None:
    old, new = _body(["finished_at", "id"], ["id"]), _body(["completed_at", "id"], ["id"])
    changes = list(diff(old, new, options=NOW))
    assert [(c.id, c.level.value) for c in changes] == [
        ("response-optional-property-renamed", "warning")]
    assert "finished_at" in changes[0].message and "completed_at" in changes[0].message
    old, new = _body(["finished_at"], ["finished_at"]), _body(["completed_at"], ["completed_at"])
    assert ids(old, new) == [("response-required-property-renamed", "breaking")]


def test_request_property_renames() -> None:
    assert ids(_body(["a"], [], False), _body(["b"], [], False)) == [
        ("request-property-renamed", "warning")]
    # A rename to a required request property: the addition breaks clients on its own.
    assert ids(_body(["a"], ["a"], False), _body(["b"], ["b"], False)) == [
        ("new-required-request-property", "breaking"), ("request-property-removed", "warning")]


def test_property_renames_need_the_same_requiredness_and_an_unambiguous_match() -> None:
    assert ids(_body(["a"], []), _body(["b"], ["b"])) == [
        ("response-optional-property-removed", "warning"),
        ("response-required-property-added", "info")]
    assert ids(_body(["a", "b"], []), _body(["c"], [])) == [
        ("response-optional-property-added", "info"),
        ("response-optional-property-removed", "warning"),
        ("response-optional-property-removed", "warning")]


def test_renamed_property_inside_a_shared_component_is_one_change() -> None:
    def doc(name: str) -> dict[str, Any]:
        comp = {"type": "object", "properties": {name: {"type": "integer"}}}
        ref = {"$ref": "#/components/schemas/Unit"}
        return ex.doc({"/a": {"get": {"responses": ex.ok(ref)}},
                       "/b": {"get": {"responses": ex.ok({"type": "array", "items": ref})}}},
                      components={"schemas": {"Unit": comp}})

    changes = list(diff(doc("unit_count"), doc("units"), options=NOW))
    assert [(c.id, c.location.subject, c.operations) for c in changes] == [
        ("response-optional-property-renamed", "components.schemas.Unit", ("GET /a", "GET /b"))]
