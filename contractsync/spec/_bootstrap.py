"""What runs inside the app's own interpreter: import the app, call ``openapi()``, report back.

This file needs only the standard library (and the app with FastAPI). contractsync does not have
to be installed in the app's environment: the export runs this file with the project's
interpreter (``python -c`` + this file's path, see :func:`contractsync.spec.export.child_command`),
which may be any CPython from 3.9 on. So: no syntax or library newer than 3.9 here, and nothing
imported from contractsync.

It also holds the process guards shared by the export child and the watcher's warm worker:

* the child dies with its parent whatever kills the parent: a pipe from the parent that reaches
  EOF when the parent is gone (every platform), and on Linux ``PR_SET_PDEATHSIG``;
* on Linux the child is a *subreaper*: helper processes the app starts, even double-forked
  daemons, stay its descendants, and :func:`end_descendants` ends them before the child exits.

One-shot protocol (``main``): ``argv = [target, app_dir, result_fd, alive_fd]``. The result is
written to ``result_fd`` as ``CONTRACTSYNC-RESULT <n>\\n`` followed by ``n`` bytes of JSON, so the
parent knows it has the whole result without waiting for EOF (a helper the app forked may hold
the pipe open for ever).
"""

from __future__ import annotations

import contextlib
import importlib
import json
import os
import signal
import sys
import sysconfig
import threading
import time
import traceback
from typing import Any, Callable, Dict, List, Optional, Tuple  # noqa: UP035 - runs on Python 3.9

RESULT_HEADER = b"CONTRACTSYNC-RESULT "

# --------------------------------------------------------------------------------------------
# export
# --------------------------------------------------------------------------------------------


def split_target(target: str) -> Optional[Tuple[str, str]]:  # noqa: UP006, UP045
    """``"pkg.module:attr"`` → ``("pkg.module", "attr")`` (attr defaults to ``app``); None if malformed."""
    module, sep, attr = target.partition(":")
    if not module or (sep and not attr):
        return None
    return module, attr or "app"


def run_export(target: str, app_dir: str) -> Dict[str, Any]:  # noqa: UP006
    """Import ``target`` and call its ``openapi()``; never raises.

    Returns ``{"ok": True, "spec": {...}}`` or ``{"ok": False, "error": ..., "where": ...,
    "traceback": ...}``.
    """
    parts = split_target(target)
    if parts is None:
        return {"ok": False, "error": "expected an import path like 'pkg.module:app'", "where": None}
    module_name, attr = parts
    app_path = os.path.realpath(app_dir)
    if app_path not in sys.path:
        sys.path.insert(0, app_path)
    try:
        module = importlib.import_module(module_name)
    except BaseException as exc:  # the app's import can raise anything, SystemExit included
        if isinstance(exc, KeyboardInterrupt):
            raise
        if isinstance(exc, ModuleNotFoundError) and exc.name and module_name.startswith(exc.name):
            msg = f"cannot import module '{module_name}': no module named '{exc.name}' (is --app-dir right?)"
        elif isinstance(exc, ModuleNotFoundError) and exc.name and _sibling(exc):
            msg = (f"importing '{module_name}' failed: no module named '{exc.name}': it is the app's own "
                   f"{_sibling(exc)}, which is not importable as '{exc.name}' (import it relative, "
                   f"'from . import {exc.name}', or by its package path)")
        elif isinstance(exc, ModuleNotFoundError) and exc.name:
            msg = (f"importing '{module_name}' failed: no module named '{exc.name}' in {sys.executable} "
                   "(is --python the app's interpreter?)")
        else:
            msg = f"importing '{module_name}' failed: {type(exc).__name__}: {_describe(exc)}"
        return _failure(msg, exc)
    try:
        obj = getattr(module, attr)
    except AttributeError:
        return {"ok": False, "error": f"module '{module_name}' has no attribute '{attr}'", "where": None}
    try:
        from fastapi import FastAPI
    except ImportError:
        return {"ok": False, "error": f"fastapi is not installed in {sys.executable} (pass --python, "
                "or set python = \"...\" in [tool.contractsync])", "where": None}
    if not isinstance(obj, FastAPI) and callable(obj) and not hasattr(obj, "openapi"):
        try:
            obj = obj()
        except BaseException as exc:
            if isinstance(exc, KeyboardInterrupt):
                raise
            return _failure(f"calling the app factory '{attr}()' failed: {type(exc).__name__}: {exc}", exc)
    if not isinstance(obj, FastAPI):
        return {
            "ok": False,
            "error": f"'{target}' is a {type(obj).__name__}, not a FastAPI app or a factory returning one",
            "where": None,
        }
    try:
        spec = obj.openapi()
    except BaseException as exc:
        if isinstance(exc, KeyboardInterrupt):
            raise
        return _failure(f"app.openapi() raised {type(exc).__name__}: {exc}", exc)
    return {"ok": True, "spec": spec, "mounted": mounted_apis(obj)}


