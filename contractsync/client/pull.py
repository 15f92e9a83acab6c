"""``contractsync pull``: install the locked contract version, update it, check for drift, watch.

* :func:`install` — exactly the version in ``contractsync.lock`` (its digest verified), from the
  local cache when it is there (no network), else from the registry or source; then the outputs.
  Without a lock it is a first :func:`update`.
* :func:`update` — resolve the ref (a conditional GET for a label), report what changed since the
  locked version and why, regenerate and rewrite the lock — unless breaking changes arrive and
  were not accepted, in which case nothing is written.
* :func:`check` — the reasons outputs or config drifted from the lock (no network).
* :func:`watch` — poll the ref and apply every new version until told to stop.

Every file is written atomically and only when its bytes change.
"""

from __future__ import annotations

import datetime as dt
import re
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import orjson

from .. import __version__
from ..diff.model import Change
from ..errors import CheckFailed, ContractsyncError, InputError
from ..io import atomic_write_bytes, display_path
from ..spec.document import Document
from ..typescript.options import options_digest
from .cache import ContractCache, IntegrityError, digest_of
from .config import PullSettings
from .http import RegistryClient, token_from_env
from .lock import Lock, LockedContract, LockedGenerator, load_lock, save_lock
from .origin import Origin, PlainOrigin, RegistryOrigin, Resolved
from .report import Announced, Side, UpdateReport, build_items, change_from_dict

if TYPE_CHECKING:
    from ..impact import ImpactReport

TypesFrom = Literal["registry", "generated", "verified", "unchanged"]


@dataclass
class PullOutcome:
    """What a pull did."""

    report: UpdateReport
    written: list[Path] = field(default_factory=list)
    lock_written: bool = False
    refused: bool = False
    """Breaking changes arrived and were not accepted: nothing was written."""
    contract_from: str = "cache"
    """``cache``, ``registry`` or ``source``."""
    types_from: TypesFrom = "unchanged"
    old_document: Document | None = None
    new_document: Document | None = None


# --- building blocks -------------------------------------------------------------------------------

def make_origin(settings: PullSettings, *, cancel: threading.Event | None = None) -> Origin:
    """The origin the config names (a registry client carries ``CONTRACTSYNC_TOKEN``); a request
    in flight is abandoned as soon as ``cancel`` is set."""
    cfg = settings.config
    if cfg.registry is not None:
        ref = cfg.resolved_ref
        assert ref is not None and cfg.contract is not None
        client = RegistryClient(cfg.registry, token=token_from_env(), timeout=cfg.timeout, cancel=cancel)
        return RegistryOrigin(client, cfg.contract, ref)
    assert cfg.source is not None
    return PlainOrigin(cfg.source, settings.root)


def document_of(canon: bytes, source: str) -> Document:
    """A Document over canonical contract bytes. Its ``sha256`` is the hash of those bytes, known
    without canonicalizing the data again (half a second on GitHub's description)."""
    doc = Document(data=orjson.loads(canon), source=source, raw=canon, format="json")
    doc.__dict__["sha256"] = digest_of(canon).removeprefix("sha256:")  # fills the cached_property
    return doc


def _identity(settings: PullSettings) -> tuple[str | None, str, str | None]:
    cfg = settings.config
    ref = cfg.resolved_ref
    return cfg.contract, cfg.origin, str(ref) if ref is not None else None


def identity_drift(settings: PullSettings, lock: Lock) -> str | None:
    """Why the lock was made for another contract, source or ref than the config names (None: same)."""
    name, origin, ref = _identity(settings)
    locked = lock.contract
    if locked.source != origin:
        return f"the config's source is {origin} but the lock's is {locked.source}"
    if locked.name != name:
        return f"the config's contract is {name} but the lock's is {locked.name}"
    if locked.ref != ref:
        return f"the config's ref is {ref} but the lock's is {locked.ref}"
    return None


