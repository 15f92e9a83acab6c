"""Content maps (``{ "application/json": T }``) shared by request bodies and responses."""

from __future__ import annotations

from typing import Any

from .context import Context, escape_pointer_segment
from .ident import property_key
from .schema import schema_type

_INDENT = "    "


def is_text_media(media: str) -> bool:
    """JSON media types (``application/json``, ``*+json``): a body that is text, so a binary
    string in it is a string, not a file."""
    return media.split(";", 1)[0].strip().lower().endswith("json")


def content_type(ctx: Context, content: dict[str, Any], ptr: str, request: bool, ind: str) -> str:
    """``{ "<media type>": T; … }``; a media type without a schema is ``unknown``."""
    inner = ind + _INDENT
    lines: list[str] = []
    for media, entry in ctx.items(content):
        where = f"{ptr}/{escape_pointer_segment(media)}"
        if isinstance(entry, dict) and "schema" in entry:
            outer, ctx.text_context = ctx.text_context, is_text_media(media)
            try:
                t = schema_type(ctx, entry["schema"], where + "/schema", request, inner, False)
            finally:
                ctx.text_context = outer
        else:
            t = "unknown"
        lines.append(f"{inner}{property_key(media)}: {t};\n")
    return "{\n" + "".join(lines) + ind + "}"