def mounted_apis(app: Any, prefix: str = "", depth: int = 0) -> List[Dict[str, Any]]:  # noqa: UP006
    """The mounts below ``app`` that serve API operations: FastAPI applications
    (``app.mount("/v2", v2)``) and routers mounted as ASGI apps, also inside other mounts:
    ``[{"path": "/v2", "operations": 3}]`` (-1: could not be counted). FastAPI documents a
    mounted application in its own OpenAPI document, never in the parent's, so these operations
    are not in the exported contract. Never raises; looks at most 8 mounts deep."""
    found: List[Dict[str, Any]] = []  # noqa: UP006
    if depth > 8:
        return found
    try:
        from fastapi import FastAPI, routing
    except ImportError:
        return found
    APIRoute = routing.APIRoute
    Mount = getattr(routing, "Mount", None)  # starlette's, as FastAPI re-exports it
    if Mount is None:
        return found
    try:
        routes = list(getattr(app, "routes", None) or [])
    except Exception:
        return found
    for route in routes:
        if not isinstance(route, Mount):
            continue
        path = prefix + (getattr(route, "path", "") or "")
        sub = getattr(route, "app", None)
        if isinstance(sub, FastAPI):
            try:
                paths = (sub.openapi() or {}).get("paths") or {}
                count = sum(1 for item in paths.values() if isinstance(item, dict)
                            for method in item if method in _METHODS)
            except Exception:
                count = -1
        else:  # a router mounted as an ASGI app: FastAPI's openapi() never looks inside
            try:
                count = sum(len(r.methods or ()) for r in getattr(sub, "routes", None) or []
                            if isinstance(r, APIRoute) and r.include_in_schema)
            except Exception:
                count = -1
        if count:
            found.append({"path": path or "/", "operations": count})
        if sub is not None and sub is not app:
            found += mounted_apis(sub, path, depth + 1)
    return found


_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


def encode_result(result: Dict[str, Any]) -> bytes:  # noqa: UP006
    """``result`` as JSON bytes; a result that is not JSON becomes an error result."""
    try:
        return json.dumps(result, ensure_ascii=False, allow_nan=False,
                          separators=(",", ":")).encode("utf-8", "surrogatepass")
    except (TypeError, ValueError) as exc:
        return json.dumps({"ok": False, "error": f"openapi() returned data that is not JSON: {exc}",
                           "where": None}).encode("utf-8")


def _describe(exc: BaseException) -> str:
    """The exception's text; a pydantic ValidationError (the usual one: settings that need
    environment variables) as ``N validation errors for Settings: A: Field required; B: …``
    rather than its multi-line text with a documentation link per field."""
    errors = getattr(exc, "errors", None)
    if callable(errors):
        try:
            items = errors()
            parts = ["{}: {}".format(".".join(str(x) for x in item["loc"]) or "(value)", item["msg"])
                     for item in items]
        except Exception:  # something else with an errors(): its own text
            return str(exc)
        head = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        if parts:
            return f"{head}: {'; '.join(parts)}"
    return str(exc)


def _sibling(exc: ModuleNotFoundError) -> Optional[str]:  # noqa: UP045
    """The app's file the missing top-level module names, when it sits beside the file whose
    import failed (``import schemas`` next to ``schemas.py``, a Python 2 style implicit relative
    import): the module is the app's, so no interpreter would have it. None otherwise."""
    head = exc.name or ""
    frames = traceback.extract_tb(exc.__traceback__)
    user = [f for f in frames if not f.filename.startswith(_not_user_code()) and "<frozen" not in f.filename]
    if not head or "." in head or not user:
        return None
    folder = os.path.dirname(os.path.abspath(user[-1].filename))
    for candidate in (os.path.join(folder, head + ".py"), os.path.join(folder, head, "__init__.py")):
        if os.path.isfile(candidate):
            return _rel(candidate)
    return None


