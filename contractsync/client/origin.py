"""Where ``pull`` gets a contract from: a registry (or its static mirror), or a plain source.

Both answer the same three questions — *which version does the ref name now* (with a conditional
GET for labels), *give me the bytes of digest D* (verified against D), and *what changed from A
to B, and why* — so :mod:`contractsync.client.pull` does not care which one it talks to.
"""

from __future__ import annotations

import hashlib
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import quote, urljoin

from ..errors import InputError, SpecLoadError
from ..spec.canonical import canonical_json
from ..spec.document import check_structure
from ..spec.parse import Format, check_depth, load_json, parse_bytes
from ..spec.source import (
    FileSource,
    GitSource,
    UrlSource,
    UrlValidators,
    fetch_url,
    load_spec,
    load_spec_bytes,
    parse_source,
    read_git,
    read_url,
)
from ..typescript.options import TypeScriptOptions, options_digest
from .cache import ContractCache, IntegrityError, SavedAnswer, digest_of
from .http import Answer, RegistryClient, RegistryError
from .refs import Ref, is_digest
from .report import Announced, announced_from_dict


@dataclass(frozen=True)
class Resolved:
    """What a ref names now."""

    digest: str
    version: int | None = None
    info_version: str = ""
    source_commit: str | None = None


@dataclass
class RemoteChanges:
    """The registry's diff: the changes as JSON (``Change.to_dict``) and their announcements."""

    changes: list[dict[str, Any]]
    announcements: dict[str, Announced]


class Origin(Protocol):
    """A place contracts come from (see the module docstring)."""

    #: How the origin is named to the user.
    name: str
    #: True when the origin is reached over the network (a cache hit then saves a request).
    remote: bool

    def resolve(self, known: str | None) -> Resolved | None:
        """The version the configured ref names now; None when it is still ``known`` (a digest)."""
        ...

    def fetch(self, digest: str) -> bytes | None:
        """The canonical bytes of ``digest`` (verified), or None when the origin no longer has it."""
        ...

    def remote_changes(self, old: str, new: str) -> RemoteChanges | None:
        """The changes old → new as the origin computed them (None: compute locally)."""
        ...

    def reasons(self) -> dict[str, Announced] | None:
        """Announced reasons by fingerprint, for a local diff (None: the origin has none)."""
        ...

    def types(self, digest: str, options: TypeScriptOptions, generator_version: str) -> str | None:
        """A stored types artifact generated with exactly this generator and these options."""
        ...

    def close(self) -> None: ...


def _best_effort(raw: bytes, name: str, fmt: Format) -> Any:
    """A reasons file next to a plain source, through the loader policy (alias bombs, depth);
    None when it cannot be read: reasons are extra information, never a reason to fail."""
    try:
        return parse_bytes(raw, source=name, fmt=fmt)
    except InputError:
        return None


def canonical_bytes(raw: bytes, *, expected: str | None, source: str) -> tuple[bytes, str]:
    """The canonical JSON of a contract served as ``raw`` and its digest; checks the structure and,
    with ``expected``, that the content is the one the digest names (:class:`IntegrityError`).
    Parsed by the loader every document goes through (#13): a registry serving a contract nested
    1,000 levels deep made canonical JSON raise RecursionError."""
    try:
        data = load_json(raw, source=source)
        check_depth(data, source=source, raw=raw)
    except SpecLoadError as exc:
        raise InputError(f"the contract is not usable JSON: {exc.message}", source=source, where=exc.where) from None
    check_structure(data, source=source)
    if expected is not None and digest_of(raw) == expected:
        return raw, expected
    canon = canonical_json(data)
    digest = digest_of(canon)
    if expected is not None and digest != expected:
        raise IntegrityError(f"the contract served does not match its digest {expected} (got {digest}): "
                             "the registry or something between is serving other content", source=source)
    return canon, digest


# --- a registry ------------------------------------------------------------------------------------

