"""The warm export worker: a long-lived process with FastAPI already imported, forking a fresh
child per rebuild.

Importing FastAPI, pydantic and an app's third-party dependencies costs most of an export's time,
and it is the same every time; only the app's own modules change. The worker pays for the
third-party imports once. For each rebuild it ``os.fork()``\\ s: the child inherits the warm
modules, imports the app *fresh* (the worker itself never imports the app, so no stale module can
leak from one rebuild into the next), writes the result to a file and exits. The worker kills a
child that outlives the timeout, so a hanging import is reported and the worker keeps serving.

Protocol (JSON lines; the worker's stdout is reserved for it, anything else the app or a
dependency prints goes to a log file):

* worker → parent, once: ``{"type": "ready", "pid": …, "preloaded": n, "failed": [...], "ms": …}``
* parent → worker: ``{"id": n, "out": "/tmp/…/export-n.json", "timeout": 10.0}``
* worker → parent: ``{"type": "done", "id": n, "status": "exited"|"timeout", "code": …, "ms": …}``;
  the child's :func:`~contractsync.spec.export.run_export` result is in ``out`` (written atomically,
  so a killed child leaves none) and what it printed in ``out + ".log"``.

``fork`` is POSIX-only; on other platforms :class:`SubprocessExporter` runs a fresh
``python -m contractsync.spec._child`` per rebuild instead (correct, just not warm).
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import hashlib
import importlib
import importlib.machinery
import json
import marshal
import os
import select
import signal
import subprocess
import sys
import sysconfig
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Literal

import orjson

from ..errors import AppExportError
from . import preload

#: Lines of the app's own output (prints, warnings, logging) kept for an error report.
OUTPUT_TAIL = 20
#: Extra seconds the parent grants the worker beyond the export timeout before declaring it hung.
REPLY_GRACE = 5.0
#: Slowest acceptable worker start (pre-imports of a large dependency tree included).
MIN_START_TIMEOUT = 20.0

HAS_FORK = hasattr(os, "fork")

Status = Literal["ok", "error", "timeout", "crashed"]


@dataclass
class ExportOutcome:
    """What one export attempt produced."""

    status: Status
    spec: dict[str, Any] | None = None
    #: One-line error (``status != "ok"``).
    message: str = ""
    #: ``file:line`` in the app where the error happened, when known.
    where: str | None = None
    traceback: str = ""
    #: The last lines the app printed while being imported.
    output: str = ""
    ms: float = 0.0

    @property
    def ok(self) -> bool:
        return self.status == "ok"


class WorkerError(AppExportError):
    """The warm worker could not be started."""


# --------------------------------------------------------------------------------------------
# worker side
# --------------------------------------------------------------------------------------------

class _FreshSourceLoader(importlib.machinery.SourceFileLoader):
    """Loads the app's modules from their *current* source, never from ``__pycache__``.

    A ``.pyc`` is validated by the source's mtime in whole seconds and its size, so two saves
    within one second that keep the size (``int`` → ``str``) would import stale bytecode. This
    loader keys compiled code on the source's content instead, in a private cache the worker
    owns (so an unchanged module is not compiled again on the next rebuild), and never writes
    into the project's ``__pycache__``.
    """

    #: Directory of the content-addressed code cache (None: compile every time).
    code_cache: str | None = None

    def get_code(self, fullname: str) -> Any:
        path = self.get_filename(fullname)
        source = self.get_data(path)
        cache_file = None
        if self.code_cache is not None:
            key = hashlib.sha256(source + b"\0" + path.encode("utf-8", "surrogateescape")).hexdigest()
            cache_file = os.path.join(self.code_cache, key)
            try:
                with open(cache_file, "rb") as fh:
                    return marshal.loads(fh.read())
            except (OSError, EOFError, ValueError, TypeError):
                pass
        code = self.source_to_code(source, path)
        if cache_file is not None:
            with contextlib.suppress(OSError):
                tmp = f"{cache_file}.{os.getpid()}.tmp"
                with open(tmp, "wb") as fh:
                    fh.write(marshal.dumps(code))
                os.replace(tmp, cache_file)
        return code


def _excluded_prefixes() -> tuple[str, ...]:
    # The interpreter's library directories (stdlib, site-packages), not the whole prefix: a
    # project may live under the prefix (``/usr/src/app`` in many container images).
    paths = {os.path.realpath(p) for key, p in sysconfig.get_paths().items()
             if key in ("stdlib", "platstdlib", "purelib", "platlib")}
    return tuple(p.rstrip(os.sep) + os.sep for p in paths)


def _is_fresh_path(path: str, roots: tuple[str, ...], excluded: tuple[str, ...]) -> bool:
    real = os.path.realpath(path) if path else os.path.realpath(os.getcwd())
    probe = real + os.sep
    if not any(probe.startswith(root) for root in roots):
        return False
    if any(probe.startswith(prefix) for prefix in excluded):
        return False
    parts = real.split(os.sep)
    return "site-packages" not in parts and "dist-packages" not in parts


def install_fresh_imports(roots: list[str], code_cache: str | None = None) -> None:
    """Make modules under ``roots`` (the app dir and watched paths; never a virtualenv) import
    through :class:`_FreshSourceLoader`. Called in the forked child only."""
    _FreshSourceLoader.code_cache = code_cache
    real_roots = tuple(os.path.realpath(r).rstrip(os.sep) + os.sep for r in roots)
    excluded = _excluded_prefixes()
    fresh_hook = importlib.machinery.FileFinder.path_hook(
        (importlib.machinery.ExtensionFileLoader, importlib.machinery.EXTENSION_SUFFIXES),
        (_FreshSourceLoader, importlib.machinery.SOURCE_SUFFIXES),
        (importlib.machinery.SourcelessFileLoader, importlib.machinery.BYTECODE_SUFFIXES),
    )

    def hook(path: str) -> Any:
        if _is_fresh_path(path, real_roots, excluded):
            return fresh_hook(path)
        raise ImportError("not an app path")

    sys.path_hooks.insert(0, hook)
    # Finders the worker cached for these directories (the cwd is on sys.path) must go, so the
    # hook is consulted and no cached directory listing hides a file created since.
    for key in list(sys.path_importer_cache):
        if _is_fresh_path(key, real_roots, excluded):
            del sys.path_importer_cache[key]


def _preload(target: str, app_dir: Path, enabled: bool) -> tuple[int, list[str]]:
    modules = list(preload.BASE_MODULES)
    if enabled:
        modules += [m for m in preload.discover_third_party(target, app_dir) if m not in modules]
    done = 0
    failed: list[str] = []
    for name in modules:
        try:
            importlib.import_module(name)
            done += 1
        except BaseException as exc:  # any import may fail; it is only a head start
            if isinstance(exc, KeyboardInterrupt):
                raise
            failed.append(f"{name}: {type(exc).__name__}")
    _warm_openapi()
    # A dependency might import a module of the project by name; forget it so that every child
    # imports the project's code fresh.
    local = preload.local_names(app_dir, target)
    for name in [n for n in sys.modules if n.split(".")[0] in local]:
        del sys.modules[name]
    return done, failed


def _warm_openapi() -> None:
    """Build and document a throwaway app: FastAPI and pydantic import much of what schema
    generation needs lazily, on first use; doing it here keeps that out of every rebuild."""
    try:
        from fastapi import FastAPI, Header, Query
        from pydantic import BaseModel, Field

        class _Item(BaseModel):
            name: str = Field(min_length=1, description="warm-up")
            size: int | None = None
            tags: list[str] = []

        warm = FastAPI(title="warm-up")

        @warm.post("/items/{item_id}", responses={404: {"description": "missing"}})
        def _op(item_id: int, item: _Item, q: str | None = Query(None),
                x_token: str = Header("")) -> _Item:
            return item

        warm.openapi()
    except Exception:  # a failed warm-up only costs the first rebuild time
        pass


def _write_line(fd: int, message: dict[str, Any]) -> None:
    data = orjson.dumps(message) + b"\n"
    while data:
        written = os.write(fd, data)
        data = data[written:]


def _run_child(target: str, app_dir: str, out: str, fresh_roots: list[str],
               code_cache: str | None, protocol_fds: tuple[int, ...]) -> None:
    """Body of the forked child: import the app fresh, export, write the result, ``_exit``."""
    code = 0
    try:
        log_fd = os.open(out + ".log", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.dup2(log_fd, 1)
        os.dup2(log_fd, 2)
        os.close(log_fd)
        for fd in protocol_fds:
            os.close(fd)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        install_fresh_imports(fresh_roots, code_cache)
        from ..spec.export import run_export

        result = run_export(target, app_dir)
        try:
            data = orjson.dumps(result, option=orjson.OPT_NON_STR_KEYS)
        except TypeError as exc:
            data = orjson.dumps({"ok": False, "error": f"openapi() returned data that is not JSON: {exc}"})
        tmp = out + ".tmp"
        with open(tmp, "wb") as fh:
            fh.write(data)
        os.replace(tmp, out)
    except BaseException:  # the child must always reach os._exit
        code = 70
        with contextlib.suppress(BaseException):
            import traceback

            traceback.print_exc()
    finally:
        with contextlib.suppress(BaseException):
            sys.stdout.flush()
            sys.stderr.flush()
        os._exit(code)


def _wait_child(pid: int, timeout: float) -> tuple[str, int]:
    """Wait for ``pid`` at most ``timeout`` seconds; kill it after that.

    Returns ``("exited", exit_code)`` or ``("timeout", -9)``. Uses a pidfd (Linux ≥ 5.3) to wake up
    the moment the child exits, else polls every 2 ms.
    """
    deadline = time.monotonic() + timeout
    pidfd: int | None = None
    with contextlib.suppress(AttributeError, OSError):
        pidfd = os.pidfd_open(pid)  # type: ignore[attr-defined,unused-ignore]
    try:
        while True:
            done, status = os.waitpid(pid, os.WNOHANG)
            if done == pid:
                return "exited", os.waitstatus_to_exitcode(status)
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
                return "timeout", -signal.SIGKILL
            if pidfd is not None:
                select.select([pidfd], [], [], remaining)
            else:
                time.sleep(min(0.002, remaining))
    finally:
        if pidfd is not None:
            os.close(pidfd)


def serve(argv: list[str] | None = None) -> int:
    """The worker's main loop (``python -m contractsync.watch._serve``)."""
    parser = argparse.ArgumentParser(prog="contractsync.watch.worker")
    parser.add_argument("--target", required=True)
    parser.add_argument("--app-dir", required=True)
    parser.add_argument("--fresh", action="append", default=[],
                        help="directory whose modules are always imported fresh (repeatable)")
    parser.add_argument("--code-cache", help="directory for compiled app code, keyed by content")
    parser.add_argument("--no-preload", action="store_true")
    args = parser.parse_args(argv)
    started = time.perf_counter()

    # Reserve the pipes for the protocol: anything printed while importing goes to stderr (the
    # worker's log), never into the protocol stream.
    proto_in = os.dup(0)
    proto_out = os.dup(1)
    devnull = os.open(os.devnull, os.O_RDWR)
    os.dup2(devnull, 0)
    os.dup2(2, 1)
    os.close(devnull)
    # The parent stops the worker with SIGTERM to its process group; Ctrl-C in the terminal is
    # the parent's business (the worker runs in its own session and never sees it anyway).
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    sys.argv = ["contractsync-watch"]

    app_dir = Path(args.app_dir)
    done, failed = _preload(args.target, app_dir, not args.no_preload)
    # Objects that exist now are shared with every child; freezing them keeps the children's
    # garbage collector from touching (and so copying) those pages.
    gc.collect()
    gc.freeze()
    _write_line(proto_out, {"type": "ready", "pid": os.getpid(), "preloaded": done, "failed": failed,
                            "ms": round((time.perf_counter() - started) * 1000, 1)})
    fresh_roots = [str(app_dir), *args.fresh]
    with os.fdopen(proto_in, "rb") as requests:
        for line in requests:
            try:
                request = json.loads(line)
                out = str(request["out"])
                timeout = float(request["timeout"])
                req_id = request.get("id")
            except (ValueError, KeyError, TypeError):
                continue
            t0 = time.perf_counter()
            pid = os.fork()
            if pid == 0:
                _run_child(args.target, args.app_dir, out, fresh_roots, args.code_cache, (proto_out,))
            status, code = _wait_child(pid, timeout)
            _write_line(proto_out, {"type": "done", "id": req_id, "status": status, "code": code,
                                    "ms": round((time.perf_counter() - t0) * 1000, 1)})
    return 0


