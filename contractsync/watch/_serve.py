"""The warm worker process (the app's side): pre-imports, then forks a fresh export per request.

It runs in the project's own interpreter, so like :mod:`contractsync.spec._bootstrap` it needs
only the standard library (plus FastAPI for the warm-up) and Python 3.9 syntax. The parent
(:class:`contractsync.watch.worker.WarmWorker`) starts it with
:func:`contractsync.spec.export.child_command`, which loads ``_bootstrap.py``, ``preload.py`` and
this file by path; inside contractsync they are ordinary modules.

Processes: the worker leads its own session, is a subreaper (Linux), and dies with the watcher
(the alive pipe, and ``PR_SET_PDEATHSIG`` on Linux), then ends everything it forked and removes
the watcher's scratch directory. Each forked export child is a subreaper too and ends whatever the
app started before it exits, so a save of an app that forks leaves no process behind.
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
import shutil
import signal
import sys
import sysconfig
import time
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple  # noqa: UP035 - runs on Python 3.9


def _sibling(private: str, public: str) -> Any:
    """A module loaded by path by the launcher (``_contractsync_*``), else the package's own."""
    module = sys.modules.get(private)
    return module if module is not None else importlib.import_module(public)


boot = _sibling("_contractsync_bootstrap", "contractsync.spec._bootstrap")
preload = _sibling("_contractsync_preload", "contractsync.watch.preload")
applayer = _sibling("_contractsync_layer", "contractsync.watch._layer")


class _FreshSourceLoader(importlib.machinery.SourceFileLoader):
    """Loads the app's modules from their *current* source, never from ``__pycache__``.

    A ``.pyc`` is validated by the source's mtime in whole seconds and its size, so two saves
    within one second that keep the size (``int`` → ``str``) would import stale bytecode. This
    loader keys compiled code on the source's content instead, in a private cache the worker
    owns (so an unchanged module is not compiled again on the next rebuild), and never writes
    into the project's ``__pycache__``.
    """

    #: Directory of the content-addressed code cache (None: compile every time).
    code_cache: Optional[str] = None  # noqa: UP045

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


def _excluded_prefixes() -> Tuple[str, ...]:  # noqa: UP006
    # The interpreter's library directories (stdlib, site-packages), not the whole prefix: a
    # project may live under the prefix (``/usr/src/app`` in many container images).
    paths = {os.path.realpath(p) for key, p in sysconfig.get_paths().items()
             if key in ("stdlib", "platstdlib", "purelib", "platlib")}
    return tuple(p.rstrip(os.sep) + os.sep for p in paths)


def _is_fresh_path(path: str, roots: Tuple[str, ...], excluded: Tuple[str, ...]) -> bool:  # noqa: UP006
    real = os.path.realpath(path) if path else os.path.realpath(os.getcwd())
    probe = real + os.sep
    if not any(probe.startswith(root) for root in roots):
        return False
    if any(probe.startswith(prefix) for prefix in excluded):
        return False
    parts = real.split(os.sep)
    return "site-packages" not in parts and "dist-packages" not in parts


def install_fresh_imports(roots: List[str], code_cache: Optional[str] = None) -> None:  # noqa: UP006, UP045
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


def _preload(target: str, app_dir: Path, enabled: bool) -> Tuple[int, List[str]]:  # noqa: UP006
    modules = list(preload.BASE_MODULES)
    if enabled:
        modules += [m for m in preload.discover_third_party(target, app_dir) if m not in modules]
    done = 0
    failed: List[str] = []  # noqa: UP006
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

        # Optional/List, not `int | None`: pydantic evaluates these on the app's Python (3.9+).
        class _Item(BaseModel):
            name: str = Field(min_length=1, description="warm-up")
            size: Optional[int] = None  # noqa: UP045
            tags: List[str] = []  # noqa: UP006

        warm = FastAPI(title="warm-up")

        @warm.post("/items/{item_id}", responses={404: {"description": "missing"}})
        def _op(item_id: int, item: _Item, q: Optional[str] = Query(None),  # noqa: UP045
                x_token: str = Header("")) -> _Item:
            return item

        warm.openapi()
    except Exception:  # a failed warm-up only costs the first rebuild time
        pass


def _write_line(fd: int, message: Dict[str, Any]) -> None:  # noqa: UP006
    data = json.dumps(message).encode("utf-8") + b"\n"
    while data:
        written = os.write(fd, data)
        data = data[written:]


