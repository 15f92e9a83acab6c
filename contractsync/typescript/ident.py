"""Names in the generated file: property keys, string literals and exported identifiers.

Everything that comes from the contract (schema names, property names, enum values, path keys)
passes through here before it reaches the output, so a hostile name can never break the file:
keys are quoted unless they are plain identifiers, literals are JSON-escaped (plus the two line
separators JSON allows raw but older JavaScript did not), and exported identifiers are built to be
valid, not reserved and unique.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections.abc import Iterable

_PLAIN_KEY = re.compile(r"^[A-Za-z_$][A-Za-z0-9_$]*$")
_NUMERIC_KEY = re.compile(r"^(?:0|[1-9][0-9]{0,14})$")

#: Words that cannot name a type (JavaScript reserved words, TypeScript's predefined type names)
#: plus the globals and top-level names the generated file itself relies on: an alias named
#: ``Record`` or ``Blob`` would shadow the type we use to express bare objects and uploads.
RESERVED_NAMES: frozenset[str] = frozenset(
    {
        # ECMAScript reserved words and strict-mode reserved words
        "break", "case", "catch", "class", "const", "continue", "debugger", "default", "delete",
        "do", "else", "enum", "export", "extends", "false", "finally", "for", "function", "if",
        "import", "in", "instanceof", "new", "null", "return", "super", "switch", "this", "throw",
        "true", "try", "typeof", "var", "void", "while", "with", "implements", "interface", "let",
        "package", "private", "protected", "public", "static", "yield", "await", "arguments",
        "eval",
        # TypeScript predefined types and contextual keywords that cannot name a type
        "any", "unknown", "never", "object", "string", "number", "boolean", "symbol", "bigint",
        "undefined", "as", "satisfies", "keyof", "infer", "is", "asserts", "unique", "readonly",
        "type", "declare", "namespace", "module", "abstract", "accessor", "out", "intrinsic",
        # globals the generated file uses
        "Record", "Blob", "Array", "ReadonlyArray", "Exclude", "Extract", "Omit", "Pick",
        "Partial", "Required", "Readonly", "NonNullable", "PropertyKey", "Object", "String",
        "Number", "Boolean", "Symbol", "Date", "File", "Function", "Promise", "Error",
        # the file's own top-level names
        "paths", "webhooks", "components", "operations", "requestSchemas", "$defs", "WithRequired",
    }
)


#: Characters that change how text *displays* without being visible: bidirectional overrides
#: and isolates (a "Trojan Source" trick, CVE-2021-42574), zero-width characters, the BOM. They
#: are escaped wherever contract text reaches the generated file, so a reviewer sees them (#13).
INVISIBLE = frozenset("\u061c\u200b\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e"
                      "\u2060\u2066\u2067\u2068\u2069\ufeff")
_ESCAPE_INVISIBLE = {ord(ch): f"\\u{ord(ch):04x}" for ch in INVISIBLE}


def escape_invisible(text: str) -> str:
    """``text`` with every :data:`INVISIBLE` character written as a ``\\uXXXX`` escape."""
    return text.translate(_ESCAPE_INVISIBLE) if not INVISIBLE.isdisjoint(text) else text


def string_literal(value: str) -> str:
    """``value`` as a TypeScript string literal that is valid whatever it contains."""
    text = escape_invisible(json.dumps(value, ensure_ascii=False))
    if "\u2028" in text or "\u2029" in text:
        text = text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # lone surrogates from a JSON "\\ud800" escape
        text = json.dumps(value, ensure_ascii=True)
    return text


def property_key(name: str) -> str:
    """A property name as written in a type literal: bare when it is a plain identifier or a
    canonical integer (how openapi-fetch expects status codes), quoted otherwise."""
    if _PLAIN_KEY.match(name) or _NUMERIC_KEY.match(name):
        return name
    return string_literal(name)


def index_key(name: str) -> str:
    """The ``["name"]`` part of an indexed-access type for ``name``."""
    return "[" + string_literal(name) + "]"


def literal(value: object) -> str | None:
    """A JSON value as a TypeScript literal type, or ``None`` when no literal type exists for it
    (a non-finite or unsafe number: the caller widens to ``number``)."""
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, str):
        return string_literal(value)
    if isinstance(value, int):
        if abs(value) >= 2**53:
            return None
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value) or abs(value) >= 2**53:
            return None
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, list):
        parts = [literal(item) or "number" for item in value]
        return "[" + ", ".join(parts) + "]"
    if isinstance(value, dict):
        if not value:
            return "Record<string, never>"
        parts = [f"{property_key(str(k))}: {literal(v) or 'number'}" for k, v in value.items()]
        return "{ " + "; ".join(parts) + " }"
    return None


def _is_start(ch: str) -> bool:
    return ch == "$" or ch == "_" or ch.isidentifier()


def _is_part(ch: str) -> bool:
    return ch == "$" or ("a" + ch).isidentifier()


def pascal_identifier(name: str) -> str:
    """``name`` turned into a PascalCase identifier: separators and characters that cannot appear
    in an identifier split words (``Book-Input`` → ``BookInput``, ``body_upload`` → ``BodyUpload``).
    May return ``""`` when nothing usable is left; the caller picks a fallback."""
    words: list[str] = []
    current: list[str] = []
    for ch in name:
        if _is_part(ch) and ch not in "_$":
            current.append(ch)
        elif current:
            words.append("".join(current))
            current = []
    if current:
        words.append("".join(current))
    out = "".join(word[:1].upper() + word[1:] for word in words)
    if out and not _is_start(out[0]):
        out = "_" + out
    return out


def is_plain_identifier(name: str) -> bool:
    """True when ``name`` can be exported as written: an identifier without ``$`` that is not
    reserved. Such a schema name is its own alias."""
    return (
        bool(name)
        and "$" not in name
        and _is_start(name[0])
        and all(_is_part(ch) for ch in name[1:])
        and name not in RESERVED_NAMES
    )


def derived_alias(name: str) -> str:
    """The alias of a schema whose name cannot be exported as written (``Book-Input``, ``1st``,
    ``Record``): every character that cannot appear in an identifier becomes ``$`` and a reserved
    word gets a trailing ``$`` (``Book$Input``, ``$1st``, ``Record$``).

    The result always contains a ``$``, which no plain name does, so a derived alias can never be
    taken over by a schema added later under a plain name.
    """
    out = "".join(ch if _is_part(ch) and ch != "$" else "$" for ch in name)
    if not out or not _is_start(out[0]):
        out = "$" + out
    if "$" not in out:
        out += "$"
    return out


def schema_aliases(names: Iterable[str]) -> dict[str, str]:
    """The exported alias of every component schema name, each a function of its own name.

    A plain identifier keeps its name; any other name gets :func:`derived_alias`. Only when two
    names in the same document derive the same alias (``a.b`` and ``a-b``) do both get a suffix
    from a hash of their own name (``a$b$h1f0c2a9e``): an alias then disappears, it never points
    to another schema. Adding or removing a schema therefore never re-points an existing alias.
    """
    names = list(names)
    wanted = {n: (n if is_plain_identifier(n) else derived_alias(n)) for n in names}
    counts: dict[str, int] = {}
    for alias in wanted.values():
        counts[alias] = counts.get(alias, 0) + 1
    out: dict[str, str] = {}
    taken = {a for a, c in counts.items() if c == 1}
    for n in names:
        alias = wanted[n]
        if counts[alias] > 1:
            digest = hashlib.sha256(n.encode("utf-8", "surrogatepass")).hexdigest()
            for width in (8, 16, 64):
                candidate = f"{alias}$h{digest[:width]}"
                if candidate not in taken:
                    break
            alias = candidate
            taken.add(alias)
        out[n] = alias
    return out


class NameAllocator:
    """Hands out unique exported identifiers; reserved words and earlier names are never reused.

    A taken name gets a numeric suffix (``Book``, ``Book_2``, ``Book_3`` …) so the same set of
    requests always produces the same names.
    """

    def __init__(self, reserved: frozenset[str] = RESERVED_NAMES) -> None:
        self._taken: set[str] = set(reserved)

    def reserve(self, name: str) -> None:
        """Mark ``name`` as taken (an alias chosen elsewhere)."""
        self._taken.add(name)

    def allocate(self, wanted: str, fallback: str = "Schema") -> str:
        """Reserve and return the identifier closest to ``wanted``."""
        base = pascal_identifier(wanted) or fallback
        if base not in self._taken:
            self._taken.add(base)
            return base
        n = 2
        while f"{base}_{n}" in self._taken:
            n += 1
        name = f"{base}_{n}"
        self._taken.add(name)
        return name
