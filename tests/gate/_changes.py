"""Hand-made changes for unit tests of the gate's logic (independent of the diff engine)."""

from __future__ import annotations

from contractsync.diff.model import Change, Direction, Level, Location, fingerprint


def change(
    rule: str,
    level: Level = Level.BREAKING,
    *,
    subject: str = "GET /books",
    base: str | None = None,
    revision: str | None = None,
    operations: tuple[str, ...] = ("GET /books",),
    area: str = "",
    message: str = "",
) -> Change:
    """A change with a fingerprint computed as the engine does (rule id + location key)."""
    return Change(
        id=rule, level=level, direction=Direction.RESPONSE,
        location=Location(subject, "", base, revision),
        message=message or f"{rule} at {subject}",
        fingerprint=fingerprint(rule, f"{subject}|{base}|{revision}"),
        operations=operations, area=area,
    )
