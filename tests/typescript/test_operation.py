"""Parameters, request bodies, responses and path items: given/want tables."""

from __future__ import annotations

from typing import Any

import pytest

from contractsync.typescript import TypeScriptOptions
from contractsync.typescript.context import Context, TypeScriptWarning
from contractsync.typescript.operation import OperationRegistry
from contractsync.typescript.parameters import merge, parameters_type
from contractsync.typescript.paths import path_item_type
from contractsync.typescript.request_body import request_body_member
from contractsync.typescript.response import responses_type

COMPONENTS: dict[str, Any] = {
    "schemas": {"Item": {"type": "object", "properties": {"n": {"type": "integer", "default": 1}}}},
    "parameters": {
        "Limit": {"name": "limit", "in": "query", "required": True, "schema": {"type": "integer"}},
    },
    "requestBodies": {
        "ItemBody": {"required": True, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Item"}}}},
    },
    "responses": {"NotFound": {"description": "missing"}},
    "headers": {"Rate": {"schema": {"type": "integer"}}},
}


def make_ctx(options: TypeScriptOptions | None = None) -> tuple[Context, list[TypeScriptWarning]]:
    warnings: list[TypeScriptWarning] = []
    data = {"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": {}, "components": COMPONENTS}
    ctx = Context(data=data, options=options or TypeScriptOptions(), warn_callback=warnings.append)
    return ctx, warnings


NEVER_LOCATIONS = "    query?: never;\n    header?: never;\n    path?: never;\n    cookie?: never;\n"

PARAMETER_CASES: list[tuple[str, list[Any], list[Any], str]] = [
    ("none", [], [], "{\n" + NEVER_LOCATIONS + "}"),
    (
        "optional query, required path",
        [],
        [
            {"name": "q", "in": "query", "schema": {"type": "string"}, "description": "Search text."},
            {"name": "id", "in": "path", "schema": {"type": "integer"}},
        ],
        "{\n    query?: {\n        /** Search text. */\n        q?: string;\n    };\n    header?: never;\n"
        "    path: {\n        id: number;\n    };\n    cookie?: never;\n}",
    ),
    (
        "path parameters are required even without required: true",
        [],
        [{"name": "id", "in": "path", "required": False, "schema": {"type": "string"}}],
        "{\n    query?: never;\n    header?: never;\n    path: {\n        id: string;\n    };\n    cookie?: never;\n}",
    ),
    (
        "a required query parameter makes query required",
        [],
        [{"$ref": "#/components/parameters/Limit"}, {"name": "x-token", "in": "header", "schema": {"type": "string"}}],
        '{\n    query: {\n        limit: components["parameters"]["Limit"];\n    };\n    header?: {\n'
        '        "x-token"?: string;\n    };\n    path?: never;\n    cookie?: never;\n}',
    ),
    (
        "operation parameters override path-level ones",
        [{"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}],
        [{"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}],
        "{\n    query?: never;\n    header?: never;\n    path: {\n        id: number;\n    };\n    cookie?: never;\n}",
    ),
    (
        "a defaulted parameter is optional; no schema means string",
        [],
        [
            {"name": "page", "in": "query", "schema": {"type": "integer", "default": 1}},
            {"name": "session", "in": "cookie"},
        ],
        "{\n    query?: {\n        page?: number;\n    };\n    header?: never;\n    path?: never;\n"
        "    cookie?: {\n        session?: string;\n    };\n}",
    ),
]


@pytest.mark.parametrize(
    ("path_level", "op_level", "want"),
    [c[1:] for c in PARAMETER_CASES],
    ids=[c[0] for c in PARAMETER_CASES],
)
def test_parameters(path_level: list[Any], op_level: list[Any], want: str) -> None:
    ctx, warnings = make_ctx()
    params = merge(ctx, [(path_level, "#/p"), (op_level, "#/o")])
    assert parameters_type(ctx, params, "") == want
    assert warnings == []


def test_exclude_deprecated_parameter() -> None:
    ctx, _ = make_ctx(TypeScriptOptions(exclude_deprecated=True))
    params = merge(ctx, [([{"name": "old", "in": "query", "deprecated": True}], "#/o")])
    assert parameters_type(ctx, params, "") == "{\n" + NEVER_LOCATIONS + "}"


def test_invalid_parameter_is_reported_and_skipped() -> None:
    ctx, warnings = make_ctx()
    params = merge(ctx, [([{"in": "query"}, "oops"], "#/paths/~1x/get/parameters")])
    assert params == []
    assert [w.pointer for w in warnings] == ["#/paths/~1x/get/parameters/0", "#/paths/~1x/get/parameters/1"]


REQUEST_BODY_CASES: list[tuple[str, Any, str]] = [
    ("absent", None, "requestBody?: never;\n"),
    (
        "optional inline body uses the request view",
        {"content": {"application/json": {"schema": {"type": "object", "properties": {"n": {"type": "integer", "default": 1}}}}}},
        "requestBody?: {\n    content: {\n        \"application/json\": {\n            /** @default 1 */\n"
        "            n?: number;\n        };\n    };\n};\n",
    ),
    (
        "required body",
        {"required": True, "content": {"text/plain": {"schema": {"type": "string"}}}},
        'requestBody: {\n    content: {\n        "text/plain": string;\n    };\n};\n',
    ),
    (
        "media type without schema",
        {"content": {"application/octet-stream": {}}},
        'requestBody?: {\n    content: {\n        "application/octet-stream": unknown;\n    };\n};\n',
    ),
    ("ref reads required from the target", {"$ref": "#/components/requestBodies/ItemBody"},
     'requestBody: components["requestBodies"]["ItemBody"];\n'),
    ("empty content", {"content": {}}, 'requestBody?: {\n    content: {\n        "*/*"?: never;\n    };\n};\n'),
]


@pytest.mark.parametrize(("body", "want"), [c[1:] for c in REQUEST_BODY_CASES], ids=[c[0] for c in REQUEST_BODY_CASES])
def test_request_body(body: Any, want: str) -> None:
    ctx, _ = make_ctx()
    assert request_body_member(ctx, body, "#/b", "") == want


RESPONSE_CASES: list[tuple[str, Any, str]] = [
    ("no responses", {}, "never"),
    (
        "json response uses the response view, status is a numeric key",
        {"200": {"description": "OK", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Item"}}}}},
        '{\n    /** OK */\n    200: {\n        headers: {\n            [name: string]: unknown;\n        };\n'
        '        content: {\n            "application/json": components["schemas"]["Item"];\n        };\n    };\n}',
    ),
    (
        "no content, headers, ranges and default",
        {
            "204": {"description": "", "headers": {"X-Rate": {"schema": {"type": "integer"}, "required": True},
                                                   "X-Opt": {"schema": {"type": "string"}},
                                                   "X-Ref": {"$ref": "#/components/headers/Rate"}}},
            "4XX": {"$ref": "#/components/responses/NotFound"},
            "default": {"description": "error"},
        },
        "{\n    204: {\n        headers: {\n            \"X-Rate\": number;\n            \"X-Opt\"?: string;\n"
        '            "X-Ref": components["headers"]["Rate"];\n            [name: string]: unknown;\n        };\n'
        '        content?: never;\n    };\n    "4XX": components["responses"]["NotFound"];\n    /** error */\n'
        "    default: {\n        headers: {\n            [name: string]: unknown;\n        };\n        content?: never;\n    };\n}",
    ),
]


@pytest.mark.parametrize(("responses", "want"), [c[1:] for c in RESPONSE_CASES], ids=[c[0] for c in RESPONSE_CASES])
def test_responses(responses: Any, want: str) -> None:
    ctx, _ = make_ctx()
    assert responses_type(ctx, responses, "#/r", "") == want


def test_path_item_references_operations_and_lists_only_present_methods() -> None:
    ctx, _ = make_ctx()
    registry = OperationRegistry()
    item = {
        "get": {"operationId": "getThing", "summary": "Get it", "responses": {}},
        "delete": {"responses": {}, "deprecated": True},
    }
    got = path_item_type(ctx, item, "#/paths/~1thing", "", registry)
    assert got == (
        "{\n    parameters: {\n" + NEVER_LOCATIONS.replace("    ", "        ") + "    };\n"
        '    /** Get it */\n    get: operations["getThing"];\n    /** @deprecated */\n    delete: {\n'
        "        parameters: {\n" + NEVER_LOCATIONS.replace("    ", "            ") + "        };\n"
        "        requestBody?: never;\n        responses: never;\n    };\n}"
    )
    assert [op_id for op_id, _ in registry.entries(ctx)] == ["getThing"]


def test_duplicate_operation_id_is_inlined_with_a_warning() -> None:
    ctx, warnings = make_ctx()
    registry = OperationRegistry()
    path_item_type(ctx, {"get": {"operationId": "same", "responses": {}}}, "#/paths/~1a", "", registry)
    got = path_item_type(ctx, {"get": {"operationId": "same", "responses": {}}}, "#/paths/~1b", "", registry)
    assert 'operations["same"]' not in got
    assert [str(w) for w in warnings] == [
        "#/paths/~1b/get/operationId: duplicate operationId 'same'; inlined in the path item"
    ]


def test_path_item_ref_cycle_degrades_with_a_warning() -> None:
    warnings: list[TypeScriptWarning] = []
    data = {
        "openapi": "3.1.0",
        "paths": {"/a": {"$ref": "#/paths/~1b"}, "/b": {"$ref": "#/paths/~1a"}},
    }
    ctx = Context(data=data, options=TypeScriptOptions(), warn_callback=warnings.append)
    got = path_item_type(ctx, data["paths"]["/a"], "#/paths/~1a", "", OperationRegistry())
    assert got == "Record<string, never>"
    assert any("$ref cycle" in str(w) for w in warnings)
