"""The warm app layer: the app's own modules a save did not touch, imported once.

After a save, the worker knows which of the app's source files changed and, from the source, which
of the app's modules import them (directly or through others). Those must be imported fresh on
every rebuild; the rest cannot have changed. The worker forks a *layer* process that imports that
rest once (fresh, from current source) and then forks each rebuild's export child from itself, so
a run of saves to the same file costs importing the changed modules, their importers, and
``app.openapi()`` — not the whole app.

Staleness rules (the layer is thrown away, and the rebuild forks from the worker as before, when
any of them fails): every file the layer imported is unchanged (mtime and size) since it did; the
saves touched only ``.py`` files of the app; a module whose source imports dynamically
(``import_module``, ``__import__``, ``pkgutil``, ``exec``) is never put in a layer, nor is the
module that defines the app.

Runs in the project's interpreter, so standard library only and Python 3.9 syntax (see
:mod:`contractsync.spec._bootstrap`).
"""

from __future__ import annotations

import ast
import contextlib
import importlib
import json
import os
import select
import signal
import sys
import time
from typing import Any, Callable, Dict, List, Optional, Set, Tuple  # noqa: UP035 - runs on Python 3.9

#: Source text that makes a module's imports unknowable from its syntax.
DYNAMIC_MARKERS = ("import_module", "__import__", "pkgutil", "exec(", "importlib.util")


def report_app_modules(path: str, fresh_roots: List[str]) -> None:  # noqa: UP006
    """In an export child: write the app's modules (under ``fresh_roots``) in import order, with
    each file's (mtime_ns, size), for the worker."""
    roots = tuple({p.rstrip(os.sep) + os.sep for r in fresh_roots for p in (os.path.realpath(r), os.path.abspath(r))})
    found = []
    for name, module in list(sys.modules.items()):
        # __dict__, not getattr: a module-level __getattr__ may import things.
        filename = getattr(module, "__dict__", {}).get("__file__")
        # A string test first: this runs on every rebuild, over every module loaded.
        if not isinstance(filename, str) or not filename.endswith(".py") or not filename.startswith(roots):
            continue
        real = os.path.realpath(filename)
        try:
            st = os.stat(real)
        except OSError:
            continue
        is_pkg = os.path.basename(real) == "__init__.py"
        found.append([name, real, st.st_mtime_ns, st.st_size, is_pkg])
    with open(path, "w", encoding="utf-8") as fh:
        json.dump(found, fh)


def read_report(path: str) -> Optional[List[Tuple[str, str, int, int, bool]]]:  # noqa: UP006, UP045
    try:
        with open(path, encoding="utf-8") as fh:
            data = json.load(fh)
    except (OSError, ValueError):
        return None
    finally:
        with contextlib.suppress(OSError):
            os.unlink(path)
    try:
        return [(str(n), str(f), int(m), int(s), bool(p)) for n, f, m, s, p in data]
    except (TypeError, ValueError):
        return None


def changed_files(report: List[Tuple[str, str, int, int, bool]]) -> List[str]:  # noqa: UP006
    """Files of ``report`` whose mtime or size differ now (or that are gone)."""
    out = []
    for _, filename, mtime, size, _ in report:
        try:
            st = os.stat(filename)
        except OSError:
            out.append(filename)
            continue
        if st.st_mtime_ns != mtime or st.st_size != size:
            out.append(filename)
    return out


def _imports(filename: str, name: str, is_pkg: bool) -> Optional[Set[str]]:  # noqa: UP006, UP045
    """Module names ``name`` imports (relative ones resolved); None when it imports dynamically."""
    try:
        with open(filename, "rb") as fh:
            source = fh.read()
    except OSError:
        return None
    text = source.decode("utf-8", "replace")
    if any(marker in text for marker in DYNAMIC_MARKERS):
        return None
    try:
        tree = ast.parse(source, filename=filename)
    except (SyntaxError, ValueError):
        return None
    package = name if is_pkg else name.rpartition(".")[0]
    found: Set[str] = set()  # noqa: UP006
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = package.split(".") if package else []
                if node.level - 1 > len(parts):
                    continue
                base = ".".join(parts[: len(parts) - (node.level - 1)])
                module = f"{base}.{node.module}" if node.module and base else (node.module or base)
            else:
                module = node.module or ""
            if not module:
                continue
            found.add(module)
            # `from pkg import sub` may import the submodule pkg.sub.
            found.update(f"{module}.{alias.name}" for alias in node.names if alias.name != "*")
    return found


def layer_modules(report: List[Tuple[str, str, int, int, bool]], changed: List[str],  # noqa: UP006
                  target_module: str) -> List[str]:  # noqa: UP006
    """The app modules (in import order) that cannot be affected by ``changed`` files: not
    changed themselves, not importing a changed module (transitively), not dynamic, not the
    module that defines the app."""
    changed_set = {os.path.realpath(f) for f in changed}
    names = [r[0] for r in report]
    known = set(names)
    affected = {r[0] for r in report if r[1] in changed_set} | {target_module}
    deps: Dict[str, Set[str]] = {}  # noqa: UP006
    for name, filename, _, _, is_pkg in report:
        imported = _imports(filename, name, is_pkg)
        if imported is None:
            affected.add(name)
            continue
        # A module also depends on its parent packages (their __init__ runs first).
        parents = {".".join(name.split(".")[:i]) for i in range(1, name.count(".") + 1)}
        deps[name] = {m for m in imported | parents if m in known}
    grew = True
    while grew:
        grew = False
        for name, needs in deps.items():
            if name not in affected and needs & affected:
                affected.add(name)
                grew = True
    return [n for n in names if n not in affected]