# --------------------------------------------------------------------------------------------
# parent side
# --------------------------------------------------------------------------------------------

def _read_result(out: Path, ms: float) -> ExportOutcome:
    output = _tail(Path(str(out) + ".log"))
    try:
        result = orjson.loads(out.read_bytes())
    except (OSError, orjson.JSONDecodeError):
        return ExportOutcome("crashed", message="the export process died without a result",
                             output=output, ms=ms)
    if not isinstance(result, dict):
        return ExportOutcome("crashed", message="the export process wrote no result", output=output, ms=ms)
    if not result.get("ok"):
        return ExportOutcome("error", message=str(result.get("error")), where=result.get("where"),
                             traceback=str(result.get("traceback") or ""), output=output, ms=ms)
    spec = result.get("spec")
    if not isinstance(spec, dict):
        return ExportOutcome("error", message="openapi() did not return a JSON object", output=output, ms=ms)
    return ExportOutcome("ok", spec=spec, output=output, ms=ms)


def _tail(path: Path, lines: int = OUTPUT_TAIL, max_bytes: int = 64 * 1024) -> str:
    """The last ``lines`` lines of ``path`` (reading at most its last ``max_bytes``: an app may
    print a lot while it is imported)."""
    try:
        with path.open("rb") as fh:
            fh.seek(0, os.SEEK_END)
            size = fh.tell()
            fh.seek(max(0, size - max_bytes))
            data = fh.read()
    except OSError:
        return ""
    text = data.decode("utf-8", "replace")
    return "\n".join(text.rstrip().splitlines()[-lines:])


