"""Responses Object and Response Object → ``{ 200: { headers; content } }``.

Status codes are numeric keys (``200``), ranges and ``default`` quoted or bare as needed — the
keys openapi-fetch reads to tell ``data`` from ``error``. Schemas inside use the response view:
defaulted fields are present. A response without content has ``content?: never``.
"""

from __future__ import annotations

from typing import Any

from .context import Context, escape_pointer_segment
from .ident import index_key, property_key
from .jsdoc import text_doc
from .media import content_type
from .parameters import value_type

_INDENT = "    "


def header_value_type(ctx: Context, header: dict[str, Any], ptr: str, ind: str) -> str:
    """A response header's value type, as the client receives it."""
    return value_type(ctx, header, ptr, ind, request=False)


def _headers(ctx: Context, headers: Any, ptr: str, ind: str) -> str:
    inner = ind + _INDENT
    lines: list[str] = []
    if isinstance(headers, dict):
        for name, node in ctx.items(headers):
            where = f"{ptr}/{escape_pointer_segment(name)}"
            if isinstance(node, dict) and isinstance(node.get("$ref"), str):
                ref_name = ctx.component_name(node["$ref"], "headers")
                if ref_name is not None and ctx.component("headers", ref_name) is not None:
                    lines.append(f'{inner}{property_key(name)}: components["headers"]{index_key(ref_name)};\n')
                    continue
            resolved, _ = ctx.resolve_chain(node, where)
            if not isinstance(resolved, dict):
                continue
            required = resolved.get("required") is True
            doc = text_doc(resolved.get("description"), inner, deprecated=resolved.get("deprecated") is True)
            t = header_value_type(ctx, resolved, where, inner)
            lines.append(f"{doc}{inner}{property_key(name)}{': ' if required else '?: '}{t};\n")
    lines.append(f"{inner}[name: string]: unknown;\n")
    return "{\n" + "".join(lines) + ind + "}"


def response_object(ctx: Context, response: dict[str, Any], ptr: str, ind: str) -> str:
    """``{ headers: {…}; content: {…} }`` for a resolved response."""
    inner = ind + _INDENT
    out = ["{\n", inner, "headers: ", _headers(ctx, response.get("headers"), ptr + "/headers", inner), ";\n"]
    content = response.get("content")
    if isinstance(content, dict) and content:
        out += [inner, "content: ", content_type(ctx, content, ptr + "/content", False, inner), ";\n"]
    else:
        out += [inner, "content?: never;\n"]
    out.append(ind + "}")
    return "".join(out)


def responses_type(ctx: Context, responses: Any, ptr: str, ind: str) -> str:
    """The ``responses`` member type of an operation."""
    if not isinstance(responses, dict) or not responses:
        return "never"
    inner = ind + _INDENT
    lines: list[str] = []
    for status, node in ctx.items(responses):
        if status.startswith("x-"):
            continue
        where = f"{ptr}/{escape_pointer_segment(status)}"
        key = property_key(status)
        if isinstance(node, dict) and isinstance(node.get("$ref"), str):
            ref_name = ctx.component_name(node["$ref"], "responses")
            if ref_name is not None and ctx.component("responses", ref_name) is not None:
                lines.append(f'{inner}{key}: components["responses"]{index_key(ref_name)};\n')
                continue
        resolved, _ = ctx.resolve_chain(node, where)
        if not isinstance(resolved, dict):
            lines.append(f"{inner}{key}: unknown;\n")
            continue
        doc = text_doc(resolved.get("description"), inner)
        lines.append(f"{doc}{inner}{key}: {response_object(ctx, resolved, where, inner)};\n")
    if not lines:
        return "never"
    return "{\n" + "".join(lines) + ind + "}"
