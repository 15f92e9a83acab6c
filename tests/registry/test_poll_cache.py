"""The PostgreSQL label-poll cache: two replicas on one database; a label move or a revocation
made through one replica (or the CLI's store) is seen by the other as soon as its NOTIFY
arrives, and no answer is kept longer than the TTL."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterator
from typing import Any

import orjson
import pytest
from fastapi.testclient import TestClient

from contractsync.registry.app import create_app
from contractsync.registry.settings import RegistrySettings
from contractsync.registry.store import open_store
from contractsync.registry.store.postgres import AsyncPostgresPoller

from .conftest import bearer, document, fresh_schema, token

LABEL = "/v1/contracts/shop/labels/main"


@pytest.fixture
def pg_url() -> Iterator[str]:
    with fresh_schema() as url:
        yield url


def _poller(client: TestClient) -> AsyncPostgresPoller:
    poller = client.app.state.registry.poller  # type: ignore[attr-defined]
    assert isinstance(poller, AsyncPostgresPoller)
    return poller


def _wait(condition: Callable[[], bool]) -> None:
    """Until ``condition`` holds (a notification travels through the database); fails after 20 s."""
    deadline = time.monotonic() + 20
    while not condition():
        assert time.monotonic() < deadline, "no notification arrived"
        time.sleep(0.01)


def test_a_move_and_a_revocation_reach_the_other_replica(pg_url: str) -> None:
    settings = RegistrySettings(database_url=pg_url)
    store = open_store(database_url=pg_url)
    try:
        admin, reader = token(store, "admin", name="admin"), token(store, "read", name="reader")
    finally:
        store.close()
    with TestClient(create_app(settings)) as a, TestClient(create_app(settings)) as b:
        pb = _poller(b)
        _wait(lambda: pb.listening)
        r1 = a.post("/v1/contracts/shop/versions", headers=bearer(admin),
                    content=orjson.dumps({"openapi": document("books")}))
        assert r1.status_code == 201
        v1 = f'"{r1.json()["version"]["digest"]}"'
        _wait(lambda: b.get(LABEL, headers=bearer(reader)).headers.get("etag") == v1)
        hits = pb.hits
        assert b.get(LABEL, headers={**bearer(reader), "If-None-Match": v1}).status_code == 304
        assert pb.hits == hits + 1  # answered from memory

        # The label moves through replica a: b sees it once the notification has arrived.
        generation = pb.generation
        r2 = a.post("/v1/contracts/shop/versions", headers=bearer(admin),
                    content=orjson.dumps({"openapi": document("books", "authors")}))
        assert r2.status_code == 201
        _wait(lambda: pb.generation != generation)
        answer = b.get(LABEL, headers={**bearer(reader), "If-None-Match": v1})
        assert answer.status_code == 200 and answer.headers["etag"] == f'"{r2.json()["version"]["digest"]}"'

        # A revocation through the store (what `contractsync registry token revoke` does).
        assert b.get(LABEL, headers=bearer(reader)).status_code == 200
        generation = pb.generation
        store = open_store(database_url=pg_url)
        try:
            assert store.revoke_token("reader", "2026-01-01T00:00:00Z") == 1
        finally:
            store.close()
        _wait(lambda: pb.generation != generation)
        assert b.get(LABEL, headers=bearer(reader)).status_code == 401


def test_no_answer_outlives_the_ttl_and_nothing_is_cached_without_a_listener(pg_url: str) -> None:
    open_store(database_url=pg_url).close()  # the tables
    now = [100.0]

    async def run() -> list[Any]:
        poller = AsyncPostgresPoller(pg_url, ttl=1.0, clock=lambda: now[0])
        await poller.open()
        try:
            assert poller.listening
            out: list[Any] = [await poller.poll("shop", "main", None), poller.hits]
            now[0] += 0.5
            out += [await poller.poll("shop", "main", None), poller.hits]  # within the TTL: memory
            now[0] += 0.6
            out += [await poller.poll("shop", "main", None), poller.hits]  # 1.1 s after the read: database
            poller.listening = False  # as while the listener reconnects
            await poller.poll("shop", "main", None)
            out.append(poller.hits)
        finally:
            await poller.close()
        return out

    first, h1, second, h2, third, h3, h4 = asyncio.run(run())
    assert first == second == third == (None, None)
    assert (h1, h2, h3, h4) == (0, 1, 1, 1)


def test_a_failing_poller_falls_through_to_the_router(pg_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The fast path never answers an error itself: a database failure there is the router's."""
    store = open_store(database_url=pg_url)
    try:
        admin = token(store, "admin", name="admin")
    finally:
        store.close()
    with TestClient(create_app(RegistrySettings(database_url=pg_url))) as client:
        assert client.post("/v1/contracts/shop/versions", headers=bearer(admin),
                           content=orjson.dumps({"openapi": document("books")})).status_code == 201

        async def broken(*args: Any) -> Any:
            raise OSError("connection lost")
        monkeypatch.setattr(_poller(client), "poll", broken)
        r = client.get(LABEL, headers=bearer(admin))
        assert r.status_code == 200 and r.json()["version"] == 1  # answered by the routed endpoint
