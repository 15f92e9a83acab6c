"""Tie each new compiler error to the contract change(s) it comes from.

A change is described by the names a frontend can see it through (its *tokens*): the schema it
is about and that schema's aliases (from the emitter's :class:`~contractsync.typescript.symbols.
SymbolMap`), the property or parameter in its detail, enum values and operationIds it adds or
removes, the path template and operationId of the operation it is reported at, and — weakly —
the operations it reaches through ``$ref``. An error is described by the names in its message
(quoted type text and identifiers, strongest), the source line it points at, and, for an error
inside the generated file, the symbols the symbol map places on that line.

On top of those names, an error is read for the *place* it is about (:func:`error_place`): the
property the compiler names (``Property 'name' does not exist on type '{ id: number; }'``,
``'book.author' is possibly 'null'``, ``'limit' does not exist in type …``) or, when the message
names none, the member expression at the error's column (``initials(author.name)`` → ``name``);
and the object type that property is (or is not) a member of, recognised by its member names among
the objects the symbol map knows (the ``{ id: number; }`` above is ``AuthorRef``, not ``Author``).
A change is placed by the nested symbol its JSON pointer falls in (:meth:`SymbolMap.at_pointer`).
A change whose property is the error's, and whose object is the error's object, scores far above
any coincidence of words. The change(s) with the highest score win; among equals, the change on the
side the error is on (reading a response, writing a request) and then the one the wire rules judge
worse; an error nothing scores on is reported as not attributed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..diff.model import Change, Direction
from ..typescript.symbols import SymbolMap, iter_operations
from .diagnostics import Diagnostic

#: Below this score an error is not attributed: a strong name of the change must be seen more
#: directly than as a word of some type text (which lists every sibling property), or several
#: names must agree.
THRESHOLD = 4

_WORD = re.compile(r"[A-Za-z_$][\w$]*|\d+")
_STRINGS = re.compile(r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'|`(?:[^`\\]|\\.)*`')
_QUOTED = re.compile(r"'([^']*)'|\"([^\"]*)\"|`([^`]*)`")
_SCHEMA_SUBJECT = re.compile(r"^components\.schemas\.(.+)$")
_OP_SUBJECT = re.compile(r"^([A-Z]+) (/\S*)$")
_DETAIL_WORD = re.compile(r"[A-Za-z_$][\w$-]*|\d{3}")
_TYPE_NAMES = frozenset({"string", "number", "integer", "boolean", "object", "array", "null"})
#: Words of a change's detail that describe the kind of place, not a name in it.
_DETAIL_NOISE = frozenset({"query", "path", "header", "cookie", "parameter", "response", "request",
                           "body", "application", "json", "items", "property", "default"})


def operation_ids(doc: Mapping[str, Any]) -> dict[str, str]:
    """``{"GET /books": "list_books", …}`` for every operation with an operationId."""
    return {f"{method.upper()} {path}": op["operationId"]
            for _, path, method, op, _ in iter_operations(doc, ("paths",))
            if isinstance(op.get("operationId"), str)}


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
    pointers = [p.removeprefix("#") for p in (change.location.base, change.location.revision) if p]
    for value in (change.before, change.after):
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, str) and item:
                # A type name (a type-changed rule's before/after) is in half of all compiler
                # messages; an enum value, operationId or path is specific.
                add(item, 1 if item in _TYPE_NAMES else 3)
                # With `enum = true` code names the value by its member: `Genre.SciFi`.
                for smap in symbols:
                    for sym in smap.enum_members(item):
                        if any(sym.pointer.removeprefix("#").startswith(p + "/") for p in pointers):
                            add(sym.ts, 3)
                            add(sym.ts.rsplit(".", 1)[-1], 3)
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


#: How much more a change counts when its property (or parameter, or response status) is the one
#: the error is about, and when the object it belongs to is the error's object type.
PROPERTY_BONUS, OWNER_BONUS, SIGNAL_BONUS = 12, 12, 3

#: Messages naming a property and the object type it is (not) in, in the order tried.
_PROPERTY_MESSAGES = (
    re.compile(r"Property '([^']+)' does not exist on type '([^']*)'"),  # TS2339, TS2551
    re.compile(r"'([^']+)' does not exist in type '([^']*)'"),  # TS2353, TS2561
    re.compile(r"Property '([^']+)' is missing in type '[^']*' but required in type '([^']*)'"),  # TS2741
    re.compile(r"Property '([^']+)' is missing in type '()"),
)
_POSSIBLY = re.compile(r"'([^']+)' is possibly '(null|undefined)'")  # TS18047, TS18048, TS18049
_SOURCE_TYPE = re.compile(r"^(?:Argument of type|Type) '([^']*)' is not (?:assignable|comparable)")
_CHAIN = re.compile(r"[A-Za-z_$][\w$]*(?:\??\.[A-Za-z_$][\w$]*)*")
#: Compiler errors about reading a value (the response side) and about writing one (requests).
_READS = frozenset({2339, 2551, 18047, 18048, 18049, 2678, 2367})
_WRITES = frozenset({2353, 2561, 2741, 2739, 2740})


@dataclass(frozen=True)
class ErrorPlace:
    """What an error is about, as precisely as its message and position tell."""

    prop: str | None = None
    """The property (parameter, status) it is about."""
    types: tuple[frozenset[str], ...] = ()
    """Member names of the object types the message shows the property on (or missing from)."""
    truncated: bool = False
    """The compiler shortened a type (``... 8 more ...``): its member list is partial."""
    signal: str | None = None
    """``null`` / ``undefined`` when the error is that a value may now be one."""


def object_keys(type_text: str) -> tuple[frozenset[str], bool]:
    """Top-level member names of the first object literal type in ``type_text``
    (``Partial<{ a?: string; "b-c": number; 200: … }>`` → ``{a, b-c, 200}``), and whether the
    compiler truncated it."""
    start = type_text.find("{")
    if start < 0:
        return frozenset(), False
    keys: set[str] = set()
    depth, quote, member = 0, "", ""
    truncated = "more ..." in type_text
    for ch in type_text[start:]:
        if quote:
            member += ch
            if ch == quote:
                quote = ""
            continue
        if ch in "\"'`":
            quote = ch
        if ch in "{([<":
            depth += 1
            if depth == 1:
                member = ""
                continue
        elif ch in "})]>":
            depth -= 1
            if depth == 0:
                _member_key(member, keys)
                break
        if depth == 1 and ch == ";":
            _member_key(member, keys)
            member = ""
            continue
        member += ch
    return frozenset(keys), truncated


def _member_key(member: str, keys: set[str]) -> None:
    m = re.match(r'\s*(?:readonly\s+)?("[^"]*"|[A-Za-z_$][\w$-]*|\d+)\??\s*:', member)
    if m is not None:
        keys.add(m.group(1).strip('"'))


def error_place(diag: Diagnostic, source_line: str | None) -> ErrorPlace:
    """The property an error is about, the object types it names and any null/undefined signal."""
    prop: str | None = None
    types: list[frozenset[str]] = []
    truncated = False
    signal: str | None = None
    lines = diag.message.split("\n")
    # The headline first, then the chain from its most specific (last) line up.
    for text in [lines[0], *reversed(lines[1:])]:
        for pattern in _PROPERTY_MESSAGES:
            m = pattern.search(text)
            if m is not None:
                prop = m.group(1)
                keys, cut = object_keys(m.group(2))
                if keys:
                    types.append(keys)
                    truncated = truncated or cut
                break
        if prop is not None:
            break
    m = _POSSIBLY.search(lines[0])
    if m is not None:
        prop = prop or m.group(1).replace("?.", ".").split(".")[-1]
        signal = m.group(2)
    m = _SOURCE_TYPE.match(lines[0])
    if m is not None and not re.search(r"[{}<>()\[\]]", m.group(1)):  # `string | undefined`, not a structure
        parts = [p.strip() for p in m.group(1).split("|")]
        signal = "undefined" if "undefined" in parts else "null" if "null" in parts else signal
    if prop is None and source_line is not None and 0 < diag.column <= len(source_line):
        c = _CHAIN.match(source_line, diag.column - 1)
        if c is not None and (diag.column == 1 or not re.match(r"[\w$.]", source_line[diag.column - 2])):
            prop = c.group(0).replace("?.", ".").split(".")[-1]
    return ErrorPlace(prop, tuple(types), truncated, signal)


@dataclass(frozen=True)
class ChangePlace:
    """The member a change is about in the generated types (from its pointer)."""

    key: str | None
    group: str | None


def change_place(change: Change, symbols: Sequence[SymbolMap]) -> ChangePlace:
    """The nested symbol of the change's base pointer in the first map or of its revision pointer
    in the last (the property, parameter or response status and the object it belongs to); without
    pointers, a schema change's detail names the property."""
    loc = change.location
    for pointer, smap in ((loc.base, symbols[0] if symbols else None), (loc.revision, symbols[-1] if symbols else None)):
        if pointer and smap is not None:
            sym = smap.at_pointer(pointer)
            if sym is not None:
                return ChangePlace(sym.name, sym.group)
    m = _SCHEMA_SUBJECT.match(loc.subject)
    if m is not None and re.fullmatch(r"[A-Za-z_$][\w$-]*", loc.detail or ""):
        return ChangePlace(loc.detail, f'components["schemas"]{_index(m.group(1))}')
    return ChangePlace(None, None)


