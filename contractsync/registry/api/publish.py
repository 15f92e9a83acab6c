"""``POST /v1/contracts/{c}/versions`` (publish) and ``POST /v1/contracts/{c}/check`` (dry run)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.concurrency import run_in_threadpool
from starlette.responses import Response

from ..auth import Principal
from ..body import PublishRequest, parse_publish_body
from ..names import name_problem
from ..problems import Problem
from ..service import Registry
from ..shapes import causes_of, changes_json, label_json, version_json
from .contracts import json_response
from .deps import contract_name, publish_scope, read_scope, registry
from .models import CheckResult, ProblemDetails, PublishResult

router = APIRouter(prefix="/v1/contracts", tags=["publish"])

LabelQuery = Annotated[str, Query(min_length=1, max_length=300, description="The label to judge against and move.")]
_BODY_DOC = {"requestBody": {"required": True, "content": {"application/json": {
    "schema": {"$ref": "#/components/schemas/PublishBody"}}}}}
_ERRORS: dict[int | str, dict[str, object]] = {
    400: {"model": ProblemDetails, "description": "not JSON"},
    409: {"model": ProblemDetails, "description": "unannounced breaking changes under a 'block' policy"},
    413: {"model": ProblemDetails, "description": "body over the limit"},
    422: {"model": ProblemDetails, "description": "not a valid OpenAPI document or publish body"},
}


async def read_body(request: Request, limit: int) -> bytes:
    """The request body, refused with 413 as soon as it passes ``limit`` (never read whole first)."""
    declared = request.headers.get("content-length")
    if declared is not None:
        if not declared.isdigit():
            raise Problem(400, "Content-Length is not a number", causes=[{"header": "Content-Length"}])
        if int(declared) > limit:
            raise Problem(413, f"the body is {int(declared)} bytes; the limit is {limit}",
                          causes=[{"header": "Content-Length", "limit": limit}], kind="too-large")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise Problem(413, f"the body is over the limit of {limit} bytes",
                          causes=[{"pointer": "", "limit": limit}], kind="too-large")
        chunks.append(chunk)
    return b"".join(chunks)


def _label(label: str) -> str:
    problem = name_problem(label, "label name")
    if problem:
        raise Problem(422, f"invalid label name: {problem}",
                      causes=[{"parameter": "label", "in": "query", "message": problem}], kind="invalid-name")
    return label


async def _request(request: Request, reg: Registry) -> PublishRequest:
    raw = await read_body(request, reg.settings.max_body_bytes)
    return await run_in_threadpool(parse_publish_body, raw, reg.is_stored)


@router.post("/{c}/versions", status_code=201, summary="Publish a contract version and move a label",
             response_model=PublishResult, openapi_extra=_BODY_DOC,
             responses={200: {"model": PublishResult, "description": "identical content already stored"}, **_ERRORS})
async def publish(c: Annotated[str, Depends(contract_name)], request: Request,
                  who: Annotated[Principal, Depends(publish_scope)], reg: Annotated[Registry, Depends(registry)],
                  label: LabelQuery = "main") -> Response:
    _label(label)
    req = await _request(request, reg)
    result = await run_in_threadpool(reg.publish, c, label, req, author=who.name)
    committed = result.committed
    body = {"version": version_json(committed.version), "label": label_json(committed.label),
            "changes": changes_json(result.judgement.report,
                                    {a.fingerprint: a for a in req.meta.announcements}),
            "created": committed.created}
    location = f"/v1/contracts/{c}/versions/{committed.version.digest}"
    return json_response(body, 201 if committed.created else 200,
                         headers={"Location": location, "ETag": f'"{committed.version.digest}"',
                                  "Cache-Control": "no-store"})


@router.post("/{c}/check", summary="Judge a contract against a label without storing anything",
             response_model=CheckResult, openapi_extra=_BODY_DOC, responses={k: v for k, v in _ERRORS.items() if k != 409})
async def check(c: Annotated[str, Depends(contract_name)], request: Request,
                _: Annotated[Principal, Depends(read_scope)], reg: Annotated[Registry, Depends(registry)],
                label: LabelQuery = "main") -> Response:
    _label(label)
    req = await _request(request, reg)
    j = await run_in_threadpool(reg.judge, c, label, req)
    return json_response({"verdict": "pass" if j.passed else "fail", "policy": j.policy,
                          "blocked": j.blocked, "digest": req.digest,
                          "base": version_json(j.base) if j.base else None,
                          "changes": changes_json(j.report, {a.fingerprint: a for a in req.meta.announcements}),
                          "causes": causes_of(j)}, headers={"Cache-Control": "no-store"})
