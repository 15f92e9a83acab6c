"""``contractsync accept``: record the code's contract as a release (contract, types, changelog)."""

from __future__ import annotations

from typing import Annotated

import typer

from . import _common as c
from .check import AllowMajorOption, MinDaysOption, policy_with_flags


def accept(
    version: Annotated[str | None, typer.Option(
        "--version", help="The release's version (default: info.version if it is a large enough bump, "
        "else the SemVer suggestion).", show_default=False)] = None,
    announce: Annotated[str | None, typer.Option(
        "--announce", help="Announce every unannounced breaking change inline, with this reason.",
        show_default=False)] = None,
    migration: Annotated[str | None, typer.Option(
        "--migration", help="With --announce: what clients should do instead.", show_default=False)] = None,
    now: c.NowOption = None,
    allow_major_bump: AllowMajorOption = None,
    min_deprecation_days: MinDaysOption = None,
    app: c.AppOption = None,
    app_dir: c.AppDirOption = None,
    in_process: c.InProcessOption = False,
    timeout: c.TimeoutOption = None,
    python: c.PythonOption = None,
) -> int:
    """Update the stored contract from the app, regenerate the types and append a changelog release.

    Refuses an unannounced breaking change (exit 1, nothing written) unless --announce gives the reason.

    Example: `contractsync accept --announce "ISBN moved to editions" --migration "read editions[0].isbn"`
    """
    from ..gate import accept as run_accept

    if migration and not announce:
        raise typer.BadParameter("--migration goes with --announce", param_hint="--migration")
    cfg = c.config()
    source = c.app_source(cfg, app, app_dir, in_process, timeout, python)
    result = run_accept(cfg, version=version, announce_reason=announce, migration=migration,
                        now=c.parse_now(now) if now else None, app=source,
                        policy=policy_with_flags(cfg, allow_major_bump, min_deprecation_days))
    for warning in result.warnings:
        c.warn(warning)
    out = c.stdout()
    release = result.release
    if release is None:
        out.print("the contract is already accepted"
                  + (f"; regenerated {', '.join(c.display_path(p, cfg.root) for p in result.written)}"
                     if result.written else ""),
                  markup=False)
        return 0
    breaking = len(release.breaking)
    note = f" (suggested {result.suggested_version})" if result.suggested_version != release.version else ""
    out.print(f"accepted {release.version}{note}: {len(release.changes)} change"
              f"{'s' if len(release.changes) != 1 else ''}, {breaking} breaking", markup=False)
    for path in result.written:
        # accept removes announcements.yaml once every announcement in it is recorded.
        c.info(f"{'wrote' if path.exists() else 'removed'} {c.display_path(path, cfg.root)}")
    return 0
