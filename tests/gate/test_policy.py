"""The policy on hand-made changes: announcements, sunset, stability, major bumps, deprecation days."""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

import pytest

from contractsync.changelog import Note
from contractsync.diff.model import Level
from contractsync.policy import PolicyConfig, describe, evaluate, iter_deprecations, parse_sunset

from ._changes import change

TODAY = dt.date(2026, 11, 26)


def doc(version: str = "1.0.0", **op_extra: Any) -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {"title": "Books", "version": version},
        "paths": {
            "/books": {"get": {"operationId": "list", "responses": {"200": {"description": "ok"}},
                               "parameters": [{"name": "q", "in": "query", "schema": {"type": "string"}}],
                               **op_extra}},
            "/shelves": {"get": {"responses": {"200": {"description": "ok"}}}},
        },
        "components": {"schemas": {"Book": {"type": "object", "properties": {
            "title": {"type": "string"}, "isbn": {"type": "string"}}}}},
    }


def removal(base: dict[str, Any]) -> tuple[Any, dict[str, Any]]:
    head = copy.deepcopy(base)
    del head["paths"]["/books"]
    return change("api-removed-without-deprecation", base="/paths/~1books/get"), head


def test_unannounced_breaking_blocks_and_announced_passes() -> None:
    base = doc()
    c, head = removal(base)
    verdict = evaluate([c], base, head, policy=PolicyConfig(), today=TODAY)
    assert [d.reason for d in verdict.blocking] == ["unannounced"]
    verdict = evaluate([c], base, head, policy=PolicyConfig(), today=TODAY,
                       announced={c.fingerprint: Note(reason="gone")})
    assert verdict.ok and verdict.decisions[0].reason == "announced"


def test_non_breaking_changes_are_not_judged() -> None:
    base = doc()
    verdict = evaluate([change("endpoint-added", Level.INFO), change("x", Level.WARNING)], base, base,
                       policy=PolicyConfig(), today=TODAY)
    assert verdict.decisions == [] and verdict.ok


@pytest.mark.parametrize(("sunset", "allowed", "reason"), [
    ("2026-11-25", True, "sunset-passed"),
    ("2026-11-26", True, "sunset-passed"),          # the sunset day itself counts as past
    ("2026-11-26T09:00:00Z", True, "sunset-passed"),
    ("2026-11-27", False, "before-sunset"),
    ("soon", False, "before-sunset"),               # an unparseable sunset never passes
])
def test_removing_a_deprecated_operation_follows_its_sunset(sunset: str, allowed: bool, reason: str) -> None:
    base = doc(deprecated=True, **{"x-sunset": sunset})
    c, head = removal(base)
    verdict = evaluate([c], base, head, policy=PolicyConfig(), today=TODAY)
    assert verdict.decisions[0].allowed is allowed
    assert verdict.decisions[0].reason == reason


def test_before_sunset_blocks_even_when_announced() -> None:
    base = doc(deprecated=True, **{"x-sunset": "2027-03-01"})
    c, head = removal(base)
    verdict = evaluate([c], base, head, policy=PolicyConfig(), today=TODAY,
                       announced={c.fingerprint: Note(reason="in a hurry")})
    d = verdict.decisions[0]
    assert not d.allowed and d.reason == "before-sunset"
    assert "2027-03-01 (95 days from now)" in d.detail


def test_deprecated_without_sunset_is_judged_like_any_break() -> None:
    # The engine reports such a removal at info level (as oasdiff does); a project that raises
    # the rule to breaking gets it judged here: no sunset to wait for, so it must be announced.
    base = doc(deprecated=True)
    c, head = removal(base)
    d = evaluate([c], base, head, policy=PolicyConfig(), today=TODAY).decisions[0]
    assert not d.allowed and d.reason == "unannounced" and "without an x-sunset" in d.detail
    d = evaluate([c], base, head, policy=PolicyConfig(), today=TODAY,
                 announced={c.fingerprint: Note(reason="nobody calls it")}).decisions[0]
    assert d.allowed and d.reason == "announced"


def test_deprecated_property_and_parameter_removals() -> None:
    base = doc()
    base["components"]["schemas"]["Book"]["properties"]["isbn"].update(
        {"deprecated": True, "x-sunset": "2026-01-01"})
    # FastAPI puts json_schema_extra on a parameter's schema, so look there too.
    base["paths"]["/books"]["get"]["parameters"][0]["schema"].update({"deprecated": True, "x-sunset": "2026-01-01"})
    head = copy.deepcopy(base)
    del head["components"]["schemas"]["Book"]["properties"]["isbn"]
    head["paths"]["/books"]["get"]["parameters"] = []
    prop = change("response-required-property-removed", base="/components/schemas/Book/properties/isbn")
    param = change("request-parameter-removed", base="/paths/~1books/get/parameters/0")
    verdict = evaluate([prop, param], base, head, policy=PolicyConfig(), today=TODAY)
    assert [d.reason for d in verdict.decisions] == ["sunset-passed", "sunset-passed"]
    assert "property isbn of Book" in verdict.decisions[0].detail
    assert "query parameter q of GET /books" in verdict.decisions[1].detail