def _failure(message: str, exc: BaseException) -> Dict[str, Any]:  # noqa: UP006
    where = None
    if isinstance(exc, SyntaxError) and exc.filename:
        where = f"{_rel(exc.filename)}:{exc.lineno}"
    else:
        frames = traceback.extract_tb(exc.__traceback__)
        user = [f for f in frames if not f.filename.startswith(_not_user_code()) and "<frozen" not in f.filename]
        if user:
            where = f"{_rel(user[-1].filename)}:{user[-1].lineno}"
    tb = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    return {"ok": False, "error": " ".join(message.split()), "where": where, "traceback": tb}


def _not_user_code() -> Tuple[str, ...]:  # noqa: UP006
    # Frames in these trees are not the user's code: the error points at the last frame outside them.
    paths = {sysconfig.get_paths()[key] for key in ("stdlib", "platstdlib", "purelib", "platlib")}
    paths.add(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    return tuple(paths)


def _rel(filename: str) -> str:
    real = os.path.realpath(filename)
    cwd = os.path.realpath(os.getcwd())
    if real.startswith(cwd + os.sep):
        return os.path.relpath(real, cwd)
    return filename


# --------------------------------------------------------------------------------------------
# process guards
# --------------------------------------------------------------------------------------------

_PR_SET_PDEATHSIG = 1
_PR_SET_CHILD_SUBREAPER = 36


def _prctl(option: int, value: int) -> bool:
    if not sys.platform.startswith("linux"):
        return False
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        return bool(libc.prctl(option, value, 0, 0, 0) == 0)
    except (OSError, AttributeError):
        return False


def set_parent_death_signal(sig: int) -> bool:
    """Linux: the kernel sends ``sig`` to this process when its parent dies."""
    return _prctl(_PR_SET_PDEATHSIG, int(sig))


def become_subreaper() -> bool:
    """Linux: orphaned descendants (double-forked daemons) are re-parented to this process
    instead of init, so :func:`end_descendants` can still end them."""
    return _prctl(_PR_SET_CHILD_SUBREAPER, 1)


def children_of(pid: int) -> List[int]:  # noqa: UP006
    """Process ids whose parent is ``pid`` (Linux ``/proc``; empty elsewhere)."""
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return []
    found: List[int] = []  # noqa: UP006
    try:
        for tid in tasks:  # a child belongs to the thread that forked it
            with open(f"/proc/{pid}/task/{tid}/children", "rb") as fh:
                found += [int(p) for p in fh.read().split()]
        return found
    except FileNotFoundError:
        pass  # a kernel without CONFIG_PROC_CHILDREN (or the thread just ended): scan /proc
    except OSError:
        return found
    found = []
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", "rb") as fh:
                stat = fh.read()
        except OSError:
            continue
        # "pid (comm) state ppid ...": comm may hold spaces and parentheses.
        fields = stat[stat.rfind(b")") + 2:].split()
        if len(fields) > 1 and fields[1].isdigit() and int(fields[1]) == pid:
            found.append(int(name))
    return found


def reap() -> None:
    """Collect every child that has exited (never blocks)."""
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def end_descendants(rounds: int = 50, keep: Tuple[int, ...] = ()) -> None:  # noqa: UP006
    """SIGKILL every descendant of this process (but the children in ``keep``). As a subreaper,
    the grandchildren of a killed child come back to this process, so repeat until none is left."""
    me = os.getpid()
    for _ in range(rounds):
        kids = [pid for pid in children_of(me) if pid not in keep]
        if not kids:
            break
        for pid in kids:
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
        for pid in kids:
            with contextlib.suppress(OSError):
                os.waitpid(pid, 0)
    if not keep:
        reap()


def die_with_everything(cleanup: Optional[Callable[[], None]] = None) -> None:  # noqa: UP045
    """End every descendant and this process's whole group (it leads its own session)."""
    try:
        if cleanup is not None:
            cleanup()
        end_descendants()
    finally:
        with contextlib.suppress(OSError):
            os.killpg(os.getpgid(0), signal.SIGKILL)
        os._exit(137)


def parent_died(parent: int, wait: float = 1.0) -> bool:
    """True once this process has been re-parented away from ``parent`` (it died). The alive
    pipe reaches EOF a moment *before* the kernel re-parents, so this waits up to ``wait`` s."""
    deadline = time.monotonic() + wait
    while os.getppid() == parent:
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.005)
    return True


