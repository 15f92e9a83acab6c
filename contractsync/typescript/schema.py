"""Schema Object → TypeScript type.

Every schema is emitted in one of two *views*:

* the **response view** (``request=False``): what a client receives. A property with a
  ``default`` is always present (the server fills it in), so it is required; ``writeOnly``
  properties should not come back and are optional; ``readOnly`` properties are ``readonly``.
* the **request view** (``request=True``): what a client sends. Only ``required`` properties are
  required (a default means the client may omit it), ``readOnly`` properties are left out (the
  server ignores them) and binary strings (``format: binary``, ``contentMediaType``) are ``Blob``.

References are never inlined: ``$ref`` to a component becomes ``components["schemas"]["X"]`` (or
``requestSchemas["X"]`` in a request view, see :mod:`.analysis`), which keeps the output linear in
the size of the contract and makes recursive schemas free.
"""

from __future__ import annotations

from typing import Any

from . import ident
from .context import Context, escape_pointer_segment
from .jsdoc import schema_doc

_INDENT = "    "
_OBJECT_KEYS = ("properties", "additionalProperties", "patternProperties")
_BARE_OBJECT = "Record<string, unknown>"
#: Keywords a ``propertyNames`` schema may have and still be exactly its literal keys.
_KEY_SCHEMA_KEYS = frozenset(
    {"enum", "const", "type", "title", "description", "default", "examples", "example", "$comment", "x-enum-varnames", "x-enumNames"}
)
_TEXT_MEDIA_SUFFIXES = ("json", "xml", "yaml")


def is_binary(schema: dict[str, Any]) -> bool:
    """True when a string schema carries file content: ``format: binary`` (3.0) or a non-text
    ``contentMediaType`` without a ``contentEncoding`` (3.1; FastAPI ≥ 0.129 ``UploadFile``)."""
    if schema.get("format") == "binary":
        return True
    media = schema.get("contentMediaType")
    if not isinstance(media, str) or "contentEncoding" in schema:
        return False
    media = media.split(";", 1)[0].strip().lower()
    return not (media.startswith("text/") or media.endswith(_TEXT_MEDIA_SUFFIXES))


def has_default(ctx: Context, prop: Any) -> bool:
    """Whether a property has a default, on itself or on the component it references."""
    if not isinstance(prop, dict):
        return False
    if "default" in prop:
        return True
    ref = prop.get("$ref")
    if isinstance(ref, str) and len(prop) == 1:
        name = ctx.component_name(ref, "schemas")
        target = ctx.schemas.get(name) if name is not None else None
        return isinstance(target, dict) and "default" in target
    return False


def _paren(t: str) -> str:
    if " | " in t or " & " in t or t.startswith("readonly "):
        return "(" + t + ")"
    return t


def _union(members: list[str]) -> str:
    out: list[str] = []
    seen: set[str] = set()
    for m in members:
        if m == "unknown":
            return "unknown"
        if m == "never" or m in seen:
            continue
        seen.add(m)
        out.append(m)
    if not out:
        return "never"
    return " | ".join(out)


def _intersection(members: list[str]) -> str:
    kept = [m for m in members if m != "unknown"]
    if not kept:
        return "unknown"
    if "never" in kept:
        return "never"
    if len(kept) == 1:
        return kept[0]
    return " & ".join(_paren_union(m) for m in kept)


def _paren_union(t: str) -> str:
    return "(" + t + ")" if " | " in t else t


def _with_null(t: str) -> str:
    if t == "null" or t.endswith(" | null") or t == "unknown":
        return t
    if t == "never":
        return "null"
    return t + " | null"


