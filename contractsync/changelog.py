"""The contract's history: ``changelog.json`` in, ``CHANGELOG.md`` / JSON / HTML out, and the
SemVer suggestion for the next release.

``changelog.json`` is the record (one release per accepted contract, newest first, each change with
its rule id, fingerprint, operations and, for breaking changes, the announcement's reason and
migration note). ``CHANGELOG.md`` is *derived* from it, deterministically, so it can be checked for
staleness and never drifts. The format is documented in ``docs/ci.md``.

SemVer (semver.org 2.0.0) is implemented here: a dozen lines do not justify a dependency.
Precedence follows §11; in major version zero the minor number plays the major's role.
"""

from __future__ import annotations

import html
import itertools
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from .diff.model import Change, Level
from .errors import InputError, SpecLoadError, describe_validation
from .io import atomic_write_text, read_project_text
from .spec.parse import check_depth, load_json
from .typescript.ident import escape_invisible

#: The two files the history is kept in, inside the contracts directory.
CHANGELOG_JSON = "changelog.json"
CHANGELOG_MD = "CHANGELOG.md"

FORMAT = "contractsync-changelog"
FORMAT_VERSION = 1

# --- SemVer --------------------------------------------------------------------------------------

_SEMVER_RE = re.compile(
    r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)"
    r"(?:-((?:0|[1-9]\d*|\d*[A-Za-z-][0-9A-Za-z-]*)(?:\.(?:0|[1-9]\d*|\d*[A-Za-z-][0-9A-Za-z-]*))*))?"
    r"(?:\+([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?$"
)


class Bump(StrEnum):
    """How much a release moves the version."""

    MAJOR = "major"
    MINOR = "minor"
    PATCH = "patch"
    NONE = "none"

    @property
    def rank(self) -> int:
        """Order of the kinds: none < patch < minor < major."""
        return _BUMP_RANK[self.value]

    def __str__(self) -> str:
        return self.value


_BUMP_RANK = {"none": 0, "patch": 1, "minor": 2, "major": 3}


@dataclass(frozen=True)
class Version:
    """A parsed semantic version."""

    major: int
    minor: int
    patch: int
    prerelease: tuple[str, ...] = ()
    build: str = ""

    @classmethod
    def parse(cls, text: str) -> Version | None:
        """The version spelled by ``text`` (a leading ``v`` is accepted), or None if not SemVer."""
        match = _SEMVER_RE.match(text.strip().removeprefix("v"))
        if not match:
            return None
        pre = tuple(match.group(4).split(".")) if match.group(4) else ()
        return cls(int(match.group(1)), int(match.group(2)), int(match.group(3)), pre, match.group(5) or "")

    def _key(self) -> tuple[int, int, int, int, tuple[tuple[int, int, str], ...]]:
        # A release (no pre-release) sorts after every pre-release of the same version (§11).
        pre = tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in self.prerelease)
        return (self.major, self.minor, self.patch, 0 if self.prerelease else 1, pre)

    def __lt__(self, other: Version) -> bool:
        return self._key() < other._key()

    def __le__(self, other: Version) -> bool:
        return self._key() <= other._key()

    def __gt__(self, other: Version) -> bool:
        return self._key() > other._key()

    def __ge__(self, other: Version) -> bool:
        return self._key() >= other._key()

    def bump(self, kind: Bump) -> Version:
        """The next release for a change of ``kind``.

        In major version zero (SemVer §4: "anything may change at any time") the minor number
        plays the major's role, as oasdiff and Cargo read it: a breaking change bumps
        0.y → 0.(y+1).0, anything else bumps the patch. Leaving 0.x for 1.0.0 is a human decision
        (``accept --version 1.0.0``), never a suggestion.
        """
        if kind is Bump.NONE:
            return self
        if self.major == 0:
            if kind is Bump.MAJOR:
                return Version(0, self.minor + 1, 0)
            return Version(0, self.minor, self.patch + 1)
        if kind is Bump.MAJOR:
            return Version(self.major + 1, 0, 0)
        if kind is Bump.MINOR:
            return Version(self.major, self.minor + 1, 0)
        return Version(self.major, self.minor, self.patch + 1)

    def bump_from(self, previous: Version) -> Bump:
        """What kind of bump ``previous`` → ``self`` is, read the way :meth:`bump` writes it."""
        if self <= previous:
            return Bump.NONE
        if self.major == 0 and previous.major == 0:
            return Bump.MAJOR if self.minor > previous.minor else Bump.PATCH
        if self.major > previous.major:
            return Bump.MAJOR
        if self.minor > previous.minor:
            return Bump.MINOR
        return Bump.PATCH

    def __str__(self) -> str:
        text = f"{self.major}.{self.minor}.{self.patch}"
        if self.prerelease:
            text += "-" + ".".join(self.prerelease)
        if self.build:
            text += "+" + self.build
        return text


