"""The publish body: what ``POST …/versions`` and ``POST …/check`` accept, parsed and checked.

400 when it is not JSON (with line and column), 422 with a JSON pointer per problem when it is not
a publish body or its document is not a valid OpenAPI 3.0/3.1 document.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ..changelog import Note
from ..diff.settings import DiffConfig
from ..errors import InputError, SpecLoadError
from ..policy import PolicyConfig
from ..spec.canonical import canonical_json
from ..spec.document import Document, check_structure
from ..spec.parse import DEPTH_MESSAGE, check_depth, load_json
from .problems import Problem

# --- the publish body --------------------------------------------------------------------------

class SourceInfo(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    commit: str | None = Field(default=None, max_length=200)
    branch: str | None = Field(default=None, max_length=300)
    url: str | None = Field(default=None, max_length=2000)


class AnnouncementIn(BaseModel):
    """One announcement, as in ``announcements.yaml`` (plus an optional sunset date)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    fingerprint: str = Field(pattern=r"^[0-9a-f]{6,64}$")
    reason: str = Field(min_length=1, max_length=10_000)
    migration: str | None = Field(default=None, max_length=10_000)
    sunset: str | None = Field(default=None, max_length=40)
    change: str = ""
    announced: str | None = None

    def note(self) -> Note:
        return Note(reason=self.reason, migration=self.migration, announced=self.announced)


class PublishMeta(BaseModel):
    """The publish body except the document itself."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    announcements: list[AnnouncementIn] = Field(default_factory=list, max_length=10_000)
    policy: PolicyConfig | None = None
    diff: DiffConfig | None = None
    source: SourceInfo | None = None


@dataclass
class PublishRequest:
    doc: Document
    """The document in canonical form."""
    digest: str
    meta: PublishMeta


def pointer_of(loc: tuple[int | str, ...] | list[int | str]) -> str:
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in loc)


def parse_publish_body(raw: bytes, known: Callable[[str], bool] | None = None) -> PublishRequest:
    """Parse and check a publish body: 400 when it is not JSON, 422 (with pointers) when it is not
    a publish body or its document is not a valid OpenAPI 3.0/3.1 document.

    Full validation (openapi-spec-validator: a minute on GitHub's 13 MB description) is skipped
    when ``known(digest)`` says the exact content is already stored: it was validated then."""
    try:
        # The loader every document goes through (#13): one nesting limit for the whole body (the
        # canonical form and the engine recurse), integers of any size kept exact.
        data = load_json(raw, source="body")
        check_depth(data, source="body", raw=raw)
    except SpecLoadError as exc:
        raise _not_json(exc) from None
    if not isinstance(data, dict):
        raise Problem(422, "the body must be a JSON object {\"openapi\": {...}, \"announcements\": [...]}",
                      causes=[{"pointer": "", "message": "not an object"}], kind="invalid-body")
    document = data.pop("openapi", None)
    if document is None:
        raise Problem(422, "the body has no \"openapi\" member (the OpenAPI document to publish)",
                      causes=[{"pointer": "/openapi", "message": "missing"}], kind="invalid-body")
    try:
        meta = PublishMeta.model_validate(data)
    except ValidationError as exc:
        causes = [{"pointer": pointer_of(e["loc"]), "message": e["msg"]} for e in exc.errors()[:50]]
        raise Problem(422, f"the publish body is invalid at {causes[0]['pointer']}: {causes[0]['message']}",
                      causes=causes, kind="invalid-body") from None
    try:
        check_structure(document, source="openapi")
    except InputError as exc:
        where = "/openapi" + (exc.where if exc.where and exc.where.startswith("/") else "")
        raise Problem(422, f"not an OpenAPI document: {exc.message}", causes=[{"pointer": where, "message": exc.message}],
                      kind="not-openapi") from None
    canonical = canonical_json(document)
    digest = "sha256:" + hashlib.sha256(canonical).hexdigest()
    doc = stored_document(canonical, "openapi", digest)
    if known is not None and known(digest):
        return PublishRequest(doc, digest, meta)
    from ..spec.validate import lint, validate_document

    linted = {(p.pointer, p.message) for p in lint(doc.data)}
    problems = [p for p in validate_document(doc) if (p.pointer, p.message) not in linted]
    if problems:
        causes = [{"pointer": "/openapi" + p.pointer, "message": p.message} for p in problems[:100]]
        raise Problem(422, f"not a valid OpenAPI document: {len(problems)} problem{'s' if len(problems) != 1 else ''}, "
                      f"first at /openapi{problems[0].pointer}: {problems[0].message}", causes=causes,
                      kind="invalid-openapi")
    return PublishRequest(doc, digest, meta)


def _not_json(exc: SpecLoadError) -> Problem:
    """400 for a body the loader refused, at its line and column (or JSON pointer)."""
    message = exc.message.removeprefix("invalid JSON: ")
    cause: dict[str, object] = {"pointer": "", "message": message}
    line, _, column = (exc.where or "").partition(":")
    if line.isdigit() and column.isdigit():
        cause.update(line=int(line), column=int(column))
        place = f" at line {line}, column {column}"
    elif exc.where:
        cause["pointer"] = exc.where
        place = f" at {exc.where}"
    else:
        place = ""
    kind = "too-deep" if message == DEPTH_MESSAGE else "not-json"
    what = "the body is" if kind == "too-deep" else "the body is not JSON:"
    return Problem(400, f"{what} {message}{place}", causes=[cause], kind=kind)


def stored_document(canonical: bytes, source: str, digest: str) -> Document:
    """A Document of canonical bytes whose content hash is already known (hashing 13 MB again
    costs seconds)."""
    doc = Document(load_json(canonical, source=source), source, raw=canonical, format="json")
    doc.__dict__["sha256"] = digest.removeprefix("sha256:")
    return doc


