"""Rule families (#11), each checked on variants the registry examples and the oasdiff sample do
not have: the same change in a response header, a query parameter, a component reached by
``$ref``, a webhook or a callback. Every pair here is written for this test."""

from __future__ import annotations

import copy
import datetime
from typing import Any

import pytest

from contractsync.diff import DiffOptions, diff
from contractsync.diff import examples as ex
from contractsync.diff.compare import compare
from contractsync.diff.media import contains, pair_renamed, parse, relation
from contractsync.diff.settings import DiffConfig
from contractsync.spec import Document

NOW = datetime.date(2026, 1, 1)
S: dict[str, Any] = {"type": "string"}
OBJ: dict[str, Any] = {"type": "object"}


def _resolves(doc: Any, pointer: str | None) -> bool:
    if pointer is None:
        return True
    node = doc
    for token in pointer.split("/")[1:]:
        token = token.replace("~1", "/").replace("~0", "~")
        if isinstance(node, dict) and token in node:
            node = node[token]
        elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
            node = node[int(token)]
        else:
            return False
    return True


def ids(before: Any, after: Any, **options: Any) -> dict[str, str]:
    """Rule id → level of every change ``before`` → ``after`` reports (and every pointer a
    change carries points at something in its document)."""
    out: dict[str, str] = {}
    for c in diff(copy.deepcopy(before), copy.deepcopy(after),
                  options=DiffOptions(now=NOW, **options)):
        assert _resolves(before, c.location.base), (c.id, c.location.base)
        assert _resolves(after, c.location.revision), (c.id, c.location.revision)
        out[c.id] = c.level.value
    return out


def responses(*media: str, code: str = "200", headers: Any = None, schema: Any = OBJ) -> Any:
    resp: dict[str, Any] = {"description": "x", "content": {m: {"schema": schema} for m in media}}
    if headers:
        resp["headers"] = headers
    return {code: resp}


# --- media-type names ---------------------------------------------------------------------------

@pytest.mark.parametrize(("old", "new", "expected"), [
    ("application/json", "application/problem+json", "specialized"),
    ("application/problem+json", "application/json", "generalized"),
    ("application/*", "application/json", "specialized"),
    ("*/*", "text/csv", "specialized"),
    ("text/csv", "*/*", "generalized"),
    ("application/json", "application/json; charset=utf-8", "changed"),
    ("Application/JSON; Charset=UTF-8", "application/json; charset=ascii", "changed"),
    ("application/json", "application/problem+json; q=1", "changed"),
    ("application/json", "text/json", None),
    ("application/xml", "application/problem+json", None),
    ("application/json", "application/json", None),
    ("not a media type", "application/json", None),
])
def test_media_type_relation(old: str, new: str, expected: str | None) -> None:
    assert relation(old, new) == expected


def test_media_type_parse_and_containment() -> None:
    name = parse("application/vnd.api+json; version=2")
    assert name is not None and name.essence == ("application", "vnd.api", "json")
    assert dict(name.params) == {"version": "2"}
    assert parse("application/a+b+c") is None and parse("json") is None
    general, specific = parse("application/xml"), parse("application/atom+xml")
    assert general is not None and specific is not None
    assert contains(general, specific) and not contains(specific, general)


def test_ambiguous_media_type_renames_stay_removal_and_addition() -> None:
    # Two related candidates for one removed name: no guess.
    assert pair_renamed(["application/json"],
                        ["application/problem+json", "application/merge-patch+json"]) == []
    assert pair_renamed(["application/json", "text/plain"], ["application/problem+json"]) == [
        ("application/json", "application/problem+json", "specialized")]


@pytest.mark.parametrize(("old", "new", "rid", "level"), [
    ("application/json", "application/problem+json", "response-media-type-name-specialized", "info"),
    ("application/problem+json", "application/json", "response-media-type-name-generalized",
     "breaking"),
    ("application/json", "application/json; charset=utf-8", "response-media-type-name-changed",
     "info"),
])
def test_response_media_type_name_in_an_error_response(old: str, new: str, rid: str,
                                                       level: str) -> None:
    # The sample only renames a 200's media type; here a 404 next to an unchanged 200.
    before = ex.op("get", responses={**responses("application/json"), **responses(old, code="404")})
    after = ex.op("get", responses={**responses("application/json"), **responses(new, code="404")})
    found = ids(before, after)
    assert found == {rid: level}


