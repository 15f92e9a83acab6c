"""Request parameters: existence, requiredness, location, serialisation, deprecation, schema.

In webhooks and callbacks the server sends the request, so the same changes are judged from the
receiving client's side (``callback-parameter-*``): a parameter it reads going away breaks it.

Path-level and operation-level parameters are merged first (an operation's parameter overrides
the path's), so moving a parameter between the two levels is no change. Path parameters match by
position in the template, so renaming ``{id}`` to ``{book_id}`` is no change either.
"""

from __future__ import annotations

import contextlib
import datetime
from typing import TYPE_CHECKING, Any

from ...errors import InputError
from ...spec.refs import escape
from .. import examples as ex
from ..engine import path_param_names
from ..oasdiff import OASDIFF_LEVELS
from ..registry import REQ, RESP, E, I, W, rule
from ..renames import match_renames
from ..schemas import REQUIRED, parse_date, safe_eq
from . import lifecycle

if TYPE_CHECKING:
    from ..engine import Engine, OpCtx

_NM = "parameters are sent by clients only; the response side has headers and bodies"
_STR = {"type": "string"}


def _r(id: str, level: Any, doc: str, before: Any, after: Any, area: str = "parameters",
       **kw: Any) -> None:
    kw.setdefault("no_mirror", _NM)
    rule(id, level, REQ, area, doc, before, after, **{"oasdiff": id in OASDIFF_LEVELS, **kw})


def _q(**p: Any) -> dict[str, Any]:
    return ex.query_param(_STR, **p)


_NONE = ex.op("get")
_r("new-required-request-parameter", E, "A new required parameter: clients built on the old "
   "contract do not send it.", _NONE, _q(required=True))
_r("new-optional-request-parameter", I, "A new optional parameter.", _NONE, _q())
_UNDECLARED = ex.op("get", path="/items/{id}")
_DECLARED = ex.op("get", path="/items/{id}", parameters=[
    {"name": "id", "in": "path", "required": True, "schema": _STR}])
_r("request-path-parameter-undeclared", I, "A path parameter's declaration was removed while "
   "the template still has it. Clients still send the same URL.", _DECLARED, _UNDECLARED,
   oasdiff=False)
_r("request-parameter-renamed", W, "An optional parameter was renamed: one removed and one "
   "added with the same location and schema (see *Renames* below). Clients still send the old "
   "name; its level is the removal's. A rename to a *required* parameter stays a removal plus "
   "`new-required-request-parameter`: the addition breaks clients on its own.",
   _q(), ex.query_param(_STR, name="q2"), oasdiff=False)
_r("request-parameter-removed", W, "A parameter was removed. Clients that still send it may be "
   "rejected by a strict server; the document cannot tell.", _q(), _NONE)
_r("request-parameter-removed-with-deprecation", I, "A deprecated parameter (sunset passed or "
   "none given) was removed.", _q(deprecated=True), _NONE)
_r("request-parameter-removed-before-sunset", E, "A deprecated parameter was removed before its "
   "`x-sunset` date.", _q(deprecated=True, **{"x-sunset": "9999-12-31"}), _NONE)
_r("request-parameter-became-required", E, "A parameter became required.", _q(), _q(required=True))
_r("request-parameter-became-optional", I, "A parameter became optional.", _q(required=True), _q())
_r("request-parameter-location-changed", E, "A parameter moved (query → header, …): clients send "
   "it in the old place.", _q(), ex.op("get", parameters=[{"name": "q", "in": "header",
                                                             "schema": _STR}]), oasdiff=False)
_r("request-parameter-style-changed", E, "A parameter's serialisation `style` changed: clients "
   "encode it the old way.", _q(style="form"), _q(style="spaceDelimited"), oasdiff=False)
_r("request-parameter-explode-changed", E, "A parameter's `explode` changed: clients encode "
   "arrays and objects the old way.", _q(explode=True), _q(explode=False), oasdiff=False)
_r("request-parameter-deprecated", I, "A parameter was deprecated.", _q(), _q(deprecated=True),
   area="lifecycle")
_r("request-parameter-reactivated", I, "A deprecated parameter is no longer deprecated.",
   _q(deprecated=True), _q(), area="lifecycle")
_r("request-parameter-deprecated-sunset-missing", E, "A parameter was deprecated without "
   "`x-sunset` while the deprecation policy requires one.", _q(), _q(deprecated=True),
   area="lifecycle", options={"deprecation_days_stable": 30})
