"""Which breaking changes block: announcements, deprecation and sunset, stability, version bumps.

The diff engine says *what* changed and how bad it is; this module says whether a breaking change
may go in. A breaking change passes when

* it was **announced** (``contractsync announce``, or an ``accept`` since the base recorded it with
  a reason), or
* it removes an operation, parameter or property that the base contract marked ``deprecated``
  with an ``x-sunset`` date that is **today or past** (before that date it blocks, even when
  announced: the sunset is a promise to clients), or
* every operation it affects is at a **relaxed stability level** (``x-stability-level``, default
  draft and alpha) in the base contract, or
* ``allow_major_bump`` is on and ``info.version`` went up a major version.

Independently of breaking changes, a *new* deprecation must carry an ``x-sunset`` that is a valid
date at least ``min_deprecation_days`` away (when that is above 0), and an existing sunset may not
be moved nearer than that.

Policy is read from ``[tool.contractsync.policy]`` (:class:`PolicyConfig`); ``--now`` fixes the
clock so CI verdicts are reproducible.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from .diff.model import Change

if TYPE_CHECKING:
    from .changelog import Note
from .spec.refs import escape, resolve_pointer, unescape

StabilityLevel = Literal["draft", "alpha", "beta", "stable"]
RelaxableLevel = Literal["draft", "alpha", "beta"]
STABILITY_LEVELS: tuple[str, ...] = ("draft", "alpha", "beta", "stable")

_METHODS = frozenset({"get", "put", "post", "delete", "options", "head", "patch", "trace"})
_MAX_DEPTH = 200


class PolicyConfig(BaseModel):
    """``[tool.contractsync.policy]``: what the CI gate lets through without an announcement."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    base: str | None = Field(
        default=None,
        description="The base contract to gate against, any spec source (e.g. "
        "'origin/main:contracts/openapi.json'); default: the merge base with the default branch.",
    )
    default_branch: str | None = Field(
        default=None, description="Branch whose merge base is the default base (default: origin/HEAD, "
        "then origin/main, origin/master, main, master).")
    min_deprecation_days: int = Field(
        default=0, ge=0,
        description="A new deprecation needs an x-sunset at least this many days away (0: no minimum, "
        "x-sunset optional).")
    allow_major_bump: bool = Field(
        default=False, description="A major info.version bump allows breaking changes without "
        "announcements (off by default: announcements are the point).")
    relaxed_stability: list[RelaxableLevel] = Field(
        default_factory=lambda: list[RelaxableLevel](("draft", "alpha")),
        description="x-stability-level values whose operations may break without an announcement.")


# --- deprecation and sunset ----------------------------------------------------------------------

def parse_sunset(value: Any) -> dt.date | None:
    """The date of an ``x-sunset`` value: an RFC 3339 full-date or date-time; None if invalid.
    The diff engine's reading (:func:`contractsync.diff.schemas.parse_date`), so the gate and
    the rules never disagree on what a sunset is."""
    from .diff.schemas import parse_date

    return parse_date(value.strip() if isinstance(value, str) else value)


@dataclass(frozen=True)
class Deprecation:
    """A node marked ``deprecated: true``: where, and its ``x-sunset`` (raw and parsed)."""

    pointer: str
    kind: str
    """``operation``, ``parameter``, ``property`` or ``schema``."""
    sunset_raw: Any
    sunset: dt.date | None

    @property
    def has_sunset(self) -> bool:
        return self.sunset_raw is not None


def deprecation_of(node: Any, pointer: str) -> Deprecation | None:
    """The deprecation of ``node`` (found at ``pointer``), or None if it is not deprecated.

    ``deprecated`` and ``x-sunset`` are read on the node and, for parameters, on its schema too
    (FastAPI puts ``json_schema_extra`` there).
    """
    if not isinstance(node, dict):
        return None
    holders = [node]
    schema = node.get("schema")
    if isinstance(schema, dict):
        holders.append(schema)
    if not any(h.get("deprecated") is True for h in holders):
        return None
    raw = next((h["x-sunset"] for h in holders if "x-sunset" in h), None)
    return Deprecation(pointer, kind_of(pointer), raw, parse_sunset(raw) if raw is not None else None)


def kind_of(pointer: str) -> str:
    """What the node at ``pointer`` is: operation, parameter, property or schema."""
    tokens = [unescape(t) for t in pointer.split("/")[1:]]
    if len(tokens) == 3 and tokens[0] == "paths" and tokens[2] in _METHODS:
        return "operation"
    if len(tokens) >= 2 and tokens[-2] == "parameters" and tokens[0] in ("paths", "components"):
        return "parameter"
    if len(tokens) >= 2 and tokens[-2] == "properties":
        return "property"
    return "schema"