def test_renamed_media_type_schemas_are_still_compared() -> None:
    old_schema = {"type": "object", "properties": {"a": S, "b": S}, "required": ["a", "b"]}
    new_schema = {"type": "object", "properties": {"a": S}, "required": ["a"]}
    before = ex.op("get", responses=responses("application/json", schema=old_schema))
    after = ex.op("get", responses=responses("application/problem+json", schema=new_schema))
    found = ids(before, after)
    assert found == {"response-media-type-name-specialized": "info",
                     "response-required-property-removed": "breaking"}


def test_request_body_media_type_names_mirror_the_response_verdicts() -> None:
    def body(media: str) -> Any:
        return ex.op("put", requestBody={"content": {media: {"schema": OBJ}}})

    assert ids(body("application/json"), body("application/merge-patch+json")) == {
        "request-body-media-type-name-specialized": "breaking"}
    assert ids(body("application/merge-patch+json"), body("application/json")) == {
        "request-body-media-type-name-generalized": "info"}
    assert ids(body("application/json; version=1"), body("application/json; version=2")) == {
        "request-body-media-type-name-changed": "warning"}


def test_media_type_names_in_a_webhook_stay_removed_and_added() -> None:
    def hook(media: str) -> Any:
        return ex.doc(webhooks={"paid": {"post": {
            "requestBody": {"content": {media: {"schema": OBJ}}},
            "responses": {"200": {"description": "OK"}}}}})

    found = ids(hook("application/json"), hook("application/cloudevents+json"))
    assert found == {"callback-request-body-media-type-added": "breaking",
                     "callback-request-body-media-type-removed": "info"}


# --- response headers are text --------------------------------------------------------------------

def _header_doc(schema: Any, *, via_component: bool = False) -> Any:
    header: dict[str, Any] = {"schema": schema}
    if via_component:
        return ex.op("get", responses=responses("application/json", headers={
            "Retry-After": {"$ref": "#/components/headers/RetryAfter"}}),
            ) | {"components": {"headers": {"RetryAfter": header}}}
    return ex.op("get", responses=responses("application/json", headers={"Retry-After": header}))


@pytest.mark.parametrize("via_component", [False, True])
@pytest.mark.parametrize(("old", "new", "rid", "level"), [
    (S, {"type": "integer"}, "response-header-type-compatible", "info"),
    (S, {"type": "boolean"}, "response-header-type-compatible", "info"),
    ({"type": "integer"}, S, "response-header-type-changed", "breaking"),
    ({"type": "string", "format": "date-time"}, {"type": "integer"},
     "response-header-type-changed", "breaking"),
    ({"type": "integer"}, {"type": "number"}, "response-header-type-generalized", "breaking"),
])
def test_response_header_types(old: Any, new: Any, rid: str, level: str,
                               via_component: bool) -> None:
    found = ids(_header_doc(old, via_component=via_component),
                _header_doc(new, via_component=via_component))
    assert found.get(rid) == level, found


def test_a_string_body_property_that_became_integer_is_not_compatible() -> None:
    # Only text-on-the-wire places (headers) make string → integer compatible; JSON does not.
    found = ids(ex.response_body(ex.obj(S)), ex.response_body(ex.obj({"type": "integer"})))
    assert found == {"response-property-type-changed": "breaking"}


# --- parameters ---------------------------------------------------------------------------------

def _param(schema: Any, loc: str = "query", name: str = "q", **extra: Any) -> Any:
    return ex.op("get", parameters=[{"name": name, "in": loc, "schema": schema, **extra}])


def _object_header(props: dict[str, Any], required: list[str] | None = None,
                   *, via_component: bool = False) -> Any:
    schema: dict[str, Any] = {"type": "object", "properties": props}
    if required:
        schema["required"] = required
    param = {"name": "X-Client", "in": "header", "schema": schema}
    if via_component:
        doc = ex.op("get", parameters=[{"$ref": "#/components/parameters/Client"}])
        doc["components"] = {"parameters": {"Client": param}}
        return doc
    return ex.op("get", parameters=[param])


