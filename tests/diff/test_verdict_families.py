"""Verdict families found wrong after the oasdiff rounds (#11): each a minimal spec pair written
for this test, checked as a family (both directions, both spellings) rather than one fixture."""

from __future__ import annotations

from typing import Any

import pytest

from contractsync.diff import examples as ex

from .test_rule_families import ids

S: dict[str, Any] = {"type": "string"}


# --- 1. a property's own flags set on the component it references ------------------------------

def _in_component(doc: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    doc["components"] = {"schemas": {"Name": schema}}
    return doc


@pytest.mark.parametrize("builder", [ex.request_body, ex.response_body])
@pytest.mark.parametrize("required", [False, True])
@pytest.mark.parametrize(("before", "after"), [
    ({}, {"readOnly": True}), ({"readOnly": True}, {}),
    ({}, {"writeOnly": True}), ({"writeOnly": True}, {}),
    ({}, {"deprecated": True}), ({"deprecated": True}, {}),
    ({"x-stability-level": "beta"}, {"x-stability-level": "stable"}),
])
def test_flags_moved_into_a_component_keep_their_verdict(
        builder: Any, required: bool, before: dict[str, Any], after: dict[str, Any]) -> None:
    """readOnly/writeOnly/deprecated/x-stability-level of a property are judged where the property
    is declared; putting its schema in a component (the referencing object unchanged) is the same
    document and must report the same."""
    inline = ids(builder(ex.obj({**S, **before}, required=required)),
                 builder(ex.obj({**S, **after}, required=required)))
    ref = ex.obj({"$ref": "#/components/schemas/Name"}, required=required)
    via = ids(_in_component(builder(ref), {**S, **before}),
              _in_component(builder(ref), {**S, **after}))
    assert inline, "the inline change itself must be reported"
    assert via == inline


def test_a_flag_change_deep_in_an_unchanged_schema_is_found() -> None:
    """The referencing schema may sit anywhere below an unchanged one (array items, allOf)."""
    def body(flags: dict[str, Any]) -> dict[str, Any]:
        schema = {"type": "array", "items": {"allOf": [
            ex.obj({"$ref": "#/components/schemas/Name"})]}}
        return _in_component(ex.response_body(schema), {**S, **flags})
    assert ids(body({}), body({"deprecated": True})) == {"response-property-deprecated": "info"}


def test_an_unchanged_component_reached_through_equal_schemas_reports_nothing() -> None:
    doc = _in_component(ex.response_body(ex.obj({"$ref": "#/components/schemas/Name"})),
                        {**S, "readOnly": True})
    assert ids(doc, doc) == {}


# --- 2. the document-wide security dropped or made optional ------------------------------------

_SCHEMES = {"securitySchemes": {"key": {"type": "apiKey", "in": "header", "name": "X-Key"},
                                "bearer": {"type": "http", "scheme": "bearer"}}}


def _global(glob: Any) -> dict[str, Any]:
    d = ex.op("get")
    d["components"] = _SCHEMES
    if glob is not None:
        d["security"] = glob
    return d


@pytest.mark.parametrize(("before", "after"), [
    ([{"key": []}], None),                                  # dropped
    ([{"key": []}], []),                                    # emptied
    ([{"key": []}, {"bearer": []}], [{}]),                  # only anonymous left
    ([{"key": [], "bearer": []}], [{"key": []}, {}]),       # an alternative made optional
])
def test_global_security_no_longer_required_breaks_no_client(before: Any, after: Any) -> None:
    got = ids(_global(before), _global(after))
    assert got["api-global-security-removed"] == "info"
    assert got["api-security-removed"] == "info"
    assert "breaking" not in got.values()


@pytest.mark.parametrize(("before", "after"), [
    ([{"key": []}, {"bearer": []}], [{"bearer": []}]),
    ([{"key": []}, {}], [{"key": []}]),                     # anonymous calls no longer allowed
])
def test_global_security_narrowed_while_still_required_is_breaking(before: Any, after: Any
                                                                    ) -> None:
    got = ids(_global(before), _global(after))
    assert "breaking" in got.values()
    assert "api-global-security-removed" not in got


# --- 3. range status codes --------------------------------------------------------------------

def _statuses(*codes: str, schema: Any = None, path: str = "/items") -> dict[str, Any]:
    body = {"content": {"application/json": {"schema": schema or ex.obj(S)}}}
    return ex.op("get", path=path, responses={c: {"description": "x", **body} for c in codes})


@pytest.mark.parametrize(("before", "after"), [
    (("2XX",), ("200",)), (("2XX",), ("200", "201")), (("2xx",), ("204",)),
    (("200", "4XX"), ("200", "404")),
])
def test_a_range_replaced_by_codes_inside_it_removes_nothing(before: Any, after: Any) -> None:
    assert ids(_statuses(*before), _statuses(*after)) == {}


def test_a_code_replaced_by_its_range_is_an_addition_not_a_removal() -> None:
    assert ids(_statuses("200"), _statuses("2XX")) == {"response-success-status-added": "info"}


def test_a_replaced_range_still_compares_the_bodies() -> None:
    got = ids(_statuses("2XX", schema=ex.obj(S, required=True)),
              _statuses("200", schema=ex.obj(S)))
    assert got == {"response-property-became-optional": "breaking"}


def test_codes_outside_the_range_are_still_removed() -> None:
    assert ids(_statuses("2XX"), _statuses("301")) == {
        "response-success-status-removed": "breaking", "response-non-success-status-added": "info"}


def test_a_webhook_no_longer_accepting_a_whole_range_is_still_narrowing() -> None:
    def hook(*codes: str) -> dict[str, Any]:
        d = ex.doc()
        d["webhooks"] = {"ping": {"post": {"responses": {
            c: {"description": "x"} for c in codes}}}}
        return d
    got = ids(hook("2XX"), hook("200"))
    assert got.get("callback-response-success-status-removed") == "breaking"
    assert "callback-response-success-status-removed" not in ids(hook("200"), hook("2XX"))


# --- 4. one format lattice for parameters, their properties and bodies ------------------------

def _deep(schema: Any) -> dict[str, Any]:
    return ex.query_param(ex.obj(schema), style="deepObject", explode=True)


def _form_object(schema: Any) -> dict[str, Any]:
    return ex.query_param(ex.obj(schema))


def _body(schema: Any) -> dict[str, Any]:
    return ex.request_body(ex.obj(schema))


_I32 = {"type": "integer", "format": "int32"}


@pytest.mark.parametrize("where", [ex.query_param, _deep, _form_object, _body])
@pytest.mark.parametrize(("before", "after", "safe"), [
    (_I32, {"type": "number", "format": "double"}, False),    # not in WIDER_FORMATS
    ({"type": "integer", "format": "int64"}, {"type": "number", "format": "float"}, False),
    (_I32, {"type": "number"}, True),                          # the format dropped
    ({"type": "integer"}, {"type": "number"}, True),
    (_I32, {"type": "integer", "format": "int64"}, True),
])
def test_a_request_widening_is_judged_by_the_same_format_lattice_everywhere(
        where: Any, before: Any, after: Any, safe: bool) -> None:
    got = ids(where(before), where(after))
    assert len(got) == 1, got
    (rid, level), = got.items()
    assert (level == "info") is safe, got
    assert rid.endswith("-type-generalized") is safe, got


# --- 5. a response header is never a "property" -----------------------------------------------

_ARRAY = {"type": "array", "items": S}


@pytest.mark.parametrize(("before", "after", "rid", "level"), [
    ({**S, "maxLength": 10}, {**S, "maxLength": 20}, "response-header-max-length-increased",
     "breaking"),                       # a strict client sized for 10 characters gets 20
    ({**S, "maxLength": 20}, {**S, "maxLength": 10}, "response-header-max-length-decreased", "info"),
    ({"type": "integer", "minimum": 5}, {"type": "integer"}, "response-header-min-unset",
     "breaking"),
    ({**S, "pattern": "^a"}, S, "response-header-pattern-removed", "info"),
    (S, {**S, "enum": ["a"]}, "response-header-became-enum", "info"),
    ({**_ARRAY, "maxItems": 3}, {**_ARRAY, "maxItems": 5}, "response-header-max-items-increased",
     "breaking"),
    (_ARRAY, {"type": "array", "items": {**S, "maxLength": 3}}, "response-header-max-length-set",
     "info"),                           # inside the header's items: still the header
])
def test_response_header_schema_changes_are_named_for_the_header(
        before: Any, after: Any, rid: str, level: str) -> None:
    assert ids(ex.response_header(before), ex.response_header(after)) == {rid: level}
    # the same keyword change in a body property keeps the property name and the same verdict
    body = ids(ex.response_body(ex.obj(before)), ex.response_body(ex.obj(after)))
    assert body == {rid.replace("response-header-", "response-property-"): level}


def test_a_renamed_property_pointing_at_a_renamed_twin_component_is_one_rename() -> None:
    """Rename detection looks through `$ref`: moving the property schemas into components
    (named after the property) keeps the verdict the inline documents get."""
    def doc(name: str) -> dict[str, Any]:
        d = ex.request_body(ex.obj({"$ref": f"#/components/schemas/P_{name}"}, name=name))
        d["components"] = {"schemas": {f"P_{name}": {**S, "maxLength": 9}}}
        return d
    inline = ids(ex.request_body(ex.obj({**S, "maxLength": 9}, name="a")),
                 ex.request_body(ex.obj({**S, "maxLength": 9}, name="b")))
    via = {k: v for k, v in ids(doc("a"), doc("b")).items() if not k.startswith("api-schema-")}
    assert via == inline == {"request-property-renamed": "warning"}


def test_a_renamed_parameter_whose_schema_moved_to_a_renamed_twin_component_is_one_rename() -> None:
    def doc(name: str, via: bool) -> dict[str, Any]:
        schema: dict[str, Any] = {**S, "maxLength": 9}
        d = ex.op("get", parameters=[{"name": name, "in": "query", "schema": (
            {"$ref": f"#/components/schemas/P_{name}"} if via else schema)}])
        if via:
            d["components"] = {"schemas": {f"P_{name}": schema}}
        return d
    inline = ids(doc("a", False), doc("b", False))
    via = {k: v for k, v in ids(doc("a", True), doc("b", True)).items()
           if not k.startswith("api-schema-")}
    assert via == inline == {"request-parameter-renamed": "warning"}
