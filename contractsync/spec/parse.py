"""Bytes in, plain JSON-compatible Python data out: JSON via orjson, YAML via libyaml.

Everything here treats its input as untrusted: a binary file, an empty file, a YAML alias bomb or
a document nested 100,000 levels deep ends in a :class:`~contractsync.errors.SpecLoadError` that
names the source and the place, never in a ``MemoryError`` or a ``RecursionError``.

One policy for every document contractsync reads (specs, ``changelog.json``,
``announcements.yaml``), whatever its syntax (#13): at most :data:`MAX_DEPTH` levels of nesting,
refused with the same message; only JSON values (a YAML ``!!set``, ``!!omap``, ``.nan`` or
``.inf`` is refused where it is written); integers of any size kept exact.
"""

from __future__ import annotations

import contextlib
import json
import math
import re
from typing import Any, ClassVar, Literal

import orjson
import yaml

from ..errors import SpecLoadError

Format = Literal["json", "yaml"]

#: Deepest nesting accepted in any document, JSON or YAML (the top-level object is level 1).
#: Real descriptions stay below 30 (GitHub's: 21). Every consumer (canonical JSON, whose orjson
#: writer stops at 254; the diff; the TypeScript emitter; the validator) handles this depth.
MAX_DEPTH = 200
DEPTH_MESSAGE = f"nested too deeply (limit {MAX_DEPTH} levels)"
#: Most nodes a YAML document may expand to once aliases are followed. GitHub's 13 MB description
#: has about 1.2 M nodes; a billion-laughs document has 10^9 and must be refused before anything
#: walks it.
MAX_EXPANDED_NODES = 20_000_000
#: ... and, relative to its size, at most this many nodes per byte of YAML text (plus a floor), so a
#: kilobyte of aliases cannot make the emitter write hundreds of megabytes (#13). Plain YAML has
#: about one node per 10 bytes; a description that reuses anchors stays far below the bound.
MAX_NODES_PER_BYTE = 10
MIN_EXPANSION_BOUND = 100_000

_BINARY_SNIFF = 8192


def detect_format(raw: bytes, name_hint: str = "") -> Format:
    """Guess JSON or YAML: by extension, else by the first non-blank character."""
    lower = name_hint.lower()
    if lower.endswith(".json"):
        return "json"
    if lower.endswith((".yaml", ".yml")):
        return "yaml"
    head = raw.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    return "json" if head in (b"{", b"[") else "yaml"


def parse_bytes(raw: bytes, *, source: str, fmt: Format | None = None) -> Any:
    """Parse a whole document. ``source`` names the input in error messages."""
    if b"\x00" in raw[:_BINARY_SNIFF]:
        raise SpecLoadError("is a binary file, not a JSON or YAML document", source=source)
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    if not raw.strip():
        raise SpecLoadError("is empty", source=source)
    if fmt is None:
        fmt = detect_format(raw, source)
    if fmt == "json":
        data = load_json(raw, source=source)
        check_depth(data, source=source, raw=raw, fmt="json")
        return data
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise SpecLoadError("is not UTF-8 text (a binary file?)", source=source, where=str(line)) from None
    return load_yaml(text, source=source, raw=raw)


# An integer literal orjson cannot hold exactly (it turns those past 64 bits into floats). Digits
# inside a string can match too; that only costs the slower exact parse.
_LONG_INT = re.compile(rb"(?<![0-9.eE+\-])-?[0-9]{19,}(?![0-9.eE])")
_INT64 = range(-(2**63), 2**64)


def load_json(raw: bytes, *, source: str) -> Any:
    """JSON text to data (orjson), integers of any size kept exact."""
    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        msg = str(exc.msg) if hasattr(exc, "msg") else str(exc)
        if "depth" in msg or "recursion" in msg.lower():
            raise SpecLoadError(DEPTH_MESSAGE, source=source, where=f"{exc.lineno}:{exc.colno}") from None
        raise SpecLoadError(f"invalid JSON: {msg}", source=source, where=f"{exc.lineno}:{exc.colno}") from None
    if any(len(m.group()) > 21 or int(m.group()) not in _INT64 for m in _LONG_INT.finditer(raw)):
        # orjson made a float of an integer beyond 64 bits: read it again with exact integers.
        try:
            data = json.loads(raw.decode("utf-8"))
        except RecursionError:
            raise SpecLoadError(DEPTH_MESSAGE, source=source) from None
        except ValueError as exc:  # an integer longer than Python converts (4,300 digits)
            raise SpecLoadError(f"invalid JSON: {exc}", source=source) from None
    return data


def _too_deep_pointer(data: Any) -> str:
    """The JSON pointer of the first node nested deeper than :data:`MAX_DEPTH` (depth-first)."""
    stack: list[tuple[Any, int, str]] = [(data, 1, "")]
    while stack:
        node, depth, ptr = stack.pop()
        if depth > MAX_DEPTH:
            return ptr or "/"
        items = node.items() if isinstance(node, dict) else enumerate(node)
        for key, child in items:
            if isinstance(child, (dict, list)):
                token = str(key).replace("~", "~0").replace("/", "~1")
                stack.append((child, depth + 1, f"{ptr}/{token}"))
    return "/"


