"""The storage interface, the same tests on SQLite and PostgreSQL."""

from __future__ import annotations

import threading

import pytest

from contractsync.registry.auth import authenticate, create_token, hash_token
from contractsync.registry.store.migrations import LATEST, MIGRATIONS
from contractsync.registry.store.protocol import (
    AnnouncementRow,
    HeadMoved,
    NewVersion,
    PreconditionFailed,
    Store,
)
from contractsync.registry.store.sql import SQLStore

from .conftest import Backend


def new_version(n: int, announcements: tuple[AnnouncementRow, ...] = ()) -> NewVersion:
    body = f'{{"openapi": "3.1.0", "n": {n}}}\n'.encode()
    import hashlib

    return NewVersion("sha256:" + hashlib.sha256(body).hexdigest(), body, f"1.{n}.0", "T", f"c{n}", "main", None,
                      b'{"release": 1}', announcements)


def test_migrations_apply_once(backend: Backend) -> None:
    first = backend.open(migrate=False)
    assert first.migrate() == [n for n, _ in MIGRATIONS]
    assert first.migrate() == []
    assert isinstance(first, SQLStore) and first.schema_version() == LATEST
    first.close()


def test_replicas_migrating_at_once_apply_each_migration_once(backend: Backend) -> None:
    stores = [backend.open(migrate=False) for _ in range(4)]
    results: list[list[int]] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(len(stores))

    def run(s: Store) -> None:
        barrier.wait()
        try:
            results.append(s.migrate())
        except BaseException as exc:  # pragma: no cover - the failure is asserted below
            errors.append(exc)
    threads = [threading.Thread(target=run, args=(s,)) for s in stores]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sorted(len(r) for r in results) == [0, 0, 0, len(range(1, LATEST + 1))]
    for s in stores:
        s.close()


def test_publish_commit_and_label_moves(store: Store) -> None:
    a = store.commit_publish("shop", "main", expected_head=None, new=new_version(1), existing=None, author="ci",
                             policy_if_new="block", parent=None)
    assert a.created and a.version.number == 1 and a.label.number == 1 and a.label.policy == "block"
    b = store.commit_publish("shop", "main", expected_head=1, new=new_version(2, (AnnouncementRow(0, "abcdef", "why", None, None),)),
                             existing=None, author="ci", policy_if_new="block", parent=1)
    assert b.version.number == 2 and b.version.parent == 1
    # A publisher that judged against version 1 must judge again.
    with pytest.raises(HeadMoved):
        store.commit_publish("shop", "main", expected_head=1, new=new_version(3), existing=None, author="x",
                             policy_if_new="block", parent=1)
    assert [v.number for v in store.versions("shop")] == [1, 2]
    # The same content again stores nothing new.
    again = store.commit_publish("shop", "main", expected_head=2, new=new_version(2), existing=None, author="ci",
                                 policy_if_new="block", parent=2)
    assert not again.created and again.version.number == 2
    assert [m.previous for m in store.label_history("shop", "main")] == [None, 1]
    assert [a.fingerprint for a in store.announcements("shop", 1, 2)] == ["abcdef"]
    assert store.blob(new_version(1).digest) == new_version(1).canonical
    assert store.contract_names() == ["shop"]


def test_move_label_if_match(store: Store) -> None:
    store.commit_publish("shop", "main", expected_head=None, new=new_version(1), existing=None, author="ci",
                         policy_if_new="block", parent=None)
    store.commit_publish("shop", "main", expected_head=1, new=new_version(2), existing=None, author="ci",
                         policy_if_new="block", parent=1)
    d1, d2 = new_version(1).digest, new_version(2).digest
    with pytest.raises(PreconditionFailed) as info:
        store.move_label("shop", "main", number=1, if_match=d1, actor="admin", policy=None, default_policy="block")
    assert info.value.current == d2
    row = store.move_label("shop", "main", number=1, if_match=d2, actor="admin", policy="warn", default_policy="block")
    assert (row.number, row.policy, row.moved_by) == (1, "warn", "admin")
    # "" means: the label must not exist yet.
    store.move_label("shop", "prod", number=2, if_match="", actor="admin", policy=None, default_policy="block")
    with pytest.raises(PreconditionFailed):
        store.move_label("shop", "prod", number=1, if_match="", actor="admin", policy=None, default_policy="block")
    assert [(m.number, m.previous) for m in store.label_history("shop", "main")] == [(1, None), (2, 1), (1, 2)]


