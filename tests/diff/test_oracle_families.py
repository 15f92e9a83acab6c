"""Rule families found by running contractsync on oasdiff test cases nobody here had seen (#11):
each pair is written for this test and stands for the whole family, in every place it can occur
(query/header/cookie/path parameter, inline or through a component)."""

from __future__ import annotations

import copy
import datetime
from typing import Any

import pytest

from contractsync.diff import DiffOptions, diff

from .test_rule_families import ids  # rule id → level; every pointer resolves

NOW = datetime.date(2026, 1, 1)


def _doc(param: dict[str, Any], path: str = "/items/{id}") -> dict[str, Any]:
    params = [param]
    if param.get("in") != "path":
        params.append({"name": "id", "in": "path", "required": True,
                       "schema": {"type": "string"}})
    return {"openapi": "3.0.3", "info": {"title": "t", "version": "1"},
            "paths": {path: {"get": {"parameters": params,
                                     "responses": {"200": {"description": "ok"}}}}}}


def _param(loc: str, required: bool, default: Any, name: str = "p") -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "string"}
    if default is not None:
        schema["default"] = default
    if loc == "path":
        return {"name": "id", "in": "path", "required": required, "schema": schema}
    return {"name": name, "in": loc, "required": required, "schema": schema}


# --- defaults of required parameters ---------------------------------------------------------

def _via_component(doc: dict[str, Any]) -> dict[str, Any]:
    """The same document with every parameter's schema moved to ``components.schemas``."""
    doc = copy.deepcopy(doc)
    schemas: dict[str, Any] = {}
    for item in doc["paths"].values():
        for param in item["get"]["parameters"]:
            schemas[param["name"]] = param["schema"]
            param["schema"] = {"$ref": f"#/components/schemas/{param['name']}"}
    doc["components"] = {"schemas": schemas}
    return doc


@pytest.mark.parametrize("via_component", [False, True])
@pytest.mark.parametrize("loc", ["query", "header", "cookie", "path"])
@pytest.mark.parametrize(("old", "new"), [("X", "Y"), (None, "Y"), ("X", None)])
def test_a_required_parameter_default_is_never_used(loc: str, old: Any, new: Any,
                                                    via_component: bool) -> None:
    """Clients always send a required parameter, so its default changing affects nobody —
    also when the schema is a shared component."""
    shape = _via_component if via_component else (lambda d: d)
    assert ids(shape(_doc(_param(loc, True, old))), shape(_doc(_param(loc, True, new)))) == {}


def test_a_component_default_counts_for_the_optional_parameter_using_it() -> None:
    """One component, a required and an optional parameter: only the optional one's operation
    is affected."""
    def doc(default: str) -> dict[str, Any]:
        d = _via_component(_doc(_param("query", False, default)))
        d["paths"]["/other"] = {"get": {"parameters": [
            {"name": "q", "in": "query", "required": True,
             "schema": {"$ref": "#/components/schemas/p"}}],
            "responses": {"200": {"description": "ok"}}}}
        return d

    changes = [c for c in diff(doc("X"), doc("Y"), options=DiffOptions(now=NOW))]
    assert [c.id for c in changes] == ["request-parameter-default-value-changed"]
    assert changes[0].operations == ("GET /items/{id}",)


@pytest.mark.parametrize(("old", "new", "rid"), [
    ("X", "Y", "request-parameter-default-value-changed"),
    (None, "Y", "request-parameter-default-value-added"),
    ("X", None, "request-parameter-default-value-removed"),
])
def test_an_optional_parameter_default_still_counts(old: Any, new: Any, rid: str) -> None:
    assert ids(_doc(_param("query", False, old)), _doc(_param("query", False, new))) == {
        rid: "breaking"}


def test_a_parameter_that_became_required_reports_only_that() -> None:
    got = ids(_doc(_param("header", False, "X")), _doc(_param("header", True, "Y")))
    assert got == {"request-parameter-became-required": "breaking"}


# --- an untyped schema already admits null -------------------------------------------------------

def _body(schema: Any, side: str, version: str = "3.1.0") -> dict[str, Any]:
    content = {"application/json": {"schema": schema}}
    op: dict[str, Any] = {"responses": {"200": {"description": "ok"}}}
    if side == "request":
        op["requestBody"] = {"required": True, "content": content}
    else:
        op["responses"]["200"]["content"] = content
    return {"openapi": version, "info": {"title": "t", "version": "1"},
            "paths": {"/items": {"post": op}}}


