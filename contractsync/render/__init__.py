"""Renderings of one :class:`~contractsync.diff.model.Report`: every output format is a view of
the same list of changes, so the terminal, the PR comment and the CI verdict never disagree.

========== =================================================================================
text       terminal: grouped by operation/schema, breaking first, counts at the end
markdown   a pull-request comment: summary line, tables per level, info folded away
json       machine-readable; schema in ``docs/diff-output.schema.json``
github     GitHub Actions annotations (``::error file=…,line=…``) with lines for JSON too
junit      JUnit XML: one test case per operation/schema, failures at or above fail-on
sarif      SARIF 2.1.0 for code-scanning UIs
========== =================================================================================
"""

from __future__ import annotations

import importlib
from dataclasses import replace
from typing import TYPE_CHECKING, Literal

from ..diff.model import Change, Location, Report
from ._common import FAIL_ON_VALUES, FailOn, Near, RenderContext, failing, fails, threshold

if TYPE_CHECKING:
    from ..spec.document import Document, Position

Format = Literal["text", "markdown", "json", "github", "junit", "sarif"]
FORMATS: tuple[Format, ...] = ("text", "markdown", "json", "github", "junit", "sarif")

__all__ = [
    "FAIL_ON_VALUES",
    "FORMATS",
    "FailOn",
    "Format",
    "Near",
    "RenderContext",
    "attach_positions",
    "failing",
    "fails",
    "nearest_in_base",
    "render",
    "threshold",
]


def render(
    report: Report,
    fmt: str,
    *,
    fail_on: str = "breaking",
    base_file: str | None = None,
    revision_file: str | None = None,
    near: Near | None = None,
) -> str:
    """Render ``report`` in format ``fmt`` (one of :data:`FORMATS`).

    ``fail_on`` marks which changes fail the run (junit failures, the verdict in text, markdown
    and json). ``base_file`` / ``revision_file`` name the repository files that positions refer
    to in github, junit, sarif and text output; by default they are derived from the report's
    sources (a file path, or the path of a ``REV:path`` git source; none for an app or a URL).
    ``near`` (from :func:`nearest_in_base`) anchors additions that exist only in an app export.
    """
    threshold(fail_on)  # validates the value
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    # Each format is its own module, imported only when asked for.
    module = importlib.import_module(f"{__name__}.{fmt}")
    rendered: str = module.render(report, RenderContext(fail_on, base_file, revision_file, near))
    return rendered


def attach_positions(report: Report, base: Document | None, revision: Document | None) -> Report:
    """Fill in the line:column of every change's base and revision pointers that the engine left
    empty, from the documents' source text (JSON or YAML)."""
    changes: list[Change] = []
    for change in report:
        loc = change.location
        base_pos = loc.base_position
        rev_pos = loc.revision_position
        if base_pos is None and loc.base is not None and base is not None:
            base_pos = base.locate(loc.base)
        if rev_pos is None and loc.revision is not None and revision is not None:
            rev_pos = revision.locate(loc.revision)
        if base_pos is loc.base_position and rev_pos is loc.revision_position:
            changes.append(change)
            continue
        new_loc: Location = replace(loc, base_position=base_pos, revision_position=rev_pos)
        changes.append(replace(change, location=new_loc))
    return replace(report, changes=changes)


def nearest_in_base(report: Report, base: Document) -> dict[str, tuple[str, Position]]:
    """For changes that exist only in the revision (additions), the nearest enclosing element
    that the base document has, with its position: a new parameter anchors at its operation's
    ``parameters`` in the stored contract, a new property at its schema. Too-general ancestors
    (``/paths``, ``/components/schemas``) are not anchors."""
    from ..spec.refs import resolve_pointer

    near: dict[str, tuple[str, Position]] = {}
    for change in report:
        loc = change.location
        if loc.base is not None or loc.revision is None:
            continue
        # Tokens stay escaped: they are only re-joined into a pointer.
        tokens = loc.revision.split("/")[1:]
        while tokens:
            tokens.pop()
            if len(tokens) < (3 if tokens[:1] == ["components"] else 2):
                break
            pointer = "/" + "/".join(tokens)
            try:
                resolve_pointer(base.data, pointer)
            except KeyError:
                continue
            position = base.locate(pointer)
            if position is not None:
                near[change.fingerprint] = (pointer, position)
            break
    return near
