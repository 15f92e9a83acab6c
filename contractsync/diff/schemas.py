"""The schema comparator: compares two schema trees once, then names the findings per direction.

How it stays linear on GitHub-sized documents:

* Every ``$ref`` pair (old target, new target) is compared **once**, direction-free, into a
  :class:`Local` result: the findings inside that component and the ``$ref`` edges leaving it.
  Components are never re-walked per operation, so shared and cyclic schemas cost one walk.
* Identical subtrees are skipped with one C-level ``==``; only their ``$ref`` edges are kept.
* Operations reach components through the edge graph; the set of operations per (component,
  direction) is propagated with a work list, which terminates on cycles.
* A finding inside a component is reported once, at the component
  (``components.schemas.Book``), listing every operation that reaches it — per direction, since
  "property removed" is breaking in a response and only a warning in a request.

Recursion is bounded by the *inline* nesting of one schema (``$ref`` ends a walk), and capped at
:data:`MAX_DEPTH` with a warning.
"""

from __future__ import annotations

import datetime
import re
from collections import defaultdict
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from ..errors import InputError
from ..spec.refs import escape
from .model import Direction
from .resolve import Resolver, pointer_of, subject_of

if TYPE_CHECKING:
    from .engine import Engine

MAX_DEPTH = 150
"""Deepest inline schema nesting compared; deeper parts are skipped with a warning."""

ANNOTATIONS = frozenset({"title", "description", "example", "examples", "$comment", "externalDocs",
                         "xml", "$schema", "$id", "$anchor", "summary"})
_COMPOSITION = ("allOf", "anyOf", "oneOf")
#: Prefix of a parameter's schema family when the parameter is declared required (on either
#: side): it is always sent, so a change of its default never applies (oasdiff judges defaults
#: the same way). ``rules.schema.rule_for`` strips it.
REQUIRED = "required-"
_SCALARS = frozenset({"string", "number", "integer", "boolean"})
_ANY_PATTERNS = frozenset({".*", "^.*$", ""})
_NON_EMPTY_PATTERNS = frozenset({".+", "^.+$"})
_MISSING: Any = object()
# Keywords whose value is a subschema, a list of them, or a map of names to them — exactly the
# ones `_walk` compares. Only there is a `$ref` inside a schema a reference; elsewhere (examples,
# defaults, enums, consts, `x-` extensions) it is data.
_SUBSCHEMA = frozenset({"items", "additionalProperties", "not", "if", "then", "else", "contains",
                        "propertyNames", "unevaluatedItems", "unevaluatedProperties",
                        "contentSchema"})
_SUBSCHEMA_LISTS = frozenset({"allOf", "anyOf", "oneOf", "prefixItems"})
_SUBSCHEMA_MAPS = frozenset({"properties", "patternProperties", "dependentSchemas"})

BOUND_KEYWORDS = (
    ("min", "minimum"), ("max", "maximum"), ("exclusive-min", "exclusiveMinimum"),
    ("exclusive-max", "exclusiveMaximum"), ("min-length", "minLength"), ("max-length", "maxLength"),
    ("min-items", "minItems"), ("max-items", "maxItems"), ("min-properties", "minProperties"),
    ("max-properties", "maxProperties"), ("min-contains", "minContains"),
    ("max-contains", "maxContains"),
)
_LOWER = {"min", "exclusive-min", "min-length", "min-items", "min-properties", "min-contains"}


class Finding:
    """One difference inside a schema, not yet named (the name depends on direction/subject)."""

    __slots__ = ("after", "at_root", "before", "extra", "key", "kind", "nptr", "optr", "rel", "ro",
                 "wo")

    def __init__(self, kind: str, rel: str, at_root: bool, optr: str | None, nptr: str | None,
                 ro: bool, wo: bool, before: Any = None, after: Any = None, key: str = "",
                 extra: dict[str, Any] | None = None) -> None:
        self.kind = kind
        self.rel = rel
        self.at_root = at_root
        self.optr = optr
        self.nptr = nptr
        self.ro = ro
        self.wo = wo
        self.before = before
        self.after = after
        self.key = key
        self.extra = extra or {}


class Edge:
    """A ``$ref`` pair reached from a schema: compare (okey, nkey) too."""

    __slots__ = ("at_root", "nkey", "okey", "ro", "wo")

    def __init__(self, okey: str, nkey: str, at_root: bool, ro: bool, wo: bool) -> None:
        self.okey, self.nkey, self.at_root, self.ro, self.wo = okey, nkey, at_root, ro, wo


class Local:
    """What comparing one schema pair found: findings and outgoing ``$ref`` edges."""

    __slots__ = ("edges", "findings")

    def __init__(self) -> None:
        self.findings: list[Finding] = []
        self.edges: list[Edge] = []


# A state of the reachability walk: (okey, nkey, direction, family, loose media, at body root).
State = tuple[str, str, Direction, str, bool, bool]


def _rel(rel: str, token: str) -> str:
    return f"{rel}.{token}" if rel else token


def _ptr(ptr: str | None, *tokens: str | int) -> str | None:
    if ptr is None:
        return None
    return ptr + "".join("/" + escape(str(t)) for t in tokens)


def _is_null(s: Any) -> bool:
    if not isinstance(s, dict):
        return False
    t = s.get("type")
    if t == "null" or t == ["null"]:
        return all(k in ANNOTATIONS or k == "type" for k in s)
    return s.get("enum") == [None] and all(k in ANNOTATIONS or k in ("enum", "type") for k in s)


def _untyped(core: Any) -> bool:
    """Whether a (nullability-unwrapped) schema restricts nothing about a value's type, so it
    admits null without saying so: no ``type``, ``$ref``, ``enum``, ``const``, ``not`` or
    composition."""
    return isinstance(core, dict) and not any(
        k in core for k in ("type", "$ref", "enum", "const", "not", *_COMPOSITION))


def unwrap(node: Any) -> tuple[Any, bool, dict[str, Any] | None]:
    """``(core, nullable, overlay)``: the schema without its nullability spelling.

    ``nullable: true``, ``type: [X, "null"]``, ``anyOf/oneOf: [X, {type: null}]`` (pydantic v2's
    ``Optional[X]``) and a single-branch ``allOf: [X]`` wrapper (pydantic v1) all reduce to ``X``;
    the wrapper's other keywords (``default``, ``deprecated``) come back as ``overlay`` when
    ``X`` is a ``$ref`` they cannot be merged into.
    """
    if not isinstance(node, dict):
        return node, False, None
    nullable = node.get("nullable") is True
    t = node.get("type")
    if isinstance(t, list) and "null" in t:
        nullable = True
    enum = node.get("enum")
    if isinstance(enum, list) and None in enum:
        nullable = True
    if "$ref" in node:
        overlay = {k: v for k, v in node.items() if k != "$ref" and k not in ANNOTATIONS}
        return {"$ref": node["$ref"]}, nullable, overlay or None
    for key in ("anyOf", "oneOf"):
        branches = node.get(key)
        if isinstance(branches, list) and len(branches) >= 2 and any(_is_null(b) for b in branches):
            rest = [b for b in branches if not _is_null(b)]
            siblings = {k: v for k, v in node.items() if k != key}
            if len(rest) == 1 and not any(k in siblings for k in _COMPOSITION):
                inner = rest[0]
                if isinstance(inner, dict) and "$ref" not in inner:
                    core, _, _ = unwrap({**siblings, **inner})
                    return core, True, None
                return {"$ref": inner["$ref"]} if isinstance(inner, dict) else inner, True, (
                    {k: v for k, v in siblings.items() if k not in ANNOTATIONS and k != "nullable"}
                    or None)
            return {**siblings, key: rest}, True, None
    all_of = node.get("allOf")
    if (isinstance(all_of, list) and len(all_of) == 1 and isinstance(all_of[0], dict)
            and "$ref" in all_of[0]
            and all(k in ANNOTATIONS or k in ("allOf", "nullable", "default", "deprecated",
                                             "readOnly", "writeOnly") for k in node)):
        overlay = {k: v for k, v in node.items() if k not in ANNOTATIONS and k not in ("allOf",
                                                                                     "nullable")}
        return {"$ref": all_of[0]["$ref"]}, nullable, overlay or None
    return node, nullable, None


