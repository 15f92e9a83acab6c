"""What every renderer shares: the fail-on threshold, grouping, ordering and source locations."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Literal

from ..diff.model import DOCUMENTATION_CHANGED, Change, Level, Report
from ..spec.document import Position

FailOn = Literal["breaking", "warning", "info", "never"]
FAIL_ON_VALUES: tuple[FailOn, ...] = ("breaking", "warning", "info", "never")

#: Levels from worst to mildest: the order every renderer lists changes in.
LEVELS: tuple[Level, ...] = (Level.BREAKING, Level.WARNING, Level.INFO)


def threshold(fail_on: FailOn | str) -> Level | None:
    """The lowest level that fails a run, or None for ``never``."""
    if fail_on == "never":
        return None
    try:
        return Level(fail_on)
    except ValueError:
        raise ValueError(f"fail-on must be one of {', '.join(FAIL_ON_VALUES)}, not {fail_on!r}") from None


def fails(change: Change, fail_on: FailOn | str) -> bool:
    """True when ``change`` is at or above the ``fail_on`` threshold (documentation-only edits
    never are)."""
    level = threshold(fail_on)
    return (level is not None and change.level.rank >= level.rank
            and change.id != DOCUMENTATION_CHANGED)


def failing(report: Report, fail_on: FailOn | str) -> list[Change]:
    """The changes that make a run with ``fail_on`` fail (exit code 1)."""
    level = threshold(fail_on)
    return [] if level is None else report.at_or_above(level)


def plural(n: int, word: str, suffix: str = "s") -> str:
    return f"{n} {word}{'' if n == 1 else suffix}"


def summary_line(report: Report) -> str:
    """What was compared and found, in one line, the same in every format:
    ``3 breaking, 1 warning, 5 info (9 changes)``, ``no API changes (2 documentation-only
    edits)``, ``no changes``, or ``no base contract to compare with: …``."""
    if report.no_base:
        return f"no base contract to compare with: {report.no_base}"
    everything = report.all_changes
    if not report.api_changes:
        if report.doc_edits:
            return f"no API changes ({plural(report.doc_edits, 'documentation-only edit')})"
        return "no changes"
    counts = report.counts()
    line = (
        f"{counts[Level.BREAKING]} breaking, {plural(counts[Level.WARNING], 'warning')}, "
        f"{counts[Level.INFO]} info ({plural(len(everything), 'change')})"
    )
    if report.hidden:
        line += f"; {len(report.hidden)} below the display level not listed"
    return line


@dataclass(frozen=True)
class Group:
    """The changes reported at one subject: an operation (``GET /books``) or a component."""

    subject: str
    changes: tuple[Change, ...]

    @property
    def level(self) -> Level:
        return max((c.level for c in self.changes), key=lambda lv: lv.rank)

    @property
    def is_operation(self) -> bool:
        return not self.subject.startswith("components")

    @property
    def operations(self) -> tuple[str, ...]:
        """Every operation the group's changes affect (sorted)."""
        return tuple(sorted({op for c in self.changes for op in c.operations}))


def ordered(changes: Iterable[Change]) -> list[Change]:
    """Worst level first; the engine's (deterministic) order within a level."""
    return sorted(changes, key=lambda c: -c.level.rank)


def groups(report: Report | Iterable[Change]) -> list[Group]:
    """Changes grouped by subject: groups with breaking changes first, then operations before
    components, then by name; changes inside a group worst first."""
    by_subject: dict[str, list[Change]] = {}
    for change in report:
        by_subject.setdefault(change.location.subject, []).append(change)
    out = [Group(subject, tuple(ordered(changes))) for subject, changes in by_subject.items()]
    out.sort(key=lambda g: (-g.level.rank, not g.is_operation, _subject_sort_key(g.subject)))
    return out


def _subject_sort_key(subject: str) -> tuple[str, str]:
    # "GET /books" sorts by path first, so the methods of one path stay together.
    method, _, path = subject.partition(" ")
    return (path, method) if path.startswith("/") else (subject, "")