def release_kind(version: str, bump: Bump) -> str:
    """How a release is named: by what its number did. In major version zero the breaking bump
    is a *minor* one (0.1.0 → 0.2.0), so it is a "minor release (breaking in 0.x)", never a
    "major release"."""
    parsed = Version.parse(version)
    if parsed is not None and parsed.major == 0 and bump is Bump.MAJOR:
        return "minor release (breaking in 0.x)"
    return f"{bump} release"


def is_major_bump(old: str, new: str) -> bool:
    """True when ``old`` → ``new`` (both SemVer) is a major bump (0.y → 0.(y+1) counts)."""
    a, b = Version.parse(old), Version.parse(new)
    return a is not None and b is not None and b.bump_from(a) is Bump.MAJOR


# --- classifying changes ---------------------------------------------------------------------------

Section = Literal["Added", "Changed", "Deprecated", "Removed", "Fixed", "Security"]
#: Keep a Changelog's order of sections within a release.
SECTIONS: tuple[Section, ...] = ("Added", "Changed", "Deprecated", "Removed", "Fixed", "Security")

# Rule ids and areas that only touch documentation (descriptions, summaries, examples, titles).
_DOC_ID_WORDS = ("description", "summary", "example", "title", "external-docs", "contact", "license",
                 "terms-of-service", "tag")
_DOC_AREAS = frozenset({"documentation", "docs", "metadata", "info"})
# Removals the engine reports below breaking because they were deprecated first: still removals.
_LIFECYCLE_REMOVAL = re.compile(r"removed-(?:after-sunset|with-deprecation|before-sunset)$")


def section_of(change: Change) -> Section:
    """The Keep a Changelog section a change belongs in.

    Security changes go under Security; deprecations (and sunset dates) under Deprecated;
    removals under Removed; additions under Added unless they break clients (a new *required*
    input), which Keep a Changelog 2.0 files under Changed with a ``**Breaking:**`` marker.
    """
    rid = change.id
    if change.area == "security" or "security" in rid:
        return "Security"
    if "removed" in rid:
        # Before the deprecation test: "api-removed-with-deprecation" is a removal.
        return "Removed"
    if ("deprecat" in rid or "sunset" in rid) and "reactivated" not in rid:
        return "Deprecated"
    if rid.endswith("-deleted"):
        return "Removed"
    if ("added" in rid or rid.startswith("new-")) and change.level is not Level.BREAKING:
        return "Added"
    return "Changed"


def is_documentation(change: Change) -> bool:
    """True for changes that only touch documentation (patch level)."""
    return change.area in _DOC_AREAS or any(word in change.id for word in _DOC_ID_WORDS)


