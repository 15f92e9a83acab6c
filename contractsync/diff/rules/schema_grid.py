"""The schema-keyword rules: one suffix per keyword change, registered for every subject.

A schema change is named ``<subject>-<suffix>``: the subject says where the schema sits
(``request-body``, ``request-property``, ``response-body``, ``response-property``,
``request-parameter``, ``request-parameter-property``, ``response-header``) and the suffix what
changed (``max-length-decreased``). The verdict follows from who sends the data: tightening what a
client may send is breaking, tightening what a server returns is safe, and the reverse.
"""

from __future__ import annotations

from typing import Any

from .. import examples as ex
from ..model import Level
from ..registry import REQ, RESP, E, I, W, rule

Frag = dict[str, Any]

# suffix -> (request level, response level, what it means, before fragment, after fragment)
SUFFIXES: dict[str, tuple[Level, Level, str, Frag, Frag]] = {}


def _s(suffix: str, req: Level, resp: Level, doc: str, before: Frag, after: Frag) -> None:
    SUFFIXES[suffix] = (req, resp, doc, before, after)


_STR: Frag = {"type": "string"}
_NUM: Frag = {"type": "number"}
_INT: Frag = {"type": "integer"}
_ARR: Frag = {"type": "array", "items": {"type": "string"}}
_OBJ: Frag = {"type": "object"}

_s("type-changed", E, E, "The type changed to an unrelated one, or the format changed (in a "
   "response also a format dropped or widened, or the type dropped: values clients parse change; "
   "and a safe type change beside a format that moved the wrong way).", _STR, _INT)
_s("type-generalized", I, E, "The type widened (integer to number, `type: [string]` to "
   "`[string, integer]`; in a request also a format dropped or widened, `uuid4` to `uuid`, or the "
   "type dropped): "
   "more values are valid.", _INT, _NUM)
_s("type-specialized", E, I, "The type narrowed (number to integer, `[string, integer]` to "
   "`[string]`, a format added or narrowed, int64 to int32, `uuid` to `uuid4`): fewer values are "
   "valid.", _NUM, _INT)
_s("type-compatible", I, I, "A scalar type changed where every value travels as text (XML, "
   "forms, plain text; in a response header, a `string` that became another scalar): the values "
   "still read as the text they always were.", _STR, _INT)
_UNION: Frag = {"oneOf": [_STR, _INT]}
_s("list-of-types-widened", I, E, "A `oneOf`/`anyOf` of bare types (a list of types) allows more "
   "types. (A 3.1 `type: [...]` array is the type itself: `type-generalized`/`-specialized`.)",
   _STR, _UNION)
_s("list-of-types-narrowed", E, I, "A `oneOf`/`anyOf` of bare types (a list of types) allows fewer "
   "types.", _UNION, _STR)
_s("became-nullable", I, E, "The value may now be null (`nullable: true`, `type: [X, \"null\"]` or "
   "`anyOf: [X, {type: null}]` as pydantic writes `Optional[X]` — all one change).", _STR,
   {"anyOf": [_STR, {"type": "null"}]})
_s("became-not-nullable", E, I, "The value may no longer be null.", {"type": ["string", "null"]}, _STR)
_s("enum-value-added", I, W, "An enum value was added. Clients that switch over a response enum "
   "may not handle it (use `x-extensible-enum` to say they must).", {"type": "string", "enum": ["a"]},
   {"type": "string", "enum": ["a", "b"]})
_s("enum-value-removed", E, I, "An enum value was removed.", {"type": "string", "enum": ["a", "b"]},
   {"type": "string", "enum": ["a"]})
_s("became-enum", E, I, "The value is now restricted to an enum.", _STR, {"type": "string", "enum": ["a"]})
_s("enum-removed", I, W, "The `enum` restriction was dropped (not a value of it: the list is "
   "gone): any value of the type is valid now. Clients that switch over a response enum may "
   "receive values they do not handle, as with a value added.",
   {"type": "string", "enum": ["a", "b"]}, _STR)