@pytest.mark.parametrize(("level", "relaxed", "allowed"), [
    ("draft", ["draft", "alpha"], True), ("alpha", ["draft", "alpha"], True),
    ("beta", ["draft", "alpha"], False), ("beta", ["draft", "alpha", "beta"], True),
    ("stable", ["draft", "alpha", "beta"], False),
])
def test_stability_relaxes_rules(level: str, relaxed: list[str], allowed: bool) -> None:
    base = doc(**{"x-stability-level": level})
    c, head = removal(base)
    d = evaluate([c], base, head, policy=PolicyConfig(relaxed_stability=relaxed), today=TODAY).decisions[0]
    assert d.allowed is allowed


def test_stability_is_read_from_the_base_not_the_branch() -> None:
    # Lowering the level on the branch that breaks the operation must not dodge the gate.
    base = doc()
    head = doc(**{"x-stability-level": "draft"})
    c = change("response-property-type-changed", base="/paths/~1books/get/responses/200",
               revision="/paths/~1books/get/responses/200")
    assert not evaluate([c], base, head, policy=PolicyConfig(), today=TODAY).ok


def test_changes_touching_a_stable_operation_are_not_relaxed() -> None:
    base = doc(**{"x-stability-level": "alpha"})
    c = change("response-property-type-changed", operations=("GET /books", "GET /shelves"))
    assert not evaluate([c], base, base, policy=PolicyConfig(), today=TODAY).ok


@pytest.mark.parametrize(("old", "new", "allow", "ok"), [
    ("1.2.0", "2.0.0", True, True), ("1.2.0", "2.0.0", False, False),
    ("1.2.0", "1.3.0", True, False), ("0.2.0", "0.3.0", True, True),
])
def test_major_bump(old: str, new: str, allow: bool, ok: bool) -> None:
    base = doc(old)
    c, head = removal(base)
    head["info"]["version"] = new
    assert evaluate([c], base, head, policy=PolicyConfig(allow_major_bump=allow), today=TODAY).ok is ok


def test_new_deprecation_needs_enough_notice() -> None:
    base = doc()
    policy = PolicyConfig(min_deprecation_days=30)
    for extra, kind in [({}, "sunset-missing"), ({"x-sunset": "2026-12-01"}, "sunset-too-early"),
                        ({"x-sunset": "next year"}, "sunset-invalid")]:
        head = doc(deprecated=True, **extra)
        verdict = evaluate([], base, head, policy=policy, today=TODAY)
        assert [v.kind for v in verdict.violations] == [kind]
        assert verdict.violations[0].pointer == "/paths/~1books/get"
    assert evaluate([], base, doc(deprecated=True, **{"x-sunset": "2026-12-26"}), policy=policy, today=TODAY).ok
    # Without a minimum, a deprecation needs no sunset at all.
    assert evaluate([], base, doc(deprecated=True), policy=PolicyConfig(), today=TODAY).ok
    # An unstable operation may be deprecated at short notice.
    assert evaluate([], doc(**{"x-stability-level": "draft"}),
                    doc(deprecated=True, **{"x-stability-level": "draft"}), policy=policy, today=TODAY).ok


def test_moving_a_sunset_nearer_than_the_minimum_blocks() -> None:
    policy = PolicyConfig(min_deprecation_days=30)
    base = doc(deprecated=True, **{"x-sunset": "2027-06-01"})
    assert [v.kind for v in evaluate([], base, doc(deprecated=True, **{"x-sunset": "2026-12-01"}),
                                     policy=policy, today=TODAY).violations] == ["sunset-moved-earlier"]
    assert evaluate([], base, doc(deprecated=True, **{"x-sunset": "2027-01-30"}), policy=policy, today=TODAY).ok


def test_invalid_stability_level_blocks() -> None:
    verdict = evaluate([], doc(), doc(**{"x-stability-level": "experimental"}), policy=PolicyConfig(), today=TODAY)
    assert [v.kind for v in verdict.violations] == ["stability-invalid"]


def test_parameters_are_keyed_by_name_not_index() -> None:
    d = doc()
    d["paths"]["/books"]["get"]["parameters"][0]["deprecated"] = True
    assert [k for k, _ in iter_deprecations(d)] == ["/paths/~1books/get/parameters/query:q"]


def test_parse_sunset_and_describe() -> None:
    assert parse_sunset("2026-12-01") == dt.date(2026, 12, 1)
    assert parse_sunset("2026-12-01T10:00:00+02:00") == dt.date(2026, 12, 1)
    assert parse_sunset("Tue, 01 Dec 2026") is None and parse_sunset(20261201) is None
    # The same reading as the diff rules: a date-time needs its T and its offset.
    assert parse_sunset("2026-12-01 10:00") is None and parse_sunset("2026-12-01T10:00:00") is None
    assert describe("/paths/~1books~1{id}/delete") == "DELETE /books/{id}"


def test_policy_config_rejects_unknown_keys() -> None:
    with pytest.raises(ValueError, match="extra"):
        PolicyConfig.model_validate({"min_deprecation_dayz": 3})
    with pytest.raises(ValueError):
        PolicyConfig.model_validate({"relaxed_stability": ["stable"]})