def describe(pointer: str, data: Mapping[str, Any] | None = None) -> str:
    """A pointer in the words a reader uses: ``GET /books``, ``query parameter q of GET /books``,
    ``property isbn of Book``."""
    tokens = [unescape(t) for t in pointer.split("/")[1:]]
    op = ""
    if len(tokens) >= 3 and tokens[0] == "paths" and tokens[2] in _METHODS:
        op = f"{tokens[2].upper()} {tokens[1]}"
    if len(tokens) == 3 and op:
        return op
    if len(tokens) >= 2 and tokens[-2] == "parameters":
        node = _get(data, pointer) if data is not None else None
        if isinstance(node, dict) and "name" in node:
            name = f"{node.get('in', '')} parameter {node['name']}".strip()
        else:
            name = f"parameter {tokens[-1]}"
        return f"{name} of {op}" if op else name
    if len(tokens) >= 2 and tokens[-2] == "properties":
        owner = op or (tokens[2] if len(tokens) > 2 and tokens[:2] == ["components", "schemas"] else pointer)
        return f"property {tokens[-1]} of {owner}"
    return op or pointer


def _get(data: Any, pointer: str) -> Any:
    try:
        return resolve_pointer(data, pointer)
    except KeyError:
        return None


def iter_deprecations(data: Mapping[str, Any]) -> Iterator[tuple[str, Deprecation]]:
    """Every deprecated node of a document as ``(key, deprecation)``.

    The key identifies the node across two versions of the document: its JSON pointer, except that
    a parameter is keyed by ``in:name`` rather than its index (inserting a parameter must not make
    every later one look new).
    """
    stack: list[tuple[Any, str, str, int]] = [(data, "", "", 0)]
    while stack:
        node, pointer, key, depth = stack.pop()
        if depth > _MAX_DEPTH:
            continue
        if isinstance(node, dict):
            found = deprecation_of(node, pointer) if pointer else None
            if found is not None:
                yield key, found
            for name, child in node.items():
                if isinstance(child, dict | list):
                    stack.append((child, f"{pointer}/{escape(str(name))}", f"{key}/{escape(str(name))}",
                                  depth + 1))
        elif isinstance(node, list):
            params = pointer.endswith("/parameters")
            for i, child in enumerate(node):
                if isinstance(child, dict | list):
                    token = str(i)
                    if params and isinstance(child, dict) and "name" in child:
                        token = escape(f"{child.get('in', '')}:{child['name']}")
                    stack.append((child, f"{pointer}/{i}", f"{key}/{token}", depth + 1))


def stability_of(data: Mapping[str, Any], operation: str) -> str:
    """The ``x-stability-level`` of ``"METHOD /path"`` in ``data`` (``stable`` when unset)."""
    method, _, path = operation.partition(" ")
    paths = data.get("paths")
    item = paths.get(path) if isinstance(paths, dict) else None
    op = item.get(method.lower()) if isinstance(item, dict) else None
    level = op.get("x-stability-level") if isinstance(op, dict) else None
    return level if isinstance(level, str) else "stable"


def _operation_of(pointer: str) -> str | None:
    tokens = [unescape(t) for t in pointer.split("/")[1:]]
    if len(tokens) >= 3 and tokens[0] == "paths" and tokens[2] in _METHODS:
        return f"{tokens[2].upper()} {tokens[1]}"
    return None


# --- verdicts ------------------------------------------------------------------------------------

#: Why a breaking change passes or blocks (``Decision.reason``).
Reason = Literal["announced", "sunset-passed", "unstable", "major-bump", "unannounced", "before-sunset"]


@dataclass(frozen=True)
class Decision:
    """The policy's verdict on one breaking change."""

    change: Change
    allowed: bool
    reason: Reason
    detail: str
    """One line a person reads: why it passes, or why it blocks."""
    note: Note | None = None
    """The announcement, when there is one."""


@dataclass(frozen=True)
class Violation:
    """A policy rule broken by the new contract itself (not by a breaking change)."""

    kind: Literal["sunset-invalid", "sunset-missing", "sunset-too-early", "sunset-moved-earlier",
                  "stability-invalid"]
    pointer: str
    """Where, in the new contract."""
    message: str
    fix: str


@dataclass
class PolicyResult:
    """Every breaking change's verdict plus the deprecation-policy violations."""

    decisions: list[Decision]
    violations: list[Violation]

    @property
    def blocking(self) -> list[Decision]:
        return [d for d in self.decisions if not d.allowed]

    @property
    def ok(self) -> bool:
        return not self.blocking and not self.violations


def evaluate(
    changes: list[Change] | tuple[Change, ...],
    base: Mapping[str, Any],
    head: Mapping[str, Any],
    *,
    policy: PolicyConfig,
    today: dt.date,
    announced: Mapping[str, Note] | None = None,
) -> PolicyResult:
    """Judge the breaking ones among ``changes`` (base → head) and check the deprecation policy.

    ``announced`` maps fingerprints to announcement notes (pending announcements and those
    recorded by releases since the base).
    """
    announced = announced or {}
    from .changelog import is_major_bump  # the SemVer helpers live with the changelog

    allow_major = policy.allow_major_bump and is_major_bump(_info_version(base), _info_version(head))
    bump = f"{_info_version(base)} → {_info_version(head)}" if allow_major else ""
    decisions = [_decide(c, base, policy, today, announced, bump)
                 for c in changes if c.breaking]
    return PolicyResult(decisions, deprecation_violations(base, head, policy=policy, today=today))


