"""The ``typescript`` profile: changes safe on the wire that break a TypeScript build.

A frontend compiled against generated types sees more than the wire: the names the types file
exports, the members of ``operations``, exactly which enum literals a union has, and whether a
property is optional. Under ``--profile typescript`` (or ``profile = "typescript"`` in
``[tool.contractsync.diff]``) these rules are breaking. Each declaration carries frontend code
that compiles against the ``before`` types and not against the ``after`` ones; the test suite
runs the real compiler on both.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ...spec.refs import escape
from .. import examples as ex
from ..model import Change
from ..registry import NONE, E, I, profile_rule, rule

if TYPE_CHECKING:
    from ..engine import Engine

TS = "typescript"

_DUAL_SCHEMA = {"type": "object", "properties": {"p": {"type": "string", "default": "x"}}}
_PLAIN_SCHEMA = {"type": "object", "properties": {"p": {"type": "string"}}}


def _dual_doc(schema: Any) -> dict[str, Any]:
    ref = {"$ref": "#/components/schemas/Item"}
    return ex.doc({"/items": {"post": {
        "requestBody": {"required": True, "content": {"application/json": {"schema": ref}}},
        "responses": ex.ok(ref)}}}, components={"schemas": {"Item": schema}})


rule("typescript-alias-removed", I, NONE, "schema",
     "A type alias the generated TypeScript exported is gone although its schema is still "
     "there: typically `ItemRequest`, the request view of a schema whose request and response "
     "shapes no longer differ (its last default, readOnly or writeOnly property went). Nothing "
     "changes on the wire; frontend code importing the alias stops compiling. Reported only "
     "under the `typescript` profile (it needs the generated types of both sides).",
     _dual_doc(_DUAL_SCHEMA), _dual_doc(_PLAIN_SCHEMA), oasdiff=False,
     no_mirror="about the generated TypeScript's exports, not a request or response",
     options={"profile": TS})


def compare(engine: Engine) -> None:
    """Report aliases of the base's generated types that the revision's no longer exports."""
    from ...typescript import to_typescript_with_symbols

    old = to_typescript_with_symbols(engine.old, warn=lambda w: None, nested=False).symbols
    new = to_typescript_with_symbols(engine.new, warn=lambda w: None, nested=False).symbols
    new_names = {s.ts for s in new if s.kind == "alias"}
    comp = engine.new.get("components")
    schemas = comp.get("schemas") if isinstance(comp, dict) else None
    still = set(schemas) if isinstance(schemas, dict) else set()
    for sym in old:
        if sym.kind != "alias" or sym.ts in new_names or sym.name not in still:
            continue
        subject = f"components.schemas.{sym.name}"
        engine.out.add("typescript-alias-removed", subject=subject, detail=f"alias {sym.ts}",
                       base=f"/components/schemas/{escape(sym.name)}",
                       revision=f"/components/schemas/{escape(sym.name)}",
                       message=f"{subject}: the generated alias {sym.ts} is no longer exported",
                       before=sym.ts)


def _no_default(change: Change, new: Mapping[str, Any]) -> bool:
    """Whether the property has no ``default`` (with one, both views of the type stay the same:
    required in responses, optional in requests)."""
    node: Any = new
    pointer = change.location.revision or change.location.base or ""
    for part in pointer.split("/")[1:]:
        key = part.replace("~1", "/").replace("~0", "~")
        if isinstance(node, dict):
            node = node.get(key)
        elif isinstance(node, list) and key.isdigit() and int(key) < len(node):
            node = node[int(key)]
        else:
            return True
    return not (isinstance(node, dict) and "default" in node)


_ENUM_A = {"type": "string", "enum": ["a"]}
_ENUM_AB = {"type": "string", "enum": ["a", "b"]}
_ITEM = 'paths["/items"]["get"]["responses"][200]["content"]["application/json"]'
_BODY = 'paths["/items"]["post"]["requestBody"]["content"]["application/json"]'

profile_rule(TS, "response-property-enum-value-added", E,
             "The generated type is a union of the enum's literals; a `switch` with an "
             "exhaustiveness check (`const x: never = value`) — the usual way to be sure every case "
             "is handled — stops compiling when the union grows.",
             f'import type {{ paths }} from "./types";\ntype Item = {_ITEM};\n'
             'export function label(item: Item): string {\n  switch (item.p) {\n    case "a": return "A";\n'
             '    default: { const unreachable: never = item.p; return unreachable; }\n  }\n}\n',
             before=ex.response_body(ex.obj(_ENUM_A, required=True)),
             after=ex.response_body(ex.obj(_ENUM_AB, required=True)))
profile_rule(TS, "response-body-enum-value-added", E,
             "As for a property: an exhaustive `switch` over the response's literal union stops "
             "compiling when a value is added.",
             f'import type {{ paths }} from "./types";\ntype Kind = {_ITEM};\n'
             'export function label(kind: Kind): string {\n  switch (kind) {\n    case "a": return "A";\n'
             '    default: { const unreachable: never = kind; return unreachable; }\n  }\n}\n',
             before=ex.response_body(_ENUM_A), after=ex.response_body(_ENUM_AB))
profile_rule(TS, "response-property-enum-removed", E,
             "The generated type widens from the enum's literal union to the bare type, and an "
             "exhaustive `switch` (`const x: never = value`) stops compiling, as when a value is "
             "added.",
             f'import type {{ paths }} from "./types";\ntype Item = {_ITEM};\n'
             'export function label(item: Item): string {\n  switch (item.p) {\n    case "a": return "A";\n'
             '    case "b": return "B";\n'
             '    default: { const unreachable: never = item.p; return unreachable; }\n  }\n}\n',
             before=ex.response_body(ex.obj(_ENUM_AB, required=True)),
             after=ex.response_body(ex.obj({"type": "string"}, required=True)))
profile_rule(TS, "response-body-enum-removed", E,
             "As for a property: the response's literal union becomes the bare type, and an "
             "exhaustive `switch` over it stops compiling.",
             f'import type {{ paths }} from "./types";\ntype Kind = {_ITEM};\n'
             'export function label(kind: Kind): string {\n  switch (kind) {\n    case "a": return "A";\n'
             '    case "b": return "B";\n'
             '    default: { const unreachable: never = kind; return unreachable; }\n  }\n}\n',
             before=ex.response_body(_ENUM_AB), after=ex.response_body({"type": "string"}))
profile_rule(TS, "api-schema-removed", E,
             "Every component schema is exported as a type alias (`export type Item = "
             "components[\"schemas\"][\"Item\"]`) and as `components[\"schemas\"][\"Item\"]`. "
             "Removing or renaming the schema — even one no operation uses — removes both names, "
             "and every `import type { Item }` fails.",
             'import type { Item } from "./types";\nexport type Uses = Item;\n')
profile_rule(TS, "api-schema-renamed", E,
             "A renamed schema keeps its structure but not its names: the old alias and "
             "`components[\"schemas\"][\"Item\"]` disappear, so every `import type { Item }` "
             "fails until the frontend follows the new name.",
             'import type { Item } from "./types";\nexport type Uses = Item;\n')
_TWO_OPS = {"/items": {"get": {"operationId": "listItems", "responses": ex.ok()},
                       "post": {"operationId": "addItem", "responses": ex.ok()}}}
profile_rule(TS, "api-operation-id-removed", E,
             "Operations with an operationId are emitted as `operations[\"id\"]`; frontend code "
             "typing a response as `operations[\"listItems\"][\"responses\"]` loses the name when "
             "the id is removed or replaced.",
             'import type { operations } from "./types";\nexport type R = operations["listItems"]["responses"];\n',
             before=ex.doc(_TWO_OPS),
             after=ex.doc({"/items": {**_TWO_OPS["/items"], "get": {"responses": ex.ok()}}}))
profile_rule(TS, "request-property-became-optional", E,
             "Safe on the wire (the client may now leave it out), but the generated request type "
             "makes the property optional: code that reads it from a request object it built "
             "(`body.p.toUpperCase()`) now fails `strict` null checks. Not reported when the "
             "property has a default (requests already had it optional).",
             f'import type {{ paths }} from "./types";\ntype Body = {_BODY};\n'
             'export function shout(body: Body): string { return body.p.toUpperCase(); }\n',
             before=ex.request_body(ex.obj({"type": "string"}, required=True)),
             after=ex.request_body(ex.obj({"type": "string"})), applies=_no_default)
profile_rule(TS, "response-property-became-required", E,
             "Safe on the wire (the client always receives it now), but the generated response type "
             "makes the property required: object literals of that type — test fixtures, mocks, "
             "initial state — now miss it. Not reported when the property has a default (responses "
             "already had it required).",
             f'import type {{ paths }} from "./types";\ntype Item = {_ITEM};\nexport const empty: Item = {{}};\n',
             before=ex.response_body(ex.obj({"type": "string"})),
             after=ex.response_body(ex.obj({"type": "string"}, required=True)), applies=_no_default)
profile_rule(TS, "typescript-alias-removed", E,
             "The alias is gone from the generated file, so `import type { ItemRequest }` fails.",
             'import type { ItemRequest } from "./types";\nexport type Uses = ItemRequest;\n')
profile_rule(TS, "response-property-enum-value-removed", E,
             "Safe on the wire (the client just never receives that value), but the literal "
             "leaves the generated union, and code comparing against it — `case \"down\":` in a "
             "`switch`, `status === \"down\"` — fails with TS2678/TS2367 (no overlap).",
             f'import type {{ paths }} from "./types";\ntype Item = {_ITEM};\n'
             'export function label(item: Item): string {\n  switch (item.p) {\n    case "a": return "A";\n'
             '    case "b": return "B";\n    default: return "?";\n  }\n}\n',
             before=ex.response_body(ex.obj(_ENUM_AB, required=True)),
             after=ex.response_body(ex.obj(_ENUM_A, required=True)))
profile_rule(TS, "api-path-parameter-renamed", E,
             "openapi-fetch calls name the template (`api.GET(\"/items/{id}\", …)`) and "
             "`paths[\"/items/{id}\"]` is keyed by it; renaming the parameter removes that key, "
             "and every call and type using it fails.",
             'import type { paths } from "./types";\nexport type Get = paths["/items/{id}"]["get"];\n')
