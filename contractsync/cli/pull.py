"""``contractsync pull``: the frontend installs, updates, checks and watches its contract."""

from __future__ import annotations

import signal
import threading
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Annotated

import typer

from . import _common as c

if TYPE_CHECKING:
    from ..client.config import PullSettings
    from ..client.pull import PullOutcome


def pull(
    update: Annotated[bool, typer.Option("--update", help="Take the version the ref names now; print what "
                                         "changed since the locked one and why; rewrite the lock.")] = False,
    accept_breaking: Annotated[bool, typer.Option("--accept-breaking", help="With --update: take breaking "
                                                  "changes too (otherwise exit 1 and write nothing).")] = False,
    check: Annotated[bool, typer.Option("--check", help="Write nothing; exit 1 when the outputs or the config "
                                        "drifted from the lock (CI).")] = False,
    watch: Annotated[bool, typer.Option("--watch", help="Poll the ref and regenerate on every change "
                                        "(Ctrl-C stops).")] = False,
    interval: Annotated[float, typer.Option("--interval", min=0.2, help="Seconds between polls with --watch.")] = 2.0,
    output_format: Annotated[str, typer.Option("--format", help="The update report: text, markdown (a pull "
                                               "request body) or json.")] = "text",
    frontend: Annotated[Path | None, typer.Option(
        "--frontend", help="With --update: type-check this frontend (usually `.`) with the locked and the new "
        "types and name the places each change breaks (`contractsync impact`).", show_default=False)] = None,
    config_file: Annotated[Path | None, typer.Option(
        "--file", "-f", help="contractsync.toml (or pyproject.toml) to read (default: the nearest one).",
        show_default=False)] = None,
    name: Annotated[str | None, typer.Option(
        "--name", help="With several [[pull]] contracts: only the one of this name (default: all, in order).",
        show_default=False)] = None,
    generate: Annotated[str | None, typer.Option(
        "--generate", help="How the types are made, overriding [pull] generate: local (from the verified "
        "contract; the default), registry (the registry's stored types; trusts it) or verify (both, refused "
        "when they differ). Plain sources are always local.", show_default=False)] = None,
) -> int:
    """Install the contract version pinned in `contractsync.lock` and generate the frontend's
    types (offline from the local cache when it has the version).

    `--update` takes what the ref names now and prints what changed since the locked version —
    breaking (with the backend's announced reason), deprecated (with sunset), added — and exits 1
    on breaking changes unless `--accept-breaking`. `--check` fails when outputs or config drift
    from the lock. Configured by `[pull]` in contractsync.toml, or one `[[pull]]` entry per
    contract for a frontend talking to several backends (one lock, an entry per contract).

    Example: `contractsync pull --update --format markdown > pr-body.md`
    """
    from ..client.config import load_pull_configs
    from ..client.lock import locked_names, prune_lock
    from ..client.pull import check as run_check
    from ..client.pull import install
    from ..client.pull import update as run_update
    from ..errors import InputError

    if output_format not in ("text", "markdown", "json"):
        raise typer.BadParameter("must be text, markdown or json", param_hint="--format")
    modes = [flag for flag, on in (("--update", update), ("--check", check), ("--watch", watch)) if on]
    if len(modes) > 1:
        raise InputError(f"{' and '.join(modes)} cannot be combined")
    if accept_breaking and not update:
        raise InputError("--accept-breaking applies to --update")
    if frontend is not None and not update:
        raise InputError("--frontend applies to --update")
    if frontend is not None and not frontend.is_dir():
        # Said before anything is fetched or written, not only once an update arrives.
        raise InputError(f"no such directory: {frontend}", where="--frontend")
    entries = load_pull_configs(config_file or _state_config(), name=name)
    if generate is not None:
        entries = _with_generate(entries, generate)
    several = entries[0].name is not None
    lock_path = entries[0].lock_path
    if check:
        reasons = [(f"[{e.name}] " if several else "") + reason for e in entries for reason in run_check(e)]
        if several and name is None:
            configured = {str(e.name) for e in entries}
            reasons += [f'{c.display_path(lock_path)} has an entry for "{gone}", which the config no longer '
                        "lists: run `contractsync pull`" for gone in locked_names(lock_path) or []
                        if gone not in configured]
        out = c.stdout()
        for reason in reasons:
            out.print(f"contractsync pull --check: {reason}", markup=False)
        if not reasons:
            c.info(f"{c.display_path(lock_path)} is in sync with the config and the outputs")
        return 1 if reasons else 0
    if watch:
        return _watch(entries, interval)
    code = 0
    combined: dict[str, object] = {}
    for settings in entries:
        outcome = run_update(settings, accept_breaking=accept_breaking) if update else install(settings)
        impact_json = None
        if frontend is not None:
            from ..client.pull import frontend_impact
            from ..impact.render import render

            impact = frontend_impact(outcome, frontend, settings)
            if impact is not None:
                if output_format == "json":
                    impact_json = render(impact, "json")
                else:
                    outcome.report.impact = render(impact, output_format)
        if several and output_format == "json":
            combined[str(settings.name)] = _json(outcome, impact_json)
            code = max(code, _verdict(outcome))
        else:
            code = max(code, _show(outcome, output_format, update, impact_json))
    if combined:
        import json

        c.stdout().print(json.dumps({"contracts": combined}, indent=2, ensure_ascii=False), markup=False)
    if several and name is None and code == 0 and prune_lock(lock_path, [str(e.name) for e in entries]):
        c.info(f"wrote {c.display_path(lock_path)} (dropped contracts the config no longer lists)")
    return code


