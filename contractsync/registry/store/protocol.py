"""The storage interface the registry's routers and service depend on, and its records.

Two backends implement it with the same SQL (:mod:`.sql`): SQLite (:mod:`.sqlite`) and
PostgreSQL (:mod:`.postgres`). Every write is one transaction; a publish commits only when the
label still points where the caller judged against (optimistic check under a per-contract lock),
so racing publishers serialize without a half-stored version.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from typing import Protocol


class HeadMoved(Exception):
    """The label moved between judging and committing: judge again."""


class PreconditionFailed(Exception):
    """``If-Match`` named a head the label no longer has."""

    def __init__(self, current: str | None) -> None:
        super().__init__(current or "")
        self.current = current


@dataclass(frozen=True)
class VersionRow:
    contract: str
    number: int
    digest: str
    info_version: str
    title: str
    source_commit: str | None
    source_branch: str | None
    source_url: str | None
    author: str
    created_at: str
    parent: int | None
    """The version this one was judged against (its changelog predecessor)."""
    release_json: bytes
    """The changelog release (``contractsync.changelog.Release``) recorded for this version."""


@dataclass(frozen=True)
class LabelRow:
    contract: str
    label: str
    number: int
    digest: str
    info_version: str
    policy: str
    moved_at: str
    moved_by: str


@dataclass(frozen=True)
class MoveRow:
    number: int
    digest: str
    previous: int | None
    moved_at: str
    moved_by: str


@dataclass(frozen=True)
class AnnouncementRow:
    number: int
    fingerprint: str
    reason: str
    migration: str | None
    sunset: str | None


@dataclass(frozen=True)
class TokenRow:
    id: str
    name: str
    hash: str
    scopes: tuple[str, ...]
    contracts: tuple[str, ...] | None
    created_at: str
    revoked_at: str | None


@dataclass(frozen=True)
class NewVersion:
    """What a publish stores when the content is new."""

    digest: str
    canonical: bytes
    info_version: str
    title: str
    source_commit: str | None
    source_branch: str | None
    source_url: str | None
    release_json: bytes
    announcements: tuple[AnnouncementRow, ...]


@dataclass(frozen=True)
class Committed:
    version: VersionRow
    label: LabelRow
    created: bool


class AsyncPoller(Protocol):
    """The label poll's one query on the event loop (a network database: no worker thread)."""

    async def open(self) -> None: ...
    async def close(self) -> None: ...
    async def poll(self, contract: str, label: str, token_id: str | None) -> tuple[TokenRow | None, LabelRow | None]:
        ...


class Store(Protocol):
    """What the registry needs from a database."""

    kind: str

    def migrate(self) -> list[int]: ...
    def reading(self) -> contextlib.AbstractContextManager[None]:
        """Group several reads (PostgreSQL: on one pooled connection)."""
        ...
    def close(self) -> None: ...

    # reads
    def contract_names(self) -> list[str]: ...
    def versions(self, contract: str) -> list[VersionRow]: ...
    def version(self, contract: str, *, number: int | None = None, digest: str | None = None) -> VersionRow | None: ...
    def blob(self, digest: str) -> bytes | None: ...
    def has_blob(self, digest: str) -> bool: ...
    def labels(self, contract: str) -> list[LabelRow]: ...
    def label(self, contract: str, label: str) -> LabelRow | None: ...
    def poll(self, contract: str, label: str, token_id: str | None) -> tuple[TokenRow | None, LabelRow | None]:
        """The token record (when ``token_id`` is given) and the label pointer, in one query (one
        database round trip: what every ``pull --watch`` poll costs)."""
        ...
    def async_poller(self) -> AsyncPoller | None:
        """A new, unopened :class:`AsyncPoller` (PostgreSQL), or None when a blocking call is cheap
        (SQLite: a local file)."""
        ...
    def label_history(self, contract: str, label: str) -> list[MoveRow]: ...
    def announcements(self, contract: str, after: int, upto: int) -> list[AnnouncementRow]: ...
    def artifact(self, contract: str, number: int, key: str) -> tuple[str, bytes] | None: ...

    # writes
    def put_artifact(self, contract: str, number: int, key: str, data: bytes) -> str: ...
    def commit_publish(self, contract: str, label: str, *, expected_head: int | None,
                       new: NewVersion | None, existing: int | None, author: str,
                       policy_if_new: str, parent: int | None) -> Committed: ...
    def move_label(self, contract: str, label: str, *, number: int, if_match: str | None,
                   actor: str, policy: str | None, default_policy: str) -> LabelRow: ...

    # tokens
    def add_token(self, token: TokenRow) -> None: ...
    def token(self, token_id: str) -> TokenRow | None: ...
    def tokens(self) -> list[TokenRow]: ...
    def revoke_token(self, id_or_name: str, when: str) -> int: ...
