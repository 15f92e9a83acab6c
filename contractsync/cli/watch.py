"""``contractsync watch``: regenerate the frontend's types on every backend save."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from . import _common as c


def watch(
    app: c.AppOption = None,
    app_dir: c.AppDirOption = None,
    path: Annotated[list[Path] | None, typer.Option(
        "--path", metavar="PATH", help="File or directory to watch (repeatable; default: the app dir).",
        show_default=False)] = None,
    ignore: Annotated[list[str] | None, typer.Option(
        "--ignore", metavar="GLOB", help="Glob of paths whose changes are ignored (repeatable).",
        show_default=False)] = None,
    types: Annotated[list[Path] | None, typer.Option(
        "--types", metavar="PATH", help="File to keep current (repeatable): '.ts' gets TypeScript types, '.json' the "
        "canonical OpenAPI document. Written in addition to the configured frontend_types.",
        show_default=False)] = None,
    once: Annotated[bool, typer.Option("--once", help="Rebuild once and exit (0 ok, 2 failed).")] = False,
    json: Annotated[bool, typer.Option(
        "--json", help="Print one JSON object per rebuild (for editor integrations).")] = False,
    debounce: Annotated[int | None, typer.Option(
        "--debounce", min=0, max=10_000, metavar="MS",
        help="Milliseconds without further changes before a rebuild starts (default 20).",
        show_default=False)] = None,
    python: c.PythonOption = None,
    timeout: Annotated[float | None, typer.Option(
        "--timeout", min=0.1, metavar="SECONDS", help="Seconds one export may take before it is stopped (default 10).",
        show_default=False)] = None,
) -> int:
    """Watch the backend; on every save re-export the contract, diff it against the stored one
    and rewrite the frontend's types.

    One status line per rebuild: time taken, changes against the stored contract, and every
    breaking change with its operation. The stored contract is never written (`accept` does).
    Linux and macOS keep a warm worker that forks per rebuild; elsewhere each rebuild is a
    fresh process.

    Example: `contractsync watch --app bookshop.main:app --app-dir examples/bookshop/v1 --types /tmp/types.ts --once`
    """
    # Imported here: every other command would otherwise pay for watchfiles at start-up.
    from ..watch.loop import Watcher
    from ..watch.settings import resolve_settings

    cfg = c.config()
    settings = resolve_settings(
        cfg, app=app, app_dir=app_dir, paths=path or (), ignore=ignore or (), types=types or (),
        debounce_ms=debounce, timeout=timeout, json=json, once=once, python=python,
    )
    return Watcher(settings, out=c.stdout(), err=c.stderr()).run()