@pytest.mark.parametrize("via_component", [False, True])
def test_object_header_properties(via_component: bool) -> None:
    kw = {"via_component": via_component}
    assert ids(_object_header({"a": S}, **kw), _object_header({"a": S, "b": S}, ["b"], **kw)) == {
        "new-required-request-header-property": "breaking"}
    assert ids(_object_header({"a": S}, **kw), _object_header({"a": S}, ["a"], **kw)) == {
        "request-header-property-became-required": "breaking"}
    assert ids(_object_header({"a": S}, **kw),
               _object_header({"a": {**S, "enum": ["x"]}}, **kw)) == {
        "request-header-property-became-enum": "breaking"}
    # An optional new property breaks nobody.
    assert ids(_object_header({"a": S}, **kw), _object_header({"a": S, "b": S}, **kw)) == {
        "new-optional-request-property": "info"}


def test_header_rules_stay_with_headers() -> None:
    # The header's own schema becoming an enum is the parameter rule; a deepObject query
    # parameter's new required property is the request-property rule.
    assert ids(_param(S, "header", "X-Mode"), _param({**S, "enum": ["a"]}, "header", "X-Mode")) == {
        "request-parameter-became-enum": "breaking"}
    deep = {"style": "deepObject", "explode": True}
    assert ids(_param({"type": "object", "properties": {"a": S}}, **deep),
               _param({"type": "object", "properties": {"a": S, "b": S}, "required": ["b"]},
                      **deep)) == {"new-required-request-property": "breaking"}


def test_parameter_property_list_of_types() -> None:
    deep = {"style": "deepObject", "explode": True}

    def prop(t: Any) -> Any:
        return _param({"type": "object", "properties": {"n": {"oneOf": [{"type": x} for x in t]}}},
                      **deep)

    assert ids(prop(["string", "integer"]), prop(["string"])) == {
        "request-parameter-property-list-of-types-narrowed": "breaking"}
    assert ids(prop(["string"]), prop(["string", "integer"])) == {
        "request-parameter-property-list-of-types-widened": "info"}


@pytest.mark.parametrize(("old", "new", "loc", "rid", "level"), [
    # Query parameters are text: a single value is a one-element form/explode array.
    ({"type": ["string", "integer"]}, {"type": "array", "items": S}, "query",
     "request-parameter-type-generalized", "info"),
    ({"type": "integer"}, {"type": "array", "items": {"type": "number"}}, "cookie",
     "request-parameter-type-generalized", "info"),
    ({"type": ["string", "integer"]}, {"type": "array", "items": {"type": "integer"}}, "query",
     "request-parameter-type-changed", "breaking"),
    ({"type": "string"}, {"type": "array", "items": {**S, "maxLength": 3}}, "query",
     "request-parameter-type-changed", "breaking"),
    # A header is `simple`: `a,b` is not how a single value was sent.
    ({"type": "string"}, {"type": "array", "items": S}, "header",
     "request-parameter-type-changed", "breaking"),
    # Any scalar → string accepts every value clients sent.
    ({"type": "integer"}, S, "query", "request-parameter-type-generalized", "info"),
    ({"type": "boolean"}, S, "header", "request-parameter-type-generalized", "info"),
])
def test_parameters_are_text_on_the_wire(old: Any, new: Any, loc: str, rid: str,
                                         level: str) -> None:
    assert ids(_param(old, loc), _param(new, loc)) == {rid: level}


def test_form_array_with_explode_false_is_a_type_change() -> None:
    before = _param({"type": "string"})
    after = _param({"type": "array", "items": S}, explode=False)
    assert ids(before, after).get("request-parameter-type-changed") == "breaking"


def _two_ops(path_params: list[Any] | None = None, op_params: list[Any] | None = None) -> Any:
    item: dict[str, Any] = {"get": {"responses": ex.ok()}, "delete": {"responses": ex.ok()}}
    if path_params:
        item["parameters"] = path_params
    if op_params:
        item["get"]["parameters"] = op_params
    return ex.doc({"/orders/{id}": item})


