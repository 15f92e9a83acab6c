"""The symbol map: which lines of a generated ``.ts`` file come from which part of the contract.

The emitter records, for every top-level member it writes (a path, an operation, a component
schema, a request view, an alias), the contract name and JSON pointer it came from and the lines it
occupies. Frontend impact analysis (:mod:`contractsync.impact`) reads it to tie a compiler error
back to the schema, property, operation or enum it is about.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

SymbolKind = Literal["path", "webhook", "schema", "request-schema", "operation", "alias", "enum"]

#: The key of a member line: ``    "/books/{id}": {`` or ``        Book: {``.
_KEY = re.compile(r'^\s*(?:readonly\s+)?("(?:[^"\\]|\\.)*"|[A-Za-z_$][\w$]*)\??:')


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

    def aliases_of(self, schema: str) -> list[str]:
        """The alias identifiers (``Book``, ``BookRequest``) that name component schema ``schema``."""
        return [s.ts for s in self.symbols if s.kind in ("alias", "enum") and s.name == schema]

    def to_json(self) -> str:
        """The sidecar form (``--symbols`` of ``generate typescript``): a JSON list, one object each."""
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


__all__ = ["LineRecorder", "SymbolMap", "TsSymbol", "member_key"]
