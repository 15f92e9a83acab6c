"""SemVer parsing, ordering and the version suggestion table."""

from __future__ import annotations

import pytest

from contractsync.changelog import (
    Bump,
    Version,
    bump_for,
    is_major_bump,
    section_of,
    suggest_bump,
    suggest_version,
)
from contractsync.diff.model import Level

from ._changes import change


@pytest.mark.parametrize(("text", "ok"), [
    ("1.2.3", True), ("v1.2.3", True), ("0.0.0", True), ("1.0.0-rc.1+build.5", True),
    ("1.2", False), ("01.2.3", False), ("1.2.3.4", False), ("2026-06-01", False), ("", False),
])
def test_parse(text: str, ok: bool) -> None:
    assert (Version.parse(text) is not None) is ok


def test_precedence_follows_semver_11() -> None:
    ordered = ["1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta", "1.0.0-beta.2",
               "1.0.0-beta.11", "1.0.0-rc.1", "1.0.0", "1.0.1", "1.1.0", "2.0.0"]
    parsed = [Version.parse(v) for v in ordered]
    assert all(p is not None for p in parsed)
    assert sorted(parsed) == parsed  # type: ignore[type-var]


# The suggestion table from the brief: breaking → major, additions and deprecations → minor,
# documentation → patch; in 0.x the minor plays the major's role (SemVer §4).
@pytest.mark.parametrize(("previous", "rule", "level", "area", "expected"), [
    ("1.4.2", "response-required-property-removed", Level.BREAKING, "", "2.0.0"),
    ("1.4.2", "api-removed-without-deprecation", Level.BREAKING, "paths", "2.0.0"),
    ("1.4.2", "endpoint-added", Level.INFO, "paths", "1.5.0"),
    ("1.4.2", "response-optional-property-added", Level.INFO, "", "1.5.0"),
    ("1.4.2", "endpoint-deprecated", Level.INFO, "lifecycle", "1.5.0"),
    ("1.4.2", "api-removed-after-sunset", Level.INFO, "paths", "2.0.0"),
    ("1.4.2", "api-removed-with-deprecation", Level.INFO, "paths", "2.0.0"),
    ("1.4.2", "response-optional-property-removed", Level.WARNING, "", "1.5.0"),
    ("1.4.2", "api-operation-description-changed", Level.INFO, "", "1.4.3"),
    ("1.4.2", "api-summary-changed", Level.INFO, "documentation", "1.4.3"),
    ("0.3.1", "response-required-property-removed", Level.BREAKING, "", "0.4.0"),
    ("0.3.1", "endpoint-added", Level.INFO, "paths", "0.3.2"),
    ("0.3.1", "api-operation-description-changed", Level.INFO, "", "0.3.2"),
    ("0.0.4", "response-required-property-removed", Level.BREAKING, "", "0.1.0"),
    (None, "endpoint-added", Level.INFO, "paths", "0.1.0"),
])
def test_suggestion_table(previous: str | None, rule: str, level: Level, area: str, expected: str) -> None:
    assert suggest_version(previous, [change(rule, level, area=area)]) == expected


def test_largest_bump_wins_and_no_changes_is_a_patch() -> None:
    changes = [change("endpoint-added", Level.INFO), change("api-summary-changed", Level.INFO),
               change("request-parameter-became-required", Level.BREAKING)]
    assert suggest_bump(changes) is Bump.MAJOR
    assert suggest_bump([]) is Bump.NONE
    assert suggest_version("1.0.0", []) == "1.0.1"


@pytest.mark.parametrize(("old", "new", "major"), [
    ("1.9.0", "2.0.0", True), ("1.0.0", "1.1.0", False), ("0.3.0", "0.4.0", True),
    ("0.3.0", "0.3.1", False), ("2.0.0", "1.0.0", False), ("v1", "v2", False),
])
def test_is_major_bump(old: str, new: str, major: bool) -> None:
    assert is_major_bump(old, new) is major


@pytest.mark.parametrize(("rule", "level", "area", "section"), [
    ("endpoint-added", Level.INFO, "paths", "Added"),
    ("new-required-request-property", Level.BREAKING, "", "Changed"),
    ("request-parameter-added", Level.BREAKING, "parameters", "Changed"),
    ("response-required-property-removed", Level.BREAKING, "", "Removed"),
    ("endpoint-deprecated-with-sunset", Level.INFO, "lifecycle", "Deprecated"),
    ("endpoint-reactivated", Level.INFO, "lifecycle", "Changed"),
    ("api-path-removed-with-deprecation", Level.INFO, "paths", "Removed"),
    ("api-removed-after-sunset", Level.INFO, "paths", "Removed"),
    ("sunset-deleted", Level.BREAKING, "lifecycle", "Deprecated"),
    ("api-security-removed", Level.INFO, "security", "Security"),
    ("response-property-type-changed", Level.BREAKING, "", "Changed"),
])
def test_sections(rule: str, level: Level, area: str, section: str) -> None:
    assert section_of(change(rule, level, area=area)) == section


def test_bump_for_documentation_additions_still_minor() -> None:
    # Adding a tag is an addition (minor), even though tags are documentation-ish.
    assert bump_for(change("api-tag-added", Level.INFO)) is Bump.MINOR
