"""``contractsync changelog``: print a range of the history for release notes, or rewrite
CHANGELOG.md from changelog.json."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from ..changelog import (
    CHANGELOG_JSON,
    CHANGELOG_MD,
    load_history,
    render_html,
    render_json,
    render_markdown,
)
from ..io import atomic_write_text
from ..terminal import printable
from . import _common as c


def changelog(
    since: Annotated[str | None, typer.Option(
        "--since", help="Only releases newer than this version.", show_default=False)] = None,
    output_format: Annotated[str, typer.Option("--format", help="md, json or html.")] = "md",
    output: Annotated[Path | None, typer.Option(
        "--output", "-o", help="Write to this file instead of stdout.", show_default=False)] = None,
    write: Annotated[bool, typer.Option(
        "--write", help=f"Rewrite <contracts_dir>/{CHANGELOG_MD} from {CHANGELOG_JSON} (after editing it).")]
    = False,
) -> int:
    """Print the changelog (or the releases since a version) as markdown, JSON or one HTML page.

    Example: `contractsync changelog --since 1.0.0 --format html -o api-changes.html`
    """
    fmt = {"markdown": "md"}.get(output_format, output_format)
    if fmt not in ("md", "json", "html"):
        raise typer.BadParameter("must be md, json or html", param_hint="--format")
    cfg = c.config()
    history = load_history(cfg.contracts_path / CHANGELOG_JSON)
    if write:
        target = cfg.contracts_path / CHANGELOG_MD
        atomic_write_text(target, render_markdown(history))
        c.info(f"wrote {c.display_path(target, cfg.root)}")
        return 0
    releases = history.since(since)
    renderer = {"md": render_markdown, "json": render_json, "html": render_html}[fmt]
    text = renderer(history, releases)
    if output is not None and str(output) != "-":
        atomic_write_text(output, text)
        c.info(f"wrote {output} ({len(releases)} release{'s' if len(releases) != 1 else ''})")
    else:
        sys.stdout.write(printable(text))
        sys.stdout.flush()
    return 0
