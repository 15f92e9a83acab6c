"""Engine bugs found in integration, each pinned by a small before/after pair: path templates
that blank to one key, one component change named twice, ``$ref`` keys inside literal data,
position look-ups, and parameters of webhooks and callbacks."""

from __future__ import annotations

import copy
import datetime
from pathlib import Path
from typing import Any

import pytest

from contractsync.diff import DiffOptions, Level, diff
from contractsync.diff import examples as ex
from contractsync.spec.document import Document
from contractsync.spec.source import load_spec

NOW = DiffOptions(now=datetime.date(2026, 1, 1))


def facts(old: Any, new: Any) -> list[tuple[str, str]]:
    return [(c.id, c.location.subject) for c in diff(old, new, options=NOW)]


def _param(name: str, loc: str = "path", **extra: Any) -> dict[str, Any]:
    return {"name": name, "in": loc, "required": loc == "path" or extra.pop("required", False),
            "schema": {"type": "string"}, **extra}


# --- 1. two templates of one document that blank to the same key ---------------------------

def _attempts(patch_params: list[dict[str, Any]] | None = None, *, merged: str | None = None,
              patch: bool = True) -> dict[str, Any]:
    """FastAPI-template shape: GET /attempts/{id} and PATCH /attempts/{attempt_id}."""
    get = {"parameters": [_param("id")], "responses": ex.ok()}
    ops: dict[str, Any] = {"/attempts/{id}": {"get": get}}
    if patch:
        ops["/attempts/{attempt_id}"] = {"patch": {
            "parameters": [_param("attempt_id"), *(patch_params or [])], "responses": ex.ok()}}
    if merged is not None:
        # Both operations under one template spelled with yet another parameter name.
        both = {"get": copy.deepcopy(get), "patch": ops.pop("/attempts/{attempt_id}")["patch"]}
        for op in both.values():
            op["parameters"][0]["name"] = merged
        ops = {f"/attempts/{{{merged}}}": both}
    return ex.doc(ops)


def test_removed_operation_of_a_colliding_template_is_reported() -> None:
    assert facts(_attempts(), _attempts(patch=False)) == [
        ("api-removed-without-deprecation", "PATCH /attempts/{attempt_id}")]
    assert facts(_attempts(patch=False), _attempts()) == [
        ("endpoint-added", "PATCH /attempts/{attempt_id}")]


def test_change_inside_a_colliding_template_is_compared() -> None:
    old = _attempts([_param("force", "query")])
    new = _attempts([_param("force", "query", required=True)])
    assert facts(old, new) == [("request-parameter-became-required", "PATCH /attempts/{attempt_id}")]


def test_colliding_templates_merged_under_a_renamed_one_are_no_change() -> None:
    assert facts(_attempts(), _attempts(merged="attempt")) == []
    assert facts(_attempts(merged="attempt"), _attempts()) == []


def test_operation_moved_between_spellings_of_one_template_is_no_change() -> None:
    old = ex.doc({"/b/{id}": {"get": {"parameters": [_param("id")], "responses": ex.ok()},
                              "delete": {"parameters": [_param("id")], "responses": ex.ok()}}})
    new = ex.doc({"/b/{id}": {"get": {"parameters": [_param("id")], "responses": ex.ok()}},
                  "/b/{book_id}": {"delete": {"parameters": [_param("book_id")],
                                              "responses": ex.ok()}}})
    assert facts(old, new) == []


def test_removing_every_spelling_of_a_path_is_a_path_removal() -> None:
    old = _attempts()
    new = ex.doc({})
    assert sorted(facts(old, new)) == [
        ("api-path-removed-without-deprecation", "GET /attempts/{id}"),
        ("api-path-removed-without-deprecation", "PATCH /attempts/{attempt_id}")]


# --- 2. one change in a component reached as a body and as a property -------------------------

def _shared(component: dict[str, Any]) -> dict[str, Any]:
    """Component S is the whole response body of GET /a and a property in GET /b."""
    nested = {"type": "object", "properties": {"s": {"$ref": "#/components/schemas/S"}}}
    return ex.doc({"/a": {"get": {"responses": ex.ok({"$ref": "#/components/schemas/S"})}},
                   "/b": {"get": {"responses": ex.ok(nested)}}},
                  components={"schemas": {"S": component}})


@pytest.mark.parametrize(("before", "after", "expected"), [
    ({"type": "string", "default": "a"}, {"type": "string", "default": "b"},
     "response-body-default-value-changed"),
    ({"type": "string", "maxLength": 5}, {"type": "string", "maxLength": 9},
     "response-body-max-length-increased"),
])
def test_component_change_reached_as_body_and_property_is_one_change(
        before: dict[str, Any], after: dict[str, Any], expected: str) -> None:
    report = diff(_shared(before), _shared(after), options=NOW)
    assert [(c.id, c.location.subject, c.operations) for c in report] == [
        (expected, "components.schemas.S", ("GET /a", "GET /b"))]


def test_nested_finding_in_a_shared_component_keeps_its_property_id() -> None:
    old = _shared({"type": "object", "properties": {"p": {"type": "string", "default": "a"}}})
    new = _shared({"type": "object", "properties": {"p": {"type": "string", "default": "b"}}})
    report = diff(old, new, options=NOW)
    assert [(c.id, c.location.detail, c.operations) for c in report] == [
        ("response-property-default-value-changed", "p", ("GET /a", "GET /b"))]


# --- 3. `$ref` keys inside literal values are data ------------------------------------------

SCIM = {"value": "92b5", "$ref": "https://api.github.com/scim/v2/Users/92b5"}