def bump_for(change: Change) -> Bump:
    """The SemVer bump one change calls for.

    breaking → major, and so is removing something deprecated even when the policy allows it
    (SemVer's FAQ: deprecate in a minor release, remove in a major one); additions, deprecations and other compatible changes in behaviour →
    minor (SemVer §7); documentation only → patch. A *warning* ("possibly breaking": the
    document alone cannot decide) counts as minor; raise the rule to breaking in
    ``[tool.contractsync.diff]`` to make it count as major.
    """
    if change.level is Level.BREAKING or _LIFECYCLE_REMOVAL.search(change.id):
        return Bump.MAJOR
    if is_documentation(change) and section_of(change) not in ("Added", "Deprecated", "Removed", "Security"):
        return Bump.PATCH
    return Bump.MINOR


def suggest_bump(changes: Iterable[Change]) -> Bump:
    """The largest bump any of ``changes`` calls for (``none`` when there are none)."""
    best = Bump.NONE
    for change in changes:
        kind = bump_for(change)
        if kind.rank > best.rank:
            best = kind
    return best


def suggest_version(previous: str | None, changes: Iterable[Change]) -> str:
    """The next version after ``previous`` for ``changes`` (``0.1.0`` when there is no valid
    previous version)."""
    prev = Version.parse(previous) if previous else None
    kind = suggest_bump(changes)
    if prev is None:
        return "0.1.0"
    if kind is Bump.NONE:
        kind = Bump.PATCH
    return str(prev.bump(kind))


# --- the history model (changelog.json) ----------------------------------------------------------

class Note(BaseModel):
    """What an announcement says about a breaking change: why, and what clients should do."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    reason: str = Field(min_length=1)
    migration: str | None = None
    announced: str | None = Field(default=None, description="The date it was announced (YYYY-MM-DD).")


class Entry(BaseModel):
    """One change in a release."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(min_length=1, description="The rule id.")
    level: Level
    section: Section
    fingerprint: str = Field(pattern=r"^[0-9a-f]{6,64}$")
    message: str
    subject: str = ""
    detail: str = ""
    operations: list[str] = Field(default_factory=list)
    announcement: Note | None = None
    allowed_by: str | None = Field(
        default=None, description="Why an unannounced breaking change was allowed (sunset, stability, …)."
    )

    @property
    def breaking(self) -> bool:
        return self.level is Level.BREAKING


_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_SHA_RE = r"^[0-9a-f]{64}$"


class Release(BaseModel):
    """One accepted contract."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    version: str
    date: str
    title: str = ""
    info_version: str = Field(default="", description="The contract's info.version when accepted.")
    bump: Bump
    contract_sha256: str = Field(pattern=_SHA_RE)
    previous_sha256: str | None = Field(default=None, pattern=_SHA_RE)
    changes: list[Entry] = Field(default_factory=list)

    @field_validator("version")
    @classmethod
    def _semver(cls, value: str) -> str:
        if Version.parse(value) is None or value.startswith("v"):
            raise ValueError(f"{value!r} is not a semantic version (MAJOR.MINOR.PATCH)")
        return value

    @field_validator("date")
    @classmethod
    def _date(cls, value: str) -> str:
        import datetime as dt

        try:
            if not _DATE_RE.match(value):
                raise ValueError
            dt.date.fromisoformat(value)
        except ValueError:
            raise ValueError(f"{value!r} is not a date (YYYY-MM-DD)") from None
        return value

    @property
    def breaking(self) -> list[Entry]:
        return [e for e in self.changes if e.breaking]


class History(BaseModel):
    """The whole ``changelog.json``: every accepted contract, newest first."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    format: Literal["contractsync-changelog"] = "contractsync-changelog"
    format_version: Literal[1] = 1
    title: str = ""
    releases: list[Release] = Field(default_factory=list)

    @property
    def latest(self) -> Release | None:
        return self.releases[0] if self.releases else None

    def find(self, version: str) -> Release | None:
        """The release with exactly this version."""
        return next((r for r in self.releases if r.version == version), None)

    def since(self, version: str | None) -> list[Release]:
        """Releases newer than ``version`` (all of them for None), newest first.

        Raises :class:`InputError` when ``version`` is not a release in the history.
        """
        if version is None:
            return list(self.releases)
        for i, release in enumerate(self.releases):
            if release.version == version.removeprefix("v"):
                return list(self.releases[:i])
        known = ", ".join(r.version for r in self.releases[:8]) or "none"
        raise InputError(f"no release {version!r} in the changelog (releases: {known})")

    def after_contract(self, sha256: str) -> list[Release]:
        """Releases recorded after the release whose contract hashes to ``sha256``.

        All releases when none matches (the base is not a recorded release).
        """
        for i, release in enumerate(self.releases):
            if release.contract_sha256 == sha256:
                return list(self.releases[:i])
        return list(self.releases)

    def prepend(self, release: Release) -> History:
        """A new history with ``release`` as the newest."""
        return self.model_copy(update={"releases": [release, *self.releases],
                                       "title": release.title or self.title})