_s("x-extensible-enum-value-removed", E, I, "A value of an `x-extensible-enum` was removed.",
   {"type": "string", "x-extensible-enum": ["a", "b"]}, {"type": "string", "x-extensible-enum": ["a"]})
_s("const-added", E, I, "The value is now fixed by `const`.", _STR, {"type": "string", "const": "a"})
_s("const-changed", E, E, "The `const` value changed.", {"type": "string", "const": "a"},
   {"type": "string", "const": "b"})
_s("const-removed", I, E, "The `const` restriction was removed.", {"type": "string", "const": "a"}, _STR)
_s("default-value-added", I, I, "A default value was added.", _STR, {"type": "string", "default": "a"})
_s("default-value-changed", I, I, "The default value changed: clients that omit the value get a "
   "different behaviour.", {"type": "string", "default": "a"}, {"type": "string", "default": "b"})
_s("default-value-removed", I, I, "The default value was removed.", {"type": "string", "default": "a"}, _STR)

# Bounds: (suffix stem, keyword, fragment type, is a lower bound).
BOUNDS: tuple[tuple[str, str, Frag, bool], ...] = (
    ("min", "minimum", _NUM, True),
    ("max", "maximum", _NUM, False),
    ("exclusive-min", "exclusiveMinimum", _NUM, True),
    ("exclusive-max", "exclusiveMaximum", _NUM, False),
    ("min-length", "minLength", _STR, True),
    ("max-length", "maxLength", _STR, False),
    ("min-items", "minItems", _ARR, True),
    ("max-items", "maxItems", _ARR, False),
    ("min-properties", "minProperties", _OBJ, True),
    ("max-properties", "maxProperties", _OBJ, False),
    ("min-contains", "minContains", {"type": "array", "contains": {"type": "string"}}, True),
    ("max-contains", "maxContains", {"type": "array", "contains": {"type": "string"}}, False),
)
PARAM_BOUNDS = {"min", "max", "exclusive-min", "exclusive-max", "min-length", "max-length",
                "min-items", "max-items"}

for _stem, _kw, _frag, _lower in BOUNDS:
    _lo, _hi = 2, 5
    _tight = "increased" if _lower else "decreased"
    _loose = "decreased" if _lower else "increased"
    _s(f"{_stem}-{_tight}", E, I, f"`{_kw}` was tightened: fewer values are valid.",
       {**_frag, _kw: _lo if _lower else _hi}, {**_frag, _kw: _hi if _lower else _lo})
    _s(f"{_stem}-{_loose}", I, E, f"`{_kw}` was loosened: more values are valid.",
       {**_frag, _kw: _hi if _lower else _lo}, {**_frag, _kw: _lo if _lower else _hi})
    _s(f"{_stem}-set", W, I, f"`{_kw}` was set where there was none. On a request it is possibly "
       "breaking: the document cannot say whether clients ever sent values beyond it.",
       dict(_frag), {**_frag, _kw: _lo})
    _s(f"{_stem}-unset", I, E, f"`{_kw}` was removed: any value is valid now.",
       {**_frag, _kw: _lo}, dict(_frag))

_s("pattern-added", E, I, "A `pattern` now restricts the value.", _STR, {"type": "string", "pattern": "^[a-z]+$"})
_s("pattern-removed", I, I, "The `pattern` was removed.", {"type": "string", "pattern": "^[a-z]+$"}, _STR)
_s("pattern-changed", W, I, "The `pattern` changed; whether the new one accepts every value the old "
   "one did cannot be decided in general.", {"type": "string", "pattern": "^[a-z]+$"},
   {"type": "string", "pattern": "^[a-c]+$"})
_s("pattern-generalized", I, I, "The `pattern` changed to one that accepts anything (`.*`).",
   {"type": "string", "pattern": "^[a-z]+$"}, {"type": "string", "pattern": ".*"})
_s("additional-properties-forbidden", E, I, "`additionalProperties: false` now rejects properties "
   "the schema does not name (pydantic's `extra='forbid'`).", _OBJ, {"type": "object",
   "additionalProperties": False})