def _same_contract(settings: PullSettings, lock: Lock) -> bool:
    """The lock names the same registry (or source) and contract; only the ref may differ."""
    name, origin, _ = _identity(settings)
    return lock.contract.source == origin and lock.contract.name == name


def _contract_bytes(digest: str, origin: Origin, cache: ContractCache) -> tuple[bytes | None, str]:
    """The bytes of ``digest``: from the cache, else the origin (then cached)."""
    data = cache.get(digest)
    if data is not None:
        return data, "cache"
    data = origin.fetch(digest)
    if data is None:
        return None, "source"
    cache.put(digest, data)
    return data, "registry" if isinstance(origin, RegistryOrigin) else "source"


def _render_outputs(settings: PullSettings, canon: bytes, doc: Document, origin: Origin,
                    online: bool, expected: dict[str, str] | None,
                    version: int | None = None) -> tuple[dict[str, bytes], TypesFrom]:
    """The bytes of every configured output. The types follow ``[pull] generate``:

    * ``local``: generated here from the digest-verified contract; the registry's are never read.
    * ``registry``: the registry's stored types when they were generated by this generator version
      with these options (and, when the lock expects a digest, match it); otherwise generated here.
    * ``verify``: the registry's stored types (when it has this generator's) AND a local run; bytes
      that differ are an :class:`IntegrityError` naming the contract and version, nothing written.

    The registry is asked only when the contract came over the network anyway (``online``)."""
    cfg = settings.config
    out: dict[str, bytes] = {}
    types_from: TypesFrom = "unchanged"
    if cfg.types is not None:
        mode = cfg.generate_mode
        text: str | None = None
        if online and mode in ("registry", "verify"):
            text = origin.types(digest_of(canon), cfg.typescript, __version__)
            if mode == "registry" and text is not None and expected and cfg.types in expected \
                    and digest_of(text.encode("utf-8")) != expected[cfg.types]:
                text = None
        if mode == "registry" and text is not None:
            types_from = "registry"
        else:
            from ..typescript import to_typescript

            local = to_typescript(doc, cfg.typescript)
            if text is not None and text != local:
                served, made = digest_of(text.encode("utf-8")), digest_of(local.encode("utf-8"))
                shown = f"version {version} ({digest_of(canon)})" if version is not None else digest_of(canon)
                raise IntegrityError(
                    f"the types served for {_contract_name(settings)} {shown} are not the ones generated here "
                    f"from the verified contract (served {served}, generated {made}): the registry or something "
                    "between is serving other types; nothing was written", source=origin.name)
            types_from = "verified" if text is not None else "generated"
            text = local
        out[cfg.types] = text.encode("utf-8")
    if cfg.openapi is not None:
        out[cfg.openapi] = canon
    return out, types_from


def _write_outputs(settings: PullSettings, outputs: dict[str, bytes]) -> list[Path]:
    # An output that cannot be a file is refused before any is written: a second output that is
    # a directory left the first one rewritten and the lock not (half an update).
    for rel in outputs:
        path = settings.output_path(rel)
        blocker = next((p for p in (path, *path.parents) if p.exists() and (p == path) == p.is_dir()), None)
        if blocker is not None and blocker != settings.root and blocker not in settings.root.parents:
            kind = "a directory" if blocker == path else "a file, not a directory"
            raise InputError(f"cannot write {rel}: {display_path(blocker)} is {kind}",
                             source=str(settings.file or settings.root))
    written = []
    for rel, data in outputs.items():
        path = settings.output_path(rel)
        try:
            current = path.read_bytes()
        except OSError:
            current = None
        if current != data:
            atomic_write_bytes(path, data)
            written.append(path)
    return written


def _lock_for(settings: PullSettings, resolved: Resolved, outputs: dict[str, bytes]) -> Lock:
    name, origin, ref = _identity(settings)
    return Lock(
        contract=LockedContract(name=name, source=origin, ref=ref, version=resolved.version,
                                digest=resolved.digest, info_version=resolved.info_version,
                                source_commit=resolved.source_commit),
        generator=LockedGenerator(version=__version__, options_digest=options_digest(settings.config.typescript),
                                  generate=settings.config.generate_mode),
        outputs={rel: digest_of(data) for rel, data in sorted(outputs.items())},
    )


