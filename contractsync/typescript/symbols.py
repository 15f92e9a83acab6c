"""The symbol map: which lines of a generated ``.ts`` file come from which part of the contract.

The emitter records, for every top-level member it writes (a path, an operation, a component
schema, a request view, an alias), the contract name and JSON pointer it came from and the lines it
occupies. :func:`nested_symbols` then walks the members of each schema and operation and records
the properties (at any depth of inline objects), the parameters (per location), the responses (per
status) and the request/response body properties they declare, each with its precise JSON pointer
and the TypeScript object it is a member of (its *group*). Frontend impact analysis
(:mod:`contractsync.impact`) reads the map to tie a compiler error back to the schema, property,
parameter, operation or enum it is about.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

SymbolKind = Literal["path", "webhook", "schema", "request-schema", "operation", "alias", "enum",
                     "property", "parameter", "response", "enum-member"]
#: The kinds :func:`nested_symbols` records inside a top-level declaration.
NESTED_KINDS: frozenset[str] = frozenset({"property", "parameter", "response", "enum-member"})

#: The key of a member line: ``    "/books/{id}": {``, ``        Book: {`` or ``            200: {``.
_KEY = re.compile(r'^\s*(?:readonly\s+)?("(?:[^"\\]|\\.)*"|[A-Za-z_$][\w$]*|\d+)\??:')


@dataclass(frozen=True)
class TsSymbol:
    """One generated declaration and where it came from."""

    kind: SymbolKind
    name: str
    """The contract's name: schema name, operationId, path template."""
    ts: str
    """How TypeScript code names it: ``components["schemas"]["Book"]``, ``Book``, ``operations["x"]``."""
    pointer: str
    """JSON pointer into the contract (``#/components/schemas/Book``)."""
    start: int
    """First line (1-based) in the generated file, JSDoc included."""
    end: int
    """Last line (inclusive)."""
    group: str = ""
    """For a nested symbol: the TypeScript object it is a member of
    (``components["schemas"]["Author"]``, ``operations["list"]["parameters"]["query"]``)."""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class SymbolMap:
    """Every :class:`TsSymbol` of one generated file, ordered by line."""

    symbols: list[TsSymbol] = field(default_factory=list)

    def __iter__(self) -> Iterator[TsSymbol]:
        return iter(self.symbols)

    def __len__(self) -> int:
        return len(self.symbols)

    def at(self, line: int) -> list[TsSymbol]:
        """The symbols whose lines contain ``line``, innermost (shortest) first."""
        hits = [s for s in self.symbols if s.start <= line <= s.end]
        return sorted(hits, key=lambda s: s.end - s.start)

    def named(self, name: str) -> list[TsSymbol]:
        """Symbols whose contract name or TypeScript name is ``name``."""
        return [s for s in self.symbols if name in (s.name, s.ts)]

    def at_pointer(self, pointer: str) -> TsSymbol | None:
        """The nested symbol whose pointer is ``pointer`` or its nearest ancestor (a change at
        ``…/properties/sort/schema/enum`` is about the property ``sort``)."""
        index = self._index()
        want = _norm(pointer)
        while want:
            found = index.get(want)
            if found is not None:
                return found
            want = want.rpartition("/")[0]
        return None

    def enum_members(self, value: str) -> list[TsSymbol]:
        """The ``export enum`` members that stand for ``value``."""
        return [s for s in self._index_members().get(value, []) if s.kind == "enum-member"]

    def _index(self) -> dict[str, TsSymbol]:
        cached: dict[str, TsSymbol] | None = self.__dict__.get("_by_pointer")
        if cached is None:
            cached = {}
            for s in self.symbols:
                if s.kind in NESTED_KINDS:
                    cached.setdefault(_norm(s.pointer), s)
            self.__dict__["_by_pointer"] = cached
        return cached

    def _index_members(self) -> dict[str, list[TsSymbol]]:
        cached: dict[str, list[TsSymbol]] | None = self.__dict__.get("_by_value")
        if cached is None:
            cached = {}
            for s in self.symbols:
                if s.kind == "enum-member":
                    cached.setdefault(s.name, []).append(s)
            self.__dict__["_by_value"] = cached
        return cached

    def groups(self) -> dict[str, list[str]]:
        """Every TypeScript object the map knows the members of: group → member keys in order."""
        cached: dict[str, list[str]] | None = self.__dict__.get("_groups")
        if cached is None:
            cached = {}
            for s in self.symbols:
                if s.group and s.kind != "enum-member":
                    cached.setdefault(s.group, []).append(s.name)
            self.__dict__["_groups"] = cached
        return {group: list(keys) for group, keys in cached.items()}

    def aliases_of(self, schema: str) -> list[str]:
        """The alias identifiers (``Book``, ``BookRequest``) that name component schema ``schema``."""
        return [s.ts for s in self.symbols if s.kind in ("alias", "enum") and s.name == schema]

    def to_json(self) -> str:
        """The sidecar form (``generate typescript --symbols FILE``): ``{"symbols": [...]}``."""
        return json.dumps({"symbols": [s.to_dict() for s in self.symbols]}, indent=1) + "\n"

    @classmethod
    def from_json(cls, text: str) -> SymbolMap:
        data = json.loads(text)
        return cls([TsSymbol(**item) for item in data["symbols"]])


