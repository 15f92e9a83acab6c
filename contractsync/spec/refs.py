"""``$ref`` handling for untrusted documents.

Local references (``#/components/schemas/Book``) are resolved against the document itself.
External references (``other.yaml#/X``, ``https://…``) are never followed here: the network and the
file system are not touched because a document says so. :func:`check_refs` reports a missing
target or an external reference as a one-line error naming the pointer that holds the ``$ref``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

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


def resolve_pointer(data: Any, pointer: str) -> Any:
    """The value at JSON pointer ``pointer`` (``""`` or ``"/a/b"``); raises ``KeyError``."""
    if pointer in ("", "#"):
        return data
    if pointer.startswith("#"):
        pointer = pointer[1:]
    if not pointer.startswith("/"):
        raise KeyError(pointer)
    node = data
    for raw in pointer[1:].split("/"):
        token = unescape(raw).replace("%25", "%").replace("%7B", "{").replace("%7D", "}")
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


def check_refs(data: Any, *, source: str, allow_external: bool = False) -> list[tuple[str, str]]:
    """Check that every local ``$ref`` resolves and that no external one is present.

    Returns the external references (holder pointer, ref) when ``allow_external`` is true, for a
    caller that will bundle them; raises :class:`RefError` otherwise.
    """
    external: list[tuple[str, str]] = []
    seen: dict[str, bool] = {}
    for holder, ref in iter_refs(data):
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