def test_path_item_parameters_added_to_an_existing_path() -> None:
    tenant = {"name": "X-Tenant", "in": "header", "required": True, "schema": S}
    report = diff(_two_ops(), _two_ops([tenant]), options=DiffOptions(now=NOW))
    assert {(c.id, c.operations) for c in report} == {
        ("new-required-request-default-parameter-to-existing-path", ("GET /orders/{id}",)),
        ("new-required-request-default-parameter-to-existing-path", ("DELETE /orders/{id}",)),
    }
    trace = {"name": "trace", "in": "query", "schema": S}
    assert ids(_two_ops(), _two_ops([trace])) == {
        "new-optional-request-default-parameter-to-existing-path": "info"}


def test_a_parameter_moved_to_the_path_item_or_overridden_is_not_new() -> None:
    p = {"name": "q", "in": "query", "required": True, "schema": S}
    both = _two_ops(op_params=[p])
    both["paths"]["/orders/{id}"]["delete"]["parameters"] = [p]
    assert ids(both, _two_ops(path_params=[p])) == {}
    # Declared on the path item but already sent by GET: only DELETE gets a new input.
    report = diff(_two_ops(op_params=[p]), _two_ops(path_params=[p]), options=DiffOptions(now=NOW))
    assert [(c.id, c.operations) for c in report] == [
        ("new-required-request-default-parameter-to-existing-path", ("DELETE /orders/{id}",))]


def test_declaring_a_path_parameter_the_template_had_is_info() -> None:
    declared = {"name": "id", "in": "path", "required": True, "schema": S}
    report = diff(_two_ops(), _two_ops([declared]), options=DiffOptions(now=NOW))
    assert {(c.id, c.level.value) for c in report} == {("new-request-path-parameter", "info")}
    assert all("{id}" in c.message for c in report)


# --- parameter deprecation and sunset --------------------------------------------------------------

def _dep_param(stability: str | None = None, **p: Any) -> Any:
    doc = _param(S, "cookie", "session", **p)
    if stability:
        doc["paths"]["/items"]["get"]["x-stability-level"] = stability
    return doc


@pytest.mark.parametrize(("before", "after", "options", "rid"), [
    ({}, {"deprecated": True, "x-sunset": "31/12/2026"}, {}, "request-parameter-sunset-parse"),
    ({"deprecated": True, "x-sunset": "2026-06-01"}, {"deprecated": True, "x-sunset": "June"},
     {}, "request-parameter-sunset-parse"),
    ({}, {"deprecated": True, "x-sunset": "2025-12-01"}, {},
     "request-parameter-sunset-date-too-small"),
    ({}, {"deprecated": True, "x-sunset": "2026-01-20"}, {"deprecation_days_stable": 30},
     "request-parameter-sunset-date-too-small"),
    ({}, {"deprecated": True, "x-sunset": "2026-03-01"}, {"deprecation_days_stable": 30},
     "request-parameter-deprecated"),
])
def test_cookie_parameter_sunsets(before: Any, after: Any, options: Any, rid: str) -> None:
    assert ids(_dep_param(**before), _dep_param(**after), **options) == {
        rid: "info" if rid.endswith("-deprecated") else "breaking"}


def test_parameter_sunset_policy_follows_the_operation_stability() -> None:
    # A beta operation uses the beta policy: 10 days is enough there, not for stable.
    after = {"deprecated": True, "x-sunset": "2026-01-20"}
    opts = {"deprecation_days_stable": 60, "deprecation_days_beta": 10}
    assert ids(_dep_param("beta"), _dep_param("beta", **after), **opts) == {
        "request-parameter-deprecated": "info"}
    assert ids(_dep_param(), _dep_param(**after), **opts) == {
        "request-parameter-sunset-date-too-small": "breaking"}


def test_removed_parameter_with_an_unreadable_sunset() -> None:
    assert ids(_dep_param(deprecated=True, **{"x-sunset": "soon"}), ex.op("get")) == {
        "request-parameter-sunset-parse": "breaking"}


# --- property stability ----------------------------------------------------------------------------

def _component(prop: Any, *, side: str) -> Any:
    ref = {"$ref": "#/components/schemas/Order"}
    doc = ex.request_body(ref) if side == "request" else ex.response_body(ref)
    doc["components"] = {"schemas": {"Order": ex.obj(prop)}}
    return doc


