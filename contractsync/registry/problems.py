"""Errors as RFC 9457 ``application/problem+json`` with ``causes[]``, for every status."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

import orjson
from starlette.responses import Response

PROBLEM_TYPE = "application/problem+json"


class Problem(Exception):
    """An error answer: raise it anywhere in a request; the app turns it into problem+json."""

    def __init__(self, status: int, detail: str, *, causes: list[dict[str, Any]] | None = None,
                 title: str | None = None, headers: dict[str, str] | None = None,
                 kind: str | None = None) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.causes = causes or []
        self.title = title or HTTPStatus(status).phrase
        self.headers = headers or {}
        self.kind = kind

    def body(self) -> dict[str, Any]:
        slug = self.kind or self.title.lower().replace(" ", "-")
        return {"type": f"https://contractsync.dev/problems/{slug}", "title": self.title,
                "status": self.status, "detail": self.detail, "causes": self.causes}

    def response(self) -> Response:
        return problem_response(self.body(), self.status, self.headers)


def problem_response(body: dict[str, Any], status: int, headers: dict[str, str] | None = None) -> Response:
    return Response(orjson.dumps(body), status_code=status, media_type=PROBLEM_TYPE,
                    headers={"Cache-Control": "no-store", **(headers or {})})