def schema_type(
    ctx: Context, schema: Any, ptr: str, request: bool, ind: str, eager: bool
) -> str:
    """The TypeScript type of ``schema`` (found at JSON pointer ``ptr``).

    ``ind`` is the indentation of the line the type starts on; ``eager`` is true while the type is
    not yet inside an object literal (TypeScript resolves such references immediately, which
    matters for cycles, see :mod:`.analysis`).
    """
    if schema is True:
        return "unknown"
    if schema is False:
        return "never"
    if not isinstance(schema, dict):
        ctx.warn(ptr, "schema is not an object or boolean; typed unknown")
        return "unknown"
    ref = schema.get("$ref")
    if ref is not None:
        if not isinstance(ref, str):
            ctx.warn(ptr, "$ref is not a string; typed unknown")
            return "unknown"
        t = ctx.schema_ref_type(ref, ptr, request, ind, eager)
        if schema.get("nullable") is True:
            t = _with_null(t)
        return t
    if "$dynamicRef" in schema or "$recursiveRef" in schema:
        return _dynamic_ref(ctx, schema, ptr, request, ind, eager)

    core = _core(ctx, schema, ptr, request, ind, eager)
    all_of = schema.get("allOf")
    one_of = schema.get("oneOf")
    any_of = schema.get("anyOf")
    if all_of is None and one_of is None and any_of is None:
        t = core if core is not None else "unknown"
    else:
        parts: list[str] = []
        # Object keywords without ``type: object`` only constrain objects; beside a composition
        # that may admit other types (``anyOf: [{type: object}, {type: null}]``) they must not
        # turn the whole schema into an object type.
        inferred_only = (
            "type" not in schema and "const" not in schema and "enum" not in schema
            and not schema.get("properties")
        )
        if core is not None and core != _BARE_OBJECT and not inferred_only:
            parts.append(core)
        if isinstance(all_of, list):
            parts.extend(_all_of(ctx, schema, all_of, ptr, request, ind, eager))
        elif all_of is not None:
            ctx.warn(ptr + "/allOf", "allOf is not an array; ignored")
        for key, members in (("oneOf", one_of), ("anyOf", any_of)):
            if members is None:
                continue
            if not isinstance(members, list):
                ctx.warn(f"{ptr}/{key}", f"{key} is not an array; ignored")
                continue
            parts.append(_union_of(ctx, schema, members, f"{ptr}/{key}", request, ind, eager))
        t = _intersection(parts) if parts else (core if core is not None else "unknown")
    if schema.get("nullable") is True:
        t = _with_null(t)
    return t


def _dynamic_ref(
    ctx: Context, schema: dict[str, Any], ptr: str, request: bool, ind: str, eager: bool
) -> str:
    """``$recursiveRef: "#"`` / ``$dynamicRef: "#name"`` inside a component schema that declares
    the matching ``$recursiveAnchor`` / ``$dynamicAnchor`` refers to that component (the usual
    way to write a recursive filter or tree); anything else cannot be resolved statically."""
    owner = ctx.schemas.get(ctx.current) if ctx.current is not None else None
    if isinstance(owner, dict):
        recursive = schema.get("$recursiveRef")
        dynamic = schema.get("$dynamicRef")
        if (recursive == "#" and owner.get("$recursiveAnchor") is True) or (
            isinstance(dynamic, str)
            and dynamic.startswith("#")
            and owner.get("$dynamicAnchor") == dynamic[1:]
        ):
            ref = "#/components/schemas/" + escape_pointer_segment(ctx.current or "")
            return ctx.schema_ref_type(ref, ptr, request, ind, eager)
    ctx.warn(ptr, "$dynamicRef/$recursiveRef that does not name its own component; typed unknown")
    return "unknown"


def _core(
    ctx: Context, s: dict[str, Any], ptr: str, request: bool, ind: str, eager: bool
) -> str | None:
    """The type from ``const``/``enum``/``type`` (or the keywords that imply a type)."""
    if "const" in s:
        lit = ident.literal(s["const"])
        return lit if lit is not None else "number"
    enum = s.get("enum")
    if enum is not None:
        if not isinstance(enum, list):
            ctx.warn(ptr + "/enum", "enum is not an array; typed unknown")
            return "unknown"
        return _enum(ctx, s, enum, ptr)
    t = s.get("type")
    if isinstance(t, str):
        return _typed(ctx, s, t, ptr, request, ind, eager)
    if isinstance(t, list):
        if not t:
            return None
        return _union([_typed(ctx, s, x, ptr, request, ind, eager) for x in t])
    if t is not None:
        ctx.warn(ptr + "/type", f"type {t!r} is not a string or array; typed unknown")
        return "unknown"
    for key in _OBJECT_KEYS:
        if key in s:
            return _object(ctx, s, ptr, request, ind)
    if "items" in s or "prefixItems" in s:
        return _array(ctx, s, ptr, request, ind, eager)
    return None


def _typed(
    ctx: Context, s: dict[str, Any], t: Any, ptr: str, request: bool, ind: str, eager: bool
) -> str:
    if t == "string":
        if is_binary(s):
            if ctx.current is not None:
                ctx.current_binary = True
            if request and ctx.binary_is_blob():
                return "Blob"
        return "string"
    if t == "integer" or t == "number":
        return "number"
    if t == "object":
        return _object(ctx, s, ptr, request, ind)
    if t == "array":
        return _array(ctx, s, ptr, request, ind, eager)
    if t == "boolean":
        return "boolean"
    if t == "null":
        return "null"
    ctx.warn(ptr + "/type", f"unknown type {t!r}; typed unknown")
    return "unknown"


