"""A content-addressed cache of contracts, so ``pull`` installs the locked version offline.

Each contract is stored once, as its canonical JSON, under
``$CONTRACTSYNC_CACHE_DIR`` (else ``$XDG_CACHE_HOME/contractsync``, else ``~/.cache/contractsync``)
``/contracts/sha256/<hex>``. A file is its own checksum: reading one whose bytes do not hash to
its name is an error (a tampered or corrupted cache), never silently used.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from ..errors import InputError
from ..io import atomic_write_bytes
from ..spec.validate import cache_dir
from .refs import is_digest


class IntegrityError(InputError):
    """Bytes that do not hash to the digest they were fetched or stored under."""


def digest_of(data: bytes) -> str:
    """``sha256:<hex>`` of ``data``."""
    return "sha256:" + hashlib.sha256(data).hexdigest()


class ContractCache:
    """Canonical contract bytes by digest."""

    def __init__(self, root: Path | None = None) -> None:
        self.root = (root or cache_dir()) / "contracts" / "sha256"

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
