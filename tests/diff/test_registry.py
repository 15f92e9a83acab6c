"""The registry keeps itself honest: every rule has an example that fires, stays silent on
itself, has a mirror (or a reason), and the generated docs are current."""

from __future__ import annotations

import datetime
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from contractsync.diff import RULES, DiffOptions, Direction, Rule, diff
from contractsync.diff.disagreements import LEVELS
from contractsync.diff.docs import render
from contractsync.diff.oasdiff import OASDIFF_LEVELS

REPO = Path(__file__).resolve().parents[2]
NOW = datetime.date(2026, 1, 1)
ALL = list(RULES.values())


def _opts(rule: Rule) -> DiffOptions:
    return DiffOptions(**{"now": NOW, **dict(rule.options)})


def _ids(before: Any, after: Any, rule: Rule) -> list[str]:
    return [c.id for c in diff(dict(before), dict(after), options=_opts(rule))]


@pytest.mark.parametrize("rule", ALL, ids=[r.id for r in ALL])
def test_example_fires(rule: Rule) -> None:
    assert rule.id in _ids(rule.before, rule.after, rule)


@pytest.mark.parametrize("rule", ALL, ids=[r.id for r in ALL])
def test_example_silent_on_itself(rule: Rule) -> None:
    assert _ids(rule.before, rule.before, rule) == []
    assert _ids(rule.after, rule.after, rule) == []


def test_reported_change_carries_the_rule_metadata() -> None:
    for rule in ALL[:50]:
        for change in diff(dict(rule.before), dict(rule.after), options=_opts(rule)):
            if change.id == rule.id:
                assert change.direction is rule.direction
                assert change.area == rule.area
                assert change.level is rule.level
                assert change.message


def test_rule_count_and_shape() -> None:
    assert len(RULES) >= 734  # every oasdiff v1.28 id (#11) plus contractsync's own
    for rule in ALL:
        assert rule.id == rule.id.lower() and " " not in rule.id and "_" not in rule.id
        assert rule.doc.strip(), rule.id


def test_oasdiff_flag_matches_its_vocabulary() -> None:
    for rule in ALL:
        assert rule.oasdiff == (rule.id in OASDIFF_LEVELS), rule.id


def test_every_level_difference_with_oasdiff_has_a_reason() -> None:
    names = {"ERR": "breaking", "WARN": "warning", "INFO": "info"}
    differing = {r.id for r in ALL if r.oasdiff and names[OASDIFF_LEVELS[r.id]] != r.level.value}
    assert differing == set(LEVELS)


def test_symmetry_every_request_rule_has_a_response_mirror_or_a_reason() -> None:
    for rule in ALL:
        if rule.direction is Direction.NONE:
            continue
        if rule.mirror is not None:
            assert rule.mirror in RULES, f"{rule.id}: mirror {rule.mirror} is not a rule"
            other = RULES[rule.mirror]
            assert other.direction not in (rule.direction, Direction.NONE), rule.id
        else:
            assert rule.no_mirror, f"{rule.id} has no mirror and no reason why not"


def test_mirrors_have_contravariant_verdicts_for_narrowing_rules() -> None:
    # Narrowing what clients send is breaking, narrowing what servers return is safe.
    for suffix in ("enum-value-removed", "max-length-decreased", "min-increased", "pattern-added",
                   "became-not-nullable", "list-of-types-narrowed"):
        assert RULES[f"request-property-{suffix}"].level.value == "breaking"
        assert RULES[f"response-property-{suffix}"].level.value == "info"
    for suffix in ("became-nullable", "max-length-increased", "type-generalized", "one-of-added"):
        assert RULES[f"request-property-{suffix}"].level.value == "info"
        assert RULES[f"response-property-{suffix}"].level.value == "breaking"


def test_levels_by_area_are_all_used() -> None:
    counts = Counter((r.area, r.level.value) for r in ALL)
    assert counts[("schema", "breaking")] > 0 and counts[("paths", "breaking")] > 0


def test_docs_are_current() -> None:
    committed = (REPO / "docs" / "rules.md").read_text(encoding="utf-8")
    assert committed == render(), (
        "docs/rules.md is stale: run `python -m contractsync.diff.docs > docs/rules.md`")


def test_every_rule_is_in_the_docs() -> None:
    text = render()
    for rule in ALL:
        assert f"`{rule.id}`" in text, rule.id


def test_every_oasdiff_rule_id_is_registered() -> None:
    # oasdiff v1.28's whole vocabulary (#11): results and ignore lists carry across.
    assert sorted(set(OASDIFF_LEVELS) - set(RULES)) == []
