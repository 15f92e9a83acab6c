"""Type and format changes as families (#11): the 3.1 `type` array, a type dropped or added, a
format beside a type change, on the body, a property, a parameter and a response header. Every
pair is written here; the expected ids are oasdiff's for the same change, the verdicts ours."""

from __future__ import annotations

import copy
import datetime
from typing import Any

import pytest

from contractsync.diff import DiffOptions, diff
from contractsync.diff import examples as ex

NOW = datetime.date(2026, 1, 1)


def ids(before: Any, after: Any) -> dict[str, str]:
    return {c.id: c.level.value for c in diff(copy.deepcopy(before), copy.deepcopy(after),
                                               options=DiffOptions(now=NOW))}


def t(types: Any, fmt: str | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {} if types is None else {"type": types}
    if fmt:
        out["format"] = fmt
    return out


WHERE = {
    "request-body": ex.request_body,
    "request-property": lambda s: ex.request_body(ex.obj(s)),
    "response-body": ex.response_body,
    "response-property": lambda s: ex.response_body(ex.obj(s)),
}


@pytest.mark.parametrize("side", ["body", "property"])
@pytest.mark.parametrize(("old", "new", "sent", "received"), [
    # A 3.1 type array is the type keyword: a wider set is generalized, a narrower specialized.
    (t(["string"]), t(["string", "integer"]), "type-generalized:info", "type-generalized:breaking"),
    (t(["string", "integer"]), t(["string"]), "type-changed:breaking", "type-specialized:info"),
    (t(["integer", "string"]), t(["number", "string"]), "type-generalized:info",
     "type-generalized:breaking"),
    (t(["string", "integer"]), t(["boolean", "integer"]), "type-changed:breaking",
     "type-changed:breaking"),
    (t("integer"), t(["integer", "string"]), "type-generalized:info", "type-generalized:breaking"),
    # The type dropped: clients may send anything; what they receive is no longer known.
    (t(["string"]), t(None), "type-generalized:info", "type-changed:breaking"),
    (t(None), t(["string"]), "type-changed:breaking", "type-specialized:info"),
    # Formats: what clients send must fit the new one, what they receive the old one.
    (t("integer", "int32"), t("integer", "int64"), "type-generalized:info", "type-changed:breaking"),
    (t("integer", "int64"), t("integer", "int32"), "type-changed:breaking", "type-specialized:info"),
    (t("string", "date"), t("string", "date-time"), "type-generalized:info",
     "type-changed:breaking"),
    (t("string", "uuid"), t("string"), "type-generalized:info", "type-changed:breaking"),
    (t("string"), t("string", "uuid"), "type-changed:breaking", "type-specialized:info"),
    (t("string", "hostname"), t("string", "uuid"), "type-changed:breaking",
     "type-changed:breaking"),
    # A type change safe on its own, but the format beside it moved the wrong way.
    (t(["string", "integer"], "int32"), t("integer", "int64"), "type-changed:breaking",
     "type-changed:breaking"),
    (t("integer", "int64"), t(["integer", "string"], "int32"), "type-changed:breaking",
     "type-generalized:breaking"),
    (t("number"), t("integer", "int32"), "type-changed:breaking", "type-specialized:info"),
])
def test_type_and_format_changes(side: str, old: Any, new: Any, sent: str,
                                 received: str) -> None:
    for direction, expected in (("request", sent), ("response", received)):
        make = WHERE[f"{direction}-{side}"]
        suffix, level = expected.split(":")
        assert ids(make(old), make(new)) == {f"{direction}-{side}-{suffix}": level}, direction


def test_a_union_of_bare_types_is_a_list_of_types() -> None:
    old = {"oneOf": [{"type": "string"}, {"type": "integer"}]}
    assert ids(ex.response_body(ex.obj(t("string"))), ex.response_body(ex.obj(old))) == {
        "response-property-list-of-types-widened": "breaking"}
    assert ids(ex.request_body(ex.obj(old)), ex.request_body(ex.obj(t("string")))) == {
        "request-property-list-of-types-narrowed": "breaking"}


@pytest.mark.parametrize(("old", "new", "rid"), [
    (t("integer"), t(["integer", "string"]), "request-parameter-type-generalized"),
    (t(["integer", "string"]), t(["number", "string"]), "request-parameter-type-generalized"),
])
def test_parameter_type_arrays(old: Any, new: Any, rid: str) -> None:
    assert ids(ex.query_param(old), ex.query_param(new)) == {rid: "info"}


@pytest.mark.parametrize(("old", "new", "rid", "level"), [
    (t("integer", "int32"), t("integer", "int64"), "response-header-type-changed", "breaking"),
    (t("integer"), t("number"), "response-header-type-generalized", "breaking"),
    (t(["integer", "string"]), t("integer"), "response-header-type-specialized", "info"),
    (t("string", "date-time"), t("integer"), "response-header-type-changed", "breaking"),
])
def test_response_header_types(old: Any, new: Any, rid: str, level: str) -> None:
    assert ids(ex.response_header(old), ex.response_header(new)) == {rid: level}


@pytest.mark.parametrize("new", [
    {"type": "string"},
    {"oneOf": [{"type": "string"}, {"type": "integer"}]},
])
def test_an_enum_dropped_narrows_nothing_clients_send(new: Any) -> None:
    old = {"type": "string", "enum": ["alpha", "beta"]}
    found = ids(ex.request_body(ex.obj(old)), ex.request_body(ex.obj(new)))
    assert not any(rid.endswith("enum-value-removed") for rid in found)
    assert set(found.values()) <= {"info"}


@pytest.mark.parametrize("kw", ["oneOf", "anyOf", "allOf"])
@pytest.mark.parametrize(("direction", "rid"), [
    ("request", "request-property-enum-value-removed"),
    ("response", "response-property-enum-value-removed"),
])
def test_a_change_inside_a_branch_of_the_root_schema_is_a_property_change(
        kw: str, direction: str, rid: str) -> None:
    # oasdiff walks composition branches as sub-schemas ("oneOf[0]"), so only the root schema's
    # own keywords are body changes; a branch's are property changes, at every depth.
    make = WHERE[f"{direction}-body"]
    other = {"type": "object", "properties": {"n": {"type": "integer"}}}

    def doc(values: list[str]) -> Any:
        return make({kw: [{"type": "string", "enum": values}, other]})

    assert ids(doc(["a", "b"]), doc(["a"])) == {rid: "breaking" if direction == "request"
                                                else "info"}


_A = {"type": "object", "properties": {"a": {"type": "string"}}}
_B = {"type": "object", "properties": {"b": {"type": "string"}}}


@pytest.mark.parametrize("kw", ["allOf", "anyOf"])
@pytest.mark.parametrize("branch", [_A, {"$ref": "#/components/schemas/A"}])
def test_a_duplicate_all_of_or_any_of_branch_changes_nothing(kw: str, branch: Any) -> None:
    def doc(branches: list[Any]) -> Any:
        out = ex.request_body({kw: branches})
        out["components"] = {"schemas": {"A": _A}}
        return out

    assert ids(doc([branch, _B]), doc([branch, _B, copy.deepcopy(branch)])) == {}
    assert ids(doc([branch, _B, copy.deepcopy(branch)]), doc([branch, _B])) == {}
    # The last copy of a branch going is a change.
    assert ids(doc([_A, _A]), doc([_B])) != {}


def test_a_duplicate_one_of_branch_is_a_change() -> None:
    # With two equal branches a value matches both, and oneOf wants exactly one.
    assert ids(ex.request_body({"oneOf": [_A, _B]}), ex.request_body({"oneOf": [_A, _B, _A]})) == {
        "request-body-one-of-added": "info"}


def test_branches_are_matched_whatever_the_order_of_their_enum_values() -> None:
    def doc(first: list[str], second: list[int], swap: bool) -> Any:
        branches = [{"type": "string", "enum": first}, {"type": "integer", "enum": second}]
        return ex.response_body(ex.obj({"oneOf": branches[::-1] if swap else branches}))

    assert ids(doc(["X", "Y"], [1, 2], False), doc(["Y", "X"], [2, 1], True)) == {}


@pytest.mark.parametrize(("old", "new", "rid", "level"), [
    # An object parameter's property: the format lattice as for bodies.
    (t("integer", "int64"), t("integer", "int32"), "request-parameter-property-type-specialized",
     "breaking"),
    (t("string", "date"), t("string", "date-time"), "request-parameter-property-type-generalized",
     "info"),
    # The type lattice of parameters (text on the wire) is left to them.
    (t("string"), t("integer", "int32"), "request-parameter-property-type-specialized",
     "breaking"),
])
def test_parameter_property_formats(old: Any, new: Any, rid: str, level: str) -> None:
    def doc(s: Any) -> Any:
        return ex.query_param(ex.obj(s), style="deepObject", explode=True)

    assert ids(doc(old), doc(new)) == {rid: level}


@pytest.mark.parametrize(("make", "rid", "level"), [
    (lambda s: ex.response_body(ex.obj(s)), "response-property-enum-removed", "warning"),
    (ex.response_body, "response-body-enum-removed", "warning"),
    (lambda s: ex.request_body(ex.obj(s)), "request-property-enum-removed", "info"),
    (ex.query_param, "request-parameter-enum-removed", "info"),
    (ex.response_header, "response-header-enum-removed", "warning"),
])
def test_an_enum_dropped_altogether(make: Any, rid: str, level: str) -> None:
    # The list is gone, not a value of it: what was restricted is now any string.
    old = {"type": "string", "enum": ["a", "b"]}
    assert ids(make(old), make({"type": "string"})) == {rid: level}
    # enum: [x] → const: x is the same restriction.
    assert ids(make({"type": "string", "enum": ["a"]}), make({"type": "string", "const": "a"})) == {}