def _with_generate(entries: list[PullSettings], mode: str) -> list[PullSettings]:
    """The entries with ``--generate`` in place of their ``generate`` (registry entries only: a
    plain source has no stored types)."""
    import dataclasses

    from ..client.config import GENERATE_MODES

    if mode not in GENERATE_MODES:
        raise typer.BadParameter(f"must be {', '.join(GENERATE_MODES[:-1])} or {GENERATE_MODES[-1]}",
                                 param_hint="--generate")
    return [dataclasses.replace(e, config=e.config.model_copy(update={"generate": mode}))
            if e.config.registry is not None else e for e in entries]


def _state_config() -> Path | None:
    """The root `--config`, when it names a file `pull` can read."""
    path = c.STATE.config_file
    return path if path is not None and path.suffix == ".toml" else None


def _json(outcome: PullOutcome, impact_json: str | None) -> object:
    """The update report as data, with the frontend impact under ``frontend``."""
    import json

    from ..client.report import render_json

    data = json.loads(render_json(outcome.report))
    if impact_json is not None:
        data["frontend"] = json.loads(impact_json)
    return data


def _verdict(outcome: PullOutcome) -> int:
    """Exit code 1 (and why, on stderr) when the update was refused; else report what was written."""
    if outcome.refused:
        n = len(outcome.report.breaking)
        c.stderr().print(f"contractsync pull: refusing {n} breaking change{'s' if n != 1 else ''}: the outputs and "
                         "the lock are unchanged; rerun with --update --accept-breaking to take them", markup=False)
        return 1
    _progress(outcome)
    return 0


def _show(outcome: PullOutcome, fmt: str, update: bool, impact_json: str | None = None) -> int:
    from ..client.report import headline, render_markdown, render_text

    out = c.stdout()
    report = outcome.report
    if fmt == "markdown":
        out.print(render_markdown(report), markup=False, end="")
    elif fmt == "json":
        import json

        from ..client.report import render_json

        text = (render_json(report) if impact_json is None
                else json.dumps(_json(outcome, impact_json), indent=2, ensure_ascii=False) + "\n")
        out.print(text, markup=False, end="")
    elif report.items or (update and report.changed):
        out.print(render_text(report), markup=False, end="")
    else:
        c.info(headline(report))
    return _verdict(outcome)


def _progress(outcome: PullOutcome) -> None:
    where = {"cache": "the local cache", "registry": "the registry", "source": "the source", "lock": "the lock"}
    for path in outcome.written:
        c.info(f"wrote {c.display_path(path)}")
    if outcome.lock_written:
        c.info("wrote contractsync.lock")
    if not outcome.written and not outcome.lock_written:
        c.info("outputs and lock are current")
    elif outcome.contract_from in where:
        types = {"registry": "; types downloaded from the registry", "generated": "; types generated locally",
                 "verified": "; types generated locally, identical to the registry's"}
        c.info(f"contract from {where[outcome.contract_from]}{types.get(outcome.types_from, '')}")


def _watch(entries: list[PullSettings], interval: float) -> int:
    from ..client.pull import watch
    from ..client.report import render_text

    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    # SIGHUP (the terminal closed) stops it like SIGTERM, as `watch` does (#13).
    stopping = [sig for sig in (signal.SIGTERM, getattr(signal, "SIGHUP", None)) if sig is not None]
    previous = {sig: signal.signal(sig, on_signal) for sig in stopping}
    out = c.stdout()

    def on_update(outcome: PullOutcome) -> None:
        out.print(render_text(outcome.report), markup=False, end="")
        _progress(outcome)

    def on_problem(message: str | None) -> None:
        c.info(f"unreachable, still polling: {message}" if message else "reachable again")

    origins = ", ".join(e.config.origin for e in entries)
    c.info(f"watching {origins} every {interval:g} s (Ctrl-C to stop)")
    try:
        watch(entries, interval=interval, stop=stop, on_update=on_update, on_problem=on_problem)
    except KeyboardInterrupt:
        stop.set()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    c.info("stopped")
    return 0