def _run_child(target: str, app_dir: str, out: str, fresh_roots: List[str],  # noqa: UP006
               code_cache: Optional[str], protocol_fds: Tuple[int, ...]) -> None:  # noqa: UP006, UP045
    """Body of the forked child: import the app fresh, export, write the result, ``_exit``."""
    code = 0
    try:
        log_fd = os.open(out + ".log", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.dup2(log_fd, 1)
        os.dup2(log_fd, 2)
        os.close(log_fd)
        for fd in protocol_fds:
            if fd >= 0:
                with contextlib.suppress(OSError):
                    os.close(fd)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        signal.signal(signal.SIGHUP, signal.SIG_DFL)
        # Dies with the worker; what the app starts stays below it and ends with the export.
        boot.set_parent_death_signal(signal.SIGKILL)
        boot.become_subreaper()
        install_fresh_imports(fresh_roots, code_cache)
        before = set(sys.modules)
        result = boot.run_export(target, app_dir)
        data = boot.encode_result(result)
        tmp = out + ".tmp"
        with open(tmp, "wb") as fh:
            fh.write(data)
        os.replace(tmp, out)
        boot.end_descendants()
        # Hints for the worker; a failure here must not fail an export that succeeded.
        with contextlib.suppress(Exception):
            _report_learned(out + ".modules", before, fresh_roots)
            applayer.report_app_modules(out + ".app", fresh_roots)
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


#: The interpreter's library directories, computed once in the worker (forked children inherit it).
_EXCLUDED: Tuple[str, ...] = ()  # noqa: UP006


def _library_module(module: Any, fresh_roots: Tuple[str, ...], excluded: Tuple[str, ...]) -> bool:  # noqa: UP006
    """True for a module of an installed library or the standard library (never the app's)."""
    filename = getattr(module, "__dict__", {}).get("__file__")  # never a module-level __getattr__
    if not isinstance(filename, str):
        return False
    real = os.path.realpath(filename)
    if any(real.startswith(root) for root in fresh_roots):
        return False
    parts = real.split(os.sep)
    return any(real.startswith(prefix) for prefix in excluded) or "site-packages" in parts \
        or "dist-packages" in parts


def _report_learned(path: str, before: Any, fresh_roots: List[str]) -> None:  # noqa: UP006
    """Write the library modules this export imported that the worker had not (imported lazily
    by a dependency, or by code the source scan cannot see): the worker imports them next, so
    later rebuilds only pay for the app's own modules."""
    roots = tuple(os.path.realpath(r).rstrip(os.sep) + os.sep for r in fresh_roots)
    excluded = _EXCLUDED or _excluded_prefixes()
    new = [name for name in set(sys.modules) - before
           if _library_module(sys.modules.get(name), roots, excluded)]
    with open(path, "w", encoding="utf-8") as fh:
        json.dump(sorted(new, key=lambda n: (n.count("."), n)), fh)


def _learn(path: str) -> int:
    """Import what :func:`_report_learned` listed (in the worker, after the reply); returns how
    many modules are now warm."""
    try:
        with open(path, encoding="utf-8") as fh:
            names = json.load(fh)
    except (OSError, ValueError):
        return 0
    finally:
        with contextlib.suppress(OSError):
            os.unlink(path)
    done = 0
    for name in names if isinstance(names, list) else []:
        if not isinstance(name, str) or name in sys.modules:
            continue
        try:
            importlib.import_module(name)
            done += 1
        except BaseException as exc:  # only a head start
            if isinstance(exc, KeyboardInterrupt):
                raise
    if done:
        gc.collect()
        gc.freeze()
    return done


def _wait_child(pid: int, timeout: float) -> Tuple[str, int]:  # noqa: UP006
    """Wait for ``pid`` at most ``timeout`` seconds; kill it after that.

    Returns ``("exited", exit_code)`` or ``("timeout", -9)``. Uses a pidfd (Linux ≥ 5.3) to wake up
    the moment the child exits, else polls every 2 ms.
    """
    deadline = time.monotonic() + timeout
    pidfd: Optional[int] = None  # noqa: UP045
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


def serve(argv: Optional[List[str]] = None) -> int:  # noqa: UP006, UP045
    """The worker's main loop."""
    parser = argparse.ArgumentParser(prog="contractsync.watch.worker")
    parser.add_argument("--target", required=True)
    parser.add_argument("--app-dir", required=True)
    parser.add_argument("--fresh", action="append", default=[],
                        help="directory whose modules are always imported fresh (repeatable)")
    parser.add_argument("--code-cache", help="directory for compiled app code, keyed by content")
    parser.add_argument("--no-preload", action="store_true")
    parser.add_argument("--alive-fd", type=int, default=-1,
                        help="read end of a pipe only the watcher writes to: EOF means it is gone")
    parser.add_argument("--parent", type=int, default=os.getppid())
    parser.add_argument("--scratch", help="the watcher's scratch directory, removed if the watcher dies")
    args = parser.parse_args(argv)
    started = time.perf_counter()

    def remove_scratch() -> None:
        # Only when the watcher died without cleaning up; a living watcher removes it itself.
        if args.scratch:
            shutil.rmtree(args.scratch, ignore_errors=True)

    boot.become_subreaper()
    # SIGUSR2, not SIGTERM, at the watcher's death: SIGTERM is how a living watcher stops us.
    boot.guard(args.alive_fd, args.parent, remove_scratch, death_signal=signal.SIGUSR2)
    # SIGTERM (and SIGHUP: the terminal closed) from the watcher: end everything forked too.
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, lambda *_: boot.die_with_everything())

    # Reserve the pipes for the protocol: anything printed while importing goes to stderr (the
    # worker's log), never into the protocol stream.
    proto_in = os.dup(0)
    proto_out = os.dup(1)
    devnull = os.open(os.devnull, os.O_RDWR)
    os.dup2(devnull, 0)
    os.dup2(2, 1)
    os.close(devnull)
    # Ctrl-C in the terminal is the watcher's business (the worker runs in its own session and
    # never sees it anyway).
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    sys.argv = ["contractsync-watch"]

    app_dir = Path(args.app_dir)
    global _EXCLUDED
    _EXCLUDED = _excluded_prefixes()
    done, failed = _preload(args.target, app_dir, not args.no_preload)
    # Objects that exist now are shared with every child; freezing them keeps the children's
    # garbage collector from touching (and so copying) those pages.
    gc.collect()
    gc.freeze()
    _write_line(proto_out, {"type": "ready", "pid": os.getpid(), "preloaded": done, "failed": failed,
                            "ms": round((time.perf_counter() - started) * 1000, 1)})
    fresh_roots = [str(app_dir), *args.fresh]
    target_module = args.target.partition(":")[0]
    layer: Any = None
    last_report: Any = None
    with os.fdopen(proto_in, "rb") as requests:

        def serve_one(request: Dict[str, Any], extra_fds: Tuple[int, ...] = ()) -> Dict[str, Any]:  # noqa: UP006
            """Fork one export child, wait for it, end what it left: the reply (without ``ms``)."""
            out, timeout = str(request["out"]), float(request["timeout"])
            pid = os.fork()
            if pid == 0:
                _run_child(args.target, args.app_dir, out, fresh_roots, args.code_cache,
                           (proto_out, requests.fileno(), args.alive_fd, *extra_fds))
            status, code = _wait_child(pid, timeout)
            # Anything that outlived the export child was re-parented to this subreaper (the
            # layer process, a child too, stays).
            boot.end_descendants(keep=(layer.pid,) if layer is not None else ())
            return {"type": "done", "id": request.get("id"), "status": status, "code": code}

        for line in requests:
            try:
                request = json.loads(line)
                out = str(request["out"])
                timeout = float(request["timeout"])
            except (ValueError, KeyError, TypeError):
                continue
            t0 = time.perf_counter()
            changed = applayer.changed_files(last_report) if last_report else []
            # A saved file that is not Python (.env, a YAML the app reads at import) may change
            # what any module does at import: nothing is kept warm across it.
            other = [p for p in request.get("changed") or [] if not str(p).endswith(".py")]
            if other:
                changed.extend(str(p) for p in other)
                if layer is not None:
                    layer.close()
                    layer = None
            reply = None
            if layer is not None and layer.poll_ready():
                if not applayer.changed_files(layer.files):
                    reply = layer.request(request, timeout + 5.0)
                if reply is None:  # stale (a file it imported changed) or dead
                    layer.close()
                    layer = None
            if reply is None:  # no layer, or one still importing: fork from the worker
                reply = serve_one(request)
            reply["ms"] = round((time.perf_counter() - t0) * 1000, 1)
            _write_line(proto_out, reply)
            # After the reply, off the rebuild's path: warm what this export had to import, and
            # prepare a layer of the app modules this save did not touch.
            _learn(out + ".modules")
            report = applayer.read_report(out + ".app")
            if report is not None:
                last_report = report
                if changed and all(f.endswith(".py") for f in changed):
                    keep = applayer.layer_modules(report, changed, target_module)
                    if layer is None or layer.modules != keep:
                        if layer is not None:
                            layer.close()
                            layer = None
                        if keep:
                            layer = applayer.Layer.start(
                                keep, args.app_dir,
                                lambda: install_fresh_imports(fresh_roots, args.code_cache),
                                serve_one, (proto_out, requests.fileno(), args.alive_fd), fresh_roots)
    if layer is not None:
        layer.close()
    # The watcher closed our stdin: stopped on purpose, or dead (then the scratch goes too).
    if boot.parent_died(args.parent):
        remove_scratch()
    boot.end_descendants()
    return 0


def main(argv: List[str]) -> int:  # noqa: UP006
    """Entry point used by the launcher."""
    return serve(argv)
