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
from typing import Any, NamedTuple

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
        # A name the line reads as a member, writes as a key or calls is about the contract; a
        # bare word (a variable `id`, a JSX attribute `value=`) is anyone's and counts least.
        code = _STRINGS.sub('""', source_line)
        for m in _WORD.finditer(code):
            add(m.group(0), SOURCE if _ACCESSED.search(code[max(0, m.start() - 4):m.start()]) or _USED.match(code, m.end()) else INSIDE)
    if diag.file == types_file and symbols is not None:
        for sym in symbols.at(diag.line):
            add(sym.name, EXACT)
            add(sym.ts, EXACT)
    return out


#: A name read as a member (``book.title``, ``b?.title``) or followed by a key's colon or a call.
_ACCESSED = re.compile(r"\??\.\s*$")
_USED = re.compile(r"\s*(?:\??:|\()")

#: How much more a change counts when its property (or parameter, or response status) is the one
#: the error is about, when the object it belongs to is the error's object type, when the error
#: sits in a call of the change's operation, and when the types the message shows flow the way
#: the change makes them (a response's new type read where the old one is expected, a request's
#: old type passed where the new one is expected).
PROPERTY_BONUS, OWNER_BONUS, SIGNAL_BONUS, OPERATION_BONUS, FLOW_BONUS = 12, 12, 3, 12, 6

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


