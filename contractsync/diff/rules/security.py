"""Security requirements and schemes.

A ``security`` list is a choice of alternatives, each a set of schemes with scopes. Removing an
alternative, or adding a scope to one, narrows what clients may authenticate with: breaking.
Adding an alternative widens it: safe. An operation that needed no credentials and now does
breaks every anonymous client (``api-security-required``). Alternatives gone from a list that no
longer requires credentials at all (dropped, or ``{}`` among them) break no one: for the
document-wide list that is oasdiff's ``api-global-security-removed`` (info), for an operation
its ``api-security-removed`` (info); a narrowing that still requires credentials is
``api-global-security-alternative-removed`` / ``api-security-alternative-removed``. A scheme renamed with the same
definition is the same credential: requirements follow the rename.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from .. import examples as ex
from ..oasdiff import OASDIFF_LEVELS
from ..registry import REQ, E, I, rule

if TYPE_CHECKING:
    from ..engine import Engine, OpCtx

_NM = "credentials are sent by clients only"
_SCHEMES: dict[str, Any] = {"securitySchemes": {
    "oauth": {"type": "oauth2", "flows": {"clientCredentials": {
        "tokenUrl": "https://example.org/token", "scopes": {"read": "", "write": ""}}}},
    "key": {"type": "apiKey", "in": "header", "name": "X-Key"}}}


def _r(id: str, level: Any, doc: str, before: Any, after: Any, **kw: Any) -> None:
    kw.setdefault("no_mirror", _NM)
    rule(id, level, REQ, "security", doc, before, after, **{"oasdiff": id in OASDIFF_LEVELS, **kw})


def _op(security: Any = None, glob: Any = None, schemes: Any = None) -> dict[str, Any]:
    d = ex.op("get") if security is None else ex.op("get", security=security)
    d["components"] = schemes or _SCHEMES
    if glob is not None:
        d["security"] = glob
    return d


_K: list[dict[str, list[str]]] = [{"key": []}]
_KO: list[dict[str, list[str]]] = [{"key": []}, {"oauth": ["read"]}]
_R: list[dict[str, list[str]]] = [{"oauth": ["read"]}]
_RW: list[dict[str, list[str]]] = [{"oauth": ["read", "write"]}]
_r("api-security-added", I, "An operation accepts one more way to authenticate.", _op(_K), _op(_KO))
_r("api-security-alternative-removed", E, "An operation, still requiring credentials, no longer "
   "accepts a way to authenticate that clients may use: tokens that worked are rejected.",
   _op(_KO), _op(_K), oasdiff=False)
_r("api-security-required", E, "An operation that needed no credentials now requires them: "
   "anonymous clients break.", _op(), _op(_K), oasdiff=False)
_r("api-security-removed", I, "An operation no longer requires credentials (its security dropped, or "
   "`{}` among the alternatives): no client can fail (oasdiff's id and level).", _op(_K), _op())
_r("api-security-scope-added", E, "An authentication alternative now needs one more scope: "
   "tokens without it are rejected.", _op(_R), _op(_RW))
_r("api-security-scope-removed", I, "An authentication alternative needs one scope less.",
   _op(_RW), _op(_R))
_r("api-global-security-added", I, "The document-wide security accepts one more alternative.",
   _op(glob=_K), _op(glob=_KO))
_r("api-global-security-removed", I, "The document-wide security was dropped, or now also "
   "admits calls without credentials (an empty alternative `{}`): the alternatives it no longer "
   "lists break no client, since none is needed any more. Operations that inherit it report "
   "`api-security-removed`.", _op(glob=_K), _op())
_r("api-global-security-alternative-removed", E, "The document-wide security, still requiring "
   "credentials, no longer accepts an alternative clients may use: tokens that worked are "
   "rejected.", _op(glob=_KO), _op(glob=_K), oasdiff=False)
_r("api-global-security-scope-added", E, "A document-wide security alternative needs one more "
   "scope.", _op(glob=_R), _op(glob=_RW))
_r("api-global-security-scope-removed", I, "A document-wide security alternative needs one scope "
   "less.", _op(glob=_RW), _op(glob=_R))
_r("api-security-component-added", I, "A security scheme was added to the components.",
   _op(schemes={"securitySchemes": {}}), _op())
_r("api-security-component-removed", I, "A security scheme was removed from the components "
   "(requirements that used it report their own change).", _op(),
   _op(schemes={"securitySchemes": {}}))


def _with(**changes: Any) -> dict[str, Any]:
    import copy

    schemes = copy.deepcopy(_SCHEMES)
    flow = schemes["securitySchemes"]["oauth"]["flows"]["clientCredentials"]
    for k, v in changes.items():
        if k == "type":
            schemes["securitySchemes"]["oauth"] = {"type": "http", "scheme": "bearer"}
        else:
            flow[k] = v
    return _op(schemes=schemes)


_r("api-security-component-type-changed", E, "A security scheme changed type (oauth2 → http…): "
   "clients authenticate the old way.", _op(), _with(type="http"))
_r("api-security-component-oauth-url-changed", I, "An OAuth flow's authorization URL changed.",
   _with(authorizationUrl="https://a.example/auth"), _with(authorizationUrl="https://b.example/auth"))
_r("api-security-component-oauth-token-url-changed", I, "An OAuth flow's token URL changed.",
   _op(), _with(tokenUrl="https://example.org/token2"))
_r("api-security-component-oauth-scope-added", I, "An OAuth flow offers one more scope.", _op(),
   _with(scopes={"read": "", "write": "", "admin": ""}))
_r("api-security-component-oauth-scope-removed", E, "An OAuth flow no longer offers a scope "
   "clients may request.", _op(), _with(scopes={"read": ""}))
_r("api-security-component-oauth-scope-changed", I, "The description of an OAuth scope changed.",
   _op(), _with(scopes={"read": "read things", "write": ""}))


def _reqs(value: Any, renamed: dict[str, str] | None = None
          ) -> dict[frozenset[str], dict[str, list[str]]]:
    """Alternatives by their set of scheme names (old names ``renamed`` to new ones)."""
    ren = renamed or {}
    out: dict[frozenset[str], dict[str, list[str]]] = {}
    if isinstance(value, list):
        for alt in value:
            if isinstance(alt, dict):
                out[frozenset(ren.get(str(k), str(k)) for k in alt)] = {
                    ren.get(str(k), str(k)): [str(s) for s in (v or [])] for k, v in alt.items()}
    return out


def _schemes(data: dict[str, Any]) -> dict[str, Any]:
    comp = data.get("components")
    s = comp.get("securitySchemes") if isinstance(comp, dict) else None
    return s if isinstance(s, dict) else {}


def _renamed_schemes(engine: Engine) -> dict[str, str]:
    """Old scheme name → new name for schemes that only changed name: a scheme's name is not
    on the wire (clients send the same header, token or cookie), so requirements naming it are
    compared by what the scheme is. The match must be unambiguous: exactly one removed and one
    added scheme with the same definition (annotations aside)."""
    so, sn = _schemes(engine.old), _schemes(engine.new)

    def ident(side: str, name: str, node: Any) -> str | None:
        d, _ = engine.deref(side, node, f"/components/securitySchemes/{name}")
        if not isinstance(d, dict):
            return None
        return json.dumps({k: v for k, v in d.items()
                           if k != "description" and not str(k).startswith("x-")},
                          sort_keys=True, default=str)

    gone = {str(n): ident("old", str(n), v) for n, v in so.items() if n not in sn}
    came = {str(n): ident("new", str(n), v) for n, v in sn.items() if n not in so}
    out: dict[str, str] = {}
    for name, key in gone.items():
        twins = [n for n, k in came.items() if k == key]
        if key is not None and len(twins) == 1 and list(gone.values()).count(key) == 1:
            out[name] = twins[0]
    return out


def _open(value: Any) -> bool:
    """No credentials needed: no requirement at all, or an empty alternative ``{}``."""
    return not isinstance(value, list) or not value or any(a == {} for a in value)


def _compare_lists(engine: Engine, a: Any, b: Any, prefix: str, subject: str, detail: str,
                   optr: str | None, nptr: str | None, ops: tuple[str, ...],
                   removed: str = "removed") -> None:
    """Alternatives and scopes of two ``security`` lists; a removed alternative is reported as
    ``{prefix}-{removed}``."""
    ra, rb = _reqs(a, _renamed_schemes(engine)), _reqs(b)

    def name(k: frozenset[str]) -> str:
        return " + ".join(sorted(k)) or "{}"

    for k in ra:
        if k not in rb and k:
            engine.out.add(f"{prefix}-{removed}", subject=subject, detail=detail, base=optr,
                           revision=nptr, ops=ops, key=name(k), before=name(k),
                           message=f"{subject}: security alternative {name(k)} removed")
    for k in rb:
        if k not in ra and k:
            engine.out.add(f"{prefix}-added", subject=subject, detail=detail, base=optr,
                           revision=nptr, ops=ops, key=name(k), after=name(k),
                           message=f"{subject}: security alternative {name(k)} added")
        elif k in ra:
            for scheme, scopes in rb[k].items():
                old = ra[k].get(scheme, [])
                for s in scopes:
                    if s not in old:
                        engine.out.add(f"{prefix}-scope-added", subject=subject, detail=detail,
                                       base=optr, revision=nptr, ops=ops, key=f"{scheme}:{s}",
                                       after=s, message=f"{subject}: {scheme} now needs scope '{s}'")
                for s in old:
                    if s not in scopes:
                        engine.out.add(f"{prefix}-scope-removed", subject=subject, detail=detail,
                                       base=optr, revision=nptr, ops=ops, key=f"{scheme}:{s}",
                                       before=s, message=f"{subject}: {scheme} no longer needs "
                                       f"scope '{s}'")


def compare_operation(engine: Engine, ctx: OpCtx) -> None:
    """An operation's own ``security`` (the effective one decides required/not required)."""
    if ctx.flipped:
        return
    so, sn = ctx.old_op.get("security"), ctx.new_op.get("security")
    eo = so if so is not None else engine.old.get("security")
    en = sn if sn is not None else engine.new.get("security")
    ops = (ctx.name,)
    if _open(eo) and not _open(en):
        engine.out.add("api-security-required", subject=ctx.name, detail="security",
                       base=ctx.optr, revision=ctx.nptr, ops=ops,
                       message=f"{ctx.name}: now requires credentials")
        return
    if not _open(eo) and _open(en):
        engine.out.add("api-security-removed", subject=ctx.name, detail="security",
                       base=ctx.optr, revision=ctx.nptr, ops=ops,
                       message=f"{ctx.name}: no longer requires credentials")
        return
    if so is None and sn is None:
        return
    # Each side's effective list sits at the operation's `security`, or (inherited) at the
    # document's: point at the one in force, so the pointer names something on both sides.
    _compare_lists(engine, eo, en, "api-security", ctx.name, "security",
                   _security_ptr(so, eo, ctx.optr), _security_ptr(sn, en, ctx.nptr), ops,
                   removed="alternative-removed")