_UNTYPED = {"properties": {"name": {"type": "string"}}}
_NULLABLE_31 = {"type": ["object", "null"], "properties": {"name": {"type": "string"}}}
_NULLABLE_30 = {"type": "object", "nullable": True, "properties": {"name": {"type": "string"}}}


@pytest.mark.parametrize("side", ["request", "response"])
@pytest.mark.parametrize("nullable", [_NULLABLE_31, _NULLABLE_30])
@pytest.mark.parametrize("wrap", [False, True])
def test_dropping_the_type_of_a_nullable_schema_keeps_null(side: str, nullable: Any,
                                                           wrap: bool) -> None:
    """`type: [object, "null"]` → no `type` at all: null is still accepted, and the reverse
    adds nothing; only the type itself changed (at the body's root or in a property)."""
    def shape(s: Any) -> Any:
        return {"type": "object", "properties": {"p": s}} if wrap else s

    version = "3.1.0" if nullable is _NULLABLE_31 else "3.0.3"
    for old, new in ((nullable, _UNTYPED), (_UNTYPED, nullable)):
        got = ids(_body(shape(old), side, version), _body(shape(new), side, version))
        assert not any("nullable" in rid for rid in got), (old, new, got)
        assert got, "the type change itself is still reported"


@pytest.mark.parametrize("side", ["request", "response"])
def test_dropping_null_from_a_typed_schema_is_still_a_nullability_change(side: str) -> None:
    typed = {"type": "object", "properties": {"name": {"type": "string"}}}
    got = ids(_body(_NULLABLE_31, side), _body(typed, side))
    assert f"{side}-body-became-not-nullable" in got
    got = ids(_body(typed, side), _body(_NULLABLE_31, side))
    assert f"{side}-body-became-nullable" in got


# --- parameters folded into a form/explode object parameter ----------------------------------

def _op(*params: dict[str, Any], schemas: dict[str, Any] | None = None) -> dict[str, Any]:
    doc: dict[str, Any] = {"openapi": "3.0.3", "info": {"title": "t", "version": "1"},
                           "paths": {"/items": {"get": {"parameters": list(params),
                                                        "responses": {"200": {"description": "ok"}}}}}}
    if schemas:
        doc["components"] = {"schemas": schemas}
    return doc


def _simple(name: str, loc: str = "query", typ: str = "integer", **extra: Any) -> dict[str, Any]:
    return {"name": name, "in": loc, "schema": {"type": typ}, **extra}


def _object(loc: str = "query", props: dict[str, Any] | None = None, **extra: Any) -> dict[str, Any]:
    props = props or {"page": {"type": "integer"}, "size": {"type": "integer"}}
    return {"name": "paging", "in": loc, "schema": {"type": "object", "properties": props}, **extra}


_FOLDED = [_object(), _object(style="form", explode=True)]


@pytest.mark.parametrize("folded", _FOLDED)
@pytest.mark.parametrize("loc", ["query", "cookie"])
def test_folding_parameters_into_an_exploded_object_changes_no_request(folded: Any,
                                                                       loc: str) -> None:
    """`?page=1&size=10` is what both spellings send: no removal, no addition, either way."""
    simple = _op(_simple("page", loc), _simple("size", loc))
    obj = _op({**folded, "in": loc})
    assert ids(simple, obj) == {}
    assert ids(obj, simple) == {}


def test_a_folded_parameter_is_still_compared() -> None:
    before = _op(_simple("page"), _simple("size"), _simple("sort", typ="string"))
    after = _op(_object(props={"page": {"type": "integer", "maximum": 100},
                               "size": {"type": "integer"}}),
                _simple("sort", typ="string"))
    assert ids(before, after) == {"request-parameter-max-set": "warning"}


def test_folding_reports_what_really_appears_or_disappears() -> None:
    """(A boolean `q` removed and a string `cursor` added: not one rename.)"""
    before = _op(_simple("page"), _simple("size"), _simple("q", typ="boolean"))
    after = _op(_object(props={"page": {"type": "integer"}, "size": {"type": "integer"},
                               "cursor": {"type": "string"}}))
    assert ids(before, after) == {"request-parameter-removed": "warning",
                                  "new-optional-request-parameter": "info"}


