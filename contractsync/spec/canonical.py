"""The canonical JSON form of a contract: byte-identical for the same content.

Rules (see docs/architecture.md):

* Objects defined by OpenAPI / JSON Schema have their keys in a fixed, readable order (``openapi``,
  ``info``, ``paths`` …; ``type`` before ``properties``); unknown and ``x-`` keys follow,
  alphabetically.
* Maps keyed by names the user chose (``paths``, ``components/schemas``, ``responses``,
  ``content`` …) are sorted, so re-ordering routes or dict iteration order never churns the file.
* ``properties`` keep their declared order: it is the model's field order, it is deterministic,
  and it is the order people read and the order generated types follow.
* Arrays keep their order (parameter order, ``required``, ``enum`` and ``tags`` order mean something).
* Two-space indentation, UTF-8 (no ``\\u`` escapes), newline at the end.
"""

from __future__ import annotations

import json
from typing import Any

import orjson

# Keys of OpenAPI objects and JSON Schema, in the order they read best. Anything not listed sorts
# after them, alphabetically.
_KEY_ORDER = [
    # document
    "openapi", "jsonSchemaDialect", "info", "servers", "security", "tags", "paths", "webhooks",
    "components", "externalDocs",
    # info / tag / parameter
    "name", "in", "title", "summary", "description", "termsOfService", "contact", "license", "version",
    # operation / path item
    "$ref", "operationId", "deprecated", "parameters", "requestBody", "responses", "callbacks",
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
    # parameter / header / media type / response
    "required", "style", "explode", "allowReserved", "allowEmptyValue", "schema",
    "content", "headers", "links", "example", "examples", "encoding", "contentType",
    # schema
    "$id", "$schema", "$anchor", "$dynamicRef", "$dynamicAnchor", "$defs", "$comment",
    "type", "format", "nullable", "const", "enum", "default", "readOnly", "writeOnly",
    "discriminator", "allOf", "anyOf", "oneOf", "not", "if", "then", "else",
    "properties", "patternProperties", "additionalProperties", "unevaluatedProperties",
    "propertyNames", "dependentRequired", "dependentSchemas", "minProperties", "maxProperties",
    "prefixItems", "items", "contains", "minContains", "maxContains", "unevaluatedItems",
    "minItems", "maxItems", "uniqueItems",
    "minimum", "exclusiveMinimum", "maximum", "exclusiveMaximum", "multipleOf",
    "minLength", "maxLength", "pattern", "contentMediaType", "contentEncoding", "contentSchema",
    "xml",
    # components
    "schemas", "requestBodies", "securitySchemes", "pathItems",
    # security scheme
    "bearerFormat", "flows", "openIdConnectUrl", "scheme",
    "authorizationUrl", "tokenUrl", "refreshUrl", "scopes",
    # discriminator / server
    "propertyName", "mapping", "url", "variables",
]
_RANK = {key: i for i, key in enumerate(_KEY_ORDER)}
_UNRANKED = len(_KEY_ORDER)

# Under these keys an object's keys are names chosen by the API author, not OpenAPI field names.
_NAME_MAPS = frozenset({
    "paths", "webhooks", "schemas", "responses", "parameters", "examples", "requestBodies",
    "headers", "securitySchemes", "links", "callbacks", "pathItems", "content", "encoding",
    "patternProperties", "mapping", "variables", "$defs", "definitions", "scopes",
    "dependentRequired", "dependentSchemas",
})
# Name maps whose order is the author's and is kept.
_ORDERED_NAME_MAPS = frozenset({"properties"})


def _object_key(key: str) -> tuple[int, str]:
    return (_RANK.get(key, _UNRANKED), key)


def canonicalize(node: Any) -> Any:
    """Return a copy of ``node`` with every mapping's keys in canonical order."""
    return _canon(node, name_map=None)


def _canon(node: Any, name_map: str | None) -> Any:
    if isinstance(node, dict):
        if name_map in _ORDERED_NAME_MAPS:
            return {k: _canon(v, None) for k, v in node.items()}
        if name_map is not None:
            return {k: _canon(node[k], None) for k in sorted(node)}
        out: dict[str, Any] = {}
        for key in sorted(node, key=_object_key):
            value = node[key]
            child_map = key if (key in _NAME_MAPS or key in _ORDERED_NAME_MAPS) and isinstance(value, dict) else None
            # `callbacks` hold expression -> path item maps, one level deeper.
            out[key] = _canon(value, child_map)
        return out
    if isinstance(node, list):
        return [_canon(item, None) for item in node]
    return node


def canonical_json(data: Any) -> bytes:
    """Serialize ``data`` in canonical form: ordered keys, 2-space indent, trailing newline."""
    ordered = canonicalize(data)
    try:
        return orjson.dumps(ordered, option=orjson.OPT_INDENT_2) + b"\n"
    except TypeError:
        # orjson refuses integers beyond 64 bits (real specs have them, e.g. OpenAI's maximums)
        # and lone surrogates; the stdlib writes the same layout, just slower. Text that is not
        # valid Unicode can only be written escaped.
        text = json.dumps(ordered, indent=2, ensure_ascii=False)
        try:
            return text.encode("utf-8") + b"\n"
        except UnicodeEncodeError:
            return json.dumps(ordered, indent=2, ensure_ascii=True).encode("ascii") + b"\n"
