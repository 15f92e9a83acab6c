"""``contractsync init``: configure a project and create its first contract."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ..config import find_pyproject
from ..contract import export_contract, init_project
from ..spec.source import AppSource
from . import _common as c


def init(
    app: Annotated[str, typer.Option("--app", help="FastAPI app as 'pkg.module:app' or a factory.")],
    app_dir: Annotated[str, typer.Option("--app-dir", help="Directory to import the app from.")] = ".",
    contracts_dir: Annotated[str, typer.Option("--contracts-dir", help="Where contracts live.")] = "contracts",
    frontend_types: Annotated[str | None, typer.Option(
        "--frontend-types", help="Also write the TypeScript types here (e.g. frontend/src/api/types.ts).",
        show_default=False)] = None,
    pyproject: Annotated[Path | None, typer.Option(
        "--pyproject", help="pyproject.toml to write (default: the nearest one, else ./pyproject.toml).",
        show_default=False)] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace an existing [tool.contractsync].")] = False,
    in_process: c.InProcessOption = False,
) -> int:
    """Write [tool.contractsync] into pyproject.toml and export the first contract.

    Example: `contractsync init --app bookshop.main:app --frontend-types ../frontend/src/api/types.ts`
    """
    target = pyproject or c.STATE.config_file or find_pyproject() or Path("pyproject.toml")
    # Export first: a project whose app does not import gets no half-done configuration.
    probe = AppSource(app, app_dir=target.parent / app_dir, in_process=in_process)
    cfg_contract = target.parent / contracts_dir / "openapi.json"
    result = export_contract(probe, cfg_contract)
    cfg = init_project(target, app=app, app_dir=app_dir, contracts_dir=contracts_dir,
                       frontend_types=frontend_types, force=force)
    for problem in result.problems:
        c.warn(f"{result.document.source}: {problem}")
    c.info(f"configured [tool.contractsync] in {c.display_path(target)}")
    c.info(f"wrote {c.display_path(cfg.contract_file)} ({len(result.document.data.get('paths') or {})} paths)")
    return 0
