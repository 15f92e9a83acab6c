"""The contract registry: ``contractsync serve``.

A FastAPI app (:func:`contractsync.registry.app.create_app`) over a small storage interface
(:mod:`.store`) with two backends, SQLite (default, one directory) and PostgreSQL (several
stateless replicas). Backends store immutable, content-addressed contract versions, movable labels
with their history, generated artifacts and hashed tokens. Publishing judges a contract with the
same library path as ``contractsync check`` (:func:`contractsync.gate.judge`). See docs/registry.md.
"""
