"""Registry storage: the :class:`~.protocol.Store` interface and its two backends."""

from __future__ import annotations

from pathlib import Path

from .protocol import Store


def open_store(*, data_dir: Path | None = None, database_url: str | None = None, migrate: bool = True) -> Store:
    """The backend for a ``--database`` URL (PostgreSQL) or a ``--data`` directory (SQLite),
    migrated to the latest schema unless ``migrate`` is False."""
    store: Store
    if database_url:
        if not database_url.startswith(("postgresql://", "postgres://")):
            from ...errors import InputError

            raise InputError("--database must be a postgresql:// URL (use --data DIR for SQLite)")
        from .postgres import PostgresStore

        store = PostgresStore(database_url)
    else:
        from .sqlite import SQLiteStore

        store = SQLiteStore(data_dir or Path("contractsync-data"))
    if migrate:
        store.migrate()
    return store