def core_tokens(node: Any) -> tuple[str | int, ...]:
    """Where :func:`unwrap`'s inline core sits inside ``node``: ``("anyOf", 0)`` for pydantic's
    ``anyOf: [X, {type: null}]``, ``()`` when the core is ``node`` itself (or a ``$ref``).

    Pointers into the core's subschemas (``…/anyOf/0/items``) must name the branch, or they
    point at nothing in the document.
    """
    if not isinstance(node, dict) or "$ref" in node:
        return ()
    for key in ("anyOf", "oneOf"):
        branches = node.get(key)
        if isinstance(branches, list) and len(branches) >= 2 and any(_is_null(b) for b in branches):
            rest = [i for i, b in enumerate(branches) if not _is_null(b)]
            siblings = {k: v for k, v in node.items() if k != key}
            if len(rest) == 1 and not any(k in siblings for k in _COMPOSITION):
                inner = branches[rest[0]]
                if isinstance(inner, dict) and "$ref" not in inner:
                    return (key, rest[0], *core_tokens({**siblings, **inner}))
            return ()
    return ()


def type_set(s: dict[str, Any]) -> frozenset[str] | None:
    """The non-null types a schema allows, or None when it does not say."""
    t = s.get("type")
    if isinstance(t, str):
        return frozenset() if t == "null" else frozenset((t,))
    if isinstance(t, list):
        return frozenset(x for x in t if isinstance(x, str) and x != "null")
    return None


#: Per type, (narrower format, wider format) pairs: every value of the first has the second.
WIDER_FORMATS: dict[str, tuple[tuple[str, str], ...]] = {
    "integer": (("int32", "int64"), ("int32", "bigint"), ("int64", "bigint")),
    "number": (("float", "double"),),
    "string": (("date", "date-time"), ("time", "date-time"),
               # Named subsets: a UUID of one version is a UUID, an email an internationalised one.
               *((f"uuid{v}", "uuid") for v in (1, 3, 4, 5, 6, 7, 8)),
               ("email", "idn-email"), ("hostname", "idn-hostname"), ("uri", "iri"),
               ("uri", "uri-reference"), ("iri", "iri-reference"), ("uri-reference", "iri-reference")),
}


def _format_within(types: frozenset[str] | None, narrow: Any, wide: Any) -> bool:
    """Does format ``wide`` (None: no format) keep every value format ``narrow`` allowed, for a
    schema of ``types``? Only a single known type has a format lattice."""
    if narrow == wide or wide is None:
        return True
    if not types or len(types) != 1:
        return False
    return (narrow, wide) in WIDER_FORMATS.get(next(iter(types)), ())


def format_axis(to: frozenset[str] | None, tn: frozenset[str] | None, fo: Any, fn: Any
                ) -> dict[str, bool]:
    """When the type changes, whether the format change beside it is safe for each side.

    A type change that is safe on its own (a widening for what clients send, a narrowing for what
    they receive) still breaks when the format moved the wrong way: ``[string, integer]/int32`` →
    ``integer/int64`` narrows the type but a client holding int32 values now gets int64 ones. What
    clients send must fit the new format; what they receive must fit the old one.
    """
    if fo == fn:
        return {}
    return {"request_format_ok": _format_within(tn, fo, fn),
            "response_format_ok": _format_within(to, fn, fo)}


def admits_all(a: frozenset[str], b: frozenset[str]) -> bool:
    """Does a schema of types ``b`` admit every value one of types ``a`` does?

    ``integer`` values are ``number`` values (JSON Schema), so ``{integer} ⊆ {number}``.
    """
    return all(t in b or (t == "integer" and "number" in b) for t in a)


def simple_union(s: dict[str, Any]) -> frozenset[str] | None:
    """Types of an ``anyOf``/``oneOf`` of bare ``{type: X}`` branches (a list of types in
    disguise), or None."""
    if "type" in s:
        return None
    keys = [k for k in ("anyOf", "oneOf") if isinstance(s.get(k), list)]
    if len(keys) != 1:
        return None
    out: set[str] = set()
    for b in s[keys[0]]:
        if not isinstance(b, dict) or not isinstance(b.get("type"), str):
            return None
        if any(k != "type" and k not in ANNOTATIONS and not _default_valued(k, b[k]) for k in b):
            return None  # (`nullable: false` and the like, spelled out, leave a branch bare)
        if b["type"] != "null":
            out.add(b["type"])
    return frozenset(out)


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def safe_eq(a: Any, b: Any) -> bool:
    """``a == b`` that treats a structure too deep to compare as different (never raises)."""
    try:
        return bool(a == b)
    except RecursionError:
        return False


def _vkey(value: Any) -> str:
    import orjson

    try:
        return orjson.dumps(value, option=orjson.OPT_SORT_KEYS).decode()
    except (TypeError, RecursionError):
        return f"<unhashable {type(value).__name__} at {id(value):x}>"