_r("request-parameter-sunset-deleted", E, "The `x-sunset` of a deprecated parameter was deleted.",
   _q(deprecated=True, **{"x-sunset": "9999-12-31"}), _q(deprecated=True), area="lifecycle")
_r("request-parameter-sunset-date-changed-too-small", E, "The sunset of a deprecated parameter "
   "moved earlier, to less than the policy's minimum days from today.",
   _q(deprecated=True, **{"x-sunset": "9999-12-31"}),
   _q(deprecated=True, **{"x-sunset": "2000-01-01"}), area="lifecycle")
_r("request-parameter-sunset-parse", E, "A deprecated parameter's `x-sunset` is not an RFC 3339 "
   "date (when it is deprecated, when the date changes, or when it is removed): clients cannot "
   "tell when it goes away.", _q(), _q(deprecated=True, **{"x-sunset": "next spring"}),
   area="lifecycle")
_r("request-parameter-sunset-date-too-small", E, "A parameter was deprecated with a sunset "
   "closer than the policy's minimum number of days (the operation's `x-stability-level` picks "
   "the stable or beta policy; with no policy, a sunset already in the past).", _q(),
   _q(deprecated=True, **{"x-sunset": "2026-01-10"}), area="lifecycle",
   options={"deprecation_days_stable": 30})
_r("new-request-path-parameter", I, "A path parameter is now declared. The path template "
   "already held `{name}` (operations match by template), so clients call the same URLs as "
   "before: the change is a declaration, not a new input.",
   ex.doc({"/items/{id}": {"get": {"responses": ex.ok()}}}),
   ex.doc({"/items/{id}": {"get": {"parameters": [{"name": "id", "in": "path", "required": True,
                                                   "schema": _STR}],
                                   "responses": ex.ok()}}}))


def _path_level(**p: Any) -> dict[str, Any]:
    item: dict[str, Any] = {"get": {"responses": ex.ok()}}
    if p:
        item["parameters"] = [{"name": "q", "in": "query", "schema": _STR, **p}]
    return ex.doc({"/items": item})


_r("new-required-request-default-parameter-to-existing-path", E, "A required parameter was "
   "declared on an existing path item (`paths./x.parameters`), so every operation under it now "
   "demands it: clients built on the old contract do not send it.", _path_level(),
   _path_level(required=True))
_r("new-optional-request-default-parameter-to-existing-path", I, "An optional parameter was "
   "declared on an existing path item, for every operation under it.", _path_level(),
   _path_level(required=False))


# Inside webhooks and callbacks the *server* sends the request (its parameters included) and the
# client receives it, so the verdicts flip: a parameter receivers read going away breaks them, a
# new one is ignored.
def _cb(id: str, level: Any, doc: str, before: Any, after: Any, **kw: Any) -> None:
    rule(id, level, RESP, "parameters", doc, before, after, oasdiff=False, **kw)


def _hook(**p: Any) -> dict[str, Any]:
    loc = p.pop("in", "header")
    return ex.doc(webhooks={"itemCreated": {"post": {
        "parameters": [{"name": "sig", "in": loc, "schema": _STR, **p}],
        "responses": {"200": {"description": "OK"}}}}})


_HOOK_NONE = ex.doc(webhooks={"itemCreated": {"post": {"responses": {"200": {"description": "OK"}}}}})
_cb("callback-parameter-added", I, "A webhook/callback now sends one more parameter; receivers "
    "built on the old contract ignore it.", _HOOK_NONE, _hook(), mirror="new-optional-request-parameter")
_cb("callback-required-parameter-removed", E, "A webhook/callback no longer sends a required "
    "parameter (a signature header, say) that receivers read.", _hook(required=True), _HOOK_NONE,
    no_mirror="a parameter removed from a request is request-parameter-removed whatever its "
    "requiredness")
_cb("callback-optional-parameter-removed", W, "A webhook/callback no longer sends an optional "
    "parameter. Receivers had to cope with its absence, but may read it when present.", _hook(),
    _HOOK_NONE, mirror="request-parameter-removed")
_cb("callback-parameter-became-optional", E, "A webhook/callback may now omit a parameter "
    "receivers read.", _hook(required=True), _hook(), mirror="request-parameter-became-optional")
