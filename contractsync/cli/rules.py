"""``contractsync rules``: list the rules the diff engine reports."""

from __future__ import annotations

from typing import Annotated

import orjson
import typer

from ..diff import RULES, Level, Rule
from ..diff.registry import AREAS


def _select(level: str | None, area: str | None) -> list[Rule]:
    if level is not None and level not in {lv.value for lv in Level}:
        raise typer.BadParameter("must be breaking, warning or info", param_hint="--level")
    if area is not None and area not in AREAS:
        raise typer.BadParameter(f"must be one of {', '.join(AREAS)}", param_hint="--area")
    return [r for r in RULES.values()
            if (level is None or r.level.value == level) and (area is None or r.area == area)]


def rules(
    level: Annotated[str | None, typer.Option(
        "--level", help="Only rules with this default level: breaking, warning or info.",
        show_default=False)] = None,
    area: Annotated[str | None, typer.Option(
        "--area", help=f"Only rules of this area: {', '.join(AREAS)}.", show_default=False)] = None,
    output_format: Annotated[str, typer.Option(
        "--format", help="text, json or markdown.")] = "text",
) -> int:
    """List the rules contractsync's diff reports: id, default level, direction and area.

    Example: `contractsync rules --level breaking --area parameters`
    """
    if output_format not in ("text", "json", "markdown"):
        raise typer.BadParameter("must be text, json or markdown", param_hint="--format")
    selected = _select(level, area)
    if output_format == "json":
        typer.echo(orjson.dumps([r.to_dict() for r in selected], option=orjson.OPT_INDENT_2).decode())
    elif output_format == "markdown":
        lines = ["| rule | level | direction | area | what |", "|---|---|---|---|---|"]
        pipe = "\\|"
        lines += [f"| `{r.id}` | {r.level.value} | {r.direction.value} | {r.area} | "
                  f"{r.doc.replace('|', pipe)} |" for r in selected]
        typer.echo("\n".join(lines))
    else:
        width = max((len(r.id) for r in selected), default=0)
        for r in selected:
            typer.echo(f"{r.id:<{width}}  {r.level.value:<8}  {r.direction.value:<8}  {r.area}")
        typer.echo(f"{len(selected)} rule{'s' if len(selected) != 1 else ''}")
    return 0