def _literal_refs(extra_property: bool = False) -> dict[str, Any]:
    schema: dict[str, Any] = {
        "type": "object",
        "x-scim-members": [SCIM],
        "properties": {
            "members": {"type": "array", "items": {"type": "object"}, "example": [SCIM],
                        "default": [SCIM]},
            "kind": {"enum": [SCIM, "plain"]},
            "fixed": {"const": SCIM, "x-link": {"$ref": "other.yaml#/X"}},
            "listed": {"type": "object", "examples": [SCIM]},
        },
    }
    if extra_property:
        schema["properties"]["added"] = {"type": "string"}
    return ex.response_body(schema)


def test_ref_keys_in_examples_defaults_enums_consts_and_extensions_are_not_followed() -> None:
    doc = _literal_refs()
    assert facts(doc, doc) == []
    assert facts(doc, copy.deepcopy(doc)) == []
    assert facts(doc, _literal_refs(extra_property=True)) == [
        ("response-optional-property-added", "GET /items")]


def test_extensions_of_the_paths_responses_and_callback_objects_are_data() -> None:
    hook = {"post": {"responses": {"200": {"description": "OK"}}}}
    doc = ex.op("post", responses={"200": {"description": "OK"},
                                   "x-gateway": {"$ref": "https://example.org/gw"}},
                callbacks={"onDone": {"{$request.body#/url}": hook,
                                      "x-retry": {"$ref": "https://example.org/retry"}}})
    doc["paths"]["x-internal"] = {"$ref": "https://example.org/internal"}
    assert facts(doc, copy.deepcopy(doc)) == []
    changed = copy.deepcopy(doc)
    changed["paths"]["x-internal"] = {"get": {"responses": ex.ok()}}
    changed["paths"]["/items"]["post"]["responses"]["x-gateway"] = {"description": "other"}
    assert facts(doc, changed) == []


def test_property_named_like_a_literal_keyword_is_still_followed() -> None:
    def doc(component: dict[str, Any]) -> dict[str, Any]:
        ref = {"$ref": "#/components/schemas/S"}
        out = ex.response_body({"type": "object", "properties": {"default": ref, "example": ref}})
        out["components"] = {"schemas": {"S": component}}
        return out

    assert facts(doc({"type": "string"}), doc({"type": "integer"})) == [
        ("response-property-type-changed", "components.schemas.S")]


# --- 4. positions: one look-up per distinct pointer -----------------------------------------

def test_each_distinct_pointer_is_located_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                               ) -> None:
    import yaml

    def write(name: str, schema: dict[str, Any]) -> Document:
        path = tmp_path / name
        path.write_text(yaml.safe_dump(ex.response_body(schema), sort_keys=False))
        return load_spec(str(path))

    # Three findings at one pointer on each side: type, enum and bound of one property.
    old = write("old.yaml", ex.obj({"type": "string", "enum": ["a", "b"], "maxLength": 3}))
    new = write("new.yaml", ex.obj({"type": "integer", "enum": [1], "maximum": 3}))
    calls: list[str] = []
    real = Document.locate

    def counting(self: Document, pointer: str) -> Any:
        calls.append(pointer)
        return real(self, pointer)

    monkeypatch.setattr(Document, "locate", counting)
    report = diff(old, new, options=NOW)
    assert len(report) >= 3
    pointers = {(c.location.base, c.location.revision) for c in report}
    assert len(pointers) == 1
    assert len(calls) == 2  # one per document, not one per change
    assert all(c.location.base_position is not None for c in report)


# --- 5. parameters of callbacks (and webhooks) are judged from the receiver's side ----------

def _callback(*params: dict[str, Any]) -> dict[str, Any]:
    hook = {"post": {"parameters": list(params), "responses": {"200": {"description": "OK"}}}}
    return ex.op("post", callbacks={"onDone": {"{$request.body#/url}": hook}})


CB = "POST /items"
SIG = _param("X-Signature", "header", required=True)
OPT = _param("X-Trace", "header")


@pytest.mark.parametrize(("old", "new", "expected", "level"), [
    (_callback(SIG), _callback(), "callback-required-parameter-removed", Level.BREAKING),
    (_callback(OPT), _callback(), "callback-optional-parameter-removed", Level.WARNING),
    (_callback(), _callback(SIG), "callback-parameter-added", Level.INFO),
    (_callback(SIG), _callback({**SIG, "required": False}), "callback-parameter-became-optional",
     Level.BREAKING),
    (_callback(OPT), _callback({**OPT, "required": True}), "callback-parameter-became-required",
     Level.INFO),
    (_callback(OPT), _callback({**OPT, "in": "query", "name": "x-trace"}),
     "callback-parameter-location-changed", Level.BREAKING),
])
def test_callback_parameter_changes_are_reported_flipped(old: Any, new: Any, expected: str,
                                                         level: Level) -> None:
    report = diff(old, new, options=NOW)
    assert [(c.id, c.level) for c in report] == [(expected, level)]
    assert report[0].operations == (f"{CB} callback onDone {{$request.body#/url}} POST",)


def test_callback_path_item_behind_a_ref_is_compared() -> None:
    def doc(param: dict[str, Any]) -> dict[str, Any]:
        out = ex.op("post", callbacks={"onDone": {
            "{$request.body#/url}": {"$ref": "#/components/pathItems/Done"}}})
        out["components"] = {"pathItems": {"Done": {"post": {
            "parameters": [param], "responses": {"200": {"description": "OK"}}}}}}
        return out

    assert [c.id for c in diff(doc(SIG), doc({**SIG, "required": False}), options=NOW)] == [
        "callback-parameter-became-optional"]
