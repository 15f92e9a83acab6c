"""Attribution table: a change and a compiler error in, attributed or not out."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from contractsync.diff.model import Change, Direction, Level, Location
from contractsync.impact.attribute import attribute, error_place, object_keys
from contractsync.impact.diagnostics import Diagnostic
from contractsync.typescript import to_typescript_with_symbols
from contractsync.typescript.symbols import SymbolMap

DOC = {"openapi": "3.1.0", "info": {"title": "t", "version": "1"},
       "paths": {"/books": {"get": {"operationId": "list_books", "responses": {"200": {
           "description": "ok", "content": {"application/json": {"schema": {
               "$ref": "#/components/schemas/Book-Output"}}}}}}}},
       "components": {"schemas": {"Book-Output": {"type": "object", "properties": {
           "title": {"type": "string"}, "genre": {"type": "string", "enum": ["novel"]}}}}}}
SYMBOLS = to_typescript_with_symbols(DOC).symbols


def _change(rule: str, subject: str, detail: str = "", before: object = None, after: object = None,
            ops: tuple[str, ...] = ("GET /books",)) -> Change:
    return Change(rule, Level.BREAKING, Direction.RESPONSE, Location(subject, detail), rule, rule + subject + detail,
                  ops, before=before, after=after)


REMOVED = _change("response-property-removed", "components.schemas.Book-Output", "title")
ENUM = _change("response-property-enum-value-added", "components.schemas.Book-Output", "genre", None, "poetry")
GENRE_INFO = Change("response-optional-property-added", Level.INFO, Direction.RESPONSE,
                    Location("components.schemas.Other", "genre"), "", "info-genre")
OPID = _change("api-operation-id-removed", "GET /books", "", "list_books", "books_list")
SCHEMA = _change("api-schema-removed", "components.schemas.Book-Output", "")
CHANGES = [REMOVED, ENUM, OPID, SCHEMA, GENRE_INFO]

CASES = [
    ("property named in the message", "Property 'title' does not exist on type '{ genre?: \"novel\" }'.",
     "  return b.title;", REMOVED),
    ("new enum literal in the message", "Type '\"poetry\"' is not assignable to type 'never'.",
     "  const x: never = b.genre;", ENUM),
    ("old operationId", "Property 'list_books' does not exist on type 'operations'.",
     'type R = operations["list_books"]["responses"];', OPID),
    ("alias of a removed schema (identifier differs from the schema name)",
     "Module '\"./api/types\"' has no exported member 'Book$Output'.",
     'import type { Book$Output as BookOutput } from "./api/types";', SCHEMA),
    ("message without names: the source line decides", "Type 'string' is not assignable to type 'number'.",
     "const n: number = book.genre;", ENUM),
    ("nothing to go on", "Cannot find name 'foo'.", "foo();", None),
    ("a name only inside some type text is not enough",
     "Type '{ a: string; }' is not assignable to type '{ title: string; genre?: string }'.", "x = y;", None),
    ("a tie goes to the change judged worse", "Property 'genre' is missing in type '{}'.", "", ENUM),
    ("a bare word on the line (a variable named like a property) is not enough",
     "Type 'number' is not assignable to type 'string'.", "label = title;", None),
    ("... the same name read as a member is", "Type 'number' is not assignable to type 'string'.",
     "label = book.title;", REMOVED),
]


@pytest.mark.parametrize(("message", "line", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_attribution(message: str, line: str, expected: Change | None) -> None:
    diag = Diagnostic("src/a.ts", 1, 1, 2322, message)
    hits, lost, _ = attribute([diag], CHANGES, types_file="src/api/types.ts", symbols=[SYMBOLS],
                           new_symbols=SYMBOLS, op_ids=[{"GET /books": "list_books"}],
                           read_line=lambda f, n: line)
    if expected is None:
        assert (hits, lost) == ({}, [diag])
    else:
        assert (hits, lost) == ({expected.fingerprint: [diag]}, [])


def test_error_inside_the_generated_file_uses_the_symbol_map() -> None:
    line = next(s.start for s in SYMBOLS if s.kind == "schema" and s.name == "Book-Output") + 1
    diag = Diagnostic("src/api/types.ts", line, 1, 2589, "Type instantiation is excessively deep.")
    whole = _change("response-body-type-changed", "components.schemas.Book-Output")
    hits, lost, _ = attribute([diag], [whole, OPID], types_file="src/api/types.ts", symbols=[SYMBOLS],
                           new_symbols=SYMBOLS, op_ids=[], read_line=lambda f, n: None)
    assert hits == {whole.fingerprint: [diag]} and lost == []


def test_symbol_map_lines_point_at_the_declarations() -> None:
    text = to_typescript_with_symbols(DOC).text.splitlines()
    kinds = {s.kind for s in SYMBOLS}
    assert {"path", "schema", "operation", "alias"} <= kinds
    for sym in SYMBOLS:
        first = next(ln for ln in text[sym.start - 1:sym.end] if not ln.strip().startswith(("/**", "*")))
        assert sym.name in first or sym.ts in first, (sym, first)


def test_generate_writes_the_symbol_map_sidecar(tmp_path: Path) -> None:
    spec = tmp_path / "openapi.json"
    spec.write_text(json.dumps(DOC), encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "contractsync", "generate", "typescript", str(spec),
                             "-o", str(tmp_path / "types.ts"), "--symbols", str(tmp_path / "types.json")],
                            capture_output=True, text=True, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "types.ts").read_text(encoding="utf-8") == to_typescript_with_symbols(DOC).text
    assert SymbolMap.from_json((tmp_path / "types.json").read_text(encoding="utf-8")).symbols == SYMBOLS.symbols


def test_a_type_name_alone_does_not_outweigh_the_property_on_the_line() -> None:
    retyped = _change("response-property-type-changed", "components.schemas.Other", "count", "string", "integer")
    nullable = _change("response-property-became-nullable", "components.schemas.Book-Output", "title")
    diag = Diagnostic("src/a.ts", 1, 1, 2345, "Argument of type 'string | null' is not assignable to "
                      "parameter of type 'string'.")
    hits, _, _ = attribute([diag], [retyped, nullable], types_file="src/api/types.ts", symbols=[SYMBOLS],
                        new_symbols=SYMBOLS, op_ids=[], read_line=lambda f, n: "shout(book.title)")
    assert hits == {nullable.fingerprint: [diag]}


# ---- attribution depth: properties, parameters, responses (#10) --------------------------------

NESTED_DOC = {
    "openapi": "3.1.0", "info": {"title": "t", "version": "1"},
    "paths": {
        "/books": {"get": {"operationId": "list_books", "parameters": [
            {"name": "limit", "in": "query", "schema": {"type": "integer"}},
            {"name": "genre", "in": "query", "schema": {"type": "string"}},
            {"$ref": "#/components/parameters/Trace"}],
            "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {
                "$ref": "#/components/schemas/Book"}}}}}}},
        "/authors": {"parameters": [{"name": "limit", "in": "query", "schema": {"type": "integer"}}],
                     "get": {"operationId": "list_authors", "parameters": [
                         {"name": "country", "in": "query", "schema": {"type": "string"}}],
                         "responses": {"201": {"description": "ok", "content": {"application/json": {
                             "schema": {"type": "object", "properties": {"count": {"type": "integer"}}}}}}}}},
    },
    "components": {
        "parameters": {"Trace": {"name": "x-trace", "in": "header", "schema": {"type": "string"}}},
        "schemas": {
            "Author": {"type": "object", "required": ["id", "name"], "properties": {
                "id": {"type": "integer"}, "name": {"type": "string"}, "bio": {"type": "string"}}},
            "AuthorRef": {"type": "object", "required": ["id"], "properties": {
                "id": {"type": "integer"}, "name": {"type": "string"}}},
            "Book": {"type": "object", "required": ["author"], "properties": {
                "author": {"$ref": "#/components/schemas/AuthorRef"},
                "meta": {"type": "object", "properties": {"pages": {"type": "integer"},
                                                          "shelf": {"type": "object", "properties": {
                                                              "row": {"type": "integer"}}}}},
                "tags": {"type": "array", "items": {"type": "object", "properties": {"label": {"type": "string"}}}},
                "extra": {"allOf": [{"type": "object", "properties": {"note": {"type": "string"}}}]}}}}}}
NESTED_MAP = to_typescript_with_symbols(NESTED_DOC)


def _at(pointer: str) -> object:
    node: object = NESTED_DOC
    for part in pointer.removeprefix("#/").split("/"):
        part = part.replace("~1", "/").replace("~0", "~")
        node = node[int(part)] if isinstance(node, list) else node[part]  # type: ignore[index]
    return node


def test_nested_symbols_name_the_precise_pointer_and_line() -> None:
    lines = NESTED_MAP.text.splitlines()
    nested = {(s.kind, s.pointer): s for s in NESTED_MAP.symbols if s.group}
    assert {p for _, p in nested} == {
        "#/components/schemas/Author/properties/id", "#/components/schemas/Author/properties/name",
        "#/components/schemas/Author/properties/bio", "#/components/schemas/AuthorRef/properties/id",
        "#/components/schemas/AuthorRef/properties/name", "#/components/schemas/Book/properties/author",
        "#/components/schemas/Book/properties/meta", "#/components/schemas/Book/properties/meta/properties/pages",
        "#/components/schemas/Book/properties/meta/properties/shelf",
        "#/components/schemas/Book/properties/meta/properties/shelf/properties/row",
        "#/components/schemas/Book/properties/tags", "#/components/schemas/Book/properties/tags/items/properties/label",
        "#/components/schemas/Book/properties/extra",
        "#/components/schemas/Book/properties/extra/allOf/0/properties/note",
        "#/paths/~1books/get/parameters/0", "#/paths/~1books/get/parameters/1", "#/paths/~1books/get/parameters/2",
        "#/paths/~1books/get/responses/200",
        "#/paths/~1authors/parameters/0", "#/paths/~1authors/get/parameters/0", "#/paths/~1authors/get/responses/201",
        "#/paths/~1authors/get/responses/201/content/application~1json/schema/properties/count",
    }
    for sym in nested.values():
        first = next(ln for ln in lines[sym.start - 1:sym.end] if not ln.strip().startswith(("/**", "*")))
        assert first.strip().removeprefix("readonly ").lstrip('"').startswith(sym.name), (sym, first)
        declared = _at(sym.pointer)
        assert isinstance(declared, dict)
        if sym.kind == "parameter":  # the declared parameter, through its $ref
            target = declared if "name" in declared else NESTED_DOC["components"]["parameters"]["Trace"]  # type: ignore[index]
            assert target["name"] == sym.name
    limit = nested[("parameter", "#/paths/~1books/get/parameters/0")]
    assert limit.group == 'operations["list_books"]["parameters"]["query"]'
    assert nested[("parameter", "#/paths/~1books/get/parameters/2")].group.endswith('["header"]')
    row = nested[("property", "#/components/schemas/Book/properties/meta/properties/shelf/properties/row")]
    assert row.group == 'components["schemas"]["Book"]["meta"]["shelf"]'
    meta = nested[("property", "#/components/schemas/Book/properties/meta")]
    assert meta.start < row.start <= row.end < meta.end  # a nested object spans its members
    smap = NESTED_MAP.symbols
    assert smap.at_pointer("/components/schemas/Book/properties/meta/properties/shelf/properties/row/type") == row
    assert smap.at_pointer("/paths/~1books/get/parameters/0/schema/enum") == limit
    assert smap.at_pointer("/components/schemas/Author") is None  # the schema itself: no member
    assert smap.groups()['components["schemas"]["AuthorRef"]'] == ["id", "name"]
    assert SymbolMap.from_json(smap.to_json()).symbols == smap.symbols


@pytest.mark.parametrize(("text", "keys", "cut"), [
    ("{ id: number; }", {"id"}, False),
    ('Partial<{ offset?: number | undefined; "x-id"?: string; 202: { a: { b: 1 } }; }>', {"offset", "x-id", "202"}, False),
    ("{ id: number; name?: string | null | undefined; ... 8 more ...; bio: string; }", {"id", "name", "bio"}, True),
    ('{ kind: "a;b"; n: (x: { y: 1; }) => void; }', {"kind", "n"}, False),
    ("string | undefined", set(), False),
])
def test_object_keys_of_compiler_type_text(text: str, keys: set[str], cut: bool) -> None:
    assert object_keys(text) == (frozenset(keys), cut)


@pytest.mark.parametrize(("message", "line", "column", "prop", "signal"), [
    ("Property 'name' does not exist on type '{ id: number; }'.", "x", 1, "name", None),
    ("Object literal may only specify known properties, and 'limit' does not exist in type '{ q?: string; }'.",
     "", 1, "limit", None),
    ("'__VLS_ctx.book.author' is possibly 'null'.", "{{ book.author.id }}", 4, "author", "null"),
    ("'a?.b' is possibly 'undefined'.", "", 1, "b", "undefined"),
    ("Argument of type 'string | undefined' is not assignable to parameter of type 'string'.",
     "{{ initials(author.name) }}", 13, "name", "undefined"),
    ("Type 'Readable<{ a: string | null }>' is not assignable to type 'X'.", "v = one.data", 1, "v", None),
    ("Type '\"name\"' is not assignable to type '\"born\"'.", "{ query: { sort: \"name\" } }", 12, "sort", None),
    ("Type 'string' is not assignable to type 'number'.", "x = author.name", 7, None, None),  # mid-identifier
])
def test_error_place(message: str, line: str, column: int, prop: str | None, signal: str | None) -> None:
    place = error_place(Diagnostic("src/a.vue", 1, column, 2322, message), line)
    assert (place.prop, place.signal) == (prop, signal)


def _located(rule: str, level: Level, direction: Direction, subject: str, detail: str, pointer: str,
             before: object = None) -> Change:
    return Change(rule, level, direction, Location(subject, detail, base=pointer, revision=pointer), rule,
                  rule + pointer, ("GET /books",), before=before)


AUTHOR_NAME = _located("response-property-became-optional", Level.BREAKING, Direction.RESPONSE,
                       "components.schemas.Author", "name", "/components/schemas/Author/properties/name")
REF_NAME_OUT = _located("response-optional-property-removed", Level.WARNING, Direction.RESPONSE,
                        "components.schemas.AuthorRef", "name", "/components/schemas/AuthorRef/properties/name")
REF_NAME_IN = _located("request-property-removed", Level.WARNING, Direction.REQUEST,
                       "components.schemas.AuthorRef", "name", "/components/schemas/AuthorRef/properties/name")
BOOKS_LIMIT = _located("request-parameter-removed", Level.WARNING, Direction.REQUEST, "GET /books",
                       "query parameter limit", "/paths/~1books/get/parameters/0")
AUTHORS_LIMIT = _located("request-parameter-removed", Level.WARNING, Direction.REQUEST, "GET /authors",
                         "query parameter limit", "/paths/~1authors/parameters/0")
GENRE_VALUE = _located("request-parameter-enum-value-removed", Level.BREAKING, Direction.REQUEST, "GET /books",
                       "query parameter genre", "/paths/~1books/get/parameters/1/schema", before="name")
COLLIDING = [AUTHOR_NAME, REF_NAME_OUT, REF_NAME_IN, BOOKS_LIMIT, AUTHORS_LIMIT, GENRE_VALUE]

DEPTH_CASES = [
    ("the object type in the message picks AuthorRef, reading picks the response side",
     2339, "Property 'name' does not exist on type '{ id: number; }'.", "{{ book.author.name }}", 17, REF_NAME_OUT),
    ("the expression at the column and 'undefined' pick Author.name over a value 'name'",
     2345, "Argument of type 'string | undefined' is not assignable to parameter of type 'string'.",
     "{{ initials(author.name) }}", 13, AUTHOR_NAME),
    ("the parameter object's members pick GET /books' limit (no path on the line)",
     2353, "Object literal may only specify known properties, and 'limit' does not exist in type "
     "'{ genre?: string | undefined; }'.", "const q: Q = { limit: 1 };", 16, BOOKS_LIMIT),
    ("… and GET /authors' (a path-level parameter)",
     2353, "Object literal may only specify known properties, and 'limit' does not exist in type "
     "'{ country?: string | undefined; }'.", "const q: Q = { limit: 1 };", 16, AUTHORS_LIMIT),
    ("the key at the column picks the parameter whose value the literal is",
     2322, "Type '\"name\"' is not assignable to type '\"x\"'.", "{ query: { genre: \"name\" } }", 12, GENRE_VALUE),
]


@pytest.mark.parametrize(("code", "message", "line", "column", "expected"), [c[1:] for c in DEPTH_CASES],
                         ids=[c[0] for c in DEPTH_CASES])
def test_attribution_depth(code: int, message: str, line: str, column: int, expected: Change) -> None:
    new_doc = json.loads(json.dumps(NESTED_DOC))
    del new_doc["components"]["schemas"]["AuthorRef"]["properties"]["name"]
    del new_doc["paths"]["/books"]["get"]["parameters"][0]
    del new_doc["paths"]["/authors"]["parameters"]
    new_map = to_typescript_with_symbols(new_doc).symbols
    diag = Diagnostic("src/a.vue", 1, column, code, message)
    hits, lost, _ = attribute([diag], COLLIDING, types_file="src/api/types.ts", symbols=[NESTED_MAP.symbols, new_map],
                           new_symbols=new_map, op_ids=[], read_line=lambda f, n: line)
    assert (hits, lost) == ({expected.fingerprint: [diag]}, [])


def test_enum_members_are_mapped_and_name_their_value() -> None:
    """With `enum = true` a value is met as `Genre.SciFi` (x-enum-varnames): the symbol map
    records each member with the pointer of its value, and a removed value is attributed through
    the member name."""
    from contractsync.typescript import TypeScriptOptions

    doc = {"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": {},
           "components": {"schemas": {"Genre": {"type": "string", "enum": ["novel", "sci-fi"],
                                                "x-enum-varnames": ["Novel", "SciFi"]}}}}
    result = to_typescript_with_symbols(doc, TypeScriptOptions(enum=True))
    lines = result.text.splitlines()
    members = [s for s in result.symbols if s.kind == "enum-member"]
    assert [(s.name, s.ts, s.pointer) for s in members] == [
        ("novel", "Genre.Novel", "#/components/schemas/Genre/enum/0"),
        ("sci-fi", "Genre.SciFi", "#/components/schemas/Genre/enum/1")]
    assert [lines[s.start - 1].strip() for s in members] == ['Novel = "novel",', 'SciFi = "sci-fi",']
    removed = Change("response-body-enum-value-removed", Level.BREAKING, Direction.RESPONSE,
                     Location("components.schemas.Genre", "", base="/components/schemas/Genre",
                              revision="/components/schemas/Genre"), "", "removed-sci-fi", before="sci-fi")
    added = Change("response-body-enum-value-added", Level.BREAKING, Direction.RESPONSE,
                   Location("components.schemas.Genre", "", base="/components/schemas/Genre",
                            revision="/components/schemas/Genre"), "", "added-poem", after="poem")
    diag = Diagnostic("src/a.ts", 3, 20, 2339, "Property 'SciFi' does not exist on type 'typeof Genre'.")
    hits, lost, _ = attribute([diag], [added, removed, OPID], types_file="src/api/types.ts", symbols=[result.symbols],
                           new_symbols=result.symbols, op_ids=[], read_line=lambda f, n: "if (g === Genre.SciFi) {")
    assert hits == {removed.fingerprint: [diag]} and lost == []


FOLLOW_ON_SOURCE = """\
const [one, other] = await Promise.all([
  api.GET("/authors/{author_id}", { params: { path } }),
  api.GET("/books"),
]);
const fine = 1;
author.value = one.data;
total.value = fine + 1;
const one2 = other;
"""


@pytest.mark.parametrize(("line", "follows"), [
    (6, True),  # reads `one`, declared by the statement whose line 2 failed
    (7, False),  # reads `fine`: its declaration is clean
    (8, True),  # reads `other`, declared by the same broken statement
])
def test_a_follow_on_error_goes_to_the_change_of_the_error_it_follows(line: int, follows: bool) -> None:
    lines = FOLLOW_ON_SOURCE.splitlines()
    renamed = _change("api-path-parameter-renamed", "GET /authors/{id}", "", "/authors/{author_id}", "/authors/{id}")
    cause = Diagnostic("src/a.vue", 2, 11, 2345, "Argument of type '\"/authors/{author_id}\"' is not assignable "
                                              "to parameter of type 'PathsWithMethod<paths, \"get\">'.")
    later = Diagnostic("src/a.vue", line, 1, 2322, "Type 'Readable<X>' is not assignable to type 'Y'.")
    hits, lost, _ = attribute([cause, later], [renamed, OPID], types_file="src/api/types.ts", symbols=[SYMBOLS],
                           new_symbols=SYMBOLS, op_ids=[],
                           read_line=lambda f, n: lines[n - 1] if 0 < n <= len(lines) else None)
    if follows:
        assert (hits, lost) == ({renamed.fingerprint: [cause, later]}, [])
    else:
        assert (hits, lost) == ({renamed.fingerprint: [cause]}, [later])


def test_an_enum_comparison_goes_to_the_property_compared() -> None:
    """TS2367 names only the literal; two properties lost the same value. The expression at the
    column (`health.status === "down"`) says which one."""
    health = Change("response-property-enum-value-removed", Level.BREAKING, Direction.RESPONSE,
                    Location("components.schemas.Health", "status"), "", "health-down", before="down")
    link = Change("response-property-enum-value-removed", Level.BREAKING, Direction.RESPONSE,
                  Location("components.schemas.Link", "state"), "", "link-down", before="down")
    diag = Diagnostic("src/a.vue", 1, 7, 2367, "This comparison appears to be unintentional because the types "
                      "'\"ok\" | \"degraded\"' and '\"down\"' have no overlap.")
    hits, lost, _ = attribute([diag], [link, health], types_file="src/api/types.ts", symbols=[SYMBOLS],
                           new_symbols=SYMBOLS, op_ids=[],
                           read_line=lambda f, n: 'if (health.status === "down") return;')
    assert (hits, lost) == ({health.fingerprint: [diag]}, [])


def _uuid(rule: str, direction: Direction, subject: str, detail: str, ops: tuple[str, ...]) -> Change:
    return Change(rule, Level.BREAKING, direction, Location(subject, detail), rule, f"{subject} {detail}", ops,
                  before=["integer"], after=["string"])


ITEM_PARAM = {m: _uuid("request-parameter-type-changed", Direction.REQUEST, f"{m} /items/{{id}}",
                       "path parameter {id}", (f"{m} /items/{{id}}",)) for m in ("GET", "DELETE")}
ITEM_ID = _uuid("response-property-type-changed", Direction.RESPONSE, "components.schemas.ItemPublic", "id",
                ("GET /items/{id}",))
UUID_CHANGES = [*ITEM_PARAM.values(), ITEM_ID]
UUID_IDS = [{"GET /items/{id}": "items-read_item", "DELETE /items/{id}": "items-delete_item"}]


@pytest.mark.parametrize(("message", "line", "column", "expected"), [
    ("Type 'number' is not assignable to type 'string'.", "await ItemsService.deleteItem({ id: id })", 33,
     ITEM_PARAM["DELETE"]),  # the call's operationId, re-cased without its tag
    ("Type 'number' is not assignable to type 'string'.", 'await api.GET("/items/{id}", { params: { path: '
     "{ id: n } } })", 50, ITEM_PARAM["GET"]),  # openapi-fetch: the method and path literal
    ("Type 'string' is not assignable to type 'number'.", "const n: number = item.id;", 24, ITEM_ID),
], ids=["operationId call", "path literal", "types flow from a response"])
def test_evidence_beats_a_shared_name(message: str, line: str, column: int, expected: Change) -> None:
    diag = Diagnostic("src/a.ts", 1, column, 2322, message)
    hits, lost, tied = attribute([diag], UUID_CHANGES, types_file="src/api/types.ts", symbols=[SYMBOLS],
                                 new_symbols=SYMBOLS, op_ids=UUID_IDS, read_line=lambda f, n: line)
    assert (hits, lost, tied) == ({expected.fingerprint: [diag]}, [], {})


def test_a_multi_line_call_is_found_above_the_error() -> None:
    lines = ["await ItemsService.deleteItem({", "  id: n,", "})"]
    diag = Diagnostic("src/a.ts", 2, 3, 2322, "Type 'number' is not assignable to type 'string'.")
    hits, _, _ = attribute([diag], UUID_CHANGES, types_file="src/api/types.ts", symbols=[SYMBOLS],
                           new_symbols=SYMBOLS, op_ids=UUID_IDS, read_line=lambda f, n: lines[n - 1])
    assert hits == {ITEM_PARAM["DELETE"].fingerprint: [diag]}


def test_a_real_tie_is_listed_under_each_change_and_marked() -> None:
    diag = Diagnostic("src/a.ts", 1, 7, 2322, "Type 'number' is not assignable to type 'string'.")
    hits, lost, tied = attribute([diag], UUID_CHANGES, types_file="src/api/types.ts", symbols=[SYMBOLS],
                                 new_symbols=SYMBOLS, op_ids=UUID_IDS, read_line=lambda f, n: "send({ id: n })")
    both = (ITEM_PARAM["GET"].fingerprint, ITEM_PARAM["DELETE"].fingerprint)
    assert set(hits) == set(both) and lost == [] and set(tied[diag]) == set(both)


def test_a_contradicting_flow_lowers_a_change_but_does_not_drop_it() -> None:
    """A frontend reading back the request object it built: only the request change fits the
    property, though its type flows the 'response' way. It is still the cause."""
    only = ITEM_PARAM["GET"]
    diag = Diagnostic("src/a.ts", 1, 24, 2322, "Type 'string' is not assignable to type 'number'.")
    hits, lost, _ = attribute([diag], [only], types_file="src/api/types.ts", symbols=[SYMBOLS],
                              new_symbols=SYMBOLS, op_ids=UUID_IDS, read_line=lambda f, n: "const n: number = args.id;")
    assert hits == {only.fingerprint: [diag]} and lost == []


def test_a_path_literal_needs_a_fixed_segment() -> None:
    """`"/{id}"` is in every path with a trailing parameter: it names no operation."""
    diag = Diagnostic("src/a.ts", 1, 25, 2322, "Type 'number' is not assignable to type 'string'.")
    hits, _, tied = attribute([diag], UUID_CHANGES, types_file="src/api/types.ts", symbols=[SYMBOLS],
                              new_symbols=SYMBOLS, op_ids=UUID_IDS, read_line=lambda f, n: 'call("/{id}", { id: n })')
    assert set(hits) == {ITEM_PARAM["GET"].fingerprint, ITEM_PARAM["DELETE"].fingerprint} and len(tied) == 1
