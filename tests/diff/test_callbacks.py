"""Webhooks and callbacks are judged with inverted polarity: the server sends the request and the
client (the receiver) answers. So the receiver's answer — status, media type, headers, body — is
what the client *sends*, and narrowing what the server accepts breaks receivers; operations and
callback URL expressions going away stop deliveries."""

from __future__ import annotations

import copy
import datetime
from collections.abc import Callable
from typing import Any

import pytest

from contractsync.diff import DiffOptions, Level, diff
from contractsync.diff import examples as ex

NOW = DiffOptions(now=datetime.date(2026, 1, 1))
CB = "{$request.body#/url}"
CB_OP = f"POST /items callback onDone {CB} POST"
WH_OP = "webhook itemCreated POST"

Json = dict[str, Any]


def _in_callback(path_item: Json) -> Json:
    return ex.op("post", callbacks={"onDone": {CB: path_item}})


def _in_webhook(path_item: Json) -> Json:
    return ex.doc(webhooks={"itemCreated": path_item})


def _answer(*codes: str, media: tuple[str, ...] = ("application/json",), schema: Any = None,
            headers: Json | None = None) -> Json:
    """A path item whose POST documents the receiver's answers ``codes``."""
    responses: Json = {}
    for code in codes:
        resp: Json = {"description": "x"}
        if media:
            resp["content"] = {m: ({"schema": schema} if schema is not None else {})
                               for m in media}
        if headers is not None:
            resp["headers"] = copy.deepcopy(headers)
        responses[code] = resp
    return {"post": {"responses": responses}}


def found(old: Json, new: Json) -> list[tuple[str, Level, tuple[str, ...]]]:
    return [(c.id, c.level, c.operations) for c in diff(old, new, options=NOW)]


_OBJ = {"type": "object"}
_H = {"schema": {"type": "string"}}
_REQ_H = {"X-Ack": {**_H, "required": True}}
_OPT_H = {"X-Ack": _H}
_BOTH = ("application/json", "application/xml")

# (old answer, new answer, rule, level): each is checked inside a webhook and a callback.
ANSWER_CASES = [
    (_answer("200", "202"), _answer("200"), "callback-response-success-status-removed",
     Level.BREAKING),
    (_answer("200"), _answer("200", "202"), "callback-response-success-status-added", Level.INFO),
    (_answer("200", "410"), _answer("200"), "callback-response-non-success-status-removed",
     Level.WARNING),
    (_answer("200", "default"), _answer("200"), "callback-response-non-success-status-removed",
     Level.WARNING),
    (_answer("200"), _answer("200", "410"), "callback-response-non-success-status-added",
     Level.INFO),
    (_answer("200", media=_BOTH), _answer("200"), "callback-response-media-type-removed",
     Level.BREAKING),
    (_answer("200"), _answer("200", media=_BOTH), "callback-response-media-type-added", Level.INFO),
    (_answer("200"), _answer("200", schema=_OBJ),
     "callback-response-body-media-type-schema-added", Level.BREAKING),
    (_answer("200", schema=_OBJ), _answer("200"),
     "callback-response-body-media-type-schema-removed", Level.INFO),
    (_answer("200"), _answer("200", headers=_REQ_H), "callback-required-response-header-added",
     Level.BREAKING),
    (_answer("200"), _answer("200", headers=_OPT_H), "callback-optional-response-header-added",
     Level.INFO),
    (_answer("200", headers=_REQ_H), _answer("200"), "callback-response-header-removed",
     Level.INFO),
    (_answer("200", headers=_OPT_H), _answer("200"), "callback-response-header-removed",
     Level.INFO),
    (_answer("200", headers=_OPT_H), _answer("200", headers=_REQ_H),
     "callback-response-header-became-required", Level.BREAKING),
    (_answer("200", headers=_REQ_H), _answer("200", headers=_OPT_H),
     "callback-response-header-became-optional", Level.INFO),
]
WRAPS: list[tuple[Callable[[Json], Json], str]] = [(_in_callback, CB_OP), (_in_webhook, WH_OP)]


