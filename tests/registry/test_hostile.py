"""Hostile requests against a real server (uvicorn child process), on both backends: every one
is a 4xx problem+json with the place, and nothing is stored by any of them."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import orjson
import pytest

from .conftest import Backend, Server, bearer, document, token

URL = "/v1/contracts/shop/versions?label=main"


def assert_problem(r: httpx.Response, status: int) -> dict[str, Any]:
    assert r.status_code == status, r.text
    assert r.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = r.json()
    assert body["status"] == status and body["causes"], body
    return body


def assert_nothing_stored(srv: Server, admin: str) -> None:
    with srv.client(admin) as c:
        assert c.get("/v1/contracts").json() == {"contracts": []}


@pytest.fixture
def limited(backend: Backend, server_factory: Any) -> Server:
    srv: Server = server_factory([*backend.args(), "--max-body", "20000"])
    return srv


def test_tokens(backend: Backend, limited: Server) -> None:
    admin = token(backend, "admin", name="admin")
    reader = token(backend, "read", name="reader")
    other = token(backend, "publish", name="other-team", contracts=["other"])
    revoked = token(backend, "publish", name="gone")
    store = backend.open()
    store.revoke_token("gone", "2026-01-01T00:00:00Z")
    store.close()
    body = orjson.dumps({"openapi": document("books")})
    with httpx.Client(base_url=limited.url) as c:
        missing = assert_problem(c.post(URL, content=body), 401)
        assert "publish" in missing["detail"]
        assert c.post(URL, content=body).headers["www-authenticate"].startswith("Bearer")
        assert_problem(c.get("/v1/contracts"), 401)
        assert_problem(c.post(URL, content=body, headers=bearer("cst_000000000000_wrong")), 401)
        assert_problem(c.post(URL, content=body, headers=bearer(admin[:-2] + "xx")), 401)
        assert_problem(c.post(URL, content=body, headers={"Authorization": f"Basic {admin}"}), 401)
        assert_problem(c.post(URL, content=body, headers=bearer(revoked)), 401)
        assert_problem(c.post(URL, content=body, headers=bearer(reader)), 403)
        assert_problem(c.post(URL, content=body, headers=bearer(other)), 403)
        assert_problem(c.get("/v1/contracts/shop", headers=bearer(other)), 403)
        # Never in a URL, not even a valid one.
        for param in ("token", "access_token", "api_key"):
            r = c.get(f"/v1/contracts?{param}={admin}", headers=bearer(admin))
            assert_problem(r, 400)
            assert param in r.json()["detail"]
    assert_nothing_stored(limited, admin)


BAD_NAMES = {
    "dotdot": "%2E%2E", "dots-inside": "a..b", "slash": "a%2Fb", "nul": "a%00b", "control": "a%01b",
    "newline": "a%0Ab", "long": "a" * 300, "space": "a%20b", "backslash": "a%5Cb",
}


@pytest.mark.parametrize("name", sorted(BAD_NAMES))
def test_bad_names_are_422(backend: Backend, limited: Server, name: str) -> None:
    admin = token(backend, "admin", name="admin")
    bad = BAD_NAMES[name]
    body = orjson.dumps({"openapi": document("books")})
    with httpx.Client(base_url=limited.url, headers=bearer(admin)) as c:
        assert_problem(c.post(f"/v1/contracts/{bad}/versions?label=main", content=body), 422)
        assert_problem(c.post(f"/v1/contracts/shop/versions?label={bad}", content=body), 422)
        assert_problem(c.get(f"/v1/contracts/{bad}"), 422)
        assert_problem(c.get(f"/v1/contracts/shop/labels/{bad}"), 422)
        assert_problem(c.put(f"/v1/contracts/shop/labels/{bad}", json={"version": 1}), 422)
    assert_nothing_stored(limited, admin)


def test_bodies(backend: Backend, limited: Server) -> None:
    admin = token(backend, "admin", name="admin")
    huge = orjson.dumps({"openapi": document(*[f"p{i}" for i in range(200)])})
    assert len(huge) > 20000

    def chunks() -> Iterator[bytes]:
        for i in range(0, len(huge), 4096):
            yield huge[i:i + 4096]
    with httpx.Client(base_url=limited.url, headers=bearer(admin), timeout=30) as c:
        assert_problem(c.post(URL, content=huge), 413)
        # Without Content-Length (chunked): refused while reading.
        assert_problem(c.post(URL, content=chunks()), 413)
        not_json = assert_problem(c.post(URL, content=b'{"openapi": {"openapi": "3.1.0",\n  oops}'), 400)
        assert not_json["causes"][0]["line"] == 2
        assert_problem(c.post(URL, content=b"\xff\xfe\x00binary"), 400)
        assert_problem(c.post(URL, content=b"[1, 2]"), 422)
        assert_problem(c.post(URL, content=b'{"announcements": []}'), 422)
        swagger = assert_problem(c.post(URL, content=orjson.dumps({"openapi": {"swagger": "2.0", "info": {}}})), 422)
        assert "Swagger" in swagger["detail"]
        wrong_version = assert_problem(c.post(URL, content=orjson.dumps({"openapi": {"openapi": "4.0"}})), 422)
        assert wrong_version["causes"][0]["pointer"] == "/openapi/openapi"
        invalid = document("books")
        invalid["paths"]["/books"]["get"]["parameters"] = [{"name": "q", "schema": {"type": "string"}}]
        problem = assert_problem(c.post(URL, content=orjson.dumps({"openapi": invalid})), 422)
        assert any(cause["pointer"].startswith("/openapi/paths/~1books/get") for cause in problem["causes"])
        bad_ann = assert_problem(c.post(URL, content=orjson.dumps(
            {"openapi": document("books"), "announcements": [{"fingerprint": "XYZ", "reason": ""}]})), 422)
        assert bad_ann["causes"][0]["pointer"].startswith("/announcements/0/")
        ext = document("books")
        ext["paths"]["/books"]["get"]["responses"]["200"]["content"]["application/json"]["schema"] = {
            "$ref": "https://evil.example/schema.json"}
        assert_problem(c.post(URL, content=orjson.dumps({"openapi": ext})), 422)
    assert_nothing_stored(limited, admin)


def test_anonymous_read_opens_reads_only(backend: Backend, server_factory: Any) -> None:
    srv: Server = server_factory([*backend.args(), "--anonymous-read"])
    admin = token(backend, "admin", name="admin")
    body = orjson.dumps({"openapi": document("books")})
    with httpx.Client(base_url=srv.url) as anon, srv.client(admin) as c:
        assert c.post(URL, content=body).status_code == 201
        assert anon.get("/v1/contracts/shop/labels/main").status_code == 200
        assert anon.get("/v1/contracts/shop/versions/1/types.ts").status_code == 200
        assert anon.get("/").status_code == 200
        assert_problem(anon.post(URL, content=body), 401)
        assert_problem(anon.put("/v1/contracts/shop/labels/main", json={"version": 1}), 401)
        # A dry run validates and diffs up to --max-body of anyone's JSON: not a read (#9).
        assert_problem(anon.post("/v1/contracts/shop/check", content=body), 401)
        assert c.post("/v1/contracts/shop/check", content=body).status_code == 200
        # A bad token is still refused, even for a read.
        assert_problem(anon.get("/v1/contracts", headers=bearer("cst_x")), 401)


def test_server_stops_on_sigterm(backend: Backend, server_factory: Any) -> None:
    srv: Server = server_factory(backend.args())
    with srv.client() as c:
        assert c.get("/healthz").status_code == 200
    # uvicorn shuts down gracefully, then re-raises the signal so the exit status says why it stopped.
    assert srv.stop() in (0, -15)
    log = srv.log.read_text()
    assert "Application shutdown complete" in log and "Finished server process" in log


def test_head_on_a_label_for_watchers(backend: Backend, server_factory: Any) -> None:
    srv: Server = server_factory(backend.args())
    admin = token(backend, "admin", name="admin")
    with srv.client(admin) as c:
        digest = c.post(URL, content=orjson.dumps({"openapi": document("books")})).json()["version"]["digest"]
        head = c.head("/v1/contracts/shop/labels/main")
        assert head.status_code == 200 and head.content == b"" and head.headers["etag"] == f'"{digest}"'
        assert c.head("/v1/contracts/shop/labels/main", headers={"If-None-Match": f'"{digest}"'}).status_code == 304
        assert c.head("/v1/contracts/shop/labels/nope").status_code == 404
    with httpx.Client(base_url=srv.url) as anon:
        assert anon.head("/v1/contracts/shop/labels/main").status_code == 401


# --- found by the hostile campaign of #13/#9: each was a 500, a wrong answer or a missing header ---

def test_deep_bodies_are_400_with_the_place(backend: Backend, limited: Server) -> None:
    """JSON nested 500-1,000 levels parsed (orjson stops at 1,024) and then crashed the canonical
    form with RecursionError (500; the meta part reset the connection). The body goes through the
    CLI's loader: one nesting limit, refused with the place."""
    admin = token(backend, "admin", name="admin")
    deep = '{"x":' * 1000 + "1" + "}" * 1000
    head = '{"openapi": {"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": {}'
    bodies = {"/openapi/x-deep": head + ', "x-deep": ' + deep + "}}",
              "/source/commit": head + '}, "source": {"commit": ' + deep + "}}",
              "/openapi/0": '{"openapi": ' + "[" * 1000 + "]" * 1000 + "}"}
    with limited.client(admin) as c:
        for pointer, text in bodies.items():
            for url in (URL, "/v1/contracts/shop/check"):
                problem = assert_problem(c.post(url, content=text.encode()), 400)
                assert "nested too deeply" in problem["detail"]
                assert problem["causes"][0]["pointer"].startswith(pointer), problem
    assert_nothing_stored(limited, admin)


