"""Responses: status codes, media types, headers and body schemas.

Removing a success status breaks clients that handle it; removing an error status only removes a
case they handle. In a webhook or callback the *client* (the receiver) answers and the server
reads the answer, so there the verdicts flip and the rules are the ``callback-response-*`` ones:
the documented responses are what the server accepts, and narrowing that breaks receivers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ...spec.refs import escape
from .. import examples as ex
from ..media import pair_renamed
from ..oasdiff import OASDIFF_LEVELS
from ..registry import REQ, RESP, E, I, W, rule
from .request_body import is_loose

if TYPE_CHECKING:
    from ..engine import Engine, OpCtx

_OBJ = {"type": "object"}


def _r(id: str, level: Any, doc: str, before: Any, after: Any, **kw: Any) -> None:
    kw.setdefault("no_mirror", "clients send no status codes or response headers; request bodies "
                  "have their own existence and media-type rules")
    rule(id, level, RESP, "responses", doc, before, after, **{"oasdiff": id in OASDIFF_LEVELS, **kw})


def _responses(codes: tuple[str, ...], media: tuple[str, ...], schema: bool,
               headers: dict[str, Any] | None) -> dict[str, Any]:
    """A Responses Object with one response per status code, for the rule examples."""
    responses: dict[str, Any] = {}
    for code in codes:
        resp: dict[str, Any] = {"description": "x"}
        if media:
            resp["content"] = {m: ({"schema": _OBJ} if schema else {}) for m in media}
        if headers:
            resp["headers"] = headers
        responses[code] = resp
    return responses


def _st(*codes: str, media: tuple[str, ...] = ("application/json",), schema: bool = True,
        headers: dict[str, Any] | None = None) -> dict[str, Any]:
    return ex.op("get", responses=_responses(codes, media, schema, headers))


_r("response-success-status-added", I, "A new success status code.", _st("200"), _st("200", "201"))
_r("response-success-status-removed", E, "A success status code was removed: clients that "
   "handle it lose their expected answer. A range replaced by codes inside it (`2XX` → `200`) "
   "or a code replaced by its range (`200` → `2XX`) is not a removal: the two responses are "
   "compared with each other.", _st("200", "201"), _st("200"))
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



# Inside webhooks and callbacks the receiver (the API's client) *sends* the response and the
# server reads it: the documented responses are what the server accepts. So the verdicts are the
# request side's: narrowing what the server accepts breaks receivers built on the old contract,
# widening it breaks no one.
def _cb(id: str, level: Any, doc: str, before: Any, after: Any, **kw: Any) -> None:
    rule(id, level, REQ, "responses", doc, before, after, oasdiff=False, **kw)


def _hook(*codes: str, media: tuple[str, ...] = ("application/json",), schema: bool = True,
          headers: dict[str, Any] | None = None) -> dict[str, Any]:
    """A document whose webhook ``itemCreated`` documents the receiver's answers ``codes``."""
    responses = _responses(codes, media, schema, headers)
    return ex.doc(webhooks={"itemCreated": {"post": {"responses": responses}}})


_cb("callback-response-success-status-removed", E, "A webhook/callback no longer documents a "
    "success status its receivers may answer with. The receiver sends the answer and the server "
    "reads it, so this narrows what the server accepts: a receiver built on the old contract that "
    "answers, say, 202 may now have its delivery counted as failed (retried, or the subscription "
    "disabled).", _hook("200", "202"), _hook("200"), mirror="response-success-status-removed")
_cb("callback-response-success-status-added", I, "A webhook/callback documents one more success "
    "status receivers may answer with. Receivers built on the old contract never send it; the "
    "answers they do send are still accepted.", _hook("200"), _hook("200", "202"),
    mirror="response-success-status-added")
_cb("callback-response-non-success-status-removed", W, "A webhook/callback no longer documents "
    "an error status its receivers may answer with. Any error answer still reads as a failed "
    "delivery, but a receiver that used the status for its documented meaning (410 Gone to "
    "unsubscribe, 429 to slow the sender down) loses that meaning; the document cannot tell "
    "whether the server still honours it.", _hook("200", "410"), _hook("200"),
    mirror="response-non-success-status-removed")
