"""``contractsync check``: the CI gate (also fit for pre-commit)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ..terminal import printable
from . import _common as c

if TYPE_CHECKING:
    from ..config import Config
    from ..policy import PolicyConfig

BaseOption = Annotated[
    str | None,
    typer.Option("--base", help="The base contract: FILE, URL or REV:path (default: [tool.contractsync.policy] "
                 "base, else the contract at the merge base with the default branch).", show_default=False),
]
AllowMajorOption = Annotated[
    bool | None,
    typer.Option("--allow-major-bump/--no-allow-major-bump",
                 help="Let a major info.version bump allow breaking changes (default: policy, off).",
                 show_default=False),
]
MinDaysOption = Annotated[
    int | None,
    typer.Option("--min-deprecation-days", min=0, help="Days of notice a new deprecation's x-sunset must give.",
                 show_default=False),
]


def policy_with_flags(cfg: Config, allow_major_bump: bool | None, min_days: int | None) -> PolicyConfig:
    """``[tool.contractsync.policy]`` with the command-line flags applied."""
    pol = cfg.policy
    update: dict[str, object] = {}
    if allow_major_bump is not None:
        update["allow_major_bump"] = allow_major_bump
    if min_days is not None:
        update["min_deprecation_days"] = min_days
    return pol.model_copy(update=update) if update else pol


def check(
    base: BaseOption = None,
    now: c.NowOption = None,
    output_format: Annotated[str, typer.Option(
        "--format", help="text, markdown, github (annotations + text) or json.")] = "text",
    summary: Annotated[Path | None, typer.Option(
        "--summary", help="Also append the markdown report to this file (e.g. $GITHUB_STEP_SUMMARY).",
        show_default=False)] = None,
    allow_major_bump: AllowMajorOption = None,
    min_deprecation_days: MinDaysOption = None,
    app: c.AppOption = None,
    app_dir: c.AppDirOption = None,
    in_process: c.InProcessOption = False,
    timeout: c.TimeoutOption = None,
    python: c.PythonOption = None,
    frontend: c.FrontendOption = None,
    types: c.TypesOption = None,
    openapi: c.OpenapiOption = None,
    generate_cmd: c.GenerateOption = None,
    typecheck_cmd: c.TypecheckOption = None,
) -> int:
    """The CI gate: the contract is current, every breaking change is announced, types and
    changelog are current. Prints what blocks and the exact fix.

    Exit 0 when the branch may merge, 1 when blocked, 2 on input errors.

    Example: `contractsync check --base origin/main:contracts/openapi.json`
    """
    from ..gate import check as run_check
    from ..gate import format_github, format_json, format_markdown, format_text
    from ..io import atomic_write_text

    if output_format not in ("text", "markdown", "github", "json"):
        raise typer.BadParameter("must be text, markdown, github or json", param_hint="--format")
    cfg = c.config()
    source = c.app_source(cfg, app, app_dir, in_process, timeout, python)
    from .impact import frontend_dir

    result = run_check(cfg, base=base, now=c.parse_now(now) if now else None, app=source,
                       policy=policy_with_flags(cfg, allow_major_bump, min_deprecation_days),
                       frontend=frontend_dir(frontend, cfg),
                       frontend_options={"types": types, "typecheck_cmd": typecheck_cmd,
                                         "openapi": openapi, "generate_cmd": generate_cmd})
    out = c.stdout()
    if output_format == "markdown":
        out.print(format_markdown(result), markup=False, end="")
    elif output_format == "json":
        out.print(format_json(result), markup=False, end="")
    else:
        if output_format == "github":
            typer.echo(printable(format_github(result, cfg.root)), nl=False)
        out.print(format_text(result), markup=False, end="")
    if summary is not None:
        previous = summary.read_text(encoding="utf-8") if summary.exists() else ""
        atomic_write_text(summary, previous + format_markdown(result))
    return 0 if result.ok else 1
