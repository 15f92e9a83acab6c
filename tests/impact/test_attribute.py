"""Attribution table: a change and a compiler error in, attributed or not out."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from contractsync.diff.model import Change, Direction, Level, Location
from contractsync.impact.attribute import attribute
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
OPID = _change("api-operation-id-changed", "GET /books", "", "list_books", "books_list")
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
]


@pytest.mark.parametrize(("message", "line", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_attribution(message: str, line: str, expected: Change | None) -> None:
    diag = Diagnostic("src/a.ts", 1, 1, 2322, message)
    hits, lost = attribute([diag], CHANGES, types_file="src/api/types.ts", symbols=[SYMBOLS],
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
    hits, lost = attribute([diag], [whole, OPID], types_file="src/api/types.ts", symbols=[SYMBOLS],
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
    hits, _ = attribute([diag], [retyped, nullable], types_file="src/api/types.ts", symbols=[SYMBOLS],
                        new_symbols=SYMBOLS, op_ids=[], read_line=lambda f, n: "shout(book.title)")
    assert hits == {nullable.fingerprint: [diag]}
