"""Response-side families (#11): writeOnly properties a client never receives, on the body and
deeper, directly and through a component. Every pair is written here."""

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


def _wo(extra: dict[str, Any]) -> dict[str, Any]:
    return {"type": "string", "writeOnly": True, **extra}


def _nested(prop: Any, *, required: bool = False) -> Any:
    inner: dict[str, Any] = {"type": "object", "properties": {"secret": prop}}
    if required:
        inner["required"] = ["secret"]
    return {"type": "object", "properties": {"data": inner}}


@pytest.mark.parametrize("via_component", [False, True])
@pytest.mark.parametrize(("old", "new", "expected"), [
    # Safe for readers anyway: reported at info, under the ids oasdiff uses.
    (_wo({"enum": ["a", "b"]}), _wo({"enum": ["a"]}), {"response-property-enum-value-removed": "info"}),
    (_wo({"enum": ["a"]}), _wo({"enum": ["a", "b"]}),
     {"response-write-only-property-enum-value-added": "info"}),
    # Would break a reader, but nobody reads it: nothing.
    (_wo({}), _wo({"type": "integer"}), {}),
    (_wo({"maxLength": 3}), _wo({"maxLength": 9}), {}),
    (_wo({}), {**_wo({}), "nullable": True}, {}),
])
def test_write_only_property_in_a_response(old: Any, new: Any, expected: dict[str, str],
                                           via_component: bool) -> None:
    def doc(prop: Any) -> Any:
        schema = _nested(prop)
        if not via_component:
            return ex.response_body(schema)
        out = ex.response_body({"$ref": "#/components/schemas/Group"})
        out["components"] = {"schemas": {"Group": schema}}
        return out

    assert ids(doc(old), doc(new)) == expected


def test_write_only_property_requiredness_in_a_response() -> None:
    optional, required = _nested(_wo({})), _nested(_wo({}), required=True)
    assert ids(ex.response_body(required), ex.response_body(optional)) == {
        "response-write-only-property-became-optional": "info"}
    assert ids(ex.response_body(optional), ex.response_body(required)) == {
        "response-write-only-property-became-required": "info"}


@pytest.mark.parametrize(("required", "rid", "level"), [
    (True, "response-required-property-became-write-only", "breaking"),
    (False, "response-optional-property-became-write-only", "warning"),
])
def test_a_response_property_that_became_write_only_is_no_longer_sent(
        required: bool, rid: str, level: str) -> None:
    # Judged as the property's removal would be: servers stop sending it.
    before = _nested({"type": "string"}, required=required)
    after = _nested(_wo({}), required=required)
    assert ids(ex.response_body(before), ex.response_body(after)) == {rid: level}
    removed = {"type": "object", "properties": {"data": {"type": "object", "properties": {}}}}
    assert set(ids(ex.response_body(before), ex.response_body(removed)).values()) == {level}
