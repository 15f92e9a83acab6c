"""Wrong verdicts found on real FastAPI projects (#11), each pinned by a minimal spec pair."""

from __future__ import annotations

import datetime
import json
from typing import Any

import pytest

from contractsync.diff import DiffOptions, Level, diff
from contractsync.diff import examples as ex
from contractsync.render import render
from contractsync.spec.document import Document
from contractsync.spec.parse import parse_bytes

from .spec_mutations import resolves

NOW = DiffOptions(now=datetime.date(2026, 1, 1))


def ids(old: Any, new: Any) -> list[tuple[str, str]]:
    return [(c.id, c.level.value) for c in diff(old, new, options=NOW)]


# --- type lists are judged by the values they admit ------------------------------------------

@pytest.mark.parametrize("make", [ex.response_body, ex.request_body, ex.query_param,
                                  ex.response_header,
                                  lambda s: ex.response_body(ex.obj(s)),
                                  lambda s: ex.request_body(ex.obj(s))])
@pytest.mark.parametrize(("before", "after"), [
    (["number", "string"], ["integer", "number", "string"]),
    (["integer", "number", "string"], ["number", "string"]),
    (["number", "null"], ["integer", "number", "null"]),
])
def test_type_list_spelled_differently_is_no_change(make: Any, before: list[str],
                                                    after: list[str]) -> None:
    assert ids(make({"type": before}), make({"type": after})) == []


def test_type_list_spelled_as_a_union_of_bare_types_is_no_change_either() -> None:
    old = ex.response_body({"anyOf": [{"type": "number"}, {"type": "string"}]})
    new = ex.response_body({"anyOf": [{"type": "integer"}, {"type": "number"}, {"type": "string"}]})
    assert ids(old, new) == []


def test_type_list_widened_through_integer_to_number_is_widened_only() -> None:
    # A `type: [...]` array is the type keyword (oasdiff: type-generalized/-changed); the
    # list-of-types rules are for unions of bare `{type: X}` branches.
    old, new = {"type": ["integer", "string"]}, {"type": ["number", "string"]}
    assert ids(ex.response_body(ex.obj(old)), ex.response_body(ex.obj(new))) == [
        ("response-property-type-generalized", "breaking")]
    assert ids(ex.request_body(ex.obj(new)), ex.request_body(ex.obj(old))) == [
        ("request-property-type-changed", "breaking")]
    union_old = {"oneOf": [{"type": "integer"}, {"type": "string"}]}
    union_new = {"oneOf": [{"type": "number"}, {"type": "string"}]}
    assert ids(ex.response_body(ex.obj(union_old)), ex.response_body(ex.obj(union_new))) == [
        ("response-property-list-of-types-widened", "breaking")]


# --- declaring a path parameter the template already had -------------------------------------

def _unit(params: list[dict[str, Any]], path: str = "/units/{unit_id}") -> dict[str, Any]:
    return ex.doc({path: {"get": {"parameters": params, "responses": ex.ok()}}})


_UNIT = {"name": "unit_id", "in": "path", "required": True, "schema": {"type": "integer"}}


def test_declaring_a_path_parameter_the_template_had_is_info() -> None:
    changes = list(diff(_unit([]), _unit([_UNIT]), options=NOW))
    assert [(c.id, c.level) for c in changes] == [("new-request-path-parameter", Level.INFO)]
    assert "{unit_id}" in changes[0].message and changes[0].location.revision is not None
    assert ids(_unit([_UNIT]), _unit([])) == [("request-path-parameter-undeclared", "info")]


def test_a_path_parameter_new_in_the_template_is_still_a_new_parameter() -> None:
    old = _unit([], path="/units")
    new = _unit([_UNIT])
    assert ("new-request-path-parameter", "info") not in ids(old, new)


# --- the parameter's name is shown in every format -------------------------------------------

def _loaded(data: dict[str, Any], name: str) -> Document:
    raw = json.dumps(data, indent=2).encode()
    return Document(data=parse_bytes(raw, source=name), source=name, raw=raw, format="json")