def _kill_group(proc: subprocess.Popen[bytes], sig: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, sig)


def _env() -> dict[str, str]:
    env = dict(os.environ)
    # The worker must import contractsync itself even when it runs from a source checkout.
    pkg_root = str(Path(__file__).resolve().parents[2])
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [pkg_root, env.get("PYTHONPATH")]))
    return env


@dataclass
class WarmWorker:
    """Client of one warm worker process; restarts it when it dies.

    ``notify`` receives a one-line message whenever the worker is (re)started for a reason other
    than the first start.
    """

    target: str
    app_dir: Path
    workdir: Path
    timeout: float = 60.0
    fresh: list[Path] = field(default_factory=list)
    python: str = field(default_factory=lambda: sys.executable)
    notify: Callable[[str], None] = lambda message: None
    preload: bool = True
    #: Seconds the worker may take to start (default: the export timeout, at least 20 s).
    start_timeout: float | None = None

    _proc: subprocess.Popen[bytes] | None = field(default=None, init=False, repr=False)
    _buffer: bytes = field(default=b"", init=False, repr=False)
    _next_id: int = field(default=0, init=False, repr=False)
    _log: IO[bytes] | None = field(default=None, init=False, repr=False)
    #: What the last start reported: ``{"preloaded": n, "failed": [...], "ms": …}``.
    ready_info: dict[str, Any] = field(default_factory=dict, init=False)

    @property
    def pid(self) -> int | None:
        """The worker's process id (None when not running)."""
        return self._proc.pid if self._proc is not None else None

    def alive(self) -> bool:
        """True while the worker process runs."""
        return self._proc is not None and self._proc.poll() is None

    def start(self) -> None:
        """Start the worker and wait until it has pre-imported its modules.

        A worker whose pre-imports hang or crash is started again without the app's third-party
        modules (FastAPI and pydantic only); :class:`WorkerError` if even that fails.
        """
        try:
            self._spawn(self.preload)
        except WorkerError as exc:
            if not self.preload:
                raise
            self.notify(f"warm worker failed to start ({exc}); retrying without pre-imports")
            self.preload = False
            self._spawn(False)

    def _spawn(self, with_preload: bool) -> None:
        self.close()
        self.workdir.mkdir(parents=True, exist_ok=True)
        cmd = [self.python, "-m", "contractsync.watch._serve", "--target", self.target,
               "--app-dir", str(self.app_dir)]
        for path in self.fresh:
            cmd += ["--fresh", str(path)]
        code_cache = self.workdir / "code"
        code_cache.mkdir(exist_ok=True)
        cmd += ["--code-cache", str(code_cache)]
        if not with_preload:
            cmd.append("--no-preload")
        self._log = (self.workdir / "worker.log").open("wb")
        self._buffer = b""
        self._proc = subprocess.Popen(
            cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self._log, env=_env(),
            # Its own process group: the worker and every child it forks are stopped with one
            # killpg, and Ctrl-C in the terminal reaches only the watcher, which cleans up.
            start_new_session=True,
        )
        limit = self.start_timeout if self.start_timeout is not None else max(self.timeout, MIN_START_TIMEOUT)
        ready = self._read_message(limit)
        if ready is None or ready.get("type") != "ready":
            log = _tail(self.workdir / "worker.log", 5)
            self.close()
            raise WorkerError("the warm export worker did not start" + (f": {log}" if log else ""),
                              source=f"app {self.target}")
        self.ready_info = ready

    def export(self) -> ExportOutcome:
        """Export the app once in a fresh forked child.

        A dead worker is restarted first; a worker that dies during the request is restarted and
        the request retried once.
        """
        for _ in range(2):
            if not self.alive():
                self.notify(f"warm worker {self._death_reason()}; restarting it")
                try:
                    self.start()
                except WorkerError as exc:
                    return ExportOutcome("crashed", message=exc.message)
            outcome = self._request()
            if outcome is not None:
                return outcome
        return ExportOutcome("crashed", message="the warm worker died twice during an export")

    def restart(self) -> None:
        """Start a new worker (after the dependencies changed), with the pre-imports again."""
        self.close()
        self.preload = True
        self.start()

    def _death_reason(self) -> str:
        if self._proc is None:
            return "is not running"
        code = self._proc.poll()
        return f"exited (code {code})" if code is not None else "stopped answering"

    def _request(self) -> ExportOutcome | None:
        assert self._proc is not None and self._proc.stdin is not None
        self._next_id += 1
        out = self.workdir / f"export-{self._next_id}.json"
        with contextlib.suppress(OSError):
            out.unlink()
        request = {"id": self._next_id, "out": str(out), "timeout": self.timeout}
        t0 = time.perf_counter()
        try:
            self._proc.stdin.write(orjson.dumps(request) + b"\n")
            self._proc.stdin.flush()
        except (BrokenPipeError, OSError):
            self.close()
            return None
        reply = self._read_message(self.timeout + REPLY_GRACE)
        ms = (time.perf_counter() - t0) * 1000
        try:
            if reply is None:
                # Dead or hung: either way this worker is done for.
                self.close()
                return None
            if reply.get("status") == "timeout":
                return ExportOutcome(
                    "timeout",
                    message=f"importing the app did not finish within {self.timeout:g} s "
                            "(a hanging import?); the export was stopped",
                    output=_tail(Path(str(out) + ".log")), ms=ms)
            return _read_result(out, ms)
        finally:
            for path in (out, Path(str(out) + ".log")):
                with contextlib.suppress(OSError):
                    path.unlink()

    def _read_message(self, timeout: float) -> dict[str, Any] | None:
        """The next JSON line from the worker, or None on EOF, timeout or garbage."""
        assert self._proc is not None and self._proc.stdout is not None
        fd = self._proc.stdout.fileno()
        deadline = time.monotonic() + timeout
        while b"\n" not in self._buffer:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return None
            ready, _, _ = select.select([fd], [], [], remaining)
            if not ready:
                return None
            chunk = os.read(fd, 65536)
            if not chunk:
                return None
            self._buffer += chunk
        line, _, self._buffer = self._buffer.partition(b"\n")
        try:
            message = orjson.loads(line)
        except orjson.JSONDecodeError:
            return None
        return message if isinstance(message, dict) else None

    def close(self) -> None:
        """Stop the worker and anything it forked (SIGTERM, then SIGKILL after 2 s)."""
        proc, self._proc = self._proc, None
        if proc is not None:
            if proc.poll() is None:
                _kill_group(proc, signal.SIGTERM)
                try:
                    proc.wait(timeout=2)
                except subprocess.TimeoutExpired:
                    _kill_group(proc, signal.SIGKILL)
                    proc.wait()
            # A child forked just before the worker died may outlive it in the same group.
            _kill_group(proc, signal.SIGKILL)
            for stream in (proc.stdin, proc.stdout):
                if stream is not None:
                    with contextlib.suppress(OSError):
                        stream.close()
        if self._log is not None:
            self._log.close()
            self._log = None


