"""Given/want tables for the Schema Object transform, shared by the text tests and the compile test.

Each case: a schema fragment in, the exact TypeScript type out, in the response view (what a client
receives) and, where it differs, the request view (what a client sends). ``components`` are the
component schemas the fragment may reference.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from contractsync.typescript import TypeScriptOptions


@dataclass(frozen=True)
class Case:
    """One row of a given/want table."""

    id: str
    given: Any
    want: str
    #: The request view when it differs from ``want``.
    want_request: str | None = None
    openapi: str = "3.1.0"
    options: TypeScriptOptions = field(default_factory=TypeScriptOptions)
    #: Substrings the warnings must contain (none expected when empty).
    warnings: tuple[str, ...] = ()


COMPONENTS: dict[str, Any] = {
    "Pet": {
        "type": "object",
        "properties": {"name": {"type": "string"}, "kind": {"type": "string"}},
        "required": ["name"],
    },
    "Cat": {"type": "object", "properties": {"kind": {"type": "string"}, "lives": {"type": "integer"}}},
    "Dog": {"type": "object", "properties": {"kind": {"type": "string", "const": "dog"}}},
    "Color": {"type": "string", "enum": ["red", "green"], "default": "red"},
    "Node": {
        "type": "object",
        "properties": {
            "value": {"type": "integer"},
            "children": {"type": "array", "items": {"$ref": "#/components/schemas/Node"}},
        },
        "required": ["value"],
    },
}

SCHEMA_CASES: list[Case] = [
    # --- JSON Schema types -------------------------------------------------------------------
    Case("string", {"type": "string"}, "string"),
    Case("integer", {"type": "integer", "format": "int64"}, "number"),
    Case("number", {"type": "number"}, "number"),
    Case("boolean", {"type": "boolean"}, "boolean"),
    Case("null", {"type": "null"}, "null"),
    Case("empty schema", {}, "unknown"),
    Case("true schema", True, "unknown"),
    Case("false schema", False, "never"),
    Case("format is not a type", {"type": "string", "format": "date-time"}, "string"),
    # --- nullability -------------------------------------------------------------------------
    Case("3.1 type array with null", {"type": ["string", "null"]}, "string | null"),
    Case("3.1 type array", {"type": ["string", "integer"]}, "string | number"),
    Case("3.0 nullable", {"type": "string", "nullable": True}, "string | null", openapi="3.0.3"),
    Case(
        "3.0 nullable ref",
        {"allOf": [{"$ref": "#/components/schemas/Pet"}], "nullable": True},
        'components["schemas"]["Pet"] | null',
        openapi="3.0.3",
    ),
    Case("pydantic Optional", {"anyOf": [{"type": "string"}, {"type": "null"}]}, "string | null"),
    # --- enum and const ----------------------------------------------------------------------
    Case("string enum", {"type": "string", "enum": ["a", "b"]}, '"a" | "b"'),
    Case("enum with null", {"enum": ["a", None]}, '"a" | null'),
    Case("3.0 nullable enum", {"type": "string", "enum": ["a"], "nullable": True}, '"a" | null', openapi="3.0.3"),
    Case("number enum", {"type": "integer", "enum": [1, -2, 3.5]}, "1 | -2 | 3.5"),
    Case("empty enum", {"enum": []}, "never"),
    Case("const string", {"const": "cat"}, '"cat"'),
    Case("const number", {"type": "integer", "const": 2}, "2"),
    Case("const null", {"const": None}, "null"),
    Case("const object", {"const": {"a": 1}}, "{ a: 1 }"),
    Case("unsafe integer literal", {"enum": [2**60]}, "number"),
    Case("hostile enum value", {"enum": ['a"b', "*/"]}, '"a\\"b" | "*/"'),
    # --- composition -------------------------------------------------------------------------
    Case(
        "oneOf",
        {"oneOf": [{"$ref": "#/components/schemas/Cat"}, {"$ref": "#/components/schemas/Dog"}]},
        'components["schemas"]["Cat"] | components["schemas"]["Dog"]',
    ),
    Case("anyOf", {"anyOf": [{"type": "string"}, {"type": "integer"}]}, "string | number"),
    Case(
        "allOf",
        {"allOf": [{"$ref": "#/components/schemas/Pet"}, {"type": "object", "properties": {"x": {"type": "boolean"}}}]},
        'components["schemas"]["Pet"] & {\n    x?: boolean;\n}',
    ),
    Case(
        "allOf applies required keys",
        {"allOf": [{"$ref": "#/components/schemas/Pet"}], "required": ["kind"]},
        'WithRequired<components["schemas"]["Pet"], "kind">',
    ),
    Case(
        "allOf with a bare required member",
        {"allOf": [{"$ref": "#/components/schemas/Cat"}, {"required": ["lives"]}]},
        'WithRequired<components["schemas"]["Cat"], "lives">',
    ),
    Case(
        "oneOf with own properties",
        {
            "type": "object",
            "properties": {"id": {"type": "integer"}},
            "required": ["id"],
            "oneOf": [{"$ref": "#/components/schemas/Cat"}, {"$ref": "#/components/schemas/Dog"}],
        },
        '{\n    id: number;\n} & (components["schemas"]["Cat"] | components["schemas"]["Dog"])',
    ),
    Case(
        "bare object type with oneOf",
        {"type": "object", "oneOf": [{"$ref": "#/components/schemas/Cat"}, {"$ref": "#/components/schemas/Dog"}]},
        'components["schemas"]["Cat"] | components["schemas"]["Dog"]',
    ),
    Case(
        "discriminator mapping adds the literal tag",
        {
            "oneOf": [{"$ref": "#/components/schemas/Cat"}, {"$ref": "#/components/schemas/Dog"}],
            "discriminator": {
                "propertyName": "kind",
                "mapping": {"cat": "#/components/schemas/Cat", "dog": "#/components/schemas/Dog"},
            },
        },
        '(components["schemas"]["Cat"] & { kind: "cat" }) | (components["schemas"]["Dog"] & { kind: "dog" })',
    ),
    Case(
        "implicit discriminator never contradicts a declared const",
        {
            "oneOf": [{"$ref": "#/components/schemas/Cat"}, {"$ref": "#/components/schemas/Dog"}],
            "discriminator": {"propertyName": "kind"},
        },
        '(components["schemas"]["Cat"] & { kind: "Cat" }) | components["schemas"]["Dog"]',
    ),
    Case(
        "object keywords beside a nullable anyOf do not exclude null (prefect)",
        {"anyOf": [{"type": "object", "additionalProperties": True}, {"type": "null"}], "additionalProperties": True},
        "Record<string, unknown> | null",
    ),
    Case(
        "3.0 nullable beside a $ref is honoured (twilio)",
        {"type": "string", "$ref": "#/components/schemas/Color", "nullable": True},
        'components["schemas"]["Color"] | null',
        openapi="3.0.3",
    ),
    # --- objects -----------------------------------------------------------------------------
    Case(
        "object with required and optional",
        {"type": "object", "properties": {"a": {"type": "string"}, "b": {"type": "integer"}}, "required": ["a"]},
        "{\n    a: string;\n    b?: number;\n}",
    ),
    Case("bare object is an open record", {"type": "object"}, "Record<string, unknown>"),
    Case("empty properties", {"type": "object", "properties": {}}, "Record<string, unknown>"),
    Case("closed empty object", {"type": "object", "additionalProperties": False}, "Record<string, never>"),
    Case(
        "additionalProperties schema",
        {"type": "object", "additionalProperties": {"type": "integer"}},
        "{\n    [key: string]: number;\n}",
    ),
    Case(
        "additionalProperties true with properties",
        {"type": "object", "properties": {"a": {"type": "string"}}, "additionalProperties": True},
        "{\n    a?: string;\n    [key: string]: unknown;\n}",
    ),
    Case(
        "properties and typed additionalProperties",
        {"type": "object", "properties": {"a": {"type": "string"}}, "required": ["a"], "additionalProperties": {"type": "integer"}},
        "{\n    a: string;\n} & {\n    [key: string]: number;\n}",
    ),
    Case(
        "patternProperties",
        {"type": "object", "patternProperties": {"^x-": {"type": "string"}, "^n-": {"type": "integer"}}},
        "{\n    [key: string]: string | number;\n}",
    ),
    Case(
        "propertyNames enum keys (dict[Literal['a', 'b'], int])",
        {"type": "object", "additionalProperties": {"type": "integer"}, "propertyNames": {"enum": ["a", "b"]}},
        '{\n    [key in "a" | "b"]?: number;\n}',
    ),
    Case(
        "propertyNames ref to an enum component (dict[Color, int]), beside properties",
        {"type": "object", "properties": {"n": {"type": "integer"}}, "required": ["n"],
         "additionalProperties": {"type": "integer"}, "propertyNames": {"$ref": "#/components/schemas/Color"}},
        '{\n    n: number;\n} & {\n    [key in components["schemas"]["Color"]]?: number;\n}',
    ),
    Case(
        "propertyNames const without additionalProperties",
        {"type": "object", "propertyNames": {"const": "only"}},
        '{\n    [key in "only"]?: unknown;\n}',
    ),
    Case(
        "propertyNames that is not a string literal set stays a string index",
        {"type": "object", "additionalProperties": {"type": "integer"}, "propertyNames": {"pattern": "^x", "enum": ["x"]}},
        "{\n    [key: string]: number;\n}",
    ),
    Case(
        "propertyNames of numbers stays a string index",
        {"type": "object", "additionalProperties": {"type": "integer"}, "propertyNames": {"enum": [1, 2]}},
        "{\n    [key: string]: number;\n}",
    ),
    Case(
        "hostile property names",
        {"type": "object", "properties": {"a-b": {}, 'q"uote': {}, "class": {}, "é": {}, "200": {}}},
        '{\n    "a-b"?: unknown;\n    "q\\"uote"?: unknown;\n    class?: unknown;\n    "é"?: unknown;\n    200?: unknown;\n}',
    ),
    # --- arrays and tuples -------------------------------------------------------------------
    Case("array", {"type": "array", "items": {"type": "string"}}, "string[]"),
    Case("array of union", {"type": "array", "items": {"anyOf": [{"type": "string"}, {"type": "integer"}]}}, "(string | number)[]"),
    Case("array without items", {"type": "array"}, "unknown[]"),
    Case(
        "pydantic tuple",
        {"type": "array", "prefixItems": [{"type": "integer"}, {"type": "string"}], "minItems": 2, "maxItems": 2},
        "[number, string]",
    ),
    Case(
        "open tuple with rest items",
        {"type": "array", "prefixItems": [{"type": "integer"}], "minItems": 1, "items": {"type": "string"}},
        "[number, ...string[]]",
    ),
    Case(
        "tuple elements past minItems are optional",
        {"type": "array", "prefixItems": [{"type": "integer"}, {"type": "string"}], "items": False},
        "[number?, string?]",
    ),
    Case(
        "3.0 items array is a tuple",
        {"type": "array", "items": [{"type": "integer"}, {"type": "boolean"}], "minItems": 2, "maxItems": 2},
        "[number, boolean]",
        openapi="3.0.3",
    ),
    # --- references and recursion ------------------------------------------------------------
    Case("ref", {"$ref": "#/components/schemas/Pet"}, 'components["schemas"]["Pet"]'),
    Case(
        "recursive through a ref",
        {"$ref": "#/components/schemas/Node"},
        'components["schemas"]["Node"]',
    ),
    Case(
        "deep ref is inlined",
        {"$ref": "#/components/schemas/Pet/properties/name"},
        "string",
    ),
    # --- request vs response view ------------------------------------------------------------
    Case(
        "default: present in responses, optional in requests",
        {"type": "object", "properties": {"n": {"type": "integer", "default": 1}}},
        "{\n    /** @default 1 */\n    n: number;\n}",
        want_request="{\n    /** @default 1 */\n    n?: number;\n}",
    ),
    Case(
        "default on the referenced schema",
        {"type": "object", "properties": {"c": {"$ref": "#/components/schemas/Color"}}},
        '{\n    c: components["schemas"]["Color"];\n}',
        want_request='{\n    c?: components["schemas"]["Color"];\n}',
    ),
    Case(
        "readOnly: readonly in responses, absent from requests",
        {"type": "object", "properties": {"id": {"type": "integer", "readOnly": True}, "n": {"type": "string"}}, "required": ["id"]},
        "{\n    readonly id: number;\n    n?: string;\n}",
        want_request="{\n    n?: string;\n}",
    ),
    Case(
        "writeOnly: optional in responses (pydantic returns SecretStr masked)",
        {"type": "object", "properties": {"pw": {"type": "string", "writeOnly": True}, "n": {"type": "string"}}, "required": ["pw"]},
        "{\n    pw?: string;\n    n?: string;\n}",
        want_request="{\n    pw: string;\n    n?: string;\n}",
    ),
    Case("format binary is a Blob in requests", {"type": "string", "format": "binary"}, "string", want_request="Blob"),
    Case(
        "contentMediaType is a Blob in requests (FastAPI UploadFile)",
        {"type": "string", "contentMediaType": "application/octet-stream"},
        "string",
        want_request="Blob",
    ),
    Case(
        "base64 contentEncoding stays a string",
        {"type": "string", "contentMediaType": "image/png", "contentEncoding": "base64"},
        "string",
    ),
    Case("text contentMediaType stays a string", {"type": "string", "contentMediaType": "text/html"}, "string"),
    Case(
        "list of uploads",
        {"type": "array", "items": {"type": "string", "format": "binary"}},
        "string[]",
        want_request="Blob[]",
    ),
    # --- JSDoc -------------------------------------------------------------------------------
    Case(
        "property docs",
        {
            "type": "object",
            "properties": {
                "when": {
                    "type": "string",
                    "title": "When",
                    "description": "Moment it happened.",
                    "format": "date-time",
                    "example": "2024-01-01T00:00:00Z",
                    "deprecated": True,
                }
            },
        },
        "{\n    /**\n     * When\n     * @description Moment it happened.\n     * @deprecated\n     * Format: date-time\n"
        '     * @example "2024-01-01T00:00:00Z"\n     */\n    when?: string;\n}',
    ),
    Case(
        "comment terminator in a description is escaped",
        {"type": "object", "properties": {"x": {"type": "string", "description": "ends */ here\nsecond"}}},
        "{\n    /**\n     * ends *\\/ here\n     * second\n     */\n    x?: string;\n}",
    ),
    # --- options -----------------------------------------------------------------------------
    Case(
        "immutable",
        {"type": "object", "properties": {"a": {"type": "array", "items": {"type": "string"}}}},
        "{\n    readonly a?: readonly string[];\n}",
        options=TypeScriptOptions(immutable=True),
    ),
    Case(
        "exclude deprecated properties",
        {"type": "object", "properties": {"old": {"type": "string", "deprecated": True}, "new": {"type": "string"}}},
        "{\n    new?: string;\n}",
        options=TypeScriptOptions(exclude_deprecated=True),
    ),
    Case(
        "alphabetize properties",
        {"type": "object", "properties": {"b": {"type": "string"}, "a": {"type": "string"}}},
        "{\n    a?: string;\n    b?: string;\n}",
        options=TypeScriptOptions(alphabetize=True),
    ),
    # --- what cannot be expressed degrades to unknown, with a warning ------------------------
    Case(
        "unresolvable ref",
        {"$ref": "#/components/schemas/Missing"},
        "unknown",
        warnings=("cannot resolve $ref #/components/schemas/Missing",),
    ),
    Case("external ref", {"$ref": "other.yaml#/Pet"}, "unknown", warnings=("cannot resolve $ref other.yaml#/Pet",)),
    Case("unknown type", {"type": "decimal"}, "unknown", warnings=("unknown type 'decimal'",)),
    Case("schema that is not an object", "string", "unknown", warnings=("not an object or boolean",)),
    Case(
        "unresolvable dynamic ref",
        {"$dynamicRef": "#meta"},
        "unknown",
        warnings=("$dynamicRef",),
    ),
]
