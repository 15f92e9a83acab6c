"""Diffs between two versions are artifacts: computed once, stored (SQLite and PostgreSQL), served
with their digest as ETag; identical requests in flight share one computation and distinct ones
are bounded instead of piling up (#9)."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterator
from typing import Any

import anyio
import orjson
import pytest
from fastapi.testclient import TestClient

from contractsync.diff.model import Report
from contractsync.registry.app import create_app
from contractsync.registry.problems import Problem
from contractsync.registry.service import Registry
from contractsync.registry.settings import RegistrySettings
from contractsync.registry.store.protocol import VersionRow

from .conftest import Backend, bearer, document, token


@pytest.fixture
def api(backend: Backend) -> Iterator[TestClient]:
    settings = RegistrySettings(data_dir=backend.data_dir, database_url=backend.database_url)
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        client.headers.update(bearer(token(backend, "admin", name="admin")))
        for doc in (document("books", "authors"), document("books")):
            r = client.post("/v1/contracts/shop/versions?label=pr-1", content=orjson.dumps({"openapi": doc}))
            assert r.status_code == 201, r.text
        yield client


def counting(reg: Registry, gate: threading.Event | None = None) -> list[int]:
    """Count the registry's diff computations (optionally holding each until ``gate`` is set)."""
    calls: list[int] = []
    real = reg.diff

    def diff(contract: str, old: VersionRow, new: VersionRow) -> Report:
        calls.append(new.number)
        if gate is not None:
            assert gate.wait(60)
        return real(contract, old, new)
    reg.diff = diff  # type: ignore[method-assign]
    return calls


def test_a_diff_is_computed_once_and_served_from_storage(api: TestClient) -> None:
    reg: Registry = api.app.state.registry  # type: ignore[attr-defined]
    calls = counting(reg)
    first = api.get("/v1/contracts/shop/diff?from=1&to=2")
    assert first.status_code == 200 and first.json()["summary"]["breaking"] == 1
    assert first.headers["etag"] == f'"sha256:{hashlib.sha256(first.content).hexdigest()}"'
    # Not immutable: after an upgrade the same URL answers with the new engine's bytes.
    assert first.headers["cache-control"] == "public, max-age=86400"
    # Every format, the page and the same pair by digest: one computation.
    digests = {v["version"]: v["digest"] for v in api.get("/v1/contracts/shop").json()["versions"]}
    for path in ("/v1/contracts/shop/diff?from=1&to=2&format=markdown", "/v1/contracts/shop/diff?from=1&to=2&format=html",
                 "/ui/shop/diff?from=1&to=2", f"/v1/contracts/shop/diff?from={digests[1]}&to={digests[2]}"):
        r = api.get(path)
        assert r.status_code == 200, (path, r.text)
    assert api.get(f"/v1/contracts/shop/diff?from={digests[1]}&to={digests[2]}").content == first.content
    assert calls == [2]
    again = api.get("/v1/contracts/shop/diff?from=1&to=2", headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304 and again.content == b""
    # The reverse pair is another artifact.
    assert api.get("/v1/contracts/shop/diff?from=2&to=1").json()["summary"]["breaking"] == 0
    assert calls == [2, 1]
    # Another replica (a new process over the same database) reads what the first stored.
    other = Registry(reg.store, reg.settings)
    other_calls = counting(other)
    row1, row2 = reg.resolve("shop", "1"), reg.resolve("shop", "2")
    _, data = anyio.run(other.diff_artifact, "shop", row1, row2, "json")
    assert data == first.content and other_calls == []


def test_the_page_lists_versions_published_after_the_diff_was_stored(api: TestClient) -> None:
    assert 'value="2"' in api.get("/ui/shop/diff?from=1&to=2").text
    api.post("/v1/contracts/shop/versions?label=pr-1", content=orjson.dumps({"openapi": document("books", "x")}))
    page = api.get("/ui/shop/diff?from=1&to=2").text
    assert 'value="3"' in page and page.count('<form method="get"') == 1


async def _wait_for(predicate: Any) -> None:
    with anyio.fail_after(30):
        while not predicate():
            await anyio.sleep(0.01)


def test_identical_requests_in_flight_compute_once(api: TestClient) -> None:
    base: Registry = api.app.state.registry  # type: ignore[attr-defined]
    reg = Registry(base.store, base.settings)
    gate = threading.Event()
    calls = counting(reg, gate)
    old, new = reg.resolve("shop", "1"), reg.resolve("shop", "2")
    results: list[bytes] = []

    async def one() -> None:
        results.append((await reg.diff_artifact("shop", old, new, "json"))[1])

    async def main() -> None:
        async with anyio.create_task_group() as tg:
            for _ in range(4):
                tg.start_soon(one)
            # Release the computation only once the three others wait for it.
            await _wait_for(lambda: reg._inflight and next(iter(reg._inflight.values())).statistics().tasks_waiting == 3)
            gate.set()
    anyio.run(main)
    assert calls == [2] and len(results) == 4 and len(set(results)) == 1


def test_distinct_computations_are_bounded_then_refused_with_retry_after(api: TestClient) -> None:
    base: Registry = api.app.state.registry  # type: ignore[attr-defined]
    reg = Registry(base.store, base.settings.model_copy(update={"diff_workers": 1, "diff_queue": 0}))
    gate = threading.Event()
    calls = counting(reg, gate)
    v1, v2 = reg.resolve("shop", "1"), reg.resolve("shop", "2")
    refused: list[Problem] = []

    async def main() -> None:
        async with anyio.create_task_group() as tg:
            tg.start_soon(reg.diff_artifact, "shop", v1, v2, "json")
            await _wait_for(lambda: reg._limiter is not None and reg._limiter.borrowed_tokens == 1)
            try:
                await reg.diff_artifact("shop", v2, v1, "json")
            except Problem as exc:
                refused.append(exc)
            gate.set()
        # The worker is free again: the refused pair is computed now.
        await reg.diff_artifact("shop", v2, v1, "json")
    anyio.run(main)
    assert len(refused) == 1 and refused[0].status == 503
    assert refused[0].response().headers["retry-after"] == "2"
    assert calls == [2, 1]


def test_the_changelog_page_is_rendered_once(api: TestClient) -> None:
    reg: Registry = api.app.state.registry  # type: ignore[attr-defined]
    calls: list[int] = []
    real = reg.history

    def history(row: VersionRow) -> Any:
        calls.append(row.number)
        return real(row)
    reg.history = history  # type: ignore[method-assign]
    pages = [api.get("/ui/shop/versions/2/changelog") for _ in range(3)]
    assert all(p.status_code == 200 for p in pages) and len({p.content for p in pages}) == 1
    assert "text/html" in pages[0].headers["content-type"]
    assert calls == [2]
