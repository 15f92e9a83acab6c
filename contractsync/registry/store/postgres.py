"""PostgreSQL backend (psycopg 3): any number of stateless replicas share one database.

Blobs live in the database too (``bytea``), so replicas need no shared disk. A publish holds a
transaction-scoped advisory lock on its contract, so two replicas publishing to one contract
serialize; migrations run under a session advisory lock, so replicas starting together apply each
migration once.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator, Sequence
from typing import Any

from .sql import Cursor, Exec, SQLStore, lock_key

#: Advisory-lock key held while migrating (any constant distinct from contract keys works).
MIGRATION_LOCK = 0x636F6E7472616374  # "contract"


def _translate(sql: str) -> str:
    return sql.replace("?", "%s")


def _probe(url: str) -> None:
    """Connect once before the pool does: the pool retries a refused or misspelt URL in the
    background for its whole timeout, logging each try; the user wants one line at once."""
    import psycopg

    from ...errors import InputError

    try:
        psycopg.connect(url, connect_timeout=10).close()
    except psycopg.Error as exc:
        text = str(exc).strip()
        reason = text.splitlines()[0] if text else type(exc).__name__
        raise InputError(f"cannot connect to the database: {reason}", where="--database") from None


class PostgresStore(SQLStore):
    """The backend for more than one machine."""

    kind = "postgresql"
    blob_type = "BYTEA"
    serial_type = "BIGSERIAL PRIMARY KEY"

    def __init__(self, url: str, *, min_size: int = 1, max_size: int = 16) -> None:
        from psycopg_pool import ConnectionPool

        _probe(url)
        self.url = url
        self._pool = ConnectionPool(url, min_size=min_size, max_size=max_size, open=True,
                                    kwargs={"autocommit": True}, timeout=30)
        self._held = threading.local()

    @staticmethod
    def _exec(conn: Any) -> Exec:
        def run(sql: str, params: Sequence[Any] = ()) -> Cursor:
            cursor: Cursor = conn.execute(_translate(sql), tuple(params), prepare=False)
            return cursor
        return run

    @contextlib.contextmanager
    def _read(self) -> Iterator[Exec]:
        held = getattr(self._held, "conn", None)
        if held is not None:
            yield self._exec(held)
            return
        with self._pool.connection() as conn:
            yield self._exec(conn)

    @contextlib.contextmanager
    def reading(self) -> Iterator[None]:
        """Several reads on one pooled connection (a checkout costs more than a small query)."""
        if getattr(self._held, "conn", None) is not None:
            yield
            return
        with self._pool.connection() as conn:
            self._held.conn = conn
            try:
                yield
            finally:
                self._held.conn = None

    @contextlib.contextmanager
    def _write(self, key: str | None) -> Iterator[Exec]:
        with self._pool.connection() as conn, conn.transaction():
            if key is not None:
                conn.execute("SELECT pg_advisory_xact_lock(%s)", (lock_key(key),))
            yield self._exec(conn)

    def migrate(self) -> list[int]:
        with self._pool.connection() as conn:
            conn.execute("SELECT pg_advisory_lock(%s)", (MIGRATION_LOCK,))
            try:
                with conn.transaction():
                    return self._apply_migrations(self._exec(conn))
            finally:
                conn.execute("SELECT pg_advisory_unlock(%s)", (MIGRATION_LOCK,))

    def close(self) -> None:
        self._pool.close()
