"""The HTTP API's behaviour (in-process ASGI client; each test on SQLite and PostgreSQL)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from typing import Any

import orjson
import pytest
from fastapi.testclient import TestClient

from contractsync.registry.app import create_app
from contractsync.registry.settings import RegistrySettings
from contractsync.spec.canonical import canonical_json

from .conftest import Backend, bearer, document, operation, token


@pytest.fixture
def api(backend: Backend) -> Iterator[TestClient]:
    settings = RegistrySettings(data_dir=backend.data_dir, database_url=backend.database_url)
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        client.headers.update(bearer(token(backend, "admin", name="admin")))
        yield client


def publish(api: TestClient, doc: dict[str, Any], label: str = "main", **extra: Any) -> Any:
    return api.post(f"/v1/contracts/shop/versions?label={label}", content=orjson.dumps({"openapi": doc, **extra}))


def test_publish_then_idempotent_republish(api: TestClient) -> None:
    doc = document("books")
    first = publish(api, doc, source={"commit": "a1b2c3", "branch": "main", "url": None})
    assert first.status_code == 201, first.text
    body = first.json()
    digest = "sha256:" + hashlib.sha256(canonical_json(doc)).hexdigest()
    assert body["version"]["version"] == 1 and body["version"]["digest"] == digest
    assert body["version"]["source"] == {"commit": "a1b2c3", "branch": "main", "url": None}
    assert body["version"]["author"] == "admin"
    assert body["label"] == {**body["label"], "label": "main", "version": 1, "policy": "block"}
    assert first.headers["location"].endswith(digest)
    again = publish(api, doc)
    assert again.status_code == 200 and again.json()["version"]["version"] == 1 and again.json()["created"] is False
    assert len(api.get("/v1/contracts/shop").json()["versions"]) == 1


def test_label_pointer_etag_and_304(api: TestClient) -> None:
    digest = publish(api, document("books")).json()["version"]["digest"]
    r = api.get("/v1/contracts/shop/labels/main")
    assert r.status_code == 200 and r.headers["etag"] == f'"{digest}"'
    assert r.headers["cache-control"].startswith("max-age=5")
    assert r.json()["digest"] == digest
    not_modified = api.get("/v1/contracts/shop/labels/main", headers={"If-None-Match": f'"{digest}"'})
    assert not_modified.status_code == 304 and not_modified.content == b""
    publish(api, document("books", "authors"))
    moved = api.get("/v1/contracts/shop/labels/main", headers={"If-None-Match": f'"{digest}"'})
    assert moved.status_code == 200 and moved.json()["version"] == 2


def test_immutable_version_files(api: TestClient) -> None:
    doc = document("books")
    v = publish(api, doc).json()["version"]
    for ref in (v["digest"], "1"):
        r = api.get(f"/v1/contracts/shop/versions/{ref}/openapi.json")
        assert r.status_code == 200 and r.content == canonical_json(doc)
        assert r.headers["cache-control"] == "public, max-age=31536000, immutable"
        assert r.headers["etag"] == f'"{v["digest"]}"'
        assert api.get(f"/v1/contracts/shop/versions/{ref}/openapi.json",
                       headers={"If-None-Match": r.headers["etag"]}).status_code == 304
    types = api.get(v["links"]["types"])
    assert types.status_code == 200 and "export interface paths" in types.text
    assert types.headers["etag"] == '"sha256:' + hashlib.sha256(types.content).hexdigest() + '"'
    assert types.headers["x-contractsync-options-digest"].startswith("sha256:")
    assert api.get(v["links"]["types"], headers={"If-None-Match": types.headers["etag"]}).status_code == 304
    enum = api.get(v["links"]["types"] + "?immutable=true")
    assert enum.status_code == 200 and "readonly" in enum.text and enum.headers["etag"] != types.headers["etag"]
    changelog = api.get(v["links"]["changelog"])
    assert changelog.status_code == 200 and "First recorded contract" not in changelog.text
    assert "GET /books" in changelog.text
    record = api.get("/v1/contracts/shop/versions/1")
    assert record.json() == v


def test_artifacts_are_generated_once(api: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    import contractsync.typescript as ts

    calls: list[int] = []
    real = ts.to_typescript

    def counting(*args: Any, **kwargs: Any) -> str:
        calls.append(1)
        return real(*args, **kwargs)
    monkeypatch.setattr(ts, "to_typescript", counting)
    v = publish(api, document("books")).json()["version"]
    assert len(calls) == 1  # at publish
    for _ in range(3):
        assert api.get(v["links"]["types"]).status_code == 200
    assert len(calls) == 1
    api.get(v["links"]["types"] + "?enum=true")
    api.get(v["links"]["types"] + "?enum=true")
    assert len(calls) == 2


def test_unannounced_breaking_change_is_refused_then_published_when_announced(api: TestClient) -> None:
    publish(api, document("books", "authors"))
    refused = publish(api, document("books"))
    assert refused.status_code == 409
    assert refused.headers["content-type"] == "application/problem+json"
    problem = refused.json()
    assert problem["status"] == 409 and len(problem["causes"]) == 1
    cause = problem["causes"][0]
    assert cause["rule"] == "api-path-removed-without-deprecation"
    assert cause["operation"] == "GET /authors" and cause["pointer"] == "/paths/~1authors/get"
    assert cause["reason"] == "unannounced" and len(cause["fingerprint"]) == 12
    assert len(api.get("/v1/contracts/shop").json()["versions"]) == 1  # nothing stored
    # The dry run says the same and stores nothing.
    dry = api.post("/v1/contracts/shop/check", content=orjson.dumps({"openapi": document("books")}))
    assert dry.status_code == 200 and dry.json()["verdict"] == "fail" and dry.json()["blocked"] is True
    assert [c["fingerprint"] for c in dry.json()["causes"]] == [cause["fingerprint"]]
    announced = [{"fingerprint": cause["fingerprint"], "reason": "Authors moved to /people.",
                  "migration": "Call GET /people.", "sunset": None}]
    ok = publish(api, document("books"), announcements=announced)
    assert ok.status_code == 201, ok.text
    change = next(c for c in ok.json()["changes"] if c["fingerprint"] == cause["fingerprint"])
    assert change["announcement"] == {"reason": "Authors moved to /people.", "migration": "Call GET /people.",
                                      "sunset": None}
    diff = api.get("/v1/contracts/shop/diff?from=1&to=2&format=json").json()
    assert diff["summary"]["breaking"] == 1
    assert diff["changes"][0]["announcement"]["reason"] == "Authors moved to /people."
    changelog = api.get("/v1/contracts/shop/versions/2/changelog.md").text
    assert "Why: Authors moved to /people." in changelog
    assert "generated by the contractsync registry from the versions published" in changelog
    assert "changelog --write" not in changelog  # no instructions for a file the reader does not have
    md = api.get("/v1/contracts/shop/diff?from=1&to=2&format=markdown")
    assert md.headers["content-type"].startswith("text/markdown") and "api-path-removed-without-deprecation" in md.text
    page = api.get("/v1/contracts/shop/diff?from=1&to=2&format=html")
    assert page.headers["content-type"].startswith("text/html") and "Authors moved to /people." in page.text


def test_publisher_policy_and_diff_settings_are_honoured(api: TestClient) -> None:
    publish(api, document("books", "authors", version="1.0.0"))
    assert publish(api, document("books", version="2.0.0")).status_code == 409
    bumped = publish(api, document("books", version="2.0.0"), policy={"allow_major_bump": True})
    assert bumped.status_code == 201
    publish_ok = publish(api, document("books", "a", version="2.0.0"))
    assert publish_ok.status_code == 201
    lowered = publish(api, document("books", version="2.0.0"),
                      diff={"levels": {"api-path-removed-without-deprecation": "warning"}})
    # That content is version 2 already: judged against the head (version 3) and the label moved back.
    assert lowered.status_code == 200, lowered.text
    assert lowered.json()["label"]["version"] == 2 and lowered.json()["changes"][0]["level"] == "warning"
    bad = publish(api, document("books", "c"), diff={"levels": {"no-such-rule": "warning"}})
    assert bad.status_code == 422 and bad.json()["causes"]


def test_warn_label_stores_and_reports_breaking_changes(api: TestClient) -> None:
    publish(api, document("books", "authors"))
    preview = publish(api, document("books"), label="pr-7")
    assert preview.status_code == 201
    body = preview.json()
    assert body["label"]["policy"] == "warn" and body["version"]["parent"] == 1
    assert [c["id"] for c in body["changes"] if c["level"] == "breaking"] == ["api-path-removed-without-deprecation"]
    assert api.get("/v1/contracts/shop/labels/main").json()["version"] == 1


def test_put_label_promotes_with_if_match(api: TestClient) -> None:
    v1 = publish(api, document("books")).json()["version"]
    v2 = publish(api, document("books", "authors")).json()["version"]
    created = api.put("/v1/contracts/shop/labels/prod", json={"version": 1}, headers={"If-Match": '""'})
    assert created.status_code == 200 and created.json()["digest"] == v1["digest"]
    stale = api.put("/v1/contracts/shop/labels/prod", json={"digest": v2["digest"]},
                    headers={"If-Match": f'"{v2["digest"]}"'})
    assert stale.status_code == 412 and stale.json()["causes"][0]["current"] == v1["digest"]
    moved = api.put("/v1/contracts/shop/labels/prod", json={"digest": v2["digest"]},
                    headers={"If-Match": f'"{v1["digest"]}"'})
    assert moved.status_code == 200 and moved.json()["version"] == 2
    history = api.get("/v1/contracts/shop/labels/prod/history").json()["moves"]
    assert [(m["version"], m["previous"]) for m in history] == [(1, None), (2, 1)]
    assert api.put("/v1/contracts/shop/labels/prod", json={"version": 9}).status_code == 404
    assert api.put("/v1/contracts/shop/labels/prod", json={}).status_code == 422


def test_listing(api: TestClient) -> None:
    publish(api, document("books"))
    publish(api, document("books", "x"), label="pr-1")
    listing = api.get("/v1/contracts").json()
    assert listing == {"contracts": [{"name": "shop", "labels": {"main": 1, "pr-1": 2}, "latest": 2}]}
    detail = api.get("/v1/contracts/shop").json()
    assert [x["label"] for x in detail["labels"]] == ["main", "pr-1"]
    assert [v["version"] for v in detail["versions"]] == [1, 2]


@pytest.mark.parametrize(("method", "path", "status"), [
    ("GET", "/v1/contracts/nope", 404), ("GET", "/v1/contracts/shop/labels/nope", 404),
    ("GET", "/v1/contracts/shop/versions/99/openapi.json", 404), ("GET", "/nowhere", 404),
    ("DELETE", "/v1/contracts/shop/labels/main", 405), ("GET", "/v1/contracts/shop/versions/latest", 422),
    ("GET", "/v1/contracts/shop/diff?from=1", 422), ("GET", "/v1/contracts/shop/diff?from=1&to=1&format=pdf", 422),
])
def test_errors_are_problem_json(api: TestClient, method: str, path: str, status: int) -> None:
    publish(api, document("books"))
    r = api.request(method, path)
    assert r.status_code == status
    assert r.headers["content-type"] == "application/problem+json"
    body = r.json()
    assert body["status"] == status and body["title"] and body["detail"] and isinstance(body["causes"], list)
    assert body["causes"]


def test_bookshop_v1_to_v2(api: TestClient, bookshop_v2: dict[str, Any]) -> None:
    from .conftest import REPO

    v1 = orjson.loads((REPO / "contracts" / "openapi.json").read_bytes())
    assert publish(api, v1).status_code == 201
    refused = publish(api, bookshop_v2)
    assert refused.status_code == 409
    fingerprints = sorted(c["fingerprint"] for c in refused.json()["causes"] if c["reason"] == "unannounced")
    assert len(fingerprints) >= 5
    anns = [{"fingerprint": fp, "reason": f"reason {fp}"} for fp in fingerprints]
    ok = publish(api, bookshop_v2, announcements=anns)
    assert ok.status_code == 201, ok.text
    diff = api.get("/v1/contracts/shop/diff?from=1&to=2").json()
    reasons = {c["fingerprint"]: c["announcement"]["reason"] for c in diff["changes"] if c["announcement"]}
    assert reasons == {fp: f"reason {fp}" for fp in fingerprints}


def test_operation_helper_is_valid_openapi(api: TestClient) -> None:
    doc = document("a")
    doc["paths"]["/b"] = operation("get_b", {"x": {"type": "string"}}, [])
    assert publish(api, doc).status_code == 201


@pytest.mark.parametrize("anonymous", [False, True])
def test_label_fast_path_answers_like_the_router(backend: Backend, monkeypatch: pytest.MonkeyPatch,
                                                 anonymous: bool) -> None:
    """The label poll is answered ahead of the router (one query: token + label); the answers
    must be the same for every token state (none, good, under-scoped, malformed, revoked, wrong
    secret, unknown id)."""
    from contractsync.registry import app as app_module

    settings = RegistrySettings(data_dir=backend.data_dir, database_url=backend.database_url, anonymous_read=anonymous)
    admin = token(backend, "admin", name="admin")
    reader = token(backend, "read", name="reader", contracts=["other"])
    revoked = token(backend, "read", name="revoked")
    store = backend.open()
    try:
        assert store.revoke_token("revoked", "2026-01-01T00:00:00Z") == 1
    finally:
        store.close()
    wrong_secret = admin[:-1] + ("A" if admin[-1] != "A" else "B")
    cases = [{}, bearer(admin), bearer(reader), bearer("cst_x"), {"Authorization": "Basic x"},
             bearer(revoked), bearer(wrong_secret), bearer("cst_000000000000_secret"), {"Authorization": "Bearer"}]

    def answers() -> list[tuple[int, str | None, str | None, bytes]]:
        out = []
        with TestClient(create_app(settings), raise_server_exceptions=False) as client:
            # PostgreSQL polls await an asyncio pool on the event loop; SQLite reads its file.
            assert (client.app.state.registry.poller is not None) == (backend.database_url is not None)  # type: ignore[attr-defined]
            client.post("/v1/contracts/shop/versions", headers=bearer(admin),
                        content=orjson.dumps({"openapi": document("books")}))
            digest = client.get("/v1/contracts/shop/labels/main", headers=bearer(admin)).headers["etag"]
            for headers in cases:
                for extra in ({}, {"If-None-Match": digest}, {"If-None-Match": '"sha256:0", ' + digest},
                              {"If-None-Match": '"other"'}):
                    for path in ("/v1/contracts/shop/labels/main", "/v1/contracts/shop/labels/none",
                                 "/v1/contracts/none/labels/main"):
                        r = client.get(path, headers={**headers, **extra})
                        out.append((r.status_code, r.headers.get("etag"), r.headers.get("cache-control"), r.content))
        return out
    fast = answers()
    monkeypatch.setattr(app_module.RegistryASGI, "_label_poll", lambda self, scope, send: _false())
    routed = answers()
    assert fast == routed
    assert {status for status, *_ in fast} >= {200, 304, 401, 404}


async def _false() -> bool:
    return False


def test_republishing_known_content_skips_full_validation(api: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    import contractsync.spec.validate as validate

    calls: list[int] = []
    real = validate.validate_document
    monkeypatch.setattr(validate, "validate_document", lambda *a, **k: (calls.append(1), real(*a, **k))[1])
    assert publish(api, document("books")).status_code == 201
    assert publish(api, document("books")).status_code == 200
    assert publish(api, document("books"), label="pr-3").status_code == 200
    assert len(calls) == 1