_cb("callback-parameter-became-required", I, "A webhook/callback now always sends a parameter.",
    _hook(), _hook(required=True), mirror="request-parameter-became-required")
_cb("callback-parameter-location-changed", E, "A webhook/callback sends a parameter in another "
    "place (header → query, …): receivers look for it in the old one.", _hook(),
    _hook(**{"in": "query"}), mirror="request-parameter-location-changed")
_cb("callback-parameter-style-changed", E, "A webhook/callback serialises a parameter with "
    "another `style`: receivers decode it the old way.", _hook(**{"in": "query", "style": "form"}),
    _hook(**{"in": "query", "style": "spaceDelimited"}), mirror="request-parameter-style-changed")
_cb("callback-parameter-explode-changed", E, "A webhook/callback changed a parameter's "
    "`explode`: receivers decode arrays and objects the old way.",
    _hook(**{"in": "query", "explode": True}), _hook(**{"in": "query", "explode": False}),
    mirror="request-parameter-explode-changed")

_DEP_HOOK: dict[str, Any] = {"deprecated": True}
_cb("callback-parameter-deprecated", I, "A parameter a webhook/callback sends was deprecated: "
    "receivers are told it will stop coming.", _hook(), _hook(**_DEP_HOOK),
    mirror="request-parameter-deprecated")
_cb("callback-parameter-reactivated", I, "A parameter a webhook/callback sends is no longer "
    "deprecated.", _hook(**_DEP_HOOK), _hook(), mirror="request-parameter-reactivated")
_cb("callback-parameter-deprecated-sunset-missing", E, "A parameter a webhook/callback sends was "
    "deprecated without `x-sunset` while the deprecation policy requires one.", _hook(),
    _hook(**_DEP_HOOK), options={"deprecation_days_stable": 30},
    mirror="request-parameter-deprecated-sunset-missing")
_cb("callback-parameter-sunset-parse", E, "The `x-sunset` of a deprecated parameter a "
    "webhook/callback sends is not an RFC 3339 date.", _hook(),
    _hook(deprecated=True, **{"x-sunset": "next spring"}), mirror="request-parameter-sunset-parse")
_cb("callback-parameter-sunset-date-too-small", E, "A parameter a webhook/callback sends was "
    "deprecated with a sunset closer than the policy's minimum number of days.", _hook(),
    _hook(deprecated=True, **{"x-sunset": "2026-01-10"}), options={"deprecation_days_stable": 30},
    mirror="request-parameter-sunset-date-too-small")
_cb("callback-parameter-sunset-deleted", E, "The `x-sunset` of a deprecated parameter a "
    "webhook/callback sends was deleted: receivers lose the date they planned against.",
    _hook(deprecated=True, **{"x-sunset": "9999-12-31"}), _hook(**_DEP_HOOK),
    mirror="request-parameter-sunset-deleted")
_cb("callback-parameter-sunset-date-changed-too-small", E, "The sunset of a deprecated parameter "
    "a webhook/callback sends moved earlier, to less than the policy's minimum days from today.",
    _hook(deprecated=True, **{"x-sunset": "9999-12-31"}),
    _hook(deprecated=True, **{"x-sunset": "2000-01-01"}),
    mirror="request-parameter-sunset-date-changed-too-small")
_cb("callback-parameter-removed-with-deprecation", I, "A deprecated parameter a webhook/callback "
    "sent (sunset passed, or none given) is no longer sent: the announced end of its life.",
    _hook(required=True, **_DEP_HOOK), _HOOK_NONE,
    mirror="request-parameter-removed-with-deprecation")
_cb("callback-parameter-removed-before-sunset", E, "A deprecated parameter a webhook/callback "
    "sent is no longer sent, before its `x-sunset` date.",
    _hook(required=True, deprecated=True, **{"x-sunset": "9999-12-31"}), _HOOK_NONE,
    mirror="request-parameter-removed-before-sunset")

_DEFAULT_STYLE = {"query": "form", "cookie": "form", "path": "simple", "header": "simple"}