def _too_deep(data: Any, source: str, raw: bytes | None, fmt: Format) -> SpecLoadError:
    """The error for data nested too deeply, placed at line:column when the text is at hand."""
    pointer = _too_deep_pointer(data)
    if raw is not None:
        from .locate import locate_pointer

        position = locate_pointer(raw, fmt, pointer)
        if position is not None:
            return SpecLoadError(DEPTH_MESSAGE, source=source, where=str(position))
    tokens = pointer.split("/")
    if len(tokens) > 12:
        pointer = "/".join([*tokens[:6], f"…({len(tokens) - 9} more)…", *tokens[-3:]])
    return SpecLoadError(DEPTH_MESSAGE, source=source, where=pointer)


def check_depth(data: Any, *, source: str, raw: bytes | None = None, fmt: Format = "json") -> None:
    """Refuse data nested deeper than :data:`MAX_DEPTH`, naming the first place that is."""
    stack: list[tuple[Any, int]] = [(data, 1)]
    pop, push = stack.pop, stack.append
    while stack:
        node, depth = pop()
        if depth > MAX_DEPTH:
            raise _too_deep(data, source, raw, fmt)
        for child in node.values() if isinstance(node, dict) else node if isinstance(node, list) else ():
            if isinstance(child, (dict, list)):
                push((child, depth + 1))


