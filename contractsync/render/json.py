"""Machine-readable output, described by ``docs/diff-output.schema.json``.

``{"base", "revision", "summary": {"breaking", "warning", "info"}, "fail_on", "failed",
"changes": [Change.to_dict(), ...], "warnings": [...]}`` — changes in the engine's deterministic
order, so the same inputs always give byte-identical output.
"""

from __future__ import annotations

from typing import Any

import orjson

from ..diff.model import Report
from ._common import DEFAULT_CONTEXT, RenderContext, failing, summary_line

#: Bumped when a field changes meaning or goes away (adding fields does not bump it).
FORMAT_VERSION = 1


def to_dict(report: Report, *, fail_on: str = "breaking") -> dict[str, Any]:
    """The report as JSON-compatible data."""
    counts = report.counts()
    return {
        "format_version": FORMAT_VERSION,
        "base": report.base_source,
        "revision": report.revision_source,
        "summary": {level.value: n for level, n in counts.items()},
        "fail_on": fail_on,
        "failed": bool(failing(report, fail_on)),
        "changes": [change.to_dict() for change in report],
        "warnings": list(report.warnings),
        "headline": summary_line(report),
        "documentation_edits": report.doc_edits,
        "not_listed": len(report.hidden),
        "no_base": report.no_base or None,
    }


def render(report: Report, ctx: RenderContext = DEFAULT_CONTEXT) -> str:
    """The report as indented JSON text (UTF-8, newline at end)."""
    options = orjson.OPT_INDENT_2 | orjson.OPT_NON_STR_KEYS
    return orjson.dumps(to_dict(report, fail_on=ctx.fail_on), option=options).decode() + "\n"