def entries_from_changes(
    changes: Sequence[Change],
    notes: dict[str, Note] | None = None,
    allowed_by: dict[str, str] | None = None,
) -> list[Entry]:
    """Changelog entries for ``changes``, with announcement notes / allowances by fingerprint."""
    notes = notes or {}
    allowed_by = allowed_by or {}
    out = []
    for change in changes:
        out.append(Entry(
            id=change.id,
            level=change.level,
            section=section_of(change),
            fingerprint=change.fingerprint,
            message=change.message,
            subject=change.location.subject,
            detail=change.location.detail,
            operations=list(change.operations),
            announcement=notes.get(change.fingerprint) if change.breaking else None,
            allowed_by=allowed_by.get(change.fingerprint) if change.breaking else None,
        ))
    return out


def load_history(path: Path) -> History:
    """Read and check ``changelog.json``; a missing file is an empty history.

    A file that is not valid JSON, does not follow the format, or whose releases do not chain
    (each release's ``previous_sha256`` is the next older release's ``contract_sha256``, versions
    strictly decreasing) raises :class:`InputError` naming the file and the place, and nothing is
    written: it was edited by hand or merged badly, and a person must decide.
    """
    text = read_project_text(path)
    if text is None:
        return History()
    fix = f"fix it or restore it from git (`git checkout -- {path.name}` in {path.parent})"
    try:
        # The loader every document goes through: one nesting limit, one message (#13).
        data = load_json(text.encode("utf-8"), source=str(path))
        check_depth(data, source=str(path), raw=text.encode("utf-8"))
    except SpecLoadError as exc:
        message = exc.message.replace("invalid JSON: ", "is not valid JSON: ", 1)
        raise InputError(f"{message}; {fix}", source=str(path), where=exc.where) from None
    if isinstance(data, dict) and data.get("format") not in (None, FORMAT):
        raise InputError(f"is not a contractsync changelog (format: {data.get('format')!r}); {fix}",
                         source=str(path), where="format")
    try:
        history = History.model_validate(data)
    except ValidationError as exc:
        where, msg, _ = describe_validation(exc)
        raise InputError(f"{msg}; {fix}", source=str(path), where=where) from None
    _check_chain(history, path, fix)
    return history


def check_history(history: History, path: Path) -> None:
    """Refuse (:class:`InputError`) a history that :func:`load_history` would refuse to read back:
    called before writing, so a bad release (a back-dated one, #13) is never recorded."""
    _check_chain(history, path, "nothing was written")