def _params(engine: Engine, side: str, item: dict[str, Any], op: dict[str, Any], path: str,
            item_ptr: str, op_ptr: str, from_item: set[tuple[str, str]] | None = None
            ) -> dict[tuple[str, str], tuple[dict[str, Any], str]]:
    """The operation's parameters by (location, key); ``from_item`` collects the keys declared
    on the path item and not overridden by the operation."""
    names = path_param_names(path)
    out: dict[tuple[str, str], tuple[dict[str, Any], str]] = {}
    for holder, ptr in ((item, item_ptr), (op, op_ptr)):
        plist = holder.get("parameters")
        if not isinstance(plist, list):
            continue
        for i, raw in enumerate(plist):
            p, pptr = engine.deref(side, raw, f"{ptr}/parameters/{i}")
            if not isinstance(p, dict) or not isinstance(p.get("name"), str):
                continue
            loc = str(p.get("in", ""))
            name = p["name"]
            if loc == "path":
                key_name = f"#{names.index(name)}" if name in names else name
            elif loc == "header":
                key_name = name.lower()
            else:
                key_name = name
            out[(loc, key_name)] = (p, pptr)
            if from_item is not None:
                if holder is item:
                    from_item.add((loc, key_name))
                else:
                    from_item.discard((loc, key_name))
    return out


class _Unfolded(dict[str, Any]):
    """One property of a ``form``/``explode`` object parameter seen as the query (or cookie)
    parameter it is on the wire; ``schema_ptr`` is where its schema sits in the document."""

    schema_ptr: str = ""


def _exploded_properties(engine: Engine, side: str, p: dict[str, Any], ptr: str
                         ) -> dict[str, _Unfolded]:
    """The wire parameters of a ``form``/``explode: true`` object parameter in a query or
    cookie: ``?page=1&size=10`` is what both ``page`` and ``size`` as parameters and one object
    parameter with those properties send. Empty for any other parameter."""
    style = p.get("style", "form")
    if (p.get("in") not in ("query", "cookie") or style != "form"
            or p.get("explode", True) is not True or "schema" not in p):
        return {}
    schema, sptr = engine.deref(side, p["schema"], ptr + "/schema")
    if (not isinstance(schema, dict) or schema.get("type") not in ("object", ["object"])
            or not isinstance(schema.get("properties"), dict)):
        return {}
    listed = schema.get("required")
    required = listed if isinstance(listed, list) else []
    out: dict[str, _Unfolded] = {}
    for name, prop in schema["properties"].items():
        if not isinstance(name, str):
            continue
        v = _Unfolded(name=name)
        v["in"] = p["in"]
        if p.get("required") is True and name in required:
            v["required"] = True  # on the wire only when the object is sent and holds it
        v["schema"] = prop
        if p.get("deprecated") is True:
            v["deprecated"] = True
        v.schema_ptr = f"{sptr}/properties/{escape(name)}"
        out[name] = v
    return out


def _unfold(engine: Engine, side: str,
            params: dict[tuple[str, str], tuple[dict[str, Any], str]],
            other: dict[tuple[str, str], tuple[dict[str, Any], str]]) -> None:
    """Replace, in ``params``, each exploded object parameter whose properties the ``other``
    side declares as separate parameters by one parameter per property (oasdiff matches the
    two spellings the same way), so folding parameters into an object, or back, is judged
    parameter by parameter and not as removals and additions."""
    for key, (p, ptr) in list(params.items()):
        if key in other:
            continue
        props = _exploded_properties(engine, side, p, ptr)
        loc = key[0]
        if not any((loc, n) in other and (loc, n) not in params for n in props):
            continue
        del params[key]
        for name, v in props.items():
            params.setdefault((loc, name), (v, v.schema_ptr))


def _label(p: dict[str, Any]) -> str:
    """``query parameter limit``; path parameters keep their braces so that the fingerprint
    (which blanks ``{…}``) survives a rename."""
    name = p.get("name")
    return f"path parameter {{{name}}}" if p.get("in") == "path" else f"{p.get('in')} parameter {name}"


def _schema(p: dict[str, Any], ptr: str) -> tuple[Any, str]:
    if isinstance(p, _Unfolded):
        return p["schema"], p.schema_ptr
    if "schema" in p:
        return p["schema"], ptr + "/schema"
    content = p.get("content")
    if isinstance(content, dict) and content:
        media = next(iter(content))
        mt = content[media]
        if isinstance(mt, dict) and "schema" in mt:
            return mt["schema"], f"{ptr}/content/{escape(media)}/schema"
    return None, ptr