@dataclass
class SubprocessExporter:
    """The fallback where ``os.fork`` does not exist: a fresh interpreter per export."""

    target: str
    app_dir: Path
    timeout: float = 60.0
    python: str = field(default_factory=lambda: sys.executable)
    notify: Callable[[str], None] = lambda message: None

    @property
    def pid(self) -> int | None:
        return None

    def alive(self) -> bool:
        return True

    def start(self) -> None:
        """Nothing to start: every export is its own process."""

    def restart(self) -> None:
        """Nothing to restart: every export is its own process."""

    def export(self) -> ExportOutcome:
        from ..spec.export import export_app
        from ..spec.source import AppSource

        t0 = time.perf_counter()
        try:
            doc = export_app(AppSource(self.target, app_dir=self.app_dir, timeout=self.timeout,
                                       python=self.python))
        except AppExportError as exc:
            ms = (time.perf_counter() - t0) * 1000
            status: Status = "timeout" if "did not finish" in exc.message else "error"
            return ExportOutcome(status, message=exc.message, where=exc.where,
                                 traceback=str(getattr(exc, "debug_details", "") or ""),
                                 output=str(getattr(exc, "details", "") or ""), ms=ms)
        return ExportOutcome("ok", spec=doc.data, ms=(time.perf_counter() - t0) * 1000)

    def close(self) -> None:
        """Nothing to stop."""


Exporter = WarmWorker | SubprocessExporter


def make_exporter(target: str, app_dir: Path, workdir: Path, *, timeout: float,
                  fresh: list[Path], notify: Callable[[str], None]) -> Exporter:
    """A warm forking worker where ``fork`` exists, else the subprocess fallback."""
    if HAS_FORK:
        return WarmWorker(target, app_dir, workdir, timeout=timeout, fresh=fresh, notify=notify)
    return SubprocessExporter(target, app_dir, timeout=timeout, notify=notify)