def _enum(ctx: Context, s: dict[str, Any], values: list[Any], ptr: str) -> str:
    if ctx.options.enum:
        from .enums import enum_reference

        named = enum_reference(ctx, s, values, ptr)
        if named is not None:
            return named
    members: list[str] = []
    for value in values:
        lit = ident.literal(value)
        members.append(lit if lit is not None else "number")
    return _union(members)


def _object(ctx: Context, s: dict[str, Any], ptr: str, request: bool, ind: str) -> str:
    inner = ind + _INDENT
    lines: list[str] = []
    props = s.get("properties")
    if props is not None and not isinstance(props, dict):
        ctx.warn(ptr + "/properties", "properties is not an object; ignored")
        props = None
    if props:
        required_list = s.get("required")
        required = (
            set(required_list) if isinstance(required_list, list) and required_list else ()
        )
        immutable = ctx.immutable
        exclude_deprecated = ctx.exclude_deprecated
        analysing = ctx.current is not None
        base = ptr + "/properties/"
        for name, prop in ctx.items(props):
            is_dict = isinstance(prop, dict)
            readonly = immutable
            write_only = False
            if is_dict:
                if exclude_deprecated and prop.get("deprecated") is True:
                    continue
                if prop.get("readOnly") is True:
                    if analysing:
                        ctx.current_differs = True
                    if request:
                        continue
                    readonly = True
                if prop.get("writeOnly") is True:
                    if analysing:
                        ctx.current_differs = True
                    # A server SHOULD NOT return it, and may (pydantic's SecretStr comes back
                    # masked): optional in what the client receives, never relied upon.
                    write_only = not request
            if write_only:
                optional = True
            elif name in required:
                optional = False
            elif has_default(ctx, prop):
                if analysing:
                    ctx.current_differs = True
                optional = request
            else:
                optional = True
            t = schema_type(ctx, prop, base + escape_pointer_segment(name), request, inner, False)
            doc = schema_doc(prop, inner) if is_dict else ""
            lines.append(
                f"{doc}{inner}{'readonly ' if readonly else ''}{ident.property_key(name)}"
                f"{'?: ' if optional else ': '}{t};\n"
            )
    index: list[str] = []
    closed = False
    ap = s.get("additionalProperties")
    if ap is True or ap == {}:
        index.append("unknown")
    elif ap is False:
        closed = True
    elif ap is not None:
        index.append(schema_type(ctx, ap, ptr + "/additionalProperties", request, inner, False))
    pp = s.get("patternProperties")
    if isinstance(pp, dict):
        for pattern, sub in ctx.items(pp):
            index.append(
                schema_type(
                    ctx, sub, f"{ptr}/patternProperties/{escape_pointer_segment(pattern)}",
                    request, inner, False,
                )
            )
    keys = None if closed else _key_type(ctx, s, ptr, request, inner)
    if keys is not None:
        # propertyNames of string literals (dict[Color, int], dict[Literal["a", "b"], str]): a
        # mapped type, so a key outside them is rejected; every key may be absent.
        value = _union(index) if index or ap is not None else "unknown"
        mapped = "{\n" + inner + "[key in " + keys + "]?: " + value + ";\n" + ind + "}"
        if not lines:
            return mapped
        return "{\n" + "".join(lines) + ind + "} & " + mapped
    if not lines:
        if not index:
            return "Record<string, never>" if closed else _BARE_OBJECT
        value = _union(index)
        if value == "unknown":
            return _BARE_OBJECT
        return "{\n" + inner + "[key: string]: " + value + ";\n" + ind + "}"
    body = "".join(lines)
    if not index:
        return "{\n" + body + ind + "}"
    value = _union(index)
    if value == "unknown":
        return "{\n" + body + inner + "[key: string]: unknown;\n" + ind + "}"
    # A string index signature must admit every declared property's type; an intersection keeps
    # both exact without that constraint.
    return "{\n" + body + ind + "} & {\n" + inner + "[key: string]: " + value + ";\n" + ind + "}"