def _index(key: str) -> str:
    import json

    return f"[{json.dumps(key)}]"


def known_groups(symbols: Sequence[SymbolMap]) -> list[tuple[str, frozenset[str]]]:
    """Every object of the symbol maps with its member names. The same object in BASE and in NEW
    usually differs by exactly the change: both are listed."""
    return [(group, frozenset(keys)) for smap in symbols for group, keys in smap.groups().items()]


def owner_groups(place: ErrorPlace, known: Sequence[tuple[str, frozenset[str]]]) -> frozenset[str]:
    """The objects of ``known`` (:func:`known_groups`) whose members best match the error's object
    types (at least 60 % alike; several when they are equally alike)."""
    if not place.types:
        return frozenset()
    best, out = 0.0, set()
    for keys in place.types:
        for group, members in known:
            common = len(keys & members)
            if not common:
                continue
            # A truncated type lists only some members: how many of those it shows belong.
            alike = common / len(keys) if place.truncated else common / len(keys | members)
            if alike > best + 1e-9:
                best, out = alike, {group}
            elif abs(alike - best) <= 1e-9:
                out.add(group)
    return frozenset(out) if best >= 0.6 else frozenset()


def _signal_matches(signal: str | None, change: Change) -> bool:
    if signal == "null":
        return change.id.endswith("became-nullable")
    if signal == "undefined":
        return change.id.endswith("became-optional") or "property-removed" in change.id
    return False