def test_huge_integers_are_kept_not_refused(backend: Backend, limited: Server) -> None:
    """An integer beyond 64 bits (real specs have them) was 'not JSON' at the registry while every
    CLI command accepts it: the same loader keeps it exact."""
    admin = token(backend, "admin", name="admin")
    big = 2**80 + 1  # not a float either
    body = orjson.dumps({"openapi": {**document("books"), "x-limit": 0}})
    with limited.client(admin) as c:
        r = c.post(URL, content=body.replace(b'"x-limit":0', f'"x-limit":{big}'.encode()))
        assert r.status_code == 201, r.text
        assert f'"x-limit": {big}'.encode() in c.get("/v1/contracts/shop/versions/1/openapi.json").content


@pytest.mark.parametrize("ref", ["\u00b2", "\u00b9", "\uff11", "\u0661", " 1", "+1", "1.0", "-1", "9" * 30])
def test_version_refs_are_ascii_numbers_or_digests(backend: Backend, limited: Server, ref: str) -> None:
    """str.isdigit() is true for '²' (int() then raised: 500 on every version URL and on diff)
    and for U+FF11 and U+0661, which were served as version 1 under an 'immutable' URL."""
    admin = token(backend, "admin", name="admin")
    with limited.client(admin) as c:
        assert c.post(URL, content=orjson.dumps({"openapi": document("books")})).status_code == 201
        for path in (f"/v1/contracts/shop/versions/{ref}", f"/v1/contracts/shop/versions/{ref}/openapi.json",
                     f"/v1/contracts/shop/versions/{ref}/types.ts", f"/v1/contracts/shop/versions/{ref}/changelog.md"):
            assert_problem(c.get(path), 422)
        for params in ({"from": ref, "to": "1"}, {"from": "1", "to": ref}):
            assert_problem(c.get("/v1/contracts/shop/diff", params=params), 422)
            assert_problem(c.get("/ui/shop/diff", params=params), 422)


