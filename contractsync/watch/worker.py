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

The worker side lives in :mod:`._serve` and runs in the project's own interpreter without
contractsync installed there. ``fork`` is POSIX-only; on other platforms
:class:`SubprocessExporter` runs a fresh export child per rebuild instead (correct, just not warm).
"""

from __future__ import annotations

import contextlib
import os
import select
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Literal

import orjson

from ..errors import AppExportError
from ..spec.export import BOOTSTRAP, child_command, mount_warnings

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
    #: What the export says about the app, e.g. APIs mounted with ``app.mount`` that the
    #: document leaves out (the same warnings ``contractsync export`` prints).
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.status == "ok"


class WorkerError(AppExportError):
    """The warm worker could not be started."""


# --------------------------------------------------------------------------------------------
# worker side
# --------------------------------------------------------------------------------------------

# --------------------------------------------------------------------------------------------
# parent side
# --------------------------------------------------------------------------------------------

def _read_result(out: Path, ms: float, source: str = "app") -> ExportOutcome:
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
    return ExportOutcome("ok", spec=spec, output=output, ms=ms,
                         warnings=mount_warnings(result.get("mounted"), source))


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


#: What the worker process runs, loaded by path into the app's interpreter (see child_command).
WORKER_FILES = [BOOTSTRAP, Path(__file__).with_name("preload.py"), Path(__file__).with_name("_layer.py"),
                Path(__file__).with_name("_serve.py")]


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
    #: The watcher's scratch directory: the worker removes it if the watcher dies without doing so.
    scratch: Path | None = None

    _proc: subprocess.Popen[bytes] | None = field(default=None, init=False, repr=False)
    _buffer: bytes = field(default=b"", init=False, repr=False)
    _next_id: int = field(default=0, init=False, repr=False)
    _log: IO[bytes] | None = field(default=None, init=False, repr=False)
    _alive_w: int | None = field(default=None, init=False, repr=False)
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
        alive_r, alive_w = os.pipe()
        args = ["--target", self.target, "--app-dir", str(self.app_dir), "--alive-fd", str(alive_r),
                "--parent", str(os.getpid())]
        if self.scratch is not None:
            args += ["--scratch", str(self.scratch)]
        for path in self.fresh:
            args += ["--fresh", str(path)]
        code_cache = self.workdir / "code"
        code_cache.mkdir(exist_ok=True)
        args += ["--code-cache", str(code_cache)]
        if not with_preload:
            args.append("--no-preload")
        cmd = child_command(self.python, WORKER_FILES, args)
        self._log = (self.workdir / "worker.log").open("wb")
        self._buffer = b""
        self._proc = subprocess.Popen(
            cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self._log,
            # Its own process group: the worker and every child it forks are stopped with one
            # killpg, and Ctrl-C in the terminal reaches only the watcher, which cleans up.
            start_new_session=True,
            pass_fds=(alive_r,),
        )
        os.close(alive_r)
        self._alive_w = alive_w
        limit = self.start_timeout if self.start_timeout is not None else max(self.timeout, MIN_START_TIMEOUT)
        ready = self._read_message(limit)
        if ready is None or ready.get("type") != "ready":
            log = _tail(self.workdir / "worker.log", 5)
            self.close()
            raise WorkerError("the warm export worker did not start" + (f": {log}" if log else ""),
                              source=f"app {self.target}")
        self.ready_info = ready

    def export(self, changed: Sequence[str] = ()) -> ExportOutcome:
        """Export the app once in a fresh forked child. ``changed``: the files whose saves
        triggered it (a non-Python file among them means no warm app layer may be used).

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
            outcome = self._request(changed)
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

    def _request(self, changed: Sequence[str] = ()) -> ExportOutcome | None:
        assert self._proc is not None and self._proc.stdin is not None
        self._next_id += 1
        out = self.workdir / f"export-{self._next_id}.json"
        with contextlib.suppress(OSError):
            out.unlink()
        request = {"id": self._next_id, "out": str(out), "timeout": self.timeout,
                   "changed": [str(Path(p).resolve()) for p in changed if not p.startswith("(")]}
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
            return _read_result(out, ms, f"app {self.target}")
        finally:
            # (out + ".modules" / ".app" are the worker's, read and removed after its reply.)
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
        if self._alive_w is not None:
            with contextlib.suppress(OSError):
                os.close(self._alive_w)
            self._alive_w = None


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

    def export(self, changed: Sequence[str] = ()) -> ExportOutcome:
        """A fresh export process (``changed`` does not matter: nothing is kept warm)."""
        from ..spec.export import export_data
        from ..spec.source import AppSource

        t0 = time.perf_counter()
        try:
            data, mounts = export_data(AppSource(self.target, app_dir=self.app_dir, timeout=self.timeout,
                                                 python=self.python))
        except AppExportError as exc:
            ms = (time.perf_counter() - t0) * 1000
            status: Status = "timeout" if "did not finish" in exc.message else "error"
            return ExportOutcome(status, message=exc.message, where=exc.where,
                                 traceback=str(getattr(exc, "debug_details", "") or ""),
                                 output=str(getattr(exc, "details", "") or ""), ms=ms)
        return ExportOutcome("ok", spec=data, ms=(time.perf_counter() - t0) * 1000, warnings=mounts)

    def close(self) -> None:
        """Nothing to stop."""


Exporter = WarmWorker | SubprocessExporter


def make_exporter(target: str, app_dir: Path, workdir: Path, *, timeout: float,
                  fresh: list[Path], notify: Callable[[str], None], python: str | None = None,
                  scratch: Path | None = None) -> Exporter:
    """A warm forking worker where ``fork`` exists, else the subprocess fallback; both run
    ``python`` (the project's interpreter; default: this one)."""
    interpreter = python or sys.executable
    if HAS_FORK:
        return WarmWorker(target, app_dir, workdir, timeout=timeout, fresh=fresh, notify=notify,
                          python=interpreter, scratch=scratch)
    return SubprocessExporter(target, app_dir, timeout=timeout, notify=notify, python=interpreter)