@pytest.mark.parametrize(("wrap", "op"), WRAPS, ids=["callback", "webhook"])
@pytest.mark.parametrize(("old", "new", "rule", "level"), ANSWER_CASES,
                         ids=[f"{c[2]}-{i}" for i, c in enumerate(ANSWER_CASES)])
def test_receiver_answer_changes_are_judged_flipped(wrap: Callable[[Json], Json], op: str,
                                                    old: Json, new: Json, rule: str,
                                                    level: Level) -> None:
    assert found(wrap(old), wrap(new)) == [(rule, level, (op,))]
    assert found(wrap(old), wrap(copy.deepcopy(old))) == []
    assert found(wrap(new), wrap(copy.deepcopy(new))) == []


def test_the_same_answer_changes_in_a_plain_operation_keep_response_rules() -> None:
    # Outside webhooks and callbacks the server answers: the ordinary response-* rules apply.
    def plain(item: Json) -> Json:
        return ex.doc({"/items": item})

    for old, new, rule, _ in ANSWER_CASES:
        ids = [c.id for c in diff(plain(old), plain(new), options=NOW)]
        assert len(ids) == 1 and not ids[0].startswith("callback-"), (rule, ids)


def test_callback_response_header_schema_is_judged_as_a_parameter_the_receiver_sends() -> None:
    def hdr(schema: Json) -> Json:
        return _in_callback(_answer("200", media=(), headers={"X-Ack": {"schema": schema}}))

    narrowed = found(hdr({"type": "string", "enum": ["a", "b"]}), hdr({"type": "string",
                                                                       "enum": ["a"]}))
    assert narrowed == [("request-parameter-enum-value-removed", Level.BREAKING, (CB_OP,))]
    widened = found(hdr({"type": "string", "enum": ["a"]}), hdr({"type": "string",
                                                                 "enum": ["a", "b"]}))
    assert widened == [("request-parameter-enum-value-added", Level.INFO, (CB_OP,))]


def test_callback_response_body_narrowing_breaks_the_receiver() -> None:
    def body(schema: Json) -> Json:
        return _in_webhook(_answer("200", schema=schema))

    old = body(ex.obj({"type": "string", "enum": ["a", "b"]}))
    new = body(ex.obj({"type": "string", "enum": ["a"]}))
    assert [(i, lv) for i, lv, _ in found(old, new)] == [
        ("request-property-enum-value-removed", Level.BREAKING)]


# --- operations inside webhook and callback path items --------------------------------------

_POST = _answer("200")["post"]


@pytest.mark.parametrize(("wrap", "subject"), [(_in_callback, f"POST /items callback onDone {CB}"),
                                               (_in_webhook, "webhook itemCreated")],
                         ids=["callback", "webhook"])
def test_operations_of_a_hook_path_item_added_and_removed(wrap: Callable[[Json], Json],
                                                          subject: str) -> None:
    one, two = wrap({"post": _POST}), wrap({"post": _POST, "delete": _POST})
    removed = diff(two, one, options=NOW)
    assert [(c.id, c.level, c.location.subject, c.location.detail, c.operations)
            for c in removed] == [("callback-operation-removed", Level.BREAKING, subject, "DELETE",
                                   (f"{subject} DELETE",))]
    assert removed[0].location.base is not None and removed[0].location.base.endswith("/delete")
    assert found(one, two) == [("callback-operation-added", Level.WARNING,
                                (f"{subject} DELETE",))]


