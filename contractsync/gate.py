"""The CI gate: the library behind ``contractsync check``, ``announce`` and ``accept``.

:func:`check` answers "may this branch merge?":

1. the committed contract is current with the code (else: run ``contractsync accept``);
2. against the base contract (``--base``, ``[tool.contractsync.policy] base``, or in git the merge
   base with the default branch) every breaking change is announced or allowed by policy
   (:mod:`contractsync.policy`);
3. the committed types and changelog are what the committed contract and history generate.

:func:`accept` records a release: stored contract, TypeScript types, ``changelog.json`` and
``CHANGELOG.md``, under a file lock so two racing accepts serialize. :func:`announce` writes
announcements. Everything each step writes is written atomically.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import orjson

from .announce import (
    Announcement,
    AnnouncementFile,
    announcements_path,
    load_announcements,
    save_announcements,
)
from .changelog import (
    CHANGELOG_JSON,
    CHANGELOG_MD,
    Bump,
    History,
    Note,
    Release,
    Version,
    check_history,
    entries_from_changes,
    load_history,
    render_markdown,
    suggest_bump,
    write_history,
)
from .config import Config
from .contract import operations, summarize_differences
from .diff.model import Change, Direction, Level, Location, Report, fingerprint
from .errors import CheckFailed, InputError, SpecLoadError
from .io import atomic_write_bytes, atomic_write_text, display_path, repo_path
from .policy import Decision, PolicyConfig, PolicyResult, Violation, evaluate
from .render._common import summary_line
from .spec.canonical import canonical_json
from .spec.document import Document
from .spec.source import AppSource, FileSource, GitSource, Source, load_spec, parse_source

TYPES_TS = "types.ts"
LOCK_FILE = ".contractsync.lock"
#: Seconds ``accept`` waits for another ``accept`` to finish before giving up.
LOCK_TIMEOUT = 300.0
#: Branches tried, in order, for the default base when none is configured.
DEFAULT_BRANCHES = ("origin/HEAD", "origin/main", "origin/master", "main", "master")

BlockerKind = Literal["missing-contract", "stale-contract", "unannounced-breaking", "before-sunset",
                      "deprecation-policy", "stale-types", "missing-release", "stale-changelog",
                      "frontend-breaks"]


# --- results -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Blocker:
    """One reason ``check`` fails, with the exact fix."""

    kind: BlockerKind
    message: str
    fix: str
    details: tuple[str, ...] = ()
    fingerprint: str | None = None
    file: Path | None = None
    line: int | None = None
    column: int | None = None


@dataclass
class GateResult:
    """What :func:`check` found."""

    blockers: list[Blocker] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    """What was checked or skipped, for the reader."""
    base: str | None = None
    """The base contract compared against, as named to the user (None: no base)."""
    report: Report | None = None
    """The classified changes base → code (None without a base)."""
    policy: PolicyResult | None = None
    contract_current: bool | None = None
    """None when there was no app to compare with."""

    @property
    def ok(self) -> bool:
        return not self.blockers

    @property
    def headline(self) -> str:
        """``OK`` / ``BLOCKED (n problems)``; without a base contract it says so (nothing was
        compared, which is not "no changes"), and a base with only documentation edits says
        ``no API changes (N documentation-only edits)``."""
        n = len(self.blockers)
        verdict = "OK" if self.ok else f"BLOCKED ({n} problem{'s' if n != 1 else ''})"
        if self.report is None:
            return f"{verdict} — no base contract to compare with: breaking changes were not checked"
        if not self.report.api_changes:
            return f"{verdict} — {summary_line(self.report)}"
        return verdict

    @property
    def allowed(self) -> list[Decision]:
        """Breaking changes that pass (announced or allowed by policy)."""
        return [d for d in self.policy.decisions if d.allowed] if self.policy else []

    def to_dict(self) -> dict[str, Any]:
        """JSON form (``check --format json``)."""
        return {
            "ok": self.ok,
            "headline": self.headline,
            "base": self.base,
            "contract_current": self.contract_current,
            "blockers": [{
                "kind": b.kind, "message": b.message, "fix": b.fix, "details": list(b.details),
                "fingerprint": b.fingerprint,
                "file": repo_path(b.file) if b.file else None, "line": b.line, "column": b.column,
            } for b in self.blockers],
            "allowed": [{"fingerprint": d.change.fingerprint, "id": d.change.id, "reason": d.reason,
                         "detail": d.detail} for d in self.allowed],
            "changes": [c.to_dict() for c in self.report] if self.report is not None else [],
            "notes": self.notes,
        }


@dataclass
class AcceptResult:
    """What :func:`accept` did."""

    release: Release | None
    """The recorded release (None when the contract was already recorded)."""
    written: list[Path] = field(default_factory=list)
    suggested_version: str | None = None
    warnings: list[str] = field(default_factory=list)


# --- small helpers -------------------------------------------------------------------------------

def today_of(now: dt.datetime | dt.date | None) -> dt.date:
    """The civil date of ``now`` (UTC today when None)."""
    if now is None:
        return dt.datetime.now(dt.UTC).date()
    if isinstance(now, dt.datetime):
        return now.date()
    return now


def _as_datetime(now: dt.datetime | dt.date | None) -> dt.datetime:
    if now is None:
        return dt.datetime.now(dt.UTC)
    if isinstance(now, dt.datetime):
        return now if now.tzinfo else now.replace(tzinfo=dt.UTC)
    return dt.datetime(now.year, now.month, now.day, tzinfo=dt.UTC)


def canonical_document(doc: Document) -> Document:
    """``doc`` as the stored contract holds it: canonical bytes, and data in canonical key order
    (the TypeScript generator follows the document's order, so types generated from a fresh
    export and from the stored file must see the same order)."""
    raw = canonical_json(doc.data)
    return Document(orjson.loads(raw), doc.source, raw=raw, format="json", path=doc.path,
                    warnings=list(doc.warnings))


def app_source_of(cfg: Config) -> AppSource | None:
    """The configured app as a source (None when no app is configured)."""
    if not cfg.app:
        return None
    return AppSource(cfg.app, app_dir=cfg.app_dir_path, timeout=cfg.export_timeout, python=cfg.app_python())


def run_diff(old: Document, new: Document, *, now: dt.datetime, cfg: Config | None = None) -> Report:
    """Diff ``old`` → ``new`` as ``contractsync diff`` does, applying ``[tool.contractsync.diff]``
    (per-rule levels and ignores by fingerprint, with reason and expiry) when given a config."""
    from .diff.compare import compare
    from .diff.options import DiffOptions

    return compare(old, new, options=DiffOptions(now=now.date()),
                   settings=cfg.diff if cfg is not None else None,
                   config_file=str(cfg.file) if cfg is not None and cfg.file else None).report


def judge(base: Document, head: Document, *, now: dt.datetime, policy: PolicyConfig,
          announced: Mapping[str, Note], cfg: Config | None = None) -> tuple[Report, PolicyResult]:
    """The gate's verdict on ``base`` → ``head``: the classified changes (with ``cfg``'s diff
    levels and ignores) and the policy's decision on each breaking one. ``check`` and the
    registry's publish both judge through here, so they never disagree."""
    report = run_diff(base, head, now=now, cfg=cfg)
    verdict = evaluate(report.changes, base.data, head.data, policy=policy, today=now.date(),
                       announced=announced)
    return report, verdict


