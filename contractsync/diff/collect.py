"""Collecting findings into :class:`~contractsync.diff.model.Change` objects.

Findings with the same rule id, location and value key are one change: their operations are
merged. This is what turns "a property removed from a schema used by 40 operations" into one
change listing 40 operations.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from .model import Change, Level, Location, fingerprint
from .registry import RULES

_PARAM = re.compile(r"\{[^}/]*\}")

UNSET: Any = object()


def normalise_subject(subject: str) -> str:
    """Path templates with parameter names blanked, so a rename keeps fingerprints stable."""
    return _PARAM.sub("{}", subject)


@dataclass
class _Acc:
    rule_id: str
    subject: str
    detail: str
    base: str | None
    revision: str | None
    message: str
    before: Any
    after: Any
    key: str
    ops: set[str] = field(default_factory=set)


class Collector:
    """Accumulates findings; :meth:`changes` turns them into sorted changes."""

    def __init__(self, only: frozenset[str] = frozenset()) -> None:
        self._items: dict[tuple[str, str, str, str], _Acc] = {}
        self._only = only

    def add(
        self,
        rule_id: str,
        *,
        subject: str,
        detail: str = "",
        base: str | None = None,
        revision: str | None = None,
        ops: Any = (),
        message: str,
        before: Any = UNSET,
        after: Any = UNSET,
        key: str = "",
    ) -> None:
        """Record one finding of ``rule_id`` (which must be registered)."""
        if rule_id not in RULES:
            raise KeyError(f"unregistered rule id {rule_id!r}")
        if self._only and rule_id not in self._only:
            return
        k = (rule_id, normalise_subject(subject), normalise_subject(detail), key)
        acc = self._items.get(k)
        if acc is None:
            acc = _Acc(rule_id, subject, detail, base, revision, message,
                       None if before is UNSET else before, None if after is UNSET else after, key)
            self._items[k] = acc
        acc.ops.update(ops)

    def changes(self, levels: dict[str, Level] | None = None) -> list[Change]:
        """The findings as changes, breaking first, then by subject, detail and id."""
        out: list[Change] = []
        for (rule_id, subject_key, detail, key), acc in self._items.items():
            rule = RULES[rule_id]
            level = (levels or {}).get(rule_id, rule.level)
            # The key blanks parameter names (``path parameter {}``) so a rename keeps the
            # fingerprint; the location shows the detail as written.
            loc = Location(subject=acc.subject, detail=acc.detail, base=acc.base,
                           revision=acc.revision)
            fp_key = "\x1f".join((subject_key, detail, key))
            out.append(Change(
                id=rule_id, level=level, direction=rule.direction, location=loc,
                message=acc.message, fingerprint=fingerprint(rule_id, fp_key),
                operations=tuple(sorted(acc.ops)), area=rule.area, before=_jsonable(acc.before),
                after=_jsonable(acc.after),
            ))
        out.sort(key=lambda c: (-c.level.rank, c.location.subject, c.location.detail, c.id,
                                c.fingerprint))
        return out


def _jsonable(value: Any) -> Any:
    try:
        return _plain(value)
    except RecursionError:
        return "<value nested too deeply to show>"


def _plain(value: Any) -> Any:
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        items = [_plain(v) for v in value]
        return sorted(items, key=repr) if isinstance(value, (set, frozenset)) else items
    return str(value)