def test_operation_removed_from_a_callback_path_item_behind_a_ref() -> None:
    def doc(item: Json) -> Json:
        out = ex.op("post", callbacks={"onDone": {CB: {"$ref": "#/components/pathItems/Done"}}})
        out["components"] = {"pathItems": {"Done": item}}
        return out

    old, new = doc({"post": _POST, "put": _POST}), doc({"post": _POST})
    assert found(old, new) == [("callback-operation-removed", Level.BREAKING,
                                (f"POST /items callback onDone {CB} PUT",))]
    # The location points into the referenced path item, where the operation really was.
    assert diff(old, new, options=NOW)[0].location.base == "/components/pathItems/Done/put"


def test_callback_expressions_added_removed_and_renamed() -> None:
    def doc(*exprs: str, ext: bool = False) -> Json:
        cb: Json = {e: {"post": _POST} for e in exprs}
        if ext:
            cb["x-retry"] = {"max": 3}
        return ex.op("post", callbacks={"onDone": cb})

    status = "{$request.body#/statusUrl}"
    assert found(doc(CB, status), doc(CB)) == [
        ("callback-expression-removed", Level.BREAKING, ("POST /items",))]
    assert found(doc(CB), doc(CB, status)) == [
        ("callback-expression-added", Level.INFO, ("POST /items",))]
    renamed = diff(doc(CB), doc(status), options=NOW)
    assert [(c.id, c.location.detail) for c in renamed] == [
        ("callback-expression-removed", f"callback onDone {CB}"),
        ("callback-expression-added", f"callback onDone {status}")]
    # An extension of the Callback object is no expression, on either side.
    assert found(doc(CB), doc(CB, ext=True)) == []
    assert found(doc(CB, ext=True), doc(CB)) == []


def test_whole_callback_removed_is_one_change_not_one_per_expression() -> None:
    old = _in_callback({"post": _POST, "put": _POST})
    assert [c.id for c in diff(old, ex.op("post"), options=NOW)] == ["callback-removed"]


def test_a_callback_inside_a_callback_flips_back() -> None:
    # The nested callback is sent by the receiver of the outer one (the API's client) to the
    # server: ordinary polarity, so a removed success answer is the server's response-* rule.
    def doc(*codes: str) -> Json:
        inner = {"post": {"responses": {c: {"description": "x"} for c in codes}}}
        outer = {"post": {**_POST, "callbacks": {"onAck": {"{$request.body#/ack}": inner}}}}
        return _in_callback(outer)

    assert [c.id for c in diff(doc("200", "201"), doc("200"), options=NOW)] == [
        "response-success-status-removed"]


def test_hook_documents_with_every_kind_of_change_are_silent_on_themselves() -> None:
    rich = {"post": {**_answer("200", "410", media=_BOTH, schema=_OBJ, headers=_REQ_H)["post"],
                     "parameters": [{"name": "sig", "in": "header", "required": True,
                                     "schema": {"type": "string"}}]},
            "put": _POST}
    for doc in (_in_callback(rich), _in_webhook(rich)):
        assert found(doc, copy.deepcopy(doc)) == []
        assert found(doc, doc) == []


@pytest.mark.parametrize(("wrap", "op"), WRAPS, ids=["callback", "webhook"])
def test_schema_of_a_hook_request_body_added_and_removed(wrap: Callable[[Json], Json],
                                                         op: str) -> None:
    # The server sends this body: losing its schema leaves receivers guessing (warning);
    # gaining one only tells them more (info). Plain operations keep the request-body rules.
    def body(schema: bool) -> Json:
        media = {"schema": _OBJ} if schema else {}
        return {"post": {**_POST, "requestBody": {"content": {"application/json": media}}}}

    assert found(wrap(body(True)), wrap(body(False))) == [
        ("callback-request-body-media-type-schema-removed", Level.WARNING, (op,))]
    assert found(wrap(body(False)), wrap(body(True))) == [
        ("callback-request-body-media-type-schema-added", Level.INFO, (op,))]
    plain = [c.id for c in diff(ex.doc({"/items": body(True)}), ex.doc({"/items": body(False)}),
                                options=NOW)]
    assert plain == ["request-body-media-type-schema-removed"]