def _side(resolved: Resolved) -> Side:
    return Side(resolved.digest, resolved.version, resolved.info_version, resolved.source_commit)


def _locked_side(lock: Lock) -> Side:
    c = lock.contract
    return Side(c.digest, c.version, c.info_version, c.source_commit)


def _contract_name(settings: PullSettings) -> str:
    cfg = settings.config
    return cfg.contract or cfg.origin


# --- check ---------------------------------------------------------------------------------------

def check(settings: PullSettings) -> list[str]:
    """Every way the outputs or the config drifted from the lock, one line each (empty: in sync).
    Reads only local files."""
    lock_path = settings.lock_path
    lock = load_lock(lock_path, settings.name)
    shown = display_path(lock_path)
    if lock is None:
        if settings.name is not None and lock_path.exists():
            return [f'{shown} has no entry for "{settings.name}": run `contractsync pull`']
        return [f"{shown} does not exist: run `contractsync pull`"]
    reasons = []
    drift = identity_drift(settings, lock)
    if drift:
        reasons.append(f"{drift}: run `contractsync pull --update`")
    if lock.generator.version != __version__:
        reasons.append(f"{shown} was generated by contractsync {lock.generator.version}, this is {__version__}: "
                       "run `contractsync pull` to regenerate")
    if lock.generator.options_digest != options_digest(settings.config.typescript):
        reasons.append(f"the [{settings.table}.typescript] options changed since {shown} was written: "
                       "run `contractsync pull`")
    mode = settings.config.generate_mode
    if mode is not None and _locked_generate(settings, lock) != mode:
        made = (f"generate = {lock.generator.generate!r}" if lock.generator.generate is not None
                else "an unrecorded [pull] generate (the registry's types may have been used)")
        reasons.append(f"{shown} records types made with {made}, the config says generate = {mode!r}: "
                       "run `contractsync pull`")
    configured = set(settings.config.outputs().values())
    for rel in sorted(configured - set(lock.outputs)):
        reasons.append(f"{rel} is configured but not in {shown}: run `contractsync pull`")
    for rel in sorted(set(lock.outputs) - configured):
        reasons.append(f"{shown} lists {rel}, which the config no longer names: run `contractsync pull`")
    for rel in sorted(configured & set(lock.outputs)):
        path = settings.output_path(rel)
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            reasons.append(f"{rel} is missing: run `contractsync pull`")
            continue
        except OSError as exc:
            raise InputError(f"cannot read: {exc.strerror}", source=str(path)) from None
        if digest_of(data) != lock.outputs[rel]:
            reasons.append(f"{rel} differs from what {shown} records (edited by hand?): run `contractsync pull`")
    mismatch = _generated_from_other(settings, lock)
    if mismatch:
        reasons.append(f"{shown}: {mismatch} (edited by hand?): restore it from git, or run `contractsync pull --update`")
    if settings.config.openapi is not None and lock.outputs.get(settings.config.openapi) not in (None, lock.contract.digest):
        reasons.append(f"{shown} records {settings.config.openapi} with another digest than the contract's")
    return reasons


# --- install -------------------------------------------------------------------------------------