def _info_version(data: Mapping[str, Any]) -> str:
    info = data.get("info")
    return str(info.get("version", "")) if isinstance(info, dict) else ""


def _decide(change: Change, base: Mapping[str, Any], policy: PolicyConfig, today: dt.date,
            announced: Mapping[str, Note], major_bump: str) -> Decision:
    note = announced.get(change.fingerprint)
    removed = change.location.base is not None and (
        change.location.revision is None or "removed" in change.id)
    dep = deprecation_of(_get(base, change.location.base), change.location.base) \
        if removed and change.location.base is not None else None
    if dep is not None:
        what = describe(dep.pointer, base)
        if dep.has_sunset and dep.sunset is None:
            return Decision(change, False, "before-sunset",
                            f"{what} has an invalid x-sunset {dep.sunset_raw!r}, so its sunset never passes",
                            note)
        if dep.sunset is not None:
            if dep.sunset <= today:
                return Decision(change, True, "sunset-passed",
                                f"{what} was deprecated with x-sunset {dep.sunset.isoformat()}, now past", note)
            days = (dep.sunset - today).days
            return Decision(change, False, "before-sunset",
                            f"{what} is deprecated until its x-sunset {dep.sunset.isoformat()} "
                            f"({days} day{'s' if days != 1 else ''} from now): clients were promised it "
                            "until then", note)
    if change.operations and all(
            stability_of(base, op) in policy.relaxed_stability for op in change.operations):
        levels = sorted({stability_of(base, op) for op in change.operations})
        return Decision(change, True, "unstable",
                        f"x-stability-level {'/'.join(levels)} in the base contract", note)
    if note is not None:
        return Decision(change, True, "announced", f"announced: {note.reason}", note)
    if major_bump:
        return Decision(change, True, "major-bump", f"info.version {major_bump} is a major bump (allow_major_bump)")
    extra = " (it was deprecated, but without an x-sunset date)" if dep is not None else ""
    return Decision(change, False, "unannounced", f"breaking change not announced{extra}")


def deprecation_violations(base: Mapping[str, Any], head: Mapping[str, Any], *,
                           policy: PolicyConfig, today: dt.date) -> list[Violation]:
    """New deprecations without a valid, far-enough ``x-sunset``; sunsets moved too near; invalid
    ``x-stability-level`` values."""
    out: list[Violation] = []
    old = dict(iter_deprecations(base))
    days = policy.min_deprecation_days
    earliest = today + dt.timedelta(days=days)
    for key, dep in sorted(iter_deprecations(head)):
        op = _operation_of(dep.pointer)
        if op is not None and stability_of(head, op) in policy.relaxed_stability:
            continue
        what = describe(dep.pointer, head)
        before = old.get(key)
        if dep.has_sunset and dep.sunset is None:
            out.append(Violation("sunset-invalid", dep.pointer,
                                 f"{what}: x-sunset {dep.sunset_raw!r} is not a date (YYYY-MM-DD)",
                                 "write x-sunset as an RFC 3339 date, e.g. 2027-06-30"))
            continue
        if before is None:
            if days and dep.sunset is None:
                out.append(Violation(
                    "sunset-missing", dep.pointer,
                    f"{what} is newly deprecated without x-sunset (the policy wants {days} days' notice)",
                    f"add x-sunset: {earliest.isoformat()} (or later) next to deprecated: true"))
            elif days and dep.sunset is not None and dep.sunset < earliest:
                out.append(Violation(
                    "sunset-too-early", dep.pointer,
                    f"{what} is deprecated with x-sunset {dep.sunset.isoformat()}, less than the "
                    f"policy's {days} days from {today.isoformat()}",
                    f"set x-sunset to {earliest.isoformat()} or later"))
        elif (before.sunset is not None and dep.sunset is not None and dep.sunset < before.sunset
              and dep.sunset < earliest):
            out.append(Violation(
                "sunset-moved-earlier", dep.pointer,
                f"{what}: x-sunset moved from {before.sunset.isoformat()} to {dep.sunset.isoformat()}, "
                f"nearer than the policy's {days} days from {today.isoformat()}",
                f"keep x-sunset at {before.sunset.isoformat()}, or set it to {earliest.isoformat()} or later"))
    out.extend(_stability_violations(head))
    return out


def _stability_violations(head: Mapping[str, Any]) -> list[Violation]:
    out: list[Violation] = []
    paths = head.get("paths")
    if not isinstance(paths, dict):
        return out
    for path in sorted(paths):
        item = paths[path]
        if not isinstance(item, dict):
            continue
        for method in sorted(_METHODS & set(item)):
            op = item[method]
            level = op.get("x-stability-level") if isinstance(op, dict) else None
            if level is not None and level not in STABILITY_LEVELS:
                ptr = f"/paths/{escape(path)}/{method}/x-stability-level"
                out.append(Violation("stability-invalid", ptr,
                                     f"{method.upper()} {path}: x-stability-level {level!r} is not one of "
                                     f"{', '.join(STABILITY_LEVELS)}",
                                     "use draft, alpha, beta or stable"))
    return out