def _check_chain(history: History, path: Path, fix: str) -> None:
    releases = history.releases
    for i, (newer, older) in enumerate(itertools.pairwise(releases)):
        a, b = Version.parse(newer.version), Version.parse(older.version)
        assert a is not None and b is not None  # validated by Release
        if not a > b:
            raise InputError(
                f"release {newer.version} is listed before {older.version} but is not newer "
                f"(releases go newest first, versions strictly decreasing); {fix}",
                source=str(path), where=f"releases.{i}.version")
        if newer.date < older.date:
            raise InputError(f"release {newer.version} is dated before the older {older.version}; {fix}",
                             source=str(path), where=f"releases.{i}.date")
        if newer.previous_sha256 != older.contract_sha256:
            raise InputError(
                f"release {newer.version} does not follow release {older.version} (its previous_sha256 "
                f"is not that release's contract_sha256): a release was removed, reordered or edited; {fix}",
                source=str(path), where=f"releases.{i}.previous_sha256")
    versions = [r.version for r in releases]
    if len(set(versions)) != len(versions):
        raise InputError(f"a version appears twice; {fix}", source=str(path), where="releases")


def dump_history(history: History) -> str:
    """``changelog.json`` text: fixed key order, two-space indent, UTF-8, newline at end."""
    data = history.model_dump(mode="json")
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def write_history(path: Path, history: History) -> None:
    """Write ``changelog.json`` atomically."""
    atomic_write_text(path, dump_history(history))


# --- renderers -----------------------------------------------------------------------------------

def _grouped(release: Release) -> list[tuple[Section, list[Entry]]]:
    groups: list[tuple[Section, list[Entry]]] = []
    for section in SECTIONS:
        entries = [e for e in release.changes if e.section == section]
        # Breaking entries first within a section: they are what a reader must not miss.
        entries.sort(key=lambda e: (not e.breaking, e.subject, e.message, e.fingerprint))
        if entries:
            groups.append((section, entries))
    return groups


def _md_code(text: str) -> str:
    fence = "``" if "`" in text else "`"
    pad = " " if "`" in text else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def render_markdown(history: History, releases: Sequence[Release] | None = None, *,
                    contract_name: str = "openapi.json", provenance: str | None = None) -> str:
    """``CHANGELOG.md``: Keep a Changelog style, newest release first, one section per kind of
    change, a ``**Breaking:**`` marker with the announcement's reason and migration note on every
    breaking entry, and the operations each change affects. Deterministic for a given history.
    ``provenance`` replaces the sentence saying where the file comes from (the registry's stored
    copy is generated from what was published, not from a ``changelog.json``).
    """
    title = _md_inline(history.title or "API")
    lines = [
        f"# Changelog: {title}",
        "",
        f"All notable changes to the HTTP API described by `{contract_name}`, newest first.",
        "The format follows [Keep a Changelog](https://keepachangelog.com/en/1.1.0/) and versions follow",
        "[Semantic Versioning](https://semver.org/spec/v2.0.0.html).",
        "",
        *(provenance.splitlines() if provenance is not None else [
            "This file is generated by contractsync from `changelog.json`: do not edit it by hand (edit",
            "`changelog.json` and run `contractsync changelog --write`)."]),
    ]
    for release in history.releases if releases is None else releases:
        lines += ["", f"## [{release.version}] - {release.date}", ""]
        count = len(release.breaking)
        if count:
            lines += [f"{count} breaking change{'s' if count != 1 else ''}; "
                      f"see the entries marked **Breaking:**.", ""]
        if not release.changes:
            lines += ["Only changes the diff does not classify (such as x- extensions)." if release.previous_sha256
                      else "First recorded contract."]
        for section, entries in _grouped(release):
            lines += [f"### {section}", ""]
            for entry in entries:
                lines += _md_entry(entry)
            lines.append("")
        while lines and lines[-1] == "":
            lines.pop()
    return "\n".join(lines) + "\n"


