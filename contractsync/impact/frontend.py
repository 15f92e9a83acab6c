"""A frontend project: where its generated types live, how it type-checks, and a throwaway copy
to type-check in (the user's tree is never touched).
"""

from __future__ import annotations

import contextlib
import os
import shlex
import shutil
import signal
import stat
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import InputError
from ..io import load_json_file, load_toml

#: Directories never copied: dependencies (linked instead), build output, VCS data, caches.
SKIP_DIRS = frozenset({"node_modules", "dist", ".git", ".hg", ".svn", ".vite", ".cache",
                       "coverage", ".turbo", ".nuxt", ".output"})


@dataclass(frozen=True)
class Frontend:
    """What impact analysis needs to know about one frontend directory."""

    root: Path
    types: str
    """The generated types file, relative to :attr:`root` (POSIX)."""
    command: list[str]
    """The type-check command, run in (a copy of) :attr:`root`."""
    incremental: bool
    """Whether :attr:`command` is plain tsc/vue-tsc, so ``--incremental`` can be added."""
    typescript_options: dict[str, Any] = field(default_factory=dict)
    """``[pull.typescript]`` of its contractsync.toml: the generator options its types use."""


def _read_toml(path: Path) -> dict[str, Any]:
    return load_toml(path)


def _read_json(path: Path) -> Any:
    return load_json_file(path)


def find_types(root: Path, wanted: str | None = None) -> tuple[str | None, dict[str, Any]]:
    """The types file named by ``contractsync.toml`` ([pull] types) or ``contractsync.lock`` (the
    ``.ts`` output), and the ``[pull.typescript]`` options; ``(None, {})`` when neither says.
    With several contracts (``[[pull]]`` entries), the entry whose types are ``wanted`` (or the
    only one with types); several candidates and no ``wanted`` is an :class:`InputError`."""
    options: dict[str, Any] = {}
    toml = root / "contractsync.toml"
    if toml.is_file():
        pull = _read_toml(toml).get("pull", {})
        if isinstance(pull, list):
            entries: list[tuple[str | None, dict[str, Any]]] = [
                (str(e["types"]), dict(e["typescript"]) if isinstance(e.get("typescript"), dict) else {})
                for e in pull if isinstance(e, dict) and isinstance(e.get("types"), str)]
            chosen = [e for e in entries if wanted is None or e[0] == wanted]
            if len(chosen) == 1:
                return chosen[0]
            if len(chosen) > 1:
                raise InputError(f"lists {len(chosen)} contracts ([[pull]]): pass --types with one of "
                                 f"{', '.join(str(t) for t, _ in chosen)}", source=str(toml))
            return wanted, {}
        if isinstance(pull, dict):
            ts = pull.get("typescript")
            if isinstance(ts, dict):
                options = ts
            if isinstance(pull.get("types"), str):
                return pull["types"], options
    lock = root / "contractsync.lock"
    if lock.is_file():
        data = _read_json(lock)
        outputs = data.get("outputs") if isinstance(data, dict) else None
        if isinstance(outputs, dict):
            ts_outputs = sorted(k for k in outputs if isinstance(k, str) and k.endswith(".ts"))
            if ts_outputs:
                return ts_outputs[0], options
    return None, options


def detect_command(root: Path) -> tuple[list[str], bool]:
    """The frontend's own type-check, from its package.json: ``vue-tsc --noEmit`` when vue-tsc is
    a dependency, else ``tsc --noEmit``; True when it is plain enough to add ``--incremental``."""
    pkg_file = root / "package.json"
    if not pkg_file.is_file():
        raise InputError("no package.json: cannot tell how this frontend type-checks "
                         "(pass --typecheck-cmd)", source=str(root))
    pkg = _read_json(pkg_file)
    deps: dict[str, Any] = {}
    for section in ("dependencies", "devDependencies"):
        value = pkg.get(section) if isinstance(pkg, dict) else None
        if isinstance(value, dict):
            deps.update(value)
    if "vue-tsc" in deps:
        return ["vue-tsc", "--noEmit"], True
    if "typescript" in deps:
        return ["tsc", "--noEmit"], True
    raise InputError("package.json has neither vue-tsc nor typescript as a dependency "
                     "(pass --typecheck-cmd)", source=str(pkg_file))