def _security_ptr(own: Any, effective: Any, op_ptr: str) -> str:
    if own is not None:
        return op_ptr + "/security"
    return "/security" if effective is not None else op_ptr


def _inheriting(engine: Engine, doc: dict[str, Any] | None = None) -> tuple[str, ...]:
    """Operations of ``doc`` (the revision by default) that use the document-wide security
    (no ``security`` of their own): the ones a change to it affects."""
    from ..engine import METHODS

    out = []
    paths = (engine.new if doc is None else doc).get("paths")
    for path, item in (paths.items() if isinstance(paths, dict) else ()):
        if (not isinstance(item, dict) or str(path).startswith("x-")
                or not engine.options.path_selected(str(path))):
            continue
        for method in METHODS:
            op = item.get(method)
            if isinstance(op, dict) and "security" not in op:
                out.append(f"{method.upper()} {path}")
    return tuple(out)


def compare_document(engine: Engine) -> None:
    """Document-wide ``security`` and ``components.securitySchemes``."""
    go, gn = engine.old.get("security"), engine.new.get("security")
    inherit_old, inherit_new = _inheriting(engine, engine.old), _inheriting(engine)
    both = tuple(op for op in inherit_new if op in inherit_old)
    # Operations that stopped (or started) inheriting carry their own list on the other side,
    # compared operation by operation with the effective one: moving the document-wide list
    # into every operation, or out of them, changes no request. With no operation inheriting
    # on either side the document-wide list is still reported, as the document's own fact.
    if go != gn and (both or not (inherit_old or inherit_new)):
        # Alternatives gone from a list that still requires credentials narrow what clients may
        # authenticate with; gone from one that no longer requires any (dropped, or `{}` now
        # among them) they break no one — oasdiff's `api-global-security-removed`, info.
        _compare_lists(engine, go, gn, "api-global-security", "security", "",
                       "/security" if "security" in engine.old else None,
                       "/security" if "security" in engine.new else None, both or inherit_new,
                       removed="removed" if _open(gn) else "alternative-removed")

    so, sn = _schemes(engine.old), _schemes(engine.new)
    for name in sorted(set(so) | set(sn), key=str):
        subject = f"components.securitySchemes.{name}"
        ptr = f"/components/securitySchemes/{name}"
        if name not in sn:
            engine.out.add("api-security-component-removed", subject=subject, base=ptr,
                           message=f"{subject}: removed")
            continue
        if name not in so:
            engine.out.add("api-security-component-added", subject=subject, revision=ptr,
                           message=f"{subject}: added")
            continue
        a, _ = engine.deref("old", so[name], ptr)
        b, _ = engine.deref("new", sn[name], ptr)
        if not isinstance(a, dict) or not isinstance(b, dict) or a == b:
            continue
        if a.get("type") != b.get("type"):
            engine.out.add("api-security-component-type-changed", subject=subject, base=ptr,
                           revision=ptr, before=a.get("type"), after=b.get("type"),
                           message=f"{subject}: type {a.get('type')} → {b.get('type')}")
            continue
        fa = a.get("flows") if isinstance(a.get("flows"), dict) else {}
        fb = b.get("flows") if isinstance(b.get("flows"), dict) else {}
        assert isinstance(fa, dict) and isinstance(fb, dict)
        for flow in sorted(set(fa) & set(fb), key=str):
            x, y = fa[flow], fb[flow]
            if not isinstance(x, dict) or not isinstance(y, dict):
                continue
            for key, rid in (("authorizationUrl", "api-security-component-oauth-url-changed"),
                             ("tokenUrl", "api-security-component-oauth-token-url-changed")):
                if x.get(key) != y.get(key):
                    engine.out.add(rid, subject=subject, detail=f"flow {flow}", base=ptr,
                                   revision=ptr, before=x.get(key), after=y.get(key),
                                   message=f"{subject}: {flow} {key} {x.get(key)} → {y.get(key)}")
            sa = x.get("scopes") if isinstance(x.get("scopes"), dict) else {}
            sb = y.get("scopes") if isinstance(y.get("scopes"), dict) else {}
            assert isinstance(sa, dict) and isinstance(sb, dict)
            for s in sb:
                if s not in sa:
                    engine.out.add("api-security-component-oauth-scope-added", subject=subject,
                                   detail=f"flow {flow}", revision=ptr, key=str(s), after=s,
                                   message=f"{subject}: {flow} scope '{s}' added")
                elif sa[s] != sb[s]:
                    engine.out.add("api-security-component-oauth-scope-changed", subject=subject,
                                   detail=f"flow {flow}", base=ptr, revision=ptr, key=str(s),
                                   before=sa[s], after=sb[s],
                                   message=f"{subject}: {flow} scope '{s}' description changed")
            for s in sa:
                if s not in sb:
                    engine.out.add("api-security-component-oauth-scope-removed", subject=subject,
                                   detail=f"flow {flow}", base=ptr, key=str(s), before=s,
                                   message=f"{subject}: {flow} scope '{s}' removed")
