"""Export the OpenAPI document of a FastAPI app.

By default the app is imported in a fresh child process running the project's own interpreter
(:mod:`._bootstrap`, which needs only the standard library there): the import cannot leak modules
or state into the caller, a hanging import is killed after a timeout, and the app's own
``openapi()`` (including overrides) is what runs. The child sends its result on a private pipe,
so an app that prints to stdout cannot corrupt the document. The process model (who ends whom,
on which signal) is described in docs/architecture.md.
"""

from __future__ import annotations

import contextlib
import os
import select
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import orjson

from ..errors import AppExportError
from . import _bootstrap
from ._bootstrap import RESULT_HEADER
from .canonical import canonical_json
from .document import Document, check_structure
from .source import AppSource

#: Seconds the child gets, once its result is in, to end what the app started and exit.
EXIT_GRACE = 5.0
#: Lines of the app's stderr kept for the error report.
STDERR_TAIL = 30


def export_app(src: AppSource) -> Document:
    """Export ``src``'s OpenAPI document and return it as a :class:`Document`."""
    data, mounts = export_data(src)
    name = str(src)
    warnings = check_structure(data, source=name) + mounts
    return Document(data=data, source=name, raw=canonical_json(data), format="json", warnings=warnings)


def export_data(src: AppSource) -> tuple[dict[str, Any], list[str]]:
    """``src``'s OpenAPI document as exported (not yet checked), and a warning per API mounted
    with ``app.mount`` that the document leaves out (see :func:`mount_warnings`)."""
    data, mounted = _export_in_process(src) if src.in_process else _export_child(src)
    return data, mount_warnings(mounted, str(src))


def mount_warnings(mounted: Any, source: str) -> list[str]:
    """One warning per mounted application or router whose operations the contract lacks (see
    :func:`._bootstrap.mounted_apis`): FastAPI leaves them out of the parent's ``openapi()``."""
    out: list[str] = []
    for item in mounted if isinstance(mounted, list) else []:
        if not isinstance(item, dict):
            continue
        n = item.get("operations")
        count = f" ({n} operation{'s' if n != 1 else ''})" if isinstance(n, int) and n >= 0 else ""
        out.append(f"{source}: the API mounted at '{item.get('path')}'{count} is not in the contract: "
                   "FastAPI documents a mounted application (app.mount) on its own; export it as a "
                   "contract of its own, or add its routes with include_router")
    return out


def split_target(target: str) -> tuple[str, str]:
    """``"pkg.module:attr"`` → ``("pkg.module", "attr")`` (attr defaults to ``app``)."""
    parts = _bootstrap.split_target(target)
    if parts is None:
        raise AppExportError("expected an import path like 'pkg.module:app'", source=f"app {target}")
    return parts


def child_command(python: str, modules: list[Path], args: list[str]) -> list[str]:
    """The command that runs ``modules[-1].main(args)`` in ``python`` without contractsync
    installed there: each file is loaded by path under a private name (``_contractsync_<stem>``),
    earlier ones first so the last can use them. ``python -c`` keeps the current directory, not
    the package directory, first on ``sys.path`` (as ``-m`` did)."""
    return [python, "-c", _LAUNCHER, str(len(modules)), *map(str, modules), *args]


_LAUNCHER = (
    "import importlib.util as u, sys\n"
    "n = int(sys.argv[1]); files = sys.argv[2:2 + n]; args = sys.argv[2 + n:]\n"
    "for f in files:\n"
    "    name = '_contractsync_' + f.replace('\\\\', '/').rsplit('/', 1)[-1][:-3].lstrip('_')\n"
    "    spec = u.spec_from_file_location(name, f)\n"
    "    mod = u.module_from_spec(spec); sys.modules[name] = mod; spec.loader.exec_module(mod)\n"
    "sys.argv = [files[-1]] + args\n"
    "sys.exit(mod.main(args))\n"
)

#: The stdlib-only file the export child runs.
BOOTSTRAP = Path(__file__).with_name("_bootstrap.py")


class GuardedProcess(subprocess.Popen[str]):
    """A command run under the export child's process guards (:func:`start_guarded`)."""

    alive_w: int = -1

    def release(self) -> None:
        """Close this side of the alive pipe (once the process has been waited for)."""
        if self.alive_w >= 0:
            with contextlib.suppress(OSError):
                os.close(self.alive_w)
            self.alive_w = -1


