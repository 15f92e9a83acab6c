"""The whole file: header, ``paths``, ``webhooks``, ``components``, ``requestSchemas`` (and
``formRequestSchemas`` when a contract needs it), ``operations``, then aliases, helpers and
enums."""

from __future__ import annotations

import json
import re
from typing import Any

from . import ident
from .components import emit_components, emit_schemas
from .context import Context, escape_pointer_segment
from .jsdoc import header
from .operation import OperationRegistry
from .paths import paths_members
from .symbols import LineRecorder, SymbolKind, TsSymbol

_WITH_REQUIRED = (
    "type WithRequired<T, K extends keyof T> = T & {\n"
    "    [P in K]-?: Exclude<T[P], undefined>;\n"
    "};\n"
)


def _block(ctx: Context, name: str, members: list[str]) -> str:
    if not members:
        return f"export type {name} = Record<string, never>;\n"
    body = "".join(members)
    if ctx.options.export_type:
        return f"export type {name} = {{\n{body}}};\n"
    return f"export interface {name} {{\n{body}}}\n"


def _enum_values(ctx: Context) -> list[str]:
    out: list[str] = []
    for name, schema in ctx.items(ctx.schemas):
        if not isinstance(schema, dict) or not isinstance(schema.get("enum"), list):
            continue
        values = schema["enum"]
        if not values or not all(v is None or isinstance(v, (str, int, float)) for v in values):
            continue
        literals: list[str | None] = [ident.literal(v) for v in values]
        if any(lit is None for lit in literals):
            continue
        if name in ctx.enum_components:
            # A TypeScript enum admits its members, not the bare literals.
            members = ctx.enum_members[ctx.schema_alias[name]]
            literals = [*members, "null"] if None in values else list(members)
        const = ctx.names.allocate(ctx.schema_alias[name] + "Values")
        out.append(
            f'export const {const}: ReadonlyArray<components["schemas"]{ident.index_key(name)}> = '
            f"[{', '.join(lit for lit in literals if lit is not None)}];\n"
        )
    # Inline enums declared by ``--enum`` (``PetKind``) have a name to type the list with; their
    # names come after every component's, so a component's ``XValues`` never moves.
    component_enums = {ctx.schema_alias.get(name) for name in ctx.enum_components}
    for ptr, enum in ctx.enum_names.items():
        if enum in component_enums or enum not in ctx.enum_members:
            continue
        node = ctx.resolve(ptr)
        values = node.get("enum") if isinstance(node, dict) else None
        nullable = isinstance(node, dict) and (
            (isinstance(values, list) and None in values) or node.get("nullable") is True
        )
        members = [*ctx.enum_members[enum], "null"] if nullable else ctx.enum_members[enum]
        const = ctx.names.allocate(enum + "Values")
        element = f"{enum} | null" if nullable else enum
        out.append(f"export const {const}: ReadonlyArray<{element}> = [{', '.join(members)}];\n")
    return out


_ENUM_HEAD = re.compile(r"^export enum ([A-Za-z_$][\w$]*) \{$")
_ENUM_MEMBER = re.compile(r'^    ("(?:[^"\\]|\\.)*"|[A-Za-z_$][\w$]*) = (.*),$')


def _record_enum_members(ctx: Context, rec: LineRecorder, part: str) -> None:
    """Record each member of the ``export enum`` declarations in ``part`` (about to be written at
    ``rec.line``) as an ``enum-member`` symbol: the value it stands for, ``Genre.romance``, and the
    pointer of that value in the contract's ``enum`` list."""
    where = {name: ptr for ptr, name in ctx.enum_names.items()}
    enum: str | None = None
    values: list[Any] = []
    pointer = ""
    for offset, line in enumerate(part.split("\n")):
        head = _ENUM_HEAD.match(line)
        if head is not None:
            enum = head.group(1)
            pointer = where.get(enum, "")
            node = ctx.resolve(pointer) if pointer.startswith("#") else None
            values = node.get("enum", []) if isinstance(node, dict) else []
            continue
        member = _ENUM_MEMBER.match(line)
        if enum is None or member is None or not pointer:
            continue
        try:
            value = json.loads(member.group(2))
        except ValueError:
            continue
        if value not in values:
            continue
        key = member.group(1)
        ts = f"{enum}[{key}]" if key.startswith('"') else f"{enum}.{key}"
        rec.symbols.append(TsSymbol("enum-member", str(value), ts, f"{pointer}/enum/{values.index(value)}",
                                    rec.line + offset, rec.line + offset, enum))