def score(tokens: Tokens, seen: Mapping[str, int]) -> int:
    """Sum over the change's names of weight times how directly the error shows the name."""
    return sum(weight * seen.get(token, 0) for token, weight in tokens.weights.items())


def attribute(errors: Iterable[Diagnostic], changes: Sequence[Change], *, types_file: str,
              symbols: Sequence[SymbolMap], new_symbols: SymbolMap | None,
              op_ids: Sequence[Mapping[str, str]],
              read_line: Any) -> tuple[dict[str, list[Diagnostic]], list[Diagnostic]]:
    """``({fingerprint: [errors]}, unattributed)``. ``read_line(file, line)`` returns the source
    line an error points at (or None)."""
    tokens = [(c, change_tokens(c, symbols, op_ids), change_place(c, symbols)) for c in changes]
    known = known_groups(symbols)
    hits: dict[str, list[Diagnostic]] = {}
    lost: list[Diagnostic] = []
    for diag in errors:
        line = read_line(diag.file, diag.line) if diag.file else None
        seen = error_tokens(diag, line, types_file, new_symbols)
        place = error_place(diag, line) if diag.file != types_file else ErrorPlace()
        owners = owner_groups(place, known)
        scored = []
        placed: set[str] = set()
        for change, toks, where in tokens:
            value = score(toks, seen)
            if place.prop is not None and where.key == place.prop:
                value += PROPERTY_BONUS
                placed.add(change.fingerprint)
                if where.group in owners:
                    value += OWNER_BONUS
            if value and _signal_matches(place.signal, change):
                value += SIGNAL_BONUS
            scored.append((value, change))
        best = max((s for s, _ in scored), default=0)
        if best < THRESHOLD:
            lost.append(diag)
            continue
        tied = [change for s, change in scored if s == best]
        # Among equally good matches of the error's property, the change on the side the error is
        # on: reading a property is the response side, writing one in an object literal the
        # request side (a schema used both ways has one declaration, and a removed property is
        # then two changes).
        side = (Direction.RESPONSE if diag.code in _READS else Direction.REQUEST if diag.code in _WRITES
                else None)
        if side is not None and all(c.fingerprint in placed for c in tied) \
                and any(c.direction is side for c in tied):
            tied = [c for c in tied if c.direction is side]
        # Then the change the wire analysis judges worst is the likelier cause (`Property 'lang'
        # is missing` ties a new required query parameter `lang` with an optional response
        # property of the same name).
        worst = max(c.level.rank for c in tied)
        for change in tied:
            if change.level.rank == worst:
                hits.setdefault(change.fingerprint, []).append(diag)
    return _follow_ons(hits, lost, read_line)


