"""Spec mutations for the property-based tests of the diff engine (and the soak script).

A mutation walks from the document's root to a random node — biased towards ``paths`` and
``components``, where the rules live — and changes it the way real edits and hostile inputs do:
delete a key, rename it, replace a value with one of another kind, wrap a schema in pydantic's
``anyOf [X, null]``, add a keyword with an odd value, reorder a list, copy a sibling.
"""

from __future__ import annotations

import copy
from typing import Any

from hypothesis import strategies as st

KEYWORDS = ["type", "format", "enum", "const", "default", "minimum", "maximum", "minLength",
            "maxLength", "pattern", "items", "properties", "required", "nullable", "readOnly",
            "writeOnly", "deprecated", "x-sunset", "anyOf", "oneOf", "allOf", "not",
            "additionalProperties", "discriminator", "$ref", "in", "name", "style", "explode",
            "content", "schema", "description", "summary", "example", "x-stability-level"]

SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(-3, 300), st.floats(allow_nan=False, width=32),
    st.sampled_from(["string", "integer", "number", "boolean", "object", "array", "null",
                     "email", "date-time", "int64", "query", "path", "header", "beta", "draft",
                     "2000-01-01", "9999-12-31", "#/components/schemas/Nope", "^[a-z]+$", ""]),
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(st.lists(inner, max_size=3),
                            st.dictionaries(st.sampled_from(KEYWORDS), inner, max_size=3)),
    max_leaves=6,
)


def resolves(data: Any, pointer: str) -> bool:
    """Whether the RFC 6901 ``pointer`` names something in ``data``."""
    cur = data
    for token in pointer.split("/")[1:] if pointer else []:
        token = token.replace("~1", "/").replace("~0", "~")
        if isinstance(cur, dict) and token in cur:
            cur = cur[token]
        elif isinstance(cur, list) and token.isdigit() and int(token) < len(cur):
            cur = cur[int(token)]
        else:
            return False
    return True


def _children(node: Any) -> list[Any]:
    if isinstance(node, dict):
        return list(node)
    if isinstance(node, list):
        return list(range(len(node)))
    return []


@st.composite
def mutate(draw: st.DrawFn, document: dict[str, Any]) -> dict[str, Any]:
    """A deep copy of ``document`` with one to four random mutations."""
    doc = copy.deepcopy(document)
    for _ in range(draw(st.integers(1, 4))):
        _mutate_once(draw, doc)
    return doc


def _mutate_once(draw: st.DrawFn, doc: dict[str, Any]) -> None:
    parent: Any = doc
    start = [k for k in ("paths", "components", "webhooks") if isinstance(doc.get(k), dict)]
    key: Any = draw(st.sampled_from(start)) if start and draw(st.integers(0, 9)) else (
        draw(st.sampled_from(_children(doc))) if doc else None)
    if key is None:
        return
    for _ in range(draw(st.integers(0, 14))):
        child = parent[key]
        options = _children(child)
        if not options or not draw(st.integers(0, 5)):
            break
        parent, key = child, options[draw(st.integers(0, len(options) - 1))]
    value = parent[key]
    op = draw(st.sampled_from(["delete", "replace", "rename", "nullable", "keyword", "reorder",
                               "copy-sibling", "empty"]))
    if op == "delete":
        if isinstance(parent, dict):
            del parent[key]
        else:
            parent.pop(key)
    elif op == "replace":
        parent[key] = draw(VALUES)
    elif op == "rename" and isinstance(parent, dict):
        new_key = f"{key}_renamed" if draw(st.booleans()) else draw(st.sampled_from(KEYWORDS))
        parent[new_key] = parent.pop(key)
    elif op == "nullable":
        parent[key] = {"anyOf": [value, {"type": "null"}]}
    elif op == "keyword" and isinstance(value, dict):
        value[draw(st.sampled_from(KEYWORDS))] = draw(VALUES)
    elif op == "reorder" and isinstance(value, list) and len(value) > 1:
        value.reverse()
    elif op == "copy-sibling":
        siblings = [k for k in _children(parent) if k != key]
        if siblings:
            parent[key] = copy.deepcopy(parent[draw(st.sampled_from(siblings))])
    elif op == "empty":
        parent[key] = type(value)() if isinstance(value, (dict, list)) else None
