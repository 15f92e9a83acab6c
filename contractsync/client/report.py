""""What changed since the locked version": the report ``pull --update`` prints.

Every change between the locked contract and the new one, in four groups — BREAKING (with the
reason and migration the backend announced), DEPRECATED (with the sunset date), ADDED and CHANGED
— each with its operation. Rendered as text for a terminal, Markdown for a pull-request body, or
JSON. Built on the diff engine's :class:`~contractsync.diff.model.Change` and the changelog's
section rules, so it agrees with ``contractsync diff`` and the changelog.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Literal

from ..changelog import section_of
from ..diff.model import Change, Direction, Level, Location
from ..render._common import extra_detail, groups, plural, short_message

Kind = Literal["breaking", "deprecated", "added", "changed"]
KINDS: tuple[Kind, ...] = ("breaking", "deprecated", "added", "changed")


@dataclass(frozen=True)
class Announced:
    """What the backend said about a change when it announced it."""

    reason: str
    migration: str | None = None
    sunset: str | None = None


@dataclass(frozen=True)
class Item:
    """One change in the report."""

    kind: Kind
    change: Change
    announcement: Announced | None = None
    sunset: str | None = None


@dataclass(frozen=True)
class Side:
    """One end of the update: a contract version."""

    digest: str
    version: int | None = None
    info_version: str = ""
    source_commit: str | None = None

    def label(self) -> str:
        short = self.digest.removeprefix("sha256:")[:12]
        parts = [f"sha256:{short}"]
        if self.source_commit:
            parts.append(self.source_commit[:7])
        head = f"version {self.version}" if self.version is not None else (self.info_version or "contract")
        if self.version is not None and self.info_version:
            head += f" ({self.info_version})"
        return f"{head} [{', '.join(parts)}]"


@dataclass
class UpdateReport:
    """The changes from :attr:`old` (None on a first pull) to :attr:`new`."""

    contract: str
    ref: str | None
    old: Side | None
    new: Side
    items: list[Item] = field(default_factory=list)
    reasons: str = "registry"
    """Where announcement reasons came from: ``registry``, ``changelog`` (next to a plain source)
    or ``none`` (not available: a static mirror, a source without a changelog)."""
    impact: str | None = None
    """The frontend impact analysis, rendered (``--frontend DIR``), when it ran."""
    locked: bool = False
    """A plain ``pull``: the locked version was installed, nothing was resolved."""

    @property
    def breaking(self) -> list[Item]:
        return [i for i in self.items if i.kind == "breaking"]

    def of(self, kind: Kind) -> list[Item]:
        return [i for i in self.items if i.kind == kind]

    @property
    def changed(self) -> bool:
        return self.old is None or self.old.digest != self.new.digest


def kind_of(change: Change) -> Kind:
    """The report group of ``change``."""
    if change.level is Level.BREAKING:
        return "breaking"
    section = section_of(change)
    if section == "Deprecated":
        return "deprecated"
    if section == "Added":
        return "added"
    return "changed"


def build_items(changes: list[Change], announcements: dict[str, Announced],
                sunsets: dict[str, str] | None = None) -> list[Item]:
    """Report items in the order ``contractsync diff`` groups changes (worst group first)."""
    sunsets = sunsets or {}
    ordered = [c for g in groups(changes) for c in g.changes]
    items = []
    for change in ordered:
        note = announcements.get(change.fingerprint)
        sunset = (note.sunset if note and note.sunset else None) or sunsets.get(change.fingerprint)
        items.append(Item(kind_of(change), change, note, sunset))
    return items


def change_from_dict(data: dict[str, Any]) -> Change:
    """A :class:`Change` from its JSON form (``Change.to_dict``, the registry's diff endpoint)."""
    loc = data.get("location") or {}
    return Change(
        id=str(data["id"]),
        level=Level(data["level"]),
        direction=Direction(data.get("direction", "none")),
        location=Location(subject=str(loc.get("subject", "")), detail=str(loc.get("detail", "")),
                          base=loc.get("base"), revision=loc.get("revision")),
        message=str(data.get("message", "")),
        fingerprint=str(data["fingerprint"]),
        operations=tuple(str(o) for o in data.get("operations") or ()),
        area=str(data.get("area", "")),
        before=data.get("before"),
        after=data.get("after"),
    )


def announced_from_dict(data: Any) -> Announced | None:
    """The ``announcement`` object of a registry diff change (None when absent or empty)."""
    if not isinstance(data, dict) or not data.get("reason"):
        return None
    return Announced(str(data["reason"]), _opt(data.get("migration")), _opt(data.get("sunset")))


def _opt(value: Any) -> str | None:
    return str(value) if value not in (None, "") else None


# --- rendering -------------------------------------------------------------------------------------

_TITLES = {"breaking": "BREAKING", "deprecated": "DEPRECATED", "added": "ADDED", "changed": "CHANGED"}


def _where(change: Change) -> str:
    subject = change.location.subject
    if subject.startswith("components") and change.operations:
        ops = ", ".join(change.operations[:3])
        more = f", +{len(change.operations) - 3} more" if len(change.operations) > 3 else ""
        return f"{subject} (used by {ops}{more})"
    return subject


def _counts(report: UpdateReport) -> str:
    parts = [f"{len(report.of(k))} {k}" for k in KINDS if report.of(k)]
    total = plural(len(report.items), "change")
    return f"{total}: {', '.join(parts)}" if parts else "no changes"


def headline(report: UpdateReport) -> str:
    """``bookshop label:main  version 1 […] → version 2 […]  9 changes: …``"""
    ref = f" {report.ref}" if report.ref else ""
    if report.old is None:
        return f"{report.contract}{ref}: first pull of {report.new.label()}"
    if not report.changed:
        state = "locked at" if report.locked else "up to date at"
        return f"{report.contract}{ref}: {state} {report.new.label()}"
    return f"{report.contract}{ref}: {report.old.label()} → {report.new.label()}  {_counts(report)}"


def render_text(report: UpdateReport) -> str:
    """The report for a terminal."""
    lines = [headline(report)]
    for kind in KINDS:
        items = report.of(kind)
        if not items:
            continue
        lines += ["", f"{_TITLES[kind]} ({len(items)})"]
        for item in items:
            c = item.change
            text = short_message(c)
            if extra_detail(c):
                text += f" ({extra_detail(c)})"
            if kind == "deprecated" and not (item.sunset and item.sunset in text):
                text += f"; sunset {item.sunset}" if item.sunset else "; no sunset date"
            lines.append(f"  {_where(c)}: {text}")
            lines.append(f"      {c.id} · {c.fingerprint}")
            if item.announcement is not None:
                lines.append(f"      why: {item.announcement.reason}")
                if item.announcement.migration:
                    lines.append(f"      migration: {item.announcement.migration}")
            elif kind == "breaking":
                lines.append("      why: " + ("not announced" if report.reasons != "none"
                                              else "unknown (the source publishes no reasons)"))
    if report.impact:
        lines += ["", report.impact.rstrip("\n")]
    return "\n".join(lines) + "\n"


def _cell(text: str) -> str:
    text = " ".join(text.split())
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("|", "\\|")


def render_markdown(report: UpdateReport) -> str:
    """The report as a pull-request body."""
    n = len(report.breaking)
    icon = "🔴" if n else ("🟢" if report.items else "⚪")
    title = f"{plural(n, 'breaking change')}" if n else ("no breaking changes" if report.items else "no changes")
    lines = [f"### {icon} Contract update `{report.contract}`: {title}", ""]
    if report.old is not None:
        lines.append(f"{_cell(report.old.label())} → **{_cell(report.new.label())}**"
                     + (f" (ref `{report.ref}`)" if report.ref else "") + f" — {_counts(report)}")
    else:
        lines.append(f"First pull: **{_cell(report.new.label())}**")
    for kind in KINDS:
        items = report.of(kind)
        if not items:
            continue
        extra = {"breaking": " | Why | Migration", "deprecated": " | Sunset"}.get(kind, "")
        sep = {"breaking": "|---|---", "deprecated": "|---"}.get(kind, "")
        lines += ["", f"#### {_TITLES[kind].capitalize()} ({len(items)})", "",
                  f"| Where | Change{extra} |", f"|---|---{sep}|"]
        for item in items:
            c = item.change
            row = f"| `{_cell(_where(c))}` | {_cell(short_message(c))} <sub>`{c.id}` `{c.fingerprint}`</sub>"
            if kind == "breaking":
                note = item.announcement
                row += f" | {_cell(note.reason) if note else '*not announced*'} | {_cell(note.migration or '') if note else ''}"
            elif kind == "deprecated":
                row += f" | {item.sunset or '—'}"
            lines.append(row + " |")
    if report.impact:
        lines += ["", report.impact.rstrip("\n")]
    return "\n".join(lines) + "\n"


def to_dict(report: UpdateReport) -> dict[str, Any]:
    """The report as JSON-compatible data."""
    def side(s: Side | None) -> dict[str, Any] | None:
        if s is None:
            return None
        return {"digest": s.digest, "version": s.version, "info_version": s.info_version,
                "source_commit": s.source_commit}

    return {
        "contract": report.contract, "ref": report.ref, "from": side(report.old), "to": side(report.new),
        "summary": {k: len(report.of(k)) for k in KINDS},
        "reasons": report.reasons,
        "changes": [{"kind": i.kind, **i.change.to_dict(),
                     "announcement": None if i.announcement is None else {
                         "reason": i.announcement.reason, "migration": i.announcement.migration,
                         "sunset": i.announcement.sunset},
                     "sunset": i.sunset} for i in report.items],
    }


def render_json(report: UpdateReport) -> str:
    return json.dumps(to_dict(report), indent=2, ensure_ascii=False) + "\n"