def _key_type(ctx: Context, s: dict[str, Any], ptr: str, request: bool, ind: str) -> str | None:
    """The key type of an object whose ``propertyNames`` is a string ``enum``/``const`` (inline or
    a component), else ``None`` (any string key)."""
    names = s.get("propertyNames")
    if not isinstance(names, dict):
        return None
    target, _ = ctx.resolve_chain(names, ptr + "/propertyNames") if "$ref" in names else (names, None)
    if not isinstance(target, dict) or not set(target) <= _KEY_SCHEMA_KEYS:
        return None
    values = target["enum"] if isinstance(target.get("enum"), list) else [target["const"]] if "const" in target else None
    if not values or not all(isinstance(v, str) for v in values):
        return None
    return schema_type(ctx, names, ptr + "/propertyNames", request, ind, True)


def _array(
    ctx: Context, s: dict[str, Any], ptr: str, request: bool, ind: str, eager: bool
) -> str:
    ro = "readonly " if ctx.immutable else ""
    # Elements of an array or tuple type are resolved lazily inside a type alias (not inside an
    # interface member): references below are "deferred", see :mod:`.analysis`. One function,
    # not two: each nesting level costs stack frames, and the loader's depth limit is budgeted
    # against them (tests/test_loader_policy.py).
    ctx.array_depth += 1
    try:
        items = s.get("items")
        prefix = s.get("prefixItems")
        if prefix is None and isinstance(items, list):
            prefix, items = items, s.get("additionalItems")
        if isinstance(prefix, list):
            min_items = s.get("minItems")
            min_items = min_items if isinstance(min_items, int) else 0
            max_items = s.get("maxItems")
            elements: list[str] = []
            for i, item in enumerate(prefix):
                t = schema_type(ctx, item, f"{ptr}/prefixItems/{i}", request, ind, eager)
                elements.append(t if i < min_items else _paren(t) + "?")
            closed = items is False or (isinstance(max_items, int) and max_items <= len(prefix))
            if not closed:
                rest = (
                    "unknown"
                    if items is None or items is True
                    else schema_type(ctx, items, ptr + "/items", request, ind, eager)
                )
                elements.append("..." + _paren(rest) + "[]")
            return ro + "[" + ", ".join(elements) + "]"
        if items is None or items is True:
            return ro + "unknown[]"
        t = schema_type(ctx, items, ptr + "/items", request, ind, eager)
        return ro + _paren(t) + "[]"
    finally:
        ctx.array_depth -= 1


def _all_of(
    ctx: Context,
    s: dict[str, Any],
    members: list[Any],
    ptr: str,
    request: bool,
    ind: str,
    eager: bool,
) -> list[str]:
    """allOf members as intersection parts; keys the parent (or a bare ``required`` member) lists
    as required but a referenced member declares optional are made required with ``WithRequired``."""
    own = s.get("properties")
    own_props = own if isinstance(own, dict) else {}
    wanted: list[str] = []
    req = s.get("required")
    if isinstance(req, list):
        wanted.extend(k for k in req if isinstance(k, str) and k not in own_props)
    for m in members:
        if isinstance(m, dict) and "$ref" not in m and "properties" not in m:
            mreq = m.get("required")
            if isinstance(mreq, list):
                wanted.extend(k for k in mreq if isinstance(k, str))
    parts: list[str] = []
    pending = list(dict.fromkeys(wanted))
    for i, m in enumerate(members):
        t = schema_type(ctx, m, f"{ptr}/allOf/{i}", request, ind, eager)
        if pending and t != "unknown" and isinstance(m, dict) and isinstance(m.get("$ref"), str):
            keys = _declared_optional(ctx, m["$ref"], pending, request)
            if keys:
                ctx.uses_with_required = True
                pending = [k for k in pending if k not in keys]
                t = "WithRequired<" + t + ", " + " | ".join(ident.string_literal(k) for k in keys) + ">"
        parts.append(_discriminator_tag(ctx, m, t))
    return parts


def _declared_optional(ctx: Context, ref: str, keys: list[str], request: bool) -> list[str]:
    """Which of ``keys`` the referenced object schema declares as properties visible in this view."""
    target = ctx.resolve(ref)
    if not isinstance(target, dict):
        return []
    props = target.get("properties")
    if not isinstance(props, dict) or any(k in target for k in ("allOf", "oneOf", "anyOf")):
        return []
    found: list[str] = []
    for k in keys:
        prop = props.get(k)
        if prop is None:
            continue
        if isinstance(prop, dict):
            if ctx.exclude_deprecated and prop.get("deprecated") is True:
                continue
            if request and prop.get("readOnly") is True:
                continue
            if not request and prop.get("writeOnly") is True:
                continue
        found.append(k)
    return found


