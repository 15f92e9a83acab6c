"""Operation Object → ``{ parameters; requestBody; responses }``.

Operations with an ``operationId`` are emitted once under ``operations`` and referenced from the
path item as ``operations["id"]``; the others are inlined in the path item.
"""

from __future__ import annotations

from typing import Any

from .context import Context
from .jsdoc import operation_doc
from .parameters import merge, parameters_type
from .request_body import request_body_member
from .response import responses_type

_INDENT = "    "


def operation_type(
    ctx: Context, op: dict[str, Any], path_params: tuple[Any, str], ptr: str, ind: str
) -> str:
    """The type of one operation; ``path_params`` are the enclosing path item's parameters (and
    their pointer), which the operation's own parameters override by ``(in, name)``."""
    inner = ind + _INDENT
    params = merge(ctx, [path_params, (op.get("parameters"), ptr + "/parameters")])
    return (
        "{\n"
        f"{inner}parameters: {parameters_type(ctx, params, inner)};\n"
        f"{request_body_member(ctx, op.get('requestBody'), ptr + '/requestBody', inner)}"
        f"{inner}responses: {responses_type(ctx, op.get('responses'), ptr + '/responses', inner)};\n"
        f"{ind}}}"
    )


class OperationRegistry:
    """The ``operations`` section: one entry per operationId, in first-seen order."""

    def __init__(self) -> None:
        self._entries: dict[str, tuple[str, str]] = {}
        self._owner: dict[str, dict[str, Any]] = {}

    def add(
        self, ctx: Context, op_id: str, op: dict[str, Any], path_params: tuple[Any, str], ptr: str
    ) -> bool:
        """Register ``op`` under ``op_id``; False when the id already names a different operation
        (the caller inlines it instead, with a warning)."""
        owner = self._owner.get(op_id)
        if owner is not None:
            if owner is op:
                return True
            ctx.warn(ptr + "/operationId", f"duplicate operationId {op_id!r}; inlined in the path item")
            return False
        self._owner[op_id] = op
        self._entries[op_id] = (
            operation_doc(op, _INDENT),
            operation_type(ctx, op, path_params, ptr, _INDENT),
        )
        return True

    def entries(self, ctx: Context) -> list[tuple[str, tuple[str, str]]]:
        """``(operationId, (doc comment, type))`` in output order."""
        items = list(self._entries.items())
        if ctx.alphabetize:
            items.sort()
        return items