def test_poll_reads_token_and_label_in_one_query(store: Store) -> None:
    """The label poll's one query: every combination of present and missing token and label,
    and a label move or a revocation seen by the very next poll (nothing is cached)."""
    plain, row = create_token(store, "frontend", ["read"])
    assert store.poll("shop", "main", None) == (None, None)
    assert store.poll("shop", "main", row.id) == (store.token(row.id), None)
    store.commit_publish("shop", "main", expected_head=None, new=new_version(1), existing=None, author="ci",
                         policy_if_new="block", parent=None)
    assert store.poll("shop", "main", None) == (None, store.label("shop", "main"))
    assert store.poll("shop", "main", "000000000000") == (None, store.label("shop", "main"))
    tok, label = store.poll("shop", "main", row.id)
    assert tok == store.token(row.id) and tok is not None and tok.revoked_at is None
    assert label is not None and (label.number, label.digest) == (1, new_version(1).digest)
    assert store.poll("shop", "prod", row.id)[1] is None
    assert store.poll("other", "main", row.id)[1] is None
    store.commit_publish("shop", "main", expected_head=1, new=new_version(2), existing=None, author="ci",
                         policy_if_new="block", parent=1)
    moved = store.poll("shop", "main", row.id)[1]
    assert moved is not None and moved.digest == new_version(2).digest
    store.revoke_token(row.id, "2026-01-01T00:00:00Z")
    revoked = store.poll("shop", "main", row.id)[0]
    assert revoked is not None and revoked.revoked_at == "2026-01-01T00:00:00Z"
    assert authenticate(store, plain) is None


def test_artifact_stored_once(store: Store) -> None:
    store.commit_publish("shop", "main", expected_head=None, new=new_version(1), existing=None, author="ci",
                         policy_if_new="block", parent=None)
    first = store.put_artifact("shop", 1, "types.ts;x", b"one")
    second = store.put_artifact("shop", 1, "types.ts;x", b"two")
    assert first == second
    assert store.artifact("shop", 1, "types.ts;x") == (first, b"one")
    assert store.artifact("shop", 1, "other") is None


def test_tokens_are_stored_hashed_and_revocable(store: Store) -> None:
    plain, row = create_token(store, "frontend", ["read"], ["shop"])
    assert plain.startswith("cst_") and plain not in repr(store.tokens())
    assert store.token(row.id) is not None and store.token(row.id).hash == hash_token(plain)  # type: ignore[union-attr]
    who = authenticate(store, plain)
    assert who is not None and who.allows("read", "shop") and not who.allows("read", "other")
    assert not who.allows("publish", "shop")
    assert authenticate(store, plain[:-1] + ("A" if plain[-1] != "A" else "B")) is None
    assert authenticate(store, "cst_nope") is None
    assert store.revoke_token("frontend", "2026-01-01T00:00:00Z") == 1
    assert authenticate(store, plain) is None
    assert store.revoke_token("frontend", "2026-01-01T00:00:00Z") == 0


@pytest.mark.parametrize(("scopes", "contracts", "message"), [
    ([], None, "at least one scope"), (["write"], None, "unknown scope"), (["read"], ["../x"], "contract name"),
])
def test_token_creation_refuses_bad_input(store: Store, scopes: list[str], contracts: list[str] | None,
                                          message: str) -> None:
    with pytest.raises(ValueError, match=message):
        create_token(store, "x", scopes, contracts)
    assert store.tokens() == []