def start_guarded(command: list[str], *, cwd: Path, env: dict[str, str]) -> GuardedProcess:
    """Start ``command`` (``command[0]`` an executable's path) with its output (stdout and stderr)
    on a text pipe, under the guards the export child has (:func:`._bootstrap.run_guarded`): in
    its own session, behind a subreaper shield that ends every helper it leaves (those that
    ``setsid`` included) and that it may kill instead of this process; all of it dies with this
    process. Ending it: :func:`stop_guarded`. The impact type-checks and client generators run
    this way."""
    alive_r, alive_w = os.pipe()
    cmd = child_command(sys.executable, [BOOTSTRAP],
                        [_bootstrap.EXEC, str(alive_r), str(os.getpid()), *command])
    try:
        proc = GuardedProcess(cmd, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              stdin=subprocess.DEVNULL, text=True, pass_fds=(alive_r,), start_new_session=True)
    except BaseException:
        os.close(alive_w)
        raise
    finally:
        os.close(alive_r)
    proc.alive_w = alive_w
    return proc


def stop_guarded(proc: subprocess.Popen[str], grace: float = EXIT_GRACE) -> None:
    """End a :func:`start_guarded` process and everything it started: SIGTERM makes the shield end
    its descendants (those in other sessions too) and its group; SIGKILL to the group after
    ``grace`` seconds, or at once when it is not a guarded process."""
    if isinstance(proc, GuardedProcess) and proc.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            proc.send_signal(signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(grace)
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)


def _export_child(src: AppSource) -> tuple[dict[str, Any], Any]:
    split_target(src.target)
    result_r, result_w = os.pipe()
    alive_r, alive_w = os.pipe()
    cmd = child_command(src.python, [BOOTSTRAP],
                        [src.target, str(src.app_dir), str(result_w), str(alive_r), str(os.getpid())])
    try:
        proc = subprocess.Popen(
            cmd,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            pass_fds=(result_w, alive_r),
            # Its own process group, so the export and everything the app starts end with one
            # killpg; the child itself watches alive_r to die with this process (see _bootstrap).
            start_new_session=True,
        )
    except OSError as exc:
        for fd in (result_r, result_w, alive_r, alive_w):
            os.close(fd)
        raise AppExportError(f"cannot run the app's interpreter '{src.python}': {exc.strerror}",
                             source=str(src)) from None
    os.close(result_w)
    os.close(alive_r)
    assert proc.stderr is not None
    try:
        data, stderr_bytes, finished = _collect(proc, result_r, proc.stderr.fileno(), src.timeout)
        if finished:
            # The child ends what the app started (daemons that left the group included) before
            # it exits; give it a moment to do so.
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=EXIT_GRACE)
    finally:
        # Everything the export started ends here: the child's group (helpers it forked) ...
        _kill_group(proc)
        proc.wait()
        os.close(result_r)
        proc.stderr.close()
        # ... and the child's end of the alive pipe goes with this process.
        os.close(alive_w)
    stderr_text = stderr_bytes.decode("utf-8", "replace")
    if not finished:
        raise AppExportError(
            f"importing the app did not finish within {src.timeout:g} s (a hanging import?)",
            source=str(src),
        )
    result = _decode_result(data)
    if result is None:
        code = proc.returncode
        if code is not None and (code < 0 or code > 128):
            sig = -code if code < 0 else code - 128
            try:
                name = signal.Signals(sig).name
            except ValueError:
                name = f"signal {sig}"
            hint = (" (does the app signal its parent process or its process group at import?)"
                    if sig in (signal.SIGKILL, signal.SIGTERM, signal.SIGINT, signal.SIGHUP) else "")
            raise _error(f"the export process was killed by {name} before the app's import "
                         f"finished{hint}", src, None, stderr_text)
        raise _error(
            f"the export process died (exit code {code}) without a result",
            src, None, stderr_text,
        )
    if not result.get("ok"):
        raise _error(str(result.get("error")), src, result.get("where"), stderr_text,
                     str(result.get("traceback") or ""))
    spec = result.get("spec")
    if not isinstance(spec, dict):
        raise _error("openapi() did not return a JSON object", src, None, stderr_text)
    return spec, result.get("mounted")


