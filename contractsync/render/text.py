"""Terminal output: grouped by operation and schema, breaking first, counts at the end.

:func:`build` returns a rich :class:`~rich.text.Text`, so the CLI prints it in colour on a terminal
only (rich turns styles off for pipes and files, and honours ``NO_COLOR``); :func:`render` returns
the same text without styles.
"""

from __future__ import annotations

from rich.text import Text

from ..diff.model import Change, Level, Report
from ._common import (
    DEFAULT_CONTEXT,
    Near,
    RenderContext,
    Side,
    anchor,
    extra_detail,
    fails,
    groups,
    plural,
    short_message,
    summary_line,
    threshold,
)
from ._common import (
    failing as failing_changes,
)

_STYLE = {Level.BREAKING: "bold red", Level.WARNING: "yellow", Level.INFO: "cyan"}
_WIDTH = max(len(level.value) for level in Level)


def build(report: Report, ctx: RenderContext = DEFAULT_CONTEXT) -> Text:
    """The report as styled text."""
    fail_on, near = ctx.fail_on, ctx.near
    files = ctx.files(report)
    out = Text()
    out.append(f"{report.base_source or 'base'} → {report.revision_source or 'revision'}\n", style="bold")
    for group in groups(report):
        out.append("\n")
        out.append(group.subject, style="bold")
        notes: list[str] = []
        counts = {level: sum(1 for c in group.changes if c.level is level) for level in Level}
        notes.extend(f"{counts[lv]} {lv.value}" for lv in Level if counts[lv])
        if not group.is_operation and group.operations:
            notes.append(f"affects {plural(len(group.operations), 'operation')}")
        out.append(f"  ({', '.join(notes)})\n", style="dim")
        for change in group.changes:
            _change(out, change, files, fail_on, near)
    out.append("\n")
    out.append(summary_line(report), style="bold")
    level = threshold(fail_on)
    if level is not None and report.all_changes:
        failing = len(failing_changes(report, fail_on))
        verdict = (
            f": fails --fail-on {fail_on} ({plural(failing, 'change')})"
            if failing
            else f": passes --fail-on {fail_on}"
        )
        out.append(verdict, style="bold red" if failing else "bold green")
    out.append("\n")
    for warning in report.warnings:
        out.append(f"warning: {warning}\n", style="yellow")
    return out


def _change(out: Text, change: Change, files: dict[Side, str | None], fail_on: str,
            near: Near | None) -> None:
    out.append("  ")
    out.append(f"{change.level.value:<{_WIDTH}}", style=_STYLE[change.level])
    out.append(f"  {change.id}", style="bold" if fails(change, fail_on) else "")
    out.append(f"  {short_message(change)}\n")
    where: list[str] = []
    if extra_detail(change):
        where.append(extra_detail(change))
    at = anchor(change, files, near)
    file = files[at.side]
    if file and at.position is not None:
        where.append(f"{file}:{at.position}")
    elif at.pointer is not None:
        where.append(f"{at.side} #{at.pointer}")
    where.append(change.fingerprint)
    out.append(f"  {'':<{_WIDTH}}  {' · '.join(where)}\n", style="dim")


def render(report: Report, ctx: RenderContext = DEFAULT_CONTEXT) -> str:
    """The report as plain text (no colour codes)."""
    return build(report, ctx).plain