Side = Literal["base", "revision"]


@dataclass(frozen=True)
class Anchor:
    """Where a change points in the source files: the revision side, or the base side for a
    removal (the element no longer exists in the revision)."""

    side: Side
    pointer: str | None
    position: Position | None


#: For changes that exist only on a side without a file (an addition in an app export): where the
#: nearest enclosing element sits in the base file, by fingerprint (see ``nearest_in_base``).
Near = Mapping[str, tuple[str, Position]]


def anchor(change: Change, files: dict[Side, str | None] | None = None, near: Near | None = None) -> Anchor:
    """The revision side, or the base side for a removal.

    With ``files``: a change whose revision side is not a file (an app export) but whose base
    side is falls back to the base side, so an annotation still lands on a line of the stored
    contract; an addition there (no base element) falls back to ``near``, the nearest enclosing
    element in the base file (the operation a new parameter was added to).
    """
    loc = change.location
    revision = Anchor("revision", loc.revision, loc.revision_position)
    base = Anchor("base", loc.base, loc.base_position)
    if loc.revision is None:
        return base
    if files is not None and not files["revision"] and files["base"]:
        if loc.base is not None:
            return base
        if near is not None and change.fingerprint in near:
            pointer, position = near[change.fingerprint]
            return Anchor("base", pointer, position)
    return revision


@dataclass(frozen=True)
class RenderContext:
    """What a format needs besides the report: the fail-on threshold, the repository files that
    positions refer to (``None``: derived from the report's sources), and ``near`` anchors."""

    fail_on: str = "breaking"
    base_file: str | None = None
    revision_file: str | None = None
    near: Near | None = None

    def files(self, report: Report) -> dict[Side, str | None]:
        """The file each side's positions refer to (see :func:`files_for`)."""
        return files_for(report, self.base_file, self.revision_file)


#: The context of a plain rendering: fail on breaking, files derived from the report's sources.
DEFAULT_CONTEXT = RenderContext()


def file_of(source: str) -> str | None:
    """The repository file a source names, for annotations; None for apps, stdin and URLs.

    A local file is named relative to the repository root (normalised); a git revision
    ``origin/main:contracts/openapi.json`` names ``contracts/openapi.json`` (its path is already
    relative to the root once read, see :func:`contractsync.spec.source.read_git`).
    """
    if not source or source == "<stdin>" or source.startswith(("app ", "app:", "http://", "https://")):
        return None
    from pathlib import Path

    from ..io import repo_path

    if Path(source).exists():
        return repo_path(Path(source))
    rev, sep, path = source.partition(":")
    if sep and rev and path and not (len(rev) == 1 and rev.isalpha()):
        return path
    return source


def files_for(report: Report, base_file: str | None, revision_file: str | None) -> dict[Side, str | None]:
    """The file each side's positions refer to (explicit values win over the report's sources)."""
    return {
        "base": base_file if base_file is not None else file_of(report.base_source),
        "revision": revision_file if revision_file is not None else file_of(report.revision_source),
    }


def full_message(change: Change) -> str:
    """The message with its subject and detail, each added only when the message lacks it
    (engine messages usually start with the subject already)."""
    message = change.message
    subject = change.location.subject
    if subject and not message.startswith(subject):
        message = f"{subject}: {message}"
    detail = change.location.detail
    if detail and detail not in message:
        message += f" ({detail})"
    return message


def short_message(change: Change) -> str:
    """The message without its leading subject, for layouts that show the subject already
    (a group header, a "Where" column)."""
    message = change.message
    subject = change.location.subject
    if subject and message.startswith(subject):
        rest = message[len(subject):].lstrip(":").strip()
        if rest:
            return rest
    return message


def extra_detail(change: Change) -> str:
    """The location detail when the message does not already say it ("" otherwise)."""
    detail = change.location.detail
    return detail if detail and detail not in change.message else ""