def compare(engine: Engine, ctx: OpCtx) -> None:
    """Parameters of one operation."""
    item_optr = ctx.optr.rsplit("/", 1)[0]
    item_nptr = ctx.nptr.rsplit("/", 1)[0]
    po = _params(engine, "old", ctx.old_item, ctx.old_op, ctx.old_path, item_optr, ctx.optr)
    pn_item: set[tuple[str, str]] = set()
    pn = _params(engine, "new", ctx.new_item, ctx.new_op, ctx.new_path, item_nptr, ctx.nptr,
                 pn_item)
    if not po and not pn:
        return
    if not ctx.flipped:
        _unfold(engine, "new", pn, po)
        _unfold(engine, "old", po, pn)
    ops = (ctx.name,)
    today = engine.options.today()

    def add(rid: str, p: dict[str, Any], msg: str, optr: str | None, nptr: str | None,
            before: Any = None, after: Any = None) -> None:
        detail = _label(p)
        engine.out.add(rid, subject=ctx.name, detail=detail, base=optr, revision=nptr, ops=ops,
                       message=f"{ctx.name}: {detail} {msg}", before=before, after=after)

    removed = [k for k in po if k not in pn]
    added = [k for k in pn if k not in po]
    # A path template segment is sent whether or not it is declared: declaring `{unit_id}` in a
    # template that already had it, or dropping the declaration, changes no request.
    if not ctx.flipped:
        for keys, other, rid, verb in ((added, ctx.old_path, "new-request-path-parameter",
                                        "declared (the path already had it)"),
                                       (removed, ctx.new_path, "request-path-parameter-undeclared",
                                        "no longer declared (the path still has it)")):
            for k in [k for k in keys if k[0] == "path"]:
                q, ptr = (pn if keys is added else po)[k]
                names = path_param_names(other)
                if k[1].startswith("#") and int(k[1][1:]) < len(names):
                    keys.remove(k)
                    add(rid, q, verb, None if keys is added else ptr,
                        ptr if keys is added else None)
    # In a webhook or callback the server sends these parameters: `pre` names the flipped rules.
    pre = "callback-parameter" if ctx.flipped else "request-parameter"
    moved: dict[tuple[str, str], tuple[str, str]] = {}
    for k in removed:
        for k2 in added:
            if k2[1] == k[1] and k2 not in moved.values():
                moved[k] = k2
                break
    for k, k2 in moved.items():
        (p, optr), (q, nptr) = po[k], pn[k2]
        add(f"{pre}-location-changed", q, f"moved from {k[0]} to {k2[0]}", optr, nptr, k[0], k2[0])
    if not ctx.flipped:
        for k, k2 in _renames(engine, po, pn, [k for k in removed if k not in moved],
                              [k for k in added if k not in moved.values()]):
            (p, optr), (q, nptr) = po[k], pn[k2]
            removed.remove(k)
            added.remove(k2)
            add("request-parameter-renamed", q, f"renamed from {p.get('name')}", optr, nptr,
                p.get("name"), q.get("name"))
    if ctx.flipped:
        for k in removed:
            if k not in moved:
                p, optr = po[k]
                req = p.get("required") is True or p.get("in") == "path"
                sunset = p.get("x-sunset")
                when = parse_date(sunset)
                if p.get("deprecated") is not True:
                    add(f"callback-{'required' if req else 'optional'}-parameter-removed", p,
                        "no longer sent", optr, None)
                elif sunset is not None and when is None:
                    add("callback-parameter-sunset-parse", p, f"no longer sent; its x-sunset "
                        f"{sunset!r} is not a date", optr, None, before=str(sunset))
                elif when is not None and when > today:
                    add("callback-parameter-removed-before-sunset", p, "no longer sent, before "
                        f"its sunset {when}", optr, None)
                else:
                    add("callback-parameter-removed-with-deprecation", p,
                        "no longer sent (was deprecated)", optr, None)
        for k2 in added:
            if k2 not in moved.values():
                q, nptr = pn[k2]
                add("callback-parameter-added", q, "now sent", None, nptr)
    else:
        for k in removed:
            if k in moved:
                continue
            p, optr = po[k]
            dep, sunset = p.get("deprecated") is True, p.get("x-sunset")
            when = parse_date(sunset)
            if not dep:
                add("request-parameter-removed", p, "removed", optr, None)
            elif sunset is not None and when is None:
                add("request-parameter-sunset-parse", p, f"removed; its x-sunset {sunset!r} is not "
                    "a date", optr, None, before=str(sunset))
            elif when is not None and when > today:
                add("request-parameter-removed-before-sunset", p, f"removed before its sunset {when}",
                    optr, None)
            else:
                add("request-parameter-removed-with-deprecation", p, "removed (was deprecated)",
                    optr, None)
        for k2 in added:
            if k2 in moved.values():
                continue
            q, nptr = pn[k2]
            required = q.get("required") is True
            if q.get("in") == "path":
                add("new-request-path-parameter", q, "declared (the template already had it)",
                    None, nptr)
            elif k2 in pn_item:
                kind = "required" if required else "optional"
                add(f"new-{kind}-request-default-parameter-to-existing-path", q,
                    f"added to the path item ({kind}, for every operation)", None, nptr)
            elif required:
                add("new-required-request-parameter", q, "added (required)", None, nptr)
            else:
                add("new-optional-request-parameter", q, "added (optional)", None, nptr)
    for k in po:
        if k not in pn:
            continue
        (p, optr), (q, nptr) = po[k], pn[k]
        if p is q or safe_eq(p, q):
            sch, sptr = _schema(p, optr)
            engine.schemas.compare(sch, sch, optr=sptr, nptr=_schema(q, nptr)[1],
                                   direction=ctx.request, family=_family(q, ctx, p), ops=ops,
                                   subject=ctx.name, detail=_label(q))
            continue
        ro, rn = p.get("required") is True, q.get("required") is True
        if ro != rn and q.get("in") != "path":
            add(f"{pre}-became-required" if rn else f"{pre}-became-optional",
                q, "became required" if rn else "became optional", optr, nptr, ro, rn)
        loc = str(q.get("in", ""))
        so = p.get("style", _DEFAULT_STYLE.get(loc))
        sn = q.get("style", _DEFAULT_STYLE.get(loc))
        if so != sn:
            add(f"{pre}-style-changed", q, f"style {so} → {sn}", optr, nptr, so, sn)
        eo = p.get("explode", so == "form")
        en = q.get("explode", sn == "form")
        if eo != en and so == sn:
            add(f"{pre}-explode-changed", q, f"explode {eo} → {en}", optr, nptr, eo, en)
        _deprecation(engine, add, p, q, optr, nptr, today, lifecycle.days(engine, ctx.new_op),
                     pre)
        so_, soptr = _schema(p, optr)
        sn_, snptr = _schema(q, nptr)
        if so_ is not None or sn_ is not None:
            engine.schemas.compare(so_ if so_ is not None else {}, sn_ if sn_ is not None else {},
                                   optr=soptr, nptr=snptr, direction=ctx.request,
                                   family=_family(q, ctx, p), ops=ops, subject=ctx.name,
                                   detail=_label(q))


