"""Schema rules: keyword changes (the grid in :mod:`.schema_grid`) and property changes.

This module also *names* the comparator's findings: the same finding ("property ``p`` removed")
becomes ``request-property-removed`` in a request and ``response-required-property-removed`` in a
response, and readOnly/writeOnly properties are judged only on the side that sends them.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from .. import examples as ex
from ..collect import UNSET
from ..model import Direction, Level
from ..registry import REQ, RESP, RULES, E, I, W, rule
from ..resolve import subject_of
from ..schemas import REQUIRED, Finding, parse_date
from .schema_grid import SUFFIXES, grid_rule_id, register_grid

if TYPE_CHECKING:
    from ..engine import Engine

_STR = {"type": "string"}
_EMPTY = {"type": "object", "properties": {}}


def _req(prop: Any, required: bool = False, **extra: Any) -> dict[str, Any]:
    return ex.request_body({**ex.obj(prop, required=required), **extra})


def _resp(prop: Any, required: bool = False, **extra: Any) -> dict[str, Any]:
    return ex.response_body({**ex.obj(prop, required=required), **extra})


def _register() -> None:
    from ..oasdiff import OASDIFF_LEVELS

    register_grid(set(OASDIFF_LEVELS))

    def r(id: str, level: Any, direction: Direction, doc: str, before: Any, after: Any, **kw: Any
          ) -> None:
        rule(id, level, direction, "schema", doc, before, after, **{"oasdiff": id in OASDIFF_LEVELS, **kw})

    # --- property existence and requiredness -----------------------------------------------
    r("request-property-removed", W, REQ, "A request property was removed. Clients that still "
      "send it may be rejected by a strict server or gateway; the document cannot tell.",
      _req(_STR), ex.request_body(_EMPTY), mirror="response-optional-property-removed")
    r("request-property-removed-with-deprecation", I, REQ, "A deprecated request property whose "
      "sunset date has passed (or that had none) was removed: the announced end of its life.",
      _req({**_STR, "deprecated": True}), ex.request_body(_EMPTY), oasdiff=False,
      mirror="response-property-removed-with-deprecation")
    r("request-property-removed-before-sunset", E, REQ, "A deprecated request property was "
      "removed before its `x-sunset` date.", _req({**_STR, "deprecated": True,
                                                   "x-sunset": "9999-12-31"}),
      ex.request_body(_EMPTY), oasdiff=False, mirror="response-property-removed-before-sunset")
    _renamed = {"type": "object", "properties": {"q": _STR}}
    r("request-property-renamed", W, REQ, "An optional request property was renamed: one removed "
      "and one added with the same schema in the same object (see *Renames* below). Clients "
      "still send the old name; the level is the removal's. A rename to a *required* property "
      "stays a removal plus `new-required-request-property`: the addition breaks clients on its "
      "own.", _req(_STR), ex.request_body(_renamed), oasdiff=False,
      mirror="response-optional-property-renamed")
    r("response-optional-property-renamed", W, RESP, "An optional response property was renamed "
      "(same schema, same object): clients reading the old name find nothing. The level is the "
      "removal's.", _resp(_STR), ex.response_body(_renamed), oasdiff=False,
      mirror="request-property-renamed")
    r("response-required-property-renamed", E, RESP, "A required response property was renamed "
      "(same schema, same object): clients read the old name. The level is the removal's.",
      _resp(_STR, True), ex.response_body({**_renamed, "required": ["q"]}), oasdiff=False,
      no_mirror="a rename to a required request property is reported as a removal plus "
      "new-required-request-property")
    r("new-required-request-property", E, REQ, "A new required property: clients built on the old "
      "contract do not send it.", ex.request_body(_EMPTY), _req(_STR, True),
      mirror="response-required-property-added")
    r("new-required-request-property-with-default", E, REQ, "A new required property that has a "
      "default: the default is a server-side fallback, but a validating gateway or SDK still "
      "demands the value.", ex.request_body(_EMPTY), _req({**_STR, "default": "x"}, True),
      no_mirror="defaults do not make a response property more or less present")
    r("new-optional-request-property", I, REQ, "A new optional request property.",
      ex.request_body(_EMPTY), _req(_STR), mirror="response-optional-property-added")
    r("request-property-became-required", E, REQ, "A request property became required. "
      "readOnly properties are exempt: clients never send them.", _req(_STR), _req(_STR, True),
      mirror="response-property-became-required")
    r("request-property-became-required-with-default", E, REQ, "A request property with a "
      "default became required.", _req({**_STR, "default": "x"}),
      _req({**_STR, "default": "x"}, True),
      no_mirror="defaults do not make a response property more or less present")
    r("request-property-became-optional", I, REQ, "A request property became optional.",
      _req(_STR, True), _req(_STR), mirror="response-property-became-optional")
    r("response-required-property-removed", E, RESP, "A required response property was removed: "
      "clients read it.", _resp(_STR, True), ex.response_body(_EMPTY),
      no_mirror="a removed request property is request-property-removed whatever its requiredness")
    r("response-optional-property-removed", W, RESP, "An optional response property was removed. "
      "Clients had to cope with its absence, but many read it when present.", _resp(_STR),
      ex.response_body(_EMPTY), mirror="request-property-removed")
    r("response-property-removed-with-deprecation", I, RESP, "A deprecated response property whose "
      "sunset date has passed (or that had none) was removed.",
      _resp({**_STR, "deprecated": True}), ex.response_body(_EMPTY), oasdiff=False,
      mirror="request-property-removed-with-deprecation")
    r("response-property-removed-before-sunset", E, RESP, "A deprecated response property was "
      "removed before its `x-sunset` date.", _resp({**_STR, "deprecated": True,
                                                    "x-sunset": "9999-12-31"}),
      ex.response_body(_EMPTY), oasdiff=False, mirror="request-property-removed-before-sunset")
    r("response-required-property-added", I, RESP, "A new required response property.",
      ex.response_body(_EMPTY), _resp(_STR, True), mirror="new-required-request-property")
    r("response-optional-property-added", I, RESP, "A new optional response property.",
      ex.response_body(_EMPTY), _resp(_STR), mirror="new-optional-request-property")
    r("response-property-became-required", I, RESP, "A response property became required: "
      "clients now always get it.", _resp(_STR), _resp(_STR, True),
      mirror="request-property-became-required")
    r("response-property-became-optional", E, RESP, "A response property became optional: "
      "clients that read it may find it missing.", _resp(_STR, True), _resp(_STR),
      mirror="request-property-became-optional")
    _wo = {**_STR, "writeOnly": True}
    _ro = {**_STR, "readOnly": True}
    for req in (False, True):
        kind = "required" if req else "optional"
        r(f"response-{kind}-write-only-property-added", I, RESP, f"A new {kind} writeOnly "
          "property: servers never return it.", ex.response_body(_EMPTY), _resp(_wo, req),
          no_mirror="writeOnly properties are request-only; the request side is a plain addition")
        r(f"response-{kind}-write-only-property-removed", I, RESP, f"A {kind} writeOnly property "
          "was removed: servers never returned it.", _resp(_wo, req), ex.response_body(_EMPTY),
          no_mirror="writeOnly properties are request-only; the request side is a plain removal")
    r("response-write-only-property-became-optional", I, RESP, "A writeOnly property became "
      "optional: servers never return it anyway.", _resp(_wo, True), _resp(_wo),
      no_mirror="the request side is request-property-became-optional")
    r("response-write-only-property-became-required", I, RESP, "A writeOnly property became "
      "required.", _resp(_wo), _resp(_wo, True),
      no_mirror="the request side is request-property-became-required")
    r("response-write-only-property-enum-value-added", I, RESP, "An enum value was added to a "
      "writeOnly property: servers never return it.",
      _resp({**_wo, "enum": ["a"]}), _resp({**_wo, "enum": ["a", "b"]}),
      no_mirror="readOnly narrowing on the request side is request-read-only-property-*")
    for side, make in (("request", _req), ("response", _resp)):
        d = REQ if side == "request" else RESP
        other = "response" if side == "request" else "request"
        for req in (False, True):
            kind = "required" if req else "optional"
            for flag, word in (("readOnly", "read-only"), ("writeOnly", "write-only")):
                level = W if (side, kind, word) == ("response", "required", "write-only") else I
                # A response property that became writeOnly is no longer sent: as removed.
                gone = ({"required": E, "optional": W}[kind]
                        if (side, word) == ("response", "write-only") else I)
                r(f"{side}-{kind}-property-became-{word}", gone, d, f"A {kind} {side} property "
                  f"became {flag}." + (" Servers no longer send it: clients that read it "
                                       "lose it, as if it were removed." if gone is not I
                                       else ""),
                  make(_STR, req), make({**_STR, flag: True}, req),
                  mirror=f"{other}-{kind}-property-became-{word}")
                r(f"{side}-{kind}-property-became-not-{word}", level, d, f"A {kind} {side} "
                  f"property is no longer {flag}." + (
                      " Clients that never sent it must now (it is required)."
                      if level is W else ""),
                  make({**_STR, flag: True}, req), make(_STR, req),
                  mirror=f"{other}-{kind}-property-became-not-{word}")
    for suffix in ("enum-value-removed", "max-decreased", "min-increased", "max-length-decreased",
                   "exclusive-max-decreased", "exclusive-min-increased"):
        _, _, doc, before, after = SUFFIXES[suffix]
        r(f"request-read-only-property-{suffix}", I, REQ, f"On a readOnly property: {doc} Clients "
          "never send readOnly properties, so this narrowing is safe.",
          _req({**before, "readOnly": True}), _req({**after, "readOnly": True}),
          no_mirror="responses always carry readOnly properties: see response-property-*")
    # --- property lifecycle ----------------------------------------------------------------
    for side, make in (("request", _req), ("response", _resp)):
        d = REQ if side == "request" else RESP
        other = "response" if side == "request" else "request"

        def lr(id: str, level: Any, doc: str, before: Any, after: Any, *, d: Direction = d,
               side: str = side, other: str = other, **kw: Any) -> None:
            rule(id, level, d, "lifecycle", doc, before, after, oasdiff=id in OASDIFF_LEVELS,
                 mirror=id.replace(side, other, 1), **kw)

        lr(f"{side}-property-deprecated", I, f"A {side} property was deprecated (no sunset date).",
           make(_STR), make({**_STR, "deprecated": True}))
        lr(f"{side}-property-deprecated-with-sunset", I, f"A {side} property was deprecated with "
           "an `x-sunset` date.", make(_STR),
           make({**_STR, "deprecated": True, "x-sunset": "9999-12-31"}))
        lr(f"{side}-property-reactivated", I, f"A deprecated {side} property is no longer "
           "deprecated.", make({**_STR, "deprecated": True}), make(_STR))
        lr(f"{side}-property-deprecated-sunset-missing", E, f"A {side} property was deprecated "
           "without `x-sunset` while the deprecation policy requires one: the policy of the "
           "operation's `x-stability-level` (`deprecation_days_stable` > 0, "
           "`deprecation_days_beta` for beta, none for draft/alpha).", make(_STR), make({**_STR, "deprecated": True}),
           options={"deprecation_days_stable": 30})
        lr(f"{side}-property-deprecated-sunset-invalid", E, f"A {side} property was deprecated "
           "with an `x-sunset` that is not an RFC 3339 date.", make(_STR),
           make({**_STR, "deprecated": True, "x-sunset": "soon"}))
        lr(f"{side}-property-sunset-date-too-small", E, f"A {side} property was deprecated with a "
           "sunset closer than the policy's minimum number of days.", make(_STR),
           make({**_STR, "deprecated": True, "x-sunset": "2000-01-01"}),
           options={"deprecation_days_stable": 30, "now": datetime.date(2026, 1, 1)})
        lr(f"{side}-property-stability-decreased", E, f"A {side} property's "
           "`x-stability-level` went down (stable → beta, beta → alpha…): clients built on it "
           "were promised more than it now offers. Judged only when the level it leaves is beta "
           "or stable, as for operations.", make({**_STR, "x-stability-level": "stable"}),
           make({**_STR, "x-stability-level": "beta"}))
        lr(f"{side}-property-stability-increased", I, f"A {side} property's "
           "`x-stability-level` went up (beta → stable). Judged only when the level it leaves is "
           "beta or stable.", make({**_STR, "x-stability-level": "beta"}),
           make({**_STR, "x-stability-level": "stable"}))
    _header_rules()


def _header(prop: Any, required: bool = False) -> dict[str, Any]:
    """A document whose ``GET /items`` takes an object-valued request header ``X-Filter``."""
    return ex.op("get", parameters=[{"name": "X-Filter", "in": "header", "schema": {
        "type": "object", "properties": {"p": prop, "q": _STR},
        **({"required": ["p"]} if required else {})}}])


def _header_rules() -> None:
    """Properties inside an object-valued request header (serialised ``k=v,k=v``)."""
    nm = ("a header the server sends is a response header; its object properties are "
          "response-property-* rules")
    h_empty = ex.op("get", parameters=[{"name": "X-Filter", "in": "header", "schema": {
        "type": "object", "properties": {"q": _STR}}}])
    rule("new-required-request-header-property", E, REQ, "parameters", "A new required property "
         "inside an object-valued request header: clients built on the old contract do not send "
         "it (the header form of `new-required-request-property`).", h_empty, _header(_STR, True),
         no_mirror=nm)
    rule("request-header-property-became-required", E, REQ, "parameters", "A property inside an "
         "object-valued request header became required (the header form of "
         "`request-property-became-required`).", _header(_STR), _header(_STR, True),
         no_mirror=nm)
    rule("request-header-property-became-enum", E, REQ, "parameters", "A property inside an "
         "object-valued request header is now restricted to an enum (the header form of "
         "`request-property-became-enum`; the header's own schema becoming an enum is "
         "`request-parameter-became-enum`).", _header(_STR),
         _header({**_STR, "enum": ["a", "b"]}), no_mirror=nm)


_register()

RO_SUFFIXES = {"enum-value-removed", "max-decreased", "min-increased", "max-length-decreased",
               "exclusive-max-decreased", "exclusive-min-increased"}
PROPERTY_KINDS = {"property-removed", "property-added", "property-renamed", "became-required", "became-optional",
                  "became-read-only", "became-not-read-only", "became-write-only",
                  "became-not-write-only", "deprecation", "stability"}
STABILITY_LEVELS = ("draft", "alpha", "beta", "stable")
"""``x-stability-level`` values, least stable first; absent means ``stable``."""


def _header_property_rule(f: Finding, kind: str, x: dict[str, Any]) -> str | None:
    """A property inside an object-valued request *header* (oasdiff names these apart)."""
    if kind == "property-added" and x.get("required"):
        return "new-required-request-header-property"
    if kind == "became-required":
        return "request-header-property-became-required"
    return None


def _stability_rule(f: Finding, side: str) -> str | None:
    """``x-stability-level`` of a property changed. Like an operation's, a move is judged only
    when the level being left is beta or stable: draft and alpha parts may change freely."""
    lo, ln = f.before, f.after
    if any(v is not None and v not in STABILITY_LEVELS for v in (lo, ln)):
        return "api-invalid-stability-level"
    ro = STABILITY_LEVELS.index(lo or "stable")
    rn = STABILITY_LEVELS.index(ln or "stable")
    if ro == rn or ro < STABILITY_LEVELS.index("beta"):
        return None
    return f"{side}-property-stability-{'decreased' if rn < ro else 'increased'}"


#: Families of a parameter's schema: ``header-parameter`` is a request header (its object
#: properties have ``request-header-property-*`` rules), ``form-parameter`` a query or cookie
#: parameter serialised form/explode (one value is a valid one-element array), ``parameter``
#: any other.
PARAMETER_FAMILIES = frozenset({"parameter", "header-parameter", "form-parameter"})


def _items_accept(base: Any, items: Any) -> bool:
    """Does an array parameter's ``items`` schema accept every value the scalar ``base`` did?
    On the wire every value is text, so a ``string`` item accepts them all, a ``number`` item
    integers and numbers; the item must add no other constraint."""
    from ..schemas import strip_annotations, type_set

    if not isinstance(base, dict) or not isinstance(items, dict) or "$ref" in items:
        return False
    tb, ti = type_set(base), type_set(items)
    if not tb or not ti:
        return False
    if not ("string" in ti or all(t in ti or (t == "integer" and "number" in ti) for t in tb)):
        return False
    drop = {"type", "nullable"}
    rest_b = {k: v for k, v in strip_annotations(base).items() if k not in drop}
    rest_i = {k: v for k, v in strip_annotations(items).items() if k not in drop}
    return bool(rest_b == rest_i)


def _candidates(direction: Direction, family: str, at_root: bool) -> tuple[str, ...]:
    side = "request" if direction is REQ else "response"
    if family in PARAMETER_FAMILIES and direction is REQ:
        return (("request-parameter", "request-property") if at_root
                else ("request-parameter-property", "request-parameter", "request-property"))
    if family == "header" and direction is RESP:
        # A header is a header at any depth (the items of an array header, a key of an object
        # one): its schema findings are response-header-* wherever they sit.
        return ("response-header", "response-property")
    return (f"{side}-body", f"{side}-property") if at_root else (f"{side}-property",)


def _removal_state(extra: dict[str, Any], today: datetime.date) -> str:
    if not extra.get("deprecated"):
        return ""
    sunset = parse_date(extra.get("sunset"))
    if sunset is not None and sunset > today:
        return "before-sunset"
    return "with-deprecation"


def rule_for(f: Finding, direction: Direction, family: str, loose: bool, at_root: bool,
             engine: Engine, ops: Iterable[str] = ()) -> str | None:
    """The rule id a finding is reported under in this context, or None when irrelevant."""
    kind = f.kind
    if family.startswith(REQUIRED):
        family = family.removeprefix(REQUIRED)
        if at_root and kind.startswith("default-value-"):
            return None
    side = "request" if direction is REQ else "response"
    x = f.extra
    if kind in PROPERTY_KINDS:
        if family == "header-parameter" and direction is REQ and not f.ro:
            header = _header_property_rule(f, kind, x)
            if header is not None:
                return header
        return _property_rule(f, kind, side, direction, x, engine, ops)
    if (kind == "became-enum" and family == "header-parameter" and direction is REQ and not at_root
            and not f.ro):
        return "request-header-property-became-enum"
    if direction is REQ and f.ro:
        return f"request-read-only-property-{kind}" if kind in RO_SUFFIXES else None
    if direction is RESP and f.wo:
        if kind == "enum-value-added":
            return "response-write-only-property-enum-value-added"
        # Clients never receive a writeOnly property, so nothing about it breaks them; what is
        # safe anyway (a value removed, a type narrowed) is still worth a changelog line.
        safe = _grid_rule(direction, family, at_root, kind)
        return safe if safe is not None and RULES[safe].level is Level.INFO else None
    suffix = kind
    if (family in PARAMETER_FAMILIES and at_root and x.get("to_array") is not None
            and kind in ("type-changed", "list-of-types-narrowed", "list-of-types-widened")):
        # A scalar parameter became an array: one change, a widening only where a single value
        # is still a valid array (form/explode) whose items accept every old value.
        if kind == "list-of-types-widened":
            return None
        base, items = x["to_array"]
        suffix = ("type-generalized" if family == "form-parameter" and _items_accept(base, items)
                  else "type-changed")
        kind = suffix
    elif (family in PARAMETER_FAMILIES and at_root and kind == "type-changed"
            and f.after == ["string"] and not x.get("format") and not x.get("to_format")
            and x.get("scalar")):
        # Parameters travel as text: any scalar → string accepts every value clients sent,
        # unless the new string has a format (integer id → `uuid`) that rejects them.
        suffix = "type-generalized"
    if loose and kind in ("type-changed", "type-generalized", "type-specialized") \
            and not x.get("format") and not x.get("to_format"):
        # Scalars travel as text in forms and XML, so a *type* swap is compatible there; a format
        # (`email`, `uuid`) restricts the text itself, as in JSON.
        suffix = "type-compatible"
    if (family in PARAMETER_FAMILIES and kind == "type-changed" and f.before == ["string"]
            and not x.get("format")):
        # Parameters travel as text: string → number only narrows what clients may send.
        suffix = "type-specialized"
    if (family == "header" and direction is RESP and at_root and kind == "type-changed"
            and f.before == ["string"] and not x.get("format") and not x.get("from_format")):
        # The mirror for a response header, also text on the wire: a client that read the
        # value as a string still reads it when the server sends digits.
        suffix = "type-compatible"
    if direction is REQ and suffix == "type-specialized" and not (family in PARAMETER_FAMILIES
                                                                  and not at_root):
        suffix = "type-changed"
    if (not x.get(f"{side}_format_ok", True)
            and (suffix == "type-generalized" if family in PARAMETER_FAMILIES
                 else suffix in ("type-generalized", "type-specialized", "type-compatible"))):
        # The type change alone is safe here but the format beside it moved the wrong way
        # (`integer/int64` → `number/float`: not every value fits). Parameters, text on the
        # wire, keep their own type lattice above, but a widening is judged by the same format
        # lattice (WIDER_FORMATS) as anywhere else; inside an object parameter a narrowed
        # format is *-specialized, as when the type stays (`int64` → `int32`).
        suffix = ("type-specialized" if family in PARAMETER_FAMILIES and not at_root
                  else "type-changed")
    if direction is RESP and suffix == "type-generalized" and (x.get("format")
                                                               or x.get("untyped")):
        # What clients receive: *generalized* names a wider set of types (integer → number).
        # A format dropped or widened, or the type dropped altogether, is the value changing
        # under clients that parse it.
        suffix = "type-changed"
    return _grid_rule(direction, family, at_root, suffix)


def _grid_rule(direction: Direction, family: str, at_root: bool, suffix: str) -> str | None:
    for subject in _candidates(direction, family, at_root):
        rid = grid_rule_id(subject, suffix)
        if rid in RULES:
            return rid
    return None


def _policy_days(engine: Engine, ops: Iterable[str]) -> int:
    """The deprecation policy for a property of these operations: the strictest of their
    stability levels' (draft/alpha: none, beta: the beta days, otherwise the stable days), as
    oasdiff judges a property by its operation. With no operation known, the stable policy."""
    known = [engine.policy_days[op] for op in ops if op in engine.policy_days]
    return max(known) if known else engine.options.deprecation_days_stable


def _property_rule(f: Finding, kind: str, side: str, direction: Direction, x: dict[str, Any],
                   engine: Engine, ops: Iterable[str]) -> str | None:
    today = engine.options.today()
    if kind in ("became-read-only", "became-not-read-only", "became-write-only",
                "became-not-write-only"):
        req = "required" if x.get("required") else "optional"
        return f"{side}-{req}-property-{kind}"
    if direction is REQ and f.ro:
        return None  # clients never send readOnly properties
    if kind == "stability":
        return None if (direction is RESP and f.wo) else _stability_rule(f, side)
    if kind == "property-removed":
        state = _removal_state(x, today)
        if direction is REQ:
            return f"request-property-removed-{state}" if state else "request-property-removed"
        if f.wo:
            return f"response-{'required' if x.get('required') else 'optional'}-write-only-property-removed"
        if state:
            return f"response-property-removed-{state}"
        return ("response-required-property-removed" if x.get("required")
                else "response-optional-property-removed")
    if kind == "property-renamed":
        if direction is REQ:
            return "request-property-renamed"
        if f.wo:
            return None
        return ("response-required-property-renamed" if x.get("required")
                else "response-optional-property-renamed")
    if kind == "property-added":
        if direction is REQ:
            if not x.get("required"):
                return "new-optional-request-property"
            return ("new-required-request-property-with-default" if x.get("default")
                    else "new-required-request-property")
        if f.wo:
            return f"response-{'required' if x.get('required') else 'optional'}-write-only-property-added"
        return ("response-required-property-added" if x.get("required")
                else "response-optional-property-added")
    if kind == "became-required":
        if direction is REQ:
            return ("request-property-became-required-with-default" if x.get("default")
                    else "request-property-became-required")
        return ("response-write-only-property-became-required" if f.wo
                else "response-property-became-required")
    if kind == "became-optional":
        if direction is REQ:
            return "request-property-became-optional"
        return ("response-write-only-property-became-optional" if f.wo
                else "response-property-became-optional")
    if kind == "deprecation":
        if direction is RESP and f.wo:
            return None
        old, new = x["old"], x["new"]
        if old["deprecated"] and not new["deprecated"]:
            return f"{side}-property-reactivated"
        if old["deprecated"]:
            return None  # sunset moved on an already deprecated property: not tracked here
        days = _policy_days(engine, ops)
        sunset = new["sunset"]
        if sunset is None:
            return f"{side}-property-deprecated-sunset-missing" if days > 0 else f"{side}-property-deprecated"
        when = parse_date(sunset)
        if when is None:
            return f"{side}-property-deprecated-sunset-invalid"
        if when < today + datetime.timedelta(days=days):
            return f"{side}-property-sunset-date-too-small"
        return f"{side}-property-deprecated-with-sunset"
    return None


_PHRASES = {
    "all-of-added": "allOf subschema added",
    "all-of-removed": "allOf subschema removed",
    "all-of-added-annotation-only": "annotation-only allOf subschema added",
    "all-of-removed-annotation-only": "annotation-only allOf subschema removed",
    "any-of-added": "anyOf branch added",
    "any-of-removed": "anyOf branch removed",
    "one-of-added": "oneOf branch added",
    "one-of-removed": "oneOf branch removed",
    "wrapped-in-one-of": "wrapped in a oneOf",
    "x-extensible-enum-value-removed": "x-extensible-enum value removed",
    "additional-properties-forbidden": "additional properties now forbidden",
    "additional-properties-allowed": "additional properties now allowed",
}


def _fmt(value: Any) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(_fmt(v) for v in value) + "]"
    if isinstance(value, str) and "#/" in value:
        return subject_of(value)
    if isinstance(value, str):
        return f"'{value}'"
    return "null" if value is None else str(value).lower() if isinstance(value, bool) else str(value)


def _property_phrase(rid: str, f: Finding) -> str:
    required = "required" if f.extra.get("required") else "optional"
    if f.kind == "property-renamed":
        return f"{required} property {f.before} renamed to {f.after}"
    if f.kind == "property-removed":
        if rid.endswith("before-sunset"):
            return f"deprecated property removed before its sunset {f.extra.get('sunset')}"
        if rid.endswith("with-deprecation"):
            return "deprecated property removed"
        return f"{required} property removed"
    if f.kind == "property-added":
        return f"{required} property added" + (" (it has a default)" if "default" in rid else "")
    if f.kind == "deprecation":
        if rid.endswith("reactivated"):
            return "no longer deprecated"
        if f.after is not None:
            return f"deprecated, x-sunset {f.after}" + (
                " (not a date)" if rid.endswith("invalid") else
                " (too soon for the deprecation policy)" if rid.endswith("too-small") else "")
        return "deprecated" + (" without the x-sunset the policy requires"
                               if rid.endswith("missing") else "")
    return f.kind.replace("-", " ")


def _format_note(f: Finding, side: str) -> str:
    """' (format uuid)' after a changed type whose side had a format: the format is what
    decides whether the old values still pass, so the message must show it."""
    fmt = f.extra.get(side) if f.kind.startswith(("type-", "list-of-types-")) else None
    return f" (format {fmt})" if isinstance(fmt, str) and fmt else ""


def message(rid: str, f: Finding, place: str) -> str:
    """A one-line message in our words: where, what, and the values involved."""
    if f.kind == "stability":
        return (f"{place}: x-stability-level {f.before or 'stable (unset)'} → "
                f"{f.after or 'stable (unset)'}")
    if f.kind in ("property-removed", "property-added", "property-renamed", "deprecation"):
        return f"{place}: {_property_phrase(rid, f)}"
    phrase = _PHRASES.get(f.kind, f.kind.replace("-", " "))
    for named in ("type-compatible", "type-generalized", "type-specialized", "type-changed"):
        if f.kind.startswith(("type-", "list-of-types-")) and rid.endswith(named):
            phrase = named.replace("-", " ")  # the rule renamed the finding (text on the wire…)
            break
    if rid.startswith("request-read-only-property-"):
        phrase += " (readOnly: clients never send it)"
    values = ""
    if f.before is not None and f.after is not None:
        values = f": {_fmt(f.before)}{_format_note(f, 'from_format')} → " \
                 f"{_fmt(f.after)}{_format_note(f, 'to_format')}"
    elif f.kind.startswith("type-") and (f.before is None) != (f.after is None):
        # A schema that lost (or gained) every constraint: `{}` admits any value.
        values = (f": {_fmt(f.before)} → any value" if f.after is None
                  else f": any value → {_fmt(f.after)}")
    elif f.before is not None and "removed" in f.kind:
        values = f": {_fmt(f.before)}"
    elif f.after is not None and ("added" in f.kind or "set" in f.kind or "enum" in f.kind):
        values = f": {_fmt(f.after)}"
    return f"{place}: {phrase}{values}"


def emit(engine: Engine, f: Finding, direction: Direction, family: str, loose: bool,
         at_root: bool, subject: str, detail: str, ops: tuple[str, ...]) -> None:
    """Name a finding in its context and hand it to the collector."""
    for one in _as_reported(f, direction):
        rid = rule_for(one, direction, family, loose, at_root and one.at_root, engine, ops)
        if rid is not None:
            _add(engine, rid, one, subject, detail, ops)


def _as_reported(f: Finding, direction: Direction) -> tuple[Finding, ...]:
    """A rename to a required request property is reported as what it is for clients: a
    removal and a new required property (the addition breaks them on its own)."""
    if f.kind == "property-renamed" and direction is REQ and f.extra.get("required"):
        split: tuple[Finding, ...] = f.extra["split"]
        return split
    return (f,)


def emit_reached(engine: Engine, f: Finding, direction: Direction, family: str, loose: bool,
                 reached: dict[bool, set[str]], subject: str) -> None:
    """Name a finding inside a component, reached as a whole body (``reached[True]``: the
    operations) and/or nested in one (``reached[False]``).

    A finding at the component's root is a ``*-body-*`` change where the component is the body
    and a ``*-property-*`` one where it is nested. Reached both ways it is still one change in
    one place: it is reported once, under the more severe of the two ids (the body's on a tie,
    since the finding sits at the schema's root), listing every operation.
    """
    parts = _as_reported(f, direction)
    if len(parts) > 1:
        for one in parts:
            emit_reached(engine, one, direction, family, loose, reached, subject)
        return
    names: dict[str, set[str]] = {}
    for root in (True, False):  # the body's id first: max() below keeps the first on a tie
        if root in reached:
            rid = rule_for(f, direction, family, loose, root and f.at_root, engine, reached[root])
            if rid is not None:
                names.setdefault(rid, set()).update(reached[root])
    if not names:
        return
    if len(names) > 1:
        rid = max(names, key=lambda r: RULES[r].level.rank)
        names = {rid: set().union(*names.values())}
    for rid, ops in names.items():
        _add(engine, rid, f, subject, "", tuple(sorted(ops)))


def _add(engine: Engine, rid: str, f: Finding, subject: str, detail: str,
         ops: tuple[str, ...]) -> None:
    full = f"{detail}: {f.rel}" if detail and f.rel else detail or f.rel
    place = f"{subject} {full}" if full else subject
    try:
        text = message(rid, f, place)
    except RecursionError:
        text = f"{place}: {f.kind.replace('-', ' ')}"
    engine.out.add(rid, subject=subject, detail=full, base=f.optr, revision=f.nptr, ops=ops,
                   message=text,
                   before=f.before if f.before is not None else UNSET,
                   after=f.after if f.after is not None else UNSET, key=f.key)