@pytest.mark.parametrize("body", ['{"version": "1"}', '{"version": true}', '{"version": 1.0}', '{"version": " 1"}'])
def test_label_moves_take_a_json_integer(backend: Backend, limited: Server, body: str) -> None:
    """`{"version": true}` or `"1.0"` moved a label to version 1 (lax coercion)."""
    admin = token(backend, "admin", name="admin")
    with limited.client(admin) as c:
        assert c.post(URL, content=orjson.dumps({"openapi": document("books")})).status_code == 201
        problem = assert_problem(c.put("/v1/contracts/shop/labels/prod", content=body,
                                       headers={"Content-Type": "application/json"}), 422)
        assert problem["causes"][0]["pointer"] == "/version"
        assert c.get("/v1/contracts/shop/labels/prod").status_code == 404


def test_security_headers_on_every_answer(backend: Backend, limited: Server) -> None:
    """No answer said nosniff or had a Content-Security-Policy: a stored contract or changelog
    could be sniffed as HTML, and escaped pages had no second line of defence."""
    admin = token(backend, "admin", name="admin")
    with limited.client(admin) as c:
        assert c.post(URL, content=orjson.dumps({"openapi": document("books")})).status_code == 201
        assert c.post(URL, content=orjson.dumps({"openapi": document("books", "authors")})).status_code == 201
        paths = ["/", "/ui/shop", "/ui/shop/diff?from=1&to=2", "/ui/shop/versions/1/changelog",
                 "/v1/contracts/shop/diff?from=1&to=2&format=html", "/v1/contracts/shop/diff?from=1&to=2",
                 "/v1/contracts/shop/labels/main", "/v1/contracts/shop/versions/1/openapi.json",
                 "/v1/contracts/shop/versions/1/types.ts", "/v1/contracts/shop/versions/1/changelog.md",
                 "/v1/contracts/nope", "/nowhere"]
        for path in paths:
            r = c.get(path)
            assert r.headers["x-content-type-options"] == "nosniff", path
            csp = r.headers["content-security-policy"]
            assert "default-src 'none'" in csp and "frame-ancestors 'none'" in csp, path
            assert "script-src" not in csp, path
            if r.headers["content-type"].startswith("text/html"):
                assert "form-action 'self'" in csp, path
            else:
                assert "sandbox" in csp, path
        assert c.head("/v1/contracts/shop/labels/main").headers["x-content-type-options"] == "nosniff"