_cb("callback-response-non-success-status-added", I, "A webhook/callback documents one more error "
    "status receivers may answer with (410 Gone, say). Receivers built on the old contract never "
    "send it.", _hook("200"), _hook("200", "410"), mirror="response-non-success-status-added")
_cb("callback-response-media-type-removed", E, "A webhook/callback no longer accepts a media "
    "type for its receivers' answer: receivers built on the old contract may answer in it.",
    _hook("200", media=("application/json", "application/xml")), _hook("200"),
    mirror="response-media-type-removed")
_cb("callback-response-media-type-added", I, "A webhook/callback accepts one more media type for "
    "its receivers' answer; the ones receivers already send are still accepted.", _hook("200"),
    _hook("200", media=("application/json", "application/xml")), mirror="response-media-type-added")
_cb("callback-response-body-media-type-schema-added", E, "A schema was added to a media type of a "
    "webhook/callback answer that had none: the server accepted any answer body and now "
    "constrains it, so receivers' answers may no longer conform.", _hook("200", schema=False),
    _hook("200"), mirror="response-body-media-type-schema-added")
_cb("callback-response-body-media-type-schema-removed", I, "The schema of a media type of a "
    "webhook/callback answer was removed: the server accepts any answer body.", _hook("200"),
    _hook("200", schema=False), mirror="response-body-media-type-schema-removed")
_cb("callback-required-response-header-added", E, "A webhook/callback now requires a header in "
    "its receivers' answer: receivers built on the old contract do not send it (the flipped "
    "`new-required-request-parameter`).", _hook("200"),
    _hook("200", headers={"X-Ack": {**_H, "required": True}}),
    no_mirror="a header a server adds to its own response breaks no one, whatever its "
    "requiredness: response-header-added covers both")
_cb("callback-optional-response-header-added", I, "A webhook/callback now reads an optional "
    "header in its receivers' answer; receivers built on the old contract may omit it.",
    _hook("200"), _hook("200", headers={"X-Ack": _H}), mirror="response-header-added")
_cb("callback-response-header-removed", I, "A webhook/callback no longer documents a header of "
    "its receivers' answer. Receivers that still send it are unaffected: HTTP recipients ignore "
    "header fields they do not recognise (RFC 9110 §5.1), so unlike an unknown query parameter it "
    "cannot get the answer rejected.", _hook("200", headers={"X-Ack": {**_H, "required": True}}),
    _hook("200"), no_mirror="the response side splits by requiredness "
    "(required-/optional-response-header-removed); for a header the receiver sends, removal is "
    "harmless whatever its requiredness")
_cb("callback-response-header-became-required", E, "A webhook/callback now requires a header in "
    "its receivers' answer that was optional: receivers that omit it no longer conform.",
    _hook("200", headers={"X-Ack": _H}), _hook("200", headers={"X-Ack": {**_H, "required": True}}),
    mirror="response-header-became-required")
_cb("callback-response-header-became-optional", I, "A header of a webhook/callback answer "
    "became optional; receivers that send it still conform.",
    _hook("200", headers={"X-Ack": {**_H, "required": True}}), _hook("200", headers={"X-Ack": _H}),
    mirror="response-header-became-optional")


_RELATION = {"specialized": "more specific", "generalized": "more general",
             "changed": "other parameters"}
_r("response-media-type-name-specialized", I, "A response media type was replaced by a more "
   "specific one (`application/json` → `application/problem+json`, `application/*` → "
   "`application/json`): what clients receive still is what they asked for.", _st("200"),
   _st("200", media=("application/problem+json",)), mirror="request-body-media-type-name-specialized")
_r("response-media-type-name-generalized", E, "A response media type was replaced by a more "
   "general one (`application/problem+json` → `application/json`): clients that ask for or "
   "parse the specific type may get content it does not describe.",
   _st("200", media=("application/problem+json",)), _st("200"),
   mirror="request-body-media-type-name-generalized")
_r("response-media-type-name-changed", I, "A response media type kept its type, subtype and "
   "suffix but changed its parameters (`; charset=…`, `; version=…`).", _st("200"),
   _st("200", media=("application/json; charset=utf-8",)),
   mirror="request-body-media-type-name-changed")


