"""PostgreSQL backend (psycopg 3): any number of stateless replicas share one database.

Blobs live in the database too (``bytea``), so replicas need no shared disk. A publish holds a
transaction-scoped advisory lock on its contract, so two replicas publishing to one contract
serialize; migrations run under a session advisory lock, so replicas starting together apply each
migration once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from .protocol import LabelRow, TokenRow
from .sql import Cursor, Exec, SQLStore, lock_key, poll_result, poll_sql

log = logging.getLogger("contractsync.registry")

#: The NOTIFY channel of label moves and token changes (clears every replica's poll cache).
CHANNEL = "contractsync_poll"
#: Longest time (s) a replica answers a label poll from memory without a notification.
DEFAULT_POLL_TTL = 1.0

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
    def _poll_read(self) -> Iterator[Exec]:
        """The label poll's one query as a server-side prepared statement (parsed and planned
        once per pooled connection: it runs on every ``pull --watch`` poll)."""
        def run_prepared(conn: Any) -> Exec:
            def run(sql: str, params: Sequence[Any] = ()) -> Cursor:
                cursor: Cursor = conn.execute(_translate(sql), tuple(params), prepare=True)
                return cursor
            return run

        held = getattr(self._held, "conn", None)
        if held is not None:
            yield run_prepared(held)
            return
        with self._pool.connection() as conn:
            yield run_prepared(conn)

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

    def _changed(self, ex: Exec) -> None:
        # The payload names the schema, so registries sharing a database ignore each other.
        ex("SELECT pg_notify(?, current_schema())", (CHANNEL,))

    def async_poller(self) -> AsyncPostgresPoller:
        return AsyncPostgresPoller(self.url)

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


class AsyncPostgresPoller:
    """The label poll on an asyncio connection pool of its own, with a cache validated by
    ``LISTEN``/``NOTIFY``.

    The event loop awaits the one round trip itself (a prepared statement per pooled connection),
    without handing the call to a worker thread. Answers (token record + label pointer) are kept
    for at most ``ttl`` seconds, and only while a listener connection is subscribed to
    :data:`CHANNEL`: every write that moves a label or adds or revokes a token notifies in its
    transaction (delivered at commit), and every replica clears its whole cache on the
    notification. So a move or a revocation made through any replica or the CLI is seen as soon as
    the notification arrives, and never later than ``ttl``; while the listener is down (reconnecting)
    nothing is cached. An answer read while a notification was being handled is not kept.
    """

    def __init__(self, url: str, *, max_size: int = 8, ttl: float = DEFAULT_POLL_TTL,
                 max_entries: int = 10_000, clock: Callable[[], float] = time.monotonic) -> None:
        from psycopg_pool import AsyncConnectionPool

        self.url = url
        self._pool = AsyncConnectionPool(url, min_size=1, max_size=max_size, open=False,
                                         kwargs={"autocommit": True}, timeout=30)
        self._sql = poll_sql("%s")
        self.ttl = ttl
        self.max_entries = max_entries
        self._clock = clock
        self._cache: dict[tuple[str, str, str | None], tuple[float, tuple[TokenRow | None, LabelRow | None]]] = {}
        self.generation = 0
        """Bumped on every notification and every listener (re)connect or loss."""
        self.listening = False
        self.hits = 0
        self._listener: asyncio.Task[None] | None = None
        self._subscribed: asyncio.Event | None = None

    async def open(self) -> None:
        await self._pool.open()
        if self.ttl > 0:
            self._subscribed = asyncio.Event()
            self._listener = asyncio.create_task(self._listen(), name="contractsync-poll-listener")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._subscribed.wait(), 10)

    async def close(self) -> None:
        if self._listener is not None:
            self._listener.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._listener
            self._listener = None
        self._invalidate(listening=False)
        await self._pool.close()

    def _invalidate(self, *, listening: bool) -> None:
        self.generation += 1
        self._cache.clear()
        self.listening = listening

    async def _listen(self) -> None:
        import psycopg

        delay = 0.1
        while True:
            try:
                conn = await psycopg.AsyncConnection.connect(self.url, autocommit=True)
                async with conn:
                    await conn.execute(f"LISTEN {CHANNEL}")
                    cursor = await conn.execute("SELECT current_schema()")
                    schema = (await cursor.fetchone() or [None])[0]
                    self._invalidate(listening=True)  # nothing older than the subscription stays
                    delay = 0.1
                    if self._subscribed is not None:
                        self._subscribed.set()
                    async for note in conn.notifies():
                        if note.payload in (schema, "") or schema is None:
                            self._invalidate(listening=True)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.warning("poll cache listener lost its connection; not caching until it is back", exc_info=True)
            self._invalidate(listening=False)
            await asyncio.sleep(delay)
            delay = min(delay * 2, 5.0)

    async def poll(self, contract: str, label: str, token_id: str | None) -> tuple[TokenRow | None, LabelRow | None]:
        key = (contract, label, token_id)
        now = self._clock()
        if self.listening:
            hit = self._cache.get(key)
            if hit is not None and now - hit[0] < self.ttl:
                self.hits += 1
                return hit[1]
        generation = self.generation
        async with self._pool.connection() as conn:
            cursor = await conn.execute(self._sql, (token_id, contract, label), prepare=True)
            row = await cursor.fetchone()
        result = poll_result(row)
        if self.listening and self.generation == generation:
            if len(self._cache) >= self.max_entries:
                self._cache.clear()
            self._cache[key] = (now, result)
        return result
