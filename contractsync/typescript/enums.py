"""``--enum``: TypeScript ``enum`` declarations for enum schemas.

A schema at ``#/components/schemas/Color`` becomes ``export enum Color`` (its alias name). An
enum inside a schema is named by the way there: a property by the property
(``Pet/properties/kind`` → ``PetKind``), array items by ``Item``, ``additionalProperties`` by
``Value``, tuple elements by ``Item0``…, ``anyOf``/``oneOf``/``allOf`` members by nothing
(``Optional[Literal["a", "b"]]`` is ``anyOf: [{enum}, {type: null}]``: ``PetMode | null``).
Inline enums of an operation with an ``operationId`` are named after it: a parameter by its name
(``listItems`` + ``color`` → ``ListItemsColor``), the request body by ``Body``, a response by
``Response`` and its status, a response header by its name; ``components.parameters`` and
``components.headers`` by their component name. Enums elsewhere (an operation without an
``operationId``, path-level parameters, ``not``/``if``…) and enums mixing strings with numbers or
booleans stay literal unions, which say the same thing. Names are allocated in emit order after
the schema aliases (a taken name gets ``_2``). Member names come from ``x-enum-varnames`` /
``x-enumNames`` when given, else from the value.
"""

from __future__ import annotations

import math
import re
from typing import Any

from . import ident
from .context import Context

_PREFIX = "#/components/schemas/"
_PLAIN = re.compile(r"^[A-Za-z_$][A-Za-z0-9_$]*$")


def _unescape(segment: str) -> str:
    return segment.replace("~1", "/").replace("~0", "~")


#: Schema keywords an enum name passes through: the word each adds (``None``: the keyword takes
#: an index or name next, handled below).
_SCHEMA_STEPS = {"items": "Item", "additionalProperties": "Value", "schema": ""}
_MEMBER_STEPS = ("anyOf", "oneOf", "allOf")


def _schema_words(parts: list[str]) -> list[str] | None:
    """Words naming an enum from the way through a schema, or ``None`` when the way has a
    keyword no name is defined for."""
    words: list[str] = []
    i = 0
    while i < len(parts):
        step = parts[i]
        if step == "properties" and i + 1 < len(parts):
            words.append(parts[i + 1])
            i += 2
        elif step in _MEMBER_STEPS and i + 1 < len(parts) and parts[i + 1].isdigit():
            i += 2
        elif step == "prefixItems" and i + 1 < len(parts) and parts[i + 1].isdigit():
            words.append("Item" + parts[i + 1])
            i += 2
        elif step in _SCHEMA_STEPS:
            words.append(_SCHEMA_STEPS[step])
            i += 1
        else:
            return None
    return [w for w in words if w]


def _name_parts(ctx: Context, ptr: str) -> tuple[str, list[str]] | None:
    """``(base, words)`` naming the enum at ``ptr``: the base is a schema alias (or the
    operation's or component's name), the words follow the way to the enum."""
    if not ptr.startswith("#/"):
        return None
    parts = [_unescape(p) for p in ptr[2:].split("/")]
    if parts[:2] == ["components", "schemas"] and len(parts) >= 3:
        alias = ctx.schema_alias.get(parts[2])
        words = _schema_words(parts[3:])
        return None if alias is None or words is None else (alias, words)
    if parts[:2] in (["components", "parameters"], ["components", "headers"]) and len(parts) >= 3:
        words = _schema_words(parts[3:])
        return None if words is None else (ident.pascal_identifier(parts[2]), words)
    if parts[0] not in ("paths", "webhooks") or len(parts) < 4:
        return None
    op = ctx.resolve("#/" + "/".join(p.replace("~", "~0").replace("/", "~1") for p in parts[:3]))
    op_id = op.get("operationId") if isinstance(op, dict) else None
    if not isinstance(op_id, str) or not isinstance(op, dict):
        return None
    rest = parts[3:]
    head: list[str] = []
    if rest[0] == "parameters" and len(rest) >= 2 and rest[1].isdigit():
        params = op.get("parameters")
        index = int(rest[1])
        param = params[index] if isinstance(params, list) and index < len(params) else None
        param, _ = ctx.resolve_chain(param, ptr) if isinstance(param, dict) else (None, None)
        if not isinstance(param, dict) or not isinstance(param.get("name"), str):
            return None
        head, rest = [param["name"]], rest[2:]
    elif rest[0] == "requestBody":
        head, rest = ["Body"], rest[1:]
    elif rest[0] == "responses" and len(rest) >= 2:
        head, rest = ["Response" + rest[1]], rest[2:]
        if len(rest) >= 2 and rest[0] == "headers":
            head, rest = [*head, rest[1]], rest[2:]
    else:
        return None
    if len(rest) >= 2 and rest[0] == "content":
        rest = rest[2:]  # the media type adds no word
    words = _schema_words(rest)
    return None if words is None else (ident.pascal_identifier(op_id), head + words)


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
    named = _name_parts(ctx, ptr)
    if named is None or not named[0]:
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
    base, words = named
    component = ptr[len(_PREFIX):]
    if not words and ptr.startswith(_PREFIX) and "/" not in component:
        name = base  # a component enum is its own alias
        ctx.enum_components.add(_unescape(component))
    else:
        # An enum member of a component's own anyOf (``Mode = anyOf [enum, null]``) is ``ModeEnum``.
        name = ctx.names.allocate(base + ("".join(ident.pascal_identifier(w) or "X" for w in words) or "Enum"))
    ctx.enum_names[ptr] = name

    varnames = schema.get("x-enum-varnames", schema.get("x-enumNames"))
    given = varnames if isinstance(varnames, list) and len(varnames) == len(values) else None
    descriptions = schema.get("x-enum-descriptions", schema.get("x-enumDescriptions"))
    docs = descriptions if isinstance(descriptions, list) and len(descriptions) == len(values) else None
    lines: list[str] = []
    access: list[str] = []
    by_literal: dict[str, str] = {}
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
        by_literal[lit] = access[-1]
    ctx.enum_members[name] = access
    ctx.enum_access[name] = by_literal
    ctx.enum_decls.append(f"export enum {name} {{\n{''.join(lines)}}}\n")
    return name + " | null" if has_null else name