_s("additional-properties-allowed", I, I, "`additionalProperties: false` was lifted.",
   {"type": "object", "additionalProperties": False}, _OBJ)
_REF_A: Frag = {"type": "object", "properties": {"a": _STR}}
_REF_B: Frag = {"type": "object", "properties": {"b": _STR}}
_s("all-of-added", E, I, "A subschema was added to `allOf`: values must satisfy one more schema.",
   {"allOf": [_REF_A]}, {"allOf": [_REF_A, _REF_B]})
_s("all-of-removed", W, I, "A subschema was removed from `allOf`.", {"allOf": [_REF_A, _REF_B]},
   {"allOf": [_REF_A]})
_s("all-of-added-annotation-only", I, I, "A subschema holding only annotations (description, "
   "title) was added to `allOf`.", {"allOf": [_REF_A]}, {"allOf": [_REF_A, {"description": "x"}]})
_s("all-of-removed-annotation-only", I, I, "A subschema holding only annotations was removed "
   "from `allOf`.", {"allOf": [_REF_A, {"description": "x"}]}, {"allOf": [_REF_A]})
_s("any-of-added", I, E, "A branch was added to `anyOf`. In a response, clients may now receive "
   "a shape they do not handle.", {"anyOf": [_REF_A, _STR]}, {"anyOf": [_REF_A, _STR, _INT]})
_s("any-of-removed", E, I, "A branch was removed from `anyOf`.", {"anyOf": [_REF_A, _STR, _INT]},
   {"anyOf": [_REF_A, _STR]})
_s("one-of-added", I, E, "A branch was added to `oneOf`.", {"oneOf": [_REF_A, _STR]},
   {"oneOf": [_REF_A, _STR, _INT]})
_s("one-of-removed", E, I, "A branch was removed from `oneOf`.", {"oneOf": [_REF_A, _STR, _INT]},
   {"oneOf": [_REF_A, _STR]})
_s("wrapped-in-one-of", E, E, "The schema was wrapped in a `oneOf` with other branches: one change, "
   "not a removal plus additions.", _REF_A, {"oneOf": [_REF_A, _REF_B]})
_DISC: Frag = {"oneOf": [_REF_A, _REF_B], "discriminator": {"propertyName": "kind"}}
_s("discriminator-added", I, I, "A discriminator was added.", {"oneOf": [_REF_A, _REF_B]}, _DISC)
_s("discriminator-removed", I, I, "The discriminator was removed.", _DISC, {"oneOf": [_REF_A, _REF_B]})
_s("discriminator-property-name-changed", I, I, "The discriminator's property name changed.", _DISC,
   {"oneOf": [_REF_A, _REF_B], "discriminator": {"propertyName": "type"}})
_s("discriminator-mapping-added", I, I, "A discriminator mapping entry was added.", _DISC,
   {**_DISC, "discriminator": {"propertyName": "kind", "mapping": {"a": "#/x"}}})
_s("discriminator-mapping-deleted", I, I, "A discriminator mapping entry was removed.",
   {**_DISC, "discriminator": {"propertyName": "kind", "mapping": {"a": "#/x"}}}, _DISC)
_s("discriminator-mapping-changed", I, I, "A discriminator mapping entry points elsewhere.",
   {**_DISC, "discriminator": {"propertyName": "kind", "mapping": {"a": "#/x"}}},
   {**_DISC, "discriminator": {"propertyName": "kind", "mapping": {"a": "#/y"}}})
for _kw, _name in (("if", "if"), ("then", "then"), ("else", "else"), ("contains", "contains"),
                   ("propertyNames", "property-names"), ("unevaluatedItems", "unevaluated-items"),
                   ("unevaluatedProperties", "unevaluated-properties"),
                   ("contentSchema", "content-schema")):
    _val: Any = False if _kw.startswith("unevaluated") else {"type": "string", "maxLength": 3}
    _s(f"{_name}-added", E, I, f"`{_kw}` was added: it constrains valid values further.", _OBJ,
       {**_OBJ, _kw: _val})
    _s(f"{_name}-removed", I, E, f"`{_kw}` was removed: values it used to exclude are valid now.",
       {**_OBJ, _kw: _val}, _OBJ)
