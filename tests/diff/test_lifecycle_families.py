"""Deprecation and sunset families (#11): how `x-sunset` is spelled, and a sunset given to an
operation or parameter that was already deprecated. Every pair is written here."""

from __future__ import annotations

import copy
import datetime
from typing import Any

import pytest

from contractsync.diff import DiffOptions, diff
from contractsync.diff.schemas import parse_date

NOW = datetime.date(2026, 1, 1)


def ids(before: Any, after: Any, days: int = 0) -> dict[str, str]:
    opts = DiffOptions(now=NOW, deprecation_days_stable=days, deprecation_days_beta=days)
    return {c.id: c.level.value for c in diff(copy.deepcopy(before), copy.deepcopy(after),
                                               options=opts)}


@pytest.mark.parametrize(("value", "expected"), [
    ("2027-03-01", datetime.date(2027, 3, 1)),
    ("2027-03-01T10:00:00Z", datetime.date(2027, 3, 1)),
    ("2027-03-01t10:00:00.250-05:00", datetime.date(2027, 3, 1)),
    (datetime.date(2027, 3, 1), datetime.date(2027, 3, 1)),  # an unquoted YAML date
    ("2027-03-01 10:00", None),  # RFC 3339 needs the T
    ("2027-03-01T10:00:00", None),  # and the offset
    ("2027-03-01junk", None),
    ("2027-02-30", None),
    ("2027-03-01T25:00:00Z", None),
    ("03/01/2027", None),
    (20270301, None),
])
def test_sunset_dates_are_rfc3339(value: Any, expected: datetime.date | None) -> None:
    assert parse_date(value) == expected


def _op(**extra: Any) -> Any:
    return {"openapi": "3.0.3", "info": {"title": "t", "version": "1"},
            "paths": {"/t": {"get": {"responses": {"200": {"description": "ok"}}, **extra}}}}


def _param(**extra: Any) -> Any:
    param = {"name": "q", "in": "query", "schema": {"type": "string"}, **extra}
    return {"openapi": "3.0.3", "info": {"title": "t", "version": "1"},
            "paths": {"/t": {"get": {"parameters": [param],
                                     "responses": {"200": {"description": "ok"}}}}}}


@pytest.mark.parametrize(("make", "parse", "too_small"), [
    (_op, "api-deprecated-sunset-parse", "api-sunset-date-too-small"),
    (_param, "request-parameter-sunset-parse", "request-parameter-sunset-date-too-small"),
])
def test_a_sunset_given_to_something_already_deprecated(make: Any, parse: str,
                                                        too_small: str) -> None:
    before = make(deprecated=True)
    assert ids(before, make(deprecated=True, **{"x-sunset": "2027-01-01"})) == {}
    assert ids(before, make(deprecated=True, **{"x-sunset": "2027-01-01"}), days=30) == {}
    assert ids(before, make(deprecated=True, **{"x-sunset": "2026-01-10"}), days=30) == {
        too_small: "breaking"}
    assert ids(before, make(deprecated=True, **{"x-sunset": "next spring"})) == {
        parse: "breaking"}


def test_a_sunset_spelled_as_a_date_time_is_a_date() -> None:
    before = _op()
    after = _op(deprecated=True, **{"x-sunset": "2027-01-01T00:00:00Z"})
    assert ids(before, after, days=30) == {"endpoint-deprecated-with-sunset": "info"}
    after = _op(deprecated=True, **{"x-sunset": "2027-01-01 00:00"})
    assert ids(before, after, days=30) == {"api-deprecated-sunset-parse": "breaking"}


def _deprecated_property(stability: str | None, *, deprecated: bool, sunset: str | None = None,
                         via_component: bool = False, side: str = "response") -> Any:
    prop: dict[str, Any] = {"type": "string"}
    if deprecated:
        prop["deprecated"] = True
    if sunset:
        prop["x-sunset"] = sunset
    schema = {"type": "object", "properties": {"a": prop}}
    body: dict[str, Any] = {"content": {"application/json": {
        "schema": {"$ref": "#/components/schemas/X"} if via_component else schema}}}
    op: dict[str, Any] = {"responses": {"200": {"description": "ok", **body}}}
    if side == "request":
        op = {"requestBody": body, "responses": {"200": {"description": "ok"}}}
    if stability:
        op["x-stability-level"] = stability
    return {"openapi": "3.0.3", "info": {"title": "t", "version": "1"},
            "paths": {"/t": {"post": op}}, "components": {"schemas": {"X": schema}}}


@pytest.mark.parametrize("side", ["request", "response"])
@pytest.mark.parametrize("via_component", [False, True])
@pytest.mark.parametrize(("stability", "sunset", "suffix"), [
    # The policy is the operation's stability level's: 30 days stable, 10 beta, none alpha.
    (None, None, "deprecated-sunset-missing"),
    (None, "2026-01-20", "sunset-date-too-small"),
    ("beta", None, "deprecated-sunset-missing"),
    ("beta", "2026-01-20", "deprecated-with-sunset"),
    ("alpha", None, "deprecated"),
])
def test_property_deprecation_follows_the_operation_stability(
        side: str, via_component: bool, stability: str | None, sunset: str | None,
        suffix: str) -> None:
    before = _deprecated_property(stability, deprecated=False, via_component=via_component,
                                  side=side)
    after = _deprecated_property(stability, deprecated=True, sunset=sunset,
                                 via_component=via_component, side=side)
    opts = DiffOptions(now=NOW, deprecation_days_stable=30, deprecation_days_beta=10)
    found = {c.id for c in diff(before, after, options=opts)}
    assert found == {f"{side}-property-{suffix}"}
