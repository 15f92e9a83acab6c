"""Paths Object, Webhooks and Path Item Object → ``"/path": { parameters; get; post; … }``.

A path item lists its own (path-level) parameters and only the methods it has: openapi-fetch
offers ``client.GET("/x")`` exactly for the paths with a ``get`` key. A path item ``$ref`` is
resolved and emitted in place, so reference chains and cycles cannot reach the compiler.
"""

from __future__ import annotations

from typing import Any

from .context import Context, escape_pointer_segment
from .ident import index_key, property_key
from .jsdoc import operation_doc
from .operation import OperationRegistry, operation_type
from .parameters import merge, parameters_type

METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
_INDENT = "    "


def path_item_type(
    ctx: Context, item: Any, ptr: str, ind: str, registry: OperationRegistry
) -> str:
    """The type of one path item (after following ``$ref``)."""
    resolved, _ = ctx.resolve_chain(item, ptr)
    if not isinstance(resolved, dict):
        if resolved is not None:
            ctx.warn(ptr, "path item is not an object; typed as having no operations")
        return "Record<string, never>"
    inner = ind + _INDENT
    path_params = (resolved.get("parameters"), ptr + "/parameters")
    lines = [f"{inner}parameters: {parameters_type(ctx, merge(ctx, [path_params]), inner)};\n"]
    for method in METHODS:
        op = resolved.get(method)
        if op is None:
            continue
        where = f"{ptr}/{method}"
        if not isinstance(op, dict):
            ctx.warn(where, "operation is not an object; ignored")
            continue
        if ctx.exclude_deprecated and op.get("deprecated") is True:
            continue
        doc = operation_doc({"summary": op.get("summary"), "deprecated": op.get("deprecated")}, inner)
        op_id = op.get("operationId")
        if isinstance(op_id, str) and op_id and registry.add(ctx, op_id, op, path_params, where):
            lines.append(f"{doc}{inner}{method}: operations{index_key(op_id)};\n")
        else:
            lines.append(f"{doc}{inner}{method}: {operation_type(ctx, op, path_params, where, inner)};\n")
    return "{\n" + "".join(lines) + ind + "}"


def paths_members(
    ctx: Context, paths: Any, ptr: str, registry: OperationRegistry
) -> list[str]:
    """The members of ``paths`` (or ``webhooks``), one per path key."""
    if not isinstance(paths, dict):
        if paths is not None:
            ctx.warn(ptr, "is not an object; ignored")
        return []
    out: list[str] = []
    for key, item in ctx.items(paths):
        if key.startswith("x-"):
            continue
        where = f"{ptr}/{escape_pointer_segment(key)}"
        out.append(f"{_INDENT}{property_key(key)}: {path_item_type(ctx, item, where, _INDENT, registry)};\n")
    return out