_s("prefix-items-added", I, E, "`prefixItems` was added (positional item schemas).", _ARR,
   {**_ARR, "prefixItems": [_STR]})
_s("prefix-items-removed", E, I, "`prefixItems` was removed.", {**_ARR, "prefixItems": [_STR]}, _ARR)
_s("dependent-required-added", E, I, "A `dependentRequired` entry was added.", _OBJ,
   {**_OBJ, "dependentRequired": {"a": ["b"]}})
_s("dependent-required-removed", I, E, "A `dependentRequired` entry was removed.",
   {**_OBJ, "dependentRequired": {"a": ["b"]}}, _OBJ)
_s("dependent-required-changed", E, E, "A `dependentRequired` entry changed.",
   {**_OBJ, "dependentRequired": {"a": ["b"]}}, {**_OBJ, "dependentRequired": {"a": ["c"]}})
_s("dependent-schema-added", E, I, "A `dependentSchemas` entry was added.", _OBJ,
   {**_OBJ, "dependentSchemas": {"a": {"required": ["b"]}}})
_s("dependent-schema-removed", I, E, "A `dependentSchemas` entry was removed.",
   {**_OBJ, "dependentSchemas": {"a": {"required": ["b"]}}}, _OBJ)
_s("pattern-property-added", E, I, "A `patternProperties` entry was added.", _OBJ,
   {**_OBJ, "patternProperties": {"^x-": _STR}})
_s("pattern-property-removed", I, E, "A `patternProperties` entry was removed.",
   {**_OBJ, "patternProperties": {"^x-": _STR}}, _OBJ)
_s("content-media-type-changed", E, E, "`contentMediaType` changed.",
   {"type": "string", "contentMediaType": "image/png"}, {"type": "string", "contentMediaType": "image/jpeg"})
_s("content-encoding-changed", E, E, "`contentEncoding` changed.",
   {"type": "string", "contentEncoding": "base64"}, {"type": "string", "contentEncoding": "base32"})

#: Suffixes each subject has a rule for. A finding whose subject lacks the suffix is reported
#: under the next subject in :func:`grid_id`'s fallback chain (``request-property`` etc.).
_BODY_ONLY = {"type-specialized"}
SUBJECT_SUFFIXES: dict[str, set[str]] = {
    "request-body": set(SUFFIXES) - _BODY_ONLY,
    "request-property": set(SUFFIXES) - _BODY_ONLY,
    "response-body": set(SUFFIXES),
    "response-property": set(SUFFIXES),
    "request-parameter": {
        "type-changed", "type-generalized", "list-of-types-widened", "list-of-types-narrowed",
        "became-nullable", "became-not-nullable", "enum-value-added", "enum-value-removed",
        "became-enum", "enum-removed", "x-extensible-enum-value-removed", "const-added",
        "const-changed",
        "const-removed", "default-value-added", "default-value-changed", "default-value-removed",
        "pattern-added", "pattern-removed", "pattern-changed", "pattern-generalized",
        *(f"{b}-{c}" for b in PARAM_BOUNDS for c in ("increased", "decreased", "set", "unset")),
    },
    "request-parameter-property": {
        "type-changed", "type-specialized", "type-generalized", "became-nullable",
        "became-not-nullable", "enum-value-added", "enum-value-removed", "enum-removed",
        "list-of-types-widened", "list-of-types-narrowed",
    },
    # A response header's value is text the client parses: every keyword that shapes it
    # (bounds, pattern, enum, composition…) is named for the header, never as a "property".
    "response-header": set(SUFFIXES),
}

#: oasdiff names a few grid cells differently.
ALIASES = {"response-body-enum-value-removed": "response-mediatype-enum-value-removed"}

