"""``contractsync export``: write the app's contract in canonical form, or check it is current."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from ..contract import export_contract
from ..spec.canonical import canonical_json
from ..spec.source import load_spec
from . import _common as c


def export(
    app: c.AppOption = None,
    app_dir: c.AppDirOption = None,
    output: Annotated[Path | None, typer.Option(
        "--output", "-o", help="Where to write ('-' for stdout; default: <contracts_dir>/openapi.json).",
        show_default=False)] = None,
    check: Annotated[bool, typer.Option(
        "--check", help="Write nothing; exit 1 when the stored contract is stale against the code.")] = False,
    in_process: c.InProcessOption = False,
    timeout: c.TimeoutOption = None,
    python: c.PythonOption = None,
    validate: Annotated[bool, typer.Option(
        "--validate/--no-validate",
        help="Also run full OpenAPI validation (bounded; cached by content hash). Off by default: "
             "`contractsync validate` does it on demand.")] = False,
) -> int:
    """Export the FastAPI app's OpenAPI document as the canonical contract.

    The same app always gives byte-identical output: keys in a fixed order, names sorted,
    newline at end. The file is written atomically and only when its content changes.

    Example: `contractsync export --app bookshop.main:app --app-dir examples/bookshop/v1 -o /tmp/openapi.json`
    """
    cfg = c.config()
    source = c.spec_source(None, cfg, app=app, app_dir=app_dir, in_process=in_process, timeout=timeout,
                           python=python)
    if output is not None and str(output) == "-":
        if check:
            raise typer.BadParameter("--check compares with a file, not stdout", param_hint="--output")
        doc = load_spec(source)
        sys.stdout.buffer.write(canonical_json(doc.data))
        return 0
    target = output if output is not None else cfg.contract_file
    shown = c.display_path(target)
    result = export_contract(source, target, validate=validate, check=check)
    for warning in result.document.warnings:
        c.warn(warning)
    for problem in result.problems:
        c.warn(f"{result.document.source}: {problem} (the exported document is not strictly valid OpenAPI)")
    if check:
        if result.stale:
            c.stdout().print(f"{shown} is stale against {result.document.source}:", markup=False)
            for line in result.differences:
                c.stdout().print(f"  {line}", markup=False)
            c.stdout().print("run `contractsync export` (or `contractsync accept` to record a release)",
                             markup=False)
            return 1
        c.stdout().print(f"{shown} is current", markup=False)
        return 0
    verb = "wrote" if result.written else "unchanged:"
    c.info(f"{verb} {shown} ({len(result.document.data.get('paths') or {})} paths, "
           f"sha256 {result.document.sha256[:12]})")
    return 0