def name_words(name: str) -> tuple[str, ...]:
    """An identifier as lower-case words, whatever its case style: ``userId``, ``user_id``,
    ``user-id`` and ``UserID`` are all ``("user", "id")`` (generators re-case contract names)."""
    return tuple(w.lower() for w in re.findall(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+", name))


def same_name(a: str | None, b: str | None) -> bool:
    """The same contract name, possibly re-cased by a client generator."""
    if a is None or b is None:
        return False
    return a == b or (bool(name_words(a)) and name_words(a) == name_words(b))


_CALL = re.compile(r"([A-Za-z_$][\w$]*)\s*(?:<[^()]*>)?\s*\(")
#: Lines above an error searched for the call it sits in (a multi-line argument object).
_CALL_REACH = 12


def enclosing_calls(diag: Diagnostic, read_line: Any) -> tuple[list[str], list[str]]:
    """The calls the error's position sits in, innermost first — their names and the string
    literals among their arguments (``ItemsService.deleteItem({ id })`` → ``deleteItem``;
    ``api.GET("/books/{id}", …)`` → ``GET`` and ``/books/{id}``) — from its line and the lines
    above whose brackets are still open at the error."""
    if diag.file is None:
        return [], []
    names: list[str] = []
    literals: list[str] = []
    text = ""
    for number in range(diag.line, max(0, diag.line - _CALL_REACH), -1):
        line = read_line(diag.file, number)
        if line is None or len(line) > _LONG_LINE:
            break
        if number == diag.line:
            line = line[: max(0, diag.column - 1)]
        elif line.rstrip().endswith((";", "}")):
            break  # the statement before the error's
        code = _STRINGS.sub(lambda m: '"' + "_" * (len(m.group(0)) - 2) + '"', line)
        text = code + "\n" + text
        still_open = _open_brackets(text)
        for m in _CALL.finditer(code):
            if m.end() - 1 in still_open:
                names.append(m.group(1))
                literals += [q[1:-1] for q in _STRINGS.findall(line[m.end():])]
    return names, literals


def _open_brackets(text: str) -> set[int]:
    """Positions of the brackets of ``text`` not closed by its end (one pass)."""
    stack: list[int] = []
    for i, ch in enumerate(text):
        if ch in "([{":
            stack.append(i)
        elif ch in ")]}" and stack:
            stack.pop()
    return set(stack)


def _operation_match(change: Change, names: Sequence[str], literals: Sequence[str],
                     op_ids: Sequence[Mapping[str, str]]) -> int:
    """How strongly the calls around the error are the change's operation: its subject (full
    bonus) or an operation reaching it (half). A call matches by the operationId a generator
    derived its method name from (``deleteItem`` ← ``items-delete_item``: the last words of the
    id, re-cased), or by its path template with its method (openapi-fetch's ``api.GET(path)``)."""
    if not names and not literals:
        return 0
    subject = _OP_SUBJECT.match(change.location.subject)
    ops = ([change.location.subject] if subject else []) + [op for op in change.operations
                                                          if op != change.location.subject]
    called = [name_words(n) for n in names if len(name_words(n)) >= 2]
    for op in ops:
        m = _OP_SUBJECT.match(op)
        if m is None:
            continue
        method, path = m.groups()
        full = OPERATION_BONUS if subject and op == change.location.subject else OPERATION_BONUS // 2
        if any(_path_literal(lit) and (path == lit or path.endswith(lit)) for lit in literals) and \
                (method in names or not any(n.isupper() and n in _METHODS for n in names)):
            return full
        for ids in op_ids:
            words = name_words(ids.get(op, "")) if op in ids else ()
            if words and any(c == words[len(words) - len(c):] for c in called if len(c) <= len(words)):
                return full
    return 0


def _path_literal(text: str) -> bool:
    """A string that names a path: ``/books/{id}`` (a fixed segment), not ``/{id}`` or ``/``."""
    return text.startswith("/") and any(seg and not seg.startswith("{") for seg in text.split("/"))


_METHODS = frozenset({"GET", "PUT", "POST", "DELETE", "PATCH", "HEAD", "OPTIONS", "TRACE"})
#: ``Type 'S' is not assignable to type 'T'`` and the argument form, with scalar types only.
_FLOW = re.compile(r"(?:Type|Argument of type) '([^'{}<>()\[\]]*)' is not assignable to "
                   r"(?:type|parameter of type) '([^'{}<>()\[\]]*)'")
_TS_OF = {"integer": "number", "number": "number", "string": "string", "boolean": "boolean", "null": "null"}


def _ts_types(value: object) -> set[str]:
    items = value if isinstance(value, list) else [value]
    return {_TS_OF[i] for i in items if isinstance(i, str) and i in _TS_OF}


def flow(diag: Diagnostic, change: Change) -> int:
    """+1 when the scalar types the message shows flow the way ``change`` makes them (its new
    response type read where its old one is expected; its old request type passed where the new
    one is expected), -1 when they flow the other way (an unlikely cause), 0 when the message or
    the change says nothing about it."""
    before, after = _ts_types(change.before), _ts_types(change.after)
    if not before or not after or before == after or change.direction is Direction.NONE:
        return 0
    for line in diag.message.split("\n"):
        m = _FLOW.search(line)
        if m is None:
            continue
        got = {p.strip().strip('"') for p in m.group(1).split("|")}
        want = {p.strip().strip('"') for p in m.group(2).split("|")}
        new_side, old_side = (got, want) if change.direction is Direction.RESPONSE else (want, got)
        if after - before <= new_side and before & old_side:
            return 1
        if after - before <= old_side and before & new_side:
            return -1
    return 0


class Attribution(NamedTuple):
    """Where the new errors go: ``hits`` (fingerprint of a change → its errors), ``lost`` (errors
    no change explains) and ``tied`` (an error several changes explain equally well, with their
    fingerprints: it is listed under each, and the report says so)."""

    hits: dict[str, list[Diagnostic]]
    lost: list[Diagnostic]
    tied: dict[Diagnostic, tuple[str, ...]]


def attribute(errors: Iterable[Diagnostic], changes: Sequence[Change], *, types_file: str,
              symbols: Sequence[SymbolMap], new_symbols: SymbolMap | None,
              op_ids: Sequence[Mapping[str, str]],
              read_line: Any) -> Attribution:
    """Which change(s) each new error comes from. ``read_line(file, line)`` returns the source
    line an error points at (or None).

    Evidence decides first: the change whose member is the property the error is about (its
    object the error's object type), whose operation the error's call is, whose types flow as
    the message shows. Only among equally evidenced changes — or when no change has evidence —
    do the names the error shows decide; a change the type flow contradicts counts less.
    What still ties is listed under each tied change and marked (:attr:`Attribution.tied`)."""
    tokens = [(c, change_tokens(c, symbols, op_ids), change_place(c, symbols)) for c in changes]
    known = known_groups(symbols)
    hits: dict[str, list[Diagnostic]] = {}
    lost: list[Diagnostic] = []
    for diag in errors:
        line = read_line(diag.file, diag.line) if diag.file else None
        seen = error_tokens(diag, line, types_file, new_symbols)
        in_types = diag.file == types_file
        place = error_place(diag, line) if not in_types else ErrorPlace()
        owners = owner_groups(place, known)
        names, literals = enclosing_calls(diag, read_line) if not in_types else ([], [])
        scored: list[tuple[tuple[int, int], Change]] = []
        placed: set[str] = set()
        for change, toks, where in tokens:
            words = score(toks, seen)
            evidence = 0
            if place.prop is not None and same_name(where.key, place.prop):
                evidence += PROPERTY_BONUS
                placed.add(change.fingerprint)
                if where.group in owners:
                    evidence += OWNER_BONUS
            evidence += _operation_match(change, names, literals, op_ids)
            if not evidence and words < THRESHOLD:
                continue  # nothing names this change clearly enough
            # The type flow and a null/undefined signal rank the candidates. Types flowing the
            # other way make a change less likely, not impossible (a frontend may read back the
            # request object it built).
            bonus = FLOW_BONUS * flow(diag, change) + (SIGNAL_BONUS if _signal_matches(place.signal, change) else 0)
            scored.append(((evidence + bonus, words) if evidence else (0, words + bonus), change))
        if not scored:
            lost.append(diag)
            continue
        best = max(s for s, _ in scored)
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
    hits, lost = _follow_ons(hits, lost, read_line)
    # An error under several changes (a tie, or a follow-on of one) is marked as such.
    under: dict[Diagnostic, list[str]] = {}
    for fingerprint, diags in hits.items():
        for d in diags:
            under.setdefault(d, []).append(fingerprint)
    return Attribution(hits, lost, {d: tuple(fps) for d, fps in under.items() if len(fps) > 1})


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
