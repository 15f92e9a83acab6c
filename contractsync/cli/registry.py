"""``contractsync registry``: tokens and the static mirror of a registry's storage."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ._common import stdout, warn
from .serve import DatabaseOption, DataOption

app = typer.Typer(help="Manage a contract registry's tokens and static mirror (works on its storage directly).",
                  no_args_is_help=True)
token_app = typer.Typer(help="Create, list and revoke bearer tokens.\n\nExample: `contractsync registry token list "
                        "--data ./registry-data`", no_args_is_help=True)
app.add_typer(token_app, name="token")


def _store(data: Path | None, database: str | None, *, existing: bool = False):  # type: ignore[no-untyped-def]
    """The registry's storage. ``existing``: for commands that only read or change what is there
    (list, revoke, export), a --data directory without a registry is an error, not a new empty
    registry (a misspelt --data exported an empty mirror, exit 0)."""
    from ..errors import InputError
    from ..registry.store import open_store

    if data is not None and database is not None:
        raise InputError("give --data DIR or --database URL, not both")
    directory = data or Path("contractsync-data")
    if existing and database is None and not (directory / "registry.sqlite3").is_file():
        raise InputError("no registry here (no registry.sqlite3): give the --data DIR that `contractsync serve` uses",
                         source=str(directory))
    try:
        return open_store(data_dir=directory, database_url=database)
    except InputError:
        raise
    except Exception as exc:
        raise InputError(f"cannot open the registry storage: {exc}") from None


@token_app.command("create")
def create(
    name: Annotated[str, typer.Argument(help="Who or what uses the token (e.g. 'backend-ci'); shown as author.")],
    scope: Annotated[list[str], typer.Option("--scope", help="read, publish or admin (repeat for several).")],
    contract: Annotated[list[str] | None, typer.Option("--contract", help="Limit the token to this contract "
                                                       "(repeat for several).", show_default=False)] = None,
    data: DataOption = None,
    database: DatabaseOption = None,
) -> None:
    """Create a token and print it once (only its hash is stored).

    Example: `contractsync registry token create backend-ci --scope publish --contract bookshop --data ./registry-data`
    """
    from ..errors import InputError
    from ..registry.auth import create_token

    store = _store(data, database)
    try:
        plain, row = create_token(store, name, scope, contract or None)
    except ValueError as exc:
        message = str(exc)
        where = "NAME" if "token name" in message else "--contract" if "contract" in message else "--scope"
        raise InputError(message, where=where) from None
    finally:
        store.close()
    typer.echo(plain)
    limited = f", contracts {', '.join(row.contracts)}" if row.contracts else ""
    typer.echo(f"token {row.id} ({row.name}): scopes {', '.join(row.scopes)}{limited}. Store it now: it is not "
               "shown again.", err=True)


@token_app.command("list")
def list_tokens(data: DataOption = None, database: DatabaseOption = None) -> None:
    """List tokens (ids, names, scopes; never the tokens themselves).

    Example: `contractsync registry token list --data ./registry-data`
    """
    store = _store(data, database, existing=True)
    try:
        rows = store.tokens()
    finally:
        store.close()
    out = stdout()
    for r in rows:
        state = f"revoked {r.revoked_at[:19]}" if r.revoked_at else "active"
        contracts = ",".join(r.contracts) if r.contracts else "*"
        out.print(f"{r.id}  {r.name}  scopes={','.join(r.scopes)}  contracts={contracts}  "
                  f"created={r.created_at[:19]}  {state}", markup=False)
    if not rows:
        out.print("no tokens", markup=False)


@token_app.command("revoke")
def revoke(
    token: Annotated[str, typer.Argument(help="The token id (from `token list`) or name (revokes all with it).")],
    data: DataOption = None,
    database: DatabaseOption = None,
) -> None:
    """Revoke a token at once (the next request with it gets 401).

    Example: `contractsync registry token revoke backend-ci --data ./registry-data`
    """
    from ..errors import InputError
    from ..registry.store.sql import now_text

    store = _store(data, database, existing=True)
    try:
        n = store.revoke_token(token, now_text())
    finally:
        store.close()
    if n == 0:
        raise InputError(f"no active token with id or name {token!r}")
    typer.echo(f"revoked {n} token{'s' if n != 1 else ''}")


@app.command("export")
def export(
    static: Annotated[Path, typer.Option("--static", help="Directory to write the read API into.")],
    data: DataOption = None,
    database: DatabaseOption = None,
) -> None:
    """Write the read API as static files so a CDN or object store serves `pull` without the server.

    Example: `contractsync registry export --static ./mirror --data ./registry-data`
    """
    from ..registry.export import export_static
    from ..registry.service import Registry
    from ..registry.settings import RegistrySettings

    store = _store(data, database, existing=True)
    try:
        result = export_static(Registry(store, RegistrySettings(data_dir=data, database_url=database)), static)
    finally:
        store.close()
    typer.echo(f"{static}: {result.written} file{'s' if result.written != 1 else ''} written, "
               f"{result.unchanged} unchanged")
    if result.skipped:
        warn(f"left out (their names are the mirror's own file names): {', '.join(result.skipped)}")