def _md_entry(entry: Entry) -> list[str]:
    marker = "**Breaking:** " if entry.breaking else ""
    where = f"{_md_inline(entry.subject)}: " if entry.subject and entry.subject not in entry.message else ""
    out = [f"- {marker}{where}{_md_inline(entry.message)}"]
    if entry.announcement is not None:
        out.append(f"  - Why: {_md_text(entry.announcement.reason)}")
        if entry.announcement.migration:
            out.append(f"  - Migration: {_md_text(entry.announcement.migration)}")
    elif entry.allowed_by:
        out.append(f"  - Allowed without announcement: {_md_inline(entry.allowed_by)}")
    tail = f"rule {_md_code(entry.id)}, fingerprint {_md_code(entry.fingerprint)}"
    if entry.operations:
        ops = ", ".join(_md_code(op) for op in entry.operations)
        out.append(f"  - Operations: {ops} ({tail})")
    else:
        out.append(f"  - ({tail})")
    return out


def _one_line(text: str) -> str:
    return " ".join(text.split())


_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|&~])")


def _md_text(text: str) -> str:
    """Text a person wrote (an announcement's reason, a migration note) as inert Markdown on one
    line: every character Markdown or inline HTML would act on is backslash-escaped, so a reason
    cannot inject a link, an image, HTML or table syntax into ``CHANGELOG.md`` (#13)."""
    return _MD_SPECIAL.sub(r"\\\1", escape_invisible(_one_line(text)))


def escape_html(text: str) -> str:
    """``text`` for HTML: markup escaped, and bidirectional overrides and zero-width characters
    shown as ``\\uXXXX`` (as in generated TypeScript, #13): a reason or a path cannot make a page
    display something else than it says."""
    return html.escape(escape_invisible(text))


_MD_MARKUP = re.compile(r"([\\<>&\[\]])")


def _md_inline(text: str) -> str:
    """Text taken from the contract (its title, paths, names, descriptions in change messages) on
    one line, with what would make Markdown emit HTML or a link escaped (``\\ < > & [ ]``): a
    path or description cannot inject markup into ``CHANGELOG.md`` either. Emphasis characters
    are left alone, so the file of an ordinary contract reads (and compares) as before."""
    return _MD_MARKUP.sub(r"\\\1", escape_invisible(_one_line(text)))


def render_json(history: History, releases: Sequence[Release] | None = None) -> str:
    """The history (or the given releases of it) in the ``changelog.json`` format."""
    subset = history if releases is None else history.model_copy(update={"releases": list(releases)})
    return dump_history(subset)


def operation_anchor(operation: str) -> str:
    """A stable HTML id for an operation (``"GET /books/{id}"`` → ``"op-get-books-id"``)."""
    slug = re.sub(r"[^a-z0-9]+", "-", operation.lower()).strip("-")
    return f"op-{slug}"


_CSS = """
body{font:15px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif;max-width:60rem;margin:2rem auto;
padding:0 1rem;color:#1f2328;background:#fff}
h1{font-size:1.7rem;margin-bottom:.2rem}h2{border-bottom:1px solid #d0d7de;padding-bottom:.3rem;
margin-top:2.2rem}h3{font-size:1rem;text-transform:uppercase;letter-spacing:.04em;color:#57606a}
ul{padding-left:1.2rem}li{margin:.5rem 0}code{font:13px ui-monospace,SFMono-Regular,Menlo,monospace;
background:#f6f8fa;padding:.1rem .3rem;border-radius:4px}
li.breaking{border-left:4px solid #cf222e;background:#fff5f5;padding:.4rem .6rem;list-style:none;
margin-left:-1.2rem}.tag{display:inline-block;font-size:.75rem;font-weight:700;color:#fff;
background:#cf222e;border-radius:3px;padding:0 .35rem;margin-right:.4rem}
.meta{color:#57606a;font-size:.85rem}.summary{color:#cf222e;font-weight:600}
nav a{margin-right:.8rem}a{color:#0969da;text-decoration:none}a:hover{text-decoration:underline}
table{border-collapse:collapse}td{padding:.2rem .8rem .2rem 0;vertical-align:top}
@media (prefers-color-scheme:dark){body{background:#0d1117;color:#e6edf3}code{background:#161b22}
li.breaking{background:#2d1417}h2{border-color:#30363d}.meta,h3{color:#8d96a0}a{color:#4493f8}}
""".strip()


