"""The one model every output renders: :class:`Change` and :class:`Report`.

The CLI report, the CI verdict, the changelog and the watch warnings are all renderings of the same
list of changes, so they never disagree.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from ..spec.document import Position


class Level(StrEnum):
    """How bad a change is for a client built against the old contract."""

    BREAKING = "breaking"
    """A client built on the old contract can fail."""
    WARNING = "warning"
    """Possibly breaking: the document alone cannot decide."""
    INFO = "info"
    """Safe."""

    @property
    def rank(self) -> int:
        return _LEVEL_RANK[self]

    def __str__(self) -> str:
        return self.value


_LEVEL_RANK = {Level.BREAKING: 3, Level.WARNING: 2, Level.INFO: 1}

DOCUMENTATION_CHANGED = "documentation-changed"
"""The rule id of a documentation-only edit (listed only when asked for)."""


class Direction(StrEnum):
    """Who sends the data the change is about."""

    REQUEST = "request"
    RESPONSE = "response"
    NONE = "none"

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True)
class Location:
    """Where a change sits.

    ``subject`` is the operation (``"GET /books/{id}"``) or the component
    (``"components.schemas.Book"``) the change is reported at; ``detail`` says where inside it
    (``"request body application/json: author.name"``). ``base`` / ``revision`` are JSON pointers
    into the old and new documents (``None`` when the element does not exist on that side), and
    ``base_position`` / ``revision_position`` the line:column of those pointers in the source files
    when known.
    """

    subject: str
    detail: str = ""
    base: str | None = None
    revision: str | None = None
    base_position: Position | None = None
    revision_position: Position | None = None

    def __str__(self) -> str:
        return f"{self.subject} › {self.detail}" if self.detail else self.subject


def fingerprint(rule_id: str, key: str) -> str:
    """A change's identity: a stable hash of its rule id and normalised location key.

    Independent of message wording and tool version; announcements and ignores key on it.
    """
    return hashlib.sha256(f"{rule_id}\x1f{key}".encode()).hexdigest()[:12]


@dataclass(frozen=True)
class Change:
    """One classified change between two contracts."""

    id: str
    """Kebab-case rule id (oasdiff's id where the change is the same)."""
    level: Level
    direction: Direction
    location: Location
    message: str
    fingerprint: str
    operations: tuple[str, ...] = ()
    """Every operation (``"METHOD /path"``) the change affects, sorted."""
    area: str = ""
    """The rule's area (paths, parameters, request-body, responses, schema, security, …)."""
    before: Any = None
    """The old value, when the change is about a value (JSON-compatible)."""
    after: Any = None
    """The new value, when the change is about a value (JSON-compatible)."""

    @property
    def breaking(self) -> bool:
        return self.level is Level.BREAKING

    def to_dict(self) -> dict[str, Any]:
        """JSON-compatible form (the ``changes`` items of ``--format json``)."""
        loc = self.location
        out: dict[str, Any] = {
            "id": self.id,
            "level": self.level.value,
            "direction": self.direction.value,
            "area": self.area,
            "fingerprint": self.fingerprint,
            "operations": list(self.operations),
            "message": self.message,
            "location": {
                "subject": loc.subject,
                "detail": loc.detail,
                "base": loc.base,
                "revision": loc.revision,
                "base_position": _pos(loc.base_position),
                "revision_position": _pos(loc.revision_position),
            },
        }
        if self.before is not None:
            out["before"] = self.before
        if self.after is not None:
            out["after"] = self.after
        return out


def _pos(pos: Position | None) -> dict[str, int] | None:
    return None if pos is None else {"line": pos.line, "column": pos.column}


@dataclass
class Report(Sequence[Change]):
    """The result of a diff: changes in deterministic order, plus what was compared."""

    changes: list[Change] = field(default_factory=list)
    base_source: str = ""
    revision_source: str = ""
    warnings: list[str] = field(default_factory=list)
    doc_edits: int = 0
    """Documentation-only edits (descriptions, summaries, titles, examples) between the two
    documents, counted when there is no API change or with ``include_docs`` (which also lists
    them as ``documentation-changed`` changes); 0 otherwise."""
    no_base: str = ""
    """Why there was no base contract to compare with (empty: there was one)."""
    hidden: list[Change] = field(default_factory=list)
    """Changes below the display level (``diff --level``): not listed, but counted in the
    summary and in the verdict."""

    def __len__(self) -> int:
        return len(self.changes)

    def __iter__(self) -> Iterator[Change]:
        return iter(self.changes)

    def __getitem__(self, index: int) -> Change:  # type: ignore[override]
        return self.changes[index]

    @property
    def all_changes(self) -> list[Change]:
        """The listed changes and those hidden below the display level."""
        return [*self.changes, *self.hidden] if self.hidden else self.changes

    def counts(self) -> dict[Level, int]:
        """Number of changes per level (every level present, possibly 0), hidden ones included."""
        counter = Counter(c.level for c in self.all_changes)
        return {level: counter.get(level, 0) for level in Level}

    @property
    def breaking(self) -> list[Change]:
        return [c for c in self.all_changes if c.level is Level.BREAKING]

    def at_or_above(self, level: Level) -> list[Change]:
        """API changes at or above ``level`` (what ``--fail-on`` judges; documentation-only
        edits never fail a run)."""
        return [c for c in self.api_changes if c.level.rank >= level.rank]

    @property
    def api_changes(self) -> list[Change]:
        """The changes that are not documentation-only edits."""
        return [c for c in self.all_changes if c.id != DOCUMENTATION_CHANGED]

    def shown_at(self, level: Level | None) -> Report:
        """This report listing only changes at or above ``level``; the others move to
        :attr:`hidden` (still counted, still judged)."""
        if level is None:
            return self
        from dataclasses import replace

        everything = self.all_changes
        return replace(self, changes=[c for c in everything if c.level.rank >= level.rank],
                       hidden=[c for c in everything if c.level.rank < level.rank])