@pytest.mark.parametrize("side", ["request", "response"])
@pytest.mark.parametrize(("old", "new", "suffix"), [
    ("stable", "alpha", "decreased"), (None, "beta", "decreased"), ("beta", None, "increased"),
    ("beta", "stable", "increased"),
])
def test_property_stability_in_a_component(side: str, old: str | None, new: str | None,
                                           suffix: str) -> None:
    def prop(level: str | None) -> Any:
        return {**S, "x-stability-level": level} if level else S

    found = ids(_component(prop(old), side=side), _component(prop(new), side=side))
    assert found == {f"{side}-property-stability-{suffix}":
                     "breaking" if suffix == "decreased" else "info"}


def test_property_stability_below_beta_is_free_and_invalid_values_are_reported() -> None:
    def prop(level: str) -> Any:
        return _component({**S, "x-stability-level": level}, side="response")

    assert ids(prop("draft"), prop("stable")) == {}
    assert ids(prop("alpha"), prop("draft")) == {}
    assert ids(prop("stable"), prop("experimental")) == {"api-invalid-stability-level": "breaking"}


def test_property_stability_in_a_webhook_body_is_judged_for_receivers() -> None:
    def hook(level: str) -> Any:
        return ex.doc(webhooks={"paid": {"post": {
            "requestBody": {"content": {"application/json": {"schema": ex.obj(
                {**S, "x-stability-level": level})}}},
            "responses": {"200": {"description": "OK"}}}}})

    assert ids(hook("stable"), hook("beta")) == {"response-property-stability-decreased": "breaking"}


# --- webhooks and callbacks: deprecation and sunset ------------------------------------------------

_HOOK_OP = {"requestBody": {"content": {"application/json": {"schema": OBJ}}},
            "responses": {"200": {"description": "OK"}}}


def _webhooks(**extra: Any) -> Any:
    return ex.doc(webhooks={"paid": {"post": {**_HOOK_OP, **extra}, "put": {**_HOOK_OP, **extra}},
                            "kept": {"post": _HOOK_OP}})


_KEPT = ex.doc(webhooks={"kept": {"post": _HOOK_OP}})


@pytest.mark.parametrize(("extra", "rid", "level"), [
    ({}, "webhook-removed", "breaking"),
    ({"deprecated": True}, "webhook-removed-with-deprecation", "info"),
    ({"deprecated": True, "x-sunset": "2025-06-01"}, "webhook-removed-with-deprecation", "info"),
    ({"deprecated": True, "x-sunset": "2026-06-01"}, "webhook-removed-before-sunset", "breaking"),
    ({"deprecated": True, "x-sunset": "June"}, "api-path-sunset-parse", "breaking"),
])
def test_webhook_removal_follows_its_sunset(extra: Any, rid: str, level: str) -> None:
    assert ids(_webhooks(**extra), _KEPT) == {rid: level}


def test_a_webhook_with_one_undeprecated_operation_is_removed_without_deprecation() -> None:
    before = ex.doc(webhooks={"paid": {"post": {**_HOOK_OP, "deprecated": True},
                                       "put": _HOOK_OP}, "kept": {"post": _HOOK_OP}})
    assert ids(before, _KEPT) == {"webhook-removed": "breaking"}


def test_webhook_operation_removed_after_deprecation() -> None:
    before = ex.doc(webhooks={"paid": {"post": _HOOK_OP, "put": {**_HOOK_OP, "deprecated": True}}})
    after = ex.doc(webhooks={"paid": {"post": _HOOK_OP}})
    assert ids(before, after) == {"webhook-removed-with-deprecation": "info"}


def _callback(op: Any, *, second: bool = False) -> Any:
    cb: dict[str, Any] = {"{$request.body#/url}": {"post": op}}
    if second:
        cb["{$request.body#/other}"] = {"post": _HOOK_OP}
    return ex.op("post", callbacks={"onPaid": cb})


def test_callback_and_expression_removal_follow_the_sunset() -> None:
    dep = {**_HOOK_OP, "deprecated": True, "x-sunset": "2026-09-01"}
    assert ids(_callback(dep), ex.op("post")) == {"callback-removed-before-sunset": "breaking"}
    past = {**_HOOK_OP, "deprecated": True, "x-sunset": "2025-09-01"}
    assert ids(_callback(past, second=True),
               ex.op("post", callbacks={"onPaid": {"{$request.body#/other}": {"post": _HOOK_OP}}})
               ) == {"callback-removed-with-deprecation": "info"}
    assert ids(_callback(_HOOK_OP), ex.op("post")) == {"callback-removed": "breaking"}


