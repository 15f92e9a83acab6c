"""Responses: status codes, media types, headers and body schemas.

Removing a success status breaks clients that handle it; removing an error status only removes a
case they handle. In a webhook or callback the *client* answers, so response schemas there are
judged as requests.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ...spec.refs import escape
from .. import examples as ex
from ..oasdiff import OASDIFF_LEVELS
from ..registry import RESP, E, I, W, rule
from .request_body import is_loose

if TYPE_CHECKING:
    from ..engine import Engine, OpCtx

_OBJ = {"type": "object"}


def _r(id: str, level: Any, doc: str, before: Any, after: Any, **kw: Any) -> None:
    kw.setdefault("no_mirror", "clients send no status codes or response headers; request bodies "
                  "have their own existence and media-type rules")
    rule(id, level, RESP, "responses", doc, before, after, **{"oasdiff": id in OASDIFF_LEVELS, **kw})


def _st(*codes: str, media: tuple[str, ...] = ("application/json",), schema: bool = True,
        headers: dict[str, Any] | None = None) -> dict[str, Any]:
    responses: dict[str, Any] = {}
    for code in codes:
        resp: dict[str, Any] = {"description": "x"}
        if media:
            resp["content"] = {m: ({"schema": _OBJ} if schema else {}) for m in media}
        if headers:
            resp["headers"] = headers
        responses[code] = resp
    return ex.op("get", responses=responses)


_r("response-success-status-added", I, "A new success status code.", _st("200"), _st("200", "201"))
_r("response-success-status-removed", E, "A success status code was removed: clients that "
   "handle it lose their expected answer.", _st("200", "201"), _st("200"))
_r("response-non-success-status-added", I, "A new error status code. Clients treat unknown "
   "errors generically.", _st("200"), _st("200", "404"))
_r("response-non-success-status-removed", I, "An error status code was removed.",
   _st("200", "404"), _st("200"))
_r("response-media-type-added", I, "A response is available in one more media type.", _st("200"),
   _st("200", media=("application/json", "application/xml")))
_r("response-media-type-removed", E, "A response media type was removed: clients that ask for "
   "it (Accept) get nothing usable.", _st("200", media=("application/json", "application/xml")),
   _st("200"))
_r("response-body-media-type-schema-added", I, "A schema was added to a response media type that "
   "had none.", _st("200", schema=False), _st("200"))
_r("response-body-media-type-schema-removed", W, "The schema of a response media type was "
   "removed: anything may come back.", _st("200"), _st("200", schema=False))
_H = {"schema": {"type": "string"}}
_r("response-header-added", I, "A response header was added.", _st("200"),
   _st("200", headers={"X-Rate": _H}))
_r("required-response-header-removed", E, "A required response header was removed: clients "
   "read it.", _st("200", headers={"X-Rate": {**_H, "required": True}}), _st("200"))
_r("optional-response-header-removed", W, "An optional response header was removed.",
   _st("200", headers={"X-Rate": _H}), _st("200"))
_r("response-header-became-optional", E, "A response header is no longer always sent.",
   _st("200", headers={"X-Rate": {**_H, "required": True}}), _st("200", headers={"X-Rate": _H}))
_r("response-header-became-required", I, "A response header is now always sent.",
   _st("200", headers={"X-Rate": _H}), _st("200", headers={"X-Rate": {**_H, "required": True}}),
   oasdiff=False)


def _success(code: str) -> bool:
    return code.startswith("2")


def compare(engine: Engine, ctx: OpCtx) -> None:
    """The responses of one operation."""
    ro, optr = engine.deref("old", ctx.old_op.get("responses"), ctx.optr + "/responses")
    rn, nptr = engine.deref("new", ctx.new_op.get("responses"), ctx.nptr + "/responses")
    ro = ro if isinstance(ro, dict) else {}
    rn = rn if isinstance(rn, dict) else {}
    ops = (ctx.name,)

    def add(rid: str, detail: str, msg: str, o: str | None, n: str | None, before: Any = None,
            after: Any = None, key: str = "") -> None:
        engine.out.add(rid, subject=ctx.name, detail=detail, base=o, revision=n, ops=ops,
                       message=f"{ctx.name}: {detail} {msg}", before=before, after=after, key=key)

    for code in sorted(set(ro) | set(rn), key=str):
        code_s = str(code)
        if code_s.startswith("x-"):
            continue  # an extension of the Responses object: data, not a response
        detail = f"response {code_s}"
        op_ = f"{optr}/{escape(code_s)}"
        np_ = f"{nptr}/{escape(code_s)}"
        if code not in rn:
            if not ctx.flipped:
                rid = ("response-success-status-removed" if _success(code_s)
                       else "response-non-success-status-removed")
                add(rid, detail, "removed", op_, None, before=code_s)
            continue
        if code not in ro:
            if not ctx.flipped:
                rid = ("response-success-status-added" if _success(code_s)
                       else "response-non-success-status-added")
                add(rid, detail, "added", None, np_, after=code_s)
            continue
        a, op_ = engine.deref("old", ro[code], op_)
        b, np_ = engine.deref("new", rn[code], np_)
        if not isinstance(a, dict) or not isinstance(b, dict):
            continue
        _content(engine, ctx, add, a, b, op_, np_, detail)
        if not ctx.flipped:
            _headers(engine, ctx, add, a, b, op_, np_, detail)


def _content(engine: Engine, ctx: OpCtx, add: Any, a: dict[str, Any], b: dict[str, Any],
             optr: str, nptr: str, detail: str) -> None:
    co = a.get("content") if isinstance(a.get("content"), dict) else {}
    cn = b.get("content") if isinstance(b.get("content"), dict) else {}
    assert isinstance(co, dict) and isinstance(cn, dict)
    if not ctx.flipped:
        for media in co:
            if media not in cn:
                add("response-media-type-removed", detail, f"no longer returns {media}",
                    f"{optr}/content/{escape(media)}", None, before=media, key=media)
        for media in cn:
            if media not in co:
                add("response-media-type-added", detail, f"now returns {media}", None,
                    f"{nptr}/content/{escape(media)}", after=media, key=media)
    for media in co:
        if media not in cn or not isinstance(co[media], dict) or not isinstance(cn[media], dict):
            continue
        mo, mn = co[media], cn[media]
        mop, mnp = f"{optr}/content/{escape(media)}", f"{nptr}/content/{escape(media)}"
        d = f"{detail} {media}"
        if ("schema" in mo) != ("schema" in mn):
            if not ctx.flipped:
                add("response-body-media-type-schema-added" if "schema" in mn
                    else "response-body-media-type-schema-removed", d,
                    "schema added" if "schema" in mn else "schema removed", mop, mnp)
            continue
        if "schema" in mo:
            engine.schemas.compare(mo["schema"], mn["schema"], optr=mop + "/schema",
                                   nptr=mnp + "/schema", direction=ctx.response, family="body",
                                   ops=(ctx.name,), subject=ctx.name, detail=d,
                                   loose=is_loose(media))


def _headers(engine: Engine, ctx: OpCtx, add: Any, a: dict[str, Any], b: dict[str, Any],
             optr: str, nptr: str, detail: str) -> None:
    ho = a.get("headers") if isinstance(a.get("headers"), dict) else {}
    hn = b.get("headers") if isinstance(b.get("headers"), dict) else {}
    assert isinstance(ho, dict) and isinstance(hn, dict)
    lo = {str(k).lower(): k for k in ho}
    ln = {str(k).lower(): k for k in hn}
    for low in sorted(set(lo) | set(ln)):
        ko, kn = lo.get(low), ln.get(low)
        hop = f"{optr}/headers/{escape(str(ko))}" if ko is not None else None
        hnp = f"{nptr}/headers/{escape(str(kn))}" if kn is not None else None
        d = f"{detail} header {kn or ko}"
        x, hop2 = engine.deref("old", ho[ko], hop or "") if ko is not None else (None, None)
        y, hnp2 = engine.deref("new", hn[kn], hnp or "") if kn is not None else (None, None)
        if not isinstance(y, dict):
            if isinstance(x, dict):
                rid = ("required-response-header-removed" if x.get("required") is True
                       else "optional-response-header-removed")
                add(rid, d, "removed", hop2, None)
            continue
        if not isinstance(x, dict):
            add("response-header-added", d, "added", None, hnp2)
            continue
        rq_o, rq_n = x.get("required") is True, y.get("required") is True
        if rq_o != rq_n:
            add("response-header-became-required" if rq_n else "response-header-became-optional",
                d, "became required" if rq_n else "became optional", hop2, hnp2, rq_o, rq_n)
        if "schema" in x and "schema" in y:
            engine.schemas.compare(x["schema"], y["schema"], optr=f"{hop2}/schema",
                                   nptr=f"{hnp2}/schema", direction=ctx.response, family="header",
                                   ops=(ctx.name,), subject=ctx.name, detail=d)