def load_frontend(root: Path, *, types: str | None = None, typecheck_cmd: str | None = None) -> Frontend:
    """Read a frontend directory's settings; ``types`` (relative to ``root``) and
    ``typecheck_cmd`` (a shell-style command line) override what the directory says."""
    if not root.is_dir():
        raise InputError("no such directory", source=str(root))
    found, options = find_types(root, types)
    types = types or found
    if types is None:
        raise InputError("cannot find the generated types file: no [pull] types in contractsync.toml "
                         "and no .ts output in contractsync.lock (pass --types PATH)", source=str(root))
    rel = Path(types)
    if rel.is_absolute() or ".." in rel.parts:
        raise InputError("must be a path inside the frontend directory", where="--types", source=types)
    if typecheck_cmd is not None:
        try:
            command = shlex.split(typecheck_cmd)
        except ValueError as exc:  # an unclosed quote: "No closing quotation"
            raise InputError(f"cannot be split into words: {exc}", where="--typecheck-cmd") from None
        if not command:
            raise InputError("is empty", where="--typecheck-cmd")
        incremental = False
    else:
        command, incremental = detect_command(root)
    return Frontend(root.resolve(), rel.as_posix(), command, incremental, options)


def copy_frontend(root: Path, dest: Path) -> None:
    """Copy ``root`` to ``dest`` without node_modules, build output and VCS data; link
    ``node_modules`` (every one, also in workspaces) to the original."""

    def ignore(directory: str, names: list[str]) -> set[str]:
        return {n for n in names if n in SKIP_DIRS or _special(os.path.join(directory, n))}

    try:
        shutil.copytree(root, dest, ignore=ignore, symlinks=True)
    except shutil.Error as exc:  # files that vanished or cannot be read while copying
        src, _, why = exc.args[0][0] if exc.args and isinstance(exc.args[0], list) and exc.args[0] else ("", "", exc)
        raise InputError(f"cannot copy the frontend for the type-check: {why}", source=str(src or root)) from None
    except OSError as exc:
        raise InputError(f"cannot copy the frontend for the type-check: {exc.strerror or exc}",
                         source=str(exc.filename or root)) from None
    for dirpath, dirnames, _ in os.walk(root):
        if "node_modules" in dirnames:
            rel = Path(dirpath).relative_to(root)
            target = dest / rel / "node_modules"
            if (dest / rel).is_dir() and not target.exists():
                target.symlink_to(Path(dirpath) / "node_modules", target_is_directory=True)
        dirnames[:] = [d for d in dirnames if d not in SKIP_DIRS]


def _special(path: str) -> bool:
    """A FIFO, socket or device: no part of a TypeScript project, and copying one blocks (a FIFO
    without a writer) or fails (a socket); it is left out of the copy."""
    try:
        mode = os.lstat(path).st_mode
    except OSError:
        return False
    return not (stat.S_ISDIR(mode) or stat.S_ISREG(mode) or stat.S_ISLNK(mode))


#: Type-check processes running now (killed together when the caller is interrupted).
_RUNNING: set[subprocess.Popen[str]] = set()
_RUNNING_LOCK = threading.Lock()


def kill_running() -> None:
    """Kill every type-check process group this process started and that still runs."""
    with _RUNNING_LOCK:
        procs = list(_RUNNING)
    for proc in procs:
        _kill_group(proc)


@dataclass(frozen=True)
class RunResult:
    """One type-check run."""

    returncode: int
    output: str