def _bounds(s: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for stem, kw in BOUND_KEYWORDS:
        v = s.get(kw)
        if isinstance(v, bool):
            continue  # 3.0 boolean exclusiveMinimum/Maximum: folded in below
        if isinstance(v, (int, float)):
            out[stem] = v
    # OpenAPI 3.0 spells an exclusive bound as minimum + exclusiveMinimum: true.
    if s.get("exclusiveMinimum") is True and "min" in out:
        out["exclusive-min"] = out.pop("min")
    if s.get("exclusiveMaximum") is True and "max" in out:
        out["exclusive-max"] = out.pop("max")
    return out


#: ``(narrow, wide)`` formats where every value of the first is a value of the second: pydantic's
#: ``UUID4`` is ``uuid4``, its ``UUID`` is ``uuid``; an ASCII e-mail address is an e-mail address.
def _component_stem(key: str | None) -> str:
    """A component's name without FastAPI's ``-Input``/``-Output`` suffix."""
    name = (key or "").rsplit("/", 1)[-1]
    for suffix in ("-Input", "-Output"):
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return name


def _matches_empty(pattern: Any) -> bool:
    """Does ``pattern`` accept the empty string? True when it cannot be read (the cautious
    answer: then a change to ``.+`` is not a proven generalisation)."""
    import re

    try:
        return re.search(str(pattern), "") is not None
    except (re.error, RecursionError, OverflowError):
        return True


#: Keywords spelled with the value they have anyway: ``nullable: false`` says what leaving it
#: out says. "Same schema?" questions ignore them (a generator that spells defaults out, or
#: stops doing so, changes nothing).
_DEFAULT_VALUED: dict[str, Any] = {
    "nullable": False, "readOnly": False, "writeOnly": False, "deprecated": False,
    "uniqueItems": False, "exclusiveMinimum": False, "exclusiveMaximum": False,
    "additionalProperties": True, "minLength": 0, "minItems": 0, "minProperties": 0,
    "minContains": 1, "required": [],
}


def _default_valued(key: str, value: Any) -> bool:
    if key not in _DEFAULT_VALUED:
        return False
    default = _DEFAULT_VALUED[key]
    return type(value) is type(default) and value == default


def strip_annotations(node: Any) -> Any:
    """A copy of ``node`` without annotation keywords, nor keywords spelled with their default
    value (for "same schema?" questions)."""
    if isinstance(node, dict):
        return {k: strip_annotations(v) for k, v in node.items()
                if k not in ANNOTATIONS and not _default_valued(k, v)}
    if isinstance(node, list):
        return [strip_annotations(v) for v in node]
    return node


#: Keywords whose list is a set: their order means nothing.
_SET_KEYWORDS = frozenset({"enum", "required", "type"})


def schema_form(node: Any) -> Any:
    """:func:`strip_annotations` of ``node`` with set-like lists (``enum``, ``required``, a
    ``type`` list) in a fixed order: two schemas that validate alike by spelling compare equal."""
    return _sorted_sets(strip_annotations(node))


def _sorted_sets(node: Any, key: str = "") -> Any:
    if isinstance(node, dict):
        return {k: _sorted_sets(v, k) for k, v in node.items()}
    if isinstance(node, list):
        items = [_sorted_sets(v) for v in node]
        return sorted(items, key=_vkey) if key in _SET_KEYWORDS else items
    return node


_RFC3339 = re.compile(r"\d{4}-\d{2}-\d{2}"
                      r"(?:[Tt]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[Zz]|[+-]\d{2}:\d{2}))?")


def parse_date(value: Any) -> datetime.date | None:
    """An RFC 3339 full-date (``2026-01-01``) or date-time (``2026-01-01T10:00:00Z``, with its
    offset) as a date; None for anything else (``2026-01-01 10:00``, no offset, ``01/02/2026``).
    A YAML loader may already have made an unquoted date a date."""
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if not isinstance(value, str) or not _RFC3339.fullmatch(value):
        return None
    try:
        date = datetime.date.fromisoformat(value[:10])
        if len(value) > 10:
            datetime.datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
        return date
    except ValueError:
        return None


class SchemaComparator:
    """Compares schemas of the two documents; one per diff."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.old: Resolver = engine.old_resolver
        self.new: Resolver = engine.new_resolver
        self._local: dict[tuple[str, str], Local] = {}
        self._roots: dict[State, set[str]] = defaultdict(set)
        self._scan_cache: dict[int, list[tuple[str, bool, bool, bool]]] = {}
        self._moved_cache: dict[tuple[int, str], bool] = {}
        self._keep: list[Any] = []  # keeps scanned nodes alive so id() keys stay unique
        self._depth_warned = False

    # --- entry point for the area modules ----------------------------------------------------

    def compare(self, o: Any, n: Any, *, optr: str | None, nptr: str | None, direction: Direction,
                family: str, ops: Iterable[str], subject: str, detail: str,
                loose: bool = False) -> None:
        """Compare a schema sitting at an operation (body, parameter, header) in ``direction``.

        ``family`` is ``body``, ``parameter`` or ``header``; ``loose`` marks media types where
        every scalar travels as text (XML, forms).
        """
        ops = tuple(ops)
        res = Local()
        self._walk(o, "", optr, n, "", nptr, "", True, False, False, 0, res)
        from .rules import schema as naming

        for f in res.findings:
            naming.emit(self.engine, f, direction, family, loose, True, subject, detail, ops)
        for e in res.edges:
            if (direction is Direction.REQUEST and e.ro) or (direction is Direction.RESPONSE and e.wo):
                continue
            self._roots[(e.okey, e.nkey, direction, family, loose, e.at_root)].update(ops)

    def finish(self) -> None:
        """Walk the component graph from every operation and emit component findings."""
        from .rules import schema as naming

        pending = list({(s[0], s[1]) for s in self._roots})
        while pending:
            pair = pending.pop()
            if pair in self._local:
                continue
            loc = self._compare_pair(*pair)
            self._local[pair] = loc
            pending.extend((e.okey, e.nkey) for e in loc.edges if (e.okey, e.nkey) not in self._local)
        # Only pairs from which a finding is reachable matter for operation sets.
        parents: dict[tuple[str, str], list[tuple[str, str]]] = defaultdict(list)
        for pair, loc in self._local.items():
            for e in loc.edges:
                parents[(e.okey, e.nkey)].append(pair)
        dirty = {p for p, loc in self._local.items() if loc.findings}
        stack = list(dirty)
        while stack:
            p = stack.pop()
            for q in parents.get(p, ()):
                if q not in dirty:
                    dirty.add(q)
                    stack.append(q)
        states: dict[State, set[str]] = {}
        work: list[State] = []
        for st, ops in self._roots.items():
            if (st[0], st[1]) in dirty:
                states[st] = set(ops)
                work.append(st)
        while work:
            st = work.pop()
            ops = states[st]
            okey, nkey, direction, family, loose, at_root = st
            for e in self._local[(okey, nkey)].edges:
                if (e.okey, e.nkey) not in dirty:
                    continue
                if (direction is Direction.REQUEST and e.ro) or (
                        direction is Direction.RESPONSE and e.wo):
                    continue
                child: State = (e.okey, e.nkey, direction, family, loose, at_root and e.at_root)
                cur = states.get(child)
                if cur is None:
                    states[child] = set(ops)
                    work.append(child)
                elif not ops <= cur:
                    cur |= ops
                    work.append(child)
        # One component reached as a whole body by some operations and nested by others is one
        # place where something changed: its findings are named once per context, not per state.
        groups: dict[tuple[str, str, Direction, str, bool], dict[bool, set[str]]] = defaultdict(dict)
        for st, ops in states.items():
            groups[st[:5]][st[5]] = ops
        for g in sorted(groups, key=lambda s: (s[0], s[1], s[2].value, s[3], s[4])):
            okey, nkey, direction, family, loose = g
            loc = self._local[(okey, nkey)]
            if not loc.findings:
                continue
            subject = subject_of(nkey)
            for f in loc.findings:
                naming.emit_reached(self.engine, f, direction, family, loose, groups[g], subject)

    def release(self) -> None:
        """Drop the per-diff caches (the engine and this comparator refer to each other, so
        without this they would wait for a cyclic-GC pass)."""
        self._local.clear()
        self._roots.clear()
        self._scan_cache.clear()
        self._moved_cache.clear()
        self._keep.clear()

    # --- comparing -------------------------------------------------------------------------

    def _compare_pair(self, okey: str, nkey: str) -> Local:
        res = Local()
        _, onode, ob = self.old.resolve(okey, "", "")
        _, nnode, nb = self.new.resolve(nkey, "", "")
        self._walk(onode, ob, pointer_of(okey), nnode, nb, pointer_of(nkey), "", True, False, False,
                   0, res)
        return res

    def _edges_of_equal(self, node: Any, ob: str, nb: str, at_root: bool, ro: bool, wo: bool,
                        res: Local) -> None:
        for ref, r_root, r_ro, r_wo in self._scan(node):
            okey = self.old.resolve(ref, ob, "")[0]
            nkey = self.new.resolve(ref, nb, "")[0]
            res.edges.append(Edge(okey, nkey, at_root and r_root, ro or r_ro, wo or r_wo))

    def _ref_flags_moved(self, node: Any, base: str) -> bool:
        """Whether a property of the (textually equal) schema ``node`` reaches, through a
        ``$ref``, a schema whose own readOnly/writeOnly/deprecated/x-sunset/x-stability-level
        differ between the documents.

        Those flags belong to the *property* (they are judged where it is declared, see
        :meth:`_properties`), so an unchanged referencing schema must still be compared when
        only its component changed them: moving an inline property into a component must not
        hide the change.
        """
        key = (id(node), base)
        hit = self._moved_cache.get(key)
        if hit is not None:
            return hit
        moved = False
        stack: list[Any] = [node]
        while stack and not moved:
            cur = stack.pop()
            if not isinstance(cur, dict) or isinstance(cur.get("$ref"), str):
                continue
            for k, v in cur.items():
                if k in _SUBSCHEMA:
                    if isinstance(v, dict):
                        stack.append(v)
                    elif isinstance(v, list):
                        stack.extend(v)
                elif k in _SUBSCHEMA_LISTS and isinstance(v, list):
                    stack.extend(v)
                elif k in _SUBSCHEMA_MAPS and isinstance(v, dict):
                    for prop in v.values():
                        if k == "properties" and self._reaches_ref(prop) and (
                                self._flags(self.old, prop, base)
                                != self._flags(self.new, prop, base)):
                            moved = True
                            break
                        stack.append(prop)
        self._moved_cache[key] = moved
        self._keep.append(node)
        return moved

    @staticmethod
    def _reaches_ref(node: Any) -> bool:
        """Whether :meth:`_flags` would follow a ``$ref`` from the property schema ``node``."""
        for _ in range(8):
            if not isinstance(node, dict):
                return False
            if isinstance(node.get("$ref"), str):
                return True
            core, _, _ = unwrap(node)
            if core is node:
                return False
            node = core
        return False

    def _scan(self, node: Any) -> list[tuple[str, bool, bool, bool]]:
        """Every ``$ref`` in the schema ``node`` (not following them) with (at_root, readOnly,
        writeOnly).

        Only subschema keywords are entered — the ones :meth:`_walk` compares — so a ``$ref``
        key inside an example, a default, an enum, a const or an ``x-`` extension stays data
        (GitHub's SCIM examples hold ``"$ref": "https://api.github.com/scim/..."``), and a
        property *named* ``default`` or ``example`` is still followed.
        """
        hit = self._scan_cache.get(id(node))
        if hit is not None:
            return hit
        out: list[tuple[str, bool, bool, bool]] = []
        stack: list[tuple[Any, bool, bool, bool]] = [(node, True, False, False)]
        while stack:
            cur, root, ro, wo = stack.pop()
            if not isinstance(cur, dict):
                continue
            ref = cur.get("$ref")
            ro = ro or cur.get("readOnly") is True
            wo = wo or cur.get("writeOnly") is True
            if isinstance(ref, str):
                out.append((ref, root, ro, wo))
                continue
            for k, v in cur.items():
                if k in _SUBSCHEMA:
                    if isinstance(v, dict):
                        stack.append((v, False, ro, wo))
                    elif isinstance(v, list):  # draft-4 tuple `items`
                        stack.extend((x, False, ro, wo) for x in v)
                elif k in _SUBSCHEMA_LISTS and isinstance(v, list):
                    keep_root = root and k in _COMPOSITION
                    stack.extend((x, keep_root, ro, wo) for x in v)
                elif k in _SUBSCHEMA_MAPS and isinstance(v, dict):
                    stack.extend((x, False, ro, wo) for x in v.values())
        self._scan_cache[id(node)] = out
        self._keep.append(node)
        return out

    def _resolve_side(self, resolver: Resolver, core: Any, base: str, ptr: str | None
                      ) -> tuple[Any, bool, str, str | None]:
        """Follow ``$ref`` aliases until an inline schema: (core, nullable, base, pointer)."""
        nullable = False
        for _ in range(32):
            if not (isinstance(core, dict) and isinstance(core.get("$ref"), str)):
                break
            key, target, base = resolver.resolve(core["$ref"], base, ptr or "")
            ptr = pointer_of(key) if base == "" else None
            core, null2, _ = unwrap(target)
            nullable = nullable or null2
        return core, nullable, base, ptr

    def _walk(self, o: Any, ob: str, optr: str | None, n: Any, nb: str, nptr: str | None,
              rel: str, at_root: bool, ro: bool, wo: bool, depth: int, res: Local) -> None:
        if o is n and ob == nb and not self._ref_flags_moved(o, ob):
            self._edges_of_equal(o, ob, nb, at_root, ro, wo, res)
            return
        if depth > MAX_DEPTH:
            if not self._depth_warned:
                self._depth_warned = True
                self.engine.warnings.append(
                    f"schema nesting deeper than {MAX_DEPTH} levels at {nptr or optr}: the deeper "
                    "part was not compared")
            return
        co, onull, oover = unwrap(o)
        cn, nnull, nover = unwrap(n)
        wo_ptr, wn_ptr = optr, nptr  # the wrappers: nullability and overlays sit there
        if co is not o:
            optr = _ptr(optr, *core_tokens(o))
        if cn is not n:
            nptr = _ptr(nptr, *core_tokens(n))
        oref = co.get("$ref") if isinstance(co, dict) else None
        nref = cn.get("$ref") if isinstance(cn, dict) else None
        if isinstance(oref, str) != isinstance(nref, str):
            # Inline on one side, $ref on the other: compare the target with the inline schema.
            if isinstance(oref, str):
                co, extra, ob, optr = self._resolve_side(self.old, co, ob, optr)
                onull = onull or extra
            else:
                cn, extra, nb, nptr = self._resolve_side(self.new, cn, nb, nptr)
                nnull = nnull or extra
            oref = nref = None
        add = res.findings.append
        # readOnly/writeOnly beside the nullability spelling say who sees that null, too.
        marks = [x for x in (co, cn, oover, nover) if isinstance(x, dict)]
        ro = ro or any(x.get("readOnly") is True for x in marks)
        wo = wo or any(x.get("writeOnly") is True for x in marks)
        if onull != nnull and not _untyped(cn if onull else co):
            # An untyped schema already admits null: dropping `type: [X, "null"]` altogether
            # (or adding it to an untyped schema) leaves null accepted.
            add(Finding("became-nullable" if nnull else "became-not-nullable", rel, at_root, wo_ptr,
                        wn_ptr, ro, wo))
        if oover or nover:
            self._keywords(oover or {}, nover or {}, wo_ptr, wn_ptr, rel, at_root, ro, wo, res)
        if isinstance(oref, str) and isinstance(nref, str):
            okey = self.old.resolve(oref, ob, optr or "")[0]
            nkey = self.new.resolve(nref, nb, nptr or "")[0]
            res.edges.append(Edge(okey, nkey, at_root, ro, wo))
            return
        if not isinstance(co, dict) or not isinstance(cn, dict):
            if not safe_eq(co, cn):
                add(Finding("type-changed", rel, at_root, optr, nptr, ro, wo, co, cn))
            return
        ro = ro or co.get("readOnly") is True or cn.get("readOnly") is True
        wo = wo or co.get("writeOnly") is True or cn.get("writeOnly") is True
        if ob == nb and safe_eq(co, cn) and not self._ref_flags_moved(co, ob):
            self._edges_of_equal(co, ob, nb, at_root, ro, wo, res)
            return
        self._keywords(co, cn, optr, nptr, rel, at_root, ro, wo, res)
        self._structure(co, ob, optr, cn, nb, nptr, rel, at_root, ro, wo, depth, res)

    def _keywords(self, co: dict[str, Any], cn: dict[str, Any], optr: str | None, nptr: str | None,
                  rel: str, at_root: bool, ro: bool, wo: bool, res: Local) -> None:
        """Keywords that constrain the value itself: type, enum, const, default, bounds…"""
        add = res.findings.append

        def f(kind: str, before: Any = None, after: Any = None, key: str = "",
              extra: dict[str, Any] | None = None) -> None:
            add(Finding(kind, rel, at_root, optr, nptr, ro, wo, before, after, key, extra))

        uo, un = simple_union(co), simple_union(cn)
        to = type_set(co) if uo is None else uo
        tn = type_set(cn) if un is None else un
        # A list of types is a union of bare `{type: X}` branches. A 3.1 `type: [A, B]` array is
        # the `type` keyword itself: its changes are type changes (generalized when the new set
        # admits every old value, specialized when the old set admits every new one).
        listy = uo is not None or un is not None
        has_comp = (uo is None and un is None) and any(k in co or k in cn for k in _COMPOSITION)
        scalar = bool(to) and bool(tn) and (to or set()) <= _SCALARS and (tn or set()) <= _SCALARS
        # Type lists are judged by the values they admit, not their spelling: `integer` is
        # inside `number`, so [number, string] → [integer, number, string] changes nothing.
        same_values = (to is not None and tn is not None and to != tn
                       and admits_all(to, tn) and admits_all(tn, to))
        if to != tn and not same_values and not (has_comp and (to is None or tn is None)) \
                and "$ref" not in co and "$ref" not in cn:
            ext: dict[str, Any] = {"scalar": scalar, "from_format": co.get("format"),
                                   "to_format": cn.get("format"), "untyped": tn is None}
            if not listy:
                ext.update(format_axis(to, tn, co.get("format"), cn.get("format")))
            if tn == frozenset({"array"}) and to and to <= _SCALARS:
                # Scalar(s) → array: a form/explode parameter still takes the single value.
                ext["to_array"] = (co, cn.get("items"))
            bt = sorted(to) if to is not None else None
            at = sorted(tn) if tn is not None else None
            if to is None:
                f("type-specialized", bt, at, extra=ext)
            elif tn is None:
                f("type-generalized", bt, at, extra=ext)
            elif len(to) == 1 and len(tn) == 1 and not listy:
                pair = (next(iter(to)), next(iter(tn)))
                if pair == ("integer", "number"):
                    f("type-generalized", bt, at, extra=ext)
                elif pair == ("number", "integer"):
                    f("type-specialized", bt, at, extra=ext)
                else:
                    f("type-changed", bt, at, extra=ext)
            elif admits_all(to, tn):
                f("list-of-types-widened" if listy else "type-generalized", bt, at, extra=ext)
            elif admits_all(tn, to):
                f("list-of-types-narrowed" if listy else "type-specialized", bt, at, extra=ext)
            elif listy and to and tn:
                f("list-of-types-narrowed", bt, at, extra=ext)
                f("list-of-types-widened", bt, at, extra=ext)
            else:
                f("type-changed", bt, at, extra=ext)
        elif to == tn or same_values:
            fo, fn = co.get("format"), cn.get("format")
            if fo != fn:
                ext = {"scalar": scalar, "format": True}
                wider = WIDER_FORMATS.get(next(iter(tn)) if tn and len(tn) == 1 else "", ())
                if fo is None or (fn, fo) in wider:
                    f("type-specialized", fo, fn, extra=ext)
                elif fn is None or (fo, fn) in wider:
                    f("type-generalized", fo, fn, extra=ext)
                else:
                    f("type-changed", fo, fn, extra=ext)
        eo, en = co.get("enum"), cn.get("enum")
        if isinstance(en, list) and not isinstance(eo, list):
            if not ("const" in co and len(en) == 1 and en[0] == co["const"]):
                f("became-enum", None, [v for v in en if v is not None])
        elif isinstance(eo, list) and not isinstance(en, list):
            values = [v for v in eo if v is not None]
            if values and not ("const" in cn and len(eo) == 1 and eo[0] == cn["const"]):
                # The restriction is gone (not its values): any value of the type is valid now.
                f("enum-removed", values, None)
        elif isinstance(eo, list) and isinstance(en, list) and not safe_eq(eo, en):
            new_keys = {_vkey(v) for v in en}
            old_keys = {_vkey(v) for v in eo}
            for v in eo:
                k = _vkey(v)
                if v is not None and k not in new_keys:
                    f("enum-value-removed", v, None, key=k)
            for v in en:
                k = _vkey(v)
                if v is not None and k not in old_keys:
                    f("enum-value-added", None, v, key=k)
        xo, xn = co.get("x-extensible-enum"), cn.get("x-extensible-enum")
        if isinstance(xo, list) and isinstance(xn, list):
            xk = {_vkey(v) for v in xn}
            for v in xo:
                if _vkey(v) not in xk:
                    f("x-extensible-enum-value-removed", v, None, key=_vkey(v))
        for kw, stem in (("const", "const"), ("default", "default-value")):
            vo, vn = co.get(kw, _MISSING), cn.get(kw, _MISSING)
            if vo is _MISSING and vn is _MISSING:
                continue
            if vo is _MISSING:
                if kw == "const" and isinstance(eo, list) and len(eo) == 1 and eo[0] == vn:
                    continue  # enum: [x] → const: x is the same restriction
                f(f"{stem}-added", None, vn)
            elif vn is _MISSING:
                if kw == "const" and isinstance(en, list) and len(en) == 1 and en[0] == vo:
                    continue
                f(f"{stem}-removed", vo, None)
            elif type(vo) is not type(vn) or not safe_eq(vo, vn):
                f(f"{stem}-changed", vo, vn)
        bo, bn = _bounds(co), _bounds(cn)
        if bo or bn:
            for stem, kw in BOUND_KEYWORDS:
                vo, vn = bo.get(stem), bn.get(stem)
                if vo == vn or _default_valued(kw, vn if vo is None else vo if vn is None
                                               else None):
                    continue  # `minLength: 0` declared or dropped bounds nothing
                if vo is None:
                    f(f"{stem}-set", None, vn)
                elif vn is None:
                    f(f"{stem}-unset", vo, None)
                else:
                    f(f"{stem}-{'increased' if vn > vo else 'decreased'}", vo, vn)
        po, pn = co.get("pattern") or None, cn.get("pattern") or None
        if po != pn:
            if po is None:
                f("pattern-added", None, pn)
            elif pn is None:
                f("pattern-removed", po, None)
            elif pn in _ANY_PATTERNS or (pn in _NON_EMPTY_PATTERNS and not _matches_empty(po)):
                # `.+` accepts every value the old pattern did only if the old one never
                # accepted the empty string.
                f("pattern-generalized", po, pn)
            else:
                f("pattern-changed", po, pn)
        for kw, stem in (("contentMediaType", "content-media-type"),
                         ("contentEncoding", "content-encoding")):
            if co.get(kw) != cn.get(kw):
                f(f"{stem}-changed", co.get(kw), cn.get(kw))

    def _structure(self, co: dict[str, Any], ob: str, optr: str | None, cn: dict[str, Any],
                   nb: str, nptr: str | None, rel: str, at_root: bool, ro: bool, wo: bool,
                   depth: int, res: Local) -> None:
        """Subschemas: properties, items, composition, conditionals…"""
        add = res.findings.append
        d = depth + 1

        def f(kind: str, frel: str = rel, before: Any = None, after: Any = None, key: str = "",
              extra: dict[str, Any] | None = None, root: bool = at_root,
              fo: str | None = optr, fn: str | None = nptr) -> None:
            add(Finding(kind, frel, root, fo, fn, ro, wo, before, after, key, extra))

        def sub(kw: str, token: str | None, keep_root: bool = False) -> None:
            a, b = co.get(kw, _MISSING), cn.get(kw, _MISSING)
            if a is _MISSING or b is _MISSING:
                return
            self._walk(a, ob, _ptr(optr, kw), b, nb, _ptr(nptr, kw),
                       _rel(rel, token) if token else rel, at_root and keep_root, ro, wo, d, res)

        # additionalProperties: a schema on both sides is compared; false/true flips are rules.
        ao, an = co.get("additionalProperties", _MISSING), cn.get("additionalProperties", _MISSING)
        if (ao is False) != (an is False) and ("properties" in co or "properties" in cn
                                               or ao is False or an is False):
            f("additional-properties-forbidden" if an is False else "additional-properties-allowed")
        if isinstance(ao, dict) and isinstance(an, dict):
            sub("additionalProperties", "additionalProperties")
        sub("items", "items")
        for kw, name in (("not", "not"), ("propertyNames", "property-names"),
                         ("contains", "contains"), ("if", "if"), ("then", "then"), ("else", "else"),
                         ("unevaluatedItems", "unevaluated-items"),
                         ("unevaluatedProperties", "unevaluated-properties"),
                         ("contentSchema", "content-schema")):
            a, b = co.get(kw, _MISSING), cn.get(kw, _MISSING)
            if a is _MISSING and b is _MISSING:
                continue
            if kw != "not" and (a is _MISSING) != (b is _MISSING):
                f(f"{name}-added" if a is _MISSING else f"{name}-removed")
            elif a is not _MISSING and b is not _MISSING:
                sub(kw, kw if kw != "not" else "not")
        po, pn = co.get("prefixItems"), cn.get("prefixItems")
        if isinstance(po, list) != isinstance(pn, list):
            f("prefix-items-added" if isinstance(pn, list) else "prefix-items-removed")
        elif isinstance(po, list) and isinstance(pn, list):
            for i in range(min(len(po), len(pn))):
                self._walk(po[i], ob, _ptr(optr, "prefixItems", i), pn[i], nb,
                           _ptr(nptr, "prefixItems", i), _rel(rel, f"prefixItems[{i}]"), False, ro,
                           wo, d, res)
        for kw, name in (("patternProperties", "pattern-property"),
                         ("dependentSchemas", "dependent-schema")):
            mo, mn = co.get(kw), cn.get(kw)
            if not isinstance(mo, dict) and not isinstance(mn, dict):
                continue
            mo, mn = mo if isinstance(mo, dict) else {}, mn if isinstance(mn, dict) else {}
            for k in mo:
                if k not in mn:
                    f(f"{name}-removed", key=k, before=k)
            for k in mn:
                if k not in mo:
                    f(f"{name}-added", key=k, after=k)
                else:
                    self._walk(mo[k], ob, _ptr(optr, kw, k), mn[k], nb, _ptr(nptr, kw, k),
                               _rel(rel, f"{kw}[{k}]"), False, ro, wo, d, res)
        if isinstance(co.get("dependentRequired"), dict) or isinstance(cn.get("dependentRequired"),
                                                                         dict):
            do, dn = _dict(co.get("dependentRequired")), _dict(cn.get("dependentRequired"))
            for k in do:
                if k not in dn:
                    f("dependent-required-removed", key=k, before=do[k])
                elif sorted(map(str, do[k] or [])) != sorted(map(str, dn[k] or [])):
                    f("dependent-required-changed", key=k, before=do[k], after=dn[k])
            for k in dn:
                if k not in do:
                    f("dependent-required-added", key=k, after=dn[k])
        if (not any(k in co for k in _COMPOSITION) and isinstance(cn.get("oneOf"), list)
                and len(cn["oneOf"]) >= 2 and "type" not in cn and "properties" not in cn
                and ("type" in co or "properties" in co) and simple_union(cn) is None):
            # X → oneOf [X', Y…]: one change, not a removal of every property plus additions.
            f("wrapped-in-one-of", after=len(cn["oneOf"]))
            return
        if "type" in co and all(k in ANNOTATIONS for k in cn):
            # X → {} (any value): the type-generalized finding says it all; every property of X
            # "removed" would repeat it once per property (prefect 3.1's Settings: 145 times).
            return
        self._discriminator(co.get("discriminator"), cn.get("discriminator"), f)
        self._composition(co, ob, optr, cn, nb, nptr, rel, at_root, ro, wo, d, res, f)
        self._properties(co, ob, optr, cn, nb, nptr, rel, ro, wo, d, res)

    @staticmethod
    def _discriminator(do: Any, dn: Any, f: Any) -> None:
        if not isinstance(do, dict) and not isinstance(dn, dict):
            return
        if not isinstance(do, dict):
            f("discriminator-added")
            return
        if not isinstance(dn, dict):
            f("discriminator-removed")
            return
        if do.get("propertyName") != dn.get("propertyName"):
            f("discriminator-property-name-changed", before=do.get("propertyName"),
              after=dn.get("propertyName"))
        mo, mn = _dict(do.get("mapping")), _dict(dn.get("mapping"))
        for k in mo:
            if k not in mn:
                f("discriminator-mapping-deleted", key=k, before=k)
            elif mo[k] != mn[k]:
                f("discriminator-mapping-changed", key=k, before=mo[k], after=mn[k])
        for k in mn:
            if k not in mo:
                f("discriminator-mapping-added", key=k, after=k)

    def _same(self, a: Any, ab: str, b: Any, bb: str) -> bool:
        """Are two branches the same schema, modulo annotations, the order of set-like lists
        and inline ↔ $ref?"""
        if ab == bb and safe_eq(a, b):
            return True
        ca, _, _, _ = self._resolve_side(self.old, unwrap(a)[0], ab, None)
        cb, _, _, _ = self._resolve_side(self.new, unwrap(b)[0], bb, None)
        try:
            return safe_eq(schema_form(ca), schema_form(cb))
        except RecursionError:
            return False

    def _twin(self, resolver: Resolver, a: Any, b: Any, base: str) -> bool:
        """Are two branches of one list the same: the same component, or equal inline?"""
        ka, kb = self._branch_key(resolver, a, base), self._branch_key(resolver, b, base)
        if ka is not None or kb is not None:
            return ka == kb
        try:
            return bool(safe_eq(schema_form(a), schema_form(b)))
        except RecursionError:
            return False

    def _exists(self, resolver: Resolver, branch: Any, base: str) -> bool:
        """Does ``branch``'s $ref (from the other document) point to something in ``resolver``'s?"""
        try:
            resolver.resolve(branch["$ref"], base, "")
        except InputError:
            return False
        return True

    def _branch_key(self, resolver: Resolver, branch: Any, base: str) -> str | None:
        if isinstance(branch, dict) and isinstance(branch.get("$ref"), str):
            try:
                return resolver.resolve(branch["$ref"], base, "")[0]
            except InputError:  # a bad ref is reported where it is walked
                return None
        return None

    def _composition(self, co: dict[str, Any], ob: str, optr: str | None, cn: dict[str, Any],
                     nb: str, nptr: str | None, rel: str, at_root: bool, ro: bool, wo: bool,
                     d: int, res: Local, f: Any) -> None:
        simple = simple_union(co) is not None or simple_union(cn) is not None
        for kw in _COMPOSITION:
            if simple and kw != "allOf":
                continue  # a union of bare types is compared as a list of types
            lo, ln = co.get(kw), cn.get(kw)
            if not isinstance(lo, list) and not isinstance(ln, list):
                continue
            stem = {"allOf": "all-of", "anyOf": "any-of", "oneOf": "one-of"}[kw]
            wrapped = False
            if not isinstance(lo, list):
                # X → oneOf/anyOf [X, …]: the old schema is one of the new branches.
                assert isinstance(ln, list)
                bare = {k: v for k, v in co.items() if k not in ANNOTATIONS}
                if bare and any(self._same(bare, ob, b, nb) for b in ln) and kw != "allOf":
                    lo_list: list[Any] = [bare]
                    wrapped = kw == "oneOf"
                    olist_ptr = optr
                else:
                    lo_list = []
                    olist_ptr = optr
            else:
                lo_list = lo
                olist_ptr = _ptr(optr, kw)
            if not isinstance(ln, list):
                bare = {k: v for k, v in cn.items() if k not in ANNOTATIONS}
                ln_list: list[Any] = [bare] if (bare and any(self._same(b, ob, bare, nb) for b in lo_list)
                                                and kw != "allOf") else []
                nlist_ptr = nptr
            else:
                ln_list = ln
                nlist_ptr = _ptr(nptr, kw)
            pairs, removed, added = self._match(lo_list, ob, ln_list, nb)
            if kw != "oneOf" and pairs:
                # allOf/anyOf are conjunction/disjunction: a branch equal to one that stays on
                # both sides adds or drops nothing. In oneOf a duplicate changes what matches.
                # (Two components of the same structure stay two branches, as in _match.)
                kept_o = [i for i, _ in pairs]
                kept_n = [j for _, j in pairs]
                removed = [i for i in removed
                           if not any(self._twin(self.old, lo_list[i], lo_list[k], ob)
                                      for k in kept_o)]
                added = [j for j in added
                         if not any(self._twin(self.new, ln_list[j], ln_list[k], nb)
                                    for k in kept_n)]
            if wrapped and added:
                f("wrapped-in-one-of", before=None, after=len(ln_list))
                added = []
            for i in removed:
                ann = isinstance(lo_list[i], dict) and all(k in ANNOTATIONS for k in lo_list[i])
                kind = f"{stem}-removed" + ("-annotation-only" if ann and kw == "allOf" else "")
                bkey = self._branch_key(self.old, lo_list[i], ob)
                f(kind, key=bkey or f"#{i}", before=bkey)
            for j in added:
                ann = isinstance(ln_list[j], dict) and all(k in ANNOTATIONS for k in ln_list[j])
                kind = f"{stem}-added" + ("-annotation-only" if ann and kw == "allOf" else "")
                bkey = self._branch_key(self.new, ln_list[j], nb)
                f(kind, key=bkey or f"#{j}", after=bkey)
            for i, j in pairs:
                token = rel if kw == "allOf" else _rel(rel, f"{kw}[{j}]")
                self._walk(lo_list[i], ob, _ptr(olist_ptr, i) if isinstance(lo, list) else optr,
                           ln_list[j], nb, _ptr(nlist_ptr, j) if isinstance(ln, list) else nptr,
                           token, False, ro, wo, d, res)

    def _match(self, lo: list[Any], ob: str, ln: list[Any], nb: str
               ) -> tuple[list[tuple[int, int]], list[int], list[int]]:
        """Pair composition branches: same $ref, same schema, then position; rest added/removed."""
        pairs: list[tuple[int, int]] = []
        left = list(range(len(lo)))
        right = list(range(len(ln)))
        okeys = [self._branch_key(self.old, b, ob) for b in lo]
        nkeys = [self._branch_key(self.new, b, nb) for b in ln]
        for i in list(left):
            if okeys[i] is None:
                continue
            for j in right:
                if nkeys[j] == okeys[i]:
                    pairs.append((i, j))
                    left.remove(i)
                    right.remove(j)
                    break
        for i in list(left):
            for j in right:
                if okeys[i] is not None and nkeys[j] is not None:
                    continue  # two different components are two different branches
                if self._same(lo[i], ob, ln[j], nb):
                    pairs.append((i, j))
                    left.remove(i)
                    right.remove(j)
                    break
        # A component that exists on one side only (renamed, or FastAPI's split of `X` into
        # `X-Input`/`X-Output` once its request and response shapes differ) is the same branch
        # as the component new on the other side: paired, they are compared for what changed
        # rather than reported as a branch removed and another added.
        gone = [i for i in left if okeys[i] is not None and not self._exists(self.new, lo[i], nb)]
        came = [j for j in right if nkeys[j] is not None and not self._exists(self.old, ln[j], ob)]
        for i in list(gone):
            stem = _component_stem(okeys[i])
            same = [j for j in came if _component_stem(nkeys[j]) == stem]
            if len(same) == 1:
                pairs.append((i, same[0]))
                gone.remove(i)
                came.remove(same[0])
        if len(gone) == 1 and len(came) == 1:
            pairs.append((gone[0], came[0]))
        paired = {i for i, _ in pairs}, {j for _, j in pairs}
        left = [i for i in left if i not in paired[0]]
        right = [j for j in right if j not in paired[1]]
        li = [i for i in left if okeys[i] is None]
        rj = [j for j in right if nkeys[j] is None]
        if li and len(li) == len(rj):
            pairs.extend(zip(li, rj, strict=True))
            left = [i for i in left if i not in li]
            right = [j for j in right if j not in rj]
        return pairs, left, right

    def _properties(self, co: dict[str, Any], ob: str, optr: str | None, cn: dict[str, Any],
                    nb: str, nptr: str | None, rel: str, ro: bool, wo: bool, d: int,
                    res: Local) -> None:
        po, pn = _dict(co.get("properties")), _dict(cn.get("properties"))
        # Only names count in `required` (a hostile document may list objects there).
        ro_list = [x for x in _list(co.get("required")) if isinstance(x, str)]
        rn_list = [x for x in _list(cn.get("required")) if isinstance(x, str)]
        if not po and not pn and ro_list == rn_list:
            return
        req_o, req_n = set(ro_list), set(rn_list)
        names = list(dict.fromkeys([*po, *pn, *ro_list, *rn_list]))
        add = res.findings.append
        renamed = self._renamed_properties(po, ob, pn, nb, req_o, req_n)
        renamed_to = {new: old for old, new in renamed.items()}
        for name in names:
            if not isinstance(name, str):
                continue
            a, b = po.get(name, _MISSING), pn.get(name, _MISSING)
            crel = _rel(rel, name)
            aptr = _ptr(optr, "properties", name) if a is not _MISSING else optr
            bptr = _ptr(nptr, "properties", name) if b is not _MISSING else nptr
            fa = self._flags(self.old, a, ob)
            fb = self._flags(self.new, b, nb)
            if a is _MISSING and b is _MISSING:
                if (name in req_o) != (name in req_n):
                    kind = "became-required" if name in req_n else "became-optional"
                    add(Finding(kind, crel, False, optr, nptr, ro, wo, None, None, "", {
                        "default": False, "ro": ro, "wo": wo}))
                continue
            if name in renamed:
                continue  # reported at its new name
            if name in renamed_to:
                was = renamed_to[name]
                a, aptr = po[was], _ptr(optr, "properties", was)
                fa = self._flags(self.old, a, ob)
                split = (Finding("property-removed", _rel(rel, was), False, aptr, None,
                                 ro or fa["ro"], wo or fa["wo"], None, None, "",
                                 {"required": was in req_o, **fa}),
                         Finding("property-added", crel, False, None, bptr, ro or fb["ro"],
                                 wo or fb["wo"], None, None, "",
                                 {"required": name in req_n, **fb}))
                add(Finding("property-renamed", crel, False, aptr, bptr, ro or fb["ro"],
                            wo or fb["wo"], was, name, was, {"required": name in req_n,
                                                             "split": split, **fb}))
                self._walk(a, ob, aptr, b, nb, bptr, crel, False, ro, wo, d, res)
                continue
            if b is _MISSING:
                add(Finding("property-removed", crel, False, aptr, None, ro or fa["ro"],
                            wo or fa["wo"], None, None, "", {
                                "required": name in req_o, **fa}))
                continue
            if a is _MISSING:
                add(Finding("property-added", crel, False, None, bptr, ro or fb["ro"],
                            wo or fb["wo"], None, None, "", {"required": name in req_n, **fb}))
                continue
            if (name in req_o) != (name in req_n):
                kind = "became-required" if name in req_n else "became-optional"
                add(Finding(kind, crel, False, aptr, bptr, ro or fb["ro"], wo or fb["wo"], None,
                            None, "", {"default": fb["default"], "ro": fb["ro"], "wo": fb["wo"]}))
            required = name in req_n
            for flag, word in (("ro", "read-only"), ("wo", "write-only")):
                if fa[flag] != fb[flag]:
                    kind = f"became-{word}" if fb[flag] else f"became-not-{word}"
                    add(Finding(kind, crel, False, aptr, bptr, False, False, None, None, "",
                                {"required": required}))
            if fa["stability"] != fb["stability"]:
                add(Finding("stability", crel, False, aptr, bptr, ro or fb["ro"], wo or fb["wo"],
                            fa["stability"], fb["stability"]))
            if fa["deprecated"] != fb["deprecated"] or (fb["deprecated"] and fa["sunset"] != fb["sunset"]):
                add(Finding("deprecation", crel, False, aptr, bptr, ro or fb["ro"], wo or fb["wo"],
                            fa["sunset"], fb["sunset"], "", {"old": fa, "new": fb}))
            self._walk(a, ob, aptr, b, nb, bptr, crel, False, ro, wo, d, res)

    def _renamed_properties(self, po: dict[str, Any], ob: str, pn: dict[str, Any], nb: str,
                            req_o: set[str], req_n: set[str]) -> dict[str, str]:
        """Removed → added property names that are one rename (:mod:`.renames`): the same
        schema, requiredness and readOnly/writeOnly; the old one not deprecated."""
        gone = [n for n in po if n not in pn and isinstance(n, str)]
        new = [n for n in pn if n not in po and isinstance(n, str)]
        if not gone or not new:
            return {}
        from .renames import match_renames

        def identity(resolver: Resolver, node: Any, base: str, required: bool) -> Any:
            flags = self._flags(resolver, node, base)
            # A property whose schema is a `$ref` is identified by what it references, not by
            # the component's name: a renamed property may point at a renamed twin component.
            try:
                schema, nullable, _, _ = self._resolve_side(resolver, node, base, None)
            except InputError:  # reported where the ref is walked
                schema, nullable = node, False
            return {"schema": schema, "nullable": nullable, "required": required,
                    "ro": flags["ro"], "wo": flags["wo"], "deprecated": flags["deprecated"]}

        old_ids = {n: identity(self.old, po[n], ob, n in req_o) for n in gone}
        new_ids = {n: identity(self.new, pn[n], nb, n in req_n) for n in new}
        pairs = match_renames({n: v for n, v in old_ids.items() if not v["deprecated"]}, new_ids)
        return dict(pairs)

    def _flags(self, resolver: Resolver, node: Any, base: str) -> dict[str, Any]:
        """readOnly/writeOnly/deprecated/default of a property schema (through a $ref)."""
        out = {"ro": False, "wo": False, "deprecated": False, "sunset": None, "default": False,
               "stability": None}
        if node is _MISSING or not isinstance(node, dict):
            return out
        seen = 0
        cur: Any = node
        while isinstance(cur, dict) and seen < 8:
            out["ro"] = out["ro"] or cur.get("readOnly") is True
            out["wo"] = out["wo"] or cur.get("writeOnly") is True
            out["deprecated"] = out["deprecated"] or cur.get("deprecated") is True
            if out["sunset"] is None and "x-sunset" in cur:
                out["sunset"] = cur["x-sunset"]
            if out["stability"] is None and "x-stability-level" in cur:
                out["stability"] = cur["x-stability-level"]
            out["default"] = out["default"] or "default" in cur
            core, _, _ = unwrap(cur)
            ref = core.get("$ref") if isinstance(core, dict) else None
            if not isinstance(ref, str):
                if core is not cur and isinstance(core, dict):
                    cur = core
                    seen += 1
                    continue
                break
            try:
                _, cur, base = resolver.resolve(ref, base, "")
            except InputError:  # reported where the ref is walked
                break
            seen += 1
        return out
