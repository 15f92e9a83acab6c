"""The ``contractsync`` command: a thin typer layer over the library.

Each command lives in its own module and only parses options, calls the library and maps
results to exit codes; :func:`main` turns :class:`~contractsync.errors.ContractsyncError` into a
one-line message and its exit code, and hides tracebacks unless ``--debug``.
"""

from __future__ import annotations

import os
import sys
import traceback
from pathlib import Path
from typing import Annotated

import click
import typer

from .. import __version__
from ..errors import ContractsyncError
from . import accept as accept_cmd
from . import announce as announce_cmd
from . import changelog as changelog_cmd
from . import check as check_cmd
from . import diff as diff_cmd
from . import export as export_cmd
from . import generate as generate_cmd
from . import impact as impact_cmd
from . import init as init_cmd
from . import publish as publish_cmd
from . import pull as pull_cmd
from . import registry as registry_cmd
from . import rules as rules_cmd
from . import serve as serve_cmd
from . import validate as validate_cmd
from . import watch as watch_cmd
from ._common import STATE, stderr

app = typer.Typer(
    name="contractsync",
    help=(
        "Keep a FastAPI backend and its TypeScript frontend honest: export the OpenAPI contract, "
        "diff it, gate CI on unannounced breaking changes, generate types.\n\n"
        "Example: `contractsync export --app bookshop.main:app --app-dir examples/bookshop/v1 -o -`"
    ),
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode="markdown",
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"contractsync {__version__}")
        raise typer.Exit(0)


@app.callback()
def root(
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks for errors.")] = False,
    config: Annotated[
        Path | None,
        typer.Option("--config", help="pyproject.toml to read [tool.contractsync] from "
                     "(default: the nearest one).", show_default=False),
    ] = None,
    contracts_dir: Annotated[
        str | None,
        typer.Option("--contracts-dir", help="Contract directory (overrides [tool.contractsync] contracts_dir).",
                     show_default=False),
    ] = None,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = False,
) -> None:
    """contractsync: the OpenAPI contract between a FastAPI backend and its frontend."""
    STATE.debug = STATE.debug or debug
    STATE.config_file = config
    STATE.contracts_dir = contracts_dir


# In the order a user meets them: set up, the three workflows, then reference.
app.command("init")(init_cmd.init)
app.command("export")(export_cmd.export)
app.command("validate")(validate_cmd.validate)
app.command("diff")(diff_cmd.diff)
app.command("impact")(impact_cmd.impact)
app.command("check")(check_cmd.check)
app.command("announce")(announce_cmd.announce)
app.command("accept")(accept_cmd.accept)
app.command("changelog")(changelog_cmd.changelog)
app.add_typer(generate_cmd.app, name="generate")
app.command("watch")(watch_cmd.watch)
app.command("publish")(publish_cmd.publish)
app.command("pull")(pull_cmd.pull)
app.command("rules")(rules_cmd.rules)
# The contract registry (#9).
app.command("serve")(serve_cmd.serve)
app.add_typer(registry_cmd.app, name="registry")


_EXIT: tuple[type[BaseException], ...] = (click.exceptions.Exit, typer.Exit)
_ABORT: tuple[type[BaseException], ...] = (click.exceptions.Abort, typer.Abort)
_USAGE: tuple[type[BaseException], ...] = (click.ClickException, getattr(typer, "TyperException", click.ClickException))


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; returns the exit code (also used by tests)."""
    args = sys.argv[1:] if argv is None else argv
    # Reset per call: tests and editors run several commands in one process.
    STATE.debug = bool(os.environ.get("CONTRACTSYNC_DEBUG")) or "--debug" in args
    try:
        result = app(args=args, prog_name="contractsync", standalone_mode=False)
    except _EXIT as exc:
        return int(getattr(exc, "exit_code", 0) or 0)
    except _ABORT:
        stderr().print("aborted", markup=False)
        return 130
    except _USAGE as exc:
        # typer >= 0.29 vendors click: its exceptions are not click's, so both are listed.
        show = getattr(exc, "show", None)
        if callable(show):
            show()
        else:
            stderr().print(f"contractsync: error: {exc}", markup=False)
        return 2
    except ContractsyncError as exc:
        _report(exc)
        return exc.exit_code
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0
    except Exception as exc:  # last line of defence: one line, no traceback
        if STATE.debug:
            traceback.print_exc()
        stderr().print(f"contractsync: internal error: {type(exc).__name__}: {exc} "
                       "(run with --debug for the traceback)", markup=False)
        return 2
    return int(result) if isinstance(result, int) else 0


def _report(exc: ContractsyncError) -> None:
    err = stderr()
    details = getattr(exc, "details", "")
    if details:
        err.print(details, markup=False)
    if STATE.debug:
        debug_details = getattr(exc, "debug_details", "")
        if debug_details:
            err.print(debug_details, markup=False)
        traceback.print_exception(exc)
    err.print(f"contractsync: error: {exc.one_line()}", markup=False)


def entrypoint() -> None:
    """The ``contractsync`` console script."""
    code = main()
    # Every file was written atomically and closed by now; skipping the interpreter's teardown
    # saves tearing down millions of objects of two large documents (0.3 s on GitHub's pair).
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (BrokenPipeError, ValueError):
        pass
    os._exit(code)