def run_command(command: list[str], cwd: Path, *, timeout: float, extra_env: dict[str, str] | None = None,
                where: str | None = None) -> RunResult:
    """Run ``command`` in ``cwd`` with its ``node_modules/.bin`` first on PATH, in its own process
    group that is killed on timeout or interruption. Errors name ``where`` (the user's frontend,
    when ``cwd`` is a temporary copy of it), else ``cwd``."""
    place = where or str(cwd)
    env = dict(os.environ)
    env["PATH"] = os.pathsep.join([str(cwd / "node_modules" / ".bin"), env.get("PATH", "")])
    env.setdefault("NO_COLOR", "1")
    env.update(extra_env or {})
    exe = shutil.which(command[0], path=env["PATH"])
    if exe is None:
        raise InputError(f"'{command[0]}' not found in node_modules/.bin or on PATH "
                         "(run npm ci in the frontend, or pass --typecheck-cmd)", source=place)
    try:
        proc = subprocess.Popen([exe, *command[1:]], cwd=cwd, env=env, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, text=True,
                                start_new_session=True, preexec_fn=_die_with_parent())
    except OSError as exc:
        raise InputError(f"cannot run '{command[0]}': {exc.strerror or exc}", source=place) from None
    with _RUNNING_LOCK:
        _RUNNING.add(proc)
    try:
        out = _output(proc, timeout)
    except subprocess.TimeoutExpired:
        _kill_group(proc)
        proc.wait()
        raise InputError(f"type-check '{shlex.join(command)}' took longer than {timeout:g} s",
                         source=place) from None
    except _TooMuchOutput:
        _kill_group(proc)
        proc.wait()
        raise InputError(f"type-check '{shlex.join(command)}' printed more than {MAX_OUTPUT // 2**20} MiB "
                         "(not a type-checker's diagnostics?)", source=place) from None
    except BaseException:
        _kill_group(proc)
        proc.wait()
        raise
    finally:
        with _RUNNING_LOCK:
            _RUNNING.discard(proc)
    return RunResult(proc.returncode, out)


#: Most output read from a type-check (characters). tsc prints about 200 per diagnostic, so this is
#: over 150,000 errors; a command that prints more (a loop, a dump) is stopped, not buffered.
MAX_OUTPUT = 32 * 2**20


class _TooMuchOutput(Exception):
    pass


def _output(proc: subprocess.Popen[str], timeout: float) -> str:
    """The output of ``proc`` once it has exited, read as it comes: :class:`_TooMuchOutput` past
    :data:`MAX_OUTPUT`, :class:`subprocess.TimeoutExpired` after ``timeout`` seconds."""
    chunks: list[str] = []
    over = threading.Event()

    def read() -> None:
        assert proc.stdout is not None
        size = 0
        while chunk := proc.stdout.read(65536):
            size += len(chunk)
            if size > MAX_OUTPUT:
                over.set()
                _kill_group(proc)
                return
            chunks.append(chunk)
    reader = threading.Thread(target=read, name="contractsync-typecheck-output", daemon=True)
    reader.start()
    deadline = time.monotonic() + timeout
    # Wait for the command, not for the end of its output: a helper it leaves running (a watch
    # mode, a daemon, `cmd &`) holds the pipe open until it ends, which may be never.
    while proc.poll() is None and reader.is_alive() and time.monotonic() < deadline:
        reader.join(0.05)
    if proc.poll() is None and not over.is_set():
        try:
            proc.wait(max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            raise subprocess.TimeoutExpired(proc.args, timeout) from None
    reader.join(2.0)  # what is still in the pipe
    _kill_group(proc)  # whatever the command left behind in its group
    reader.join(2.0)  # (a helper that left the group may keep the pipe: its reader is a daemon)
    if over.is_set():
        raise _TooMuchOutput
    return "".join(chunks)


def _die_with_parent() -> Any:
    """Linux: a ``preexec_fn`` that makes the kernel SIGKILL the type-check when this process dies
    however it dies (SIGKILL included, where no handler runs); None elsewhere. libc is resolved
    here, before the fork, so the child only makes the call."""
    import sys

    if not sys.platform.startswith("linux"):
        return None
    try:
        import ctypes

        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None
    pr_set_pdeathsig = 1

    def preexec() -> None:
        prctl(pr_set_pdeathsig, int(signal.SIGKILL), 0, 0, 0)

    return preexec


@contextlib.contextmanager
def ended_by_signals() -> Any:
    """SIGTERM and SIGHUP (a CI cancel, ``timeout``, a closed terminal) end the analysis the way
    Ctrl-C does, so the type-check process groups are killed and the temporary copy removed; their
    default action ends this process alone and leaves both behind. Main thread only."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    previous = {}
    for name in ("SIGTERM", "SIGHUP"):
        sig = getattr(signal, name, None)
        if sig is not None:
            previous[sig] = signal.signal(sig, stop)
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _kill_group(proc: subprocess.Popen[str]) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)
