"""HEAD is answered wherever GET is (pages and API), by a real uvicorn child on SQLite and
PostgreSQL: the GET's status and headers, no body (#9)."""

from __future__ import annotations

import orjson

from .conftest import Backend, Server, bearer, document, token


def test_head_wherever_get(backend: Backend, server: Server) -> None:
    admin = token(backend, "admin", name="admin")
    with server.client(admin) as http:
        for doc in (document("books", "authors"), document("books")):
            r = http.post("/v1/contracts/shop/versions?label=pr-1", content=orjson.dumps({"openapi": doc}))
            assert r.status_code == 201, r.text
        digest = http.get("/v1/contracts/shop/labels/pr-1").json()["digest"]
        paths = ["/", "/ui/shop", "/ui/shop/diff?from=1&to=2", "/ui/shop/versions/2/changelog",
                 "/v1/contracts", "/v1/contracts/shop", "/v1/contracts/shop/labels/pr-1",
                 "/v1/contracts/shop/labels/pr-1/history", f"/v1/contracts/shop/versions/{digest}",
                 f"/v1/contracts/shop/versions/{digest}/openapi.json", "/v1/contracts/shop/versions/2/types.ts",
                 "/v1/contracts/shop/versions/2/changelog.md", "/v1/contracts/shop/diff?from=1&to=2&format=html",
                 "/v1/openapi.json", "/healthz"]
        for path in paths:
            got, head = http.get(path), http.head(path)
            assert got.status_code == 200, (path, got.text)
            assert head.status_code == 200 and head.content == b"", (path, head.status_code, head.content[:200])
            for name in ("content-type", "etag", "cache-control"):
                assert head.headers.get(name) == got.headers.get(name), (path, name)
            if "content-length" in got.headers:
                assert head.headers["content-length"] == got.headers["content-length"], path
        # Conditional HEAD, errors as for GET, and no HEAD where there is no GET.
        etag = http.get("/v1/contracts/shop/versions/2/types.ts").headers["etag"]
        assert http.head("/v1/contracts/shop/versions/2/types.ts", headers={"If-None-Match": etag}).status_code == 304
        assert http.head("/v1/contracts/shop/versions/9/types.ts").status_code == 404
        assert http.head("/ui/nope").status_code == 404
        assert http.head("/v1/contracts/shop/versions/2/types.ts", headers=bearer("cs_bad")).status_code == 401
        assert http.head("/v1/contracts/shop/check").status_code == 405
