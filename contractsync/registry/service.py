"""What the registry does, independent of HTTP: judge and publish a contract, resolve refs,
diff two versions, and generate each artifact once.

Publishing judges exactly as ``contractsync check`` does (:func:`contractsync.gate.judge`: the
diff engine with the publisher's ``[tool.contractsync.diff]`` levels and ignores, then the policy
with the announcements carried in the body). The base is the label's head (a new label forks from
``main``'s head). The verdict blocks only under the label's ``block`` policy.
"""

from __future__ import annotations

import datetime as dt
import fnmatch
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

import anyio

from .. import __version__
from ..changelog import History, Note, Release, entries_from_changes, render_markdown
from ..config import Config
from ..diff.model import Change, Report
from ..diff.settings import DiffConfig
from ..errors import InputError
from ..policy import PolicyConfig, PolicyResult
from ..spec.document import Document
from ..typescript.options import TypeScriptOptions, options_digest
from .body import PublishRequest, SourceInfo, stored_document
from .problems import Problem
from .settings import RegistrySettings
from .shapes import refusal
from .store.protocol import (
    AnnouncementRow,
    AsyncPoller,
    Committed,
    HeadMoved,
    LabelRow,
    NewVersion,
    Store,
    VersionRow,
)

GENERATOR = "contractsync"
MAIN = "main"
#: Longest changelog chain followed (versions judged against versions ...).
MAX_CHAIN = 10_000


# --- results -------------------------------------------------------------------------------------

@dataclass
class Judgement:
    base: VersionRow | None
    head: LabelRow | None
    policy: str
    report: Report | None
    verdict: PolicyResult | None
    notes: dict[str, Note] = field(default_factory=dict)

    @property
    def blocked(self) -> bool:
        return self.policy == "block" and self.verdict is not None and not self.verdict.ok

    @property
    def passed(self) -> bool:
        return self.verdict is None or self.verdict.ok


@dataclass
class PublishResult:
    committed: Committed
    judgement: Judgement
    existed: bool


