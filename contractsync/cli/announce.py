"""``contractsync announce``: record that a breaking change is intended, for review in the PR."""

from __future__ import annotations

from typing import Annotated

import typer

from . import _common as c
from .check import BaseOption


def announce(
    fingerprints: Annotated[list[str] | None, typer.Argument(
        help="Fingerprints of the breaking changes (as `contractsync check` prints them).",
        show_default=False)] = None,
    reason: Annotated[str, typer.Option("--reason", help="Why the break is intended (goes in the changelog).")]
    = "",
    migration: Annotated[str | None, typer.Option(
        "--migration", help="What clients should do instead.", show_default=False)] = None,
    all_breaking: Annotated[bool, typer.Option(
        "--all-breaking", help="Announce every breaking change not announced yet.")] = False,
    base: BaseOption = None,
    now: c.NowOption = None,
    app: c.AppOption = None,
    app_dir: c.AppDirOption = None,
    in_process: c.InProcessOption = False,
    timeout: c.TimeoutOption = None,
    python: c.PythonOption = None,
) -> int:
    """Announce breaking changes in <contracts_dir>/announcements.yaml (commit it with the change).

    Example: `contractsync announce 3f2a9c1b7d0e --reason "ISBN moved to editions" --migration "read editions[0].isbn"`
    """
    from ..announce import announcements_path
    from ..gate import announce as run_announce

    if not reason.strip():
        raise typer.BadParameter("say why the break is intended", param_hint="--reason")
    if fingerprints and all_breaking:
        raise typer.BadParameter("give fingerprints or --all-breaking, not both", param_hint="--all-breaking")
    cfg = c.config()
    source = c.app_source(cfg, app, app_dir, in_process, timeout, python)
    items = run_announce(cfg, fingerprints or [], reason=reason, migration=migration, all_breaking=all_breaking,
                         base=base, now=c.parse_now(now) if now else None, app=source)
    path = announcements_path(cfg.contracts_path)
    if not items:
        c.info("nothing to announce: every breaking change is already announced")
        return 0
    for item in items:
        c.stdout().print(f"announced {item.fingerprint}  {item.change}", markup=False)
    c.info(f"wrote {c.display_path(path, cfg.root)}; commit it with the change, then run `contractsync accept`")
    return 0
