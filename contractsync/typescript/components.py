"""Components Object → ``components`` (and ``requestSchemas``).

``components`` always has the six keys openapi-typescript made standard — ``schemas``,
``responses``, ``parameters``, ``requestBodies``, ``headers``, ``pathItems`` — each ``never``
when the contract has none. Schemas are emitted first (in the response view), then
:mod:`.analysis` decides which need a request view, and the affected entries are re-emitted.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .analysis import circular_edges, cycles, plan_form_views, plan_views, request_media_reach
from .context import Context, escape_pointer_segment
from .ident import property_key
from .jsdoc import schema_doc, text_doc
from .operation import OperationRegistry
from .parameters import parameter_value_type
from .paths import path_item_type
from .request_body import request_body_object
from .response import header_value_type, response_object
from .schema import schema_type

_I1 = "    "
_I2 = _I1 * 2


@dataclass
class SchemaSection:
    """The emitted ``components.schemas`` members and the ``requestSchemas`` members."""

    members: dict[str, str] = field(default_factory=dict)
    request_members: dict[str, str] = field(default_factory=dict)
    #: The ``formRequestSchemas`` members (views for bodies that are not JSON).
    form_members: dict[str, str] = field(default_factory=dict)


def _emit_schema(
    ctx: Context, name: str, schema: Any, request: bool, ind: str = _I2, file: bool = False
) -> str:
    """One member in the response view, or in the request view (``file``: the view for bodies
    that are not JSON, where a binary string is a ``Blob``)."""
    ptr = "#/components/schemas/" + escape_pointer_segment(name)
    ctx.current = name
    ctx.current_file = file
    ctx.current_refs = set()
    ctx.current_hard = set()
    ctx.current_soft = set()
    ctx.current_differs = False
    ctx.current_binary = False
    doc = schema_doc(schema, ind) if isinstance(schema, dict) else ""
    if name in ctx.recursive:
        # The body is a top-level type alias (where TypeScript defers array elements); the
        # member names it.
        body = schema_type(ctx, schema, ptr, request, "", True)
        if request and file and name in ctx.form:
            ctx.form_bodies[name] = body
        else:
            ctx.recursive_bodies[(name, request)] = body
        return f"{doc}{ind}{property_key(name)}: {ctx.recursive_alias(name, request)};\n"
    t = schema_type(ctx, schema, ptr, request, ind, True)
    return f"{doc}{ind}{property_key(name)}: {t};\n"


def emit_schemas(ctx: Context) -> SchemaSection:
    """Emit every component schema in its view; fills ``ctx.dual``, ``ctx.form``, ``ctx.banned``
    and ``ctx.recursive`` (whose bodies go to ``ctx.recursive_bodies`` and ``ctx.form_bodies``)."""
    section = SchemaSection()
    refs: dict[str, set[str]] = {}
    hard: dict[str, set[str]] = {}
    soft: dict[str, set[str]] = {}
    local_differs: set[str] = set()
    binary: set[str] = set()
    for name, schema in ctx.items(ctx.schemas):
        section.members[name] = _emit_schema(ctx, name, schema, False)
        refs[name] = ctx.current_refs
        if ctx.current_hard:
            hard[name] = ctx.current_hard
        if ctx.current_soft:
            soft[name] = ctx.current_soft
        if ctx.current_differs:
            local_differs.add(name)
        if ctx.current_binary:
            binary.add(name)
    ctx.current = None
    # A request view is the text one (binary strings are `string`) when JSON bodies or parameters
    # reach the schema; only a schema that other bodies reach alone is a file view, and a schema
    # reached both ways gets a separate form view.
    as_text, as_file = request_media_reach(ctx, refs)
    ctx.text_requests = as_text
    ctx.form = plan_form_views(refs, binary, as_text, as_file)
    file_only = as_file - as_text
    local_differs |= binary & file_only
    local_differs |= {name for name in file_only if refs.get(name, set()) & ctx.form}

    # A cycle of references none of which is inside an array/tuple element is cut; the rest of the
    # eager cycles become recursive type aliases.
    ctx.banned = circular_edges(hard) if hard else set()
    if soft:
        kept: dict[str, set[str]] = {src: set(targets) for src, targets in soft.items()}
        for src, targets in hard.items():
            kept.setdefault(src, set()).update(dst for dst in targets if (src, dst) not in ctx.banned)
        ctx.recursive = cycles(kept)
    redo = {src for src, _ in ctx.banned} | set(ctx.recursive)
    for name in ctx.schemas:
        if name in redo:
            section.members[name] = _emit_schema(ctx, name, ctx.schemas[name], False)

    request_only, dual = plan_views(ctx, refs, local_differs)
    ctx.dual = dual
    ctx.request_only = request_only
    for name in ctx.schemas:
        if name in dual and name in ctx.recursive:
            ctx.request_alias[name] = ctx.names.allocate(ctx.schema_alias[name] + "Request")
    for name in ctx.schemas:
        if name in ctx.form and name in ctx.recursive:
            ctx.form_alias[name] = ctx.names.allocate(ctx.schema_alias[name] + "FormRequest")
    for name in ctx.schemas:
        file = name not in as_text
        if name in request_only:
            section.members[name] = _emit_schema(ctx, name, ctx.schemas[name], True, _I2, file)
        elif name in dual:
            section.request_members[name] = _emit_schema(ctx, name, ctx.schemas[name], True, _I1, file)
        if name in ctx.form:
            section.form_members[name] = _emit_schema(ctx, name, ctx.schemas[name], True, _I1, True)
    ctx.current = None
    ctx.current_file = False
    if ctx.alphabetize:
        section.request_members = dict(sorted(section.request_members.items()))
        section.form_members = dict(sorted(section.form_members.items()))
    return section


def _group(ctx: Context, kind: str) -> dict[str, Any]:
    components = ctx.data.get("components")
    if isinstance(components, dict):
        group = components.get(kind)
        if isinstance(group, dict):
            return group
    return {}


def _resolved_members(ctx: Context, kind: str) -> list[tuple[str, str, dict[str, Any]]]:
    out: list[tuple[str, str, dict[str, Any]]] = []
    for name, node in ctx.items(_group(ctx, kind)):
        ptr = f"#/components/{kind}/{escape_pointer_segment(name)}"
        resolved, _ = ctx.resolve_chain(node, ptr)
        if isinstance(resolved, dict):
            out.append((name, ptr, resolved))
        elif resolved is not None:
            ctx.warn(ptr, "is not an object; typed unknown")
            out.append((name, ptr, {}))
        else:
            out.append((name, ptr, {}))
    return out


def emit_components(ctx: Context, schemas: SchemaSection, registry: OperationRegistry) -> str:
    """The body of ``components`` (between the braces)."""
    parts: list[str] = []

    def kind_block(kind: str, members: list[str]) -> None:
        if members:
            parts.append(f"{_I1}{kind}: {{\n{''.join(members)}{_I1}}};\n")
        else:
            parts.append(f"{_I1}{kind}: never;\n")

    kind_block("schemas", list(schemas.members.values()))

    members: list[str] = []
    for name, ptr, node in _resolved_members(ctx, "responses"):
        doc = text_doc(node.get("description"), _I2)
        members.append(f"{doc}{_I2}{property_key(name)}: {response_object(ctx, node, ptr, _I2)};\n")
    kind_block("responses", members)

    members = []
    for name, ptr, node in _resolved_members(ctx, "parameters"):
        doc = text_doc(node.get("description"), _I2, deprecated=node.get("deprecated") is True)
        members.append(f"{doc}{_I2}{property_key(name)}: {parameter_value_type(ctx, node, ptr, _I2)};\n")
    kind_block("parameters", members)

    members = []
    for name, ptr, node in _resolved_members(ctx, "requestBodies"):
        doc = text_doc(node.get("description"), _I2)
        members.append(f"{doc}{_I2}{property_key(name)}: {request_body_object(ctx, node, ptr, _I2)};\n")
    kind_block("requestBodies", members)

    members = []
    for name, ptr, node in _resolved_members(ctx, "headers"):
        doc = text_doc(node.get("description"), _I2, deprecated=node.get("deprecated") is True)
        members.append(f"{doc}{_I2}{property_key(name)}: {header_value_type(ctx, node, ptr, _I2)};\n")
    kind_block("headers", members)

    members = []
    for name, node in ctx.items(_group(ctx, "pathItems")):
        ptr = "#/components/pathItems/" + escape_pointer_segment(name)
        members.append(f"{_I2}{property_key(name)}: {path_item_type(ctx, node, ptr, _I2, registry)};\n")
    kind_block("pathItems", members)
    return "".join(parts)
