"""Deprecation, sunset and stability of operations — and removals judged by them.

Removing an operation that was never deprecated breaks clients; removing one deprecated with an
``x-sunset`` still in the future breaks them too; once the sunset has passed (``options.now``) the
removal is the announced end of its life and does not block.
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any

from .. import examples as ex
from ..oasdiff import OASDIFF_LEVELS
from ..registry import NONE, E, I, rule
from ..schemas import parse_date

if TYPE_CHECKING:
    from ..engine import Engine, OpCtx

_NM = "about operations as a whole, not one side of the exchange"
_DEP: dict[str, Any] = {"deprecated": True}
_FUT: dict[str, Any] = {"deprecated": True, "x-sunset": "9999-12-31"}
_PAST: dict[str, Any] = {"deprecated": True, "x-sunset": "2000-01-01"}


def _r(id: str, level: Any, area: str, doc: str, before: Any, after: Any, **kw: Any) -> None:
    kw.setdefault("no_mirror", _NM)
    rule(id, level, NONE, area, doc, before, after, **{"oasdiff": id in OASDIFF_LEVELS, **kw})


_TWO = ex.doc({"/items": {"get": {"responses": ex.ok()}, "post": {"responses": ex.ok()}}})
_ONE = ex.doc({"/items": {"get": {"responses": ex.ok()}}})


def _two(**post: Any) -> dict[str, Any]:
    return ex.doc({"/items": {"get": {"responses": ex.ok()}, "post": {"responses": ex.ok(), **post}}})


_r("api-path-removed-without-deprecation", E, "paths", "A path was removed without being "
   "deprecated first.", ex.op("get"), ex.doc())
_r("api-path-removed-with-deprecation", I, "paths", "A path whose operations were deprecated "
   "(without a sunset date) was removed.", ex.op("get", **_DEP), ex.doc())
_r("api-path-removed-before-sunset", E, "paths", "A deprecated path was removed before its "
   "`x-sunset` date.", ex.op("get", **_FUT), ex.doc())
_r("api-path-removed-after-sunset", I, "paths", "A deprecated path was removed after its "
   "`x-sunset` date: the announced end of its life.", ex.op("get", **_PAST), ex.doc(),
   oasdiff=False)
_r("api-path-sunset-parse", E, "paths", "The `x-sunset` of a deprecated operation being removed "
   "or changed is not an RFC 3339 date.", ex.op("get", deprecated=True, **{"x-sunset": "soon"}),
   ex.doc())
_r("api-removed-without-deprecation", E, "paths", "An operation was removed without being "
   "deprecated first.", _TWO, _ONE)
_r("api-removed-with-deprecation", I, "paths", "A deprecated operation (no sunset date) was "
   "removed.", _two(**_DEP), _ONE)
_r("api-removed-before-sunset", E, "paths", "A deprecated operation was removed before its "
   "`x-sunset` date.", _two(**_FUT), _ONE)
_r("api-removed-after-sunset", I, "paths", "A deprecated operation was removed after its "
   "`x-sunset` date.", _two(**_PAST), _ONE, oasdiff=False)
_r("endpoint-deprecated", I, "lifecycle", "An operation was deprecated (no sunset date).",
   ex.op("get"), ex.op("get", **_DEP))
_r("endpoint-deprecated-with-sunset", I, "lifecycle", "An operation was deprecated with an "
   "`x-sunset` date.", ex.op("get"), ex.op("get", **_FUT))
_r("endpoint-reactivated", I, "lifecycle", "A deprecated operation is no longer deprecated.",
   ex.op("get", **_DEP), ex.op("get"))
_r("api-deprecated-sunset-missing", E, "lifecycle", "An operation was deprecated without "
   "`x-sunset` while the deprecation policy (`deprecation_days_stable`/`_beta` > 0) requires one.",
   ex.op("get"), ex.op("get", **_DEP), options={"deprecation_days_stable": 30})
_r("api-deprecated-sunset-parse", E, "lifecycle", "An operation was deprecated with an "
   "`x-sunset` that is not an RFC 3339 date.", ex.op("get"),
   ex.op("get", deprecated=True, **{"x-sunset": "soon"}))
_r("api-sunset-date-too-small", E, "lifecycle", "An operation was deprecated with a sunset "
   "closer than the policy's minimum number of days.", ex.op("get"), ex.op("get", **_PAST),
   options={"deprecation_days_stable": 30})
_r("api-sunset-date-changed-too-small", E, "lifecycle", "The sunset of a deprecated operation "
   "moved earlier, to less than the policy's minimum days from today (with no policy: into the "
   "past).", ex.op("get", **_FUT), ex.op("get", **_PAST))
_r("sunset-deleted", E, "lifecycle", "The `x-sunset` of a deprecated operation was deleted: "
   "clients lose the date they planned against.", ex.op("get", **_FUT), ex.op("get", **_DEP))
_r("api-invalid-stability-level", E, "lifecycle", "`x-stability-level` is not one of draft, "
   "alpha, beta, stable.", ex.op("get"), ex.op("get", **{"x-stability-level": "experimental"}))
_r("api-stability-decreased", E, "lifecycle", "An operation's `x-stability-level` went down "
   "(stable → beta, beta → alpha…).", ex.op("get", **{"x-stability-level": "stable"}),
   ex.op("get", **{"x-stability-level": "beta"}))
_r("api-stability-increased", I, "lifecycle", "An operation's `x-stability-level` went up.",
   ex.op("get", **{"x-stability-level": "beta"}), ex.op("get", **{"x-stability-level": "stable"}))

_LEVELS = ("draft", "alpha", "beta", "stable")


def days(engine: Engine, op: dict[str, Any]) -> int:
    """The deprecation policy's minimum days for ``op``'s stability level (0: no policy)."""
    level = op.get("x-stability-level", "stable")
    if level in ("draft", "alpha"):
        return 0
    if level == "beta":
        return engine.options.deprecation_days_beta
    return engine.options.deprecation_days_stable


_WH_OP = {"requestBody": {"content": {"application/json": {"schema": {"type": "object"}}}},
          "responses": {"200": {"description": "OK"}}}


def _hooks(**op: Any) -> dict[str, Any]:
    return ex.doc(webhooks={"itemCreated": {"post": {**_WH_OP, **op}}, "itemDeleted": {"post": _WH_OP}})


_ONE_HOOK = ex.doc(webhooks={"itemDeleted": {"post": _WH_OP}})
_CBS = {"onEvent": {"{$request.body#/url}": {"post": {**_WH_OP, **_FUT}}}}
_r("webhook-removed-with-deprecation", I, "paths", "A webhook (or one of its operations) whose operations were all "
   "deprecated was removed after their `x-sunset` (or with none given): the announced end of "
   "its life, as for `api-removed-with-deprecation`.", _hooks(**_PAST), _ONE_HOOK, oasdiff=False)
_r("webhook-removed-before-sunset", E, "paths", "A deprecated webhook (or one of its operations) was removed before its "
   "`x-sunset` date: receivers planned on its calls until then.", _hooks(**_FUT), _ONE_HOOK,
   oasdiff=False)
_r("callback-removed-with-deprecation", I, "paths", "A callback (or one of its URL expressions or "
   "operations) whose operations were all deprecated was removed after their `x-sunset` (or "
   "with none given).", ex.op("post", callbacks={"onEvent": {"{$request.body#/url}": {
       "post": {**_WH_OP, **_PAST}}}}), ex.op("post"), oasdiff=False)
_r("callback-removed-before-sunset", E, "paths", "A deprecated callback (or one of its URL "
   "expressions or operations) was removed before its `x-sunset` date.",
   ex.op("post", callbacks=_CBS), ex.op("post"), oasdiff=False)


def hook_removal(engine: Engine, ops: list[Any]) -> tuple[str, str]:
    """How the removal of webhook/callback operations ``ops`` is judged by their deprecation:
    ``("", "")`` (not all deprecated: the plain removal rule), or ``(rule suffix, words)`` with
    suffix ``-with-deprecation``, ``-before-sunset``, or ``sunset-parse`` (a sunset that is not
    a date: ``api-path-sunset-parse``)."""
    ops = [op for op in ops if isinstance(op, dict)]
    if not ops or not all(op.get("deprecated") is True for op in ops):
        return "", ""
    dates = []
    for op in ops:
        sunset = op.get("x-sunset")
        if sunset is None:
            continue
        when = parse_date(sunset)
        if when is None:
            return "sunset-parse", f"its x-sunset {sunset!r} is not a date"
        dates.append(when)
    if dates and max(dates) > engine.options.today():
        return "-before-sunset", f"before its sunset {max(dates)}"
    return "-with-deprecation", ("after its sunset " + str(max(dates))) if dates else "(was deprecated)"


def hook_operations(item: Any) -> list[Any]:
    """The operations of a path item (a webhook, or one URL expression of a callback)."""
    from ..engine import METHODS

    return [item.get(m) for m in METHODS] if isinstance(item, dict) else []


def operation_removed(engine: Engine, name: str, op: dict[str, Any], ptr: str, *,
                      whole_path: bool) -> None:
    """An operation is gone: judge the removal by its deprecation and sunset."""
    prefix = "api-path-removed" if whole_path else "api-removed"
    if op.get("x-stability-level") in ("draft", "alpha"):
        engine.relaxed_ops.add(name)
    if op.get("deprecated") is not True:
        rid, what = f"{prefix}-without-deprecation", "removed without deprecation"
    else:
        sunset = op.get("x-sunset")
        when = parse_date(sunset)
        if sunset is None:
            rid, what = f"{prefix}-with-deprecation", "deprecated operation removed"
        elif when is None:
            rid, what = "api-path-sunset-parse", f"removed; its x-sunset {sunset!r} is not a date"
        elif when > engine.options.today():
            rid, what = f"{prefix}-before-sunset", f"removed before its sunset {when}"
        else:
            rid, what = f"{prefix}-after-sunset", f"removed after its sunset {when}"
    engine.out.add(rid, subject=name, base=ptr, ops=(name,), message=f"{name}: {what}")


def compare_operation(engine: Engine, ctx: OpCtx) -> None:
    """Deprecation, sunset and stability of an operation present on both sides."""
    o, n = ctx.old_op, ctx.new_op
    today = engine.options.today()

    def add(rid: str, msg: str, before: Any = None, after: Any = None) -> None:
        engine.out.add(rid, subject=ctx.name, base=ctx.optr, revision=ctx.nptr, ops=(ctx.name,),
                       message=f"{ctx.name}: {msg}", before=before, after=after)

    dep_o, dep_n = o.get("deprecated") is True, n.get("deprecated") is True
    so, sn = o.get("x-sunset"), n.get("x-sunset")
    grace = days(engine, n)
    if dep_n and not dep_o:
        if sn is None:
            if grace > 0:
                add("api-deprecated-sunset-missing", "deprecated without an x-sunset date")
            else:
                add("endpoint-deprecated", "deprecated")
        else:
            when = parse_date(sn)
            if when is None:
                add("api-deprecated-sunset-parse", f"deprecated with x-sunset {sn!r}, not a date")
            elif when < today + datetime.timedelta(days=grace):
                add("api-sunset-date-too-small", f"sunset {when} is less than {grace} days away",
                    after=str(when))
            else:
                add("endpoint-deprecated-with-sunset", f"deprecated, sunset {when}", after=str(when))
    elif dep_o and not dep_n:
        add("endpoint-reactivated", "no longer deprecated")
    elif dep_o and dep_n and so != sn:
        if sn is None:
            add("sunset-deleted", f"x-sunset {so} deleted", before=str(so))
        elif so is None:
            # A date given to an operation already deprecated: judged like one given with the
            # deprecation (only a bad or too early date is a finding).
            when = parse_date(sn)
            if when is None:
                add("api-deprecated-sunset-parse", f"x-sunset {sn!r} given, not a date",
                    after=str(sn))
            elif when < today + datetime.timedelta(days=grace):
                add("api-sunset-date-too-small", f"sunset {when} given, less than {grace} days "
                    "away", after=str(when))
        else:
            wo, wn = parse_date(so), parse_date(sn)
            if wo is None or wn is None:
                add("api-path-sunset-parse", f"x-sunset {so!r} → {sn!r}: not a date",
                    before=str(so), after=str(sn))
            elif wn < wo and wn < today + datetime.timedelta(days=grace):
                add("api-sunset-date-changed-too-small", f"sunset moved earlier, {wo} → {wn}",
                    before=str(wo), after=str(wn))
    lo, ln = o.get("x-stability-level"), n.get("x-stability-level")
    if lo != ln and ((lo is not None and lo not in _LEVELS) or (ln is not None and ln not in _LEVELS)):
        add("api-invalid-stability-level", f"x-stability-level {lo!r} → {ln!r}", lo, ln)
    elif lo != ln:
        ro, rn = _LEVELS.index(lo or "stable"), _LEVELS.index(ln or "stable")
        if rn < ro:
            add("api-stability-decreased", f"stability {lo or 'stable'} → {ln or 'stable'}", lo, ln)
        elif rn > ro:
            add("api-stability-increased", f"stability {lo or 'stable'} → {ln or 'stable'}", lo, ln)
