"""Builders for the tiny OpenAPI documents that rule examples are written in.

Each rule's before/after example is a whole (minimal) document so that the docs can show it and
the rule test can diff it as is.
"""

from __future__ import annotations

from typing import Any

Json = dict[str, Any]


def doc(paths: Json | None = None, **top: Any) -> Json:
    """A minimal OpenAPI 3.1 document with ``paths`` and any other top-level fields."""
    out: Json = {"openapi": "3.1.0", "info": {"title": "example", "version": "1.0.0"}}
    out["paths"] = paths if paths is not None else {}
    out.update(top)
    return out


def ok(schema: Any = None, **extra: Any) -> Json:
    """A ``responses`` object with one 200 response (JSON body when ``schema`` is given)."""
    resp: Json = {"description": "OK"}
    if schema is not None:
        resp["content"] = {"application/json": {"schema": schema}}
    resp.update(extra)
    return {"200": resp}


def op(method: str = "get", path: str = "/items", **operation: Any) -> Json:
    """A document with one operation; ``responses`` default to a bare 200."""
    operation.setdefault("responses", ok())
    return doc({path: {method: operation}})


def request_body(schema: Any, *, required: bool = True, media: str = "application/json") -> Json:
    """A document whose ``POST /items`` takes ``schema`` as its body."""
    return op("post", requestBody={"required": required, "content": {media: {"schema": schema}}})


def response_body(schema: Any, *, media: str = "application/json") -> Json:
    """A document whose ``GET /items`` returns ``schema``."""
    return op("get", responses={"200": {"description": "OK", "content": {media: {"schema": schema}}}})


def query_param(schema: Any, *, required: bool = False, **param: Any) -> Json:
    """A document whose ``GET /items`` has one query parameter ``q`` with ``schema``."""
    p: Json = {"name": "q", "in": "query", "required": required, "schema": schema}
    p.update(param)
    return op("get", parameters=[p])


def response_header(schema: Any, *, required: bool = False) -> Json:
    """A document whose ``GET /items`` returns header ``X-Rate`` with ``schema``."""
    return op("get", responses={"200": {"description": "OK", "headers": {
        "X-Rate": {"required": required, "schema": schema}}}})


def obj(prop: Any, *, required: bool = False, name: str = "p") -> Json:
    """An object schema with one property."""
    out: Json = {"type": "object", "properties": {name: prop}}
    if required:
        out["required"] = [name]
    return out