def _success(code: str) -> bool:
    return code.startswith("2")


def _range_of(code: str) -> str | None:
    """The class digit of a range status code (``2XX`` → ``2``), else None."""
    return code[0] if len(code) == 3 and code[0] in "12345" and code[1:].upper() == "XX" else None


def _covers(wide: str, code: str) -> bool:
    """Whether the range status ``wide`` covers the specific status ``code``."""
    digit = _range_of(wide)
    return digit is not None and len(code) == 3 and code.isdigit() and code[0] == digit


def _replacements(old: list[str], new: list[str], flipped: bool
                  ) -> tuple[list[tuple[str, str]], set[str], set[str]]:
    """Status codes only in the base paired with codes only in the revision that answer for
    them: (pairs to compare, removed codes not to report, added codes not to report).

    A specific code replaced by a range covering it (``200`` → ``2XX``) is still documented: its
    response is compared with the range's, the range is reported as added (it promises more
    codes). A range replaced by codes inside it (``2XX`` → ``200``) narrows what readers get:
    a client handling 2XX handles a 200 the same, so nothing is removed or added — but in a
    webhook or callback the reader is the server, and no longer accepting the other codes of
    the range stays a removal.
    """
    pairs: list[tuple[str, str]] = []
    quiet_removed: set[str] = set()
    quiet_added: set[str] = set()
    for oc in old:
        if _range_of(oc) is not None:
            inside = [nc for nc in new if _covers(oc, nc)]
            if inside and not flipped:
                pairs.extend((oc, nc) for nc in inside)
                quiet_removed.add(oc)
                quiet_added.update(inside)
            continue
        wide = [nc for nc in new if _covers(nc, oc)]
        if wide:
            pairs.append((oc, wide[0]))
            quiet_removed.add(oc)
    return pairs, quiet_removed, quiet_added


def compare(engine: Engine, ctx: OpCtx) -> None:
    """The responses of one operation."""
    ro, optr = engine.deref("old", ctx.old_op.get("responses"), ctx.optr + "/responses")
    rn, nptr = engine.deref("new", ctx.new_op.get("responses"), ctx.nptr + "/responses")
    ro = ro if isinstance(ro, dict) else {}
    rn = rn if isinstance(rn, dict) else {}
    ops = (ctx.name,)
    # In a webhook or callback the receiver sends the response: `pre` names the flipped rules.
    pre = "callback-response" if ctx.flipped else "response"

    def add(rid: str, detail: str, msg: str, o: str | None, n: str | None, before: Any = None,
            after: Any = None, key: str = "") -> None:
        engine.out.add(rid, subject=ctx.name, detail=detail, base=o, revision=n, ops=ops,
                       message=f"{ctx.name}: {detail} {msg}", before=before, after=after, key=key)

    okeys = {str(c): c for c in ro}
    nkeys = {str(c): c for c in rn}
    pairs, quiet_removed, quiet_added = _replacements(
        [c for c in okeys if c not in nkeys], [c for c in nkeys if c not in okeys], ctx.flipped)
    for code in sorted(set(ro) | set(rn), key=str):
        code_s = str(code)
        if code_s.startswith("x-") or code_s in quiet_removed or code_s in quiet_added:
            continue  # an extension of the Responses object (data); a replaced status (below)
        detail = f"response {code_s}"
        op_ = f"{optr}/{escape(code_s)}"
        np_ = f"{nptr}/{escape(code_s)}"
        kind = "success" if _success(code_s) else "non-success"
        if code not in rn:
            add(f"{pre}-{kind}-status-removed", detail,
                "no longer accepted" if ctx.flipped else "removed", op_, None, before=code_s)
            continue
        if code not in ro:
            add(f"{pre}-{kind}-status-added", detail,
                "now accepted" if ctx.flipped else "added", None, np_, after=code_s)
            continue
        a, op_ = engine.deref("old", ro[code], op_)
        b, np_ = engine.deref("new", rn[code], np_)
        if not isinstance(a, dict) or not isinstance(b, dict):
            continue
        _content(engine, ctx, add, a, b, op_, np_, detail)
        _headers(engine, ctx, add, a, b, op_, np_, detail)
    for oc, nc in pairs:
        a, op_ = engine.deref("old", ro[okeys[oc]], f"{optr}/{escape(oc)}")
        b, np_ = engine.deref("new", rn[nkeys[nc]], f"{nptr}/{escape(nc)}")
        if isinstance(a, dict) and isinstance(b, dict):
            _content(engine, ctx, add, a, b, op_, np_, f"response {nc}")
            _headers(engine, ctx, add, a, b, op_, np_, f"response {nc}")


