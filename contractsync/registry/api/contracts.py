"""``/v1/contracts``: contracts, labels, versions and their immutable files, diffs."""

from __future__ import annotations

from typing import Annotated, Any, Literal

import orjson
from fastapi import APIRouter, Depends, Query, Request
from fastapi.concurrency import run_in_threadpool
from starlette.responses import Response

from ... import __version__
from ...typescript.options import TypeScriptOptions, options_digest
from ..auth import Principal
from ..diffs import MEDIA_TYPES
from ..problems import Problem
from ..service import Registry
from ..shapes import label_json, version_json
from ..store.protocol import PreconditionFailed
from .deps import check_name, contract_name, label_name, publish_scope, read_scope, registry
from .models import (
    ContractDetail,
    ContractList,
    DiffJSON,
    LabelHistory,
    LabelPointer,
    MoveLabel,
    VersionObject,
)

router = APIRouter(prefix="/v1/contracts", tags=["contracts"])

IMMUTABLE = "public, max-age=31536000, immutable"
#: A diff is stored once per pair, format and engine version: the same URL answers with other
#: bytes (another ETag) after an upgrade of contractsync, so caches keep it a day, then revalidate.
DERIVED = "public, max-age=86400"
Reg = Annotated[Registry, Depends(registry)]
Contract = Annotated[str, Depends(contract_name)]
Label = Annotated[str, Depends(label_name)]
Reader = Annotated[Principal, Depends(read_scope)]


