"""Numbered schema migrations, shared by both backends.

Each migration is a list of statements with two dialect placeholders: ``{blob}`` (``BLOB`` /
``BYTEA``) and ``{serial}`` (an auto-numbered primary key). A migration is applied once, in its
own transaction, and recorded in ``schema_migrations``; the backends hold a lock while migrating
(SQLite ``BEGIN IMMEDIATE``, PostgreSQL an advisory lock), so replicas starting at once apply each
migration exactly once. Never edit a released migration: append a new one.
"""

from __future__ import annotations

MIGRATIONS: list[tuple[int, list[str]]] = [
    (1, [
        """CREATE TABLE blobs (
            digest TEXT PRIMARY KEY,
            size BIGINT NOT NULL,
            data {blob} NOT NULL,
            created_at TEXT NOT NULL)""",
        """CREATE TABLE contracts (
            name TEXT PRIMARY KEY,
            created_at TEXT NOT NULL)""",
        """CREATE TABLE versions (
            contract TEXT NOT NULL REFERENCES contracts(name),
            number INTEGER NOT NULL,
            digest TEXT NOT NULL REFERENCES blobs(digest),
            info_version TEXT NOT NULL,
            title TEXT NOT NULL,
            source_commit TEXT,
            source_branch TEXT,
            source_url TEXT,
            author TEXT NOT NULL,
            created_at TEXT NOT NULL,
            parent INTEGER,
            release_json {blob} NOT NULL,
            PRIMARY KEY (contract, number),
            UNIQUE (contract, digest))""",
        """CREATE TABLE announcements (
            contract TEXT NOT NULL,
            number INTEGER NOT NULL,
            fingerprint TEXT NOT NULL,
            reason TEXT NOT NULL,
            migration TEXT,
            sunset TEXT,
            PRIMARY KEY (contract, number, fingerprint),
            FOREIGN KEY (contract, number) REFERENCES versions(contract, number))""",
        """CREATE TABLE labels (
            contract TEXT NOT NULL REFERENCES contracts(name),
            name TEXT NOT NULL,
            number INTEGER NOT NULL,
            policy TEXT NOT NULL,
            moved_at TEXT NOT NULL,
            moved_by TEXT NOT NULL,
            PRIMARY KEY (contract, name),
            FOREIGN KEY (contract, number) REFERENCES versions(contract, number))""",
        """CREATE TABLE label_moves (
            id {serial},
            contract TEXT NOT NULL,
            label TEXT NOT NULL,
            number INTEGER NOT NULL,
            previous INTEGER,
            moved_at TEXT NOT NULL,
            moved_by TEXT NOT NULL)""",
        "CREATE INDEX label_moves_by_label ON label_moves (contract, label, id)",
        """CREATE TABLE artifacts (
            contract TEXT NOT NULL,
            number INTEGER NOT NULL,
            key TEXT NOT NULL,
            digest TEXT NOT NULL REFERENCES blobs(digest),
            created_at TEXT NOT NULL,
            PRIMARY KEY (contract, number, key))""",
        """CREATE TABLE tokens (
            id TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            hash TEXT NOT NULL,
            scopes TEXT NOT NULL,
            contracts TEXT,
            created_at TEXT NOT NULL,
            revoked_at TEXT)""",
    ]),
]

LATEST = MIGRATIONS[-1][0]
