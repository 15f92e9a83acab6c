"""The watch loop: file events → debounced rebuilds, worker restarts, clean shutdown.

Events come from watchfiles' Rust watcher (inotify on Linux), created *before* the first rebuild
so no save is lost between the first rebuild and the first wait. A rebuild starts once
``debounce_ms`` pass without a further event; saves made during a rebuild are kept and start
the next one, so the outputs always end at the state of the last save.

Changes to ``pyproject.toml`` or a lock file (``uv.lock``, ``poetry.lock``, ``Pipfile.lock``,
``requirements*.txt``) mean the installed dependencies may have changed: the warm worker is
restarted before the rebuild. They are also checked by ``stat`` once a second, so they count
even when they live outside the watched paths.
"""

from __future__ import annotations

import contextlib
import fnmatch
import os
import shutil
import signal
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from types import FrameType
from typing import Any

from rich.console import Console
from rich.markup import escape
from watchfiles import DefaultFilter
from watchfiles._rust_notify import RustNotify

from ..io import display_path, scratch_dir
from ..terminal import SafeConsole
from .pipeline import Builder, RebuildResult
from .render import json_line, print_status, rebuild_event
from .settings import WatchSettings
from .worker import Exporter, WorkerError, make_exporter

#: Files whose change restarts the warm worker (matched by name, globs allowed).
RESTART_PATTERNS = ("pyproject.toml", "uv.lock", "poetry.lock", "Pipfile.lock", "pdm.lock",
                    "requirements*.txt")
#: How often (ms) the loop wakes up without events to check the worker and the restart files.
IDLE_WAKE_MS = 1000
#: The longest a burst of changes is grouped before a rebuild starts anyway (ms).
MAX_DEBOUNCE_MS = 2000
#: Source suffixes whose change triggers a rebuild.
SOURCE_SUFFIXES = (".py",)


class SourceFilter(DefaultFilter):
    """Python sources under the watched paths, minus the ``ignore`` globs and the usual caches,
    plus the files that restart the worker or change the comparison (the stored contract)."""

    def __init__(self, ignore: Iterable[str], extra_files: Iterable[Path]) -> None:
        super().__init__()
        self.ignore_globs = tuple(ignore)
        self.extra = {os.path.realpath(p) for p in extra_files}

    def __call__(self, change: Any, path: str) -> bool:
        name = os.path.basename(path)
        if any(fnmatch.fnmatch(name, pattern) for pattern in RESTART_PATTERNS):
            return True
        if os.path.realpath(path) in self.extra:
            return True
        if not path.endswith(SOURCE_SUFFIXES):
            return False
        if self.ignored(path):
            return False
        return bool(super().__call__(change, path))

    def ignored(self, path: str) -> bool:
        """True when ``path`` matches an ``ignore`` glob (as given, relative, or by name)."""
        if not self.ignore_globs:
            return False
        candidates = {path, os.path.basename(path)}
        with contextlib.suppress(ValueError):
            candidates.add(os.path.relpath(path))
        return any(fnmatch.fnmatch(c, g) for c in candidates for g in self.ignore_globs)


def restart_files(dirs: Iterable[Path]) -> dict[Path, tuple[int, int]]:
    """The dependency files present in ``dirs``, with their (mtime, size)."""
    found: dict[Path, tuple[int, int]] = {}
    for directory in dirs:
        try:
            entries = list(os.scandir(directory))
        except OSError:
            continue
        for entry in entries:
            if any(fnmatch.fnmatch(entry.name, p) for p in RESTART_PATTERNS):
                with contextlib.suppress(OSError):
                    st = entry.stat()
                    found[Path(entry.path)] = (st.st_mtime_ns, st.st_size)
    return found


