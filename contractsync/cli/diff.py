"""``contractsync diff``: classify every change between two contracts and gate on it."""

from __future__ import annotations

import contextlib
import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ..diff.compare import compare, load_for_diff
from ..diff.model import Level, Report
from ..diff.options import DiffOptions
from ..errors import InputError
from ..io import repo_path
from ..render import FAIL_ON_VALUES, FORMATS, Near, RenderContext, failing, nearest_in_base, render
from ..render._common import file_of
from ..spec.source import FileSource, GitSource, MissingAtRevision, Source
from . import _common as c

if TYPE_CHECKING:
    from ..config import Config
    from ..impact import ImpactReport
    from ..spec.document import Document


def diff(
    base: Annotated[str | None, typer.Argument(
        help="The old contract: file, '-', URL, REV:path (e.g. origin/main:contracts/openapi.json) "
             "or app:pkg.module:app. Default: the stored contract (<contracts_dir>/openapi.json).",
        show_default=False)] = None,
    new: Annotated[str | None, typer.Argument(
        help="The new contract, any source as for BASE. Default: the configured app (or --app).",
        show_default=False)] = None,
    app: c.AppOption = None,
    app_dir: c.AppDirOption = None,
    in_process: c.InProcessOption = False,
    timeout: c.TimeoutOption = None,
    python: c.PythonOption = None,
    output_format: Annotated[str, typer.Option(
        "--format", "-f", help=f"Output format: {', '.join(FORMATS)}.")] = "text",
    output: Annotated[Path | None, typer.Option(
        "--output", "-o", help="Write the report to FILE (atomically) instead of stdout.",
        show_default=False)] = None,
    fail_on: Annotated[str | None, typer.Option(
        "--fail-on", help="Exit 1 when a change at or above this level exists: breaking, warning, "
                          "info or never. Default: [tool.contractsync.diff] fail_on, else breaking.",
        show_default=False)] = None,
    allow_external_refs: Annotated[bool, typer.Option(
        "--allow-external-refs",
        help="Follow $refs into other files below each spec's directory (never URLs); without "
             "it an external $ref is an error.")] = False,
    now: c.NowOption = None,
    profile: Annotated[str | None, typer.Option(
        "--profile", help="Rule profile: 'typescript' makes changes that break a TypeScript build "
                          "breaking (default: [tool.contractsync.diff] profile).", show_default=False)] = None,
    frontend: c.FrontendOption = None,
    types: c.TypesOption = None,
    openapi: c.OpenapiOption = None,
    generate_cmd: c.GenerateOption = None,
    typecheck_cmd: c.TypecheckOption = None,
    level: Annotated[str | None, typer.Option(
        "--level", help="List only changes at or above this level: breaking, warning or info. "
                        "A display filter: the summary still counts every change and the exit "
                        "code still follows --fail-on.", show_default=False)] = None,
    include_docs: Annotated[bool, typer.Option(
        "--include-docs", help="Also list documentation-only edits (descriptions, summaries, "
                               "titles, examples) as documentation-changed (info); without it "
                               "they are only counted.")] = False,
) -> int:
    """Show what changed between two contracts, every change classified with a stable rule id.

    Exit 0 when nothing at or above --fail-on changed, 1 when something did, 2 when an input
    cannot be read (a failed load never reports "no changes").

    Example: `contractsync diff contracts/openapi.json --app bookshop.main:app --app-dir examples/bookshop/v2`
    """
    if output_format not in FORMATS:
        raise InputError(f"must be one of {', '.join(FORMATS)}", where="--format")
    if fail_on is not None and fail_on not in FAIL_ON_VALUES:
        raise InputError(f"must be one of {', '.join(FAIL_ON_VALUES)}", where="--fail-on")
    if profile is not None and profile != "typescript":
        raise InputError("the only profile is 'typescript'", where="--profile")
    shown_level = _level(level)
    if base == "-" and new == "-":
        raise InputError("only one side can be read from standard input", where="BASE/NEW")
    today = c.parse_now(now).date() if now is not None else dt.date.today()
    cfg = c.config()
    threshold_name = fail_on or cfg.diff.fail_on
    base_src = _base_source(base, cfg)
    new_src = c.spec_source(new, cfg, app=app, app_dir=app_dir, in_process=in_process,
                            timeout=timeout, python=python, default="app")
    options = DiffOptions(now=today, allow_external_refs=allow_external_refs,
                          include_docs=include_docs, profile=profile or cfg.diff.profile)
    try:
        result = compare(base_src, new_src, options=options, settings=cfg.diff,
                         config_file=str(cfg.file) if cfg.file else None)
    except MissingAtRevision as exc:
        if not isinstance(base_src, GitSource) or exc.source != str(base_src):
            raise
        # A contract newer than the base revision (its first pull request): nothing to compare
        # with, which the headline says rather than "no changes". The new side must still load.
        revision = load_for_diff(new_src, allow_external_refs=allow_external_refs)
        empty = Report(base_source=str(base_src), revision_source=revision.source,
                       no_base=exc.message)
        _output(empty, output_format, output, threshold_name, base_file=None,
                revision_file=_repo_file(new_src, revision), near=None)
        return 0
    report = result.report
    base_file = _repo_file(base_src, result.base)
    revision_file = _repo_file(new_src, result.revision)
    # The pre-merge case (stored contract → app export): additions have no line in any file,
    # so anchor them at what encloses them in the stored contract.
    near = nearest_in_base(report, result.base) if base_file and not revision_file else None
    for warning in result.warnings:
        c.warn(warning)
    from .impact import frontend_dir, run_impact

    directory = frontend_dir(frontend, cfg)
    if directory is None:
        _output(report.shown_at(shown_level), output_format, output, threshold_name,
                base_file=base_file, revision_file=revision_file, near=near)
        return 1 if failing(report, threshold_name) else 0
    impact = run_impact(result, directory, types=types, typecheck_cmd=typecheck_cmd, no_cache=False,
                        openapi=openapi, generate_cmd=generate_cmd)
    rendered = _combined(render(report.shown_at(shown_level), output_format, fail_on=threshold_name, base_file=base_file,
                                revision_file=revision_file, near=near), impact, output_format)
    for warning in [*report.warnings, *impact.warnings]:
        c.warn(warning)
    c.write_output(rendered, output, impact.headline())
    return 1 if failing(report, threshold_name) or impact.broken else 0


