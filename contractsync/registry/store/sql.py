"""The SQL both backends share. A backend supplies connections, the placeholder style and the
per-contract write lock; everything else (queries, the publish transaction) lives here once."""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
from collections.abc import Sequence
from typing import Any, Protocol

from .migrations import MIGRATIONS
from .protocol import (
    AnnouncementRow,
    AsyncPoller,
    Committed,
    HeadMoved,
    LabelRow,
    MoveRow,
    NewVersion,
    PreconditionFailed,
    TokenRow,
    VersionRow,
)


class Cursor(Protocol):
    def fetchone(self) -> Any: ...
    def fetchall(self) -> list[Any]: ...


class Exec(Protocol):
    def __call__(self, sql: str, params: Sequence[Any] = ()) -> Cursor: ...


def now_text() -> str:
    """The current UTC time as stored and shown: ``2026-11-30T10:00:00.123456Z``."""
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def lock_key(contract: str) -> int:
    """A signed 64-bit key for a contract's advisory lock."""
    return int.from_bytes(hashlib.sha256(b"contractsync:" + contract.encode()).digest()[:8], "big", signed=True)


_VERSION_COLS = ("contract, number, digest, info_version, title, source_commit, source_branch, source_url, "
                 "author, created_at, parent, release_json")
_LABEL_SQL = ("SELECT l.contract, l.name, l.number, v.digest, v.info_version, l.policy, l.moved_at, l.moved_by "
              "FROM labels l JOIN versions v ON v.contract = l.contract AND v.number = l.number ")


_TOKEN_COLS = "id, name, hash, scopes, contracts, created_at, revoked_at"
#: The label poll: the token (by id) and the label pointer in one statement. The one-row derived
#: table makes both outer joins optional, so a missing token or label is a row of NULLs.
_POLL_SQL = ("SELECT t.id, t.name, t.hash, t.scopes, t.contracts, t.created_at, t.revoked_at, "
             "l.contract, l.name, l.number, v.digest, v.info_version, l.policy, l.moved_at, l.moved_by "
             "FROM (SELECT 1 AS one) AS q "
             "LEFT JOIN tokens t ON t.id = ? "
             "LEFT JOIN labels l ON l.contract = ? AND l.name = ? "
             "LEFT JOIN versions v ON v.contract = l.contract AND v.number = l.number")


def poll_sql(placeholder: str) -> str:
    """The poll statement with a backend's placeholder."""
    return _POLL_SQL.replace("?", placeholder)


def poll_result(row: Any) -> tuple[TokenRow | None, LabelRow | None]:
    """(token, label) from a row of :data:`_POLL_SQL`."""
    tok = _token(row[:7]) if row[0] is not None else None
    found = _label(row[7:]) if row[7] is not None and row[10] is not None else None
    return tok, found


def _version(row: Any) -> VersionRow:
    return VersionRow(row[0], int(row[1]), row[2], row[3], row[4], row[5], row[6], row[7], row[8], row[9],
                      None if row[10] is None else int(row[10]), bytes(row[11]))


def _label(row: Any) -> LabelRow:
    return LabelRow(row[0], row[1], int(row[2]), row[3], row[4], row[5], row[6], row[7])


def _token(row: Any) -> TokenRow:
    scopes = tuple(s for s in row[3].split(",") if s)
    contracts = tuple(c for c in row[4].split(",") if c) if row[4] is not None else None
    return TokenRow(row[0], row[1], row[2], scopes, contracts, row[5], row[6])


