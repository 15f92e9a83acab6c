"""Documentation-only edits: descriptions, summaries, titles and examples that changed.

They change nothing a client sends or receives, so they are no API change; a diff counts them
(``no API changes (3 documentation-only edits)``) and lists them as ``documentation-changed``
changes only when asked (``DiffOptions.include_docs``, ``diff --include-docs``).

Both documents are walked in parallel, descending only where they differ (one C-level ``==``
per shared key skips identical subtrees). Keys of *maps of names* (``properties``, ``paths``,
``responses``, ``components.schemas``…) are names, never keywords: a property called
``description`` is not an annotation.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..spec.refs import escape

#: Keywords that document and never constrain.
DOC_KEYWORDS = frozenset({"description", "summary", "title", "example", "examples",
                          "externalDocs", "$comment"})
#: Keywords whose value maps author-chosen names to objects.
_NAME_MAPS = frozenset({
    "paths", "webhooks", "properties", "patternProperties", "dependentSchemas", "$defs",
    "definitions", "schemas", "responses", "parameters", "requestBodies", "headers",
    "securitySchemes", "links", "callbacks", "pathItems", "content", "encoding", "variables",
    "mapping", "scopes",
})
_METHODS = frozenset({"get", "put", "post", "delete", "options", "head", "patch", "trace"})
MAX_EDITS = 10_000
"""Edits counted at most (a rewrite of every description of a huge document stops here)."""


@dataclass(frozen=True)
class DocEdit:
    """One documentation keyword that was added, removed or changed."""

    base_pointer: str
    """Where the keyword's holder sits in the old document."""
    revision_pointer: str
    """Where it sits in the new one (list items such as parameters match by name, so the two
    can differ)."""
    keyword: str
    base: bool
    """The keyword exists in the old document."""
    revision: bool
    """The keyword exists in the new document."""

    @property
    def subject(self) -> str:
        """The operation or component the edit belongs to (``GET /books``,
        ``components.schemas.Book``), else the top-level section (``info``)."""
        return self._split()[0]

    @property
    def detail(self) -> str:
        """Where inside the subject, dotted, ending with the keyword
        (``responses.200.description``)."""
        rest = self._split()[1]
        return ".".join([*rest, self.keyword])

    def _split(self) -> tuple[str, list[str]]:
        tokens = [t.replace("~1", "/").replace("~0", "~")
                  for t in self.revision_pointer.split("/")[1:]]
        if len(tokens) >= 3 and tokens[0] in ("paths", "webhooks") and tokens[2] in _METHODS:
            where = tokens[1] if tokens[0] == "paths" else f"webhook {tokens[1]}"
            return f"{tokens[2].upper()} {where}", tokens[3:]
        if len(tokens) >= 2 and tokens[0] in ("paths", "webhooks"):
            return (tokens[1] if tokens[0] == "paths" else f"webhook {tokens[1]}"), tokens[2:]
        if len(tokens) >= 3 and tokens[0] == "components":
            return f"components.{tokens[1]}.{tokens[2]}", tokens[3:]
        return (tokens[0], tokens[1:]) if tokens else ("(document)", [])

    @property
    def verb(self) -> str:
        return "changed" if self.base and self.revision else "added" if self.revision else "removed"


def _item_key(item: Any) -> Any:
    """How a list item is identified across versions: a parameter or tag by its name (and
    location), anything else by its position."""
    if isinstance(item, dict) and isinstance(item.get("name"), str):
        return (item["name"], item.get("in"))
    return None


def _pairs(a: list[Any], b: list[Any]) -> list[tuple[int, int]]:
    keys_a = [_item_key(x) for x in a]
    keys_b = [_item_key(x) for x in b]
    if any(k is None for k in keys_a + keys_b) or len(set(keys_a)) != len(keys_a) \
            or len(set(keys_b)) != len(keys_b):
        return [(i, i) for i in range(min(len(a), len(b)))]
    where = {k: j for j, k in enumerate(keys_b)}
    return [(i, where[k]) for i, k in enumerate(keys_a) if k in where]


def documentation_edits(old: Any, new: Any) -> list[DocEdit]:
    """Every documentation keyword that differs between ``old`` and ``new``, in document order."""
    out: list[DocEdit] = []
    stack: list[tuple[Any, Any, str, str, bool]] = [(old, new, "", "", False)]
    while stack and len(out) < MAX_EDITS:
        a, b, optr, nptr, names = stack.pop()
        if a is b:
            continue
        try:
            if a == b:
                continue
        except RecursionError:
            continue
        if isinstance(a, dict) and isinstance(b, dict):
            children: list[tuple[Any, Any, str, str, bool]] = []
            for key in dict.fromkeys([*a, *b]):
                if not isinstance(key, str):
                    continue
                if not names and key in DOC_KEYWORDS:
                    if key not in a or key not in b or a[key] != b[key]:
                        out.append(DocEdit(optr, nptr, key, key in a, key in b))
                    continue
                if key in a and key in b:
                    token = escape(key)
                    children.append((a[key], b[key], f"{optr}/{token}", f"{nptr}/{token}",
                                     not names and key in _NAME_MAPS))
            stack.extend(reversed(children))
        elif isinstance(a, list) and isinstance(b, list):
            stack.extend(reversed([(a[i], b[j], f"{optr}/{i}", f"{nptr}/{j}", False)
                                   for i, j in _pairs(a, b)]))
    return out
