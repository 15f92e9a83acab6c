"""The loaded OpenAPI document and its cheap structural check."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from ..errors import NotOpenAPIError
from .parse import Format

_VERSION_RE = re.compile(r"^3\.(0|1)\.\d+(?:-[0-9A-Za-z.-]+)?$")


@dataclass(frozen=True)
class Position:
    """A 1-based line and column in a source file."""

    line: int
    column: int

    def __str__(self) -> str:
        return f"{self.line}:{self.column}"


@dataclass(eq=False)
class Document:
    """An OpenAPI 3.0/3.1 document as loaded from one source.

    ``data`` is plain JSON-compatible data (dicts, lists, str, int, float, bool, None) and must be
    treated as read-only: several consumers may share one ``Document``.
    """

    data: dict[str, Any]
    #: How the source is named to the user: a path, URL, ``rev:path``, ``<stdin>`` or ``app mod:attr``.
    source: str
    #: The bytes the document was parsed from, kept for line:column look-ups and hashing.
    raw: bytes | None = None
    format: Format = "json"
    #: A local file the document came from, when there is one (annotations point at it).
    path: Path | None = None
    #: Problems found that do not stop the tool (e.g. the document is not strictly valid).
    warnings: list[str] = field(default_factory=list)

    @property
    def openapi_version(self) -> str:
        """The ``openapi`` field, e.g. ``"3.1.0"``."""
        return str(self.data.get("openapi", ""))

    @property
    def is_31(self) -> bool:
        """True for OpenAPI 3.1 documents (JSON Schema 2020-12 semantics)."""
        return self.openapi_version.startswith("3.1")

    @property
    def title(self) -> str:
        info = self.data.get("info")
        return str(info.get("title", "")) if isinstance(info, dict) else ""

    @property
    def version(self) -> str:
        """``info.version`` as a string ("" when absent)."""
        info = self.data.get("info")
        return str(info.get("version", "")) if isinstance(info, dict) else ""

    @cached_property
    def sha256(self) -> str:
        """Content hash of the canonical JSON form: the same contract hashes the same whatever
        its formatting or key order."""
        from .canonical import canonical_json

        return hashlib.sha256(canonical_json(self.data)).hexdigest()

    def locate(self, pointer: str) -> Position | None:
        """Line and column of the JSON pointer ``pointer`` in the source text, if known."""
        if self.raw is None:
            return None
        from .locate import locate_pointer

        return locate_pointer(self.raw, self.format, pointer, data=self.data)


def check_structure(data: Any, *, source: str) -> list[str]:
    """The cheap check every command pays: is this an OpenAPI 3.0/3.1 document at all?

    Raises :class:`NotOpenAPIError` with a message that says what the document is instead.
    Returns warnings for shapes that are wrong but that the tools can live with.
    """
    if not isinstance(data, dict):
        kind = type(data).__name__ if data is not None else "null"
        kind = {"list": "an array", "str": "a string", "int": "a number", "float": "a number"}.get(
            kind, kind
        )
        raise NotOpenAPIError(f"is not an OpenAPI document: the top level is {kind}, not an object", source=source)
    if "swagger" in data:
        raise NotOpenAPIError(
            f"is Swagger {data.get('swagger')} (OpenAPI 2.0), which contractsync does not read; "
            "convert it to OpenAPI 3 first (e.g. with swagger2openapi or the Swagger Editor)",
            source=source,
        )
    version = data.get("openapi")
    if version is None:
        raise NotOpenAPIError(
            "is not an OpenAPI document: it has no top-level 'openapi' field", source=source
        )
    if not isinstance(version, str) or not _VERSION_RE.match(version):
        raise NotOpenAPIError(
            f"has openapi: {version!r}; contractsync reads OpenAPI 3.0.x and 3.1.x",
            source=source,
            where="/openapi",
        )
    warnings: list[str] = []
    info = data.get("info")
    if not isinstance(info, dict):
        warnings.append(f"{source}: /info is missing or not an object")
    for key in ("paths", "webhooks", "components"):
        value = data.get(key)
        if value is not None and not isinstance(value, dict):
            raise NotOpenAPIError(f"/{key} must be an object", source=source, where=f"/{key}")
    paths = data.get("paths")
    if isinstance(paths, dict):
        for name, item in paths.items():
            if not isinstance(item, dict):
                ptr = "/paths/" + name.replace("~", "~0").replace("/", "~1")
                raise NotOpenAPIError("a path item must be an object", source=source, where=ptr)
    elif "paths" not in data and not version.startswith("3.1"):
        warnings.append(f"{source}: /paths is missing (required in OpenAPI 3.0)")
    from .shape import check_shapes

    check_shapes(data, source=source)
    return warnings