def guard(alive_fd: int, parent: int, on_parent_death: Optional[Callable[[], None]] = None,  # noqa: UP045
          death_signal: int = signal.SIGTERM) -> None:
    """Die (with every descendant) when the parent dies, whatever killed it.

    ``alive_fd`` is the read end of a pipe whose only write end the parent holds: it reaches
    EOF when the parent is gone (or closes it to stop this process). On Linux the kernel also
    sends ``death_signal`` at the parent's death. ``on_parent_death`` runs first when the parent
    really died (not when it closed the pipe on purpose).
    """

    def cleanup() -> None:
        if on_parent_death is not None and parent_died(parent):
            on_parent_death()

    if alive_fd >= 0:
        os.set_inheritable(alive_fd, False)

        def watch() -> None:
            while True:
                try:
                    if not os.read(alive_fd, 4096):
                        break
                except InterruptedError:
                    continue
                except OSError:
                    break
            die_with_everything(cleanup)

        threading.Thread(target=watch, name="contractsync-parent-watch", daemon=True).start()
    if set_parent_death_signal(death_signal):
        if threading.current_thread() is threading.main_thread():
            signal.signal(death_signal, lambda *_: die_with_everything(cleanup))
        if os.getppid() != parent:  # the parent died before the signal was armed
            die_with_everything(cleanup)


# --------------------------------------------------------------------------------------------
# the one-shot export child
# --------------------------------------------------------------------------------------------


def _shield() -> Optional[int]:  # noqa: UP045
    """Run the app one process further down, so an app that signals its parent at import
    (``os.kill(os.getppid(), …)``) hits this shield, not the contractsync command, which then
    reports it. Returns the shield's exit code in the shield, None in the process that exports.
    Without ``fork`` (not POSIX) the export runs here."""
    if not hasattr(os, "fork"):
        return None
    shield = os.getpid()
    pid = os.fork()
    if pid == 0:
        # The exporting process dies with the shield (and so with the command, through it).
        set_parent_death_signal(signal.SIGKILL)
        if os.getppid() != shield:
            os._exit(137)
        return None
    while True:
        try:
            _, status = os.waitpid(pid, 0)
            break
        except InterruptedError:
            continue
    end_descendants()
    if os.WIFSIGNALED(status):
        return 128 + os.WTERMSIG(status)
    return os.WEXITSTATUS(status) if os.WIFEXITED(status) else 1


def _guarded(alive_fd: int, parent: int) -> None:
    """The process guards every child contractsync runs through this file: a subreaper that dies
    with the command (:func:`guard`) and a shield process in between. Returns in the process that
    does the work; the shield exits here with that process's exit code (``128 + signal`` when a
    signal ended it) once it has ended every descendant left behind."""
    become_subreaper()
    guard(alive_fd, parent)
    shield_exit = _shield()
    if shield_exit is not None:
        os._exit(shield_exit)


#: The first argument that makes :func:`main` run a command (not an export) under the guards.
EXEC = "--exec"


def run_guarded(argv: List[str]) -> int:  # noqa: UP006
    """``argv = [alive_fd, parent, executable, *args]``: run a command (a type-check, a client
    generator) under the guards of :func:`_guarded`. A command that signals its parent
    (``kill -9 $PPID``) ends the shield, not contractsync, which reports it; helpers it leaves
    running, in its process group or in a session of their own (``setsid``, double-forked), end
    when it exits; all of them end when contractsync dies, however it dies."""
    alive_fd_text, parent_text, executable = argv[:3]
    _guarded(int(alive_fd_text), int(parent_text))
    try:
        os.execv(executable, [executable, *argv[3:]])
    except OSError as exc:
        sys.stderr.write(f"cannot run '{executable}': {exc.strerror}\n")
        sys.stderr.flush()
    os._exit(127)


def main(argv: List[str]) -> int:  # noqa: UP006
    if argv and argv[0] == EXEC:
        return run_guarded(argv[1:])
    target, app_dir, result_fd_text, alive_fd_text, parent_text = argv
    result_fd = int(result_fd_text)
    os.set_inheritable(result_fd, False)
    _guarded(int(alive_fd_text), int(parent_text))
    result = run_export(target, app_dir)
    data = encode_result(result)
    with os.fdopen(result_fd, "wb") as out:
        out.write(RESULT_HEADER + str(len(data)).encode("ascii") + b"\n")
        out.write(data)
    # Whatever the app started (servers, pools, daemons) ends with the export.
    end_descendants()
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):
        pass
    os._exit(0 if result.get("ok") else 3)


if __name__ == "__main__":
    main(sys.argv[1:])