class RegistryOrigin:
    """A contract in a registry (``http(s)://``) or its static mirror (``file://``)."""

    remote = True

    def __init__(self, client: RegistryClient, contract: str, ref: Ref) -> None:
        self.client = client
        self.contract = contract
        self.ref = ref
        self.name = f"{client.base_url} {contract} {ref}"
        self._prefix = f"/v1/contracts/{quote(contract, safe='')}"

    def close(self) -> None:
        self.client.close()

    def _version(self, ref: str, *, etag: str | None = None) -> Answer:
        """``GET …/versions/{ref}``: the version's JSON record. A static mirror holds it as
        ``versions/{ref}/index.json``; served by a plain web server, an object store or a CDN
        (not through ``file://``), the directory answers 404 or an HTML listing, so the record is
        then read from the file itself."""
        path = f"{self._prefix}/versions/{ref}"
        try:
            answer = self.client.get(path, etag=etag)
        except RegistryError as exc:
            if exc.status != 404:
                raise
            return self.client.get(f"{path}/index.json", etag=etag)
        if answer.not_modified:
            return answer
        try:
            answer.json()
        except RegistryError:  # a directory listing, not the record
            return self.client.get(f"{path}/index.json", etag=etag)
        return answer

    def resolve(self, known: str | None) -> Resolved | None:
        etag = known if self.ref.movable else None
        if self.ref.kind in ("digest", "version"):
            answer = self._version(quote(self.ref.value, safe=":"), etag=etag)
        else:
            answer = self.client.get(f"{self._prefix}/{self.ref.kind}s/{quote(self.ref.value, safe=':')}", etag=etag)
        if answer.not_modified:
            return None
        data = answer.json()
        digest = data.get("digest") if isinstance(data, dict) else None
        if not isinstance(digest, str) or not is_digest(digest):
            raise RegistryError("the answer has no valid 'digest'", source=answer.url)
        if digest == known:
            return None
        commit = _source_commit(data)
        if commit is None and "source" not in data:
            commit = self._version_commit(digest)
        version = data.get("version")
        return Resolved(digest, version if isinstance(version, int) else None,
                        str(data.get("info_version") or ""), commit)

    def _version_commit(self, digest: str) -> str | None:
        try:
            answer = self._version(digest)
        except RegistryError as exc:
            if exc.status == 404:
                return None
            raise
        data = answer.json()
        return _source_commit(data) if isinstance(data, dict) else None

    def describe(self, digest: str) -> Resolved:
        """The version object of ``digest``."""
        answer = self._version(digest)
        data = answer.json()
        version = data.get("version") if isinstance(data, dict) else None
        return Resolved(digest, version if isinstance(version, int) else None,
                        str(data.get("info_version") or "") if isinstance(data, dict) else "",
                        _source_commit(data) if isinstance(data, dict) else None)

    def fetch(self, digest: str) -> bytes | None:
        answer = self.client.get(f"{self._prefix}/versions/{digest}/openapi.json")
        canon, _ = canonical_bytes(answer.body, expected=digest, source=answer.url)
        return canon

    def remote_changes(self, old: str, new: str) -> RemoteChanges | None:
        try:
            answer = self.client.get(f"{self._prefix}/diff", params={"from": old, "to": new, "format": "json"})
        except RegistryError as exc:
            if exc.status in (400, 404, 405, 410, 422):
                return None  # a static mirror, or a version the registry pruned: diff locally
            raise
        data = answer.json()
        changes = data.get("changes") if isinstance(data, dict) else None
        if not isinstance(changes, list):
            raise RegistryError("the diff answer has no 'changes' list", source=answer.url)
        notes: dict[str, Announced] = {}
        for item in changes:
            note = announced_from_dict(item.get("announcement")) if isinstance(item, dict) else None
            if note is not None and isinstance(item.get("fingerprint"), str):
                notes[item["fingerprint"]] = note
        return RemoteChanges([c for c in changes if isinstance(c, dict)], notes)

    def reasons(self) -> dict[str, Announced] | None:
        return None

    def types(self, digest: str, options: TypeScriptOptions, generator_version: str) -> str | None:
        params = {k: str(v).lower() for k, v in options.model_dump(mode="json").items()}
        try:
            answer = self.client.get(f"{self._prefix}/versions/{digest}/types.ts", accept="text/plain, */*",
                                     params=None if self.client.base_url.startswith("file:") else params)
        except RegistryError as exc:
            if exc.status is not None:
                return None
            raise
        # Only types this very generator made with these options give the bytes a local run would.
        # A server says so in headers; a static mirror (a file, a CDN) in the version's index.json.
        expected: str | None = None
        named = "ETag"
        if answer.headers.get("x-contractsync-generator-version") is None:
            made = self._mirror_types(digest)
            if (not isinstance(made, dict) or made.get("generator_version") != generator_version
                    or made.get("options_digest") != options_digest(options)
                    or not isinstance(made.get("digest"), str)):
                return None
            expected, named = made["digest"], "digest in the mirror's index.json"
        elif (answer.headers.get("x-contractsync-generator-version") != generator_version
                or answer.headers.get("x-contractsync-options-digest") != options_digest(options)):
            return None
        # A stored artifact's ETag is the sha256 of its bytes: bytes that are not it were altered
        # on the way (or by the registry) and are never written into the frontend.
        if expected is None:
            etag = answer.headers.get("etag", "").removeprefix("W/").strip('"')
            expected = etag if etag.startswith("sha256:") else None
        if expected is not None and digest_of(answer.body) != expected:
            raise IntegrityError(f"the types served do not match their {named} {expected} (got {digest_of(answer.body)}): "
                                 "the registry or something between is serving other content", source=answer.url)
        try:
            return answer.body.decode("utf-8")
        except UnicodeDecodeError:
            return None

    def _mirror_types(self, digest: str) -> Any:
        """What a static mirror's version record says made its ``types.ts`` (None: nothing)."""
        try:
            data = self._version(digest).json()
        except RegistryError as exc:
            if exc.status is not None:
                return None
            raise
        artifacts = data.get("artifacts") if isinstance(data, dict) else None
        return artifacts.get("types.ts") if isinstance(artifacts, dict) else None


