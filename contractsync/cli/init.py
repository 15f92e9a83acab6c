"""``contractsync init``: configure a project, create its first contract and types, and say what
to run next."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ..config import find_pyproject
from ..contract import export_contract, init_project, plan_init
from ..io import atomic_write_text
from ..spec.interpreter import project_python
from ..spec.source import AppSource, FileSource, load_spec
from . import _common as c


def init(
    app: Annotated[str, typer.Option("--app", help="FastAPI app as 'pkg.module:app' or a factory.")],
    app_dir: Annotated[str, typer.Option("--app-dir", help="Directory to import the app from.")] = ".",
    contracts_dir: Annotated[str, typer.Option("--contracts-dir", help="Where contracts live.")] = "contracts",
    frontend_types: Annotated[str | None, typer.Option(
        "--frontend-types", help="Also write the TypeScript types here (e.g. ../frontend/src/api/types.ts); "
        "recorded as frontend_types, kept current by `watch` and `accept`.",
        show_default=False)] = None,
    pyproject: Annotated[Path | None, typer.Option(
        "--pyproject", help="pyproject.toml to write (default: the nearest one, else ./pyproject.toml).",
        show_default=False)] = None,
    accept: Annotated[bool, typer.Option(
        "--accept", help="Also accept the contract as the first release (changelog.json, CHANGELOG.md).")] = False,
    force: Annotated[bool, typer.Option("--force", help="Replace an existing [tool.contractsync].")] = False,
    in_process: c.InProcessOption = False,
    python: c.PythonOption = None,
) -> int:
    """Write [tool.contractsync] into pyproject.toml, export the first contract and write the
    TypeScript types (<contracts_dir>/types.ts, and --frontend-types).

    Example: `contractsync init --app bookshop.main:app --frontend-types ../frontend/src/api/types.ts --accept`
    """
    from ..gate import accept as run_accept
    from ..gate import generate_types, types_targets

    target = pyproject or c.STATE.config_file or find_pyproject() or Path("pyproject.toml")
    root = target.parent
    # Nothing is written until both the table (an existing one, a path outside the repository)
    # and the export (an app that does not import) are known to work: no half-done set-up.
    plan_init(target, app=app, app_dir=app_dir, contracts_dir=contracts_dir,
              frontend_types=frontend_types, python=python, force=force)
    interpreter = project_python(python, root=root, app_dir=root / app_dir)
    probe = AppSource(app, app_dir=root / app_dir, in_process=in_process, python=interpreter)
    cfg_contract = root / contracts_dir / "openapi.json"
    result = export_contract(probe, cfg_contract)
    cfg = init_project(target, app=app, app_dir=app_dir, contracts_dir=contracts_dir,
                       frontend_types=frontend_types, python=python, force=force)
    for problem in result.problems:
        c.warn(f"{result.document.source}: {problem}")
    c.info(f"configured [tool.contractsync] in {c.display_path(target)}")
    c.info(f"wrote {c.display_path(cfg.contract_file)} ({len(result.document.data.get('paths') or {})} paths)")
    # From the stored (canonical) form, as `accept` and `watch` generate them: the same bytes.
    types = generate_types(load_spec(FileSource(cfg.contract_file)), cfg)
    for path in types_targets(cfg):
        atomic_write_text(path, types)
        c.info(f"wrote {c.display_path(path)}")
    if accept:
        accepted = run_accept(cfg, app=AppSource(app, app_dir=cfg.app_dir_path, in_process=in_process,
                                                 timeout=cfg.export_timeout, python=interpreter))
        for warning in accepted.warnings:
            c.warn(warning)
        if accepted.release is not None:
            c.info(f"accepted {accepted.release.version} as the first release")
        for path in accepted.written:
            if path.exists():
                c.info(f"wrote {c.display_path(path, cfg.root)}")
    shown_types = ", ".join(c.display_path(p) for p in types_targets(cfg))
    out = c.stdout()
    out.print("\nnext:", markup=False)
    out.print("  contractsync diff     # what the code changed against the stored contract", markup=False)
    out.print("  contractsync check    # in CI: block unannounced breaking changes", markup=False)
    out.print(f"  contractsync watch    # keep {shown_types} current on every save", markup=False)
    return 0