#: Bytes of the app's stderr kept while it runs (the tail is what an error report shows).
_STDERR_KEEP = 256 * 1024


def _collect(proc: subprocess.Popen[bytes], result_fd: int, err_fd: int,
             timeout: float) -> tuple[bytes, bytes, bool]:
    """Read the result and the app's stderr until the whole result is in or the child exits.

    Never waits for EOF: a helper process the app started may hold either pipe open for ever.
    Returns ``(result bytes, stderr, finished)``; ``finished`` is False on timeout.
    """
    deadline = time.monotonic() + timeout
    os.set_blocking(result_fd, False)
    os.set_blocking(err_fd, False)
    result = bytearray()
    err = bytearray()
    open_fds = {result_fd, err_fd}
    pidfd: int | None = None
    with contextlib.suppress(AttributeError, OSError):
        pidfd = os.pidfd_open(proc.pid)  # type: ignore[attr-defined,unused-ignore]
    try:
        while True:
            if _result_complete(result):
                return bytes(result), bytes(err), True
            exited = proc.poll() is not None
            if exited:
                _drain(result_fd, result, open_fds)
                _drain(err_fd, err, open_fds)
                return bytes(result), bytes(err), True
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return bytes(result), bytes(err), False
            watch = [*open_fds, *([pidfd] if pidfd is not None else [])]
            ready, _, _ = select.select(watch, [], [], min(remaining, 0.05 if pidfd is None else remaining))
            for fd in ready:
                if fd == result_fd:
                    _drain(result_fd, result, open_fds)
                elif fd == err_fd:
                    _drain(err_fd, err, open_fds)
                    if len(err) > _STDERR_KEEP:
                        del err[: len(err) - _STDERR_KEEP]
    finally:
        if pidfd is not None:
            os.close(pidfd)


def _drain(fd: int, into: bytearray, open_fds: set[int]) -> None:
    while fd in open_fds:
        try:
            chunk = os.read(fd, 1 << 20)
        except BlockingIOError:
            return
        if not chunk:
            open_fds.discard(fd)
            return
        into += chunk


def _result_complete(data: bytearray) -> bool:
    head, sep, _ = bytes(data[:64]).partition(b"\n")
    if not sep or not head.startswith(RESULT_HEADER):
        return False
    size = head[len(RESULT_HEADER):]
    return size.isdigit() and len(data) >= len(head) + 1 + int(size)


def _decode_result(data: bytes) -> dict[str, Any] | None:
    head, sep, body = data.partition(b"\n")
    if not sep or not head.startswith(RESULT_HEADER) or not head[len(RESULT_HEADER):].isdigit():
        return None
    try:
        result = orjson.loads(body[: int(head[len(RESULT_HEADER):])])
    except orjson.JSONDecodeError:
        return None
    return result if isinstance(result, dict) else None


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)
    with contextlib.suppress(ProcessLookupError):
        proc.kill()


def _error(message: str, src: AppSource, where: str | None, stderr: str, tb: str = "") -> AppExportError:
    exc = AppExportError(message, source=str(src), where=where)
    tail = "\n".join(stderr.rstrip().splitlines()[-STDERR_TAIL:])
    exc.details = tail  # type: ignore[attr-defined]
    exc.debug_details = tb  # type: ignore[attr-defined]
    return exc


def _export_in_process(src: AppSource) -> tuple[dict[str, Any], Any]:
    result = run_export(src.target, str(src.app_dir))
    if not result.get("ok"):
        raise _error(str(result.get("error")), src, result.get("where"), "",
                     str(result.get("traceback") or ""))
    spec = result["spec"]
    if not isinstance(spec, dict):
        raise AppExportError("openapi() did not return a JSON object", source=str(src))
    return spec, result.get("mounted")


def run_export(target: str, app_dir: str) -> dict[str, Any]:
    """Import ``target`` and call its ``openapi()``; never raises (see :mod:`._bootstrap`).

    Used by the in-process mode and the watch worker's forked children.
    """
    return _bootstrap.run_export(target, app_dir)
