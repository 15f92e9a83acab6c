"""``contractsync impact``: which frontend files and lines a contract change breaks."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ..errors import InputError
from . import _common as c

if TYPE_CHECKING:
    from ..config import Config
    from ..diff.compare import Comparison
    from ..impact import ImpactReport

NoCacheOption = Annotated[
    bool,
    typer.Option("--no-cache", help="Type-check the baseline again instead of reusing the cached result."),
]


def frontend_dir(frontend: Path | None, cfg: Config) -> Path | None:
    """``--frontend``, else ``frontend_dir`` of the config (relative to its pyproject.toml)."""
    if frontend is not None:
        return frontend
    if cfg.frontend_dir is not None:
        path = cfg.root / cfg.frontend_dir
        try:
            return path.relative_to(Path.cwd())
        except ValueError:
            return path
    return None


def run_impact(result: Comparison, frontend: Path, *, types: str | None, typecheck_cmd: str | None,
               no_cache: bool, openapi: str | None = None, generate_cmd: str | None = None) -> ImpactReport:
    """The impact analysis of an already computed comparison."""
    from ..impact import analyse

    return analyse(frontend, result.base, result.revision, report=result.report, types=types,
                   typecheck_cmd=typecheck_cmd, use_cache=not no_cache, openapi=openapi,
                   generate_cmd=generate_cmd)


def impact(
    base: Annotated[str | None, typer.Argument(
        help="The old contract, as for `diff` (default: the stored contract).", show_default=False)] = None,
    new: Annotated[str | None, typer.Argument(
        help="The new contract, as for `diff` (default: the configured app, or --app).",
        show_default=False)] = None,
    frontend: c.FrontendOption = None,
    types: c.TypesOption = None,
    openapi: c.OpenapiOption = None,
    generate_cmd: c.GenerateOption = None,
    typecheck_cmd: c.TypecheckOption = None,
    app: c.AppOption = None,
    app_dir: c.AppDirOption = None,
    in_process: c.InProcessOption = False,
    timeout: c.TimeoutOption = None,
    output_format: Annotated[str, typer.Option(
        "--format", "-f", help="Output format: text, markdown, json, github, sarif.")] = "text",
    output: Annotated[Path | None, typer.Option(
        "--output", "-o", help="Write the report to FILE (atomically) instead of stdout.",
        show_default=False)] = None,
    profile: Annotated[str | None, typer.Option(
        "--profile", help="Rule profile: 'typescript' judges changes by what they do to generated "
                          "TypeScript (default: [tool.contractsync.diff] profile).", show_default=False)] = None,
    no_cache: NoCacheOption = False,
    now: c.NowOption = None,
) -> int:
    """Will this break the frontend? Type-check the frontend with the BASE and the NEW types and
    name the files and lines each change breaks.

    Exit 0 when the frontend's type-check is unaffected, 1 when NEW breaks it, 2 on input errors.

    Example: `contractsync impact --frontend examples/bookshop/frontend --app-dir examples/bookshop/v2`
    """
    from ..diff.compare import compare
    from ..diff.options import DiffOptions
    from ..impact.render import FORMATS, render
    from .diff import _base_source

    if output_format not in FORMATS:
        raise InputError(f"must be one of {', '.join(FORMATS)}", where="--format")
    if profile is not None and profile != "typescript":
        raise InputError("the only profile is 'typescript'", where="--profile")
    cfg = c.config()
    directory = frontend_dir(frontend, cfg)
    if directory is None:
        raise InputError("no frontend: pass --frontend DIR or set frontend_dir in [tool.contractsync]")
    today = c.parse_now(now).date() if now is not None else dt.date.today()
    base_src = _base_source(base, cfg)
    new_src = c.spec_source(new, cfg, app=app, app_dir=app_dir, in_process=in_process,
                            timeout=timeout, default="app")
    result = compare(base_src, new_src,
                     options=DiffOptions(now=today, profile=profile or cfg.diff.profile or "typescript"),
                     settings=cfg.diff, config_file=str(cfg.file) if cfg.file else None)
    for warning in result.warnings:
        c.warn(warning)
    report = run_impact(result, directory, types=types, typecheck_cmd=typecheck_cmd, no_cache=no_cache,
                        openapi=openapi, generate_cmd=generate_cmd)
    rendered = render(report, output_format)
    if output_format != "github":
        for warning in report.warnings:
            c.warn(warning)
    c.write_output(rendered, output, report.headline())
    return 1 if report.broken else 0
