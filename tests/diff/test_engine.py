"""Engine behaviour: silence where nothing changed for a client, one change per real change,
direction-aware verdicts, sunsets, callbacks, determinism."""

from __future__ import annotations

import copy
import datetime
from typing import Any

import pytest

from contractsync.diff import DiffOptions, Level, diff
from contractsync.diff import examples as ex

NOW = DiffOptions(now=datetime.date(2026, 1, 1))
BOOK: dict[str, Any] = {"type": "object", "required": ["id", "title"],
        "properties": {"id": {"type": "integer"}, "title": {"type": "string"},
                       "note": {"type": "string"}}}


def ids(old: Any, new: Any, options: DiffOptions = NOW) -> list[str]:
    return [c.id for c in diff(old, new, options=options)]


def with_components(document: dict[str, Any], **schemas: Any) -> dict[str, Any]:
    out = copy.deepcopy(document)
    out["components"] = {"schemas": schemas}
    return out


def ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def crud(book: dict[str, Any], *, paths: int = 3) -> dict[str, Any]:
    """A document where Book is the request body of POST and the response of several GETs."""
    p: dict[str, Any] = {"/books": {"post": {
        "requestBody": {"required": True, "content": {"application/json": {"schema": ref("Book")}}},
        "responses": ex.ok(ref("Book"))}}}
    for i in range(paths):
        p[f"/shelf{i}/books/{{id}}"] = {"get": {"parameters": [
            {"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}],
            "responses": ex.ok(ref("Book"))}}
    return with_components(ex.doc(p), Book=book)


# --- silence -------------------------------------------------------------------------------

SILENT: list[tuple[str, Any, Any]] = [
    ("title and description churn",
     ex.response_body({"type": "object", "title": "A", "description": "old",
                       "properties": {"p": {"type": "string", "description": "x"}}}),
     ex.response_body({"type": "object", "title": "B", "description": "new",
                       "properties": {"p": {"type": "string", "title": "P"}}})),
    ("inline schema to an identical $ref component",
     ex.response_body({"type": "string", "enum": ["a", "b"]}),
     with_components(ex.response_body(ref("Kind")), Kind={"type": "string", "enum": ["a", "b"],
                                                         "title": "Kind"})),
    ("$ref component to an identical inline schema",
     with_components(ex.request_body(ref("Book")), Book=BOOK),
     with_components(ex.request_body(BOOK), Book=BOOK)),
    ("path parameter renamed",
     ex.doc({"/books/{id}": {"get": {"parameters": [
         {"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}],
         "responses": ex.ok()}}}),
     ex.doc({"/books/{book_id}": {"get": {"parameters": [
         {"name": "book_id", "in": "path", "required": True, "schema": {"type": "integer"}}],
         "responses": ex.ok()}}})),
    ("parameter moved from operation to path level",
     ex.doc({"/items": {"get": {"parameters": [{"name": "q", "in": "query",
                                                "schema": {"type": "string"}}],
                                "responses": ex.ok()}}}),
     ex.doc({"/items": {"parameters": [{"name": "q", "in": "query", "schema": {"type": "string"}}],
                        "get": {"responses": ex.ok()}}})),
    ("pydantic v1 allOf wrapper around a $ref",
     with_components(ex.response_body(ex.obj(ref("Book"))), Book=BOOK),
     with_components(ex.response_body(ex.obj({"allOf": [ref("Book")], "description": "the book"})),
                     Book=BOOK)),
    ("nullable spelled three ways",
     ex.response_body(ex.obj({"type": "string", "nullable": True})),
     ex.response_body(ex.obj({"anyOf": [{"type": "string"}, {"type": "null"}]}))),
    ("header name case",
     ex.op("get", responses={"200": {"description": "x", "headers": {"X-Rate": {"schema": {"type": "integer"}}}}}),
     ex.op("get", responses={"200": {"description": "x", "headers": {"x-rate": {"schema": {"type": "integer"}}}}})),
    ("component renamed, same content",
     with_components(ex.response_body(ref("Book")), Book=BOOK),
     with_components(ex.response_body(ref("BookOut")), BookOut=BOOK, Book=BOOK)),
]


@pytest.mark.parametrize(("old", "new"), [(o, n) for _, o, n in SILENT], ids=[s[0] for s in SILENT])
def test_silent(old: Any, new: Any) -> None:
    assert ids(old, new) == []


# --- one change per real change --------------------------------------------------------------

def test_pydantic_optional_is_one_nullability_change() -> None:
    old = ex.response_body(ex.obj({"type": "string"}, required=True))
    new = ex.response_body(ex.obj({"anyOf": [{"type": "string"}, {"type": "null"}]}, required=True))
    assert ids(old, new) == ["response-property-became-nullable"]
    assert ids(new, old) == ["response-property-became-not-nullable"]


def test_pydantic_optional_of_a_model_is_one_nullability_change() -> None:
    old = with_components(ex.request_body(ex.obj(ref("Book"))), Book=BOOK)
    new = with_components(ex.request_body(ex.obj({"anyOf": [ref("Book"), {"type": "null"}]})),
                          Book=BOOK)
    assert ids(old, new) == ["request-property-became-nullable"]


def test_change_in_shared_component_is_reported_once_per_direction() -> None:
    new_book = copy.deepcopy(BOOK)
    del new_book["properties"]["note"]
    report = diff(crud(BOOK), crud(new_book), options=NOW)
    by_id = {c.id: c for c in report}
    assert sorted(by_id) == ["request-property-removed", "response-optional-property-removed"]
    resp = by_id["response-optional-property-removed"]
    assert resp.location.subject == "components.schemas.Book"
    assert resp.location.detail == "note"
    assert resp.location.base == "/components/schemas/Book/properties/note"
    assert resp.operations == ("GET /shelf0/books/{id}", "GET /shelf1/books/{id}",
                               "GET /shelf2/books/{id}", "POST /books")
    assert by_id["request-property-removed"].operations == ("POST /books",)


def test_required_property_removed_has_opposite_verdicts_by_direction() -> None:
    new_book = copy.deepcopy(BOOK)
    del new_book["properties"]["title"]
    new_book["required"] = ["id"]
    levels = {c.id: c.level for c in diff(crud(BOOK), crud(new_book), options=NOW)}
    assert levels == {"request-property-removed": Level.WARNING,
                      "response-required-property-removed": Level.BREAKING}


def test_cycle_is_fine_and_reported_once() -> None:
    node: dict[str, Any] = {"type": "object", "properties": {
        "name": {"type": "string", "maxLength": 10},
        "children": {"type": "array", "items": ref("Node")},
        "parent": ref("Node")}}
    changed = copy.deepcopy(node)
    changed["properties"]["name"]["maxLength"] = 5
    old = with_components(ex.request_body(ref("Node")), Node=node)
    new = with_components(ex.request_body(ref("Node")), Node=changed)
    report = diff(old, new, options=NOW)
    assert [c.id for c in report] == ["request-property-max-length-decreased"]
    assert report[0].location.subject == "components.schemas.Node"


def test_mutual_cycle_of_many_components_is_linear() -> None:
    n = 300
    schemas: dict[str, Any] = {f"S{i}": {"type": "object", "properties": {
        "next": ref(f"S{(i + 1) % n}"), "other": ref(f"S{(i + 7) % n}"), "v": {"type": "string"}}}
        for i in range(n)}
    changed = copy.deepcopy(schemas)
    changed["S5"]["properties"]["v"] = {"type": "integer"}
    old = with_components(ex.response_body(ref("S0")), **schemas)
    new = with_components(ex.response_body(ref("S0")), **changed)
    report = diff(old, new, options=NOW)
    assert [c.id for c in report] == ["response-property-type-changed"]
    assert report[0].operations == ("GET /items",)


def test_deep_inline_nesting_warns_instead_of_recursing_forever() -> None:
    deep: dict[str, Any] = {"type": "string"}
    deeper: dict[str, Any] = {"type": "integer"}
    for _ in range(400):
        deep = {"type": "object", "properties": {"a": deep}}
        deeper = {"type": "object", "properties": {"a": deeper}}
    report = diff(ex.request_body(deep), ex.request_body(deeper), options=NOW)
    assert report.warnings and "deeper than" in report.warnings[0]


# --- direction-aware verdicts ----------------------------------------------------------------

@pytest.mark.parametrize(("where", "expected"), [
    ("request", "new-required-request-property"),
    ("response", "response-required-property-added"),
])
def test_required_read_only_is_no_request_requirement(where: str, expected: str) -> None:
    make = ex.request_body if where == "request" else ex.response_body
    old = make({"type": "object", "properties": {}})
    new = make(ex.obj({"type": "string"}, required=True))
    assert ids(old, new) == [expected]
    new_ro = make(ex.obj({"type": "string", "readOnly": True}, required=True))
    assert ids(old, new_ro) == ([] if where == "request" else [expected])


def test_write_only_property_is_not_judged_in_responses() -> None:
    old = ex.response_body(ex.obj({"type": "string", "writeOnly": True, "maxLength": 5}))
    new = ex.response_body(ex.obj({"type": "string", "writeOnly": True, "maxLength": 50}))
    assert ids(old, new) == []


def test_webhook_body_is_judged_from_the_receiver_side() -> None:
    def hook(schema: Any) -> dict[str, Any]:
        return ex.doc(webhooks={"bookAdded": {"post": {
            "requestBody": {"required": True, "content": {"application/json": {"schema": schema}}},
            "responses": {"200": {"description": "OK"}}}}})

    # The server sends webhook bodies: dropping a required field breaks receivers.
    old = hook(ex.obj({"type": "string"}, required=True))
    new = hook({"type": "object", "properties": {}})
    assert ids(old, new) == ["response-required-property-removed"]
    # …and adding one is safe for them.
    assert ids(new, old) == ["response-required-property-added"]


def test_callback_is_checked_with_directions_swapped() -> None:
    def with_callback(schema: Any) -> dict[str, Any]:
        return ex.op("post", callbacks={"onDone": {"{$request.body#/url}": {"post": {
            "requestBody": {"content": {"application/json": {"schema": schema}}},
            "responses": {"200": {"description": "OK"}}}}}})

    old = with_callback(ex.obj({"type": "string", "enum": ["a", "b"]}))
    new = with_callback(ex.obj({"type": "string", "enum": ["a", "b", "c"]}))
    report = diff(old, new, options=NOW)
    assert [c.id for c in report] == ["response-property-enum-value-added"]
    assert report[0].operations == ("POST /items callback onDone {$request.body#/url} POST",)


# --- lifecycle -------------------------------------------------------------------------------

@pytest.mark.parametrize(("sunset", "expected", "level"), [
    ("2099-01-01", "request-property-removed-before-sunset", Level.BREAKING),
    ("2020-01-01", "request-property-removed-with-deprecation", Level.INFO),
    (None, "request-property-removed-with-deprecation", Level.INFO),
])
def test_property_removal_follows_sunset(sunset: str | None, expected: str, level: Level) -> None:
    prop: dict[str, Any] = {"type": "string", "deprecated": True}
    if sunset:
        prop["x-sunset"] = sunset
    report = diff(ex.request_body(ex.obj(prop)), ex.request_body({"type": "object", "properties": {}}),
                  options=NOW)
    assert [(c.id, c.level) for c in report] == [(expected, level)]


@pytest.mark.parametrize(("now", "expected"), [
    (datetime.date(2026, 1, 1), "api-removed-before-sunset"),
    (datetime.date(2026, 6, 2), "api-removed-after-sunset"),
])
def test_operation_removal_uses_the_injected_clock(now: datetime.date, expected: str) -> None:
    old = ex.doc({"/items": {"get": {"responses": ex.ok()},
                             "delete": {"deprecated": True, "x-sunset": "2026-06-01",
                                        "responses": ex.ok()}}})
    new = ex.doc({"/items": {"get": {"responses": ex.ok()}}})
    assert ids(old, new, DiffOptions(now=now)) == [expected]


def test_alpha_operations_do_not_block() -> None:
    old = ex.op("get", **{"x-stability-level": "alpha"}, parameters=[
        {"name": "q", "in": "query", "schema": {"type": "string"}}])
    new = ex.op("get", **{"x-stability-level": "alpha"}, parameters=[
        {"name": "q", "in": "query", "required": True, "schema": {"type": "string"}}])
    report = diff(old, new, options=NOW)
    assert [(c.id, c.level) for c in report] == [("request-parameter-became-required", Level.INFO)]


# --- identity and order ----------------------------------------------------------------------

def test_fingerprint_survives_path_parameter_rename_and_is_message_independent() -> None:
    def doc(param: str, limit: int) -> dict[str, Any]:
        return ex.doc({f"/books/{{{param}}}": {"get": {"parameters": [
            {"name": param, "in": "path", "required": True, "schema": {"type": "integer"}},
            {"name": "q", "in": "query", "schema": {"type": "string", "maxLength": limit}}],
            "responses": ex.ok()}}})

    a = diff(doc("id", 10), doc("id", 5), options=NOW)
    b = diff(doc("id", 10), doc("book_id", 3), options=NOW)
    assert [c.id for c in a] == [c.id for c in b] == ["request-parameter-max-length-decreased"]
    assert a[0].fingerprint == b[0].fingerprint
    assert a[0].message != b[0].message


def test_order_is_deterministic_breaking_first() -> None:
    new_book = copy.deepcopy(BOOK)
    new_book["properties"]["title"]["maxLength"] = 3
    new_book["properties"]["extra"] = {"type": "string"}
    new_book["required"] = ["id"]
    first = diff(crud(BOOK), crud(new_book), options=NOW)
    again = diff(copy.deepcopy(crud(BOOK)), copy.deepcopy(crud(new_book)), options=NOW)
    assert [c.to_dict() for c in first] == [c.to_dict() for c in again]
    ranks = [c.level.rank for c in first]
    assert ranks == sorted(ranks, reverse=True)


def test_include_and_exclude_paths() -> None:
    old = ex.doc({"/a": {"get": {"responses": ex.ok()}}, "/b": {"get": {"responses": ex.ok()}}})
    new = ex.doc({})
    assert len(diff(old, new, options=DiffOptions(include_paths=["^/a"]))) == 1
    assert len(diff(old, new, options=DiffOptions(exclude_paths=["^/a"]))) == 1


@pytest.mark.parametrize("depth", [900, 1000])
def test_hostile_depth_never_raises_recursion_error(depth: int) -> None:
    a: dict[str, Any] = {"type": "string"}
    b: dict[str, Any] = {"type": "string"}
    for _ in range(depth):
        a = {"anyOf": [a, {"type": "integer"}]}
        b = {"anyOf": [b, {"type": "boolean"}]}
    diff(ex.request_body(a), ex.request_body(b), options=NOW)
    diff(ex.request_body(a), ex.request_body(a), options=NOW)


def test_path_parameter_change_keeps_its_fingerprint_across_a_rename() -> None:
    def doc(name: str, minimum: int) -> dict[str, Any]:
        return ex.doc({f"/books/{{{name}}}": {"get": {"parameters": [
            {"name": name, "in": "path", "required": True,
             "schema": {"type": "integer", "minimum": minimum}}], "responses": ex.ok()}}})

    a = diff(doc("id", 1), doc("id", 5), options=NOW)
    b = diff(doc("id", 1), doc("book_id", 5), options=NOW)
    assert [c.id for c in a] == [c.id for c in b] == ["request-parameter-min-increased"]
    assert a[0].fingerprint == b[0].fingerprint


def test_only_rules_limits_the_report() -> None:
    old = ex.doc({"/a": {"get": {"responses": ex.ok()}}})
    new = ex.doc({"/b": {"get": {"responses": ex.ok()}}})
    assert sorted(ids(old, new)) == ["api-path-removed-without-deprecation", "endpoint-added"]
    assert ids(old, new, DiffOptions(only_rules=frozenset({"endpoint-added"}))) == ["endpoint-added"]


def test_global_security_change_lists_the_operations_that_inherit_it() -> None:
    def doc(glob: list[dict[str, list[str]]]) -> dict[str, Any]:
        d = ex.doc({"/a": {"get": {"responses": ex.ok()}},
                    "/b": {"get": {"security": [], "responses": ex.ok()}}}, security=glob)
        d["components"] = {"securitySchemes": {"k": {"type": "apiKey", "in": "header", "name": "K"},
                                               "o": {"type": "http", "scheme": "bearer"}}}
        return d

    report = diff(doc([{"k": []}, {"o": []}]), doc([{"k": []}]), options=NOW)
    assert [(c.id, c.operations) for c in report] == [
        ("api-global-security-alternative-removed", ("GET /a",))]