def install(settings: PullSettings, *, origin: Origin | None = None, cache: ContractCache | None = None) -> PullOutcome:
    """Install exactly the locked version (a first pull when there is no lock)."""
    lock = load_lock(settings.lock_path, settings.name)
    if lock is None:
        return update(settings, origin=origin, cache=cache)
    drift = identity_drift(settings, lock)
    if drift:
        raise CheckFailed(f"{drift}; the lock pins the other one: run `contractsync pull --update`",
                          source=display_path(settings.lock_path))
    cache = cache or ContractCache()
    report = UpdateReport(_contract_name(settings), lock.contract.ref, _locked_side(lock), _locked_side(lock),
                          locked=True)
    if _outputs_current(settings, lock):
        mismatch = _generated_from_other(settings, lock)
        if mismatch:
            raise InputError(f"{mismatch}: the lock was edited; restore it from git, or run "
                             "`contractsync pull --update`", source=display_path(settings.lock_path))
        return PullOutcome(report, contract_from="lock")
    own = origin is None
    origin = origin or make_origin(settings)
    try:
        digest = lock.contract.digest
        canon, got_from = _contract_bytes(digest, origin, cache)
        if canon is None:
            raise InputError(f"the locked contract {digest} is not in the cache and {origin.name} now holds other "
                             "content: run `contractsync pull --update` to take the new one",
                             source=display_path(settings.lock_path))
        doc = document_of(canon, f"{_contract_name(settings)} {digest}")
        outputs, types_from = _render_outputs(settings, canon, doc, origin, online=got_from != "cache",
                                              expected=lock.outputs if _same_generator(settings, lock) else None,
                                              version=lock.contract.version)
    finally:
        if own:
            origin.close()
    written = _write_outputs(settings, outputs)
    new_lock = _lock_for(settings, Resolved(digest, lock.contract.version, lock.contract.info_version,
                                            lock.contract.source_commit), outputs)
    lock_written = save_lock(settings.lock_path, new_lock, settings.name)
    return PullOutcome(report, written, lock_written, contract_from=got_from, types_from=types_from,
                       new_document=doc)


#: The header line of a generated types file that names the contract's digest.
_TYPES_DIGEST = re.compile(rb"^ \* sha256 ([0-9a-f]{64})$", re.M)


def _generated_from_other(settings: PullSettings, lock: Lock) -> str | None:
    """When the lock's contract digest is not the one the types file's header names (a lock
    edited by hand: the outputs still match their recorded hashes, so nothing else notices),
    say so; None when they agree or the file says nothing."""
    rel = settings.config.types
    if rel is None or rel not in lock.outputs:
        return None
    try:
        head = settings.output_path(rel).read_bytes()[:2048]
    except OSError:
        return None
    found = _TYPES_DIGEST.search(head)
    if found is None or f"sha256:{found.group(1).decode()}" == lock.contract.digest:
        return None
    return (f"it pins {lock.contract.digest} but {rel} was generated from sha256:{found.group(1).decode()}")


def _outputs_current(settings: PullSettings, lock: Lock) -> bool:
    """True when the generator and options are the lock's and every output has the locked bytes."""
    if not _same_generator(settings, lock):
        return False
    configured = set(settings.config.outputs().values())
    if configured != set(lock.outputs):
        return False
    for rel in configured:
        try:
            if digest_of(settings.output_path(rel).read_bytes()) != lock.outputs[rel]:
                return False
        except OSError:
            return False
    return True


def _same_generator(settings: PullSettings, lock: Lock) -> bool:
    """The lock's outputs were made by this generator version, with these options, the same way."""
    return (lock.generator.version == __version__
            and lock.generator.options_digest == options_digest(settings.config.typescript)
            and _locked_generate(settings, lock) == settings.config.generate_mode)


def _locked_generate(settings: PullSettings, lock: Lock) -> str | None:
    """How the lock's types were made. A lock written before ``[pull] generate`` existed does not
    say: for a plain source that was ``local`` (it has no stored types); for a registry it may
    have been the registry's types, so it stays unknown (drift until the next ``pull``)."""
    if lock.generator.generate is None and settings.config.registry is None and settings.config.types is not None:
        return "local"
    return lock.generator.generate


# --- update --------------------------------------------------------------------------------------