def json_response(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(orjson.dumps(data), status_code=status, media_type="application/json", headers=headers)


def etag_matches(request: Request, etag: str) -> bool:
    header = request.headers.get("if-none-match")
    if not header:
        return False
    if header.strip() == "*":
        return True
    candidates = {part.strip().removeprefix("W/") for part in header.split(",")}
    return etag in candidates


def _exists(reg: Registry, contract: str) -> None:
    if contract not in reg.store.contract_names():
        raise Problem(404, f"no contract {contract!r}", causes=[{"contract": contract}], kind="not-found")


@router.get("", response_model=ContractList, summary="List contracts")
def list_contracts(reg: Reg, _: Reader) -> Response:
    out = []
    for name in reg.store.contract_names():
        labels = reg.store.labels(name)
        versions = reg.store.versions(name)
        out.append({"name": name, "labels": {lbl.label: lbl.number for lbl in labels},
                    "latest": versions[-1].number if versions else None})
    return json_response({"contracts": out}, headers={"Cache-Control": "no-cache"})


@router.get("/{c}", response_model=ContractDetail, summary="A contract: its labels and versions")
def get_contract(c: Contract, reg: Reg, _: Reader) -> Response:
    _exists(reg, c)
    return json_response({"name": c, "labels": [label_json(x) for x in reg.store.labels(c)],
                          "versions": [version_json(v) for v in reg.store.versions(c)]},
                         headers={"Cache-Control": "no-cache"})


@router.get("/{c}/labels/{label}", response_model=LabelPointer, summary="Where a label points",
            responses={304: {"description": "If-None-Match matched the label's digest"}})
async def get_label(c: str, label: str, request: Request) -> Response:
    # The endpoint every pull and watch polls: async, checks inline instead of through dependency
    # resolution, no thread hop on SQLite (the same checks as the Depends() of the other routes).
    check_name(c, "contract name", "c")
    check_name(label, "label name", "label")
    await read_scope(request)
    reg: Registry = request.app.state.registry
    # SQLite answers from the local file in microseconds; a network database waits in a thread.
    row = reg.store.label(c, label) if reg.store.kind == "sqlite" else await run_in_threadpool(reg.store.label, c, label)
    if row is None:
        raise Problem(404, f"contract {c!r} has no label {label!r}", causes=[{"contract": c, "label": label}],
                      kind="not-found")
    etag = f'"{row.digest}"'
    headers = {"ETag": etag, "Cache-Control": f"max-age={reg.settings.label_max_age}, must-revalidate"}
    if etag_matches(request, etag):
        return Response(status_code=304, headers=headers)
    return json_response(label_json(row), headers=headers)


# HEAD (what watchers such as hey-api's send): the same answer without a body. A route of its
# own, so each method has its own, stable operationId.
router.add_api_route("/{c}/labels/{label}", get_label, methods=["HEAD"], operation_id="head_label",
                     summary="Where a label points: headers only (ETag), for watchers",
                     responses={304: {"description": "If-None-Match matched the label's digest"}})


@router.get("/{c}/labels/{label}/history", response_model=LabelHistory, summary="Every move of a label")
def label_history(c: Contract, label: Label, reg: Reg, _: Reader) -> Response:
    moves = reg.store.label_history(c, label)
    if not moves:
        raise Problem(404, f"contract {c!r} has no label {label!r}", causes=[{"contract": c, "label": label}],
                      kind="not-found")
    return json_response({"contract": c, "label": label, "moves": [
        {"version": m.number, "digest": m.digest, "previous": m.previous, "moved_at": m.moved_at,
         "moved_by": m.moved_by} for m in moves]}, headers={"Cache-Control": "no-cache"})


@router.put("/{c}/labels/{label}", response_model=LabelPointer, summary="Move a label (promote, roll back)",
            responses={412: {"description": "the label moved since the If-Match digest"}})
def put_label(c: Contract, label: Label, body: MoveLabel, request: Request, reg: Reg,
              who: Annotated[Principal, Depends(publish_scope)]) -> Response:
    if body.version is None and body.digest is None:
        raise Problem(422, "give the version to point at: {\"version\": N} or {\"digest\": \"sha256:…\"}",
                      causes=[{"pointer": "/version", "message": "missing"}], kind="invalid-body")
    target = reg.resolve(c, str(body.version) if body.version is not None else str(body.digest))
    if body.version is not None and body.digest is not None and target.digest != body.digest:
        raise Problem(422, f"version {body.version} has digest {target.digest}, not {body.digest}",
                      causes=[{"pointer": "/digest", "message": "does not match /version"}], kind="invalid-body")
    if_match = request.headers.get("if-match")
    expected = None
    if if_match is not None:
        expected = "" if if_match.strip() == '""' else if_match.strip().removeprefix("W/").strip('"')
    try:
        row = reg.store.move_label(c, label, number=target.number, if_match=expected, actor=who.name,
                                   policy=body.policy, default_policy=reg.default_policy(label))
    except PreconditionFailed as exc:
        raise Problem(412, f"label {label!r} moved: it now points at {exc.current or 'nothing'}, not {if_match}",
                      causes=[{"header": "If-Match", "current": exc.current}], kind="precondition-failed",
                      headers={"ETag": f'"{exc.current}"'} if exc.current else None) from None
    return json_response(label_json(row), headers={"ETag": f'"{row.digest}"', "Cache-Control": "no-store"})


@router.get("/{c}/versions/{ref}", response_model=VersionObject, summary="A version's record")
def get_version(c: Contract, ref: str, request: Request, reg: Reg, _: Reader) -> Response:
    row = reg.resolve(c, ref)
    etag = f'"{row.digest}"'
    headers = {"ETag": etag, "Cache-Control": IMMUTABLE}
    if etag_matches(request, etag):
        return Response(status_code=304, headers=headers)
    return json_response(version_json(row), headers=headers)


def _stored(request: Request, digest: str, data: bytes, media_type: str,
            cache_control: str = IMMUTABLE) -> Response:
    """A stored answer (a version's file, or a diff artifact): its digest as ETag, 304 on a match."""
    etag = f'"{digest}"'
    headers = {"ETag": etag, "Cache-Control": cache_control}
    if etag_matches(request, etag):
        return Response(status_code=304, headers=headers)
    return Response(data, media_type=media_type, headers=headers)


@router.get("/{c}/versions/{ref}/openapi.json", summary="The contract (canonical JSON; immutable)",
            responses={200: {"content": {"application/json": {}}}, 304: {"description": "not modified"}})
def get_openapi(c: Contract, ref: str, request: Request, reg: Reg, _: Reader) -> Response:
    row = reg.resolve(c, ref)
    if etag_matches(request, f'"{row.digest}"'):
        return Response(status_code=304, headers={"ETag": f'"{row.digest}"', "Cache-Control": IMMUTABLE})
    data = reg.store.blob(row.digest)
    assert data is not None
    return _stored(request, row.digest, data, "application/json")


@router.get("/{c}/versions/{ref}/types.ts", summary="Generated TypeScript types (stored; immutable)",
            responses={200: {"content": {"text/plain": {}}}, 304: {"description": "not modified"}})
async def get_types(c: Contract, ref: str, request: Request, reg: Reg, _: Reader,
                    enum: bool = False, enum_values: bool = False, immutable: bool = False,
                    alphabetize: bool = False, exclude_deprecated: bool = False, export_type: bool = False,
                    aliases: bool = True) -> Response:
    options = TypeScriptOptions(enum=enum, enum_values=enum_values, immutable=immutable, alphabetize=alphabetize,
                                exclude_deprecated=exclude_deprecated, export_type=export_type, aliases=aliases)
    row = await run_in_threadpool(reg.resolve, c, ref)
    digest, data = await run_in_threadpool(reg.types, row, options)
    response = _stored(request, digest, data, "application/typescript; charset=utf-8")
    # What generated it, so a pull client can record it in its lock file without regenerating.
    response.headers["X-Contractsync-Generator-Version"] = __version__
    response.headers["X-Contractsync-Options-Digest"] = options_digest(options)
    return response


@router.get("/{c}/versions/{ref}/changelog.md", summary="The changelog up to this version (stored; immutable)",
            responses={200: {"content": {"text/markdown": {}}}, 304: {"description": "not modified"}})
def get_changelog(c: Contract, ref: str, request: Request, reg: Reg, _: Reader) -> Response:
    row = reg.resolve(c, ref)
    digest, data = reg.changelog(row)
    return _stored(request, digest, data, "text/markdown; charset=utf-8")


@router.get("/{c}/diff", summary="The changes between two versions (stored once per engine version)",
            responses={200: {"model": DiffJSON, "content": {"text/markdown": {}, "text/html": {}}},
                       304: {"description": "If-None-Match matched the stored diff's digest"},
                       503: {"description": "too many diffs being computed; retry after Retry-After seconds"}})
async def get_diff(c: Contract, request: Request, reg: Reg, _: Reader,
                   from_: Annotated[str, Query(alias="from", max_length=80)],
                   to: Annotated[str, Query(max_length=80)],
                   format: Literal["json", "markdown", "html"] = "json") -> Response:
    # Both versions are immutable: the diff is computed once per pair, format and engine version,
    # stored like types.ts, and served with the sha256 of its bytes as ETag.
    old, new = await run_in_threadpool(reg.resolve, c, from_), await run_in_threadpool(reg.resolve, c, to)
    digest, data = await reg.diff_artifact(c, old, new, format)
    return _stored(request, digest, data, MEDIA_TYPES[format], DERIVED)