def member_key(member: str) -> str | None:
    """The property key a generated member declares (its first line that is not JSDoc)."""
    for line in member.splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith(("/**", "*", "*/")):
            continue
        m = _KEY.match(line)
        if m is None:
            return None
        key = m.group(1)
        return str(json.loads(key)) if key.startswith('"') else key
    return None


class LineRecorder:
    """Counts lines while the emitter appends text, so members can be located."""

    def __init__(self) -> None:
        self.line = 1
        self.symbols: list[TsSymbol] = []

    def advance(self, text: str) -> None:
        self.line += text.count("\n")

    def members(self, first_line: int, members: Iterable[str], kind: SymbolKind,
                ts: str, pointer: str) -> None:
        """Record ``members`` written one after another from ``first_line``; ``ts`` and
        ``pointer`` are templates with ``{key}`` / ``{ptr}`` for the member's key."""
        line = first_line
        for member in members:
            lines = member.count("\n")
            key = member_key(member)
            if key is not None:
                self.symbols.append(TsSymbol(kind, key, ts.format(key=json.dumps(key)),
                                             pointer + _escape(key), line, line + lines - 1))
            line += lines

    def finish(self) -> SymbolMap:
        return SymbolMap(sorted(self.symbols, key=lambda s: (s.start, s.end)))


def _escape(segment: str) -> str:
    return segment.replace("~", "~0").replace("/", "~1")


def _norm(pointer: str) -> str:
    return pointer.removeprefix("#")


#: How deep nested members are followed (inline objects inside inline objects …).
_MAX_DEPTH = 32


#: String literals of a generated line (keys such as ``"x-id"``, literal types such as ``"{"``).
_STRINGS = re.compile(r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'|`(?:[^`\\]|\\.)*`')


def _braces(line: str) -> int:
    """``{`` minus ``}`` on a generated line, outside string literals."""
    if '"' in line or "'" in line or "`" in line:
        line = _STRINGS.sub("", line)
    return line.count("{") - line.count("}")