def update(
    settings: PullSettings,
    *,
    accept_breaking: bool = False,
    origin: Origin | None = None,
    cache: ContractCache | None = None,
    today: dt.date | None = None,
) -> PullOutcome:
    """Resolve the ref, report what changed since the locked version, regenerate and rewrite the
    lock; when breaking changes arrive and ``accept_breaking`` is False, write nothing and return
    an outcome with ``refused`` set."""
    lock = load_lock(settings.lock_path, settings.name)
    cache = cache or ContractCache()
    own = origin is None
    origin = origin or make_origin(settings)
    try:
        same = lock is not None and identity_drift(settings, lock) is None
        known = lock.contract.digest if lock is not None and same else None
        resolved = origin.resolve(known)
        if resolved is None:
            # The ref still names the locked version: make sure the outputs are installed.
            outcome = install(settings, origin=origin, cache=cache)
            outcome.report.locked = False
            return outcome
        return _apply(settings, lock, resolved, origin, cache, accept_breaking=accept_breaking, today=today)
    finally:
        if own:
            origin.close()


def _apply(settings: PullSettings, lock: Lock | None, resolved: Resolved, origin: Origin, cache: ContractCache,
           *, accept_breaking: bool, today: dt.date | None) -> PullOutcome:
    name = _contract_name(settings)
    ref = _identity(settings)[2]
    canon, got_from = _contract_bytes(resolved.digest, origin, cache)
    if canon is None:
        raise InputError(f"{origin.name} changed while it was read; run the pull again")
    new_doc = document_of(canon, f"{name} {resolved.digest}")
    report = UpdateReport(name, ref, _locked_side(lock) if lock is not None else None, _side(resolved))
    old_doc: Document | None = None
    if lock is not None and lock.contract.digest != resolved.digest:
        old_doc = _old_document(lock, settings, origin, cache, accept_breaking)
        changes, notes, reasons = _changes(lock.contract.digest, resolved.digest, old_doc, new_doc, origin,
                                           same_origin=_same_contract(settings, lock), today=today)
        report.items = build_items(changes, notes, _sunsets(changes, new_doc))
        report.reasons = reasons
    if report.breaking and not accept_breaking:
        return PullOutcome(report, refused=True, contract_from=got_from,
                           old_document=old_doc, new_document=new_doc)
    outputs, types_from = _render_outputs(settings, canon, new_doc, origin, online=got_from != "cache",
                                          expected=None, version=resolved.version)
    written = _write_outputs(settings, outputs)
    lock_written = save_lock(settings.lock_path, _lock_for(settings, resolved, outputs), settings.name)
    return PullOutcome(report, written, lock_written, contract_from=got_from, types_from=types_from,
                       old_document=old_doc, new_document=new_doc)


def _old_document(lock: Lock, settings: PullSettings, origin: Origin, cache: ContractCache,
                  accept_breaking: bool) -> Document | None:
    digest = lock.contract.digest
    data = cache.get(digest)
    if data is None and isinstance(origin, RegistryOrigin) and _same_contract(settings, lock):
        data = origin.fetch(digest)
        if data is not None:
            cache.put(digest, data)
    if data is None:
        if accept_breaking:
            return None
        raise InputError(f"cannot tell what changed: the locked contract {digest} is neither in the cache nor "
                         f"available from {origin.name}; pass --accept-breaking to take the new contract "
                         "without a report", source=display_path(settings.lock_path))
    return document_of(data, f"locked {digest}")


def _changes(old: str, new: str, old_doc: Document | None, new_doc: Document, origin: Origin, *,
             same_origin: bool, today: dt.date | None) -> tuple[list[Change], dict[str, Announced], str]:
    # The changes come from the two contracts, both verified against their digests; a registry's
    # /diff answer supplies the announced reasons only. Taking its list of changes let a registry
    # (or anything between) answer "no changes" and slip a breaking one past the refusal below.
    remote = origin.remote_changes(old, new) if same_origin else None
    if old_doc is None:  # only with --accept-breaking: the registry's list is all there is to show
        return (_well_formed(remote.changes), remote.announcements, "registry") if remote else ([], {}, "none")
    from ..diff.compare import compare
    from ..diff.options import DiffOptions

    report = compare(old_doc, new_doc, options=DiffOptions(now=today) if today else None).report
    if remote is not None:
        return list(report.changes), remote.announcements, "registry"
    notes = origin.reasons()
    return list(report.changes), notes or {}, "changelog" if notes is not None else "none"