# oasdiff's verdicts where they differ from the direction default (kept for compatibility).
_LEVEL_OVERRIDES: dict[str, Level] = {
    "request-parameter-default-value-added": E,
    "request-parameter-default-value-changed": E,
    "request-parameter-default-value-removed": E,
    "request-parameter-property-type-changed": W,
}

def _wrap(subject: str, frag: Frag) -> dict[str, Any]:
    if subject == "request-body":
        return ex.request_body(frag)
    if subject == "request-property":
        return ex.request_body(ex.obj(frag))
    if subject == "response-body":
        return ex.response_body(frag)
    if subject == "response-property":
        return ex.response_body(ex.obj(frag))
    if subject == "request-parameter":
        return ex.query_param(frag)
    if subject == "request-parameter-property":
        return ex.query_param(ex.obj(frag), style="deepObject", explode=True)
    if subject == "response-header":
        return ex.response_header(frag)
    raise ValueError(subject)


_WHERE = {
    "request-body": "the root schema of a request body",
    "request-property": "a property (at any depth) of a request body",
    "response-body": "the root schema of a response body",
    "response-property": "a property (at any depth) of a response body",
    "request-parameter": "a parameter's schema",
    "request-parameter-property": "a property inside an object-valued parameter",
    "response-header": "a response header's schema",
}


def grid_rule_id(subject: str, suffix: str) -> str:
    """The registered id for ``suffix`` at ``subject`` (aliases applied)."""
    rid = f"{subject}-{suffix}"
    return ALIASES.get(rid, rid)


def register_grid(oasdiff_ids: set[str]) -> None:
    """Register every (subject, suffix) cell; ``oasdiff_ids`` marks ids oasdiff shares."""
    for subject, suffixes in SUBJECT_SUFFIXES.items():
        direction = RESP if subject.startswith("response") else REQ
        for suffix in SUFFIXES:
            if suffix not in suffixes:
                continue
            if suffix == "type-compatible" and "parameter" in subject:
                continue
            req_level, resp_level, doc, before, after = SUFFIXES[suffix]
            if suffix == "type-changed" and ("parameter" in subject or subject == "response-header"):
                # Parameters and headers travel as text, so string → integer is a narrowing
                # there (or, in a response header, compatible).
                before, after = _INT, {"type": "boolean"}
            rid = grid_rule_id(subject, suffix)
            level = _LEVEL_OVERRIDES.get(rid, req_level if direction is REQ else resp_level)
            media = "application/xml" if suffix == "type-compatible" else None
            b, a = _wrap(subject, before), _wrap(subject, after)
            if media:
                b, a = (_swap_media(x, media) for x in (b, a))
            mirror = None
            no_mirror = ""
            if direction is REQ:
                other = subject.replace("request", "response", 1)
                if other in SUBJECT_SUFFIXES and suffix in SUBJECT_SUFFIXES[other]:
                    mirror = grid_rule_id(other, suffix)
                else:
                    no_mirror = ("parameters are only sent by clients; the response side of this "
                                 "change is a response-header or response-property rule")
            else:
                other = subject.replace("response", "request", 1)
                if other in SUBJECT_SUFFIXES and suffix in SUBJECT_SUFFIXES[other]:
                    mirror = grid_rule_id(other, suffix)
                elif suffix == "type-specialized":
                    no_mirror = ("on the request side narrowing a type is reported as "
                                 "type-changed (breaking)")
                else:
                    no_mirror = "headers a client sends are parameters (request-parameter-*)"
            rule(rid, level, direction, "schema",
                 f"In {_WHERE[subject]}: {doc}", b, a, oasdiff=rid in oasdiff_ids,
                 mirror=mirror, no_mirror=no_mirror)


def _swap_media(document: dict[str, Any], media: str) -> dict[str, Any]:
    import copy

    out = copy.deepcopy(document)
    for item in out["paths"].values():
        for operation in item.values():
            for holder in [operation.get("requestBody"), *operation.get("responses", {}).values()]:
                if holder and "content" in holder:
                    holder["content"] = {media: next(iter(holder["content"].values()))}
    return out

