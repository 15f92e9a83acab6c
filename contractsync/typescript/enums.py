"""``--enum``: TypeScript ``enum`` declarations for enum schemas under ``components.schemas``.

A schema at ``#/components/schemas/Color`` becomes ``export enum Color``; a property enum at
``#/components/schemas/Pet/properties/kind`` becomes ``export enum PetKind``. Enums elsewhere
(inline in operations) and enums mixing strings with numbers or booleans stay literal unions,
which say the same thing. Member names come from ``x-enum-varnames`` / ``x-enumNames`` when
given, else from the value.
"""

from __future__ import annotations

import math
import re
from typing import Any

from . import ident
from .context import Context

_PREFIX = "#/components/schemas/"
_PLAIN = re.compile(r"^[A-Za-z_$][A-Za-z0-9_$]*$")


def _segments(ptr: str) -> list[str] | None:
    if not ptr.startswith(_PREFIX):
        return None
    parts = [p.replace("~1", "/").replace("~0", "~") for p in ptr[len(_PREFIX) :].split("/")]
    rest = parts[1:]
    if len(rest) % 2 or any(rest[i] != "properties" for i in range(0, len(rest), 2)):
        return None
    return [parts[0], *rest[1::2]]


def _numeric_name(text: str) -> str:
    text = text.strip().replace("-", "Minus").replace("+", "Plus").replace(".", "_")
    return "Value" + "".join(ch if ch.isascii() and (ch.isalnum() or ch == "_") else "_" for ch in text)


def _member_name(value: str | int | float, given: Any) -> str:
    if isinstance(given, str) and _PLAIN.match(given) and given not in ident.RESERVED_NAMES:
        return given
    if isinstance(value, str):
        if _PLAIN.match(value):
            return value
        try:
            float(value)
        except ValueError:
            return ident.string_literal(value) if value else '"EMPTY"'
        return _numeric_name(value)
    return _numeric_name(str(value))


def enum_reference(ctx: Context, schema: dict[str, Any], values: list[Any], ptr: str) -> str | None:
    """The name of the ``export enum`` for the enum schema at ``ptr`` (declared on first use), with
    ``| null`` when null is allowed; ``None`` when this enum stays a literal union."""
    has_null = None in values or schema.get("nullable") is True
    known = ctx.enum_names.get(ptr)
    if known is not None:
        return known + " | null" if has_null else known
    segments = _segments(ptr)
    if segments is None:
        return None
    concrete = [v for v in values if v is not None]
    if not concrete:
        return None
    all_str = all(isinstance(v, str) for v in concrete)
    all_num = all(
        isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) and abs(v) < 2**53
        for v in concrete
    )
    if not (all_str or all_num):
        return None
    alias = ctx.schema_alias.get(segments[0])
    if alias is None:
        return None
    if len(segments) == 1:
        name = alias
        ctx.enum_components.add(segments[0])
    else:
        name = ctx.names.allocate(alias + "".join(ident.pascal_identifier(s) for s in segments[1:]))
    ctx.enum_names[ptr] = name

    varnames = schema.get("x-enum-varnames", schema.get("x-enumNames"))
    given = varnames if isinstance(varnames, list) and len(varnames) == len(values) else None
    descriptions = schema.get("x-enum-descriptions", schema.get("x-enumDescriptions"))
    docs = descriptions if isinstance(descriptions, list) and len(descriptions) == len(values) else None
    lines: list[str] = []
    access: list[str] = []
    used: set[str] = set()
    seen_values: set[str] = set()
    for i, value in enumerate(values):
        if value is None:
            continue
        lit = ident.literal(value)
        if lit is None or lit in seen_values:
            continue
        seen_values.add(lit)
        member = _member_name(value, given[i] if given else None)
        base, n = member, 2
        while member in used:
            member = f"{base}_{n}" if not base.startswith('"') else f'"{base[1:-1]}_{n}"'
            n += 1
        used.add(member)
        doc = docs[i] if docs else None
        if isinstance(doc, str) and doc:
            from .jsdoc import text_doc

            lines.append(text_doc(doc, "    "))
        lines.append(f"    {member} = {lit},\n")
        access.append(f"{name}[{member}]" if member.startswith('"') else f"{name}.{member}")
    ctx.enum_members[name] = access
    ctx.enum_decls.append(f"export enum {name} {{\n{''.join(lines)}}}\n")
    return name + " | null" if has_null else name
