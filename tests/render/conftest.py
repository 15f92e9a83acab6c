"""A hand-made report with every level, an operation and a component subject, positions on
both sides, a removal (base side only) and text that needs escaping in every format."""

from __future__ import annotations

import pytest

from contractsync.diff.model import Change, Direction, Level, Location, Report, fingerprint
from contractsync.spec.document import Position


def make_change(
    rule: str,
    level: Level,
    subject: str,
    message: str,
    *,
    detail: str = "",
    base: str | None = None,
    revision: str | None = None,
    base_pos: Position | None = None,
    revision_pos: Position | None = None,
    operations: tuple[str, ...] = (),
    direction: Direction = Direction.RESPONSE,
    area: str = "responses",
) -> Change:
    return Change(
        id=rule,
        level=level,
        direction=direction,
        location=Location(subject, detail, base, revision, base_pos, revision_pos),
        message=message,
        fingerprint=fingerprint(rule, f"{subject}|{detail}|{base}|{revision}"),
        operations=operations or ((subject,) if not subject.startswith("components") else ()),
        area=area,
    )


@pytest.fixture
def report() -> Report:
    changes = [
        make_change(
            "request-parameter-became-required", Level.BREAKING, "GET /books",
            "query parameter 'genre' became required",
            detail="query parameter genre", base="/paths/~1books/get/parameters/2",
            revision="/paths/~1books/get/parameters/2",
            base_pos=Position(40, 11), revision_pos=Position(42, 11),
            direction=Direction.REQUEST, area="parameters",
        ),
        make_change(
            "api-removed-without-deprecation", Level.BREAKING, "GET /books/{book_id}/cover",
            "operation removed without deprecation",
            base="/paths/~1books~1{book_id}~1cover/get", base_pos=Position(120, 7),
            direction=Direction.NONE, area="paths",
        ),
        make_change(
            "response-property-enum-value-added", Level.WARNING, "components.schemas.Genre",
            "enum value 'poetry' added to a response | with a pipe <b>and html</b>",
            revision="/components/schemas/Genre/enum/5", revision_pos=Position(300, 9),
            operations=("GET /books", "GET /books/{book_id}", "POST /books"),
            area="schema",
        ),
        make_change(
            "endpoint-added", Level.INFO, "GET /authors/{author_id}/books", "operation added",
            revision="/paths/~1authors~1{author_id}~1books/get", revision_pos=Position(10, 7),
            direction=Direction.NONE, area="paths",
        ),
        make_change(
            "response-optional-property-added", Level.INFO, "GET /books",
            "optional property 'subtitle' added to the 200 response, 100% safe, a:b",
            detail="response 200 application/json: subtitle",
            revision="/components/schemas/Book-Output/properties/subtitle",
            revision_pos=Position(220, 13),
        ),
    ]
    return Report(changes=changes, base_source="contracts/openapi.json",
                  revision_source="app bookshop.main:app", warnings=["a warning, with %percent"])