def test_a_folded_object_through_a_component() -> None:
    after = _op({"name": "paging", "in": "query",
                 "schema": {"$ref": "#/components/schemas/Paging"}},
                schemas={"Paging": {"type": "object", "properties": {
                    "page": {"type": "integer"}, "size": {"type": "string"}}}})
    assert ids(_op(_simple("page"), _simple("size")), after) == {
        "request-parameter-type-generalized": "info"}


def test_required_properties_of_a_required_object_stay_required() -> None:
    before = _op(_simple("page", required=True), _simple("size"))
    after = _op(_object(required=True) | {"schema": {
        "type": "object", "required": ["page"],
        "properties": {"page": {"type": "integer"}, "size": {"type": "integer"}}}})
    assert ids(before, after) == {}
    loose = _op(_object())  # the object itself optional: page may be left out now
    assert ids(before, loose) == {"request-parameter-became-optional": "info"}


@pytest.mark.parametrize("other", [
    _object(explode=False),             # `paging=page,1,size,10`: another wire format
    _object(style="deepObject", explode=True),  # `paging[page]=1`
    _object(loc="header"),              # headers are `simple`
])
def test_other_spellings_are_not_folded(other: Any) -> None:
    loc = other["in"]
    got = ids(_op(_simple("page", loc), _simple("size", loc)), _op(other))
    assert got["request-parameter-removed"] == "warning"
    assert "new-optional-request-parameter" in got


# --- a security scheme renamed with the same definition ---------------------------------------

_KEY = {"type": "apiKey", "in": "header", "name": "X-Key"}
_BEARER = {"type": "http", "scheme": "bearer"}


def _secured(schemes: dict[str, Any], op_security: Any = None, glob: Any = None) -> dict[str, Any]:
    op: dict[str, Any] = {"responses": {"200": {"description": "ok"}}}
    if op_security is not None:
        op["security"] = op_security
    doc: dict[str, Any] = {"openapi": "3.0.3", "info": {"title": "t", "version": "1"},
                           "paths": {"/items": {"get": op}},
                           "components": {"securitySchemes": schemes}}
    if glob is not None:
        doc["security"] = glob
    return doc


@pytest.mark.parametrize("where", ["operation", "document"])
def test_a_renamed_scheme_is_the_same_credential(where: str) -> None:
    """FastAPI names schemes after the dependency class: renaming the class renames the scheme,
    but clients send the same header."""
    def doc(name: str) -> dict[str, Any]:
        sec = [{name: []}]
        return _secured({name: _KEY, "bearer": _BEARER},
                        op_security=sec if where == "operation" else None,
                        glob=sec if where == "document" else None)

    assert ids(doc("APIKeyHeader"), doc("ApiKey")) == {
        "api-security-component-removed": "info", "api-security-component-added": "info"}


def test_a_renamed_scheme_keeps_its_scopes_compared() -> None:
    oauth = {"type": "oauth2", "flows": {"clientCredentials": {
        "tokenUrl": "https://example.org/token", "scopes": {"read": "", "write": ""}}}}
    before = _secured({"oauth": oauth}, op_security=[{"oauth": ["read"]}])
    after = _secured({"OAuth2": oauth}, op_security=[{"OAuth2": ["read", "write"]}])
    got = ids(before, after)
    assert got["api-security-scope-added"] == "breaking"
    assert "api-security-removed" not in got and "api-security-alternative-removed" not in got


@pytest.mark.parametrize("after_schemes", [
    {"ApiKey": {**_KEY, "name": "X-Api-Key"}},   # another header: not the same credential
    {"A": _KEY, "B": _KEY},                      # two candidates: ambiguous
])
def test_a_scheme_that_changed_or_is_ambiguous_is_not_a_rename(after_schemes: Any) -> None:
    before = _secured({"key": _KEY}, op_security=[{"key": []}])
    name = next(iter(after_schemes))
    after = _secured(after_schemes, op_security=[{name: []}])
    assert ids(before, after)["api-security-alternative-removed"] == "breaking"


def test_document_security_moved_into_every_operation_changes_nothing() -> None:
    glob = [{"key": []}]
    before = _secured({"key": _KEY}, glob=glob)
    after = _secured({"key": _KEY}, op_security=glob)
    assert ids(before, after) == {}
    assert ids(after, before) == {}


