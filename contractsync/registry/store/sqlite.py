"""SQLite backend: one file in ``--data DIR``, WAL mode (readers never wait for the writer).

Each thread keeps its own connection. Writes run in ``BEGIN IMMEDIATE`` transactions, which take
the database's write lock up front, so two processes publishing at once serialize instead of
failing half-way (``busy_timeout`` makes the second wait).

Switching a new database file to WAL does not go through the busy handler: a connection that
asks while another holds a lock gets "database is locked" at once (seen with replicas starting
together). That one statement is retried with backoff for as long as ``busy_timeout`` would wait.
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from .sql import Cursor, Exec, SQLStore

FILENAME = "registry.sqlite3"
BUSY_TIMEOUT_MS = 60_000


def _wal(conn: sqlite3.Connection) -> None:
    """``PRAGMA journal_mode = WAL``, retried while another connection holds a lock (see above)."""
    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
    delay = 0.002
    while True:
        try:
            conn.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as exc:
            if ("locked" not in str(exc) and "busy" not in str(exc)) or time.monotonic() > deadline:
                raise
        time.sleep(delay)
        delay = min(delay * 2, 0.1)


class SQLiteStore(SQLStore):
    """The default, zero set-up backend."""

    kind = "sqlite"
    blob_type = "BLOB"
    serial_type = "INTEGER PRIMARY KEY AUTOINCREMENT"

    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self.path = self.directory / FILENAME
        self._local = threading.local()
        self._all: list[sqlite3.Connection] = []
        self._lock = threading.Lock()

    def _conn(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None,
                                   check_same_thread=False)
            conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            _wal(conn)
            conn.execute("PRAGMA synchronous = NORMAL")
            conn.execute("PRAGMA foreign_keys = ON")
            self._local.conn = conn
            with self._lock:
                self._all.append(conn)
        return conn

    @staticmethod
    def _exec(conn: sqlite3.Connection) -> Exec:
        def run(sql: str, params: Sequence[Any] = ()) -> Cursor:
            return conn.execute(sql, tuple(params))
        return run

    @contextlib.contextmanager
    def _read(self) -> Iterator[Exec]:
        yield self._exec(self._conn())

    @contextlib.contextmanager
    def _write(self, key: str | None) -> Iterator[Exec]:
        conn = self._conn()
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield self._exec(conn)
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    @contextlib.contextmanager
    def reading(self) -> Iterator[None]:
        """Several reads together (each thread already keeps its own connection)."""
        yield

    def migrate(self) -> list[int]:
        with self._write(None) as ex:
            return self._apply_migrations(ex)

    def close(self) -> None:
        with self._lock:
            for conn in self._all:
                with contextlib.suppress(sqlite3.Error):
                    conn.close()
            self._all.clear()
        self._local = threading.local()
