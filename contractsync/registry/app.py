"""The registry app: ``create_app(settings)`` (importable, so any ASGI server can run replicas).

``uvicorn --factory contractsync.registry.app:create_app`` reads its settings from
``CONTRACTSYNC_REGISTRY_DATA`` / ``CONTRACTSYNC_REGISTRY_DATABASE`` /
``CONTRACTSYNC_REGISTRY_ANONYMOUS_READ``. Every error, including 404, 405 and request validation,
is ``application/problem+json`` with ``causes[]``.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator, Callable, Sequence
from typing import Any, Literal
from urllib.parse import parse_qsl, unquote

import anyio
import orjson
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response
from starlette.routing import BaseRoute, Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .auth import principal_of, token_id_of
from .body import pointer_of
from .names import is_name, name_problem
from .problems import Problem, problem_response
from .service import Registry
from .settings import RegistrySettings
from .shapes import label_json
from .store import open_store
from .store.protocol import LabelRow, Store, TokenRow

log = logging.getLogger("contractsync.registry")

#: The version of the registry's HTTP API (its contract in contracts/registry/, released with
#: `contractsync accept` like any contract), independent of the package's version.
API_VERSION = "0.1.4"

#: Query parameters that would put a credential in a URL (and so in logs and caches).
TOKEN_PARAMS = frozenset({"token", "access_token", "api_key", "apikey", "auth", "authorization"})


class RegistryASGI:
    """Pure ASGI middleware in front of the routers.

    * A credential in the query string is a 400, before any routing.
    * ``HEAD`` is served wherever ``GET`` is (pages and API): routed as the GET, body dropped.
    * The label poll (``GET /v1/contracts/{c}/labels/{l}``, what every ``pull --watch`` sends
      every few seconds) is answered here when it succeeds (200 or 304): the same
      checks as the routed endpoint (names, token or anonymous read, scope, ETag) without
      FastAPI's routing and dependency resolution, which cost more than the query. The token
      and the label come from one query (one round trip; on PostgreSQL a prepared statement on
      an asyncio connection pool, awaited on the event loop); nothing is cached in memory. Anything else
      (an error) falls through to the router, so errors have one source.
    """

    def __init__(self, app: ASGIApp, registry: Callable[[], Registry | None],
                 routes: Callable[[], Sequence[BaseRoute]] = list) -> None:
        self.app = app
        self.registry = registry
        self.routes = routes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            send = _with_security_headers(send)
            query = scope.get("query_string")
            if query:
                names = {k.lower() for k, _ in parse_qsl(query.decode("latin-1"), keep_blank_values=True)}
                bad = sorted(names & TOKEN_PARAMS)
                if bad:
                    response = Problem(400, f"credentials are never accepted in a URL (query parameter {bad[0]!r}); "
                                       "send 'Authorization: Bearer <token>' instead",
                                       causes=[{"parameter": b, "in": "query"} for b in bad],
                                       kind="token-in-url").response()
                    await response(scope, receive, send)
                    return
            elif scope["method"] in ("GET", "HEAD") and await self._label_poll(scope, send):
                return
            if scope["method"] == "HEAD" and not self._routes_head(scope):
                # HEAD wherever GET is served (pages and API): the GET answer's status and headers
                # (Content-Length, ETag, Cache-Control) without its body.
                scope = {**scope, "method": "GET"}
                send = _without_body(send)
        await self.app(scope, receive, send)

    def _routes_head(self, scope: Scope) -> bool:
        """Whether a route serves HEAD itself (the label pointer, for watchers)."""
        return any(route.matches(scope)[0] == Match.FULL for route in self.routes())

    async def _label_poll(self, scope: Scope, send: Send) -> bool:
        path: str = scope["path"]
        if not path.startswith("/v1/contracts/") or b"%" in scope.get("raw_path", b"%"):
            return False
        parts = path[len("/v1/contracts/"):].split("/")
        if len(parts) != 3 or parts[1] != "labels" or not is_name(parts[0]) or not is_name(parts[2]):
            return False
        reg = self.registry()
        if reg is None:
            return False
        headers = dict(scope["headers"])
        header = headers.get(b"authorization")
        if header is None and not reg.settings.anonymous_read:
            return False
        token = _bearer(header)
        if token is False:
            return False
        token_id = token_id_of(token) if token is not None else None
        try:
            if reg.poller is not None:  # a network database: the event loop awaits the round trip
                tok, found = await reg.poller.poll(parts[0], parts[2], token_id)
            elif reg.store.kind == "sqlite":
                tok, found = reg.store.poll(parts[0], parts[2], token_id)
            else:
                tok, found = await anyio.to_thread.run_sync(reg.store.poll, parts[0], parts[2], token_id)
        except Exception:  # the router answers (and reports) it as problem+json
            log.warning("label poll fast path failed; answering through the router", exc_info=True)
            return False
        row = _visible(found, tok, token, parts[0])
        if row is None:
            return False
        etag = f'"{row.digest}"'.encode()
        out = [(b"etag", etag), (b"cache-control", f"max-age={reg.settings.label_max_age}, must-revalidate".encode())]
        inm = headers.get(b"if-none-match")
        if inm is not None and (inm.strip() == b"*" or etag in {p.strip().removeprefix(b"W/") for p in inm.split(b",")}):
            await send({"type": "http.response.start", "status": 304, "headers": out})
            await send({"type": "http.response.body", "body": b""})
            return True
        body = orjson.dumps(label_json(row))
        out += [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
        await send({"type": "http.response.start", "status": 200, "headers": out})
        await send({"type": "http.response.body", "body": body})
        return True


#: Pages are static HTML with one inline <style>: no script, no frame, no plugin, forms only to
#: this origin, so markup that slipped past escaping still could not run or send anything away.
PAGE_CSP = (b"default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; form-action 'self'; "
            b"base-uri 'none'; frame-ancestors 'none'")
#: Everything else (JSON, types.ts, changelog.md, openapi.json) is data, never a document.
DATA_CSP = b"default-src 'none'; frame-ancestors 'none'; sandbox"
SECURITY_HEADERS = ((b"x-content-type-options", b"nosniff"), (b"referrer-policy", b"no-referrer"))


def _with_security_headers(send: Send) -> Send:
    """``send`` that adds to every response: ``X-Content-Type-Options: nosniff`` (a stored
    contract or changelog is never sniffed into HTML), ``Referrer-Policy: no-referrer`` and a
    Content-Security-Policy (:data:`PAGE_CSP` for HTML, :data:`DATA_CSP` otherwise)."""
    async def wrapped(message: Message) -> None:
        if message["type"] == "http.response.start":
            headers = list(message.get("headers", ()))
            names = {k.lower() for k, _ in headers}
            html = any(k.lower() == b"content-type" and v.lower().startswith(b"text/html") for k, v in headers)
            extra = [*SECURITY_HEADERS, (b"content-security-policy", PAGE_CSP if html else DATA_CSP)]
            headers += [(k, v) for k, v in extra if k not in names]
            message = {**message, "headers": headers}
        await send(message)
    return wrapped


def _without_body(send: Send) -> Send:
    """``send`` for a HEAD answered by a GET route: every body chunk goes out empty."""
    async def wrapped(message: Message) -> None:
        if message["type"] == "http.response.body":
            message = {**message, "body": b""}
        await send(message)
    return wrapped


def _bearer(header: bytes | None) -> str | Literal[False] | None:
    """The bearer token of an Authorization header (None: no header), or False when the header
    cannot carry one of our tokens (the router then gives the error)."""
    if header is None:
        return None
    scheme, _, value = header.decode("latin-1").partition(" ")
    token = value.strip()
    if scheme.lower() != "bearer" or token_id_of(token) is None:
        return False
    return token


def _visible(found: LabelRow | None, row: TokenRow | None, token: str | None, contract: str) -> LabelRow | None:
    """The label a poll may see: None when the token is not good for it or the label does not
    exist (the router then gives the error). ``row`` is the token's record, read in the same query
    as the label; nothing is cached in the process, so a revoked token or a moved label is seen by
    the very next poll on every replica."""
    if token is not None:
        principal = principal_of(row, token)
        if principal is None or not principal.allows("read", contract):
            return None
    return found


def _not_found_cause(raw_path: str) -> Problem | None:
    """A 422 for an unroutable path whose contract or label segment is not a valid name (an
    encoded slash, ``..``, control characters, 300 characters). ``raw_path`` is the path as
    sent, so ``a%2Fb`` is one segment holding a slash, not two segments."""
    prefix = "/v1/contracts/"
    if not raw_path.startswith(prefix):
        return None
    parts = [unquote(p) for p in raw_path[len(prefix):].split("/")]
    candidates: list[tuple[str, str]] = [("contract name", parts[0])]
    if len(parts) > 2 and parts[1] == "labels":
        rest = parts[2:]
        if len(rest) > 1 and rest[-1] == "history":
            rest = rest[:-1]
        candidates.append(("label name", "/".join(rest)))
    for what, value in candidates:
        problem = name_problem(value, what)
        if problem:
            return Problem(422, f"invalid {what}: {problem}", causes=[{"in": "path", "message": problem}],
                           kind="invalid-name")
    return None


def _problem_responses(doc: dict[str, Any]) -> None:
    """Every error answer of every operation is problem+json (what the handlers send), and every
    operation may answer 401/403 (auth) and 404."""
    from .api.models import ProblemDetails

    schemas = doc["components"]["schemas"]
    problem = ProblemDetails.model_json_schema(ref_template="#/components/schemas/{model}")
    schemas.update(problem.pop("$defs", {}))
    schemas["ProblemDetails"] = problem
    for name in ("HTTPValidationError", "ValidationError"):
        schemas.pop(name, None)
    content = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/ProblemDetails"}}}
    defaults = {"401": "no token, or an unknown or revoked one", "403": "the token lacks the scope or contract",
                "404": "no such contract, label or version", "422": "invalid name, parameter or body"}
    for item in doc.get("paths", {}).values():
        for op in item.values():
            responses = op.setdefault("responses", {})
            for status, text in defaults.items():
                responses.setdefault(status, {"description": text})
            for status, response in responses.items():
                if status[0] in "45":
                    if response.get("description") in (None, "", "Validation Error"):
                        response["description"] = defaults.get(status, "error")
                    response["content"] = content


def create_app(settings: RegistrySettings | None = None, *, store: Store | None = None) -> FastAPI:
    """The registry as a FastAPI app. Storage opens (and migrates) at start-up: SQLite in
    ``settings.data_dir`` or PostgreSQL at ``settings.database_url``; ``store`` injects one."""
    cfg = settings or RegistrySettings.from_env()

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        own = store is None
        opened = store if store is not None else open_store(data_dir=cfg.data_dir, database_url=cfg.database_url)
        reg = app.state.registry = Registry(opened, cfg)
        poller = opened.async_poller()
        if poller is not None:
            await poller.open()
            reg.poller = poller
        log.info("contractsync registry on %s", cfg.storage_name())
        try:
            yield
        finally:
            reg.poller = None
            if poller is not None:
                await poller.close()
            if own:
                opened.close()

    app = FastAPI(
        title="contractsync registry", version=API_VERSION, lifespan=lifespan,
        summary="Publish OpenAPI contracts, pull exact versions and their generated TypeScript types.",
        description=("Immutable, content-addressed contract versions; movable labels with history; a publish "
                     "gate that judges exactly as `contractsync check`. Errors are application/problem+json "
                     "with causes[]. Tokens only in `Authorization: Bearer`."),
        openapi_url="/v1/openapi.json", docs_url=None, redoc_url=None)
    if store is not None:
        app.state.registry = Registry(store, cfg)
    app.add_middleware(RegistryASGI, registry=lambda: getattr(app.state, "registry", None),
                       routes=lambda: app.router.routes)

    from . import pages
    from .api import contracts, publish

    app.include_router(publish.router)
    app.include_router(contracts.router)
    app.include_router(pages.router)

    def openapi() -> dict[str, Any]:
        # The publish body is read by hand (size-limited while streaming), so FastAPI does not see
        # its model: add its schema to the document the endpoints' requestBody refers to.
        if app.openapi_schema is None:
            from fastapi.openapi.utils import get_openapi

            from .api.models import PublishBody

            doc = get_openapi(title=app.title, version=app.version, summary=app.summary,
                              description=app.description, routes=app.routes)
            schemas = doc.setdefault("components", {}).setdefault("schemas", {})
            body = PublishBody.model_json_schema(ref_template="#/components/schemas/{model}")
            schemas.update(body.pop("$defs", {}))
            schemas["PublishBody"] = body
            _problem_responses(doc)
            app.openapi_schema = doc
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]

    @app.get("/healthz", include_in_schema=False)
    async def healthz() -> Response:
        return Response(b'{"ok":true}', media_type="application/json", headers={"Cache-Control": "no-store"})

    @app.exception_handler(Problem)
    async def _problem(request: Request, exc: Problem) -> Response:
        return exc.response()

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        if exc.status_code == 404:
            raw = request.scope.get("raw_path") or request.url.path.encode()
            named = _not_found_cause(raw.decode("latin-1"))
            if named is not None:
                return named.response()
        detail = exc.detail if isinstance(exc.detail, str) else str(exc.detail)
        causes: list[dict[str, Any]] = [{"path": request.url.path, "method": request.method}]
        headers = dict(exc.headers or {})
        if exc.status_code == 404 and detail == "Not Found":
            detail = f"nothing at {request.url.path}"
        return Problem(exc.status_code, detail, causes=causes, headers=headers).response()

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> Response:
        causes = []
        for err in exc.errors()[:50]:
            loc = list(err.get("loc", ()))
            where = loc[0] if loc else "request"
            causes.append({"in": where, "pointer": pointer_of(loc[1:]), "message": err.get("msg", ""),
                           "type": err.get("type", "")})
        first = causes[0] if causes else {"in": "request", "pointer": "", "message": "invalid"}
        return problem_response(Problem(422, f"invalid request: {first['in']} {first['pointer']}: {first['message']}",
                                        causes=causes, kind="invalid-request").body(), 422)

    @app.exception_handler(Exception)
    async def _internal(request: Request, exc: Exception) -> Response:
        log.exception("internal error on %s %s", request.method, request.url.path)
        return Problem(500, f"internal error: {type(exc).__name__}", kind="internal").response()

    return app
