"""Content maps (``{ "application/json": T }``) shared by request bodies and responses."""

from __future__ import annotations

from typing import Any

from .context import Context, escape_pointer_segment
from .ident import property_key
from .schema import schema_type

_INDENT = "    "


def content_type(ctx: Context, content: dict[str, Any], ptr: str, request: bool, ind: str) -> str:
    """``{ "<media type>": T; … }``; a media type without a schema is ``unknown``."""
    inner = ind + _INDENT
    lines: list[str] = []
    for media, entry in ctx.items(content):
        where = f"{ptr}/{escape_pointer_segment(media)}"
        if isinstance(entry, dict) and "schema" in entry:
            t = schema_type(ctx, entry["schema"], where + "/schema", request, inner, False)
        else:
            t = "unknown"
        lines.append(f"{inner}{property_key(media)}: {t};\n")
    return "{\n" + "".join(lines) + ind + "}"