def test_document_security_still_counts_for_operations_that_inherit_it() -> None:
    before = _secured({"key": _KEY, "bearer": _BEARER}, glob=[{"key": []}, {"bearer": []}])
    after = copy.deepcopy(before)
    after["security"] = [{"bearer": []}]
    assert ids(before, after) == {"api-global-security-alternative-removed": "breaking"}
    # the one operation now states the old list itself: nothing changed for it
    after["paths"]["/items"]["get"]["security"] = before["security"]
    assert ids(before, after) == {}


# --- keywords spelled with their default value ------------------------------------------------

def test_a_parameter_rename_survives_spelled_out_defaults() -> None:
    before = _op(_simple("q", typ="string"))
    after = _op(_simple("query", typ="string", required=False, style="form", explode=True,
                        allowEmptyValue=False))
    assert ids(before, after) == {"request-parameter-renamed": "warning"}


def test_a_property_rename_survives_spelled_out_defaults() -> None:
    def body(props: dict[str, Any]) -> dict[str, Any]:
        return {"openapi": "3.0.3", "info": {"title": "t", "version": "1"},
                "paths": {"/items": {"post": {
                    "requestBody": {"content": {"application/json": {"schema": {
                        "type": "object", "properties": props}}}},
                    "responses": {"200": {"description": "ok"}}}}}}

    before = body({"a": {"type": "string"}})
    after = body({"b": {"type": "string", "nullable": False, "readOnly": False,
                        "minLength": 0, "deprecated": False}})
    assert ids(before, after) == {"request-property-renamed": "warning"}


def test_a_union_branch_spelled_with_defaults_is_the_same_branch() -> None:
    def body(branches: list[Any]) -> dict[str, Any]:
        return {"openapi": "3.0.3", "info": {"title": "t", "version": "1"},
                "paths": {"/items": {"get": {"responses": {"200": {
                    "description": "ok", "content": {"application/json": {"schema": {
                        "type": "object", "properties": {"p": {"oneOf": branches}}}}}}}}}}}

    a = {"type": "object", "properties": {"x": {"type": "string"}}}
    b = {"type": "object", "properties": {"y": {"type": "integer"}}}
    spelled = {**a, "nullable": False, "additionalProperties": True, "required": []}
    assert ids(body([a, b]), body([spelled, b])) == {}


@pytest.mark.parametrize(("old", "new", "expected"), [
    ({}, {"minLength": 0}, {}),                    # declares what was so anyway
    ({"minItems": 0}, {}, {}),
    ({"minLength": 0}, {"minLength": 3}, {"request-parameter-min-length-increased": "breaking"}),
])
def test_a_bound_spelled_with_its_default_value(old: Any, new: Any, expected: Any) -> None:
    typ = "array" if "minItems" in {**old, **new} else "string"
    extra = {"items": {"type": "string"}} if typ == "array" else {}
    before = _op({"name": "q", "in": "query", "schema": {"type": typ, **extra, **old}})
    after = _op({"name": "q", "in": "query", "schema": {"type": typ, **extra, **new}})
    assert ids(before, after) == expected


@pytest.mark.parametrize("spelled", [{"nullable": False}, {"readOnly": False, "deprecated": False}])
def test_union_of_bare_types_with_defaults_spelled_out_is_still_a_list_of_types(spelled: dict[str, Any]) -> None:
    """A generator spelling `nullable: false` inside each branch of a `oneOf` of bare types made
    the union no longer a list of types: `*-wrapped-in-one-of`/`*-type-changed` instead of
    `*-list-of-types-widened`, a verdict that depended on spelling."""
    from contractsync.diff import examples as ex_

    plain_before = {"type": "string"}
    plain_after = {"oneOf": [{"type": "string"}, {"type": "integer"}]}
    spelled_after = {"oneOf": [{"type": "string", **spelled}, {"type": "integer", **spelled}]}
    reference = ids(ex_.request_body(ex_.obj(plain_before)), ex_.request_body(ex_.obj(plain_after)))
    assert ids(ex_.request_body(ex_.obj(plain_before)), ex_.request_body(ex_.obj(spelled_after))) == reference
    assert "request-property-list-of-types-widened" in reference
