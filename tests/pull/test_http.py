"""The registry client against httpx's MockTransport: retries only when no connection was made,
conditional GETs, digest verification, and one-line errors."""

from __future__ import annotations

import hashlib

import httpx
import orjson
import pytest

from contractsync.client import http as http_mod
from contractsync.client.cache import IntegrityError
from contractsync.client.http import RegistryClient, RegistryError
from contractsync.client.origin import RegistryOrigin
from contractsync.client.refs import parse_ref
from contractsync.spec.canonical import canonical_json

DOC = {"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": {}}
CANON = canonical_json(DOC)
DIGEST = "sha256:" + hashlib.sha256(CANON).hexdigest()


@pytest.fixture(autouse=True)
def _no_sleep(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(http_mod.time, "sleep", lambda _s: None)


def test_retries_connection_errors_only() -> None:
    calls: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request.url.path)
        if len(calls) < 3:
            raise httpx.ConnectError("connection refused")
        return httpx.Response(200, json={"ok": True})

    client = RegistryClient("http://r.example", transport=httpx.MockTransport(handler))
    assert client.get("/v1/contracts").json() == {"ok": True}
    assert len(calls) == 3

    reads: list[int] = []

    def slow(request: httpx.Request) -> httpx.Response:
        reads.append(1)
        raise httpx.ReadTimeout("slow")

    client = RegistryClient("http://r.example", transport=httpx.MockTransport(slow))
    with pytest.raises(RegistryError, match="did not answer within"):
        client.get("/v1/contracts")
    assert len(reads) == 1  # the request may have been received: not retried

    def down(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("[Errno 111] Connection refused")

    client = RegistryClient("http://r.example", transport=httpx.MockTransport(down))
    with pytest.raises(RegistryError) as info:
        client.post_json("/v1/contracts/c/versions", b"{}")
    assert info.value.one_line() == ("http://r.example/v1/contracts/c/versions: cannot connect to the registry "
                                     "([Errno 111] Connection refused; tried 3 times)")


def test_token_in_header_only() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={})

    RegistryClient("http://r.example", token="cst_secret", transport=httpx.MockTransport(handler)).get("/v1/x")
    assert seen[0].headers["authorization"] == "Bearer cst_secret"
    assert "cst_secret" not in str(seen[0].url)


@pytest.mark.parametrize(("status", "token", "expected"), [
    (401, None, "HTTP 401 (the registry wants a token: set CONTRACTSYNC_TOKEN): needs read"),
    (401, "t", "HTTP 401 (the registry refused the token in CONTRACTSYNC_TOKEN): needs read"),
    (403, "t", "HTTP 403 (the token in CONTRACTSYNC_TOKEN may not read this): needs read"),
    (404, None, "HTTP 404 (not found): needs read — /contract: no such contract"),
    (500, None, "HTTP 500: needs read — /contract: no such contract (and 1 more)"),
])
def test_errors_are_one_line(status: int, token: str | None, expected: str) -> None:
    causes = [] if status < 404 else [{"pointer": "/contract", "message": "no such contract"}]
    if status == 500:
        causes.append({"pointer": "/x", "message": "y"})

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(status, json={"status": status, "detail": "needs read", "causes": causes},
                              headers={"content-type": "application/problem+json"})

    client = RegistryClient("http://r.example", token=token, transport=httpx.MockTransport(handler))
    with pytest.raises(RegistryError) as info:
        client.get("/v1/contracts/c")
    assert info.value.one_line() == f"http://r.example/v1/contracts/c: {expected}"
    assert info.value.status == status


def _origin(handler: httpx.MockTransport, ref: str = "label:main") -> RegistryOrigin:
    return RegistryOrigin(RegistryClient("http://r.example", transport=handler), "bookshop", parse_ref(ref))


def test_label_conditional_get() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.url.path.endswith("/labels/main"):
            if request.headers.get("if-none-match") == f'"{DIGEST}"':
                return httpx.Response(304)
            return httpx.Response(200, json={"version": 4, "digest": DIGEST, "info_version": "1"})
        assert request.url.path == f"/v1/contracts/bookshop/versions/{DIGEST}"
        return httpx.Response(200, json={"version": 4, "digest": DIGEST, "source": {"commit": "abc"}})

    origin = _origin(httpx.MockTransport(handler))
    assert origin.resolve(DIGEST) is None
    assert seen[-1].headers["if-none-match"] == f'"{DIGEST}"'
    resolved = origin.resolve("sha256:" + "0" * 64)
    assert resolved is not None and (resolved.version, resolved.source_commit) == (4, "abc")
    assert origin.resolve(None) == resolved
    assert "if-none-match" not in seen[-2].headers


@pytest.mark.parametrize("body", [CANON, orjson.dumps(DOC)])  # canonical, or the same content re-serialized
def test_fetch_verifies_the_digest(body: bytes) -> None:
    origin = _origin(httpx.MockTransport(lambda r: httpx.Response(200, content=body)))
    assert origin.fetch(DIGEST) == CANON


def test_fetch_refuses_other_content() -> None:
    other = orjson.dumps({**DOC, "info": {"title": "evil", "version": "1"}})
    origin = _origin(httpx.MockTransport(lambda r: httpx.Response(200, content=other)))
    with pytest.raises(IntegrityError, match="does not match its digest"):
        origin.fetch(DIGEST)


def test_label_answer_without_digest() -> None:
    origin = _origin(httpx.MockTransport(lambda r: httpx.Response(200, json={"version": 1})))
    with pytest.raises(RegistryError, match="no valid 'digest'"):
        origin.resolve(None)


def test_types_artifact_needs_matching_generator() -> None:
    from contractsync import __version__
    from contractsync.typescript.options import TypeScriptOptions, options_digest

    options = TypeScriptOptions(enum=True)
    requests: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        requests.append(request)
        version = __version__ if "good" in request.url.path else "0.0.1"
        return httpx.Response(200, text="export interface paths {}\n",
                              headers={"X-Contractsync-Generator-Version": version,
                                       "X-Contractsync-Options-Digest": options_digest(options)})

    origin = RegistryOrigin(RegistryClient("http://r.example", transport=httpx.MockTransport(handler)),
                            "good", parse_ref("label:main"))
    assert origin.types(DIGEST, options, __version__) == "export interface paths {}\n"
    assert requests[-1].url.params["enum"] == "true" and requests[-1].url.params["aliases"] == "true"
    other = RegistryOrigin(RegistryClient("http://r.example", transport=httpx.MockTransport(handler)),
                           "old", parse_ref("label:main"))
    assert other.types(DIGEST, options, __version__) is None  # another generator version: generate locally
