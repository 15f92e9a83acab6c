"""Paths, operations, webhooks and callbacks: what exists, and matching it up.

Operations match by template and method, then (the ones left) with parameter names blanked
(``/books/{id}`` ≡ ``/books/{book_id}``); see :func:`match_operations`. Inside webhooks and
callbacks the server sends the request and the client answers, so their operations
are compared with the directions swapped.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ...spec.refs import escape
from .. import examples as ex
from ..engine import METHODS, OpCtx, op_pointer, path_key
from ..oasdiff import OASDIFF_LEVELS
from ..registry import NONE, E, I, W, rule
from ..renames import match_renames
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
_r("api-operation-id-removed", I, "An operation's `operationId` was removed, or replaced by "
   "another (oasdiff's id for both; the message names the new one): generated clients rename "
   "the method.", ex.op("get", operationId="listItems"), ex.op("get", operationId="getItems"))
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
_WH_PUT = {**_HOOK, "put": _HOOK["post"]}
_r("callback-operation-removed", E, "A webhook or callback path item lost an operation: the server "
   "no longer sends that request, so receivers built on the old contract stop getting those "
   "calls (as for `webhook-removed` and `callback-removed`).",
   ex.doc(webhooks={"itemCreated": _WH_PUT}), ex.doc(webhooks={"itemCreated": _HOOK}),
   oasdiff=False)
_r("callback-operation-added", W, "A webhook or callback path item got another operation: the "
   "server now sends a request method to the receiver's URL that receivers built on the old "
   "contract were never told to handle, and they will answer it with an error (405). Whether "
   "that harms them depends on how the server treats failed deliveries (retries, disabling the "
   "subscription), which the document does not say.",
   ex.doc(webhooks={"itemCreated": _HOOK}), ex.doc(webhooks={"itemCreated": _WH_PUT}),
   oasdiff=False)
_CB2 = {"onEvent": {**_CB["onEvent"], "{$request.body#/statusUrl}": _HOOK}}
_r("callback-expression-removed", E, "A callback lost a URL expression: the server no longer "
   "calls that URL, so subscribers stop getting those calls. Renaming the expression (the "
   "request field holding the URL, say) is reported as removed + added: clients built on the "
   "old contract fill only the old one.", ex.op("post", callbacks=_CB2),
   ex.op("post", callbacks=_CB), oasdiff=False)
_r("callback-expression-added", I, "A callback got another URL expression: the server calls one "
   "more URL, taken from the request (as for `callback-added`, a new callback).",
   ex.op("post", callbacks=_CB), ex.op("post", callbacks=_CB2), oasdiff=False)
_r("api-path-parameter-renamed", I, "A path parameter was renamed in the template "
   "(`/items/{id}` → `/items/{item_id}`): the URL a client calls is the same, so nothing "
   "changes on the wire. Generated clients key operations by the template, though — "
   "openapi-fetch's `api.GET(\"/items/{id}\")` stops compiling. Reported only under the "
   "`typescript` profile (where it is breaking): on the wire a rename is no change.",
   ex.op("get", "/items/{id}", parameters=[{"name": "id", "in": "path", "required": True,
                                            "schema": {"type": "integer"}}]),
   ex.op("get", "/items/{item_id}", parameters=[{"name": "item_id", "in": "path", "required": True,
                                                 "schema": {"type": "integer"}}]),
   oasdiff=False, options={"profile": "typescript"})
_SCHEMA = {"components": {"schemas": {"Item": {"type": "object"}}}}
_r("api-schema-removed", I, "A component schema was removed (operations that used it report "
   "their own changes).", ex.doc(**_SCHEMA), ex.doc())
_r("api-schema-renamed", I, "A component schema was renamed: one schema removed and one added "
   "with the same structure (see *Renames* below). Its level is the removal's.",
   ex.doc(**_SCHEMA), ex.doc(components={"schemas": {
       f"{name}Out": schema for name, schema in _SCHEMA["components"]["schemas"].items()}}),
   oasdiff=False)


# One operation of one document: (path template, method) → (path item, operation).
_Ops = dict[tuple[str, str], tuple[dict[str, Any], dict[str, Any]]]


def _is_path(engine: Engine, paths: dict[str, Any], p: Any) -> bool:
    # `x-` members of the Paths object are extensions: data, whatever `$ref` keys they hold.
    return (isinstance(p, str) and not p.startswith("x-") and isinstance(paths[p], dict)
            and engine.options.path_selected(p))


def _operations(engine: Engine, side: str, paths: dict[str, Any]) -> _Ops:
    out: _Ops = {}
    for p in paths:
        if not _is_path(engine, paths, p):
            continue
        item, _ = engine.deref(side, paths[p], f"/paths/{escape(p)}")
        if not isinstance(item, dict):
            continue
        for method in METHODS:
            op = item.get(method)
            if isinstance(op, dict):
                out[(p, method)] = (item, op)
    return out


def match_operations(old: _Ops, new: _Ops
                     ) -> tuple[list[tuple[tuple[str, str], tuple[str, str]]],
                                list[tuple[str, str]], list[tuple[str, str]]]:
    """Pair the operations of two documents: ``(pairs, removed, added)``.

    The same template and method pair first. Only the operations left over then pair by method
    and template with parameter names blanked (``/books/{id}`` ≡ ``/books/{book_id}``): a client
    calls a URL and a method, never a parameter name. Matching per operation, not per path,
    keeps two templates of one document that blank to the same key apart
    (``/x/{id}`` GET and ``/x/{attempt_id}`` PATCH), and follows an operation that moved from one
    spelling of a template to another.
    """
    pairs = [(k, k) for k in old if k in new]
    left_o: dict[tuple[str, str], list[str]] = {}
    left_n: dict[tuple[str, str], list[str]] = {}
    for (path, method) in old:
        if (path, method) not in new:
            left_o.setdefault((path_key(path), method), []).append(path)
    for (path, method) in new:
        if (path, method) not in old:
            left_n.setdefault((path_key(path), method), []).append(path)
    removed: list[tuple[str, str]] = []
    added: list[tuple[str, str]] = []
    for key in sorted(left_o.keys() | left_n.keys()):
        # Two templates of one document with the same key *and* method are ambiguous routes;
        # pair them in template order rather than guess.
        po, pn = sorted(left_o.get(key, ())), sorted(left_n.get(key, ()))
        method = key[1]
        pairs.extend(((a, method), (b, method)) for a, b in zip(po, pn, strict=False))
        removed.extend((a, method) for a in po[len(pn):])
        added.extend((b, method) for b in pn[len(po):])
    return pairs, removed, added


def compare(engine: Engine) -> None:
    """Paths and webhooks of the two documents."""
    old_paths = engine.old.get("paths") if isinstance(engine.old.get("paths"), dict) else {}
    new_paths = engine.new.get("paths") if isinstance(engine.new.get("paths"), dict) else {}
    assert isinstance(old_paths, dict) and isinstance(new_paths, dict)
    old_ops, new_ops = _operations(engine, "old", old_paths), _operations(engine, "new", new_paths)
    pairs, removed, added = match_operations(old_ops, new_ops)
    new_keys = {path_key(p) for p in new_paths if _is_path(engine, new_paths, p)}
    for (po, method), (pn, _) in sorted(pairs, key=lambda pair: _order(pair[1])):
        (item_o, oo), (item_n, on) = old_ops[(po, method)], new_ops[(pn, method)]
        name = f"{method.upper()} {pn}"
        if oo.get("x-stability-level") in ("draft", "alpha"):
            engine.relaxed_ops.add(name)
        ctx = OpCtx(name, oo, on, item_o, item_n, op_pointer(po, method), op_pointer(pn, method),
                    po, pn)
        if po != pn and engine.options.profile == "typescript":
            engine.out.add("api-path-parameter-renamed", subject=name, base=ctx.optr, revision=ctx.nptr,
                           ops=(name,), before=po, after=pn,
                           message=f"{name}: path template was {po} (parameter renamed)")
        compare_operation(engine, ctx)
    for po, method in sorted(removed, key=_order):
        lifecycle.operation_removed(engine, f"{method.upper()} {po}", old_ops[(po, method)][1],
                                    op_pointer(po, method), whole_path=path_key(po) not in new_keys)
    for pn, method in sorted(added, key=_order):
        name = f"{method.upper()} {pn}"
        engine.out.add("endpoint-added", subject=name, revision=op_pointer(pn, method),
                       ops=(name,), message=f"{name}: operation added")
    _webhooks(engine)


_METHOD_ORDER = {m: i for i, m in enumerate(METHODS)}


def _order(op: tuple[str, str]) -> tuple[str, str, int]:
    """Operations in document-independent order: by blanked template, template, method."""
    return path_key(op[0]), op[0], _METHOD_ORDER[op[1]]


def compare_operation(engine: Engine, ctx: OpCtx) -> None:
    """Everything about one operation present on both sides."""
    engine.policy_days[ctx.name] = lifecycle.days(engine, ctx.new_op)
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
        # A replaced id is oasdiff's api-operation-id-removed too; the message names both.
        rid = "api-operation-id-added" if a is None else "api-operation-id-removed"
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
        op_name = f"{label} {method.upper()}"
        if isinstance(oo, dict) and not isinstance(on, dict):
            rid, how = _hook_removed(engine, "callback-operation-removed", [oo],
                                     webhook=label.startswith("webhook "))
            engine.out.add(rid, subject=label, detail=method.upper(),
                           base=f"{optr}/{method}", ops=(op_name,),
                           message=f"{op_name}: operation removed (no longer sent){how}")
            continue
        if isinstance(on, dict) and not isinstance(oo, dict):
            engine.out.add("callback-operation-added", subject=label, detail=method.upper(),
                           revision=f"{nptr}/{method}", ops=(op_name,),
                           message=f"{op_name}: operation added (now sent)")
            continue
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
            item, _ = engine.deref("old", wo[name], ptr)
            rid, how = _hook_removed(engine, "webhook-removed", lifecycle.hook_operations(item))
            engine.out.add(rid, subject=label, base=ptr, ops=(label,),
                           message=f"{label}: webhook removed{how}")
        elif name not in wo:
            engine.out.add("webhook-added", subject=label, revision=ptr, ops=(label,),
                           message=f"{label}: webhook added")
        else:
            o, optr = engine.deref("old", wo[name], ptr)
            n, nptr = engine.deref("new", wn[name], ptr)
            if isinstance(o, dict) and isinstance(n, dict):
                _hook_ops(engine, str(name), o, n, optr, nptr, True, label)


def _callbacks(engine: Engine, ctx: OpCtx) -> None:
    co = ctx.old_op.get("callbacks") if isinstance(ctx.old_op.get("callbacks"), dict) else {}
    cn = ctx.new_op.get("callbacks") if isinstance(ctx.new_op.get("callbacks"), dict) else {}
    assert isinstance(co, dict) and isinstance(cn, dict)
    for name in sorted(set(co) | set(cn), key=str):
        optr, nptr = f"{ctx.optr}/callbacks/{escape(str(name))}", f"{ctx.nptr}/callbacks/{escape(str(name))}"
        label = f"{ctx.name} callback {name}"
        if name not in cn:
            cb, _ = engine.deref("old", co[name], optr)
            rid, how = _hook_removed(engine, "callback-removed", [
                op for expr, item in (cb.items() if isinstance(cb, dict) else ())
                if not str(expr).startswith("x-")
                for op in lifecycle.hook_operations(engine.deref("old", item, optr)[0])])
            engine.out.add(rid, subject=ctx.name, detail=f"callback {name}",
                           base=optr, ops=(ctx.name,), message=f"{label}: callback removed{how}")
            continue
        if name not in co:
            engine.out.add("callback-added", subject=ctx.name, detail=f"callback {name}",
                           revision=nptr, ops=(ctx.name,), message=f"{label}: callback added")
            continue
        o, optr = engine.deref("old", co[name], optr)
        n, nptr = engine.deref("new", cn[name], nptr)
        if not isinstance(o, dict) or not isinstance(n, dict):
            continue
        for expr in sorted(set(o) | set(n), key=str):
            if str(expr).startswith("x-"):
                continue  # an extension of the Callback object, not an expression
            eo, en = f"{optr}/{escape(str(expr))}", f"{nptr}/{escape(str(expr))}"
            if expr not in n:
                rid, how = _hook_removed(engine, "callback-expression-removed",
                                         lifecycle.hook_operations(engine.deref("old", o[expr], eo)[0]))
                engine.out.add(rid, subject=ctx.name,
                               detail=f"callback {name} {expr}", base=eo, ops=(ctx.name,),
                               message=f"{label} {expr}: callback URL expression removed{how}")
                continue
            if expr not in o:
                engine.out.add("callback-expression-added", subject=ctx.name,
                               detail=f"callback {name} {expr}", revision=en, ops=(ctx.name,),
                               message=f"{label} {expr}: callback URL expression added")
                continue
            # A callback's path item may itself be a `$ref` (OpenAPI 3.1 `components.pathItems`).
            # Pointers follow the `$ref`, so positions land on the path item itself.
            io, eo = engine.deref("old", o[expr], eo)
            inn, en = engine.deref("new", n[expr], en)
            if isinstance(io, dict) and isinstance(inn, dict):
                _hook_ops(engine, str(expr), io, inn, eo, en, not ctx.flipped, f"{label} {expr}")


def _hook_removed(engine: Engine, plain: str, ops: list[Any], *, webhook: bool = False
                  ) -> tuple[str, str]:
    """The rule id for a removed webhook/callback part, judged by its operations' deprecation
    like an operation's removal, and words to add to the message."""
    suffix, how = lifecycle.hook_removal(engine, ops)
    if not suffix:
        return plain, ""
    if suffix == "sunset-parse":
        return "api-path-sunset-parse", f"; {how}"
    family = "webhook-removed" if webhook or plain == "webhook-removed" else "callback-removed"
    return family + suffix, f" {how}"


def compare_components(engine: Engine) -> None:
    """Component schemas that disappeared (their uses report their own changes)."""
    def schemas(data: dict[str, Any]) -> dict[str, Any]:
        comp = data.get("components")
        s = comp.get("schemas") if isinstance(comp, dict) else None
        return s if isinstance(s, dict) else {}

    so, sn = schemas(engine.old), schemas(engine.new)
    gone = {name: so[name] for name in so if name not in sn}
    renamed = dict(match_renames(gone, {name: sn[name] for name in sn if name not in so}))
    for name, to in sorted(renamed.items(), key=lambda kv: str(kv[0])):
        subject = f"components.schemas.{name}"
        engine.out.add("api-schema-renamed", subject=subject,
                       base=f"/components/schemas/{escape(str(name))}",
                       revision=f"/components/schemas/{escape(str(to))}",
                       message=f"{subject}: component schema renamed to {to}",
                       before=str(name), after=str(to), key=str(to))
    for name in sorted(set(gone) - set(renamed), key=str):
        subject = f"components.schemas.{name}"
        engine.out.add("api-schema-removed", subject=subject,
                       base=f"/components/schemas/{escape(str(name))}",
                       message=f"{subject}: component schema removed")