@pytest.mark.parametrize("fmt", ["text", "markdown", "github", "json"])
def test_path_parameter_name_survives_every_format(fmt: str) -> None:
    plain, deprecated = _unit([_UNIT]), _unit([{**_UNIT, "deprecated": True}])
    old, new = _loaded(plain, "old.json"), _loaded(deprecated, "new.json")
    report = diff(old, new, options=NOW)
    assert [c.id for c in report] == ["request-parameter-deprecated"]
    assert report[0].location.detail == "path parameter {unit_id}"
    out = render(report, fmt)
    assert "{unit_id}" in out and "parameter {}" not in out


# --- pointers inside pydantic's anyOf [X, null] wrappers resolve -----------------------------

def _optional(inner: dict[str, Any]) -> dict[str, Any]:
    return ex.response_body(ex.obj({"anyOf": [inner, {"type": "null"}], "title": "P"}))


@pytest.mark.parametrize(("before", "after"), [
    ({"type": "array", "items": {"type": "string", "maxLength": 3}},
     {"type": "array", "items": {"type": "integer"}}),
    ({"type": "object", "properties": {"q": {"type": "string"}}, "required": ["q"]},
     {"type": "object", "properties": {}}),
    ({"type": "object", "properties": {"q": {"anyOf": [{"type": "array", "items": {
        "type": "string"}}, {"type": "null"}]}}},
     {"type": "object", "properties": {"q": {"anyOf": [{"type": "array", "items": {
         "type": "integer"}}, {"type": "null"}]}}}),
])
def test_pointers_inside_nullable_wrappers_resolve(before: Any, after: Any) -> None:
    old, new = _optional(before), _optional(after)
    report = diff(old, new, options=NOW)
    assert len(report) > 0
    for change in report:
        for data, pointer in ((old, change.location.base), (new, change.location.revision)):
            assert pointer is None or resolves(data, pointer), (change.id, pointer)


# --- the request-narrowing families have one level each --------------------------------------
# Size/range bounds declared where there were none: warning. Restrictions of which values are
# valid at all (format, pattern, enum, const): breaking — in JSON bodies, form bodies,
# properties and parameters alike (docs/rules.md, "Request narrowing").

_BOUND_SET = [("minLength", 8, {"type": "string"}), ("maxLength", 8, {"type": "string"}),
              ("minimum", 1, {"type": "integer"}), ("exclusiveMaximum", 9, {"type": "number"}),
              ("maxItems", 3, {"type": "array", "items": {"type": "string"}})]
_VALUE_SET = [("format", "email", {"type": "string"}), ("pattern", "^[a-z]+$", {"type": "string"}),
              ("enum", ["a"], {"type": "string"}), ("const", "a", {"type": "string"})]
_PLACES = {
    "json body": lambda s: ex.request_body(s),
    "json property": lambda s: ex.request_body(ex.obj(s)),
    "form property": lambda s: ex.request_body(ex.obj(s), media="application/x-www-form-urlencoded"),
    "query parameter": lambda s: ex.query_param(s),
}


@pytest.mark.parametrize("place", list(_PLACES))
@pytest.mark.parametrize(("family", "level"), [(_BOUND_SET, "warning"), (_VALUE_SET, "breaking")])
def test_request_narrowing_family_has_one_level(place: str, family: Any, level: str) -> None:
    make = _PLACES[place]
    for kw, value, base in family:
        found = ids(make(base), make({**base, kw: value}))
        assert [lv for _, lv in found] == [level], (place, kw, found)


def test_security_pointer_follows_the_list_in_force() -> None:
    """Found by the property test: an operation that drops its own `security` falls back to the
    document's; the revision pointer names that one, not the operation's missing key."""
    schemes = {"securitySchemes": {k: {"type": "apiKey", "in": "header", "name": f"x-{k}"}
                                   for k in ("key", "jwt")}}
    old = ex.doc({"/a": {"get": {"security": [{"key": []}, {"jwt": []}], "responses": ex.ok()}}},
                 security=[{"key": []}], components=schemes)
    new = ex.doc({"/a": {"get": {"responses": ex.ok()}}}, security=[{"key": []}],
                 components=schemes)
    report = diff(old, new, options=NOW)
    assert [c.id for c in report] == ["api-security-alternative-removed"]
    assert report[0].location.base == "/paths/~1a/get/security"
    assert report[0].location.revision == "/security"
    for change in report:
        for data, pointer in ((old, change.location.base), (new, change.location.revision)):
            assert pointer is None or resolves(data, pointer)


