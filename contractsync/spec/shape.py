"""The shape check: every field the engine reads (diff, TypeScript, gate) has the JSON type it
needs, or the document is refused with a one-line error naming the field's JSON pointer (#13).

The check walks the document as OpenAPI lays it out (path items, operations, parameters, bodies,
responses, media types, schemas, callbacks, webhooks, components) and looks only at fields it
knows; anything else, including literal values (``example``, ``default``, ``enum`` members,
``x-`` extensions), may hold any JSON. A value in a schema position that is no schema at all is
left to the engine, which skips it (the TypeScript emitter types it ``unknown`` with a warning).
Iterative, linear in the document size.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..errors import NotOpenAPIError
from .refs import escape

_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")

_Check = Callable[[Any], bool]
#: A JSON pointer built lazily as (parent, token) pairs: strings only for the one that fails.
Ptr = Any


def _str(v: Any) -> bool:
    return isinstance(v, str)


def _bool(v: Any) -> bool:
    return isinstance(v, bool)


def _num(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _int(v: Any) -> bool:
    return (isinstance(v, int) and not isinstance(v, bool)) or (isinstance(v, float) and v.is_integer())


def _obj(v: Any) -> bool:
    return isinstance(v, dict)


def _arr(v: Any) -> bool:
    return isinstance(v, list)


def _str_list(v: Any) -> bool:
    return isinstance(v, list) and all(isinstance(x, str) for x in v)


def _type(v: Any) -> bool:
    return isinstance(v, str) or _str_list(v)


def _num_or_bool(v: Any) -> bool:
    return _num(v) or isinstance(v, bool)


def _security(v: Any) -> bool:
    return isinstance(v, list) and all(
        isinstance(req, dict) and all(_str_list(scopes) for scopes in req.values()) for req in v)


#: Schema keywords the engine reads, with the JSON type each must have.
_SCHEMA_FIELDS: dict[str, tuple[_Check, str]] = {
    "$ref": (_str, "a string"),
    "type": (_type, "a string or an array of strings"),
    "format": (_str, "a string"),
    "pattern": (_str, "a string"),
    "required": (_str_list, "an array of strings"),
    "enum": (_arr, "an array"),
    "properties": (_obj, "an object"),
    "patternProperties": (_obj, "an object"),
    "$defs": (_obj, "an object"),
    "dependentSchemas": (_obj, "an object"),
    "allOf": (_arr, "an array"),
    "anyOf": (_arr, "an array"),
    "oneOf": (_arr, "an array"),
    "prefixItems": (_arr, "an array"),
    "discriminator": (_obj, "an object"),
    "nullable": (_bool, "a boolean"),
    "readOnly": (_bool, "a boolean"),
    "writeOnly": (_bool, "a boolean"),
    "deprecated": (_bool, "a boolean"),
    "uniqueItems": (_bool, "a boolean"),
    "minimum": (_num, "a number"),
    "maximum": (_num, "a number"),
    "exclusiveMinimum": (_num_or_bool, "a number or a boolean"),
    "exclusiveMaximum": (_num_or_bool, "a number or a boolean"),
    "multipleOf": (_num, "a number"),
    "minLength": (_int, "an integer"),
    "maxLength": (_int, "an integer"),
    "minItems": (_int, "an integer"),
    "maxItems": (_int, "an integer"),
    "minProperties": (_int, "an integer"),
    "maxProperties": (_int, "an integer"),
    "title": (_str, "a string"),
    "description": (_str, "a string"),
}
_SCHEMA_MAPS = ("properties", "patternProperties", "$defs", "dependentSchemas")
_SCHEMA_LISTS = ("allOf", "anyOf", "oneOf", "prefixItems")
_SCHEMA_ONE = ("not", "additionalProperties", "if", "then", "else", "contains", "propertyNames",
               "unevaluatedItems", "unevaluatedProperties", "contentSchema", "additionalItems")

_OPERATION_FIELDS: dict[str, tuple[_Check, str]] = {
    "tags": (_str_list, "an array of strings"),
    "operationId": (_str, "a string"),
    "summary": (_str, "a string"),
    "description": (_str, "a string"),
    "deprecated": (_bool, "a boolean"),
    "parameters": (_arr, "an array"),
    "requestBody": (_obj, "an object"),
    "responses": (_obj, "an object"),
    "callbacks": (_obj, "an object"),
    "security": (_security, "an array of {scheme: [scopes]} objects"),
}
_PARAMETER_FIELDS: dict[str, tuple[_Check, str]] = {
    "$ref": (_str, "a string"),
    "name": (_str, "a string"),
    "in": (_str, "a string"),
    "required": (_bool, "a boolean"),
    "deprecated": (_bool, "a boolean"),
    "style": (_str, "a string"),
    "explode": (_bool, "a boolean"),
    "allowEmptyValue": (_bool, "a boolean"),
    "content": (_obj, "an object"),
    "description": (_str, "a string"),
}
_BODY_FIELDS: dict[str, tuple[_Check, str]] = {
    "$ref": (_str, "a string"),
    "required": (_bool, "a boolean"),
    "content": (_obj, "an object"),
    "description": (_str, "a string"),
}
_RESPONSE_FIELDS: dict[str, tuple[_Check, str]] = {
    "$ref": (_str, "a string"),
    "content": (_obj, "an object"),
    "headers": (_obj, "an object"),
    "links": (_obj, "an object"),
    "description": (_str, "a string"),
}
_MEDIA_FIELDS: dict[str, tuple[_Check, str]] = {
    "encoding": (_obj, "an object"),
}
_SCHEME_FIELDS: dict[str, tuple[_Check, str]] = {
    "type": (_str, "a string"),
    "scheme": (_str, "a string"),
    "in": (_str, "a string"),
    "name": (_str, "a string"),
    "flows": (_obj, "an object"),
    "openIdConnectUrl": (_str, "a string"),
    "bearerFormat": (_str, "a string"),
}


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array" if not value or not all(isinstance(x, str) for x in value) else "an array of strings"
    return "an object"


class _Walker:
    def __init__(self, source: str) -> None:
        self.source = source
        self.todo: list[tuple[str, Ptr, Any]] = []

    def fail(self, pointer: Ptr, message: str) -> NotOpenAPIError:
        tokens: list[str] = []
        while pointer:
            pointer, token = pointer
            tokens.append(escape(str(token)))
        return NotOpenAPIError(message, source=self.source, where="".join("/" + t for t in reversed(tokens)) or "/")

    def fields(self, pointer: Ptr, node: Any, table: dict[str, tuple[_Check, str]], what: str) -> bool:
        if not isinstance(node, dict):
            raise self.fail(pointer, f"{what} must be an object, not {_kind(node)}")
        for key in node.keys() & table.keys():
            value = node[key]
            # null is taken as absent (`content:` with nothing after it), as the engine reads it
            if value is not None and not table[key][0](value):
                raise self.fail((pointer, key),
                                f"'{key}' must be {table[key][1]}, not {_kind(value)}")
        return True

    def push(self, kind: str, pointer: Ptr, node: Any) -> None:
        self.todo.append((kind, pointer, node))

    def each(self, kind: str, pointer: Ptr, mapping: Any, what: str) -> None:
        if mapping is None:
            return
        if not isinstance(mapping, dict):
            raise self.fail(pointer, f"{what} must be an object, not {_kind(mapping)}")
        for name, value in mapping.items():
            self.push(kind, (pointer, name), value)

    def run(self, data: dict[str, Any]) -> None:
        top: dict[str, tuple[_Check, str]] = {
            "security": (_security, "an array of {scheme: [scopes]} objects"),
            "tags": (lambda v: isinstance(v, list) and all(isinstance(t, dict) for t in v), "an array of objects"),
            "servers": (_arr, "an array"),
        }
        self.fields(None, data, top, "the document")
        for i, tag in enumerate(data.get("tags") or []):
            self.fields((("", "tags"), i), tag, {"name": (_str, "a string"), "description": (_str, "a string")}, "a tag")
        self.each("path", ("", "paths"), data.get("paths"), "'paths'")
        self.each("path", ("", "webhooks"), data.get("webhooks"), "'webhooks'")
        components = data.get("components")
        if components is not None:
            if not isinstance(components, dict):
                raise self.fail(("", "components"), f"'components' must be an object, not {_kind(components)}")
            for key, kind in (("schemas", "schema"), ("parameters", "parameter"), ("headers", "parameter"),
                              ("requestBodies", "body"), ("responses", "response"),
                              ("securitySchemes", "scheme"), ("pathItems", "path"), ("callbacks", "callback")):
                self.each(kind, (("", "components"), key), components.get(key), f"'components.{key}'")
        while self.todo:
            kind, pointer, node = self.todo.pop()
            getattr(self, "_" + kind)(pointer, node)

    # -- one method per object kind --------------------------------------------------------

    def _path(self, pointer: Ptr, node: Any) -> None:
        self.fields(pointer, node, {"$ref": (_str, "a string"), "parameters": (_arr, "an array")}, "a path item")
        self._parameters((pointer, "parameters"), node.get("parameters"))
        for method in _METHODS:
            if method in node:
                op_ptr = (pointer, method)
                op = node[method]
                self.fields(op_ptr, op, _OPERATION_FIELDS, "an operation")
                self._parameters((op_ptr, "parameters"), op.get("parameters"))
                if "requestBody" in op:
                    self.push("body", (op_ptr, "requestBody"), op["requestBody"])
                self.each("response", (op_ptr, "responses"), op.get("responses"), "'responses'")
                self.each("callback", (op_ptr, "callbacks"), op.get("callbacks"), "'callbacks'")

    def _callback(self, pointer: Ptr, node: Any) -> None:
        if isinstance(node, dict) and "$ref" in node:
            self.fields(pointer, node, {"$ref": (_str, "a string")}, "a callback")
            return
        self.each("path", pointer, node, "a callback")

    def _parameters(self, pointer: Ptr, params: Any) -> None:
        if params is None:
            return
        if not isinstance(params, list):
            raise self.fail(pointer, f"'parameters' must be an array, not {_kind(params)}")
        for i, param in enumerate(params):
            self.push("parameter", (pointer, i), param)

    def _parameter(self, pointer: Ptr, node: Any) -> None:
        self.fields(pointer, node, _PARAMETER_FIELDS, "a parameter")
        if "schema" in node:
            self.push("schema", (pointer, "schema"), node["schema"])
        self.each("media", (pointer, "content"), node.get("content"), "'content'")

    def _body(self, pointer: Ptr, node: Any) -> None:
        self.fields(pointer, node, _BODY_FIELDS, "a request body")
        self.each("media", (pointer, "content"), node.get("content"), "'content'")

    def _response(self, pointer: Ptr, node: Any) -> None:
        self.fields(pointer, node, _RESPONSE_FIELDS, "a response")
        self.each("media", (pointer, "content"), node.get("content"), "'content'")
        self.each("parameter", (pointer, "headers"), node.get("headers"), "'headers'")

    def _media(self, pointer: Ptr, node: Any) -> None:
        self.fields(pointer, node, _MEDIA_FIELDS, "a media type")
        if "schema" in node:
            self.push("schema", (pointer, "schema"), node["schema"])

    def _scheme(self, pointer: Ptr, node: Any) -> None:
        self.fields(pointer, node, _SCHEME_FIELDS, "a security scheme")
        flows = node.get("flows")
        if isinstance(flows, dict):
            for name, flow in flows.items():
                fp = ((pointer, "flows"), name)
                self.fields(fp, flow, {"scopes": (_obj, "an object"), "tokenUrl": (_str, "a string"),
                                       "authorizationUrl": (_str, "a string")}, "an OAuth flow")

    def _schema(self, pointer: Ptr, node: Any) -> None:
        if not isinstance(node, dict):
            # A boolean schema; or a value that is no schema at all, which the diff skips and the
            # TypeScript emitter types `unknown` with a warning naming its pointer.
            return
        self.fields(pointer, node, _SCHEMA_FIELDS, "a schema")
        disc = node.get("discriminator")
        if isinstance(disc, dict):
            self.fields((pointer, "discriminator"), disc,
                        {"propertyName": (_str, "a string"),
                         "mapping": (lambda v: isinstance(v, dict) and all(isinstance(x, str) for x in v.values()),
                                     "an object of strings")}, "a discriminator")
        for key in _SCHEMA_MAPS:
            value = node.get(key)
            if isinstance(value, dict):
                for name, sub in value.items():
                    self.push("schema", ((pointer, key), name), sub)
        for key in _SCHEMA_LISTS:
            value = node.get(key)
            if isinstance(value, list):
                for i, sub in enumerate(value):
                    self.push("schema", ((pointer, key), i), sub)
        items = node.get("items")
        if isinstance(items, list):
            for i, sub in enumerate(items):
                self.push("schema", ((pointer, "items"), i), sub)
        elif items is not None:
            self.push("schema", (pointer, "items"), items)
        for key in _SCHEMA_ONE:
            if key in node:
                self.push("schema", (pointer, key), node[key])


def check_shapes(data: dict[str, Any], *, source: str) -> None:
    """Refuse (:class:`NotOpenAPIError`, located by JSON pointer) a field the engine reads whose
    JSON type is wrong: ``required: [{"a": 1}]``, ``tags: 5``, ``security: [{"k": 5}]``,
    ``pattern: ["^a"]``…"""
    _Walker(source).run(data)
