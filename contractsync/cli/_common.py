"""Conventions shared by every command: errors → exit codes, ``--debug``, colour, spec options.

Exit codes: 0 ok, 1 a check failed, 2 usage or input error (and internal errors, which print a
traceback only with ``--debug``). Colour only on a terminal; ``NO_COLOR`` is honoured (rich does
both).
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from ..config import Config, load_config
from ..errors import InputError
from ..io import display_path as display_path  # re-exported for the command modules
from ..spec.source import AppSource, Source, parse_source
from ..terminal import SafeConsole, printable


@dataclass
class State:
    """Options of the root command, visible to every subcommand."""

    debug: bool = False
    config_file: Path | None = None
    contracts_dir: str | None = None


STATE = State(debug=bool(os.environ.get("CONTRACTSYNC_DEBUG")))


def stdout() -> Console:
    """Console for results (colour only when stdout is a terminal and NO_COLOR is unset; control
    characters from documents printed visibly, see :mod:`contractsync.terminal`)."""
    return SafeConsole(highlight=False, soft_wrap=True)


def stderr() -> Console:
    """Console for diagnostics (control characters printed visibly, as for :func:`stdout`)."""
    return SafeConsole(stderr=True, highlight=False, soft_wrap=True)


def warn(message: str) -> None:
    """Print a one-line warning to stderr."""
    stderr().print(f"[yellow]warning:[/yellow] {message}", markup=True)


def info(message: str) -> None:
    """Print a progress/info line to stderr (keeps stdout clean for results)."""
    stderr().print(message, markup=False)


def config() -> Config:
    """The project's config (``--config`` or the nearest pyproject.toml), with root-level
    overrides such as ``--contracts-dir`` applied."""
    return load_config(STATE.config_file).with_overrides(contracts_dir=STATE.contracts_dir)


# --- options shared by the commands that take a spec ----------------------------------------

AppOption = Annotated[
    str | None,
    typer.Option("--app", help="FastAPI app as 'pkg.module:app' (or a factory 'pkg.module:create_app').",
                 show_default=False),
]
AppDirOption = Annotated[
    Path | None,
    typer.Option("--app-dir", help="Directory to import the app from (like uvicorn's --app-dir).",
                 show_default=False),
]
InProcessOption = Annotated[
    bool,
    typer.Option("--in-process", help="Import the app in this process instead of a fresh child process."),
]
PythonOption = Annotated[
    str | None,
    typer.Option("--python", metavar="PATH",
                 help="The app's Python interpreter (or virtualenv directory); default: [tool.contractsync] "
                 "python, the active virtualenv, a .venv/venv in the app dir or above, else contractsync's own.",
                 show_default=False),
]
TimeoutOption = Annotated[
    float | None,
    typer.Option("--timeout", help="Seconds the app export may take (default 60).", show_default=False),
]


def app_source(
    cfg: Config,
    app: str | None,
    app_dir: Path | None,
    in_process: bool = False,
    timeout: float | None = None,
    python: str | None = None,
) -> AppSource | None:
    """The app named by ``--app`` or the config, as a source; None if neither names one."""
    target = app or cfg.app
    if not target:
        return None
    directory = app_dir if app_dir is not None else (cfg.app_dir_path if not app else Path("."))
    return AppSource(
        target,
        app_dir=directory,
        in_process=in_process,
        timeout=timeout if timeout is not None else cfg.export_timeout,
        python=cfg.app_python(python, directory),
    )


def spec_source(
    spec: str | None,
    cfg: Config,
    *,
    app: str | None = None,
    app_dir: Path | None = None,
    in_process: bool = False,
    timeout: float | None = None,
    python: str | None = None,
    default: str = "app",
) -> Source:
    """Resolve a SPEC argument (or its absence) to a source.

    With no SPEC: ``default="app"`` means the configured/``--app`` app, ``default="contract"``
    the stored contract.
    """
    if spec is not None:
        if app_dir is None and cfg.app and spec == f"app:{cfg.app}":
            # The configured app, spelled as a SPEC, lives where the config says it does.
            app_dir = cfg.app_dir_path
        src = parse_source(spec, app_dir=app_dir)
        if isinstance(src, AppSource):
            return AppSource(src.target, app_dir=src.app_dir, in_process=in_process,
                             timeout=timeout if timeout is not None else cfg.export_timeout,
                             python=cfg.app_python(python, src.app_dir))
        return src
    if default == "contract" and not app:
        if not cfg.contract_file.exists():
            raise InputError(
                "no stored contract: run `contractsync export` to create it, or pass a SPEC "
                "(a file, REV:path, a URL or app:pkg.module:app)", source=str(cfg.contract_file))
        return parse_source(str(cfg.contract_file))
    source = app_source(cfg, app, app_dir, in_process, timeout, python)
    if source is None:
        raise InputError(
            "no spec given and no app configured: pass a SPEC, --app pkg.module:app, "
            "or run `contractsync init --app pkg.module:app`"
        )
    return source


NowOption = Annotated[
    str | None,
    typer.Option("--now", help="Today as YYYY-MM-DD (or an ISO date-time), for sunset dates and ignore "
                 "expiry: reproducible CI runs.", show_default=False),
]


def parse_now(text: str) -> dt.datetime:
    """``--now``: an ISO date (``2026-11-26``) or date-time; raises :class:`InputError`."""
    try:
        if len(text) == 10:
            d = dt.date.fromisoformat(text)
            return dt.datetime(d.year, d.month, d.day, tzinfo=dt.UTC)
        value = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise InputError(f"'{text}' is not a date (YYYY-MM-DD) or an ISO date-time", where="--now") from None
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


FrontendOption = Annotated[
    Path | None,
    typer.Option("--frontend", help="Frontend directory (with package.json and contractsync.toml) whose "
                 "own type-check (vue-tsc/tsc) runs with the old and the new types: the files and lines "
                 "each change breaks are reported. Default: [tool.contractsync] frontend_dir.",
                 show_default=False),
]
TypesOption = Annotated[
    str | None,
    typer.Option("--types", help="With a frontend: its generated types file, relative to the frontend "
                 "directory (default: [pull] types of its contractsync.toml, or its contractsync.lock).",
                 show_default=False),
]
OpenapiOption = Annotated[
    str | None,
    typer.Option("--openapi", help="With a frontend whose client another tool generates (openapi-ts, "
                 "openapi-typescript, orval): where that tool reads the contract, relative to the "
                 "frontend; the old and the new contract are written there (default: [pull] openapi "
                 "of its contractsync.toml). Use with --generate-cmd.", show_default=False),
]
GenerateOption = Annotated[
    str | None,
    typer.Option("--generate-cmd", help="With a frontend: its own client generator, run in the copy "
                 "after the contract is written to --openapi and before the type-check, e.g. 'npm run "
                 "generate-client' (default: [impact] generate of its contractsync.toml).",
                 show_default=False),
]
TypecheckOption = Annotated[
    str | None,
    typer.Option("--typecheck-cmd", help="With a frontend: the type-check command run in (a copy of) "
                 "it (default: 'vue-tsc --noEmit' when vue-tsc is a dependency, else 'tsc --noEmit').",
                 show_default=False),
]


def write_output(rendered: str, output: Path | None, summary: str) -> None:
    """A rendered report to stdout (no ``--output`` or ``-``), else atomically to the file, saying
    so on stderr with its one-line ``summary``."""
    if output is None or str(output) == "-":
        sys.stdout.write(printable(rendered))
        sys.stdout.flush()
        return
    from ..io import atomic_write_text

    atomic_write_text(output, rendered)
    info(f"wrote {output}: {summary}")


def is_tty() -> bool:
    return sys.stdout.isatty()