def test_global_security_removed_points_at_nothing_on_the_new_side() -> None:
    """Found by the property test: the document-wide `security` deleted altogether."""
    schemes = {"securitySchemes": {"key": {"type": "apiKey", "in": "header", "name": "x-key"}}}
    old = ex.doc({"/a": {"get": {"responses": ex.ok()}}}, security=[{"key": []}],
                 components=schemes)
    new = ex.doc({"/a": {"get": {"responses": ex.ok()}}}, components=schemes)
    for change in diff(old, new, options=NOW):
        for data, pointer in ((old, change.location.base), (new, change.location.revision)):
            assert pointer is None or resolves(data, pointer), (change.id, pointer)


def test_required_listing_objects_is_no_crash() -> None:
    """Found by the property test: `required` holding an object (hostile input) crashed the
    comparator with a TypeError; only names count."""
    old = ex.response_body({"type": "object", "properties": {"a": {"type": "string"}},
                            "required": ["a"]})
    new = ex.response_body({"type": "object", "properties": {"a": {"type": "string"}},
                            "required": ["a", {"type": "string"}]})
    assert ids(old, new) == []
    assert ids(new, old) == []


# --- integer ids became UUIDs (full-stack-fastapi-template, "use UUIDs instead of integer ids") -

_UUID = {"type": "string", "format": "uuid"}


def _item_by_id(schema: Any) -> dict[str, Any]:
    param = {"name": "id", "in": "path", "required": True, "schema": schema}
    return ex.doc({"/items/{id}": {"get": {"parameters": [param], "responses": ex.ok()}}})


@pytest.mark.parametrize("make", [_item_by_id, lambda s: ex.query_param(s, required=True)])
def test_integer_parameter_that_became_a_uuid_is_breaking(make: Any) -> None:
    # `/items/5` was valid; the server now answers 422 to anything but a UUID. A scalar → string
    # change only widens when the new string takes any text: a format restricts it.
    changes = list(diff(make({"type": "integer"}), make(_UUID), options=NOW))
    assert [(c.id, c.level.value) for c in changes] == [("request-parameter-type-changed",
                                                         "breaking")]
    assert changes[0].message.endswith("['integer'] → ['string'] (format uuid)")
    # Without a format the string accepts every integer's text: still a widening.
    assert ids(make({"type": "integer"}), make({"type": "string"})) == [
        ("request-parameter-type-generalized", "info")]


def test_integer_form_field_that_became_a_uuid_is_not_compatible() -> None:
    # Forms carry text, so integer → string is compatible there; integer → uuid is not.
    def form(s: Any) -> Any:
        return ex.request_body(ex.obj(s, required=True),
                               media="application/x-www-form-urlencoded")
    assert ids(form({"type": "integer"}), form({"type": "string"})) == [
        ("request-property-type-compatible", "info")]
    assert ids(form({"type": "integer"}), form(_UUID)) == [
        ("request-property-type-changed", "breaking")]


def test_response_id_that_became_a_uuid_names_the_format() -> None:
    old = ex.response_body(ex.obj({"type": "integer"}, required=True, name="id"))
    new = ex.response_body(ex.obj(_UUID, required=True, name="id"))
    [change] = diff(old, new, options=NOW)
    assert change.id == "response-property-type-changed"
    assert change.message.endswith("id: type changed: ['integer'] → ['string'] (format uuid)")


# --- a union branch whose component FastAPI split into X-Input / X-Output (mealie 1.12 → 2.0) --

def _food(updated: str, *, title: str = "Food") -> dict[str, Any]:
    return {"title": title, "type": "object", "required": ["name"], "properties": {
        "name": {"type": "string"},
        updated: {"anyOf": [{"type": "string", "format": "date-time"}, {"type": "null"}]}}}


