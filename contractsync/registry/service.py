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
import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import orjson
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from .. import __version__
from ..changelog import History, Note, Release, entries_from_changes, render_markdown
from ..config import Config
from ..diff.model import Change, Report
from ..diff.settings import DiffConfig
from ..errors import InputError
from ..policy import PolicyConfig, PolicyResult
from ..spec.canonical import canonical_json
from ..spec.document import Document, check_structure
from ..typescript.options import TypeScriptOptions
from .problems import Problem
from .settings import RegistrySettings
from .store.protocol import (
    AnnouncementRow,
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


# --- the publish body --------------------------------------------------------------------------

class SourceInfo(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    commit: str | None = Field(default=None, max_length=200)
    branch: str | None = Field(default=None, max_length=300)
    url: str | None = Field(default=None, max_length=2000)


class AnnouncementIn(BaseModel):
    """One announcement, as in ``announcements.yaml`` (plus an optional sunset date)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    fingerprint: str = Field(pattern=r"^[0-9a-f]{6,64}$")
    reason: str = Field(min_length=1, max_length=10_000)
    migration: str | None = Field(default=None, max_length=10_000)
    sunset: str | None = Field(default=None, max_length=40)
    change: str = ""
    announced: str | None = None

    def note(self) -> Note:
        return Note(reason=self.reason, migration=self.migration, announced=self.announced)


class PublishMeta(BaseModel):
    """The publish body except the document itself."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    announcements: list[AnnouncementIn] = Field(default_factory=list, max_length=10_000)
    policy: PolicyConfig | None = None
    diff: DiffConfig | None = None
    source: SourceInfo | None = None


@dataclass
class PublishRequest:
    doc: Document
    """The document in canonical form."""
    digest: str
    meta: PublishMeta


def pointer_of(loc: tuple[int | str, ...] | list[int | str]) -> str:
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in loc)


def parse_publish_body(raw: bytes, known: Callable[[str], bool] | None = None) -> PublishRequest:
    """Parse and check a publish body: 400 when it is not JSON, 422 (with pointers) when it is not
    a publish body or its document is not a valid OpenAPI 3.0/3.1 document.

    Full validation (openapi-spec-validator: a minute on GitHub's 13 MB description) is skipped
    when ``known(digest)`` says the exact content is already stored: it was validated then."""
    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise Problem(400, f"the body is not JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}",
                      causes=[{"pointer": "", "line": exc.lineno, "column": exc.colno, "message": exc.msg}],
                      kind="not-json") from None
    if not isinstance(data, dict):
        raise Problem(422, "the body must be a JSON object {\"openapi\": {...}, \"announcements\": [...]}",
                      causes=[{"pointer": "", "message": "not an object"}], kind="invalid-body")
    document = data.pop("openapi", None)
    if document is None:
        raise Problem(422, "the body has no \"openapi\" member (the OpenAPI document to publish)",
                      causes=[{"pointer": "/openapi", "message": "missing"}], kind="invalid-body")
    try:
        meta = PublishMeta.model_validate(data)
    except ValidationError as exc:
        causes = [{"pointer": pointer_of(e["loc"]), "message": e["msg"]} for e in exc.errors()[:50]]
        raise Problem(422, f"the publish body is invalid at {causes[0]['pointer']}: {causes[0]['message']}",
                      causes=causes, kind="invalid-body") from None
    try:
        check_structure(document, source="openapi")
    except InputError as exc:
        where = "/openapi" + (exc.where if exc.where and exc.where.startswith("/") else "")
        raise Problem(422, f"not an OpenAPI document: {exc.message}", causes=[{"pointer": where, "message": exc.message}],
                      kind="not-openapi") from None
    canonical = canonical_json(document)
    digest = "sha256:" + hashlib.sha256(canonical).hexdigest()
    doc = _document(canonical, "openapi", digest)
    if known is not None and known(digest):
        return PublishRequest(doc, digest, meta)
    from ..spec.validate import lint, validate_document

    linted = {(p.pointer, p.message) for p in lint(doc.data)}
    problems = [p for p in validate_document(doc) if (p.pointer, p.message) not in linted]
    if problems:
        causes = [{"pointer": "/openapi" + p.pointer, "message": p.message} for p in problems[:100]]
        raise Problem(422, f"not a valid OpenAPI document: {len(problems)} problem{'s' if len(problems) != 1 else ''}, "
                      f"first at /openapi{problems[0].pointer}: {problems[0].message}", causes=causes,
                      kind="invalid-openapi")
    return PublishRequest(doc, digest, meta)


def _document(canonical: bytes, source: str, digest: str) -> Document:
    """A Document of canonical bytes whose content hash is already known (hashing 13 MB again
    costs seconds)."""
    doc = Document(orjson.loads(canonical), source, raw=canonical, format="json")
    doc.__dict__["sha256"] = digest.removeprefix("sha256:")
    return doc


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
        self._docs: OrderedDict[str, Document] = OrderedDict()
        self._docs_lock = threading.Lock()
        self._gen_locks: dict[str, threading.Lock] = {}

    # --- reads ------------------------------------------------------------------------------
    def resolve(self, contract: str, ref: str) -> VersionRow:
        """A version by number (``3``) or digest (``sha256:…``); 404 problem when unknown."""
        row: VersionRow | None = None
        if ref.isdigit() and len(ref) < 12:
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
        doc = _document(raw, f"{row.contract} version {row.number}", row.digest)
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
            self.history(row), contract_name=f"{row.contract} (contractsync registry)").encode("utf-8"))

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
        from ..diff.compare import compare
        from ..diff.options import DiffOptions

        report = compare(self.document(old), self.document(new),
                         options=DiffOptions(now=dt.datetime.now(dt.UTC).date())).report
        report.base_source = f"{contract} version {old.number} ({old.digest})"
        report.revision_source = f"{contract} version {new.number} ({new.digest})"
        return report

    def announcements_for(self, contract: str, old: VersionRow, new: VersionRow) -> dict[str, AnnouncementRow]:
        lo, hi = sorted((old.number, new.number))
        return {a.fingerprint: a for a in self.store.announcements(contract, lo, hi)}