def _members(lines: Sequence[str], start: int, end: int) -> Iterator[tuple[list[str], str, int, int]]:
    """``(parent keys, key, first line, last line)`` of every member nested in the declaration on
    lines ``start``…``end`` (1-based), outermost first; the declaration's own key is not included."""
    stack: list[tuple[str | None, list[Any]]] = []  # (key of the block, [its record or None])
    pending: list[list[Any]] = []
    first = True
    for number in range(start, end + 1):
        line = lines[number - 1]
        stripped = line.strip()
        if not stripped or stripped.startswith(("/**", "*", "*/")):
            continue
        m = _KEY.match(line)
        key: str | None = None
        if m is not None:
            raw = m.group(1)
            key = str(json.loads(raw)) if raw.startswith('"') else raw
        record: list[Any] | None = None
        if first:
            first = False
        elif key is not None and len(stack) <= _MAX_DEPTH:
            parents = [k for k, _ in stack[1:] if k is not None]
            record = [parents, key, number, number]
            pending.append(record)
        delta = _braces(line)
        for _ in range(delta):
            stack.append((key if record is not None or not stack else None, [record]))
            key, record = None, None  # `{ … {` on one line: only the first opens the member
        for _ in range(-delta):
            if not stack:
                break
            _, (opened,) = stack.pop()
            if opened is not None:
                opened[3] = number
    for parents, key, first_line, last_line in pending:
        yield parents, key, first_line, last_line


def _locate(schema: Any, pointer: str, key: str, depth: int = 0) -> tuple[Any, str] | None:
    """Where property ``key`` of the (inline) ``schema`` at ``pointer`` is declared: its
    properties, or an inline ``allOf``/``anyOf``/``oneOf`` member, ``items`` or
    ``additionalProperties``. A ``$ref`` is printed by name, so no member is nested through one."""
    if not isinstance(schema, dict) or "$ref" in schema or depth > _MAX_DEPTH:
        return None
    props = schema.get("properties")
    if isinstance(props, dict) and key in props:
        return props[key], f"{pointer}/properties/{_escape(key)}"
    for word in ("allOf", "anyOf", "oneOf"):
        members = schema.get(word)
        if isinstance(members, list):
            for i, member in enumerate(members):
                found = _locate(member, f"{pointer}/{word}/{i}", key, depth + 1)
                if found is not None:
                    return found
    for word in ("items", "additionalProperties"):
        found = _locate(schema.get(word), f"{pointer}/{word}", key, depth + 1)
        if found is not None:
            return found
    return None


def _resolve(data: Mapping[str, Any], node: Any) -> Any:
    """A local ``$ref`` (``#/components/parameters/Limit``) followed once, for its name and place."""
    if isinstance(node, dict) and isinstance(node.get("$ref"), str) and node["$ref"].startswith("#/"):
        target: Any = data
        for part in node["$ref"][2:].split("/"):
            part = part.replace("~1", "/").replace("~0", "~")
            target = target.get(part) if isinstance(target, dict) else None
        return target
    return node


def iter_operations(data: Mapping[str, Any], tops: tuple[str, ...] = ("paths", "webhooks")
                    ) -> Iterator[tuple[str, str, str, dict[str, Any], dict[str, Any]]]:
    """``(top, path, method, operation, path item)`` of every operation under ``paths`` (and
    ``webhooks``), in document order."""
    from .paths import METHODS

    for top in tops:
        items = data.get(top)
        if not isinstance(items, dict):
            continue
        for path, item in items.items():
            if not isinstance(item, dict):
                continue
            for method in METHODS:
                op = item.get(method)
                if isinstance(op, dict):
                    yield top, path, method, op, item


def _operation_places(data: Mapping[str, Any]) -> dict[str, tuple[str, Any, Any]]:
    """operationId → (pointer of the operation, the operation, its path item)."""
    out: dict[str, tuple[str, Any, Any]] = {}
    for top, path, method, op, item in iter_operations(data):
        if isinstance(op.get("operationId"), str):
            out.setdefault(op["operationId"], (f"/{top}/{_escape(path)}/{method}", op, item))
    return out