class Registry:
    """The registry's operations over one :class:`Store`."""

    def __init__(self, store: Store, settings: RegistrySettings) -> None:
        self.store = store
        self.settings = settings
        #: The label poll on the event loop (PostgreSQL), opened and closed with the app.
        self.poller: AsyncPoller | None = None
        self._docs: OrderedDict[str, Document] = OrderedDict()
        self._docs_lock = threading.Lock()
        self._gen_locks: dict[str, threading.Lock] = {}
        #: Diffs being computed, by pair (touched on the event loop only), and the bound on
        #: concurrent computations (created on first use, inside the event loop).
        self._inflight: dict[str, anyio.Event] = {}
        self._limiter: anyio.CapacityLimiter | None = None

    # --- reads ------------------------------------------------------------------------------
    def resolve(self, contract: str, ref: str) -> VersionRow:
        """A version by number (``3``) or digest (``sha256:…``); 404 problem when unknown."""
        row: VersionRow | None = None
        # ASCII digits only: str.isdigit() is true for U+00B2 (int() refuses it) and for U+FF11 or U+0661
        # (other spellings of a number that would be served under an immutable URL).
        if ref.isascii() and ref.isdigit() and len(ref) < 12:
            row = self.store.version(contract, number=int(ref))
        elif ref.startswith("sha256:") and len(ref) == 71:
            row = self.store.version(contract, digest=ref)
        else:
            raise Problem(422, f"{ref!r} is not a version number or a sha256:<64 hex> digest",
                          causes=[{"parameter": "ref", "value": ref[:100]}], kind="invalid-ref")
        if row is None:
            raise Problem(404, f"contract {contract!r} has no version {ref}",
                          causes=[{"contract": contract, "ref": ref}], kind="not-found")
        return row

    def document(self, row: VersionRow) -> Document:
        """The stored contract of a version (parsed once, kept in a small cache)."""
        with self._docs_lock:
            doc = self._docs.get(row.digest)
            if doc is not None:
                self._docs.move_to_end(row.digest)
                return doc
        raw = self.store.blob(row.digest)
        assert raw is not None, row.digest
        doc = stored_document(raw, f"{row.contract} version {row.number}", row.digest)
        with self._docs_lock:
            self._docs[row.digest] = doc
            while len(self._docs) > 3:
                self._docs.popitem(last=False)
        return doc

    def is_stored(self, digest: str) -> bool:
        """Whether this exact content is a stored version of any contract."""
        return self.store.has_blob(digest)

    def default_policy(self, label: str) -> str:
        return "warn" if any(fnmatch.fnmatchcase(label, p) for p in self.settings.warn_labels) else "block"

    # --- judging and publishing ---------------------------------------------------------------
    def judge(self, contract: str, label: str, req: PublishRequest, *, now: dt.datetime | None = None) -> Judgement:
        head = self.store.label(contract, label)
        base: VersionRow | None = None
        if head is not None:
            base = self.store.version(contract, number=head.number)
        elif label != MAIN:
            main = self.store.label(contract, MAIN)
            base = self.store.version(contract, number=main.number) if main is not None else None
        policy = head.policy if head is not None else self.default_policy(label)
        notes = {a.fingerprint: a.note() for a in req.meta.announcements}
        if base is None or base.digest == req.digest:
            return Judgement(base, head, policy, None, None, notes)
        from ..gate import judge

        now_dt = now or dt.datetime.now(dt.UTC)
        cfg = Config(diff=req.meta.diff or DiffConfig(), policy=req.meta.policy or PolicyConfig())
        try:
            report, verdict = judge(self.document(base), req.doc, now=now_dt, policy=cfg.policy,
                                    announced=notes, cfg=cfg)
        except InputError as exc:
            raise Problem(422, exc.one_line(), causes=[{"pointer": "/diff", "message": exc.message}],
                          kind="invalid-settings") from None
        return Judgement(base, head, policy, report, verdict, notes)

    def publish(self, contract: str, label: str, req: PublishRequest, *, author: str) -> PublishResult:
        """Judge and store; 409 :class:`Problem` when a blocking policy refuses. Racing
        publishers are serialized by the store; a publisher whose label moved meanwhile judges
        again against the new head."""
        for _ in range(50):
            judgement = self.judge(contract, label, req)
            if judgement.blocked:
                raise refusal(contract, label, judgement)
            existing = self.store.version(contract, digest=req.digest)
            new = None if existing is not None else self._new_version(contract, req, judgement)
            try:
                committed = self.store.commit_publish(
                    contract, label, expected_head=judgement.head.number if judgement.head else None,
                    new=new, existing=existing.number if existing else None, author=author,
                    policy_if_new=judgement.policy, parent=judgement.base.number if judgement.base else None)
            except HeadMoved:
                continue
            self.ensure_artifacts(committed.version)
            return PublishResult(committed, judgement, existed=not committed.created)
        raise Problem(503, "the label kept moving while this publish was judged; retry",
                      headers={"Retry-After": "1"}, kind="contention")

    def _new_version(self, contract: str, req: PublishRequest, j: Judgement) -> NewVersion:
        changes: list[Change]
        previous_release: Release | None = None
        if j.base is not None:
            previous_release = Release.model_validate_json(j.base.release_json)
        if j.report is None:
            from ..gate import _initial_changes

            changes = _initial_changes(req.doc) if j.base is None else []
        else:
            changes = list(j.report.changes)
        decisions = j.verdict.decisions if j.verdict is not None else []
        notes_by_fp = {d.change.fingerprint: d.note for d in decisions if d.note is not None}
        allowed_by = {d.change.fingerprint: d.detail for d in decisions if d.allowed and d.note is None}
        from ..gate import choose_version

        chosen, _, _ = choose_version(previous_release.version if previous_release else None, changes,
                                      requested=None, info_version=req.doc.version)
        release = Release(
            version=chosen, date=dt.datetime.now(dt.UTC).date().isoformat(), title=req.doc.title,
            info_version=req.doc.version, bump=_bump(previous_release, chosen),
            contract_sha256=req.digest.removeprefix("sha256:"),
            previous_sha256=j.base.digest.removeprefix("sha256:") if j.base is not None else None,
            changes=entries_from_changes(changes, notes_by_fp, allowed_by))
        fingerprints = {c.fingerprint for c in changes}
        announced = tuple(AnnouncementRow(0, a.fingerprint, a.reason, a.migration, a.sunset)
                          for a in req.meta.announcements if a.fingerprint in fingerprints)
        src = req.meta.source or SourceInfo()
        return NewVersion(req.digest, req.doc.raw or b"", req.doc.version, req.doc.title, src.commit, src.branch,
                          src.url, release.model_dump_json().encode(), announced)

    # --- artifacts ----------------------------------------------------------------------------
    def ensure_artifacts(self, row: VersionRow) -> None:
        """Generate the default artifacts of a version (once; later calls find them stored)."""
        self.types(row, TypeScriptOptions())
        self.changelog(row)

    def _generated(self, row: VersionRow, key: str, make: Any) -> tuple[str, bytes]:
        found = self.store.artifact(row.contract, row.number, key)
        if found is not None:
            return found
        lock_name = f"{row.contract}\0{row.number}\0{key}"
        with self._docs_lock:
            lock = self._gen_locks.setdefault(lock_name, threading.Lock())
        with lock:
            found = self.store.artifact(row.contract, row.number, key)
            if found is None:
                data: bytes = make()
                digest = self.store.put_artifact(row.contract, row.number, key, data)
                stored = self.store.artifact(row.contract, row.number, key)
                found = stored if stored is not None else (digest, data)
        with self._docs_lock:
            self._gen_locks.pop(lock_name, None)
        return found

    def types(self, row: VersionRow, options: TypeScriptOptions) -> tuple[str, bytes]:
        """(digest, bytes) of the TypeScript types for ``row`` with ``options``."""
        key = f"types.ts;{GENERATOR}={__version__};options={options_digest(options)}"

        def make() -> bytes:
            from ..typescript import to_typescript

            return to_typescript(self.document(row), options).encode("utf-8")
        return self._generated(row, key, make)

    def changelog(self, row: VersionRow) -> tuple[str, bytes]:
        key = f"changelog.md;{GENERATOR}={__version__}"
        return self._generated(row, key, lambda: render_markdown(
            self.history(row), contract_name=f"{row.contract} (contractsync registry)",
            provenance=("This file is generated by the contractsync registry from the versions published "
                        "to it, with\nthe reasons announced at publish; it never changes for a published "
                        "version.")).encode("utf-8"))

    def changelog_html(self, row: VersionRow) -> tuple[str, bytes]:
        """The changelog page of a version (the pages' ``/ui/{c}/versions/{n}/changelog``), stored once."""
        from ..changelog import render_html

        key = f"changelog.html;{GENERATOR}={__version__}"
        return self._generated(row, key, lambda: render_html(self.history(row)).encode("utf-8"))

    def history(self, row: VersionRow) -> History:
        """The changelog of ``row``: its release and those of the versions it was judged against."""
        releases: list[Release] = []
        seen: set[int] = set()
        current: VersionRow | None = row
        while current is not None and current.number not in seen and len(releases) < MAX_CHAIN:
            seen.add(current.number)
            releases.append(Release.model_validate_json(current.release_json))
            current = self.store.version(row.contract, number=current.parent) if current.parent is not None else None
        return History(title=row.title, releases=releases)

    # --- diff ----------------------------------------------------------------------------------
    def diff(self, contract: str, old: VersionRow, new: VersionRow) -> Report:
        """The changes ``old`` → ``new``. A function of the two immutable versions only: dates
        (a sunset that has passed) are judged as of the later version's publication, not of
        the request, so the result can be stored once and served for ever."""
        from ..diff.compare import compare
        from ..diff.options import DiffOptions

        as_of = dt.date.fromisoformat(max(old.created_at, new.created_at)[:10])
        report = compare(self.document(old), self.document(new), options=DiffOptions(now=as_of)).report
        report.base_source = f"{contract} version {old.number} ({old.digest})"
        report.revision_source = f"{contract} version {new.number} ({new.digest})"
        return report

    @staticmethod
    def diff_key(old: VersionRow, fmt: str) -> str:
        """The artifact key of a diff, stored with the newer side (``to``) of the pair."""
        return f"diff.{fmt};from={old.digest};{GENERATOR}={__version__}"

    def store_diffs(self, contract: str, old: VersionRow, new: VersionRow) -> None:
        """Compute the diff once and store it in every format (each a few kB next to the seconds
        the comparison of two large contracts takes)."""
        from .diffs import render_diffs

        report = self.diff(contract, old, new)
        for fmt, data in render_diffs(contract, old, new, report, self.announcements_for(contract, old, new)).items():
            self.store.put_artifact(contract, new.number, self.diff_key(old, fmt), data)

    async def diff_artifact(self, contract: str, old: VersionRow, new: VersionRow, fmt: str) -> tuple[str, bytes]:
        """(digest, bytes) of the stored diff ``old`` → ``new`` in ``fmt``, computed on first use.

        Identical requests in flight share one computation (the later ones wait for it on the
        event loop, holding no thread); distinct computations run at most
        ``settings.diff_workers`` at a time in worker threads, and when
        ``settings.diff_queue`` more are already waiting the request is refused with 503 and
        ``Retry-After`` instead of piling up."""
        import anyio

        key = self.diff_key(old, fmt)
        flight = f"{contract}\0{old.digest}\0{new.digest}"
        while True:
            found = await anyio.to_thread.run_sync(self.store.artifact, contract, new.number, key)
            if found is not None:
                return found
            running = self._inflight.get(flight)
            if running is None:
                break
            await running.wait()  # then read what it stored (or compute, when it failed)
        if self._limiter is None:
            self._limiter = anyio.CapacityLimiter(self.settings.diff_workers)
        busy = self._limiter.borrowed_tokens >= self._limiter.total_tokens
        if busy and self._limiter.statistics().tasks_waiting >= self.settings.diff_queue:
            raise Problem(503, f"{self.settings.diff_workers + self.settings.diff_queue} diffs are being computed or "
                          "waiting; retry shortly (a diff is computed once, then served from storage)",
                          headers={"Retry-After": "2"}, kind="busy")
        done = self._inflight[flight] = anyio.Event()
        try:
            await anyio.to_thread.run_sync(self.store_diffs, contract, old, new, limiter=self._limiter)
        finally:
            del self._inflight[flight]
            done.set()
        found = await anyio.to_thread.run_sync(self.store.artifact, contract, new.number, key)
        assert found is not None, key
        return found

    def announcements_for(self, contract: str, old: VersionRow, new: VersionRow) -> dict[str, AnnouncementRow]:
        lo, hi = sorted((old.number, new.number))
        return {a.fingerprint: a for a in self.store.announcements(contract, lo, hi)}


def _bump(previous: Release | None, chosen: str) -> Any:
    from ..changelog import Bump, Version

    if previous is None:
        return Bump.NONE
    a, b = Version.parse(previous.version), Version.parse(chosen)
    return b.bump_from(a) if a is not None and b is not None else Bump.NONE


