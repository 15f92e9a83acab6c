"""A content-addressed cache of contracts, so ``pull`` installs the locked version offline.

Each contract is stored once, as its canonical JSON, under
``$CONTRACTSYNC_CACHE_DIR`` (else ``$XDG_CACHE_HOME/contractsync``, else ``~/.cache/contractsync``)
``/contracts/sha256/<hex>``. A file is its own checksum: reading one whose bytes do not hash to
its name is an error (a tampered or corrupted cache), never silently used.

Next to it, ``/answers/<sha256 of the URL>.json`` keeps the validators (``ETag``,
``Last-Modified``) of the last answer of each URL source and the digest of the contract it held,
so the next ``pull --update`` of that URL is a conditional GET: a 304 installs the cached bytes
(verified against the digest), and an unchanged contract is not downloaded again. These are
local facts about a server, so they live in the cache, never in the committed lock.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass
from pathlib import Path

import orjson

from ..errors import InputError
from ..io import atomic_write_bytes
from ..spec.validate import cache_dir
from .refs import is_digest


class IntegrityError(InputError):
    """Bytes that do not hash to the digest they were fetched or stored under."""


def digest_of(data: bytes) -> str:
    """``sha256:<hex>`` of ``data``."""
    return "sha256:" + hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class SavedAnswer:
    """What a URL last answered: its validators and the contract (by digest) it held."""

    url: str
    digest: str
    info_version: str
    etag: str | None
    last_modified: str | None


class ContractCache:
    """Canonical contract bytes by digest, and the last answer of each URL source."""

    def __init__(self, root: Path | None = None) -> None:
        base = root or cache_dir()
        self.root = base / "contracts" / "sha256"
        self.answers = base / "answers"

    def _answer_path(self, url: str) -> Path:
        return self.answers / (hashlib.sha256(url.encode("utf-8")).hexdigest() + ".json")

    def answer(self, url: str) -> SavedAnswer | None:
        """The saved answer of ``url`` when it is readable and its contract is still cached
        (verified); None otherwise (then the next GET is unconditional)."""
        try:
            data = orjson.loads(self._answer_path(url).read_bytes())
            saved = SavedAnswer(**data)
        except (OSError, orjson.JSONDecodeError, TypeError):
            return None
        texts = (saved.url, saved.digest, saved.info_version)
        validators = (saved.etag, saved.last_modified)
        if not all(isinstance(x, str) for x in texts) or not all(
                x is None or (isinstance(x, str) and x.isascii() and x.isprintable()) for x in validators):
            return None  # not what save_answer wrote: a header value must be one printable line
        if saved.url != url or not is_digest(saved.digest):
            return None
        if not (saved.etag or saved.last_modified) or self.get(saved.digest) is None:
            return None
        return saved

    def save_answer(self, saved: SavedAnswer) -> None:
        """Remember ``saved`` (written atomically); a cache that cannot be written is skipped:
        it only saves a download."""
        try:
            atomic_write_bytes(self._answer_path(saved.url), orjson.dumps(asdict(saved)), mode=0o644)
        except OSError:
            return

    def path(self, digest: str) -> Path:
        if not is_digest(digest):
            raise InputError(f"{digest!r} is not a sha256 digest")
        return self.root / digest.removeprefix("sha256:")

    def get(self, digest: str) -> bytes | None:
        """The cached bytes for ``digest`` (None when absent); :class:`IntegrityError` when the
        file does not hash to its name."""
        path = self.path(digest)
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise InputError(f"cannot read the cache: {exc.strerror}", source=str(path)) from None
        if digest_of(data) != digest:
            raise IntegrityError(f"cached contract does not match its digest {digest} (tampered or corrupted): "
                                 "delete the file and pull again", source=str(path))
        return data

    def put(self, digest: str, data: bytes) -> None:
        """Store ``data`` (canonical bytes that must hash to ``digest``)."""
        if digest_of(data) != digest:
            raise IntegrityError(f"refusing to cache bytes that do not hash to {digest}")
        path = self.path(digest)
        try:
            if path.read_bytes() == data:
                return
        except OSError:
            pass
        atomic_write_bytes(path, data, mode=0o644)
