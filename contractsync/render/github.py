"""GitHub Actions workflow commands: one annotation per change, on the line it is about.

``::error file=contracts/openapi.json,line=120,col=9,title=response-property-removed::GET /books: …``.
Breaking changes are errors, possibly breaking ones warnings and safe ones notices. The file and
line come from the revision side, or from the base side for a removal; a side that is not a file
in the repository (an app export, stdin, a URL) gives an annotation without a file, which GitHub
shows on the run's summary. Unlike oasdiff, positions exist for JSON documents too.
"""

from __future__ import annotations

from ..diff.model import Level, Report
from ._common import DEFAULT_CONTEXT, RenderContext, anchor, full_message, groups, summary_line

_COMMAND = {Level.BREAKING: "error", Level.WARNING: "warning", Level.INFO: "notice"}


def _data(text: str) -> str:
    # Escaping as in @actions/core's `escapeData`.
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _prop(text: str) -> str:
    # Escaping as in @actions/core's `escapeProperty`.
    return _data(text).replace(":", "%3A").replace(",", "%2C")


def render(report: Report, ctx: RenderContext = DEFAULT_CONTEXT) -> str:
    """One workflow command per change, worst first, then a plain summary line."""
    fail_on, near = ctx.fail_on, ctx.near
    files = ctx.files(report)
    lines: list[str] = []
    for group in groups(report):
        for change in group.changes:
            props: list[str] = []
            at = anchor(change, files, near)
            file = files[at.side]
            if file:
                props.append(f"file={_prop(file)}")
                if at.position is not None:
                    props.append(f"line={at.position.line}")
                    props.append(f"col={at.position.column}")
            props.append(f"title={_prop(change.id)}")
            message = f"{full_message(change)} [{change.fingerprint}]"
            lines.append(f"::{_COMMAND[change.level]} {','.join(props)}::{_data(message)}")
    lines.append(f"contractsync diff: {summary_line(report)} (fail-on {fail_on})")
    lines.extend(f"::warning title=contractsync::{_data(w)}" for w in report.warnings)
    return "\n".join(lines) + "\n"
