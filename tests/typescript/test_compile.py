"""The real compiler checks the output: ``tsc --strict`` on the given/want fragments, hostile
documents, every corpus spec and the example app, plus an openapi-fetch client whose
``@ts-expect-error`` lines prove that mistakes are caught.

Each group is generated into one directory and checked by a single ``tsc -p`` run.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

import pytest

from contractsync.spec import load_spec
from contractsync.spec.source import AppSource
from contractsync.typescript import (
    TypeScriptOptions,
    TypeScriptWarning,
    to_typescript,
    to_typescript_with_symbols,
)

from ..conftest import CORPUS, REPO
from ._tsc import assert_compiles, require_tsc, run_tsc
from .cases import COMPONENTS, SCHEMA_CASES

pytestmark = pytest.mark.tsc

EXAMPLE_APP_DIR = REPO / "examples" / "bookshop" / "v1"
USAGE = Path(__file__).resolve().parent / "usage" / "bookshop_client.ts"

ALL_OPTIONS = [
    TypeScriptOptions(),
    TypeScriptOptions(enum=True, enum_values=True, immutable=True, alphabetize=True, export_type=True),
    TypeScriptOptions(exclude_deprecated=True, aliases=False),
]


def _case_document(index: int, given: Any, openapi: str) -> dict[str, Any]:
    name = f"Case{index}"
    ref = {"$ref": f"#/components/schemas/{name}"}
    return {
        "openapi": openapi,
        "info": {"title": name, "version": "1"},
        "paths": {
            "/case": {
                "post": {
                    "operationId": "roundTrip",
                    "requestBody": {"required": True, "content": {"application/json": {"schema": ref}}},
                    "responses": {"200": {"description": "OK", "content": {"application/json": {"schema": ref}}}},
                }
            }
        },
        "components": {"schemas": {**COMPONENTS, name: given}},
    }


def test_given_want_fragments_compile(tmp_path: Path) -> None:
    """Every fragment of the schema table, in a document that uses it in a request and a
    response (so both views are emitted), compiles under every option set."""
    require_tsc()
    files = []
    for i, case in enumerate(SCHEMA_CASES):
        for j, options in enumerate(ALL_OPTIONS):
            out = tmp_path / f"case{i}_{j}.ts"
            out.write_text(to_typescript(_case_document(i, case.given, case.openapi), options, warn=lambda w: None))
            files.append(out)
    assert_compiles(tmp_path, files)


HOSTILE: dict[str, Any] = {
    "openapi": "3.0.3",
    "info": {"title": "*/ breaking out \u2028 of comments", "version": "1.0 */"},
    "paths": {
        "/it's/{weird id}/#frag": {
            "parameters": [{"name": "weird id", "in": "path", "required": True, "schema": {"type": "string"}}],
            "get": {
                "operationId": "get \"it\" */",
                "summary": "*/ export const x = 1; /*",
                "parameters": [
                    {"name": "class", "in": "query", "schema": {"type": "string", "enum": ["a\"b", "*/", "\u2029"]}},
                    {"name": "x-\u00e9\u00e8", "in": "header", "schema": {"type": "integer"}},
                ],
                "responses": {
                    "2XX": {"description": "*/", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/class"}}}},
                    "default": {"description": "x", "content": {"*/*": {}}},
                },
            },
        }
    },
    "components": {
        "schemas": {
            "class": {
                "type": "object",
                "description": "ends */ here",
                "properties": {
                    "constructor": {"type": "string"},
                    "__proto__": {"type": "integer"},
                    "delete": {"type": "string", "enum": ["delete", "new", "class", "1", "-1.5", "", "\u00e9t\u00e9"]},
                    "\ud83d\ude00": {"type": "boolean"},
                    "a\nb": {"type": "string", "default": "x"},
                    "self": {"$ref": "#/components/schemas/class"},
                    "loop": {"$ref": "#/components/schemas/Loop"},
                    "missing": {"$ref": "#/components/schemas/Nope"},
                    "bad": {"type": "decimal"},
                    "notASchema": 42,
                },
                "required": ["constructor"],
            },
            "Loop": {"allOf": [{"$ref": "#/components/schemas/Loop"}]},
            "Record": {"type": "object", "additionalProperties": {"$ref": "#/components/schemas/Record"}},
            "Blob": {"type": "string", "format": "binary"},
            "string": {"type": "string", "enum": ["string", "number"]},
            "\u00e9l\u00e8ve": {"type": "string"},
            "123": {"type": "integer"},
            "WithRequired": {"type": "object", "properties": {"a": {"type": "string"}}},
            "Child": {"allOf": [{"$ref": "#/components/schemas/WithRequired"}], "required": ["a", "zzz"]},
        }
    },
}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


RECURSIVE: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {"title": "recursive", "version": "1"},
    "paths": {"/x": {"post": {
        "operationId": "x",
        "requestBody": {"required": True, "content": {"application/json": {"schema": _ref("Cond")}}},
        "responses": {
            "200": {"description": "ok", "content": {"application/json": {"schema": _ref("User")}}},
            "201": {"description": "ok", "content": {"application/json": {"schema": _ref("Cond")}}},
        },
    }}},
    "components": {"schemas": {
        # pydantic's JsonValue as other generators publish it
        "Json": {"anyOf": [{"type": "string"}, {"type": "number"}, {"type": "boolean"}, {"type": "null"},
                           {"type": "array", "items": _ref("Json")},
                           {"type": "object", "additionalProperties": _ref("Json")}]},
        "Nested": {"type": "array", "items": _ref("Nested")},
        "A": {"anyOf": [_ref("B"), {"type": "string"}]},
        "B": {"oneOf": [{"type": "array", "items": _ref("A")}, {"type": "integer"}]},
        # a filter tree whose request view differs (a default): CondRequest is recursive too
        "Filter": {"type": "object", "properties": {"and": {"type": "array", "items": _ref("Cond")},
                                                    "n": {"type": "integer", "default": 1}}},
        "Cond": {"anyOf": [_ref("Filter"), {"type": "array", "items": _ref("Cond")}]},
        "User": {"type": "object", "properties": {"meta": _ref("Json"), "tags": _ref("Nested")}},
        "Tup": {"type": "array", "prefixItems": [{"type": "string"}, _ref("Tup")], "minItems": 1, "maxItems": 2},
        "Direct": {"anyOf": [_ref("Direct"), {"type": "string"}]},
    }},
}

RECURSIVE_USE = """import type { components, operations } from "./types";
type S = components["schemas"];
const j: S["Json"] = [1, "a", { x: [2, null, { y: true }] }];
// @ts-expect-error a function is not JSON
const j2: S["Json"] = [1, () => 1];
const a: S["A"] = [["x", [3]], 4];
// @ts-expect-error no boolean anywhere in A
const a2: S["A"] = [true];
const t: S["Tup"] = ["a", ["b", ["c"]]];
// @ts-expect-error the second element is a Tup
const t2: S["Tup"] = ["a", [1]];
const n: S["Nested"] = [[], [[]]];
// @ts-expect-error only arrays
const n2: S["Nested"] = [[1]];
const body: NonNullable<operations["x"]["requestBody"]>["content"]["application/json"] = [{ and: [[{}]] }];
const out: operations["x"]["responses"][201]["content"]["application/json"] = [{ and: [], n: 1 }];
// @ts-expect-error the response view requires the defaulted n at every depth
const out2: operations["x"]["responses"][201]["content"]["application/json"] = [{ and: [[{ and: [] }]], n: 1 }];
const d: S["Direct"] = Symbol();  // a union-only cycle is cut: unknown
"""


def _use_compiles_under_all_options(tmp_path: Path, document: dict[str, Any], use: str,
                                    warned: list[str]) -> None:
    """The types of ``document`` under every option set, with ``use`` beside them, compile (every
    ``@ts-expect-error`` in ``use`` used), warning exactly at the pointers ``warned``."""
    require_tsc()
    for j, options in enumerate(ALL_OPTIONS):
        work = tmp_path / f"o{j}"
        work.mkdir()
        warnings: list[TypeScriptWarning] = []
        (work / "types.ts").write_text(to_typescript(document, options, warn=warnings.append))
        assert [w.pointer for w in warnings] == warned
        (work / "use.ts").write_text(use)
        assert_compiles(work, [work / "types.ts", work / "use.ts"])


def test_recursive_aliases_are_precise(tmp_path: Path) -> None:
    """Recursion through arrays and unions (JsonValue, filter trees, nested tuples) is typed
    exactly under every option set: values of the shape compile, values outside it do not (each
    ``@ts-expect-error`` must be used), and the symbol map points at the multi-line aliases."""
    _use_compiles_under_all_options(tmp_path, RECURSIVE, RECURSIVE_USE, ["#/components/schemas/Direct/anyOf/0"])
    result = to_typescript_with_symbols(RECURSIVE)
    lines = result.text.splitlines()
    aliases = {s.ts: s for s in result.symbols.symbols if s.kind == "alias"}
    assert lines[aliases["Json"].start - 1].startswith("export type Json = string | number")
    assert lines[aliases["Json"].end - 1] == "};" and aliases["Json"].end > aliases["Json"].start
    assert lines[aliases["User"].start - 1] == 'export type User = components["schemas"]["User"];'
    assert lines[aliases["CondRequest"].start - 1] == "export type CondRequest = requestSchemas[\"Filter\"] | CondRequest[];"


_BINARY = {"type": "string", "contentMediaType": "application/octet-stream"}
_BOTH_WAYS_BODY = {"required": True, "content": {"application/json": {"schema": _ref("Attachment")},
                                                 "multipart/form-data": {"schema": _ref("Attachment")}}}
#: One schema reached by a JSON body and a multipart body (the same request body, two media
#: types), also returned, and recursive through arrays: every view and alias at once.
BOTH_WAYS: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {"title": "both ways", "version": "1"},
    "paths": {"/attachments": {"post": {
        "operationId": "attach", "requestBody": _BOTH_WAYS_BODY,
        "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": _ref("Attachment")}}}},
    }}},
    "components": {"schemas": {
        "Attachment": {"type": "object", "required": ["name", "data"], "properties": {
            "name": {"type": "string"}, "data": _BINARY, "size": {"type": "integer", "default": 0},
            "tree": _ref("Node")}},
        "Node": {"anyOf": [_ref("Attachment"), {"type": "array", "items": _ref("Node")}]},
    }},
}

BOTH_WAYS_USE = """import type { operations } from "./types";
type Body = operations["attach"]["requestBody"]["content"];
type Json = Body["application/json"];
type Multi = Body["multipart/form-data"];
type Out = operations["attach"]["responses"][200]["content"]["application/json"];
const json: Json = { name: "a", data: "aGk=", tree: [[{ name: "b", data: "eA==" }]] };
// @ts-expect-error a JSON body carries the bytes as a string
const jsonBlob: Json = { name: "a", data: new Blob(["hi"]) };
// @ts-expect-error and so do the nested ones
const jsonDeep: Json = { name: "a", data: "aGk=", tree: [{ name: "b", data: new Blob([]) }] };
const multi: Multi = { name: "a", data: new Blob(["hi"]), tree: [[{ name: "b", data: new Blob([]) }]] };
// @ts-expect-error a multipart body uploads a file
const multiText: Multi = { name: "a", data: "hi" };
// @ts-expect-error at any depth of the recursive alias too
const multiDeep: Multi = { name: "a", data: new Blob([]), tree: [{ name: "b", data: "eA==" }] };
const out: Out = { name: "a", data: "aGk=", size: 2 };
// @ts-expect-error a response always has the defaulted field
const outShort: Out = { name: "a", data: "aGk=" };
"""


def test_a_schema_reached_by_json_and_multipart_bodies_has_a_view_for_each(tmp_path: Path) -> None:
    """A binary string is the string a JSON body carries and the Blob a multipart body uploads:
    a schema both reach gets its text request view (``requestSchemas``) and a form view
    (``formRequestSchemas``), recursive aliases included, under every option set."""
    _use_compiles_under_all_options(tmp_path, BOTH_WAYS, BOTH_WAYS_USE, [])
    result = to_typescript_with_symbols(BOTH_WAYS)
    assert "export type NodeFormRequest = formRequestSchemas[\"Attachment\"] | NodeFormRequest[];" in result.text
    assert 'export type AttachmentFormRequest = formRequestSchemas["Attachment"];' in result.text
    views = {s.ts: s.kind for s in result.symbols.symbols if s.name == "Attachment"}
    assert views['formRequestSchemas["Attachment"]'] == "request-schema"
    assert views['requestSchemas["Attachment"]'] == "request-schema"
    assert "formRequestSchemas" not in to_typescript(RECURSIVE)  # only where a contract needs it


ENUM_TAGS: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {"title": "enum tags", "version": "1"},
    "paths": {},
    "components": {"schemas": {
        "PetKind": {"type": "string", "enum": ["cat", "dog"]},
        "Cat": {"type": "object", "properties": {"kind": _ref("PetKind"), "meows": {"type": "integer"}}, "required": ["kind"]},
        "Dog": {"type": "object", "properties": {"kind": {"type": "string", "enum": ["dog", "wolf"]}}, "required": ["kind"]},
        "Pet": {"oneOf": [_ref("Cat"), _ref("Dog")], "discriminator": {
            "propertyName": "kind", "mapping": {"cat": "#/components/schemas/Cat", "dog": "#/components/schemas/Dog"}}},
        "Base": {"type": "object", "properties": {"kind": _ref("PetKind")},
                 "discriminator": {"propertyName": "kind", "mapping": {"cat": "#/components/schemas/Kitten"}}},
        "Kitten": {"allOf": [_ref("Base"), {"type": "object", "properties": {"tiny": {"type": "boolean"}}}]},
    }},
}

ENUM_TAGS_USE = """import { DogKind, DogKindValues, PetKind, PetKindValues } from "./types";
import type { components } from "./types";
type S = components["schemas"];
const cat: S["Pet"] = { kind: PetKind.cat, meows: 1 };
const dog: S["Pet"] = { kind: DogKind.dog };
// @ts-expect-error wolf is not the tag the mapping gives Dog
const wolf: S["Pet"] = { kind: DogKind.wolf };
const kitten: S["Kitten"] = { kind: PetKind.cat, tiny: true };
// @ts-expect-error the tag narrows Kitten to cat
const notKitten: S["Kitten"] = { kind: PetKind.dog };
const dogKinds: readonly S["Dog"]["kind"][] = DogKindValues;  // an inline enum's list (--enum-values)
const petKinds: readonly PetKind[] = PetKindValues;
// @ts-expect-error each list is typed with its own enum
const mixed: readonly PetKind[] = DogKindValues;
"""


def test_discriminator_tags_are_enum_members_with_enum(tmp_path: Path) -> None:
    """With ``--enum`` a tag property is a TypeScript enum, which a string literal tag would turn
    into ``never`` (``PetKind & "cat"``): the tag is the enum member instead."""
    require_tsc()
    text = to_typescript(ENUM_TAGS, TypeScriptOptions(enum=True, enum_values=True))
    assert '(components["schemas"]["Cat"] & { kind: PetKind.cat })' in text
    (tmp_path / "types.ts").write_text(text)
    (tmp_path / "use.ts").write_text(ENUM_TAGS_USE)
    assert_compiles(tmp_path, [tmp_path / "types.ts", tmp_path / "use.ts"])


def test_hostile_document_compiles(tmp_path: Path) -> None:
    """Quotes, comment terminators, reserved words, unicode, line separators, cycles and broken
    references: the file always compiles, whatever the options."""
    require_tsc()
    files = []
    for j, options in enumerate(ALL_OPTIONS):
        out = tmp_path / f"hostile{j}.ts"
        found: list[TypeScriptWarning] = []
        out.write_text(to_typescript(HOSTILE, options, warn=found.append))
        assert any("Nope" in str(w) for w in found)
        assert any("circular" in str(w) for w in found)
        files.append(out)
    assert_compiles(tmp_path, files)


# --- the corpus -------------------------------------------------------------------------------
#
# Every spec is generated and type-checked; one tsc run per group. The big YAML files (seconds to
# parse) and GitHub's 13 MB descriptions form the slow group, which CI runs too.

SWAGGER_2 = {"pairs/kubernetes-swagger2/new.json"}


def _corpus_specs() -> list[Path]:
    if not CORPUS.is_dir():
        return []
    specs = sorted(CORPUS.glob("pairs/*/new.*"))
    specs += sorted((CORPUS / "single").glob("*")) + sorted((CORPUS / "fastapi").glob("*"))
    specs += sorted((CORPUS / "large").glob("*"))
    return [
        p for p in specs
        if p.suffix in (".json", ".yaml", ".yml") and str(p.relative_to(CORPUS)) not in SWAGGER_2
    ]


def _is_big(path: Path) -> bool:
    return path.parent.name == "large" or (path.suffix != ".json" and path.stat().st_size > 1_000_000)


FAST_SPECS = [str(p.relative_to(CORPUS)) for p in _corpus_specs() if not _is_big(p)]
BIG_SPECS = [str(p.relative_to(CORPUS)) for p in _corpus_specs() if _is_big(p)]


def _compile_group(specs: list[str], out_dir: Path) -> tuple[dict[str, str], str]:
    if not CORPUS.is_dir():
        pytest.skip(f"{CORPUS} not present (a user's clone has no ../shared); corpus tests need it")
    require_tsc()
    files: dict[str, str] = {}
    for rel in specs:
        name = re.sub(r"[^A-Za-z0-9]+", "_", rel) + ".ts"
        (out_dir / name).write_text(to_typescript(load_spec(str(CORPUS / rel)), warn=lambda w: None))
        files[rel] = name
    result = run_tsc(out_dir, [out_dir / f for f in files.values()], timeout=600)
    return files, result.stdout + result.stderr


@pytest.fixture(scope="module")
def fast_corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, str], str]:
    """The fast group generated and type-checked in one tsc run: (file per spec, tsc output)."""
    return _compile_group(FAST_SPECS, tmp_path_factory.mktemp("corpus-ts"))


@pytest.fixture(scope="module")
def big_corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, str], str]:
    """The slow group, likewise."""
    return _compile_group(BIG_SPECS, tmp_path_factory.mktemp("corpus-ts-big"))


def _errors_of(spec: str, compiled: tuple[dict[str, str], str]) -> list[str]:
    files, output = compiled
    return [line for line in output.splitlines() if line.startswith(files[spec])]


@pytest.mark.parametrize("spec", FAST_SPECS or ["(corpus absent)"])
def test_corpus_spec_compiles(spec: str, fast_corpus: tuple[dict[str, str], str]) -> None:
    errors = _errors_of(spec, fast_corpus)
    assert errors == [], "\n".join(errors[:50])


@pytest.mark.slow
@pytest.mark.parametrize("spec", BIG_SPECS or ["(corpus absent)"])
def test_big_corpus_spec_compiles(spec: str, big_corpus: tuple[dict[str, str], str]) -> None:
    errors = _errors_of(spec, big_corpus)
    assert errors == [], "\n".join(errors[:50])


def test_swagger_2_corpus_spec_is_rejected(corpus: Path) -> None:
    from contractsync.errors import NotOpenAPIError

    with pytest.raises(NotOpenAPIError, match=r"Swagger 2\.0"):
        to_typescript(load_spec(str(corpus / "pairs/kubernetes-swagger2/new.json")))


# --- the example app and openapi-fetch -------------------------------------------------------


@pytest.fixture(scope="module")
def example_types() -> str:
    """Types generated from the example app, exported in a child process."""
    doc = load_spec(AppSource("bookshop.main:app", app_dir=EXAMPLE_APP_DIR))
    return to_typescript(doc)


def test_openapi_fetch_usage_compiles_and_catches_mistakes(example_types: str, tmp_path: Path) -> None:
    """The checked-in client compiles against the example app's types; every
    ``@ts-expect-error`` is needed (tsc reports unused ones), and each marks exactly one error."""
    require_tsc()
    (tmp_path / "types.ts").write_text(example_types)
    shutil.copy(USAGE, tmp_path / "client.ts")
    assert_compiles(tmp_path, [tmp_path / "client.ts", tmp_path / "types.ts"])

    # Without the directives, the compiler must flag exactly the lines they marked.
    lines = USAGE.read_text().splitlines()
    expected: list[int] = []
    kept: list[str] = []
    for line in lines:
        if line.strip().startswith("// @ts-expect-error"):
            expected.append(len(kept) + 1)
            kept.append("")
        else:
            kept.append(line)
    assert len(expected) >= 8
    (tmp_path / "client.ts").write_text("\n".join(kept) + "\n")
    result = run_tsc(tmp_path, [tmp_path / "client.ts", tmp_path / "types.ts"])
    flagged = sorted({int(m.group(1)) - 1 for m in re.finditer(r"^client\.ts\((\d+),\d+\): error", result.stdout, re.M)})
    assert flagged == expected, result.stdout
