"""What every router gets injected: the registry (store + settings) and the caller."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import Request
from fastapi.concurrency import run_in_threadpool

from ..auth import ANONYMOUS, Principal, authenticate
from ..names import name_problem
from ..problems import Problem
from ..service import Registry


async def registry(request: Request) -> Registry:
    reg: Registry = request.app.state.registry
    return reg


def check_name(value: str, what: str, parameter: str) -> str:
    problem = name_problem(value, what)
    if problem:
        raise Problem(422, f"invalid {what}: {problem}",
                      causes=[{"parameter": parameter, "in": "path", "message": problem}], kind="invalid-name")
    return value


async def contract_name(c: str) -> str:
    return check_name(c, "contract name", "c")


async def label_name(label: str) -> str:
    return check_name(label, "label name", "label")


def _challenge(detail: str, status: int = 401) -> Problem:
    return Problem(status, detail, causes=[{"header": "Authorization", "message": detail}],
                   headers={"WWW-Authenticate": 'Bearer realm="contractsync"'} if status == 401 else None,
                   kind="unauthorized" if status == 401 else "forbidden")


async def caller(request: Request) -> Principal | None:
    """The authenticated caller, None when no Authorization header was sent; 401 for a header
    that is malformed or names no live token."""
    header = request.headers.get("authorization")
    if header is None:
        return None
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise _challenge("the Authorization header must be 'Bearer <token>'")
    reg: Registry = request.app.state.registry
    if reg.store.kind == "sqlite":
        principal = authenticate(reg.store, token.strip())
    else:  # a network round trip: not on the event loop
        principal = await run_in_threadpool(authenticate, reg.store, token.strip())
    if principal is None:
        raise _challenge("the token is unknown or revoked")
    return principal


def require(scope: str) -> Callable[[Request], Awaitable[Principal]]:
    """A dependency: the caller must hold ``scope`` for the contract in the path (if any)."""
    async def dependency(request: Request) -> Principal:
        principal = await caller(request)
        contract = request.path_params.get("c")
        if principal is None:
            # --anonymous-read opens what a browser reads (GET, HEAD), not POST …/check: that
            # reads nothing stored but validates and diffs a body of up to --max-body for anyone.
            if scope == "read" and request.method in ("GET", "HEAD") \
                    and request.app.state.registry.settings.anonymous_read:
                return ANONYMOUS
            raise _challenge(f"this needs a token with the {scope!r} scope: send 'Authorization: Bearer <token>'")
        if not principal.allows(scope, contract):
            where = f" for contract {contract!r}" if contract and scope in principal.scopes else ""
            raise _challenge(f"the token {principal.name!r} lacks the {scope!r} scope{where}", 403)
        return principal
    return dependency


read_scope = require("read")
publish_scope = require("publish")