def duplicate_keys(raw: bytes, fmt: Format) -> list[tuple[str | None, str]]:
    """``(line:column or None, key)`` for every key written twice in one object. Parsers keep the
    last one silently; ``validate`` warns (#13). The text must already have parsed."""
    found: list[tuple[str | None, str]] = []
    if fmt == "json":
        def hook(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
            seen: set[str] = set()
            for key, _ in pairs:
                if key in seen:
                    found.append((None, key))
                seen.add(key)
            return dict(pairs)

        with contextlib.suppress(ValueError, RecursionError):
            json.loads(raw.decode("utf-8", "replace"), object_pairs_hook=hook)
        return found
    try:
        node = yaml.compose(raw.decode("utf-8", "replace"), Loader=_SpecLoader)
    except (yaml.YAMLError, RecursionError):
        return found
    stack = [node] if node is not None else []
    seen_nodes: set[int] = set()
    while stack:
        current = stack.pop()
        if id(current) in seen_nodes:
            continue
        seen_nodes.add(id(current))
        if isinstance(current, yaml.MappingNode):
            keys: set[str] = set()
            for key_node, value_node in current.value:
                if isinstance(key_node, yaml.ScalarNode):
                    if key_node.value in keys and key_node.value != "<<":
                        mark = key_node.start_mark
                        found.append((f"{mark.line + 1}:{mark.column + 1}", str(key_node.value)))
                    keys.add(key_node.value)
                stack.append(value_node)
        elif isinstance(current, yaml.SequenceNode):
            stack.extend(current.value)
    return found


# --- YAML ------------------------------------------------------------------------------------
#
# The YAML 1.2 core schema, not PyYAML's 1.1 default: `2024-01-01` stays a string (OpenAPI has no
# date type and the corpus has unquoted dates), `yes`/`on` stay strings, `010` is ten not eight.
# Mapping keys are always the text as written (`200:` is the string "200", as JSON would have it).

_Loader: type[yaml.SafeLoader]
try:
    _Loader = yaml.CSafeLoader  # type: ignore[assignment]  # libyaml: ~10x faster
except AttributeError:  # pragma: no cover - PyYAML built without libyaml
    _Loader = yaml.SafeLoader


class _SpecLoader(_Loader):  # type: ignore[misc,valid-type]
    """Safe loader with the YAML 1.2 core schema and string keys."""

    yaml_implicit_resolvers: ClassVar[dict[str, list[tuple[str, re.Pattern[str]]]]] = {}


def _add(tag: str, pattern: str, first: str) -> None:
    _SpecLoader.add_implicit_resolver(tag, re.compile(pattern, re.X), list(first))


_add("tag:yaml.org,2002:merge", r"^(?:<<)$", "<")
_add("tag:yaml.org,2002:bool", r"^(?:true|True|TRUE|false|False|FALSE)$", "tTfF")
_add("tag:yaml.org,2002:null", r"^(?:~|null|Null|NULL|)$", "~nN\x00")
_add("tag:yaml.org,2002:int", r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$", "-+0123456789")
_add(
    "tag:yaml.org,2002:float",
    r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$",
    "-+0123456789.",
)
# An empty plain scalar (`key:`) is null; the resolver above lists "" but PyYAML needs the None key.
_SpecLoader.yaml_implicit_resolvers.setdefault("", []).append(
    ("tag:yaml.org,2002:null", re.compile(r"^$"))
)


def _construct_int(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> int:
    value = str(loader.construct_scalar(node)).replace("_", "")
    if value.startswith(("0o", "0O")):
        return int(value[2:], 8)
    if value.startswith(("0x", "0X")):
        return int(value[2:], 16)
    return int(value, 10)


# Keys whose values OpenAPI defines as strings, which people still write unquoted (`version: 1.10`).
_STRING_VALUED_KEYS = frozenset({"openapi", "version", "swagger"})


def _construct_mapping(
    loader: yaml.SafeLoader, node: yaml.MappingNode, deep: bool = False
) -> dict[str, Any]:
    loader.flatten_mapping(node)
    out: dict[str, Any] = {}
    for key_node, value_node in node.value:
        if isinstance(key_node, yaml.ScalarNode):
            key = str(key_node.value)
        else:
            raise yaml.constructor.ConstructorError(
                None, None, "a mapping key must be a plain value", key_node.start_mark
            )
        if (
            key in _STRING_VALUED_KEYS
            and isinstance(value_node, yaml.ScalarNode)
            and value_node.tag != "tag:yaml.org,2002:null"
        ):
            out[key] = str(value_node.value)
        else:
            out[key] = loader.construct_object(value_node, deep=deep)
    return out


def _construct_float(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> float:
    value = loader.construct_yaml_float(node)
    if not math.isfinite(value):
        raise yaml.constructor.ConstructorError(
            None, None, f"{node.value} is not a JSON value (JSON has no NaN or infinity)", node.start_mark)
    return value


def _refuse_non_json(loader: yaml.SafeLoader, node: yaml.Node) -> Any:
    kind = node.tag.rsplit(":", 1)[-1]
    raise yaml.constructor.ConstructorError(
        None, None, f"!!{kind} is not a JSON value (write a mapping or a sequence)", node.start_mark)


_SpecLoader.add_constructor("tag:yaml.org,2002:int", _construct_int)
_SpecLoader.add_constructor("tag:yaml.org,2002:float", _construct_float)
_SpecLoader.add_constructor("tag:yaml.org,2002:map", _construct_mapping)
# Explicit `!!timestamp` / `!!binary` tags are rare in specs; keep their text.
for _tag in ("tag:yaml.org,2002:timestamp", "tag:yaml.org,2002:binary"):
    _SpecLoader.add_constructor(_tag, lambda loader, node: str(loader.construct_scalar(node)))
# A set or an ordered list of pairs has no JSON form: refused where it is written.
for _tag in ("tag:yaml.org,2002:set", "tag:yaml.org,2002:omap", "tag:yaml.org,2002:pairs"):
    _SpecLoader.add_constructor(_tag, _refuse_non_json)


def load_yaml(text: str, *, source: str, raw: bytes | None = None) -> Any:
    """Load one YAML document safely; aliases may not expand past :data:`MAX_EXPANDED_NODES`."""
    try:
        data = yaml.load(text, Loader=_SpecLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"{mark.line + 1}:{mark.column + 1}" if mark else None
        problem = exc.problem or exc.context or "invalid YAML"
        raise SpecLoadError(f"invalid YAML: {problem}", source=source, where=where) from None
    except yaml.YAMLError as exc:
        raise SpecLoadError(f"invalid YAML: {exc}", source=source) from None
    except RecursionError:
        raise SpecLoadError(DEPTH_MESSAGE, source=source) from None
    check_expansion(data, source=source, raw=raw)
    return data


def check_expansion(data: Any, *, source: str, raw: bytes | None = None) -> None:
    """Refuse cyclic aliases, over-deep nesting and alias bombs in a loaded YAML document.

    YAML aliases make the loaded value a DAG whose shared parts cost nothing in memory but are
    re-walked by everything downstream (canonical JSON, the diff, the TypeScript emitter). Count
    the expanded size with memoisation over shared nodes: linear in the loaded size.
    """
    limit = MAX_EXPANDED_NODES
    if raw is not None:
        limit = min(limit, max(MIN_EXPANSION_BOUND, MAX_NODES_PER_BYTE * len(raw)))
    sizes: dict[int, int] = {}
    on_path: set[int] = set()
    # Iterative post-order walk: (node, depth, children_done)
    stack: list[tuple[Any, int, bool]] = [(data, 1, False)]
    while stack:
        node, depth, done = stack.pop()
        if not isinstance(node, (dict, list)):
            continue
        key = id(node)
        if done:
            on_path.discard(key)
            children = node.values() if isinstance(node, dict) else node
            total = 1
            for child in children:
                if isinstance(child, (dict, list)):
                    total += sizes[id(child)]
                else:
                    total += 1
            if total > limit:
                raise SpecLoadError(
                    f"expands to more than {limit:,} nodes through YAML aliases "
                    f"(at most {MAX_NODES_PER_BYTE} per byte of text, {MAX_EXPANDED_NODES:,} in all; "
                    "an alias bomb?)",
                    source=source,
                )
            sizes[key] = total
            continue
        if key in sizes:
            continue
        if key in on_path:
            raise SpecLoadError("contains a YAML alias that refers to itself", source=source)
        if depth > MAX_DEPTH:
            raise _too_deep(data, source, raw, "yaml")
        on_path.add(key)
        stack.append((node, depth, True))
        children = node.values() if isinstance(node, dict) else node
        for child in children:
            if isinstance(child, (dict, list)):
                stack.append((child, depth + 1, False))