def _bump(previous: Release | None, chosen: str) -> Any:
    from ..changelog import Bump, Version

    if previous is None:
        return Bump.NONE
    a, b = Version.parse(previous.version), Version.parse(chosen)
    return b.bump_from(a) if a is not None and b is not None else Bump.NONE


def options_digest(options: TypeScriptOptions) -> str:
    """sha256 of the generator options as sorted JSON (what a lock file records)."""
    text = orjson.dumps(options.model_dump(mode="json"), option=orjson.OPT_SORT_KEYS)
    return "sha256:" + hashlib.sha256(text).hexdigest()


# --- JSON shapes ---------------------------------------------------------------------------------

def version_json(row: VersionRow, prefix: str = "") -> dict[str, Any]:
    base = f"{prefix}/v1/contracts/{row.contract}/versions/{row.digest}"
    return {"contract": row.contract, "version": row.number, "digest": row.digest,
            "info_version": row.info_version, "title": row.title,
            "source": {"commit": row.source_commit, "branch": row.source_branch, "url": row.source_url},
            "author": row.author, "created_at": row.created_at, "parent": row.parent,
            "links": {"openapi": f"{base}/openapi.json", "types": f"{base}/types.ts",
                      "changelog": f"{base}/changelog.md"}}


def label_json(row: LabelRow) -> dict[str, Any]:
    return {"contract": row.contract, "label": row.label, "version": row.number, "digest": row.digest,
            "info_version": row.info_version, "policy": row.policy, "moved_at": row.moved_at,
            "moved_by": row.moved_by}


def announcement_json(a: AnnouncementRow | AnnouncementIn | None) -> dict[str, Any] | None:
    if a is None:
        return None
    return {"reason": a.reason, "migration": a.migration, "sunset": a.sunset}


def changes_json(report: Report | None, announced: Mapping[str, AnnouncementRow | AnnouncementIn]) -> list[dict[str, Any]]:
    if report is None:
        return []
    out = []
    for change in report:
        item = change.to_dict()
        item["announcement"] = announcement_json(announced.get(change.fingerprint)) if change.breaking else None
        out.append(item)
    return out


def causes_of(j: Judgement) -> list[dict[str, Any]]:
    """The located reasons a verdict blocks: one per blocking change and policy violation."""
    causes: list[dict[str, Any]] = []
    if j.verdict is None:
        return causes
    for d in j.verdict.blocking:
        c = d.change
        causes.append({"rule": c.id, "level": c.level.value, "operation": c.operations[0] if c.operations else None,
                       "operations": list(c.operations), "pointer": c.location.revision or c.location.base,
                       "base_pointer": c.location.base, "fingerprint": c.fingerprint, "message": c.message,
                       "subject": c.location.subject, "reason": d.reason, "detail": d.detail})
    for v in j.verdict.violations:
        causes.append({"rule": v.kind, "level": "policy", "operation": None, "operations": [], "pointer": v.pointer,
                       "base_pointer": None, "fingerprint": None, "message": v.message, "subject": "",
                       "reason": "deprecation-policy", "detail": v.fix})
    return causes


def refusal(contract: str, label: str, j: Judgement) -> Problem:
    causes = causes_of(j)
    unannounced = sum(1 for c in causes if c["reason"] == "unannounced")
    base = f"version {j.base.number}" if j.base else "nothing"
    return Problem(409, f"refused: {len(causes)} change{'s' if len(causes) != 1 else ''} against {label!r} "
                   f"({base}) that the label's 'block' policy does not allow ({unannounced} unannounced "
                   "breaking); announce them (contractsync announce FINGERPRINT --reason ...) and publish again",
                   causes=causes, kind="breaking-changes")


Verdict = Literal["pass", "fail"]