def _cb_param(**p: Any) -> Any:
    return _callback({**_HOOK_OP, "parameters": [
        {"name": "X-Signature", "in": "header", "required": True, "schema": S, **p}]})


def test_parameters_a_callback_sends_follow_deprecation_and_sunset() -> None:
    no_param = _callback(_HOOK_OP)
    assert ids(_cb_param(), _cb_param(deprecated=True)) == {"callback-parameter-deprecated": "info"}
    assert ids(_cb_param(), _cb_param(deprecated=True), deprecation_days_stable=30) == {
        "callback-parameter-deprecated-sunset-missing": "breaking"}
    assert ids(_cb_param(deprecated=True, **{"x-sunset": "2025-01-01"}), no_param) == {
        "callback-parameter-removed-with-deprecation": "info"}
    assert ids(_cb_param(deprecated=True, **{"x-sunset": "2027-01-01"}), no_param) == {
        "callback-parameter-removed-before-sunset": "breaking"}
    assert ids(_cb_param(), no_param) == {"callback-required-parameter-removed": "breaking"}


# --- versioning policy ------------------------------------------------------------------------------

def _versioned(version: str, *, broken: bool) -> Any:
    doc = ex.op("get", parameters=[{"name": "q", "in": "query", "required": broken, "schema": S}])
    doc["info"]["version"] = version
    return doc


@pytest.mark.parametrize(("old", "new", "rid"), [
    ("1.4.2", "1.4.2", "api-version-not-bumped"),
    ("v1.4.2", "1.4.2", "api-version-not-bumped"),
    ("2.0.0", "1.9.0", "api-version-decreased"),
    ("1.4.2", "1.5.0", "api-major-version-not-bumped"),
    ("1.4.2", "1.4.3-rc.1", "api-major-version-not-bumped"),
    ("0.3.1", "0.3.2", "api-major-version-not-bumped"),
    ("0.3.1", "0.4.0", None),
    ("1.4.2", "2.0.0", None),
    ("2024-05-01", "2024-06-01", None),
    ("1.0", "1.0", None),
])
def test_versioning_policy(old: str, new: str, rid: str | None) -> None:
    found = ids(_versioned(old, broken=False), _versioned(new, broken=True), version_policy=True)
    versioning = {k for k in found if k.startswith("api-") and "version" in k}
    assert versioning == ({rid} if rid else set())


def test_versioning_policy_is_off_by_default_and_needs_a_breaking_change() -> None:
    assert "api-version-not-bumped" not in ids(_versioned("1.0.0", broken=False),
                                               _versioned("1.0.0", broken=True))
    assert ids(_versioned("1.0.0", broken=True), _versioned("1.0.0", broken=False),
               version_policy=True) == {"request-parameter-became-optional": "info"}


def test_versioning_policy_from_the_config() -> None:
    old = Document(data=_versioned("1.0.0", broken=False), source="old.json", format="json")
    new = Document(data=_versioned("1.0.0", broken=True), source="new.json", format="json")
    on = compare(old, new, options=DiffOptions(now=NOW), settings=DiffConfig(version_policy=True))
    off = compare(old, new, options=DiffOptions(now=NOW), settings=DiffConfig())
    assert "api-version-not-bumped" in {c.id for c in on.report}
    assert "api-version-not-bumped" not in {c.id for c in off.report}


# --- patterns ---------------------------------------------------------------------------------------

@pytest.mark.parametrize(("old", "new", "rid"), [
    ("^[a-z]+$", ".+", "request-property-pattern-generalized"),
    ("^[a-z]*$", ".+", "request-property-pattern-changed"),  # the empty string is no longer valid
    ("^[a-z]*$", ".*", "request-property-pattern-generalized"),
])
def test_pattern_generalisation_is_proven(old: str, new: str, rid: str) -> None:
    def body(p: str) -> Any:
        return ex.request_body(ex.obj({**S, "pattern": p}))

    assert set(ids(body(old), body(new))) == {rid}
