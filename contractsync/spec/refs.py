"""``$ref`` handling for untrusted documents.

Local references (``#/components/schemas/Book``) are resolved against the document itself.
External references (``other.yaml#/X``, ``https://…``) are never followed here: the network and the
file system are not touched because a document says so. :func:`check_refs` reports a missing
target or an external reference as a one-line error naming the pointer that holds the ``$ref``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import unquote

from ..errors import RefError


def escape(token: str) -> str:
    """Escape one JSON-pointer reference token."""
    return token.replace("~", "~0").replace("/", "~1")


def unescape(token: str) -> str:
    """Unescape one JSON-pointer reference token."""
    return token.replace("~1", "/").replace("~0", "~")


def join(pointer: str, *tokens: str | int) -> str:
    """Append reference tokens to a JSON pointer."""
    return pointer + "".join("/" + escape(str(t)) for t in tokens)


_MISSING = object()


def fragment_pointer(fragment: str) -> str:
    """The JSON pointer a ``$ref``'s URI fragment spells (RFC 6901 §6): percent-decoded, so
    ``/components/schemas/a%20b`` names the schema ``a b`` in every command (#13)."""
    return unquote(fragment) if "%" in fragment else fragment


def resolve_pointer(data: Any, pointer: str) -> Any:
    """The value at JSON pointer ``pointer`` (``""`` or ``"/a/b"``), or at a ``$ref`` written as
    a URI fragment (``"#/a/b"``, percent-decoded); raises ``KeyError``."""
    if pointer in ("", "#"):
        return data
    if pointer.startswith("#"):
        pointer = fragment_pointer(pointer[1:])
    if not pointer.startswith("/"):
        raise KeyError(pointer)
    node = data
    for raw in pointer[1:].split("/"):
        token = unescape(raw)
        if isinstance(node, dict):
            value = node.get(token, _MISSING)
            if value is _MISSING:
                raise KeyError(pointer)
            node = value
        elif isinstance(node, list):
            if not token.isdigit() or int(token) >= len(node):
                raise KeyError(pointer)
            node = node[int(token)]
        else:
            raise KeyError(pointer)
    return node


def iter_refs(data: Any) -> Iterator[tuple[str, str]]:
    """Every ``$ref`` string in ``data`` as ``(pointer_of_the_holder, ref)``, iteratively."""
    stack: list[tuple[str, Any]] = [("", data)]
    while stack:
        pointer, node = stack.pop()
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str):
                yield pointer, ref
            for key, value in node.items():
                if isinstance(value, (dict, list)):
                    stack.append((pointer + "/" + escape(key), value))
        elif isinstance(node, list):
            for i, value in enumerate(node):
                if isinstance(value, (dict, list)):
                    stack.append((f"{pointer}/{i}", value))


def is_local(ref: str) -> bool:
    """True for a reference into the same document (``#`` or ``#/…``)."""
    return ref == "#" or ref.startswith("#/")


# Keys under which a document holds literal JSON values, not OpenAPI objects: a `$ref` inside
# them is data (GitHub's description has `"$ref": "https://api.github.com/scim/..."` in a SCIM
# example), not a reference.
_LITERAL_KEYWORDS = frozenset({"example", "default", "enum", "const"})
# Keys whose members are names the API author chose (a property called "default" is a name).
_NAME_MAPS = frozenset({
    "paths", "webhooks", "callbacks", "schemas", "responses", "parameters", "examples",
    "requestBodies", "headers", "securitySchemes", "links", "pathItems", "properties",
    "patternProperties", "$defs", "definitions", "dependentSchemas", "content", "encoding",
    "mapping", "variables",
})


def is_literal(holder: str) -> bool:
    """Whether the JSON pointer ``holder`` lies inside a literal value (an example, a default,
    an enum, a const, an ``x-`` extension), where a ``$ref`` key is data, not a reference."""
    tokens = [unescape(t) for t in holder.split("/")[1:]]
    for i, token in enumerate(tokens):
        if i and tokens[i - 1] in _NAME_MAPS and not (tokens[i - 1] == "examples" and token.isdigit()):
            continue  # a name, not a keyword
        if token in _LITERAL_KEYWORDS or token.startswith("x-"):
            return True
        if token == "value" and i >= 2 and tokens[i - 2] == "examples":
            return True  # an Example Object's value
        if token == "examples" and i + 1 < len(tokens) and tokens[i + 1].isdigit():
            return True  # JSON Schema's `examples` array
    return False


# A `"$ref": "..."` member in JSON text. (Text inside a string would have escaped quotes; a
# false match there only sends the document down the full walk.)
_JSON_REF = re.compile(rb'"\$ref"\s*:\s*"([^"\\]*(?:\\.[^"\\]*)*)"')
# The letters of "$ref" written as \u escapes would hide a member from the pattern above.
_ESCAPED_REF_KEY = re.compile(rb"\\u00(?:24|72|65|66)", re.I)


def _all_local_and_resolvable(data: Any, raw: bytes) -> bool:
    """Fast path for JSON text (GitHub's 13 MB has 60,000 ``$ref``s): collect the distinct refs
    with one C-speed regex pass and resolve each once. False means "look closer": the full walk
    then finds the holder for its one-line error."""
    if _ESCAPED_REF_KEY.search(raw):
        return False
    for literal in set(_JSON_REF.findall(raw)):
        ref = literal.decode("utf-8", "replace")
        if "\\" in ref:
            ref = json.loads(f'"{ref}"')
        if not is_local(ref):
            return False
        try:
            resolve_pointer(data, ref)
        except KeyError:
            return False
    return True


def check_refs(
    data: Any,
    *,
    source: str,
    allow_external: bool = False,
    raw: bytes | None = None,
    fmt: str = "json",
) -> list[tuple[str, str]]:
    """Check that every local ``$ref`` resolves and that no external one is present.

    ``$ref`` keys inside literal values (examples, defaults, enums, extensions) are data and are
    not checked. Pass the JSON source text as ``raw`` for a fast path on large documents.
    Returns the external references (holder pointer, ref) when ``allow_external`` is true, for a
    caller that will resolve them; raises :class:`RefError` otherwise.
    """
    if raw is not None and fmt == "json" and _all_local_and_resolvable(data, raw):
        return []
    external: list[tuple[str, str]] = []
    seen: dict[str, bool] = {}
    for holder, ref in iter_refs(data):
        if is_literal(holder):
            continue
        if is_local(ref):
            ok = seen.get(ref)
            if ok is None:
                try:
                    resolve_pointer(data, ref)
                    ok = True
                except KeyError:
                    ok = False
                seen[ref] = ok
            if not ok:
                raise RefError(f"$ref '{ref}' points to nothing in this document", source=source, where=holder)
        elif allow_external:
            external.append((holder, ref))
        else:
            raise RefError(
                f"external $ref '{ref}' is not followed (pass --allow-external-refs to read files "
                "below the spec's directory)",
                source=source,
                where=holder,
            )
    return external
