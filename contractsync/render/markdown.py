"""Markdown fit for a pull-request comment (GitHub-flavoured).

A summary line, a table per level (breaking first), and the info-level changes folded into a
``<details>`` block so a comment stays short when nothing breaks.
"""

from __future__ import annotations

from ..diff.model import Change, Level, Report
from ._common import (
    DEFAULT_CONTEXT,
    RenderContext,
    extra_detail,
    groups,
    plural,
    short_message,
    summary_line,
    threshold,
)
from ._common import (
    failing as failing_changes,
)

_HEADINGS = {Level.BREAKING: "Breaking", Level.WARNING: "Possibly breaking", Level.INFO: "Safe"}


def render(report: Report, ctx: RenderContext = DEFAULT_CONTEXT) -> str:
    """The report as a Markdown document."""
    fail_on = ctx.fail_on
    counts = report.counts()
    n_break, n_warn, n_info = counts[Level.BREAKING], counts[Level.WARNING], counts[Level.INFO]
    if report.no_base or not report.api_changes:
        icon, headline = "⚪", summary_line(report).replace("no changes", "no changes to the contract")
    elif n_break:
        icon, headline = "🔴", plural(n_break, "breaking change")
    elif n_warn:
        icon, headline = "🟡", plural(n_warn, "possibly breaking change")
    elif n_info:
        icon, headline = "🟢", f"no breaking changes ({plural(n_info, 'safe change')})"
    else:  # only documentation-only edits, listed with --include-docs
        icon, headline = "⚪", summary_line(report)
    lines = [f"### {icon} API contract: {headline}", ""]
    lines.append(
        f"{_code(report.base_source or 'base')} → {_code(report.revision_source or 'revision')}: "
        f"**{n_break} breaking**, {plural(n_warn, 'warning')}, {n_info} info"
    )
    level = threshold(fail_on)
    if level is not None and report.all_changes:
        failing = len(failing_changes(report, fail_on))
        lines[-1] += (
            f" — **fails** `--fail-on {fail_on}`" if failing else f" — passes `--fail-on {fail_on}`"
        )
    if report.api_changes and "; " in (summary := summary_line(report)):
        lines[-1] += f" ({summary.split('; ', 1)[1]})"  # changes hidden below --level
    lines.append("")
    ordered = [c for g in groups(report) for c in g.changes]
    for lv in (Level.BREAKING, Level.WARNING):
        changes = [c for c in ordered if c.level is lv]
        if changes:
            lines += [f"#### {_HEADINGS[lv]} ({len(changes)})", "", *_table(changes), ""]
    info = [c for c in ordered if c.level is Level.INFO]
    if info:
        lines += [
            "<details>",
            f"<summary>{_HEADINGS[Level.INFO]} changes ({len(info)})</summary>",
            "",
            *_table(info),
            "",
            "</details>",
            "",
        ]
    for warning in report.warnings:
        lines.append(f"> [!WARNING]\n> {_cell(warning)}\n")
    return "\n".join(lines).rstrip("\n") + "\n"


def _table(changes: list[Change]) -> list[str]:
    rows = ["| Where | Rule | Change | Fingerprint |", "|---|---|---|---|"]
    for change in changes:
        where = _code(change.location.subject)
        if change.location.subject.startswith("components") and change.operations:
            where += f"<br><sub>affects {plural(len(change.operations), 'operation')}</sub>"
        message = _cell(short_message(change))
        if extra_detail(change):
            message += f"<br><sub>{_cell(extra_detail(change))}</sub>"
        rows.append(f"| {where} | {_code(change.id)} | {message} | {_code(change.fingerprint)} |")
    return rows


def _cell(text: str) -> str:
    """Text safe inside a table cell: no line breaks, pipes escaped, no stray HTML."""
    text = " ".join(text.split())
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("|", "\\|")
    )


def _code(text: str) -> str:
    """Inline code that survives backticks and pipes in the text."""
    text = " ".join(text.split()).replace("|", "\\|")
    fence = "``" if "`" in text else "`"
    pad = " " if "`" in text else ""
    return f"{fence}{pad}{text}{pad}{fence}"