def _source_commit(data: dict[str, Any]) -> str | None:
    source = data.get("source")
    if isinstance(source, dict) and isinstance(source.get("commit"), str):
        return str(source["commit"])
    return None


# --- a plain source ----------------------------------------------------------------------------------

class PlainOrigin:
    """A file, ``REV:path`` or URL: read whole each time; its changelog.json and
    announcements.yaml, when they sit next to it, give the reasons."""

    def __init__(self, text: str, root: Path, cache: ContractCache | None = None) -> None:
        self.text = text
        self.root = root
        self.source = parse_source(text, cwd=root)
        if isinstance(self.source, FileSource) and not self.source.path.is_absolute():
            self.source = FileSource(root / self.source.path)
        self.name = text
        self.remote = isinstance(self.source, UrlSource)
        self._last: tuple[str, bytes] | None = None
        #: For a URL: the last answer's validators and what it held, so the next read (each
        #: ``pull --watch`` poll) is a conditional GET that an unchanged contract answers with 304.
        self._validators: UrlValidators | None = None
        self._info_version = ""
        #: For a URL: where the last answer's validators persist between runs (``pull --update``).
        self._cache = (cache or ContractCache()) if isinstance(self.source, UrlSource) else None

    def close(self) -> None:
        return None

    def _read(self) -> tuple[str, bytes, str]:
        if isinstance(self.source, UrlSource):
            if self._last is None:
                self._restore(self.source.url)
            known = self._validators if self._last is not None else None
            raw, validators = fetch_url(self.source, known)
            if raw is None and self._last is not None:
                return self._last[0], self._last[1], self._info_version
            assert raw is not None
            doc = load_spec_bytes(raw, self.source.url)
            self._validators = validators if (validators.etag or validators.last_modified) else None
        else:
            doc = load_spec(self.source)
        canon = canonical_json(doc.data)
        digest = "sha256:" + hashlib.sha256(canon).hexdigest()
        self._last = (digest, canon)
        self._info_version = doc.version
        if isinstance(self.source, UrlSource) and self._cache is not None and self._validators is not None:
            self._cache.put(digest, canon)
            self._cache.save_answer(SavedAnswer(self.source.url, digest, doc.version, self._validators.etag,
                                                self._validators.last_modified))
        return digest, canon, doc.version

    def _restore(self, url: str) -> None:
        """The last answer of ``url`` saved by an earlier run, so this GET is conditional."""
        saved = self._cache.answer(url) if self._cache is not None else None
        canon = self._cache.get(saved.digest) if self._cache is not None and saved is not None else None
        if saved is None or canon is None:
            return
        self._last = (saved.digest, canon)
        self._info_version = saved.info_version
        self._validators = UrlValidators(saved.etag, saved.last_modified)

    def resolve(self, known: str | None) -> Resolved | None:
        digest, _, info_version = self._read()
        if digest == known:
            return None
        return Resolved(digest, None, info_version, self._commit())

    def _commit(self) -> str | None:
        if not isinstance(self.source, GitSource):
            return None
        proc = subprocess.run(["git", "rev-parse", "--verify", "--quiet", f"{self.source.rev}^{{commit}}"],
                              cwd=self.source.cwd, capture_output=True, text=True, check=False)
        return proc.stdout.strip() or None if proc.returncode == 0 else None

    def fetch(self, digest: str) -> bytes | None:
        if self._last is None or self._last[0] != digest:
            self._read()
        assert self._last is not None
        return self._last[1] if self._last[0] == digest else None

    def remote_changes(self, old: str, new: str) -> RemoteChanges | None:
        return None

    def reasons(self) -> dict[str, Announced] | None:
        """Reasons from ``changelog.json`` (accepted releases) and ``announcements.yaml`` (pending)
        next to the source; None when neither is there."""
        changelog = self._sibling("changelog.json")
        pending = self._sibling("announcements.yaml")
        if changelog is None and pending is None:
            return None
        notes: dict[str, Announced] = {}
        if changelog is not None:
            data = _best_effort(changelog, "changelog.json", "json")
            for release in reversed(data.get("releases", []) if isinstance(data, dict) else []):
                for entry in release.get("changes", []) if isinstance(release, dict) else []:
                    note = announced_from_dict(entry.get("announcement")) if isinstance(entry, dict) else None
                    if note is not None:
                        notes[str(entry.get("fingerprint"))] = note
        if pending is not None:
            data = _best_effort(pending, "announcements.yaml", "yaml")
            for item in data.get("announcements", []) if isinstance(data, dict) else []:
                note = announced_from_dict(item) if isinstance(item, dict) else None
                if note is not None:
                    notes[str(item.get("fingerprint"))] = note
        return notes

    def _sibling(self, name: str) -> bytes | None:
        src = self.source
        try:
            if isinstance(src, FileSource):
                path = src.path.parent / name
                return path.read_bytes() if path.is_file() else None
            if isinstance(src, GitSource):
                directory = src.path.rsplit("/", 1)[0] + "/" if "/" in src.path else ""
                return read_git(GitSource(src.rev, directory + name, cwd=src.cwd))
            if isinstance(src, UrlSource):
                # The URL reader's size cap and deadline (a bare httpx.get read any size).
                return read_url(UrlSource(urljoin(src.url, name), timeout=src.timeout, max_bytes=src.max_bytes))
        except (OSError, InputError, ValueError):
            return None
        return None

    def types(self, digest: str, options: TypeScriptOptions, generator_version: str) -> str | None:
        return None
