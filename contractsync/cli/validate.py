"""``contractsync validate``: full OpenAPI 3.0/3.1 validation with JSON pointers."""

from __future__ import annotations

from typing import Annotated

import orjson
import typer
from rich.markup import escape

from ..contract import operations
from ..spec.parse import duplicate_keys
from ..spec.source import load_spec
from ..spec.validate import validate_document
from . import _common as c


def validate(
    spec: Annotated[str | None, typer.Argument(
        help="File, '-', URL, REV:path or app:pkg.module:app (default: the configured app).",
        show_default=False)] = None,
    app: c.AppOption = None,
    app_dir: c.AppDirOption = None,
    in_process: c.InProcessOption = False,
    timeout: c.TimeoutOption = None,
    python: c.PythonOption = None,
    output_format: Annotated[str, typer.Option("--format", help="text or json.")] = "text",
    no_cache: Annotated[bool, typer.Option("--no-cache", help="Ignore cached verdicts.")] = False,
) -> int:
    """Validate an OpenAPI 3.0/3.1 document and report every problem with its JSON pointer.

    Exit 0 when valid, 1 when there are problems, 2 when the input cannot be read.

    Example: `contractsync validate contracts/openapi.json`
    """
    if output_format not in ("text", "json"):
        raise typer.BadParameter("must be text or json", param_hint="--format")
    cfg = c.config()
    source = c.spec_source(spec, cfg, app=app, app_dir=app_dir, in_process=in_process, timeout=timeout,
                           python=python)
    doc = load_spec(source, refs=False)  # reference problems are listed with the others
    if doc.raw is not None:
        for line_col, key in duplicate_keys(doc.raw, doc.format):
            place = f"{doc.source}:{line_col}" if line_col else doc.source
            c.warn(escape(f"{place}: key {key!r} appears twice in one object; the last one is used"))
    problems = validate_document(doc, use_cache=not no_cache)
    if output_format == "json":
        payload = {
            "source": doc.source,
            "openapi": doc.openapi_version,
            "valid": not problems,
            "problems": [{"pointer": p.pointer, "message": p.message} for p in problems],
        }
        typer.echo(orjson.dumps(payload, option=orjson.OPT_INDENT_2).decode())
    else:
        out = c.stdout()
        for problem in problems:
            where = doc.locate(problem.pointer) if problem.pointer else None
            loc = f"{doc.source}:{where}" if where and doc.path else doc.source
            out.print(f"{loc}: {problem.pointer or '/'}: {problem.message}", markup=False)
        n_ops = len(operations(doc.data))
        if problems:
            out.print(f"{doc.source}: {len(problems)} problem{'s' if len(problems) != 1 else ''} "
                      f"(OpenAPI {doc.openapi_version}, {n_ops} operations)", markup=False)
        else:
            out.print(f"{doc.source}: valid OpenAPI {doc.openapi_version} ({n_ops} operations)", markup=False)
    return 1 if problems else 0


