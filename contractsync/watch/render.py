"""How a rebuild is shown: one status line (plus one line per breaking change) for people, one
JSON object for editor integrations.

The JSON stream (``contractsync watch --json``) has one object per line. ``event`` says which kind:

* ``"rebuild"`` — every rebuild: ``ok``, ``at`` (ISO time), ``ms`` (whole rebuild), ``export_ms``,
  ``trigger`` (changed files), ``spec_changed``, ``sha256``, ``operations``, ``written`` /
  ``unchanged`` (output paths), ``errors`` (outputs that could not be written), ``contract``
  (the stored contract compared against, or null), ``counts`` (per level, or null when there is
  no comparison), ``changes`` (every change, as in ``contractsync diff --format json``),
  ``contract_error``, ``generate_error``, ``type_warnings``, ``export_warnings`` (e.g. an API
  mounted with ``app.mount`` that the contract leaves out), and ``error`` when the export failed (``kind`` ``error`` /
  ``timeout`` / ``crashed``, ``message``, ``where``, ``traceback``, ``output``).
* ``"worker"`` — the warm worker was restarted: ``message``.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import orjson
from rich.console import Console
from rich.markup import escape

from ..diff.model import Change, Level
from ..io import display_path
from .pipeline import RebuildResult

#: Traceback lines shown for an export error: enough to see the cause, short enough for one screen.
TRACEBACK_LINES = 12
#: Breaking (and, separately, possibly breaking) changes listed per rebuild before "… and N more".
MAX_BREAKING_SHOWN = 20
#: Operations named per breaking change.
MAX_OPERATIONS_SHOWN = 3


def _counts_text(result: RebuildResult) -> str:
    if result.contract is None:
        return "no stored contract yet (`contractsync export` creates it)"
    if result.report is None:
        return f"[yellow]{escape(result.contract_error or 'not compared')}[/yellow]"
    counts = result.report.counts()
    if not result.report.api_changes:
        edits = result.report.doc_edits
        return (f"no API changes vs the contract ({edits} documentation-only "
                f"edit{'s' if edits != 1 else ''})" if edits else "no changes vs the contract")
    breaking = counts[Level.BREAKING]
    parts = [
        f"[bold red]{breaking} breaking[/bold red]" if breaking else "0 breaking",
        f"{counts[Level.WARNING]} possibly breaking",
        f"{counts[Level.INFO]} safe",
    ]
    return " · ".join(parts) + " vs the contract"


def _subject(change: Change) -> str:
    ops = list(change.operations)
    if not ops:
        return change.location.subject
    shown = ", ".join(ops[:MAX_OPERATIONS_SHOWN])
    if len(ops) > MAX_OPERATIONS_SHOWN:
        shown += f" and {len(ops) - MAX_OPERATIONS_SHOWN} more"
    return shown


def status_lines(result: RebuildResult) -> list[str]:
    """The rich-markup lines printed for one rebuild."""
    clock = result.started.strftime("%H:%M:%S")
    ms = f"{result.ms:.0f} ms"
    if not result.export.ok:
        return _failure_lines(result, clock, ms)
    if result.written:
        what = "wrote " + ", ".join(escape(display_path(p)) for p in result.written)
    elif result.spec_changed:
        what = "types already current"
    else:
        what = "spec unchanged"
    mark = "[green]✓[/green]" if result.ok else "[yellow]![/yellow]"
    lines = [f"[dim]{clock}[/dim] {mark} {ms} · {what} · {result.operations} operations · "
             f"{_counts_text(result)}"]
    for error in result.errors:
        lines.append(f"    [red]cannot write[/red] {escape(display_path(error.path))}: {escape(error.message)}")
    if result.generate_error:
        lines.append(f"    [red]{escape(result.generate_error)}[/red]")
    for warning in result.export.warnings:
        lines.append(f"    [yellow]warning[/yellow] {escape(warning)}")
    for warning in result.type_warnings[:MAX_BREAKING_SHOWN]:
        lines.append(f"    [yellow]type widened to unknown[/yellow] {escape(warning)}")
    if len(result.type_warnings) > MAX_BREAKING_SHOWN:
        lines.append(f"    … and {len(result.type_warnings) - MAX_BREAKING_SHOWN} more types widened to unknown")
    if result.report is not None and result.spec_changed:
        # Breaking changes, then possibly breaking ones, each with its operations and rule id.
        for label, style, changes in (
            ("breaking", "bold red", result.report.breaking),
            ("possibly breaking", "yellow", [c for c in result.report.changes if c.level is Level.WARNING]),
        ):
            for change in changes[:MAX_BREAKING_SHOWN]:
                lines.append(f"    [{style}]{label}[/{style}] {escape(_subject(change))}: "
                             f"{escape(change.message)} [dim]\\[{escape(change.id)}][/dim]")
            if len(changes) > MAX_BREAKING_SHOWN:
                lines.append(f"    … and {len(changes) - MAX_BREAKING_SHOWN} more {label} changes "
                             "(`contractsync diff` lists them all)")
    return lines


def _failure_lines(result: RebuildResult, clock: str, ms: str) -> list[str]:
    outcome = result.export
    label = {"timeout": "export timed out", "crashed": "export crashed"}.get(outcome.status, "export failed")
    where = f"{outcome.where}: " if outcome.where else ""
    lines = [f"[dim]{clock}[/dim] [bold red]✗[/bold red] {ms} · {label}: {escape(where + outcome.message)}"]
    if outcome.output:
        lines.append("    [dim]app output:[/dim]")
        lines += [f"    [dim]│[/dim] {escape(line)}" for line in outcome.output.splitlines()[-8:]]
    if outcome.traceback:
        tb = user_traceback(outcome.traceback)
        if len(tb) > TRACEBACK_LINES:
            tb = ["…", *tb[-TRACEBACK_LINES:]]
        lines += [f"    [dim]│[/dim] {escape(line)}" for line in tb]
    lines.append("    [dim]the outputs were left as they were; save a fix to rebuild[/dim]")
    return lines


_PACKAGE_DIR = str(Path(__file__).resolve().parents[1])


def user_traceback(text: str) -> list[str]:
    """The traceback's lines without the frames of the import machinery and of contractsync:
    what is left points into the app (and the libraries it called). File names below the
    current directory are shown relative to it."""
    lines = text.rstrip().splitlines()
    kept: list[str] = []
    skipping = False
    for line in lines:
        if line.startswith('  File "'):
            filename = line[len('  File "'):].split('"', 1)[0]
            skipping = filename.startswith("<frozen ") or filename.startswith(_PACKAGE_DIR)
            if not skipping:
                short = display_path(Path(filename)) if os.path.isabs(filename) else filename
                kept.append(line.replace(f'"{filename}"', f'"{short}"', 1))
        elif line.startswith("    ") and skipping:
            continue
        else:
            skipping = False
            kept.append(line)
    return kept


def print_status(console: Console, result: RebuildResult) -> None:
    """Print :func:`status_lines` (colour only on a terminal: rich decides)."""
    for line in status_lines(result):
        console.print(line, markup=True, highlight=False, soft_wrap=True)


def rebuild_event(result: RebuildResult) -> dict[str, Any]:
    """The ``"rebuild"`` JSON object (see the module docstring)."""
    report = result.report
    event: dict[str, Any] = {
        "event": "rebuild",
        "ok": result.ok,
        "at": result.started.isoformat(timespec="milliseconds"),
        "ms": round(result.ms, 1),
        "export_ms": round(result.export.ms, 1),
        "trigger": result.trigger,
        "spec_changed": result.spec_changed,
        "sha256": result.sha256 or None,
        "operations": result.operations,
        "written": [display_path(p) for p in result.written],
        "unchanged": [display_path(p) for p in result.unchanged],
        "errors": [{"path": display_path(e.path), "message": e.message} for e in result.errors],
        "contract": display_path(result.contract) if result.contract else None,
        "counts": ({level.value: n for level, n in report.counts().items()} if report is not None else None),
        "changes": [c.to_dict() for c in report] if report is not None else [],
        "contract_error": result.contract_error,
        "generate_error": result.generate_error,
        "type_warnings": result.type_warnings,
        "export_warnings": result.export.warnings,
        "error": None,
    }
    if not result.export.ok:
        outcome = result.export
        event["error"] = {"kind": outcome.status, "message": outcome.message, "where": outcome.where,
                          "traceback": outcome.traceback, "output": outcome.output}
    return event


def json_line(event: dict[str, Any]) -> bytes:
    """One event as a line of JSON."""
    return orjson.dumps(event) + b"\n"