def _children(pid: int) -> set[int]:
    """Every descendant of ``pid`` (Linux /proc)."""
    import os

    kids: set[int] = set()
    frontier = [pid]
    while frontier:
        parent = frontier.pop()
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    with open(f"/proc/{entry}/stat", encoding="utf-8") as fh:
                        ppid = int(fh.read().rsplit(")", 1)[1].split()[1])
                except (OSError, ValueError, IndexError):
                    continue
                if ppid == parent and int(entry) not in kids:
                    kids.add(int(entry))
                    frontier.append(int(entry))
    return kids


@pytest.mark.skipif(not __import__("sys").platform.startswith("linux"), reason="reads /proc (Linux)")
@pytest.mark.parametrize("workers", [1, 2])
def test_closing_the_terminal_stops_serve_gracefully(backend: Backend, server_factory: Any, workers: int) -> None:
    """SIGHUP to serve's process group (the terminal closed): with one process it died at once
    (no graceful stop, the database not closed); with --workers uvicorn restarted the workers and
    kept serving. Now it stops like SIGTERM, every worker shuts down, nothing is left."""
    import os
    import signal
    import socket
    import time

    with socket.socket() as sock:  # a fixed port: uvicorn's workers log the port they were given
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    srv: Server = server_factory([*backend.args(), "--workers", str(workers), "--port", str(port)])
    deadline = time.monotonic() + 60
    while True:  # the workers listen once they have started, after the "running on" line
        try:
            with srv.client() as c:
                assert c.get("/healthz").status_code == 200
            break
        except httpx.ConnectError:
            assert time.monotonic() < deadline, srv.log.read_text()
            time.sleep(0.1)
    while len(_children(srv.proc.pid)) < (workers if workers > 1 else 0) and time.monotonic() < deadline:
        time.sleep(0.1)
    kids = _children(srv.proc.pid)
    assert len(kids) >= (workers if workers > 1 else 0)
    # Every worker up (one answering is not all answering; a worker still starting when the
    # signal comes is stopped before it has anything to shut down, and logs no shutdown).
    while srv.log.read_text().count("Application startup complete") < workers:
        assert time.monotonic() < deadline, srv.log.read_text()
        time.sleep(0.1)
    os.killpg(srv.proc.pid, signal.SIGHUP)
    srv.proc.wait(30)
    deadline = time.monotonic() + 10
    while any(os.path.exists(f"/proc/{k}") for k in kids) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not [k for k in kids if os.path.exists(f"/proc/{k}")], "a worker outlived serve"
    log = srv.log.read_text()
    assert log.count("Application shutdown complete") == workers, log
    assert "restarting" not in log.lower()
