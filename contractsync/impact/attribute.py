"""Tie each new compiler error to the contract change(s) it comes from.

A change is described by the names a frontend can see it through (its *tokens*): the schema it
is about and that schema's aliases (from the emitter's :class:`~contractsync.typescript.symbols.
SymbolMap`), the property or parameter in its detail, enum values and operationIds it adds or
removes, the path template and operationId of the operation it is reported at, and — weakly —
the operations it reaches through ``$ref``. An error is described by the names in its message
(quoted type text and identifiers, strongest), the source line it points at, and, for an error
inside the generated file, the symbols the symbol map places on that line. The change(s) with the
highest score win; an error nothing scores on is reported as not attributed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..diff.engine import METHODS
from ..diff.model import Change
from ..typescript.symbols import SymbolMap
from .diagnostics import Diagnostic

#: Below this score an error is not attributed: a strong name of the change must be seen more
#: directly than as a word of some type text (which lists every sibling property), or several
#: names must agree.
THRESHOLD = 4

_WORD = re.compile(r"[A-Za-z_$][\w$]*|\d+")
_QUOTED = re.compile(r"'([^']*)'|\"([^\"]*)\"|`([^`]*)`")
_SCHEMA_SUBJECT = re.compile(r"^components\.schemas\.(.+)$")
_OP_SUBJECT = re.compile(r"^([A-Z]+) (/\S*)$")
_DETAIL_WORD = re.compile(r"[A-Za-z_$][\w$-]*|\d{3}")
#: Words of a change's detail that describe the kind of place, not a name in it.
_DETAIL_NOISE = frozenset({"query", "path", "header", "cookie", "parameter", "response", "request",
                           "body", "application", "json", "items", "property", "default"})


def operation_ids(doc: Mapping[str, Any]) -> dict[str, str]:
    """``{"GET /books": "list_books", …}`` for every operation with an operationId."""
    out: dict[str, str] = {}
    paths = doc.get("paths")
    if not isinstance(paths, dict):
        return out
    for path, item in paths.items():
        if not isinstance(item, dict):
            continue
        for method in METHODS:
            op = item.get(method)
            if isinstance(op, dict) and isinstance(op.get("operationId"), str):
                out[f"{method.upper()} {path}"] = op["operationId"]
    return out


@dataclass(frozen=True)
class Tokens:
    """Names and their weights (3 strong, 2 medium, 1 weak)."""

    weights: Mapping[str, int]


def change_tokens(change: Change, symbols: Sequence[SymbolMap], op_ids: Sequence[Mapping[str, str]]) -> Tokens:
    """The names a frontend meets ``change`` through."""
    w: dict[str, int] = {}

    def add(token: str, weight: int) -> None:
        if token and weight > w.get(token, 0):
            w[token] = weight

    subject = change.location.subject
    m = _SCHEMA_SUBJECT.match(subject)
    if m is not None:
        schema = m.group(1)
        # The schema itself is the change's name only when the change is about the whole schema;
        # for a change inside it (a property) the schema is context.
        own = 3 if not change.location.detail else 1
        add(schema, own)
        for smap in symbols:
            for alias in smap.aliases_of(schema):
                add(alias, own)
    m = _OP_SUBJECT.match(subject)
    if m is not None:
        add(m.group(2), 3)
        # openapi-fetch calls read `api.GET(path)`; its types say `PathsWithMethod<paths, "get">`.
        add(m.group(1), 1)
        add(m.group(1).lower(), 1)
        for ids in op_ids:
            if subject in ids:
                add(ids[subject], 3)
    words = [x for x in _DETAIL_WORD.findall(change.location.detail) if x.lower() not in _DETAIL_NOISE]
    if m is not None and words and words[-1].isdigit():
        add(words[-1], 2)  # a status code: openapi-fetch's responses are keyed by it
    words = [x for x in words if not x.isdigit() and "-" not in x and "/" not in x]
    for i, word in enumerate(words):
        add(word, 3 if i == len(words) - 1 else 1)
    for value in (change.before, change.after):
        if isinstance(value, str) and value:
            add(value, 3)
        elif isinstance(value, list):
            for item in value:
                if isinstance(item, str) and item:
                    add(item, 3)
    for op in change.operations:
        om = _OP_SUBJECT.match(op)
        if om is not None:
            add(om.group(2), 1)
        for ids in op_ids:
            if op in ids:
                add(ids[op], 1)
    return Tokens(w)


def _quoted(text: str) -> Iterable[str]:
    for m in _QUOTED.finditer(text):
        inner = next(g for g in m.groups() if g is not None)
        yield inner
        if len(inner) >= 2 and inner[0] == inner[-1] and inner[0] in "\"'`":
            yield inner[1:-1]  # a literal type: '"popularity"'


#: How much a name counts by where the error shows it.
EXACT, SOURCE, INSIDE = 3, 2, 1


def error_tokens(diag: Diagnostic, source_line: str | None, types_file: str,
                 symbols: SymbolMap | None) -> dict[str, int]:
    """The names of an error and how directly it shows each: a whole quoted name in the message
    (``Property 'book_count' does not exist``) or a symbol the map places on the error's line in
    the generated file counts most; a name on the source line the error points at less; a word
    inside quoted type text (``'{ id: number; name: string }'``) least."""
    out: dict[str, int] = {}

    def add(token: str, factor: int) -> None:
        if token and factor > out.get(token, 0):
            out[token] = factor

    for quoted in _quoted(diag.message):
        add(quoted, EXACT)
        for word in _WORD.findall(quoted):
            add(word, INSIDE)
    if source_line is not None:
        for quoted in _quoted(source_line):
            add(quoted, SOURCE)
        for word in _WORD.findall(source_line):
            add(word, SOURCE)
    if diag.file == types_file and symbols is not None:
        for sym in symbols.at(diag.line):
            add(sym.name, EXACT)
            add(sym.ts, EXACT)
    return out


def score(tokens: Tokens, seen: Mapping[str, int]) -> int:
    """Sum over the change's names of weight times how directly the error shows the name."""
    return sum(weight * seen.get(token, 0) for token, weight in tokens.weights.items())


def attribute(errors: Iterable[Diagnostic], changes: Sequence[Change], *, types_file: str,
              symbols: Sequence[SymbolMap], new_symbols: SymbolMap | None,
              op_ids: Sequence[Mapping[str, str]],
              read_line: Any) -> tuple[dict[str, list[Diagnostic]], list[Diagnostic]]:
    """``({fingerprint: [errors]}, unattributed)``. ``read_line(file, line)`` returns the source
    line an error points at (or None)."""
    tokens = [(c, change_tokens(c, symbols, op_ids)) for c in changes]
    hits: dict[str, list[Diagnostic]] = {}
    lost: list[Diagnostic] = []
    for diag in errors:
        line = read_line(diag.file, diag.line) if diag.file else None
        seen = error_tokens(diag, line, types_file, new_symbols)
        scored = [(score(t, seen), c) for c, t in tokens]
        best = max((s for s, _ in scored), default=0)
        if best < THRESHOLD:
            lost.append(diag)
            continue
        tied = [change for s, change in scored if s == best]
        # Among equally good matches, the change the wire analysis judges worst is the likelier
        # cause (`Property 'lang' is missing` ties a new required query parameter `lang` with an
        # optional response property of the same name).
        worst = max(c.level.rank for c in tied)
        for change in tied:
            if change.level.rank == worst:
                hits.setdefault(change.fingerprint, []).append(diag)
    return hits, lost
