"""Paths, operations, webhooks and callbacks: what exists, and matching it up.

Paths match with parameter names blanked (``/books/{id}`` ≡ ``/books/{book_id}``). Inside
webhooks and callbacks the server sends the request and the client answers, so their operations
are compared with the directions swapped.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ...spec.refs import escape
from .. import examples as ex
from ..engine import METHODS, OpCtx, op_pointer, path_key
from ..oasdiff import OASDIFF_LEVELS
from ..registry import NONE, E, I, rule
from . import lifecycle, parameters, request_body, responses, security

if TYPE_CHECKING:
    from ..engine import Engine


def _r(id: str, level: Any, doc: str, before: Any, after: Any, **kw: Any) -> None:
    kw.setdefault("no_mirror", "about operations as a whole, not one side of the exchange")
    rule(id, level, NONE, "paths", doc, before, after, **{"oasdiff": id in OASDIFF_LEVELS, **kw})


_HOOK = {"post": {"requestBody": {"content": {"application/json": {"schema": {"type": "object"}}}},
                  "responses": {"200": {"description": "OK"}}}}
_r("endpoint-added", I, "A new operation.", ex.doc(), ex.op("get"))
_r("api-operation-id-added", I, "An operation got an `operationId` (generated clients name "
   "methods after it).", ex.op("get"), ex.op("get", operationId="listItems"))
_r("api-operation-id-removed", I, "An operation's `operationId` was removed.",
   ex.op("get", operationId="listItems"), ex.op("get"))
_r("api-operation-id-changed", I, "An operation's `operationId` changed: generated clients "
   "rename the method.", ex.op("get", operationId="listItems"), ex.op("get", operationId="getItems"),
   oasdiff=False)
_r("api-tag-added", I, "An operation got a tag.", ex.op("get"), ex.op("get", tags=["items"]))
_r("api-tag-removed", I, "An operation lost a tag.", ex.op("get", tags=["items"]), ex.op("get"))
_r("webhook-added", I, "A new webhook.", ex.doc(), ex.doc(webhooks={"itemCreated": _HOOK}))
_r("webhook-removed", E, "A webhook was removed: receivers stop getting its events.",
   ex.doc(webhooks={"itemCreated": _HOOK}), ex.doc())
_CB = {"onEvent": {"{$request.body#/url}": _HOOK}}
_r("callback-added", I, "A new callback on an operation.", ex.op("post"),
   ex.op("post", callbacks=_CB), oasdiff=False)
_r("callback-removed", E, "A callback was removed from an operation: subscribers stop getting "
   "its calls. (oasdiff does not check callbacks.)", ex.op("post", callbacks=_CB), ex.op("post"),
   oasdiff=False)
_SCHEMA = {"components": {"schemas": {"Item": {"type": "object"}}}}
_r("api-schema-removed", I, "A component schema was removed (operations that used it report "
   "their own changes).", ex.doc(**_SCHEMA), ex.doc())


def _selected(engine: Engine, paths: dict[str, Any]) -> dict[str, str]:
    out: dict[str, str] = {}
    for p in paths:
        if isinstance(p, str) and isinstance(paths[p], dict) and engine.options.path_selected(p):
            out.setdefault(path_key(p), p)
    return out


def compare(engine: Engine) -> None:
    """Paths and webhooks of the two documents."""
    old_paths = engine.old.get("paths") if isinstance(engine.old.get("paths"), dict) else {}
    new_paths = engine.new.get("paths") if isinstance(engine.new.get("paths"), dict) else {}
    assert isinstance(old_paths, dict) and isinstance(new_paths, dict)
    oi, ni = _selected(engine, old_paths), _selected(engine, new_paths)
    for key in sorted(oi.keys() | ni.keys()):
        po, pn = oi.get(key), ni.get(key)
        item_o = old_paths.get(po, {}) if po else {}
        item_n = new_paths.get(pn, {}) if pn else {}
        item_o, _ = engine.deref("old", item_o, f"/paths/{escape(po or '')}")
        item_n, _ = engine.deref("new", item_n, f"/paths/{escape(pn or '')}")
        _mark_relaxed(engine, po, item_o, pn)
        for method in METHODS:
            oo, on = item_o.get(method), item_n.get(method)
            if not isinstance(oo, dict) and not isinstance(on, dict):
                continue
            if not isinstance(on, dict):
                assert po is not None and isinstance(oo, dict)
                lifecycle.operation_removed(engine, f"{method.upper()} {po}", oo,
                                            op_pointer(po, method), whole_path=pn is None)
                continue
            assert pn is not None
            name = f"{method.upper()} {pn}"
            if not isinstance(oo, dict):
                engine.out.add("endpoint-added", subject=name, revision=op_pointer(pn, method),
                               ops=(name,), message=f"{name}: operation added")
                continue
            assert po is not None
            ctx = OpCtx(name, oo, on, item_o, item_n, op_pointer(po, method),
                        op_pointer(pn, method), po, pn)
            compare_operation(engine, ctx)
    _webhooks(engine)


def _mark_relaxed(engine: Engine, po: str | None, item: dict[str, Any], pn: str | None) -> None:
    for method in METHODS:
        op = item.get(method)
        if isinstance(op, dict) and op.get("x-stability-level") in ("draft", "alpha"):
            engine.relaxed_ops.add(f"{method.upper()} {pn or po}")


def compare_operation(engine: Engine, ctx: OpCtx) -> None:
    """Everything about one operation present on both sides."""
    parameters.compare(engine, ctx)
    request_body.compare(engine, ctx)
    responses.compare(engine, ctx)
    security.compare_operation(engine, ctx)
    lifecycle.compare_operation(engine, ctx)
    _meta(engine, ctx)
    _callbacks(engine, ctx)


def _meta(engine: Engine, ctx: OpCtx) -> None:
    a, b = ctx.old_op.get("operationId"), ctx.new_op.get("operationId")
    if a != b:
        rid = ("api-operation-id-added" if a is None else "api-operation-id-removed" if b is None
               else "api-operation-id-changed")
        engine.out.add(rid, subject=ctx.name, base=ctx.optr, revision=ctx.nptr, ops=(ctx.name,),
                       message=f"{ctx.name}: operationId {a!r} → {b!r}", before=a, after=b)
    ta = [t for t in ctx.old_op.get("tags") or [] if isinstance(t, str)]
    tb = [t for t in ctx.new_op.get("tags") or [] if isinstance(t, str)]
    for t in tb:
        if t not in ta:
            engine.out.add("api-tag-added", subject=ctx.name, revision=ctx.nptr + "/tags",
                           ops=(ctx.name,), message=f"{ctx.name}: tag '{t}' added", after=t, key=t)
    for t in ta:
        if t not in tb:
            engine.out.add("api-tag-removed", subject=ctx.name, base=ctx.optr + "/tags",
                           ops=(ctx.name,), message=f"{ctx.name}: tag '{t}' removed", before=t,
                           key=t)


def _hook_ops(engine: Engine, name: str, o: dict[str, Any], n: dict[str, Any], optr: str,
              nptr: str, flipped: bool, label: str) -> None:
    for method in METHODS:
        oo, on = o.get(method), n.get(method)
        if not isinstance(oo, dict) or not isinstance(on, dict):
            continue
        ctx = OpCtx(f"{label} {method.upper()}", oo, on, o, n, f"{optr}/{method}",
                    f"{nptr}/{method}", name, name, flipped=flipped)
        compare_operation(engine, ctx)


def _webhooks(engine: Engine) -> None:
    wo = engine.old.get("webhooks") if isinstance(engine.old.get("webhooks"), dict) else {}
    wn = engine.new.get("webhooks") if isinstance(engine.new.get("webhooks"), dict) else {}
    assert isinstance(wo, dict) and isinstance(wn, dict)
    for name in sorted(set(wo) | set(wn), key=str):
        ptr = f"/webhooks/{escape(str(name))}"
        label = f"webhook {name}"
        if name not in wn:
            engine.out.add("webhook-removed", subject=label, base=ptr, ops=(label,),
                           message=f"{label}: webhook removed")
        elif name not in wo:
            engine.out.add("webhook-added", subject=label, revision=ptr, ops=(label,),
                           message=f"{label}: webhook added")
        else:
            o, _ = engine.deref("old", wo[name], ptr)
            n, _ = engine.deref("new", wn[name], ptr)
            if isinstance(o, dict) and isinstance(n, dict):
                _hook_ops(engine, str(name), o, n, ptr, ptr, True, label)


def _callbacks(engine: Engine, ctx: OpCtx) -> None:
    co = ctx.old_op.get("callbacks") if isinstance(ctx.old_op.get("callbacks"), dict) else {}
    cn = ctx.new_op.get("callbacks") if isinstance(ctx.new_op.get("callbacks"), dict) else {}
    assert isinstance(co, dict) and isinstance(cn, dict)
    for name in sorted(set(co) | set(cn), key=str):
        optr, nptr = f"{ctx.optr}/callbacks/{escape(str(name))}", f"{ctx.nptr}/callbacks/{escape(str(name))}"
        label = f"{ctx.name} callback {name}"
        if name not in cn:
            engine.out.add("callback-removed", subject=ctx.name, detail=f"callback {name}",
                           base=optr, ops=(ctx.name,), message=f"{label}: callback removed")
            continue
        if name not in co:
            engine.out.add("callback-added", subject=ctx.name, detail=f"callback {name}",
                           revision=nptr, ops=(ctx.name,), message=f"{label}: callback added")
            continue
        o, optr = engine.deref("old", co[name], optr)
        n, nptr = engine.deref("new", cn[name], nptr)
        if not isinstance(o, dict) or not isinstance(n, dict):
            continue
        for expr in sorted(set(o) & set(n), key=str):
            io, inn = o[expr], n[expr]
            if isinstance(io, dict) and isinstance(inn, dict):
                _hook_ops(engine, str(expr), io, inn, f"{optr}/{escape(str(expr))}",
                          f"{nptr}/{escape(str(expr))}", not ctx.flipped, f"{label} {expr}")


def compare_components(engine: Engine) -> None:
    """Component schemas that disappeared (their uses report their own changes)."""
    def schemas(data: dict[str, Any]) -> dict[str, Any]:
        comp = data.get("components")
        s = comp.get("schemas") if isinstance(comp, dict) else None
        return s if isinstance(s, dict) else {}

    so, sn = schemas(engine.old), schemas(engine.new)
    for name in sorted(set(so) - set(sn), key=str):
        subject = f"components.schemas.{name}"
        engine.out.add("api-schema-removed", subject=subject,
                       base=f"/components/schemas/{escape(str(name))}",
                       message=f"{subject}: component schema removed")