class Layer:
    """The worker's handle on one layer process."""

    def __init__(self, pid: int, requests_w: int, replies_r: int, modules: List[str]) -> None:  # noqa: UP006
        self.pid = pid
        self.requests_w = requests_w
        self.replies_r = replies_r
        self.modules = modules
        self.ready = False
        self.files: List[Tuple[str, str, int, int, bool]] = []  # noqa: UP006
        self._buffer = b""

    @classmethod
    def start(cls, modules: List[str], app_dir: str, install: Callable[[], None],  # noqa: UP006
              serve_one: Callable[[Dict[str, Any]], Dict[str, Any]], close_fds: Tuple[int, ...],  # noqa: UP006
              fresh_roots: List[str]) -> Layer:  # noqa: UP006
        req_r, req_w = os.pipe()
        rep_r, rep_w = os.pipe()
        pid = os.fork()
        if pid == 0:  # the layer process
            code = 0
            try:
                os.close(req_w)
                os.close(rep_r)
                for fd in close_fds:
                    with contextlib.suppress(OSError):
                        os.close(fd)
                _layer_main(modules, app_dir, install, serve_one, req_r, rep_w, fresh_roots)
            except BaseException:
                code = 70
            finally:
                os._exit(code)
        os.close(req_r)
        os.close(rep_w)
        return cls(pid, req_w, rep_r, modules)

    def _line(self, timeout: float) -> Optional[Dict[str, Any]]:  # noqa: UP006, UP045
        deadline = time.monotonic() + timeout
        while b"\n" not in self._buffer:
            remaining = max(0.0, deadline - time.monotonic())
            ready, _, _ = select.select([self.replies_r], [], [], remaining)
            if not ready:
                return None
            chunk = os.read(self.replies_r, 65536)
            if not chunk:
                return None
            self._buffer += chunk
        line, _, self._buffer = self._buffer.partition(b"\n")
        try:
            message = json.loads(line)
        except ValueError:
            return None
        return message if isinstance(message, dict) else None

    def poll_ready(self) -> bool:
        """True once the layer has imported its modules (never blocks)."""
        if not self.ready:
            message = self._line(0.0) if select.select([self.replies_r], [], [], 0)[0] else None
            if message is not None and message.get("type") == "ready":
                self.ready = True
                self.files = [(str(n), str(f), int(m), int(z), bool(p))
                              for n, f, m, z, p in message.get("files", [])]
        return self.ready

    def usable(self) -> bool:
        """Ready, alive, and none of its files changed since it imported them."""
        return self.poll_ready() and not changed_files(self.files)

    def request(self, request: Dict[str, Any], timeout: float) -> Optional[Dict[str, Any]]:  # noqa: UP006, UP045
        try:
            os.write(self.requests_w, json.dumps(request).encode("utf-8") + b"\n")
        except OSError:
            return None
        return self._line(timeout)

    def close(self) -> None:
        with contextlib.suppress(OSError):
            os.kill(self.pid, signal.SIGKILL)
        with contextlib.suppress(OSError):
            os.waitpid(self.pid, 0)
        for fd in (self.requests_w, self.replies_r):
            with contextlib.suppress(OSError):
                os.close(fd)


def _layer_main(modules: List[str], app_dir: str, install: Callable[[], None],  # noqa: UP006
                serve_one: Callable[[Dict[str, Any]], Dict[str, Any]], req_r: int, rep_w: int,  # noqa: UP006
                fresh_roots: List[str]) -> None:  # noqa: UP006
    boot = sys.modules.get("_contractsync_bootstrap") or importlib.import_module("contractsync.spec._bootstrap")
    boot.set_parent_death_signal(signal.SIGKILL)
    boot.become_subreaper()
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    install()
    app_path = os.path.realpath(app_dir)
    if app_path not in sys.path:
        sys.path.insert(0, app_path)
    for name in modules:
        importlib.import_module(name)  # any failure ends the layer: rebuilds fork from the worker
    files = []
    roots = tuple(os.path.realpath(r).rstrip(os.sep) + os.sep for r in fresh_roots)
    for name in modules:
        filename = getattr(sys.modules.get(name), "__file__", None)
        if filename:
            real = os.path.realpath(filename)
            if real.startswith(roots):
                st = os.stat(real)
                files.append([name, real, st.st_mtime_ns, st.st_size, False])
    os.write(rep_w, json.dumps({"type": "ready", "files": files}).encode("utf-8") + b"\n")
    with os.fdopen(req_r, "rb") as requests:
        for line in requests:
            try:
                request = json.loads(line)
            except ValueError:
                continue
            reply = serve_one(request)
            os.write(rep_w, json.dumps(reply).encode("utf-8") + b"\n")
    boot.end_descendants()