def _ingredients(food_ref: dict[str, str], food_ref_out: dict[str, str],
                 schemas: dict[str, Any]) -> dict[str, Any]:
    def ingredient(ref: dict[str, str]) -> dict[str, Any]:
        return {"type": "object", "properties": {"food": {"anyOf": [
            ref, {"$ref": "#/components/schemas/NewFood"}, {"type": "null"}]}}}

    body = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Ingredient-Input"}}},
            "required": True}
    return ex.doc({"/ingredients": {"post": {
        "requestBody": body,
        "responses": {"200": {"description": "OK", "content": {"application/json": {
            "schema": {"$ref": "#/components/schemas/Ingredient-Output"}}}}}}}},
        components={"schemas": {**schemas,
                                "NewFood": {"type": "object", "properties": {"name": {"type": "string"}}},
                                "Ingredient-Input": ingredient(food_ref),
                                "Ingredient-Output": ingredient(food_ref_out)}})


def test_a_union_branch_whose_component_was_split_is_compared_not_removed() -> None:
    # One `Food` in both directions, then FastAPI split it (the field got an alias that differs
    # between validation and serialization): the anyOf branch now names Food-Input / Food-Output.
    food = {"$ref": "#/components/schemas/Food"}
    old = _ingredients(food, food, {"Food": _food("updateAt")})
    new = _ingredients({"$ref": "#/components/schemas/Food-Input"},
                       {"$ref": "#/components/schemas/Food-Output"},
                       {"Food-Input": _food("update_at"), "Food-Output": _food("updatedAt")})
    changes = list(diff(old, new, options=NOW))
    found = sorted((c.id, c.level.value, c.location.subject) for c in changes)
    assert not [c for c in changes if "any-of" in c.id], found
    assert ("request-property-renamed", "warning", "components.schemas.Food-Input") in found
    assert ("response-optional-property-renamed", "warning", "components.schemas.Food-Output") in found
    assert not [c for c in changes if c.level is Level.BREAKING], found


def test_two_different_components_in_a_union_stay_two_branches() -> None:
    # Both components exist on both sides: swapping one for the other is a real branch change.
    schemas = {"Food": _food("updateAt"), "Drink": _food("updateAt", title="Drink")}
    old = _ingredients({"$ref": "#/components/schemas/Food"}, {"$ref": "#/components/schemas/Food"}, schemas)
    new = _ingredients({"$ref": "#/components/schemas/Drink"}, {"$ref": "#/components/schemas/Food"}, schemas)
    assert ("request-property-any-of-removed", "breaking") in ids(old, new)


# --- a format that names a subset of another (pydantic's UUID4 is `uuid4`; mealie 1.12 → 2.0) ---

@pytest.mark.parametrize(("before", "after", "response", "request_"), [
    ("uuid", "uuid4", ("response-property-type-specialized", "info"),
     ("request-property-type-changed", "breaking")),
    # In a response a widened format is *-type-changed (oasdiff's name): values clients parse change.
    ("uuid4", "uuid", ("response-property-type-changed", "breaking"),
     ("request-property-type-generalized", "info")),
    ("email", "idn-email", ("response-property-type-changed", "breaking"),
     ("request-property-type-generalized", "info")),
    ("uuid4", "email", ("response-property-type-changed", "breaking"),
     ("request-property-type-changed", "breaking")),
])
def test_a_narrower_format_is_a_specialization(before: str, after: str, response: tuple[str, str],
                                              request_: tuple[str, str]) -> None:
    def s(fmt: str) -> dict[str, Any]:
        return {"type": "string", "format": fmt}

    assert ids(ex.response_body(ex.obj(s(before))), ex.response_body(ex.obj(s(after)))) == [response]
    assert ids(ex.request_body(ex.obj(s(before))), ex.request_body(ex.obj(s(after)))) == [request_]


# --- an object schema that became `{}` (prefect 3.0 → 3.1's Settings) ---------------------------

def test_an_object_that_became_any_value_is_one_change() -> None:
    props = {f"SETTING_{i}": {"type": "string"} for i in range(5)}
    old = ex.response_body({"type": "object", "properties": props})
    new = ex.response_body({"title": "Settings"})
    changes = list(diff(old, new, options=NOW))
    # In a response the type dropped altogether is *-type-changed (oasdiff's name).
    assert [(c.id, c.level.value) for c in changes] == [("response-body-type-changed", "breaking")]
    assert changes[0].message.endswith("type changed: ['object'] → any value")
    # The other way round each new property is still named (what a client must now send).
    back = ids(ex.request_body({"title": "Settings"}),
               ex.request_body({"type": "object", "required": ["SETTING_0"], "properties": props}))
    assert ("new-required-request-property", "breaking") in back
