"""Request Body Object → ``requestBody: { content: {…} }``.

The body is optional (``requestBody?:``) unless ``required: true``; schemas inside use the request
view, so defaulted fields may be left out and uploads are ``Blob``. An operation without a body
gets ``requestBody?: never`` so openapi-fetch rejects a ``body``.
"""

from __future__ import annotations

from typing import Any

from .context import Context
from .ident import index_key
from .media import content_type

_INDENT = "    "


def request_body_object(ctx: Context, body: dict[str, Any], ptr: str, ind: str) -> str:
    """The ``{ content: … }`` type of a resolved request body."""
    inner = ind + _INDENT
    content = body.get("content")
    if not isinstance(content, dict) or not content:
        return "{\n" + inner + 'content: {\n' + inner + _INDENT + '"*/*"?: never;\n' + inner + "};\n" + ind + "}"
    return "{\n" + inner + "content: " + content_type(ctx, content, ptr + "/content", True, inner) + ";\n" + ind + "}"


def request_body_member(ctx: Context, body: Any, ptr: str, ind: str) -> str:
    """The ``requestBody`` line(s) of an operation, including the trailing ``;\\n``."""
    if body is None:
        return f"{ind}requestBody?: never;\n"
    ref_name: str | None = None
    if isinstance(body, dict) and isinstance(body.get("$ref"), str):
        ref_name = ctx.component_name(body["$ref"], "requestBodies")
    resolved, _ = ctx.resolve_chain(body, ptr)
    if not isinstance(resolved, dict):
        if resolved is not None:
            ctx.warn(ptr, "requestBody is not an object; typed unknown")
        return f"{ind}requestBody?: unknown;\n"
    mark = ": " if resolved.get("required") is True else "?: "
    if ref_name is not None and ctx.component("requestBodies", ref_name) is not None:
        return f'{ind}requestBody{mark}components["requestBodies"]{index_key(ref_name)};\n'
    return f"{ind}requestBody{mark}{request_body_object(ctx, resolved, ptr, ind)};\n"
