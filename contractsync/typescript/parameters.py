"""Parameters (path-level and operation-level) → ``{ query; header; path; cookie }``.

Locations are always listed in that order; one without parameters is ``?: never`` (so
openapi-fetch rejects a stray ``query`` key), and a location is optional when none of its
parameters is required. Path parameters are always required. Parameter schemas use the request
view: a parameter with a default is optional to send.
"""

from __future__ import annotations

from typing import Any

from .context import Context, escape_pointer_segment
from .ident import index_key, property_key
from .jsdoc import text_doc
from .schema import schema_type

LOCATIONS = ("query", "header", "path", "cookie")
_INDENT = "    "


def value_type(ctx: Context, node: dict[str, Any], ptr: str, ind: str, *, request: bool) -> str:
    """The type of a parameter's or header's value (a Header Object follows the Parameter Object's
    structure): its ``schema``, or the schema of its single ``content`` entry; ``string`` when it
    has neither (what arrives on the wire). ``request``: sent by the client (a parameter) or
    received by it (a response header)."""
    if "schema" in node:
        return schema_type(ctx, node["schema"], ptr + "/schema", request, ind, False)
    content = node.get("content")
    if isinstance(content, dict) and content:
        media, entry = next(iter(content.items()))
        if isinstance(entry, dict) and "schema" in entry:
            return schema_type(
                ctx, entry["schema"], f"{ptr}/content/{escape_pointer_segment(media)}/schema",
                request, ind, False,
            )
        return "unknown"
    return "string"


def parameter_value_type(ctx: Context, param: dict[str, Any], ptr: str, ind: str) -> str:
    """The type of one parameter's value, as the client sends it (text: binary is ``string``)."""
    outer, ctx.text_context = ctx.text_context, True
    try:
        return value_type(ctx, param, ptr, ind, request=True)
    finally:
        ctx.text_context = outer


def merge(
    ctx: Context, groups: list[tuple[Any, str]]
) -> list[tuple[dict[str, Any], str | None, str]]:
    """Resolve and merge parameter lists, later lists overriding earlier ones by ``(in, name)``.

    ``groups`` are ``(parameters array, pointer)``; the result is ``(resolved parameter, component
    name if it was a ``$ref`` to ``components.parameters``, pointer)``.
    """
    merged: dict[tuple[str, str], tuple[dict[str, Any], str | None, str]] = {}
    for params, ptr in groups:
        if params is None:
            continue
        if not isinstance(params, list):
            ctx.warn(ptr, "parameters is not an array; ignored")
            continue
        for i, node in enumerate(params):
            where = f"{ptr}/{i}"
            ref_name: str | None = None
            if isinstance(node, dict) and isinstance(node.get("$ref"), str):
                ref_name = ctx.component_name(node["$ref"], "parameters")
            resolved, _ = ctx.resolve_chain(node, where)
            if not isinstance(resolved, dict):
                if resolved is not None:
                    ctx.warn(where, "parameter is not an object; ignored")
                continue
            loc, name = resolved.get("in"), resolved.get("name")
            if loc not in LOCATIONS or not isinstance(name, str):
                ctx.warn(where, "parameter without a valid 'in' or 'name'; ignored")
                continue
            if ctx.exclude_deprecated and resolved.get("deprecated") is True:
                continue
            if ref_name is not None and ctx.component("parameters", ref_name) is None:
                ref_name = None
            merged[(loc, name)] = (resolved, ref_name, where)
    return list(merged.values())


def parameters_type(
    ctx: Context, params: list[tuple[dict[str, Any], str | None, str]], ind: str
) -> str:
    """The ``parameters`` member type of an operation or path item."""
    inner = ind + _INDENT
    leaf = inner + _INDENT
    grouped: dict[str, list[tuple[dict[str, Any], str | None, str]]] = {}
    for entry in params:
        grouped.setdefault(entry[0]["in"], []).append(entry)
    out = ["{\n"]
    for loc in LOCATIONS:
        entries = grouped.get(loc)
        if not entries:
            out.append(f"{inner}{loc}?: never;\n")
            continue
        if ctx.alphabetize:
            entries.sort(key=lambda e: str(e[0]["name"]))
        any_required = False
        lines: list[str] = []
        for param, ref_name, where in entries:
            required = loc == "path" or param.get("required") is True
            any_required = any_required or required
            if ref_name is not None:
                t = 'components["parameters"]' + index_key(ref_name)
            else:
                t = parameter_value_type(ctx, param, where, leaf)
            doc = text_doc(param.get("description"), leaf, deprecated=param.get("deprecated") is True)
            lines.append(f"{doc}{leaf}{property_key(param['name'])}{': ' if required else '?: '}{t};\n")
        out.append(f"{inner}{loc}{': ' if any_required else '?: '}{{\n{''.join(lines)}{inner}}};\n")
    out.append(ind + "}")
    return "".join(out)
