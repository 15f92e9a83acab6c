"""Racing publishers (#9 §3): 8 processes publish different contents to one label through two
replicas sharing one storage, then the same content twice. Every version is stored exactly once,
the label history is one consistent chain, and no request gets a 5xx; on SQLite and PostgreSQL."""

from __future__ import annotations

import multiprocessing
from typing import Any

import httpx
import orjson

from .conftest import Backend, Server, bearer, document, token


def _publish(args: tuple[str, str, str, bytes, Any]) -> tuple[int, int | None]:
    url, tok, label, body, barrier = args
    barrier.wait(30)
    with httpx.Client(base_url=url, headers=bearer(tok), timeout=120) as c:
        r = c.post(f"/v1/contracts/shop/versions?label={label}", content=body)
    version = r.json()["version"]["version"] if r.status_code in (200, 201) else None
    return r.status_code, version


def _race(urls: list[str], tok: str, label: str, bodies: list[bytes]) -> list[tuple[int, int | None]]:
    ctx = multiprocessing.get_context("spawn")
    with ctx.Manager() as manager:
        barrier = manager.Barrier(len(bodies))
        with ctx.Pool(len(bodies)) as pool:
            jobs = [(urls[i % len(urls)], tok, label, body, barrier) for i, body in enumerate(bodies)]
            return pool.map(_publish, jobs)


def _check_history(srv: Server, tok: str, label: str) -> list[dict[str, Any]]:
    with srv.client(tok) as c:
        moves: list[dict[str, Any]] = c.get(f"/v1/contracts/shop/labels/{label}/history").json()["moves"]
        head = c.get(f"/v1/contracts/shop/labels/{label}").json()
    previous = None
    for move in moves:
        assert move["previous"] == previous, moves
        previous = move["version"]
    assert head["version"] == moves[-1]["version"]
    return moves


def test_racing_publishes(backend: Backend, server_factory: Any) -> None:
    replicas: list[Server] = [server_factory(backend.args()), server_factory(backend.args())]
    urls = [s.url for s in replicas]
    tok = token(backend, "publish", name="ci")
    # 1. Eight different contents to one preview label (policy warn: every one is accepted).
    bodies = [orjson.dumps({"openapi": document("books", f"extra{i}")}) for i in range(8)]
    results = _race(urls, tok, "pr-1", bodies)
    assert all(status == 201 for status, _ in results), results
    assert sorted(v for _, v in results) == list(range(1, 9))
    moves = _check_history(replicas[0], tok, "pr-1")
    assert len(moves) == 8
    # 2. The same new content twice at once: stored once, one 201 and one 200 with the same version.
    same = orjson.dumps({"openapi": document("books", "same")})
    twice = _race(urls, tok, "pr-1", [same, same])
    assert sorted(s for s, _ in twice) == [200, 201], twice
    assert twice[0][1] == twice[1][1] == 9
    _check_history(replicas[1], tok, "pr-1")
    # 3. Eight contents racing to a blocking label: each is judged against the head it lands on,
    # so some are refused (409) but nothing else happens, and exactly the accepted ones are stored.
    base = orjson.dumps({"openapi": document("books")})
    with replicas[0].client(tok) as c:
        assert c.post("/v1/contracts/shop/versions?label=main", content=base).status_code in (200, 201)
    blocking = [orjson.dumps({"openapi": document("books", f"main{i}")}) for i in range(8)]
    outcome = _race(urls, tok, "main", blocking)
    statuses = [s for s, _ in outcome]
    assert set(statuses) <= {201, 409} and statuses.count(201) >= 1, outcome
    _check_history(replicas[1], tok, "main")
    with replicas[1].client(tok) as c:
        versions = c.get("/v1/contracts/shop").json()["versions"]
    digests = [v["digest"] for v in versions]
    assert len(digests) == len(set(digests))
    assert [v["version"] for v in versions] == list(range(1, len(versions) + 1))
    # 9 from the preview label, the base of main (version 1's content "books" is new), the accepted ones.
    assert len(versions) == 9 + 1 + statuses.count(201)
    for srv in replicas:
        assert " 500 " not in srv.log.read_text() and "Traceback" not in srv.log.read_text()