def _well_formed(items: list[dict[str, Any]]) -> list[Change]:
    """The changes of a registry's diff answer that have the shape of one (others are skipped)."""
    out = []
    for item in items:
        try:
            out.append(change_from_dict(item))
        except (KeyError, ValueError, TypeError, AttributeError):
            continue
    return out


def _sunsets(changes: list[Change], doc: Document) -> dict[str, str]:
    """The ``x-sunset`` of every deprecation among ``changes``, read from the new contract."""
    from ..policy import deprecation_of
    from ..spec.refs import resolve_pointer

    out: dict[str, str] = {}
    for change in changes:
        pointer = change.location.revision
        if pointer is None or ("deprecat" not in change.id and "sunset" not in change.id):
            continue
        try:
            node = resolve_pointer(doc.data, pointer)
        except KeyError:
            continue
        dep = deprecation_of(node, pointer)
        if dep is not None and dep.sunset_raw is not None:
            out[change.fingerprint] = str(dep.sunset_raw)
    return out


# --- frontend impact ---------------------------------------------------------------------------

def frontend_impact(outcome: PullOutcome, frontend: Path, settings: PullSettings) -> ImpactReport | None:
    """Type-check ``frontend`` with the locked and the new types and attribute the new errors to
    the update's changes (``pull --update --frontend DIR``; :func:`contractsync.impact.analyse`).
    None when the update brought no changes to analyse."""
    if outcome.old_document is None or outcome.new_document is None or not outcome.report.items:
        return None
    from ..diff.model import Report
    from ..impact import analyse

    report = Report([item.change for item in outcome.report.items],
                    base_source=f"locked {outcome.report.old.label() if outcome.report.old else ''}",
                    revision_source=outcome.report.new.label())
    types = None
    if settings.config.types is not None and frontend.resolve() == settings.root:
        types = settings.config.types
    return analyse(frontend, outcome.old_document, outcome.new_document, report=report, types=types,
                   options=settings.config.typescript)


# --- watch ---------------------------------------------------------------------------------------

def watch(
    settings: PullSettings | Sequence[PullSettings],
    *,
    interval: float = 2.0,
    stop: threading.Event,
    on_update: Callable[[PullOutcome], None],
    on_problem: Callable[[str | None], None],
) -> None:
    """Poll the ref every ``interval`` seconds (a conditional GET for a registry label or a URL)
    and apply each new version — breaking ones too: watching is for development, where the
    type-checker then shows what broke. With several contracts (``[[pull]]``) each is polled in
    turn. ``on_problem`` is called once when an origin becomes unreachable (with the message) and
    once when it answers again (with None). Returns when ``stop`` is set."""
    entries = [settings] if isinstance(settings, PullSettings) else list(settings)
    cache = ContractCache()
    # A poll stuck on a registry that does not answer ends when stop is set (SIGTERM, SIGHUP),
    # not at its timeout: a service manager's SIGKILL would come first.
    origins = [make_origin(entry, cancel=stop) for entry in entries]
    failing = [False] * len(entries)
    try:
        while not stop.is_set():
            for i, (entry, origin) in enumerate(zip(entries, origins, strict=True)):
                if stop.is_set():
                    break
                try:
                    outcome = update(entry, accept_breaking=True, origin=origin, cache=cache)
                    if failing[i]:
                        failing[i] = False
                        on_problem(None)
                    if outcome.report.changed or outcome.written:
                        on_update(outcome)
                except ContractsyncError as exc:
                    if stop.is_set():
                        break
                    if not failing[i]:
                        failing[i] = True
                        on_problem(exc.one_line())
            stop.wait(interval)
    finally:
        for origin in origins:
            origin.close()