def render_html(history: History, releases: Sequence[Release] | None = None) -> str:
    """One self-contained HTML page (inline CSS, no scripts, no external resources): breaking
    changes highlighted, every operation linked to an index of the releases that touched it."""
    chosen = list(history.releases if releases is None else releases)
    e = escape_html
    title = history.title or "API"
    out = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>Changelog: {e(title)}</title>",
        f"<style>{_CSS}</style>",
        "</head>",
        "<body>",
        f"<h1>Changelog: {e(title)}</h1>",
        '<p class="meta">Generated by contractsync from changelog.json. Versions follow '
        '<a href="https://semver.org/spec/v2.0.0.html">Semantic Versioning</a>; sections follow '
        '<a href="https://keepachangelog.com/en/1.1.0/">Keep a Changelog</a>.</p>',
    ]
    if chosen:
        out.append("<nav>" + "".join(
            f'<a href="#v{e(r.version)}">{e(r.version)}</a>' for r in chosen) +
            '<a href="#operations">Operations</a></nav>')
    else:
        out.append("<p>No releases in this range.</p>")
    touched: dict[str, list[str]] = {}
    for release in chosen:
        kind = "first release" if release.previous_sha256 is None else release_kind(release.version, release.bump)
        out.append(f'<h2 id="v{e(release.version)}">{e(release.version)} '
                   f'<span class="meta">{e(release.date)} · {e(kind)}</span></h2>')
        count = len(release.breaking)
        if count:
            out.append(f'<p class="summary">{count} breaking change{"s" if count != 1 else ""}</p>')
        if not release.changes:
            out.append("<p>Only changes the diff does not classify (such as x- extensions).</p>" if release.previous_sha256
                       else "<p>First recorded contract.</p>")
        for section, entries in _grouped(release):
            out.append(f"<h3>{section}</h3>")
            out.append("<ul>")
            for entry in entries:
                for op in entry.operations:
                    versions = touched.setdefault(op, [])
                    if release.version not in versions:
                        versions.append(release.version)
                out.append(_html_entry(entry))
            out.append("</ul>")
    if chosen:
        out.append('<h2 id="operations">Operations</h2>')
        out.append("<table>")
        for op in sorted(touched):
            links = ", ".join(f'<a href="#v{e(v)}">{e(v)}</a>' for v in touched[op])
            out.append(f'<tr id="{operation_anchor(op)}"><td><code>{e(op)}</code></td><td>{links}</td></tr>')
        out.append("</table>")
    out += ["</body>", "</html>"]
    return "\n".join(out) + "\n"


def _html_entry(entry: Entry) -> str:
    e = escape_html
    parts = []
    if entry.breaking:
        parts.append('<span class="tag">Breaking</span>')
    if entry.subject and entry.subject not in entry.message:
        parts.append(f"{e(entry.subject)}: ")
    parts.append(e(_one_line(entry.message)))
    if entry.announcement is not None:
        parts.append(f"<br><strong>Why:</strong> {e(_one_line(entry.announcement.reason))}")
        if entry.announcement.migration:
            parts.append(f"<br><strong>Migration:</strong> {e(_one_line(entry.announcement.migration))}")
    elif entry.allowed_by:
        parts.append(f"<br><strong>Allowed without announcement:</strong> {e(_one_line(entry.allowed_by))}")
    ops = ", ".join(f'<a href="#{operation_anchor(op)}"><code>{e(op)}</code></a>' for op in entry.operations)
    meta = f"rule <code>{e(entry.id)}</code> · fingerprint <code>{e(entry.fingerprint)}</code>"
    parts.append(f'<br><span class="meta">{"Operations: " + ops + " · " if ops else ""}{meta}</span>')
    cls = ' class="breaking"' if entry.breaking else ""
    return f"<li{cls}>{''.join(parts)}</li>"