#: A declaration and the names it binds: ``const [one, theirs] = …``, ``let { data } = …``.
_DECLARATION = re.compile(r"\b(?:const|let|var)\s+([^=]+?)\s*(?::[^=]*)?=(?!=)")
#: How far above an error its variable's declaration is looked for, and how long a declaring
#: statement may be.
_DECLARATION_REACH, _STATEMENT_LINES, _LONG_LINE = 200, 50, 2000


def _follow_ons(hits: dict[str, list[Diagnostic]], lost: list[Diagnostic],
                read_line: Any) -> tuple[dict[str, list[Diagnostic]], list[Diagnostic]]:
    """An error no change names, on a line that reads a variable whose declaring statement has
    an attributed error, follows from that error (``const one = await api.GET("/authors/{author_id}")``
    failed, so ``author.value = one.data`` fails too): it goes to the same change(s)."""
    at: dict[tuple[str, int], set[str]] = {}
    for fingerprint, diags in hits.items():
        for d in diags:
            if d.file is not None:
                at.setdefault((d.file, d.line), set()).add(fingerprint)
    still: list[Diagnostic] = []
    for diag in lost:
        causes = _declared_by_broken(diag, at, read_line) if diag.file is not None else set()
        for fingerprint in sorted(causes):
            hits[fingerprint].append(diag)
        if not causes:
            still.append(diag)
    return hits, still


def _declared_by_broken(diag: Diagnostic, at: Mapping[tuple[str, int], set[str]], read_line: Any) -> set[str]:
    assert diag.file is not None
    line = read_line(diag.file, diag.line)
    if line is None:
        return set()
    names = set(_WORD.findall(_STRINGS.sub("", line)))
    for number in range(diag.line - 1, max(0, diag.line - _DECLARATION_REACH), -1):
        text = read_line(diag.file, number) or ""
        if len(text) > _LONG_LINE:
            continue  # minified or generated: no declaration a person reads
        m = _DECLARATION.search(text)
        if m is None or not names & set(_WORD.findall(m.group(1))):
            continue
        # The nearest declaration of a name the error reads: its statement runs until its
        # brackets close.
        causes: set[str] = set()
        depth = 0
        for inner in range(number, min(diag.line, number + _STATEMENT_LINES)):
            causes |= at.get((diag.file, inner), set())
            code = _STRINGS.sub("", read_line(diag.file, inner) or "")
            depth += sum(code.count(c) for c in "([{") - sum(code.count(c) for c in ")]}")
            if depth <= 0:
                break
        return causes
    return set()