def _combined(diff_text: str, impact: ImpactReport, output_format: str) -> str:
    """The diff report followed by the frontend impact, in one document of the same format."""
    import json

    from ..impact.render import render as render_impact

    extra = render_impact(impact, "text" if output_format == "junit" else output_format)
    if output_format == "json":
        data = json.loads(diff_text)
        data["frontend"] = json.loads(extra)
        return json.dumps(data, indent=2) + "\n"
    if output_format == "sarif":
        data = json.loads(diff_text)
        data["runs"].extend(json.loads(extra)["runs"])
        return json.dumps(data, indent=2) + "\n"
    if output_format == "junit":
        return diff_text
    return diff_text + "\n" + extra


def _level(value: str | None) -> Level | None:
    if value is None:
        return None
    try:
        return Level(value)
    except ValueError:
        raise InputError(f"must be one of {', '.join(lv.value for lv in Level)}",
                         where="--level") from None


def _output(report: Report, output_format: str, output: Path | None, fail_on: str, *,
            base_file: str | None, revision_file: str | None, near: Near | None) -> None:
    """Print or write the rendered report; warnings go to stderr unless the text is printed."""
    if output is None and output_format == "text":
        from ..render import text

        c.stdout().print(text.build(report, RenderContext(fail_on, base_file, revision_file, near)), end="")
        return
    rendered = render(report, output_format, fail_on=fail_on, base_file=base_file,
                      revision_file=revision_file, near=near)
    for warning in report.warnings:
        c.warn(warning)
    from ..render._common import summary_line

    c.write_output(rendered, output, summary_line(report))


def _base_source(base: str | None, cfg: Config) -> Source:
    if base is not None:
        return c.spec_source(base, cfg, default="contract")
    stored: Path = cfg.contract_file
    shown = stored
    with contextlib.suppress(ValueError):
        shown = stored.resolve().relative_to(Path.cwd().resolve())
    if not stored.is_file():
        raise InputError(
            "no stored contract to compare with: run `contractsync export` to create it, "
            "or pass BASE (e.g. origin/main:contracts/openapi.json)",
            source=str(shown),
        )
    return FileSource(shown)


def _repo_file(source: Source, doc: Document) -> str | None:
    """The path annotations should name for this side: a local file or the path of a
    ``REV:path`` source, relative to the repository root; None for apps, stdin and URLs."""
    if isinstance(source, FileSource):
        return repo_path(source.path)
    if isinstance(source, GitSource):
        return file_of(doc.source)
    return None