def _family(q: dict[str, Any], ctx: OpCtx, p: dict[str, Any]) -> str:
    """The schema family of a parameter ``p`` → ``q`` (see ``rules.schema.PARAMETER_FAMILIES``):
    in a webhook/callback the server sends it (judged like a body it sends); a request header's
    object properties have their own rules; a form/explode query or cookie parameter takes a
    single value where an array is declared. Declared required on either side, the family is
    marked (:data:`~contractsync.diff.schemas.REQUIRED`): such a parameter is always sent, so its default never
    applies."""
    if ctx.flipped:
        return "body"
    loc = q.get("in")
    style = q.get("style", _DEFAULT_STYLE.get(str(loc)))
    if loc == "header":
        family = "header-parameter"
    elif loc in ("query", "cookie") and style == "form" and q.get("explode", True) is True:
        family = "form-parameter"
    else:
        family = "parameter"
    if p.get("required") is True or q.get("required") is True:
        return REQUIRED + family
    return family


def _renames(engine: Engine, po: dict[tuple[str, str], tuple[dict[str, Any], str]],
             pn: dict[tuple[str, str], tuple[dict[str, Any], str]],
             removed: list[tuple[str, str]], added: list[tuple[str, str]]
             ) -> list[tuple[tuple[str, str], tuple[str, str]]]:
    """Removed/added parameter pairs that are one rename: same location, style and schema
    (matched by :func:`~contractsync.diff.renames.match_renames`), both optional, the old one
    not deprecated (removing a deprecated parameter is its announced end, not a rename). A
    ``$ref`` schema counts by what it references, not by the component's name."""
    def candidates(side: dict[tuple[str, str], tuple[dict[str, Any], str]],
                   keys: list[tuple[str, str]], old: bool) -> dict[tuple[str, str], Any]:
        out: dict[tuple[str, str], Any] = {}
        for k in keys:
            p, ptr = side[k]
            if k[0] == "path" or p.get("required") is True or (old and p.get("deprecated") is True):
                continue
            ident = _identity(p)
            if "schema" in ident:
                # a broken $ref is reported where the schema is compared
                with contextlib.suppress(InputError):
                    ident["schema"] = engine.deref("old" if old else "new", ident["schema"],
                                                   ptr + "/schema")[0]
            out[k] = ident
        return out

    return match_renames(candidates(po, removed, True), candidates(pn, added, False))