def _discriminator_tag(ctx: Context, member: Any, t: str) -> str:
    """For ``Child: allOf[$ref Parent, …]`` where Parent has a discriminator without a union of
    its own, intersect the parent with the child's literal tag."""
    if ctx.current is None or not isinstance(member, dict):
        return t
    ref = member.get("$ref")
    if not isinstance(ref, str):
        return t
    parent = ctx.resolve(ref)
    if not isinstance(parent, dict) or "oneOf" in parent or "anyOf" in parent:
        return t
    disc = parent.get("discriminator")
    if not isinstance(disc, dict) or not isinstance(disc.get("propertyName"), str):
        return t
    own = "#/components/schemas/" + escape_pointer_segment(ctx.current)
    values = _tag_values(ctx, disc, ctx.schemas.get(ctx.current), own)
    if not values:
        return t
    tag = ident.property_key(disc["propertyName"])
    return _paren_union(t) + " & { " + tag + ": " + " | ".join(values) + " }"


def _declared_tag(
    ctx: Context, target: Any, prop: str, ptr: str, depth: int = 0
) -> tuple[list[Any], dict[str, Any], str] | None:
    """How ``target`` (at ``ptr``) declares the discriminator property ``prop`` (directly or in an
    allOf member): ``([], …)`` for a plain value, the allowed values for an enum/const, with the
    declaring schema and its pointer; ``None`` when it does not declare it at all."""
    if not isinstance(target, dict) or depth > 8:
        return None
    if isinstance(target.get("$ref"), str):
        return _declared_tag(ctx, ctx.resolve(target["$ref"]), prop, target["$ref"], depth + 1)
    props = target.get("properties")
    if isinstance(props, dict) and prop in props:
        decl, where = props[prop], f"{ptr}/properties/{escape_pointer_segment(prop)}"
        if isinstance(decl, dict) and isinstance(decl.get("$ref"), str):
            decl, where = ctx.resolve(decl["$ref"]), decl["$ref"]
        if not isinstance(decl, dict):
            return None
        if "const" in decl:
            return [decl["const"]], decl, where
        if isinstance(decl.get("enum"), list):
            return list(decl["enum"]), decl, where
        return [], decl, where
    members = target.get("allOf")
    if isinstance(members, list):
        for i, m in enumerate(members):
            found = _declared_tag(ctx, m, prop, f"{ptr}/allOf/{i}", depth + 1)
            if found is not None:
                return found
    return None


def _tag_values(ctx: Context, disc: dict[str, Any], target: Any, target_ref: str) -> list[str]:
    """The literal(s) the discriminator gives ``target``: the mapping keys naming it, else its
    schema name. Only values the target's own declaration of the property admits are used, so the
    tag narrows (and makes the property required) but never contradicts the schema."""
    found = _declared_tag(ctx, target, disc["propertyName"], target_ref)
    if found is None:
        return []
    declared, decl, where = found
    mapping = disc.get("mapping")
    name = target_ref.rsplit("/", 1)[-1].replace("~1", "/").replace("~0", "~")
    if isinstance(mapping, dict) and mapping:
        candidates = [k for k, v in mapping.items() if v in (target_ref, name)]
    else:
        candidates = [name]
    if declared:
        candidates = [c for c in candidates if c in declared]
    literals = [ident.string_literal(c) for c in candidates if isinstance(c, str)]
    if ctx.options.enum and "const" not in decl and declared:
        # With --enum the property is a TypeScript enum, which a string literal does not
        # intersect (``Kind & "cat"`` is never): the tag is the enum's member (``Kind.cat``).
        from .enums import enum_reference

        named = enum_reference(ctx, decl, declared, where)
        if named is not None:
            access = ctx.enum_access.get(named.removesuffix(" | null"), {})
            return [access[lit] for lit in literals if lit in access]
    return literals


def _union_of(
    ctx: Context,
    s: dict[str, Any],
    members: list[Any],
    ptr: str,
    request: bool,
    ind: str,
    eager: bool,
) -> str:
    disc = s.get("discriminator")
    prop = disc.get("propertyName") if isinstance(disc, dict) else None
    out: list[str] = []
    for i, m in enumerate(members):
        t = schema_type(ctx, m, f"{ptr}/{i}", request, ind, eager)
        if (
            isinstance(prop, str)
            and isinstance(disc, dict)
            and t != "unknown"
            and isinstance(m, dict)
            and isinstance(m.get("$ref"), str)
        ):
            values = _tag_values(ctx, disc, m, m["$ref"])
            if values:
                t = "(" + _paren_union(t) + " & { " + ident.property_key(prop) + ": " + " | ".join(values) + " })"
        out.append(t)
    return _union(out)