def _content(engine: Engine, ctx: OpCtx, add: Any, a: dict[str, Any], b: dict[str, Any],
             optr: str, nptr: str, detail: str) -> None:
    co = a.get("content") if isinstance(a.get("content"), dict) else {}
    cn = b.get("content") if isinstance(b.get("content"), dict) else {}
    assert isinstance(co, dict) and isinstance(cn, dict)
    pre = "callback-response" if ctx.flipped else "response"
    verb = "accepts" if ctx.flipped else "returns"
    # A media type replaced by a related one (json → problem+json) is one change. Inside
    # webhooks and callbacks the names stay a removal plus an addition (see docs/rules.md).
    renamed = [] if ctx.flipped else pair_renamed([m for m in co if m not in cn],
                                                  [m for m in cn if m not in co])
    old_names = {o for o, _, _ in renamed}
    new_names = {n for _, n, _ in renamed}
    for media in co:
        if media not in cn and media not in old_names:
            add(f"{pre}-media-type-removed", detail, f"no longer {verb} {media}",
                f"{optr}/content/{escape(media)}", None, before=media, key=media)
    for media in cn:
        if media not in co and media not in new_names:
            add(f"{pre}-media-type-added", detail, f"now {verb} {media}", None,
                f"{nptr}/content/{escape(media)}", after=media, key=media)
    for old, new, rel in renamed:
        add(f"response-media-type-name-{rel}", detail, f"returns {new} instead of {old} "
            f"({_RELATION[rel]})", f"{optr}/content/{escape(old)}",
            f"{nptr}/content/{escape(new)}", before=old, after=new, key=old)
    for om, media in [(m, m) for m in co if m in cn] + [(o, n) for o, n, _ in renamed]:
        if not isinstance(co[om], dict) or not isinstance(cn[media], dict):
            continue
        mo, mn = co[om], cn[media]
        mop, mnp = f"{optr}/content/{escape(om)}", f"{nptr}/content/{escape(media)}"
        d = f"{detail} {media}"
        if ("schema" in mo) != ("schema" in mn):
            add(f"{pre}-body-media-type-schema-added" if "schema" in mn
                else f"{pre}-body-media-type-schema-removed", d,
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
                req = x.get("required") is True
                rid = ("callback-response-header-removed" if ctx.flipped
                       else "required-response-header-removed" if req
                       else "optional-response-header-removed")
                add(rid, d, "removed", hop2, None)
            continue
        if not isinstance(x, dict):
            req = y.get("required") is True
            rid = (("callback-required-response-header-added" if req
                    else "callback-optional-response-header-added") if ctx.flipped
                   else "response-header-added")
            add(rid, d, "added (required)" if ctx.flipped and req else "added", None, hnp2)
            continue
        rq_o, rq_n = x.get("required") is True, y.get("required") is True
        if rq_o != rq_n:
            pre = "callback-response" if ctx.flipped else "response"
            add(f"{pre}-header-became-required" if rq_n else f"{pre}-header-became-optional",
                d, "became required" if rq_n else "became optional", hop2, hnp2, rq_o, rq_n)
        if "schema" in x and "schema" in y:
            # A header the receiver of a webhook/callback sends is judged like a request
            # parameter (request-parameter-*): narrowing what the server accepts breaks it.
            engine.schemas.compare(x["schema"], y["schema"], optr=f"{hop2}/schema",
                                   nptr=f"{hnp2}/schema", direction=ctx.response,
                                   family="parameter" if ctx.flipped else "header",
                                   ops=(ctx.name,), subject=ctx.name, detail=d)
