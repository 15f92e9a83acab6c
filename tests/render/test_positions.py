"""attach_positions fills line:column from the source text of either side, JSON or YAML."""

from __future__ import annotations

from contractsync.diff.model import Level, Report
from contractsync.render import attach_positions
from contractsync.spec.document import Document, Position
from contractsync.spec.parse import parse_bytes
from tests.render.conftest import make_change

OLD_YAML = b"""openapi: 3.1.0
info: {title: t, version: '1'}
paths:
  /books:
    get:
      responses:
        '200': {description: ok}
    delete:
      responses:
        '204': {description: gone}
"""
NEW_JSON = b"""{
  "openapi": "3.1.0",
  "info": {"title": "t", "version": "1"},
  "paths": {
    "/books": {
      "get": {
        "responses": {"200": {"description": "ok"}, "404": {"description": "no"}}
      }
    }
  }
}
"""


def _doc(raw: bytes, fmt: str, name: str) -> Document:
    return Document(data=parse_bytes(raw, source=name, fmt=fmt), source=name, raw=raw, format=fmt)  # type: ignore[arg-type]


def test_attach_positions_both_sides() -> None:
    removed = make_change("api-removed-without-deprecation", Level.BREAKING, "DELETE /books", "removed",
                          base="/paths/~1books/delete")
    added = make_change("response-success-status-added", Level.INFO, "GET /books", "404 added",
                        base="/paths/~1books/get/responses", revision="/paths/~1books/get/responses/404")
    already = make_change("x", Level.INFO, "GET /books", "kept", revision="/paths/~1books/get",
                          revision_pos=Position(99, 9))
    missing = make_change("y", Level.INFO, "GET /books", "pointer not in the text",
                          revision="/paths/~1nope")
    report = Report(changes=[removed, added, already, missing], base_source="old.yaml",
                    revision_source="new.json", warnings=["w"])
    out = attach_positions(report, _doc(OLD_YAML, "yaml", "old.yaml"), _doc(NEW_JSON, "json", "new.json"))
    assert out[0].location.base_position == Position(8, 5)
    assert out[0].location.revision_position is None
    assert out[1].location.base_position == Position(6, 7)
    assert out[1].location.revision_position == Position(7, 53)
    assert out[2] is already  # positions the engine set are kept as they are
    assert out[3].location.revision_position is None
    assert out.warnings == ["w"] and out.base_source == "old.yaml"
    # Identity is unchanged: positions are presentation, not part of the fingerprint.
    assert [c.fingerprint for c in out] == [c.fingerprint for c in report]


def test_attach_positions_without_documents() -> None:
    change = make_change("x", Level.INFO, "GET /a", "m", revision="/paths/~1a/get")
    out = attach_positions(Report(changes=[change]), None, None)
    assert out[0] is change


def test_nearest_in_base_anchors_additions_in_an_app_export() -> None:
    """Pre-merge (stored file → app export): an added response has no line anywhere, so it is
    anchored at the enclosing `responses` of its operation in the stored contract."""
    from contractsync.render import nearest_in_base, render

    added = make_change("response-success-status-added", Level.INFO, "GET /books", "404 added",
                        revision="/paths/~1books/get/responses/404")
    new_path = make_change("endpoint-added", Level.INFO, "GET /authors", "added",
                           revision="/paths/~1authors/get")
    report = Report(changes=[added, new_path], base_source="old.yaml",
                    revision_source="app shop.main:app")
    near = nearest_in_base(report, _doc(OLD_YAML, "yaml", "old.yaml"))
    assert near == {added.fingerprint: ("/paths/~1books/get/responses", Position(6, 7))}
    out = render(report, "github", near=near)
    assert "::notice file=old.yaml,line=6,col=7,title=response-success-status-added::" in out
    # A brand-new path has nothing specific enclosing it (not `/paths`): no file.
    assert "::notice title=endpoint-added::" in out
    # Without `near` the addition has no file either.
    assert "::notice title=response-success-status-added::" in render(report, "github")