def render(ctx: Context, *, title: str, version: str, sha256: str,
           recorder: LineRecorder | None = None) -> str:
    """Generate the complete TypeScript source for ``ctx.data``; with ``recorder``, also record
    where each path, operation, schema and alias landed (the symbol map)."""
    rec = recorder or LineRecorder()
    # Schema aliases are a function of each schema's own name (never of the other schemas), so
    # adding a schema can never move or re-point an existing alias; derived names come after.
    ctx.schema_alias.update(ident.schema_aliases(name for name, _ in ctx.items(ctx.schemas)))
    for alias in ctx.schema_alias.values():
        ctx.names.reserve(alias)
    schemas = emit_schemas(ctx)
    registry = OperationRegistry()
    path_members = paths_members(ctx, ctx.data.get("paths"), "#/paths", registry)
    webhook_members = paths_members(ctx, ctx.data.get("webhooks"), "#/webhooks", registry)
    components_body = emit_components(ctx, schemas, registry)

    out: list[str] = []

    def put(text: str) -> None:
        out.append(text)
        rec.advance(text)

    put(header(title, version, sha256))
    put("\n")
    rec.members(rec.line + 1, path_members, "path", 'paths[{key}]', "#/paths/")
    put(_block(ctx, "paths", path_members))
    rec.members(rec.line + 1, webhook_members, "webhook", 'webhooks[{key}]', "#/webhooks/")
    put(_block(ctx, "webhooks", webhook_members))
    # components { schemas: { <members> } ... }: the first schema is two lines in.
    rec.members(rec.line + 2, schemas.members.values(), "schema", 'components["schemas"][{key}]',
                "#/components/schemas/")
    if ctx.options.export_type:
        put(f"export type components = {{\n{components_body}}};\n")
    else:
        put(f"export interface components {{\n{components_body}}}\n")
    request_members = list(schemas.request_members.values())
    rec.members(rec.line + 1, request_members, "request-schema", "requestSchemas[{key}]",
                "#/components/schemas/")
    put(_block(ctx, "requestSchemas", request_members))
    if schemas.form_members:
        # Only a contract with a schema reached both by JSON and by other bodies has form views.
        form_members = list(schemas.form_members.values())
        rec.members(rec.line + 1, form_members, "request-schema", "formRequestSchemas[{key}]",
                    "#/components/schemas/")
        put(_block(ctx, "formRequestSchemas", form_members))
    op_members = [
        f"{doc}    {ident.property_key(op_id)}: {body};\n" for op_id, (doc, body) in registry.entries(ctx)
    ]
    rec.members(rec.line + 1, op_members, "operation", "operations[{key}]", "operationId:")
    put(_block(ctx, "operations", op_members))

    # Each part of the tail, with the symbols it declares: (kind, schema, TS name, first and last
    # line offset).
    tail: list[tuple[str, list[tuple[SymbolKind, str, str, int, int]]]] = []
    if ctx.options.aliases or ctx.recursive:
        aliases: list[str] = []
        named: list[tuple[SymbolKind, str, str, int, int]] = []
        export = "export " if ctx.options.aliases else ""

        def declare(schema_name: str, ts_name: str, target: str, request: bool, form: bool = False) -> None:
            # A recursive schema's alias carries its body (exported only with aliases on).
            body = ctx.form_bodies.get(schema_name) if form else ctx.recursive_bodies.get((schema_name, request))
            if body is None and not ctx.options.aliases:
                return
            text = f"{export}type {ts_name} = {body if body is not None else target};\n"
            first = sum(a.count("\n") for a in aliases)
            named.append(("alias", schema_name, ts_name, first, first + text.count("\n") - 1))
            aliases.append(text)

        for schema_name, _ in ctx.items(ctx.schemas):
            if schema_name not in ctx.enum_components:
                declare(schema_name, ctx.schema_alias[schema_name],
                      'components["schemas"]' + ident.index_key(schema_name), schema_name in ctx.request_only)
        for schema_name in schemas.request_members:
            ts_name = ctx.request_alias.get(schema_name) or ctx.names.allocate(ctx.schema_alias[schema_name] + "Request")
            declare(schema_name, ts_name, "requestSchemas" + ident.index_key(schema_name), True)
        # Allocated after every request view's alias, so a form view never takes one's name.
        for schema_name in schemas.form_members:
            ts_name = ctx.form_alias.get(schema_name) or ctx.names.allocate(ctx.schema_alias[schema_name] + "FormRequest")
            declare(schema_name, ts_name, "formRequestSchemas" + ident.index_key(schema_name), True, True)
        if aliases:
            tail.append(("".join(aliases), named))
    if ctx.uses_with_required:
        tail.append((_WITH_REQUIRED, []))
    if ctx.enum_decls:
        tail.append(("\n".join(ctx.enum_decls), []))
    if ctx.options.enum_values:
        values = _enum_values(ctx)
        if values:
            tail.append(("".join(values), []))
    for part, named in tail:
        put("\n")
        if part.startswith("export enum "):
            _record_enum_members(ctx, rec, part)
        for kind, schema_name, ts_name, first, last in named:
            rec.symbols.append(TsSymbol(kind, schema_name, ts_name,
                                        "#/components/schemas/" + escape_pointer_segment(schema_name),
                                        rec.line + first, rec.line + last))
        put(part)
    for schema_name in sorted(ctx.enum_components):
        enum_alias = ctx.schema_alias.get(schema_name)
        if enum_alias is not None:
            rec.symbols.append(TsSymbol("enum", schema_name, enum_alias,
                                        "#/components/schemas/" + escape_pointer_segment(schema_name),
                                        0, -1))
    return "".join(out)
