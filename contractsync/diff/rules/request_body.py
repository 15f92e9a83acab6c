"""Request bodies: existence, requiredness, media types, and their schemas.

Inside webhooks and callbacks the *server* sends the request body and the client receives it, so
there the verdicts flip and the rules are the ``callback-request-body-*`` ones.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ...spec.refs import escape
from .. import examples as ex
from ..media import pair_renamed
from ..oasdiff import OASDIFF_LEVELS
from ..registry import REQ, RESP, E, I, W, rule

if TYPE_CHECKING:
    from ..engine import Engine, OpCtx

_OBJ = {"type": "object"}
LOOSE_MEDIA = ("xml", "x-www-form-urlencoded", "form-data", "text/")


def is_loose(media: str) -> bool:
    """Media types where every scalar travels as text, so scalar type swaps are compatible."""
    return any(m in media for m in LOOSE_MEDIA)


def _r(id: str, level: Any, doc: str, before: Any, after: Any, **kw: Any) -> None:
    direction = RESP if id.startswith("callback-") else REQ
    kw.setdefault("no_mirror", "responses have their own status/media-type rules "
                  "(responses area); callback-request-body-* are the flipped side")
    rule(id, level, direction, "request-body", doc, before, after,
         **{"oasdiff": id in OASDIFF_LEVELS, **kw})


def _body(required: bool = True, media: str = "application/json", schema: Any = _OBJ,
          op: str = "post") -> dict[str, Any]:
    mt = {"schema": schema} if schema is not None else {}
    return ex.op(op, requestBody={"required": required, "content": {media: mt}})


_NONE = ex.op("post")
_r("request-body-added-required", E, "A required request body was added: clients built on the "
   "old contract send none.", _NONE, _body(True))
_r("request-body-added-optional", I, "An optional request body was added.", _NONE, _body(False))
_r("request-body-removed", E, "The request body was removed: clients still send one.",
   _body(False), _NONE)
_r("request-body-became-required", E, "The request body became required.", _body(False), _body(True))
_r("request-body-became-optional", I, "The request body became optional.", _body(True), _body(False))
_r("request-body-media-type-added", I, "The request body accepts one more media type.", _body(),
   ex.op("post", requestBody={"required": True, "content": {"application/json": {"schema": _OBJ},
                                                            "application/xml": {"schema": _OBJ}}}))
_r("request-body-media-type-removed", E, "The request body no longer accepts a media type clients "
   "may send.", ex.op("post", requestBody={"required": True, "content": {
       "application/json": {"schema": _OBJ}, "application/xml": {"schema": _OBJ}}}), _body())
_r("request-body-media-type-schema-added", E, "A schema was added to a request media type that "
   "had none (anything was accepted).", _body(schema=None), _body())
_r("request-body-media-type-schema-removed", I, "The schema of a request media type was removed "
   "(anything is accepted).", _body(), _body(schema=None))


def _named(*media: str) -> dict[str, Any]:
    return ex.op("post", requestBody={"required": True, "content": {
        m: {"schema": _OBJ} for m in media}})


_r("request-body-media-type-name-specialized", E, "The request body's media type was replaced "
   "by a more specific one (`application/json` → `application/merge-patch+json`): clients send "
   "the general type, which the server no longer says it accepts.", _named("application/json"),
   _named("application/merge-patch+json"), oasdiff=False,
   mirror="response-media-type-name-specialized")
_r("request-body-media-type-name-generalized", I, "The request body's media type was replaced by "
   "a more general one (`application/vnd.api+json` → `application/json`): what clients send "
   "still falls under it.", _named("application/vnd.api+json"), _named("application/json"),
   oasdiff=False, mirror="response-media-type-name-generalized")
_r("request-body-media-type-name-changed", W, "The request body's media type kept its type, "
   "subtype and suffix but changed its parameters (`; version=1` → `; version=2`). Clients "
   "send the old parameters; whether the server matches on them the document cannot tell.",
   _named("application/json; version=1"), _named("application/json; version=2"), oasdiff=False,
   mirror="response-media-type-name-changed")


def _hook(required: bool = True, media: str = "application/json", extra: bool = False,
          schema: bool = True) -> dict[str, Any]:
    content: dict[str, Any] = {media: {"schema": _OBJ} if schema else {}}
    if extra:
        content["application/xml"] = {"schema": _OBJ}
    body = {"requestBody": {"required": required, "content": content},
            "responses": {"200": {"description": "OK"}}}
    return ex.doc(webhooks={"itemCreated": {"post": body}})


_HOOK_NONE = ex.doc(webhooks={"itemCreated": {"post": {"responses": {"200": {"description": "OK"}}}}})
_r("callback-request-body-added", I, "A webhook/callback now sends a body it did not send before.",
   _HOOK_NONE, _hook())
_r("callback-request-body-removed", E, "A webhook/callback no longer sends the body receivers "
   "read.", _hook(), _HOOK_NONE)
_r("callback-request-body-became-optional", E, "A webhook/callback may now omit the body "
   "receivers read.", _hook(True), _hook(False))
_r("callback-request-body-became-required", I, "A webhook/callback now always sends its body.",
   _hook(False), _hook(True))
_r("callback-request-body-media-type-added", E, "A webhook/callback may now send a media type "
   "receivers built on the old contract do not accept.", _hook(), _hook(extra=True))
_r("callback-request-body-media-type-removed", I, "A webhook/callback no longer sends one of its "
   "media types; receivers accept the remaining ones already.", _hook(extra=True), _hook())

_r("callback-request-body-media-type-schema-added", I, "A schema was added to a media type of a "
   "webhook/callback body that had none: receivers now know what they get; what the server sent "
   "before was already unconstrained.", _hook(schema=False), _hook(),
   mirror="request-body-media-type-schema-added")
_r("callback-request-body-media-type-schema-removed", W, "The schema of a media type of a "
   "webhook/callback body was removed: the server may send anything, and receivers built on the "
   "old contract read it by the old schema (the flipped `response-body-media-type-schema-removed`).",
   _hook(), _hook(schema=False), mirror="request-body-media-type-schema-removed")

def compare(engine: Engine, ctx: OpCtx) -> None:
    """The request body of one operation."""
    bo, optr = engine.deref("old", ctx.old_op.get("requestBody"), ctx.optr + "/requestBody")
    bn, nptr = engine.deref("new", ctx.new_op.get("requestBody"), ctx.nptr + "/requestBody")
    if not isinstance(bo, dict) and not isinstance(bn, dict):
        return
    pre = "callback-request-body" if ctx.flipped else "request-body"
    ops = (ctx.name,)

    def add(rid: str, msg: str, detail: str = "request body", before: Any = None,
            after: Any = None, o: str | None = optr, n: str | None = nptr) -> None:
        engine.out.add(rid, subject=ctx.name, detail=detail, base=o, revision=n, ops=ops,
                       message=f"{ctx.name}: {detail} {msg}", before=before, after=after,
                       key=str(after or before or ""))

    if not isinstance(bo, dict):
        assert isinstance(bn, dict)
        req = bn.get("required") is True
        if ctx.flipped:
            add(f"{pre}-added", "added", o=None)
        else:
            add("request-body-added-required" if req else "request-body-added-optional",
                "added" + (" (required)" if req else " (optional)"), o=None)
        return
    if not isinstance(bn, dict):
        add(f"{pre}-removed", "removed", n=None)
        return
    ro, rn = bo.get("required") is True, bn.get("required") is True
    if ro != rn:
        add(f"{pre}-became-required" if rn else f"{pre}-became-optional",
            "became required" if rn else "became optional", before=ro, after=rn)
    co = bo.get("content") if isinstance(bo.get("content"), dict) else {}
    cn = bn.get("content") if isinstance(bn.get("content"), dict) else {}
    assert isinstance(co, dict) and isinstance(cn, dict)
    # A media type replaced by a related one is one change (see contractsync.diff.media); in
    # webhooks and callbacks the names stay a removal plus an addition.
    renamed = [] if ctx.flipped else pair_renamed([m for m in co if m not in cn],
                                                  [m for m in cn if m not in co])
    old_names = {o for o, _, _ in renamed}
    new_names = {n for _, n, _ in renamed}
    for media in co:
        if media not in cn and media not in old_names:
            add(f"{pre}-media-type-removed", f"no longer accepts {media}", before=media,
                o=f"{optr}/content/{escape(media)}", n=None)
    for media in cn:
        if media not in co and media not in new_names:
            add(f"{pre}-media-type-added", f"now accepts {media}", after=media, o=None,
                n=f"{nptr}/content/{escape(media)}")
    for old, new, rel in renamed:
        add(f"request-body-media-type-name-{rel}", f"accepts {new} instead of {old}", before=old,
            after=new, o=f"{optr}/content/{escape(old)}", n=f"{nptr}/content/{escape(new)}")
    for om, media in [(m, m) for m in co if m in cn] + [(o, n) for o, n, _ in renamed]:
        mo, mn = co[om], cn[media]
        if not isinstance(mo, dict) or not isinstance(mn, dict):
            continue
        mop, mnp = f"{optr}/content/{escape(om)}", f"{nptr}/content/{escape(media)}"
        detail = f"request body {media}"
        if ("schema" in mo) != ("schema" in mn):
            add(f"{pre}-media-type-schema-added" if "schema" in mn
                else f"{pre}-media-type-schema-removed",
                "schema added" if "schema" in mn else "schema removed", detail=detail,
                o=mop, n=mnp)
            continue
        if "schema" in mo:
            engine.schemas.compare(mo["schema"], mn["schema"], optr=mop + "/schema",
                                   nptr=mnp + "/schema", direction=ctx.request, family="body",
                                   ops=ops, subject=ctx.name, detail=detail, loose=is_loose(media))