def generate_types(doc: Document, cfg: Config) -> str:
    """The TypeScript types for ``doc`` (``contractsync.typescript.to_typescript``)."""
    from .typescript import to_typescript

    return to_typescript(doc, cfg.typescript)


def types_targets(cfg: Config) -> list[Path]:
    """Where the types go: ``<contracts_dir>/types.ts`` and the configured frontend copy."""
    targets = [cfg.contracts_path / TYPES_TS]
    if cfg.frontend_types:
        targets.append(cfg.root / cfg.frontend_types)
    return targets


def _read_bytes(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror}", source=str(path)) from None


def _git(args: Sequence[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=False)
    except FileNotFoundError:
        raise InputError("git is not installed; pass the base contract with --base FILE") from None


# --- the base contract ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Base:
    """The contract to gate against, and how it was found."""

    source: Source | None
    label: str
    """How it is named to the user."""
    note: str = ""


def resolve_base(cfg: Config, base: str | None = None, policy: PolicyConfig | None = None) -> Base:
    """The base contract: ``base`` (any spec source), else ``[tool.contractsync.policy] base``,
    else, in git, the contract at the merge base of HEAD and the default branch.

    Raises :class:`InputError` when git cannot find the merge base (a shallow clone: the message
    says what to fetch).
    """
    pol = policy or cfg.policy
    spec = base or pol.base
    if spec:
        src = parse_source(spec, cwd=Path.cwd())
        return Base(src, str(src))
    top_proc = _git(["rev-parse", "--show-toplevel"], cfg.root)
    if top_proc.returncode != 0:
        reason = (top_proc.stderr.strip().splitlines() or [""])[0]
        if "not a git repository" not in reason:
            # e.g. "detected dubious ownership" in a CI container: skipping the check silently
            # would let every breaking change through.
            raise InputError(f"git cannot read the repository to find the base: {reason}; "
                             "fix that or pass --base", source=str(cfg.root))
        return Base(None, "", "not in a git repository and no --base given: breaking changes were not "
                    "checked (pass --base FILE|URL|REV:path)")
    top = Path(top_proc.stdout.strip())
    branches = [pol.default_branch] if pol.default_branch else list(DEFAULT_BRANCHES)
    # A clone made with `--branch feature` points origin/HEAD at the feature branch itself, which
    # is no base at all: skip origin/HEAD when it names the branch we are on.
    current = _git(["rev-parse", "--abbrev-ref", "HEAD"], top).stdout.strip()
    origin_head = _git(["symbolic-ref", "--quiet", "--short", "refs/remotes/origin/HEAD"], top).stdout.strip()
    found = None
    for ref in branches:
        assert ref is not None
        if ref == "origin/HEAD" and origin_head == f"origin/{current}":
            continue
        if _git(["rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"], top).returncode == 0:
            found = ref
            break
    shallow = _git(["rev-parse", "--is-shallow-repository"], top).stdout.strip() == "true"
    if found is None:
        if shallow:
            raise InputError(
                f"cannot find the base branch ({', '.join(b or '' for b in branches)}) in this shallow "
                "clone: fetch it (`git fetch origin main`, or `fetch-depth: 0` in actions/checkout) "
                "or pass --base REV:path")
        return Base(None, "", f"no default branch found ({', '.join(b or '' for b in branches)}): breaking "
                    "changes were not checked (pass --base REV:path)")
    merge = _git(["merge-base", "HEAD", found], top)
    if merge.returncode != 0 or not merge.stdout.strip():
        hint = ("this is a shallow clone, so the history that joins them is missing: fetch it "
                "(`git fetch --unshallow`, or `fetch-depth: 0` in actions/checkout)") if shallow else \
            "the branches share no history"
        raise InputError(f"cannot find the merge base of HEAD and {found}: {hint}; or pass --base REV:path")
    sha = merge.stdout.strip()
    try:
        rel = cfg.contract_file.resolve().relative_to(top.resolve()).as_posix()
    except ValueError:
        return Base(None, "", f"{cfg.contract_file} is outside the git repository: pass --base")
    if _git(["cat-file", "-e", f"{sha}:{rel}"], top).returncode != 0:
        return Base(None, "", f"{rel} does not exist at the merge base with {found} ({sha[:12]}): "
                    "a new contract has no breaking changes to check")
    return Base(GitSource(sha, rel, cwd=top), f"{rel} at the merge base with {found} ({sha[:12]})")


def load_base(base: Base) -> Document | None:
    """Load the base contract; a missing git revision gets a message saying to fetch it."""
    if base.source is None:
        return None
    try:
        return load_spec(base.source)
    except SpecLoadError as exc:
        hint = ""
        if isinstance(base.source, GitSource) and "not found" in exc.message and "fetch" not in exc.message:
            hint = (f"; fetch it first (`git fetch origin {base.source.rev.split('/', 1)[-1]}`; in GitHub "
                    "Actions use `fetch-depth: 0` in actions/checkout)")
        raise InputError(f"cannot read the base contract: {exc.message}{hint}", source=exc.source,
                         where=exc.where) from None


# --- announcements and history -------------------------------------------------------------------

def announced_notes(cfg: Config, base_doc: Document | None, history: History,
                    pending: AnnouncementFile) -> dict[str, Note]:
    """Fingerprint → note for every breaking change announced since the base: pending
    announcements plus those recorded by releases newer than the base contract."""
    notes: dict[str, Note] = {}
    releases = history.after_contract(base_doc.sha256) if base_doc is not None else history.releases
    for release in reversed(releases):
        for entry in release.changes:
            if entry.announcement is not None:
                notes[entry.fingerprint] = entry.announcement
    for item in pending.announcements:
        notes[item.fingerprint] = item.note()
    return notes


def _locate(doc: Document | None, pointers: Sequence[str | None]) -> tuple[int | None, int | None]:
    """Line/column of the first pointer (or nearest existing parent) found in ``doc``."""
    if doc is None:
        return None, None
    for pointer in pointers:
        if pointer is None:
            continue
        current = pointer
        while True:
            with contextlib.suppress(Exception):
                pos = doc.locate(current)
                if pos is not None:
                    return pos.line, pos.column
            if not current:
                break
            current = current.rsplit("/", 1)[0]
    return None, None


def announce_command(fingerprints: Sequence[str]) -> str:
    """The command a person runs to announce ``fingerprints``."""
    return (f"contractsync announce {' '.join(fingerprints)} --reason \"why this break is intended\" "
            "--migration \"what clients should do instead\"")


def _decision_blocker(d: Decision, contract: Document | None, contract_path: Path, current: bool,
                      root: Path) -> Blocker:
    c = d.change
    # A stale committed contract still reads like the base, so the base pointer locates better there.
    pointers = [c.location.revision, c.location.base] if current else [c.location.base, c.location.revision]
    line, column = _locate(contract, pointers)
    subject = c.location.subject
    details = [c.message if subject and subject in c.message else f"{c.location}: {c.message}"]
    if c.operations:
        details.append("operations: " + ", ".join(c.operations))
    if line is not None:
        details.append(f"at {display_path(contract_path, root)}:{line}:{column}")
    if d.reason == "before-sunset":
        return Blocker("before-sunset", f"{c.id} before its sunset (fingerprint {c.fingerprint}): {d.detail}",
                       "keep it until the sunset date has passed (the gate allows the removal from then on); "
                       "to break the promise anyway, ignore the fingerprint with a reason in "
                       "[tool.contractsync.diff]", tuple(details), c.fingerprint, contract_path, line, column)
    return Blocker("unannounced-breaking",
                   f"breaking change not announced: {c.id} (fingerprint {c.fingerprint})"
                   + (f"; {d.detail.removeprefix('breaking change not announced ')}" if "deprecated" in d.detail
                      else ""),
                   announce_command([c.fingerprint]), tuple(details), c.fingerprint, contract_path, line, column)


def _violation_blocker(v: Violation, contract: Document | None, contract_path: Path) -> Blocker:
    line, column = _locate(contract, [v.pointer])
    return Blocker("deprecation-policy", v.message, v.fix, (), None, contract_path, line, column)


# --- check ---------------------------------------------------------------------------------------

def check(
    cfg: Config,
    *,
    base: str | None = None,
    now: dt.datetime | dt.date | None = None,
    app: Source | None = None,
    policy: PolicyConfig | None = None,
    frontend: Path | None = None,
    frontend_options: Mapping[str, Any] | None = None,
) -> GateResult:
    """Run the gate; never writes. See the module docstring for the three checks.

    ``policy`` overrides ``[tool.contractsync.policy]`` (the CLI's policy flags). With
    ``frontend`` (a directory), the frontend's own type-check also runs with the base's and the
    code's types (:func:`contractsync.impact.analyse`, given ``frontend_options`` as keyword
    arguments); every new compiler error blocks, on the frontend file and line.
    """
    pol = policy or cfg.policy
    now_dt = _as_datetime(now)
    result = GateResult()
    contract_path = cfg.contract_file
    shown = display_path(contract_path, cfg.root)
    committed: Document | None = None
    if contract_path.exists():
        committed = load_spec(FileSource(contract_path))
    else:
        result.blockers.append(Blocker("missing-contract", f"{shown} does not exist",
                                       "contractsync init --app pkg.module:app (then contractsync accept)"))

    # The base first: a base that cannot be read (a shallow clone) fails before the slow export.
    history = load_history(cfg.contracts_path / CHANGELOG_JSON)
    pending = load_announcements(announcements_path(cfg.contracts_path))
    base_info = resolve_base(cfg, base, pol)
    if base_info.note:
        result.notes.append(base_info.note)
    base_doc = load_base(base_info)

    # 1. The committed contract is current with the code.
    source = app or app_source_of(cfg)
    head = committed
    if source is None:
        result.notes.append("no app configured: the contract was not compared with the code")
    else:
        head = canonical_document(load_spec(source))
        if committed is not None:
            current = committed.raw == head.raw
            result.contract_current = current
            if current:
                result.notes.append(f"{shown} is current with {source}")
            else:
                result.blockers.append(Blocker(
                    "stale-contract", f"{shown} is stale against the code ({source})",
                    "contractsync accept", tuple(summarize_differences(committed.data, head.data)),
                    file=contract_path))

    # 2. Against the base: every breaking change announced or allowed by policy.
    if base_doc is not None and head is not None:
        result.base = base_info.label
        notes = announced_notes(cfg, base_doc, history, pending)
        report, verdict = judge(base_doc, head, now=now_dt, policy=pol, announced=notes, cfg=cfg)
        result.report = report
        result.notes.extend(report.warnings)
        result.policy = verdict
        current = result.contract_current is not False
        for decision in verdict.blocking:
            result.blockers.append(_decision_blocker(decision, committed, contract_path, current, cfg.root))
        for violation in verdict.violations:
            result.blockers.append(_violation_blocker(violation, committed if current else None, contract_path))
        counts = report.counts()
        result.notes.append(
            f"against {base_info.label}: {len(report)} change{'s' if len(report) != 1 else ''} "
            f"({counts[Level.BREAKING]} breaking, {counts[Level.WARNING]} warning, {counts[Level.INFO]} info); "
            f"{len(result.allowed)} breaking change{'s' if len(result.allowed) != 1 else ''} announced or "
            "allowed by policy")
        if not current:
            result.blockers.extend(_release_blockers(cfg, history, base_doc, head, pending, committed,
                                                     contract_path, result.blockers, now_dt, pol))
        if frontend is not None:
            result.blockers.extend(_frontend_blockers(frontend, base_doc, head, report, result.notes,
                                                      frontend_options or {}))

    # 3. The committed types and changelog are current with the committed contract.
    if committed is not None:
        result.blockers.extend(_check_generated(cfg, committed, history, result.notes))
    return result


def _release_blockers(cfg: Config, history: History, base: Document, head: Document, pending: AnnouncementFile,
                      committed: Document | None, contract_path: Path, found: list[Blocker],
                      now: dt.datetime, policy: PolicyConfig) -> list[Blocker]:
    """What ``accept`` will refuse that base → code does not show: on a branch that recorded a
    release since the base, the unannounced breaking changes latest release → code (removing
    what that release added is no change against the base)."""
    released = _latest_release_contract(cfg, history)
    if released is None or released.sha256 == base.sha256:
        return []
    report = run_diff(released, head, now=now, cfg=cfg)
    notes = {a.fingerprint: a.note() for a in pending.announcements}
    verdict = evaluate(report.changes, released.data, head.data, policy=policy, today=now.date(),
                       announced=notes)
    seen = {b.fingerprint for b in found}
    return [_decision_blocker(d, committed, contract_path, False, cfg.root) for d in verdict.blocking
            if d.change.fingerprint not in seen]


def _frontend_blockers(frontend: Path, base: Document, head: Document, report: Report,
                       notes: list[str], options: Mapping[str, Any]) -> list[Blocker]:
    """One blocker per compiler error the code's contract causes in the frontend."""
    from .impact import analyse

    impact = analyse(frontend, base, head, report=report, **options)
    notes.append(f"frontend {frontend}: {impact.headline()}")
    notes.extend(impact.warnings)
    by_error: dict[int, list[Change]] = {}
    for broken in impact.breaking_changes:
        for err in impact.breaks[broken.fingerprint]:
            by_error.setdefault(id(err), []).append(broken)
    out = []
    for err in impact.new_errors:
        causes = by_error.get(id(err), [])
        change = causes[0] if causes else None
        if len(causes) > 1:  # a tie the attribution could not break: say so, name each
            cause = "one of (ambiguous): " + "; ".join(f"{c.id}: {c.message}" for c in causes)
        else:
            cause = f"{change.id}: {change.message}" if change is not None else "no change could be named"
        out.append(Blocker("frontend-breaks", f"the frontend no longer type-checks: TS{err.code} {err.headline}",
                           "update the frontend in the same change (or keep the contract compatible)",
                           (f"caused by {cause}",), change.fingerprint if change is not None else None,
                           file=(frontend / err.file) if err.file else None,
                           line=err.line if err.file else None, column=err.column if err.file else None))
    return out


def _check_generated(cfg: Config, committed: Document, history: History, notes: list[str]) -> list[Blocker]:
    out: list[Blocker] = []
    expected = generate_types(committed, cfg).encode("utf-8")
    stale = [p for p in types_targets(cfg) if _read_bytes(p) != expected]
    if stale:
        names = ", ".join(display_path(p, cfg.root) for p in stale)
        out.append(Blocker("stale-types", f"{names} {'is' if len(stale) == 1 else 'are'} not the types "
                           f"generated from {display_path(cfg.contract_file, cfg.root)}", "contractsync accept",
                           file=stale[0]))
    else:
        notes.append("types are current: " + ", ".join(display_path(p, cfg.root) for p in types_targets(cfg)))
    md_path = cfg.contracts_path / CHANGELOG_MD
    latest = history.latest
    if latest is None or latest.contract_sha256 != committed.sha256:
        what = "has no releases" if latest is None else f"ends at release {latest.version}, another contract"
        out.append(Blocker("missing-release",
                           f"{display_path(cfg.contracts_path / CHANGELOG_JSON, cfg.root)} {what}: the committed "
                           "contract was never accepted", "contractsync accept"))
    else:
        notes.append(f"changelog: release {latest.version} records the committed contract")
        if Version.parse(committed.version) is not None and committed.version != latest.version:
            notes.append(f"info.version is {committed.version} but the release is {latest.version}: "
                         f"set version=\"{latest.version}\" in FastAPI(...) so clients see it")
    if history.releases and _read_bytes(md_path) != render_markdown(history).encode("utf-8"):
        out.append(Blocker("stale-changelog",
                           f"{display_path(md_path, cfg.root)} is not what changelog.json renders (edited by hand? "
                           "edit changelog.json instead)", "contractsync changelog --write", file=md_path))
    return out


# --- announce ------------------------------------------------------------------------------------

def current_changes(cfg: Config, *, base: str | None = None, now: dt.datetime | dt.date | None = None,
                    app: Source | None = None) -> tuple[Report, Document, Document]:
    """The classified changes base → code (the app, else the committed contract)."""
    now_dt = _as_datetime(now)
    base_info = resolve_base(cfg, base, None)
    base_doc = load_base(base_info)
    if base_doc is None:
        # Without a base branch, the stored contract is what the code is compared with.
        if not cfg.contract_file.exists():
            raise InputError(base_info.note or "no base contract to compare with")
        base_doc = load_spec(FileSource(cfg.contract_file))
    source = app or app_source_of(cfg)
    head = load_spec(source) if source is not None else load_spec(FileSource(cfg.contract_file))
    return run_diff(base_doc, head, now=now_dt, cfg=cfg), base_doc, head


def announce(
    cfg: Config,
    fingerprints: Sequence[str],
    *,
    reason: str,
    migration: str | None = None,
    all_breaking: bool = False,
    base: str | None = None,
    now: dt.datetime | dt.date | None = None,
    app: Source | None = None,
    policy: PolicyConfig | None = None,
) -> list[Announcement]:
    """Record announcements for ``fingerprints`` (or every unannounced breaking change) in
    ``announcements.yaml``; returns what was recorded.

    A fingerprint that is not a change of the current diff is an error listing the breaking
    changes there are: announcing a typo would silently announce nothing.

    The changes are those ``check`` judges (base → code) and, when a release was recorded since
    the base (a branch that ran ``accept`` before), those ``accept`` judges (that release's
    contract → code): a change ``accept`` refuses as unannounced can always be announced here.
    """
    if not reason.strip():
        raise InputError("--reason must say why the break is intended")
    if not fingerprints and not all_breaking:
        raise InputError("name the fingerprints to announce, or pass --all-breaking")
    today = today_of(now)
    report, base_doc, head = current_changes(cfg, base=base, now=now, app=app)
    history = load_history(cfg.contracts_path / CHANGELOG_JSON)
    judged: list[tuple[Report, Document, bool]] = [(report, base_doc, True)]
    released = _latest_release_contract(cfg, history)
    if released is not None and released.sha256 != base_doc.sha256:
        judged.append((run_diff(released, head, now=_as_datetime(now), cfg=cfg), released, False))
    by_fp = {c.fingerprint: c for r, _, _ in reversed(judged) for c in r}
    path = announcements_path(cfg.contracts_path)
    with contracts_lock(cfg.contracts_path):
        pending = load_announcements(path)
        chosen: list[Change] = []
        if all_breaking:
            # Only what an announcement can let through: not changes the policy already allows,
            # nor removals before their sunset (an announcement does not move a sunset).
            for changes, before, is_base in judged:
                notes = (announced_notes(cfg, before, history, pending) if is_base
                         else {a.fingerprint: a.note() for a in pending.announcements})
                verdict = evaluate(changes.changes, before.data, head.data, policy=policy or cfg.policy,
                                   today=today, announced=notes)
                chosen += [d.change for d in verdict.blocking if d.reason == "unannounced"]
        for fp in fingerprints:
            change = by_fp.get(fp.strip().lower())
            if change is None:
                breaking = {c.fingerprint: c for r, _, _ in judged for c in r.breaking}
                known = ", ".join(f"{c.fingerprint} ({c.id})" for c in list(breaking.values())[:10]) or "none"
                since = " or the last release" if len(judged) > 1 else ""
                raise InputError(f"fingerprint {fp!r} is not a change between the base{since} and the code "
                                 f"(breaking changes there: {known})")
            chosen.append(change)
        if not chosen:
            return []
        items = [Announcement(fingerprint=c.fingerprint, reason=reason.strip(),
                              migration=migration.strip() if migration else None,
                              change=f"{c.id}: {c.location}", announced=today.isoformat())
                 for c in {c.fingerprint: c for c in chosen}.values()]
        save_announcements(path, pending.with_added(items))
    return items


# --- accept --------------------------------------------------------------------------------------

@contextlib.contextmanager
def contracts_lock(directory: Path, timeout: float = LOCK_TIMEOUT) -> Iterator[None]:
    """Hold an exclusive lock on ``<directory>/.contractsync.lock`` (``fcntl.flock``).

    The holder removes the lock file before releasing it, so the file does not linger in the
    contracts directory; a waiter that wakes on a removed file retries on the new one (checking
    the inode), which keeps the lock exclusive.
    """
    if sys.platform == "win32":  # pragma: no cover - contractsync's CI gate targets POSIX runners
        yield
        return
    import fcntl

    directory.mkdir(parents=True, exist_ok=True)
    path = directory / LOCK_FILE
    deadline = time.monotonic() + timeout
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() > deadline:
                        raise InputError(f"another contractsync accept has held the lock for {timeout:g} s",
                                         source=str(path)) from None
                    time.sleep(0.05)
            held = os.fstat(fd)
            try:
                now_there = os.stat(path)
            except FileNotFoundError:
                now_there = None
            if now_there is not None and (now_there.st_ino, now_there.st_dev) == (held.st_ino, held.st_dev):
                break
        except BaseException:
            os.close(fd)
            raise
        os.close(fd)
    try:
        yield
    finally:
        with contextlib.suppress(OSError):
            os.unlink(path)
        os.close(fd)


def _latest_release_contract(cfg: Config, history: History) -> Document | None:
    """The contract the latest release recorded (what ``accept`` compares the code with), or
    None without a release or when git no longer has it."""
    latest = history.latest
    if latest is None:
        return None
    stored = load_spec(FileSource(cfg.contract_file)) if cfg.contract_file.exists() else None
    return _find_recorded(cfg, latest.contract_sha256, stored)


def _find_recorded(cfg: Config, sha256: str, stored: Document | None) -> Document | None:
    """The contract of the latest release, when the stored file has moved past it without an
    ``accept`` (e.g. ``contractsync export``): looked up in git history by content hash."""
    if stored is not None and stored.sha256 == sha256:
        return stored
    top = _git(["rev-parse", "--show-toplevel"], cfg.root)
    if top.returncode != 0:
        return None
    root = Path(top.stdout.strip())
    try:
        rel = cfg.contract_file.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return None
    revs = _git(["log", "--format=%H", "-n", "200", "--", rel], root).stdout.split()
    for rev in ["HEAD", *revs]:
        with contextlib.suppress(InputError):
            doc = load_spec(GitSource(rev, rel, cwd=root))
            if doc.sha256 == sha256:
                return doc
    return None


def _initial_changes(doc: Document) -> list[Change]:
    out = []
    ops = operations(doc.data)  # once: it walks every path (1,200 operations in GitHub's description)
    for op in sorted(ops):
        method, _, path = op.partition(" ")
        pointer = "/paths/" + path.replace("~", "~0").replace("/", "~1") + "/" + method.lower()
        summary = ops[op].get("summary")
        out.append(Change(
            id="endpoint-added", level=Level.INFO, direction=Direction.NONE,
            location=Location(op, "", None, pointer),
            message=f"{op}" + (f": {summary}" if isinstance(summary, str) and summary else ""),
            fingerprint=fingerprint("endpoint-added", op), operations=(op,), area="paths"))
    return out


def choose_version(previous: str | None, changes: Sequence[Change], *, requested: str | None,
                   info_version: str) -> tuple[str, str, list[str]]:
    """The release's version: ``requested``, else ``info.version`` when it is a large enough bump,
    else the SemVer suggestion. Returns (version, suggested, warnings).

    A requested version smaller than the changes need (e.g. a minor bump with breaking changes)
    is an error: the changelog must not promise compatibility the contract does not keep.
    """
    kind = suggest_bump(changes)
    prev = Version.parse(previous) if previous else None
    suggested = str(prev.bump(kind if kind is not Bump.NONE else Bump.PATCH)) if prev else (
        info_version if Version.parse(info_version) else "0.1.0")
    warnings: list[str] = []
    if requested is not None:
        req = Version.parse(requested)
        if req is None:
            raise InputError(f"--version {requested!r} is not a semantic version (MAJOR.MINOR.PATCH)")
        if prev is not None:
            if not req > prev:
                raise InputError(f"--version {req} is not newer than the last release {prev}")
            if req.bump_from(prev).rank < kind.rank:
                raise InputError(f"--version {req} is a {req.bump_from(prev)} release but the changes need a "
                                 f"{kind} one (suggested: {suggested})")
        chosen = str(req)
    else:
        info = Version.parse(info_version)
        if info is not None and (prev is None or (info > prev and info.bump_from(prev).rank >= kind.rank)):
            chosen = str(info)
        else:
            chosen = suggested
    info = Version.parse(info_version)
    if info is not None and str(info) != chosen:
        warnings.append(f"info.version in the app is {info_version} but this release is {chosen}: "
                        f"set version=\"{chosen}\" in FastAPI(...) so clients see it")
    return chosen, suggested, warnings


def accept(
    cfg: Config,
    *,
    version: str | None = None,
    announce_reason: str | None = None,
    migration: str | None = None,
    now: dt.datetime | dt.date | None = None,
    app: Source | None = None,
    policy: PolicyConfig | None = None,
) -> AcceptResult:
    """Record the code's contract as a release: contract, types, changelog.

    Refuses (:class:`CheckFailed`, nothing written) an unannounced breaking change unless
    ``announce_reason`` announces every such change inline, and any change the policy blocks.
    When the contract is already recorded, only regenerates stale types / ``CHANGELOG.md``.
    ``policy`` overrides ``[tool.contractsync.policy]``.
    """
    pol = policy or cfg.policy
    now_dt = _as_datetime(now)
    today = now_dt.date()
    source = app or app_source_of(cfg)
    if source is None:
        raise InputError("no app configured: pass --app pkg.module:app or run `contractsync init`")
    new = canonical_document(load_spec(source))
    with contracts_lock(cfg.contracts_path):
        history_path = cfg.contracts_path / CHANGELOG_JSON
        history = load_history(history_path)
        ann_path = announcements_path(cfg.contracts_path)
        pending = load_announcements(ann_path)
        stored = load_spec(FileSource(cfg.contract_file)) if cfg.contract_file.exists() else None
        latest = history.latest
        result = AcceptResult(None)
        if latest is not None and latest.contract_sha256 == new.sha256:
            # Already recorded (possibly by a run that was killed part-way): complete it.
            if stored is None or stored.raw != new.raw:
                atomic_write_bytes(cfg.contract_file, new.raw or b"")
                result.written.append(cfg.contract_file)
            if _drop_consumed(ann_path, pending, latest):
                result.written.append(ann_path)
            _write_generated(cfg, new, history, result)
            return result
        if latest is not None and today.isoformat() < latest.date:
            raise InputError(
                f"today is {today.isoformat()} by this machine's clock (or --now) but the last release "
                f"{latest.version} is dated {latest.date}: a release cannot be dated before the one it "
                f"follows; check the clock or pass --now {latest.date} (or later). Nothing was written.",
                source=str(history_path))
        if latest is None:
            previous = stored if stored is not None and stored.sha256 != new.sha256 else None
        else:
            previous = _find_recorded(cfg, latest.contract_sha256, stored)
            if previous is None:
                previous = stored
                result.warnings.append(
                    f"the contract of release {latest.version} was not found (not in git history); "
                    "the release lists the changes from the stored contract instead")
        if previous is None:
            changes: list[Change] = _initial_changes(new)
            decisions: list[Decision] = []
            violations: list[Violation] = []
        else:
            report = run_diff(previous, new, now=now_dt, cfg=cfg)
            changes = list(report.changes)
            notes = {a.fingerprint: a.note() for a in pending.announcements}
            verdict = evaluate(changes, previous.data, new.data, policy=pol, today=today,
                               announced=notes)
            if announce_reason:
                inline = Note(reason=announce_reason.strip(), migration=migration.strip() if migration else None,
                              announced=today.isoformat())
                for d in verdict.blocking:
                    if d.reason == "unannounced":
                        notes[d.change.fingerprint] = inline
                verdict = evaluate(changes, previous.data, new.data, policy=pol, today=today,
                                   announced=notes)
            decisions, violations = verdict.decisions, verdict.violations
            if verdict.blocking or violations:
                raise _refusal(verdict)
        notes_by_fp = {d.change.fingerprint: d.note for d in decisions if d.note is not None}
        allowed_by = {d.change.fingerprint: d.detail for d in decisions
                      if d.allowed and d.note is None}
        previous_version = latest.version if latest is not None else (
            previous.version if previous is not None and Version.parse(previous.version) else None)
        chosen, suggested, warnings = choose_version(previous_version, changes, requested=version,
                                                     info_version=new.version)
        result.suggested_version = suggested
        result.warnings.extend(warnings)
        prev_v = Version.parse(previous_version) if previous_version else None
        chosen_v = Version.parse(chosen)
        release = Release(
            version=chosen, date=today.isoformat(), title=new.title, info_version=new.version,
            bump=chosen_v.bump_from(prev_v) if prev_v is not None and chosen_v is not None else Bump.NONE,
            contract_sha256=new.sha256,
            previous_sha256=latest.contract_sha256 if latest is not None else (
                previous.sha256 if previous is not None else None),
            changes=entries_from_changes(changes, notes_by_fp, allowed_by),
        )
        if latest is not None and history.find(chosen) is not None:
            raise InputError(f"release {chosen} is already in the changelog; pass a newer --version")
        new_history = history.prepend(release)
        check_history(new_history, history_path)
        new_types = generate_types(new, cfg)
        # Write order (#13): a crash after any single file operation must leave a state that a
        # re-run completes with every announcement's reason intact. changelog.json is the record
        # and the journal: it is written before anything it makes redundant is touched. Before it,
        # only regenerable files change (types); after it, a re-run takes the "already recorded"
        # path, which rewrites the contract and CHANGELOG.md and drops the announcements the
        # release consumed (their reasons are in changelog.json by then).
        for target in types_targets(cfg):
            if _read_bytes(target) != new_types.encode("utf-8"):
                atomic_write_text(target, new_types)
                result.written.append(target)
        write_history(history_path, new_history)
        result.written.append(history_path)
        if stored is None or stored.raw != new.raw:
            atomic_write_bytes(cfg.contract_file, new.raw or b"")
            result.written.append(cfg.contract_file)
        if _drop_consumed(ann_path, pending, release):
            result.written.append(ann_path)
        atomic_write_text(cfg.contracts_path / CHANGELOG_MD, render_markdown(new_history))
        result.written.append(cfg.contracts_path / CHANGELOG_MD)
        result.release = release
        return result


def _drop_consumed(path: Path, pending: AnnouncementFile, release: Release) -> bool:
    """Remove from the announcements file those the release recorded with their reason; True when
    the file changed."""
    recorded = {e.fingerprint for e in release.changes if e.announcement is not None}
    consumed = recorded & {a.fingerprint for a in pending.announcements}
    if not consumed:
        return False
    save_announcements(path, pending.without(consumed))
    return True


def _write_generated(cfg: Config, doc: Document, history: History, result: AcceptResult) -> None:
    text = generate_types(doc, cfg)
    for target in types_targets(cfg):
        if _read_bytes(target) != text.encode("utf-8"):
            atomic_write_text(target, text)
            result.written.append(target)
    md = cfg.contracts_path / CHANGELOG_MD
    rendered = render_markdown(history)
    if _read_bytes(md) != rendered.encode("utf-8"):
        atomic_write_text(md, rendered)
        result.written.append(md)


def _refusal(verdict: PolicyResult) -> CheckFailed:
    lines = []
    unannounced = [d.change.fingerprint for d in verdict.blocking if d.reason == "unannounced"]
    for d in verdict.blocking:
        lines.append(f"  {d.change.fingerprint}  {d.change.id}: {d.change.location}")
        lines.append(f"      {d.detail}")
    for v in verdict.violations:
        lines.append(f"  {v.message}")
        lines.append(f"      fix: {v.fix}")
    fixes = []
    if unannounced:
        fixes.append(f"announce: {announce_command(unannounced)}")
        fixes.append("or accept with --announce \"reason\" [--migration \"...\"]")
    err = CheckFailed(f"refusing to accept: {len(verdict.blocking) + len(verdict.violations)} change(s) the "
                      "policy blocks; nothing was written")
    err.details = "\n".join(["blocked:", *lines, *fixes])  # type: ignore[attr-defined]
    return err


# --- rendering the gate's result ------------------------------------------------------------------

def format_text(result: GateResult) -> str:
    """The human report ``check`` prints."""
    lines = [f"contractsync check: {result.headline}"]
    for b in result.blockers:
        lines.append("")
        lines.append(f"✗ {b.message}")
        lines.extend(f"    {detail}" for detail in b.details)
        lines.append(f"  fix: {b.fix}")
    allowed = result.allowed
    if allowed:
        lines.append("")
        lines.append("passed:")
        for d in allowed:
            lines.append(f"  ✓ {d.change.fingerprint} {d.change.id}: {d.detail}")
    if result.notes:
        lines.append("")
        lines.extend(f"· {n}" for n in result.notes)
    return "\n".join(lines) + "\n"


def _md_cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def format_markdown(result: GateResult) -> str:
    """A markdown report (for a pull-request comment or ``$GITHUB_STEP_SUMMARY``)."""
    out = []
    if result.ok:
        out.append("## ✅ contractsync check passed")
    else:
        out.append(f"## ❌ contractsync check blocked ({len(result.blockers)} problem"
                   f"{'s' if len(result.blockers) != 1 else ''})")
    if " — " in result.headline:
        out += ["", f"**{_md_cell(result.headline.split(' — ', 1)[1])}**"]
    if result.blockers:
        out += ["", "| problem | fix |", "|---|---|"]
        for b in result.blockers:
            detail = "<br>".join(_md_cell(d) for d in b.details)
            cell = _md_cell(b.message) + (f"<br><sub>{detail}</sub>" if detail else "")
            out.append(f"| {cell} | `{_md_cell(b.fix)}` |")
        fps = [b.fingerprint for b in result.blockers if b.kind == "unannounced-breaking" and b.fingerprint]
        if fps:
            out += ["", "To announce the intended breaking changes:", "", "```sh", announce_command(fps),
                    "contractsync accept", "```"]
    if result.allowed:
        out += ["", "### Breaking changes that pass", "", "| change | operations | why |", "|---|---|---|"]
        for d in result.allowed:
            ops = ", ".join(f"`{o}`" for o in d.change.operations)
            out.append(f"| `{d.change.id}` `{d.change.fingerprint}`<br>{_md_cell(d.change.message)} | {ops} | "
                       f"{_md_cell(d.detail)} |")
    if result.report is not None and len(result.report):
        out += ["", f"<details><summary>Every change against the base ({len(result.report)})</summary>", "",
                "| level | change | operations |", "|---|---|---|"]
        for c in result.report:
            ops = ", ".join(f"`{o}`" for o in c.operations)
            out.append(f"| {c.level.value} | `{c.id}` {_md_cell(c.message)} | {ops} |")
        out += ["", "</details>"]
    if result.notes:
        out += [""] + [f"- {_md_cell(n)}" for n in result.notes]
    return "\n".join(out) + "\n"


def _gh_escape(text: str, prop: bool = False) -> str:
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if prop:
        text = text.replace(":", "%3A").replace(",", "%2C")
    return text


def format_github(result: GateResult, root: Path | None = None) -> str:
    """GitHub Actions workflow commands: one ``::error`` annotation per blocker, on the contract
    line it is about when known."""
    lines = []
    for b in result.blockers:
        props = []
        if b.file is not None:
            # From the repository root: GitHub attaches it whatever the working directory.
            props.append(f"file={_gh_escape(repo_path(b.file, root), True)}")
            if b.line is not None:
                props.append(f"line={b.line}")
                if b.column is not None:
                    props.append(f"col={b.column}")
        props.append(f"title={_gh_escape('contractsync: ' + b.kind, True)}")
        body = "\n".join([b.message, *b.details, f"fix: {b.fix}"])
        lines.append(f"::error {','.join(props)}::{_gh_escape(body)}")
    return "\n".join(lines) + ("\n" if lines else "")


def format_json(result: GateResult) -> str:
    """``check --format json``."""
    return json.dumps(result.to_dict(), indent=2, ensure_ascii=False) + "\n"