def _identity(p: dict[str, Any]) -> dict[str, Any]:
    """A parameter's rename identity: everything but its name, deprecation and extensions, with
    values the specification gives anyway left out (``required: false``, the location's default
    ``style``, that style's default ``explode``)."""
    loc = str(p.get("in", ""))
    style = p.get("style", _DEFAULT_STYLE.get(loc))
    defaults = {"required": False, "allowEmptyValue": False, "allowReserved": False,
                "style": _DEFAULT_STYLE.get(loc), "explode": style == "form"}
    return {key: v for key, v in p.items()
            if key not in ("name", "deprecated") and not str(key).startswith("x-")
            and not (key in defaults and v == defaults[key] and type(v) is type(defaults[key]))}


def _deprecation(engine: Engine, add: Any, p: dict[str, Any], q: dict[str, Any],
                 optr: str, nptr: str, today: datetime.date, days: int, pre: str) -> None:
    """Deprecation and sunset of a parameter, judged like an operation's: ``days`` is the
    policy for the operation's stability level (0 for draft/alpha or with no policy); ``pre``
    names the rules (``callback-parameter`` for one a webhook/callback sends)."""
    dep_o, dep_n = p.get("deprecated") is True, q.get("deprecated") is True
    so, sn = p.get("x-sunset"), q.get("x-sunset")
    if dep_n and not dep_o:
        when = parse_date(sn)
        if sn is None and days > 0:
            add(f"{pre}-deprecated-sunset-missing", q, "deprecated without x-sunset",
                optr, nptr)
        elif sn is None:
            add(f"{pre}-deprecated", q, "deprecated", optr, nptr)
        elif when is None:
            add(f"{pre}-sunset-parse", q, f"deprecated with x-sunset {sn!r}, not a "
                "date", optr, nptr, after=str(sn))
        elif when < today + datetime.timedelta(days=days):
            add(f"{pre}-sunset-date-too-small", q, f"deprecated with sunset {when}, "
                f"less than {days} days away", optr, nptr, after=str(when))
        else:
            add(f"{pre}-deprecated", q, f"deprecated, sunset {when}", optr, nptr,
                after=str(when))
    elif dep_o and not dep_n:
        add(f"{pre}-reactivated", q, "no longer deprecated", optr, nptr)
    elif dep_o and dep_n and so != sn:
        if sn is None:
            add(f"{pre}-sunset-deleted", q, f"x-sunset {so} deleted", optr, nptr,
                str(so), None)
        elif so is None:
            # A date given to a parameter already deprecated: only a bad or too early one counts.
            when = parse_date(sn)
            if when is None:
                add(f"{pre}-sunset-parse", q, f"x-sunset {sn!r} given, not a date", optr, nptr,
                    after=str(sn))
            elif when < today + datetime.timedelta(days=days):
                add(f"{pre}-sunset-date-too-small", q, f"sunset {when} given, less than {days} "
                    "days away", optr, nptr, after=str(when))
        else:
            wo, wn = parse_date(so), parse_date(sn)
            if wo is None or wn is None:
                add(f"{pre}-sunset-parse", q, f"x-sunset {so!r} → {sn!r}: not a date",
                    optr, nptr, str(so), str(sn))
            elif wn < wo and wn < today + datetime.timedelta(days=days):
                add(f"{pre}-sunset-date-changed-too-small", q,
                    f"sunset moved earlier, {wo} → {wn}", optr, nptr, str(wo), str(wn))