class SQLStore:
    """Queries and transactions over a backend's ``_read()`` / ``_write(key)`` executors."""

    kind = "sql"
    blob_type = "BLOB"
    serial_type = "INTEGER PRIMARY KEY AUTOINCREMENT"

    # --- provided by a backend --------------------------------------------------------------
    def _read(self) -> contextlib.AbstractContextManager[Exec]:
        raise NotImplementedError

    def _write(self, key: str | None) -> contextlib.AbstractContextManager[Exec]:
        """A transaction holding the write lock for ``key`` (a contract), committed on exit."""
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError

    def _changed(self, ex: Exec) -> None:
        """Inside a write transaction that moved a label or added or revoked a token: tell other
        processes' poll caches (PostgreSQL: NOTIFY, delivered at commit). Nothing to do here."""

    # --- migrations -------------------------------------------------------------------------
    def _apply_migrations(self, ex: Exec) -> list[int]:
        ex("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)")
        done = {int(r[0]) for r in ex("SELECT version FROM schema_migrations").fetchall()}
        applied = []
        for number, statements in MIGRATIONS:
            if number in done:
                continue
            for statement in statements:
                ex(statement.format(blob=self.blob_type, serial=self.serial_type))
            ex("INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)", (number, now_text()))
            applied.append(number)
        return applied

    def schema_version(self) -> int:
        with self._read() as ex:
            row = ex("SELECT MAX(version) FROM schema_migrations").fetchone()
        return int(row[0] or 0)

    # --- reads ------------------------------------------------------------------------------
    def contract_names(self) -> list[str]:
        with self._read() as ex:
            return [r[0] for r in ex("SELECT name FROM contracts ORDER BY name").fetchall()]

    def versions(self, contract: str) -> list[VersionRow]:
        with self._read() as ex:
            rows = ex(f"SELECT {_VERSION_COLS} FROM versions WHERE contract = ? ORDER BY number", (contract,))
            return [_version(r) for r in rows.fetchall()]

    def version(self, contract: str, *, number: int | None = None, digest: str | None = None) -> VersionRow | None:
        with self._read() as ex:
            return self._version_in(ex, contract, number=number, digest=digest)

    def _version_in(self, ex: Exec, contract: str, *, number: int | None = None,
                    digest: str | None = None) -> VersionRow | None:
        if number is not None:
            row = ex(f"SELECT {_VERSION_COLS} FROM versions WHERE contract = ? AND number = ?",
                     (contract, number)).fetchone()
        else:
            row = ex(f"SELECT {_VERSION_COLS} FROM versions WHERE contract = ? AND digest = ?",
                     (contract, digest)).fetchone()
        return _version(row) if row is not None else None

    def blob(self, digest: str) -> bytes | None:
        with self._read() as ex:
            row = ex("SELECT data FROM blobs WHERE digest = ?", (digest,)).fetchone()
        return bytes(row[0]) if row is not None else None

    def has_blob(self, digest: str) -> bool:
        with self._read() as ex:
            return ex("SELECT 1 FROM blobs WHERE digest = ?", (digest,)).fetchone() is not None

    def labels(self, contract: str) -> list[LabelRow]:
        with self._read() as ex:
            rows = ex(_LABEL_SQL + "WHERE l.contract = ? ORDER BY l.name", (contract,)).fetchall()
        return [_label(r) for r in rows]

    def label(self, contract: str, label: str) -> LabelRow | None:
        with self._read() as ex:
            return self._label_in(ex, contract, label)

    def poll(self, contract: str, label: str, token_id: str | None) -> tuple[TokenRow | None, LabelRow | None]:
        with self._poll_read() as ex:
            row = ex(_POLL_SQL, (token_id, contract, label)).fetchone()
        return poll_result(row)

    def async_poller(self) -> AsyncPoller | None:
        return None

    def _poll_read(self) -> contextlib.AbstractContextManager[Exec]:
        """The executor of the poll query (PostgreSQL: may use a prepared statement)."""
        return self._read()

    def _label_in(self, ex: Exec, contract: str, label: str) -> LabelRow | None:
        row = ex(_LABEL_SQL + "WHERE l.contract = ? AND l.name = ?", (contract, label)).fetchone()
        return _label(row) if row is not None else None

    def label_history(self, contract: str, label: str) -> list[MoveRow]:
        with self._read() as ex:
            rows = ex("SELECT m.number, v.digest, m.previous, m.moved_at, m.moved_by FROM label_moves m "
                      "JOIN versions v ON v.contract = m.contract AND v.number = m.number "
                      "WHERE m.contract = ? AND m.label = ? ORDER BY m.id", (contract, label)).fetchall()
        return [MoveRow(int(r[0]), r[1], None if r[2] is None else int(r[2]), r[3], r[4]) for r in rows]

    def announcements(self, contract: str, after: int, upto: int) -> list[AnnouncementRow]:
        with self._read() as ex:
            rows = ex("SELECT number, fingerprint, reason, migration, sunset FROM announcements "
                      "WHERE contract = ? AND number > ? AND number <= ? ORDER BY number, fingerprint",
                      (contract, after, upto)).fetchall()
        return [AnnouncementRow(int(r[0]), r[1], r[2], r[3], r[4]) for r in rows]

    def artifact(self, contract: str, number: int, key: str) -> tuple[str, bytes] | None:
        with self._read() as ex:
            row = ex("SELECT a.digest, b.data FROM artifacts a JOIN blobs b ON b.digest = a.digest "
                     "WHERE a.contract = ? AND a.number = ? AND a.key = ?", (contract, number, key)).fetchone()
        return (row[0], bytes(row[1])) if row is not None else None

    # --- writes -----------------------------------------------------------------------------
    @staticmethod
    def _put_blob(ex: Exec, data: bytes) -> str:
        digest = "sha256:" + hashlib.sha256(data).hexdigest()
        ex("INSERT INTO blobs (digest, size, data, created_at) VALUES (?, ?, ?, ?) ON CONFLICT (digest) DO NOTHING",
           (digest, len(data), data, now_text()))
        return digest

    def put_artifact(self, contract: str, number: int, key: str, data: bytes) -> str:
        """Store a generated artifact once; a racing writer's copy wins and is returned."""
        with self._write(None) as ex:
            digest = self._put_blob(ex, data)
            ex("INSERT INTO artifacts (contract, number, key, digest, created_at) VALUES (?, ?, ?, ?, ?) "
               "ON CONFLICT (contract, number, key) DO NOTHING", (contract, number, key, digest, now_text()))
            row = ex("SELECT digest FROM artifacts WHERE contract = ? AND number = ? AND key = ?",
                     (contract, number, key)).fetchone()
        return str(row[0])

    def commit_publish(self, contract: str, label: str, *, expected_head: int | None,
                       new: NewVersion | None, existing: int | None, author: str,
                       policy_if_new: str, parent: int | None) -> Committed:
        """Store ``new`` (unless its digest is already a version) and move ``label`` to it, in one
        transaction under the contract's lock; :class:`HeadMoved` when the label no longer points
        at ``expected_head``."""
        when = now_text()
        with self._write(contract) as ex:
            head = self._label_in(ex, contract, label)
            if (head.number if head else None) != expected_head:
                raise HeadMoved(label)
            created = False
            version = None
            if new is not None:
                version = self._version_in(ex, contract, digest=new.digest)
            elif existing is not None:
                version = self._version_in(ex, contract, number=existing)
            if version is None:
                if new is None:
                    raise HeadMoved(label)  # pragma: no cover - an existing version never disappears
                ex("INSERT INTO contracts (name, created_at) VALUES (?, ?) ON CONFLICT (name) DO NOTHING",
                   (contract, when))
                self._put_blob(ex, new.canonical)
                row = ex("SELECT COALESCE(MAX(number), 0) + 1 FROM versions WHERE contract = ?", (contract,)).fetchone()
                number = int(row[0])
                ex(f"INSERT INTO versions ({_VERSION_COLS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                   (contract, number, new.digest, new.info_version, new.title, new.source_commit,
                    new.source_branch, new.source_url, author, when, parent, new.release_json))
                for a in new.announcements:
                    ex("INSERT INTO announcements (contract, number, fingerprint, reason, migration, sunset) "
                       "VALUES (?, ?, ?, ?, ?, ?)", (contract, number, a.fingerprint, a.reason, a.migration, a.sunset))
                version = self._version_in(ex, contract, number=number)
                assert version is not None
                created = True
            if head is None or head.number != version.number:
                self._move(ex, contract, label, version.number, head, author, when, policy_if_new, None)
                self._changed(ex)
            moved = self._label_in(ex, contract, label)
            assert moved is not None
        return Committed(version, moved, created)

    @staticmethod
    def _move(ex: Exec, contract: str, label: str, number: int, head: LabelRow | None, actor: str,
              when: str, default_policy: str, policy: str | None) -> None:
        if head is None:
            ex("INSERT INTO labels (contract, name, number, policy, moved_at, moved_by) VALUES (?, ?, ?, ?, ?, ?)",
               (contract, label, number, policy or default_policy, when, actor))
        else:
            ex("UPDATE labels SET number = ?, policy = ?, moved_at = ?, moved_by = ? WHERE contract = ? AND name = ?",
               (number, policy or head.policy, when, actor, contract, label))
        if head is None or head.number != number:
            ex("INSERT INTO label_moves (contract, label, number, previous, moved_at, moved_by) VALUES (?, ?, ?, ?, ?, ?)",
               (contract, label, number, head.number if head else None, when, actor))

    def move_label(self, contract: str, label: str, *, number: int, if_match: str | None,
                   actor: str, policy: str | None, default_policy: str) -> LabelRow:
        """Point ``label`` at version ``number`` (and/or set its policy). ``if_match`` is the
        digest the caller saw as head (``None``: no precondition; ``""``: the label must not exist)."""
        when = now_text()
        with self._write(contract) as ex:
            head = self._label_in(ex, contract, label)
            if if_match is not None and (head.digest if head else "") != if_match:
                raise PreconditionFailed(head.digest if head else None)
            self._move(ex, contract, label, number, head, actor, when, default_policy, policy)
            self._changed(ex)
            moved = self._label_in(ex, contract, label)
            assert moved is not None
        return moved

    # --- tokens -----------------------------------------------------------------------------
    def add_token(self, token: TokenRow) -> None:
        with self._write(None) as ex:
            ex("INSERT INTO tokens (id, name, hash, scopes, contracts, created_at, revoked_at) "
               "VALUES (?, ?, ?, ?, ?, ?, ?)",
               (token.id, token.name, token.hash, ",".join(token.scopes),
                ",".join(token.contracts) if token.contracts is not None else None, token.created_at,
                token.revoked_at))
            self._changed(ex)

    def token(self, token_id: str) -> TokenRow | None:
        with self._read() as ex:
            row = ex(f"SELECT {_TOKEN_COLS} FROM tokens WHERE id = ?",
                     (token_id,)).fetchone()
        return _token(row) if row is not None else None

    def tokens(self) -> list[TokenRow]:
        with self._read() as ex:
            rows = ex("SELECT id, name, hash, scopes, contracts, created_at, revoked_at FROM tokens "
                      "ORDER BY created_at, id").fetchall()
        return [_token(r) for r in rows]

    def revoke_token(self, id_or_name: str, when: str) -> int:
        """Revoke the token with this id, or every live token with this name; returns how many."""
        with self._write(None) as ex:
            rows = ex("SELECT id FROM tokens WHERE (id = ? OR name = ?) AND revoked_at IS NULL",
                      (id_or_name, id_or_name)).fetchall()
            for r in rows:
                ex("UPDATE tokens SET revoked_at = ? WHERE id = ?", (when, r[0]))
            self._changed(ex)
        return len(rows)