def _file_key(path: Path) -> tuple[int, int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return (st.st_mtime_ns, st.st_size)


class _Terminated(Exception):
    """SIGTERM arrived (turned into a clean exit with code 0)."""


class Watcher:
    """Runs ``contractsync watch``: a first rebuild, then one per burst of saves."""

    def __init__(self, settings: WatchSettings, *, out: Console | None = None,
                 err: Console | None = None, stdout: Any = None) -> None:
        self.settings = settings
        self.out = out or SafeConsole(highlight=False, soft_wrap=True)
        self.err = err or SafeConsole(stderr=True, highlight=False, soft_wrap=True)
        self._stdout = stdout if stdout is not None else sys.stdout.buffer
        self._workdir = scratch_dir("contractsync-watch-")
        self.exporter: Exporter = make_exporter(
            settings.target, settings.app_dir, self._workdir / "worker", timeout=settings.timeout,
            fresh=[p for p in settings.paths if p.is_dir()], notify=self._notify_worker,
            python=settings.python, scratch=self._workdir,
        )
        self.builder = Builder(self.exporter, settings.outputs, settings.contract_file,
                               source_name=f"app {settings.target}", ts_options=settings.ts_options,
                               diff_config=settings.diff_config)
        self._terminated = False
        self.rebuilds = 0

    # -- output ------------------------------------------------------------------------------

    def _notify_worker(self, message: str) -> None:
        if self.settings.json:
            self._emit({"event": "worker", "message": message})
        else:
            self.err.print(f"[yellow]{escape(message)}[/yellow]", markup=True)

    def _emit(self, event: dict[str, Any]) -> None:
        self._stdout.write(json_line(event))
        self._stdout.flush()

    def _report(self, result: RebuildResult) -> None:
        self.rebuilds += 1
        if self.settings.json:
            self._emit(rebuild_event(result))
        else:
            print_status(self.out, result)

    # -- running -------------------------------------------------------------------------------

    def rebuild(self, trigger: list[str]) -> RebuildResult:
        """One rebuild, reported."""
        result = self.builder.rebuild(trigger)
        self._report(result)
        return result

    def run(self) -> int:
        """Watch until Ctrl-C (exit 130) or SIGTERM/SIGHUP (exit 0); ``once``: rebuild and return
        0 when it worked, 2 when it did not."""
        previous: Callable[..., Any] | int | None = None
        previous_hup: Callable[..., Any] | int | None = None
        previous_int: Callable[..., Any] | int | None = None
        with contextlib.suppress(ValueError):  # not the main thread: leave signals alone
            previous = signal.signal(signal.SIGTERM, self._on_sigterm)
            # The terminal closed: stop as on SIGTERM, so the worker and scratch go too.
            if hasattr(signal, "SIGHUP"):
                previous_hup = signal.signal(signal.SIGHUP, self._on_sigterm)
            # A shell starts background jobs with SIGINT ignored; `kill -INT` should still stop
            # the watcher as Ctrl-C does.
            previous_int = signal.signal(signal.SIGINT, signal.default_int_handler)
        try:
            self.exporter.start()
            if self.settings.once:
                return 0 if self.rebuild(["(once)"]).ok else 2
            return self._watch()
        except KeyboardInterrupt:
            return 0 if self._terminated else 130
        except _Terminated:
            return 0
        finally:
            self.close()
            with contextlib.suppress(ValueError, TypeError):
                if previous is not None:
                    signal.signal(signal.SIGTERM, previous)
                if previous_hup is not None:
                    signal.signal(signal.SIGHUP, previous_hup)
                if previous_int is not None:
                    signal.signal(signal.SIGINT, previous_int)

    def _on_sigterm(self, signum: int, frame: FrameType | None) -> None:
        self._terminated = True
        raise _Terminated

    def close(self) -> None:
        """Stop the worker (and anything it forked) and remove the scratch directory."""
        self.exporter.close()
        shutil.rmtree(self._workdir, ignore_errors=True)

    def _watch(self) -> int:
        s = self.settings
        watch_filter = SourceFilter(s.ignore, [s.contract_file])
        deps = restart_files(s.project_dirs)
        contract_key = _file_key(s.contract_file)
        step = max(1, s.debounce_ms)
        # As watchfiles' own `watch()`: WATCHFILES_FORCE_POLLING=1 for file systems without
        # inotify events (network mounts, some Docker volume setups).
        polling = s.force_polling if s.force_polling is not None else \
            os.environ.get("WATCHFILES_FORCE_POLLING", "").lower() not in ("", "0", "false")
        with RustNotify([str(p) for p in s.paths], False, polling, 300, True, False) as notify:
            self.rebuild(["(start)"])
            self._banner()
            while True:
                raw = notify.watch(max(MAX_DEBOUNCE_MS, step), step, IDLE_WAKE_MS, None)
                if raw == "signal":
                    if self._terminated:
                        raise _Terminated
                    raise KeyboardInterrupt
                if raw == "stop":
                    return 0
                changed: set[str] = set()
                if isinstance(raw, set):
                    changed = {path for change, path in raw if watch_filter(change, path)}
                new_deps = restart_files(s.project_dirs)
                if new_deps != deps:
                    touched = sorted(p for p in set(new_deps) | set(deps) if deps.get(p) != new_deps.get(p))
                    deps = new_deps
                    names = ", ".join(sorted({p.name for p in touched}))
                    self._notify_worker(f"{names} changed: restarting the warm worker")
                    self._restart_worker()
                    changed.update(str(p) for p in touched)
                elif not self.exporter.alive():
                    self._notify_worker("warm worker exited unexpectedly; restarting it")
                    self._restart_worker()
                new_contract_key = _file_key(s.contract_file)
                if new_contract_key != contract_key:
                    contract_key = new_contract_key
                    changed.add(str(s.contract_file))
                if changed:
                    self.rebuild(sorted(display_path(Path(p)) for p in changed))

    def _restart_worker(self) -> None:
        try:
            self.exporter.restart()
        except WorkerError as exc:
            # Reported, not fatal: the next rebuild tries again (and reports it as a failed one).
            self._notify_worker(f"{exc.one_line()}; trying again at the next save")

    def _banner(self) -> None:
        s = self.settings
        watched = ", ".join(display_path(p) for p in s.paths)
        outputs = ", ".join(display_path(o.path) for o in s.outputs)
        text = (f"watching {watched} for {s.target} → {outputs}; contract "
                f"{display_path(s.contract_file)} (read only). Ctrl-C to stop.")
        self.err.print(f"[dim]{escape(text)}[/dim]", markup=True)