def _operation_member(data: Mapping[str, Any], place: tuple[str, Any, Any],
                      keys: list[str]) -> tuple[SymbolKind, str] | None:
    """The kind and pointer of the member at ``keys`` inside a generated operation."""
    pointer, op, item = place
    head = keys[0]
    if head == "parameters" and len(keys) >= 3:
        where, name = keys[1], keys[2]
        found: tuple[Any, str] | None = None
        for owner, base in ((op, pointer), (item, pointer.rsplit("/", 1)[0])):
            params = owner.get("parameters") if isinstance(owner, dict) else None
            for i, param in enumerate(params if isinstance(params, list) else []):
                target = _resolve(data, param)
                if isinstance(target, dict) and target.get("name") == name and target.get("in") == where:
                    found = (target.get("schema"), f"{base}/parameters/{i}")
                    break
            if found is not None:
                break
        if found is None:
            return None
        if len(keys) == 3:
            return "parameter", found[1]
        return _nested(found[0], found[1] + "/schema", keys[3:])
    if head == "requestBody" and len(keys) >= 4 and keys[1] == "content":
        body = _resolve(data, op.get("requestBody"))
        content = body.get("content") if isinstance(body, dict) else None
        media = content.get(keys[2]) if isinstance(content, dict) else None
        if not isinstance(media, dict) or body is not op.get("requestBody"):
            return None
        return _nested(media.get("schema"), f"{pointer}/requestBody/content/{_escape(keys[2])}/schema", keys[3:])
    if head == "responses" and len(keys) >= 2:
        responses = op.get("responses")
        status = keys[1]
        if not isinstance(responses, dict) or status not in responses:
            return None
        here = f"{pointer}/responses/{_escape(status)}"
        if len(keys) == 2:
            return "response", here
        response = responses[status]
        if len(keys) >= 5 and keys[2] == "content" and isinstance(response, dict) and "$ref" not in response:
            content = response.get("content")
            media = content.get(keys[3]) if isinstance(content, dict) else None
            if isinstance(media, dict):
                return _nested(media.get("schema"), f"{here}/content/{_escape(keys[3])}/schema", keys[4:])
    return None


def _nested(schema: Any, pointer: str, keys: list[str]) -> tuple[SymbolKind, str] | None:
    for key in keys:
        found = _locate(schema, pointer, key)
        if found is None:
            return None
        schema, pointer = found
    return "property", pointer


def nested_symbols(text: str, top: Iterable[TsSymbol], data: Mapping[str, Any]) -> list[TsSymbol]:
    """The members nested in the component schemas, request views and operations of ``top``
    (symbols of the generated ``text``), each with the JSON pointer of the contract element it
    comes from: ``components["schemas"]["Author"]`` → its property ``name`` at
    ``#/components/schemas/Author/properties/name`` (group ``components["schemas"]["Author"]``);
    ``operations["list"]`` → its query parameter ``sort`` at ``#/paths/~1books/get/parameters/5``
    (group ``operations["list"]["parameters"]["query"]``) and response ``200``. Members the
    contract does not declare by that name (``headers``, ``content``) are containers, not
    recorded."""
    lines = text.split("\n")
    comp = data.get("components")
    schemas = comp.get("schemas") if isinstance(comp, dict) else None
    places: dict[str, tuple[str, Any, Any]] | None = None
    out: list[TsSymbol] = []
    for sym in top:
        if sym.kind in ("schema", "request-schema"):
            schema = schemas.get(sym.name) if isinstance(schemas, dict) else None
            place = None
            if schema is None:
                continue
        elif sym.kind == "operation":
            if places is None:
                places = _operation_places(data)
            schema, place = None, places.get(sym.name)
            if place is None:
                continue
        else:
            continue
        for parents, key, first, last in _members(lines, sym.start, sym.end):
            keys = [*parents, key]
            found = (_operation_member(data, place, keys) if place is not None
                     else _nested(schema, _norm(sym.pointer), keys))
            if found is None:
                continue
            kind, pointer = found
            group = sym.ts + "".join(f"[{json.dumps(k)}]" for k in parents)
            out.append(TsSymbol(kind, key, f"{group}[{json.dumps(key)}]", "#" + pointer, first, last, group))
    return out


__all__ = ["NESTED_KINDS", "LineRecorder", "SymbolMap", "TsSymbol", "iter_operations", "member_key", "nested_symbols"]
