"""The rule registry: every rule contractsync can report, declared once.

A :class:`Rule` carries its id (oasdiff's id where the change is the same), default level, the
direction of the data it is about, its area, a documentation paragraph and a minimal before/after
example (two small OpenAPI documents). The example is the rule's executable specification: the
generated docs show it and a parametrised test checks that the rule fires on it and stays silent
on ``(before, before)`` and ``(after, after)``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from .model import Change, Direction, Level

#: Areas, in the order the docs list them.
AREAS = (
    "paths",
    "parameters",
    "request-body",
    "responses",
    "schema",
    "security",
    "lifecycle",
    "documentation",
)


@dataclass(frozen=True)
class Rule:
    """One kind of change, with its default verdict and an example that makes it fire."""

    id: str
    level: Level
    direction: Direction
    area: str
    doc: str
    """One paragraph: what the change is and why it has this level."""
    before: Mapping[str, Any]
    """A minimal OpenAPI document before the change."""
    after: Mapping[str, Any]
    """The same document after the change; diffing the two reports this rule."""
    oasdiff: bool = True
    """True when oasdiff (v1.28) has a rule with the same id."""
    mirror: str | None = None
    """The rule for the same change on the other side (request ↔ response), when named unusually."""
    no_mirror: str = ""
    """Why the rule has no mirror on the other side (the symmetry test reads it)."""
    options: Mapping[str, Any] = field(default_factory=dict)
    """``DiffOptions`` fields the example needs (e.g. a deprecation policy)."""

    def to_dict(self) -> dict[str, Any]:
        """JSON-compatible form (``contractsync rules --format json``)."""
        return {
            "id": self.id,
            "level": self.level.value,
            "direction": self.direction.value,
            "area": self.area,
            "doc": self.doc,
            "oasdiff": self.oasdiff,
        }


class Registry(Mapping[str, Rule]):
    """Rules by id, in registration order; registering an id twice is an error."""

    def __init__(self) -> None:
        self._rules: dict[str, Rule] = {}

    def add(self, rule: Rule) -> Rule:
        if rule.id in self._rules:
            raise ValueError(f"rule {rule.id!r} registered twice")
        if rule.area not in AREAS:
            raise ValueError(f"rule {rule.id!r}: unknown area {rule.area!r}")
        self._rules[rule.id] = rule
        return rule

    def __getitem__(self, key: str) -> Rule:
        return self._rules[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._rules)

    def __len__(self) -> int:
        return len(self._rules)


RULES = Registry()
"""Every rule, keyed by id. Filled by the modules under :mod:`contractsync.diff.rules`."""

E, W, I = Level.BREAKING, Level.WARNING, Level.INFO  # noqa: E741 - short names keep tables readable
REQ, RESP, NONE = Direction.REQUEST, Direction.RESPONSE, Direction.NONE


def rule(
    id: str,
    level: Level,
    direction: Direction,
    area: str,
    doc: str,
    before: Mapping[str, Any],
    after: Mapping[str, Any],
    *,
    oasdiff: bool = True,
    mirror: str | None = None,
    no_mirror: str = "",
    options: Mapping[str, Any] | None = None,
) -> Rule:
    """Declare and register one rule."""
    return RULES.add(
        Rule(id, level, direction, area, " ".join(doc.split()), before, after, oasdiff, mirror,
             no_mirror, dict(options or {}))
    )


# --- profiles ----------------------------------------------------------------------------------

#: Profile names, in the order the docs list them.
PROFILE_NAMES = ("typescript",)


@dataclass(frozen=True)
class ProfileRule:
    """A rule's level under a profile, with why, and a demonstration.

    ``usage`` is frontend code (TypeScript importing ``./types``) that type-checks against the
    types generated from ``before`` and fails against those from ``after``: the test suite runs
    the real compiler on both, so the WHY is executable. ``applies`` (optional) says whether one
    change of the rule really changes a generated type (given the change and the new document);
    where it does not, the rule keeps its default level.
    """

    profile: str
    rule: str
    level: Level
    why: str
    usage: str
    before: Mapping[str, Any]
    after: Mapping[str, Any]
    applies: Callable[[Change, Mapping[str, Any]], bool] | None = None


PROFILES: dict[tuple[str, str], ProfileRule] = {}
"""``(profile, rule id)`` → :class:`ProfileRule`. Filled by :mod:`contractsync.diff.rules.typescript`."""


def profile_rule(profile: str, rule_id: str, level: Level, why: str, usage: str, *,
                 before: Mapping[str, Any] | None = None, after: Mapping[str, Any] | None = None,
                 applies: Callable[[Change, Mapping[str, Any]], bool] | None = None) -> ProfileRule:
    """Declare ``rule_id``'s level under ``profile`` (the rule's own example unless given)."""
    if profile not in PROFILE_NAMES:
        raise ValueError(f"unknown profile {profile!r}")
    if rule_id not in RULES:
        raise ValueError(f"profile {profile!r}: unknown rule {rule_id!r}")
    if (profile, rule_id) in PROFILES:
        raise ValueError(f"profile {profile!r}: rule {rule_id!r} declared twice")
    rule_ = RULES[rule_id]
    entry = ProfileRule(profile, rule_id, level, " ".join(why.split()), usage,
                        before if before is not None else rule_.before,
                        after if after is not None else rule_.after, applies)
    PROFILES[(profile, rule_id)] = entry
    return entry


def profile_level(profile: str | None, change: Change, new: Mapping[str, Any]) -> Level | None:
    """The level ``change`` takes under ``profile``, or None to keep its own."""
    if not profile:
        return None
    entry = PROFILES.get((profile, change.id))
    if entry is None or (entry.applies is not None and not entry.applies(change, new)):
        return None
    return entry.level
