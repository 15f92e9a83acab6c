"""``contractsync generate``: TypeScript types for the frontend, pydantic models for Python."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from ..pymodels import to_python
from ..spec.source import load_spec
from ..typescript import TypeScriptConfig, TypeScriptOptions, TypeScriptWarning
from ..typescript.output import OutputState, sync_output
from . import _common as c

app = typer.Typer(
    name="generate",
    help=(
        "Generate code from the contract: TypeScript types for the frontend (openapi-fetch "
        "ready) or pydantic models for Python.\n\n"
        "Example: `contractsync generate typescript contracts/openapi.json -o frontend/src/api/types.ts`"
    ),
    no_args_is_help=True,
    rich_markup_mode="markdown",
)

SpecArgument = Annotated[
    str | None,
    typer.Argument(
        help="File, '-', URL, REV:path or app:pkg.module:app (default: the stored contract).",
        show_default=False,
    ),
]
OutputOption = Annotated[
    list[Path] | None,
    typer.Option(
        "--output", "-o",
        help="File to write; repeat for several, '-' for stdout (default: <contracts_dir>/types.ts "
        "and [tool.contractsync] frontend_types).",
        show_default=False,
    ),
]
CheckOption = Annotated[
    bool,
    typer.Option("--check", help="Write nothing; exit 1 when a file on disk is missing or stale (for CI "
                 "and pre-commit)."),
]

_MAX_WARNINGS_SHOWN = 20


def _flag(help_text: str, name: str) -> Any:
    return typer.Option(f"--{name}/--no-{name}", help=help_text, show_default=False)


def _options(cfg_ts: TypeScriptConfig, **flags: bool | None) -> TypeScriptOptions:
    """Config values overridden by the flags the user gave."""
    return cfg_ts.model_copy(update={k: v for k, v in flags.items() if v is not None})


def _targets(outputs: list[Path] | None, default: list[Path]) -> list[Path]:
    return list(dict.fromkeys(outputs)) if outputs else default


def _emit(text: str, targets: list[Path], check: bool, what: str) -> int:
    """Write (or check) ``text`` at every target; exit code 1 when ``check`` finds a stale file."""
    stale: list[str] = []
    for target in targets:
        if str(target) == "-":
            if check:
                raise typer.BadParameter("--check compares with a file, not stdout", param_hint="--output")
            sys.stdout.write(text)
            sys.stdout.flush()
            continue
        shown = c.display_path(target)
        state = sync_output(target, text, check=check)
        if state is OutputState.STALE:
            stale.append(shown)
            c.stdout().print(f"{shown} is stale", markup=False)
        elif state is OutputState.CURRENT:
            c.stdout().print(f"{shown} is current", markup=False)
        else:
            verb = "wrote" if state is OutputState.WRITTEN else "unchanged:"
            c.info(f"{verb} {shown} ({len(text.encode('utf-8')):,} bytes)")
    if stale:
        c.stdout().print(f"run `contractsync generate {what}` to update {', '.join(stale)}", markup=False)
        return 1
    return 0


def _report(warnings: list[TypeScriptWarning], source: str) -> None:
    for warning in warnings[:_MAX_WARNINGS_SHOWN]:
        c.warn(f"{source}: {warning}")
    if len(warnings) > _MAX_WARNINGS_SHOWN:
        c.warn(f"{source}: … and {len(warnings) - _MAX_WARNINGS_SHOWN} more places typed less exactly")


@app.command("typescript")
def typescript(
    spec: SpecArgument = None,
    output: OutputOption = None,
    app_target: c.AppOption = None,
    app_dir: c.AppDirOption = None,
    in_process: c.InProcessOption = False,
    timeout: c.TimeoutOption = None,
    python: c.PythonOption = None,
    enum: Annotated[bool | None, _flag("Emit `export enum` for component enums instead of literal unions.", "enum")] = None,
    enum_values: Annotated[bool | None, _flag("Also export each component enum's values as a const array.", "enum-values")] = None,
    immutable: Annotated[bool | None, _flag("Make every property and array readonly.", "immutable")] = None,
    alphabetize: Annotated[bool | None, _flag("Sort paths, schemas and properties by name.", "alphabetize")] = None,
    exclude_deprecated: Annotated[bool | None, _flag("Leave out deprecated operations, parameters and properties.", "exclude-deprecated")] = None,
    export_type: Annotated[bool | None, _flag("Use `export type X = {…}` instead of interfaces.", "export-type")] = None,
    aliases: Annotated[bool | None, _flag("Export an alias per schema (`export type Book = …`); on by default.", "aliases")] = None,
    check: CheckOption = False,
    symbols: Annotated[Path | None, typer.Option(
        "--symbols", help="Also write the symbol map (JSON: which lines of the types come from which "
                          "schema, operation, path or alias) to this file.", show_default=False)] = None,
) -> int:
    """Generate TypeScript types for the contract: `paths`, `components` and `operations` for
    `createClient<paths>()` from openapi-fetch, plus an alias per schema.

    Defaulted fields are optional in request bodies and always present in responses; uploads are
    `Blob`. Flags override `[tool.contractsync.typescript]`. With `--check`, exit 1 when a file
    on disk is missing or differs (CI, pre-commit).

    Example: `contractsync generate typescript contracts/openapi.json -o /tmp/types.ts`
    """
    cfg = c.config()
    source = c.spec_source(spec, cfg, app=app_target, app_dir=app_dir, in_process=in_process,
                           timeout=timeout, python=python, default="contract")
    options = _options(
        cfg.typescript,
        enum=enum, enum_values=enum_values, immutable=immutable, alphabetize=alphabetize,
        exclude_deprecated=exclude_deprecated, export_type=export_type, aliases=aliases,
    )
    doc = load_spec(source)
    warnings: list[TypeScriptWarning] = []
    from ..typescript import to_typescript_with_symbols

    result = to_typescript_with_symbols(doc, options, warn=warnings.append)
    text = result.text
    _report(warnings, doc.source)
    if symbols is not None and not check:
        from ..io import atomic_write_text

        atomic_write_text(symbols, result.symbols.to_json())
    default = [cfg.contracts_path / "types.ts"]
    if cfg.frontend_types:
        default.append(cfg.root / cfg.frontend_types)
    return _emit(text, _targets(output, default), check, "typescript")


@app.command("python")
def python(
    spec: SpecArgument = None,
    output: Annotated[
        list[Path] | None,
        typer.Option("--output", "-o", help="File to write; '-' for stdout (default: <contracts_dir>/models.py).",
                     show_default=False),
    ] = None,
    app_target: c.AppOption = None,
    app_dir: c.AppDirOption = None,
    in_process: c.InProcessOption = False,
    timeout: c.TimeoutOption = None,
    python: c.PythonOption = None,
    check: CheckOption = False,
) -> int:
    """Generate pydantic v2 models for the contract's schemas (via datamodel-code-generator).

    Deterministic: no timestamp, a header naming the contract version and sha256.

    Example: `contractsync generate python contracts/openapi.json -o /tmp/models.py`
    """
    cfg = c.config()
    source = c.spec_source(spec, cfg, app=app_target, app_dir=app_dir, in_process=in_process,
                           timeout=timeout, python=python, default="contract")
    doc = load_spec(source)
    text = to_python(doc)
    return _emit(text, _targets(output, [cfg.contracts_path / "models.py"]), check, "python")
