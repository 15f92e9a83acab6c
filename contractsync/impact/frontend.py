"""A frontend project: where its generated types live, how it type-checks, and a throwaway copy
to type-check in (the user's tree is never touched).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
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

from ..client.lock import read_lock_data
from ..errors import InputError
from ..io import load_json_file, load_toml
from ..spec.export import start_guarded, stop_guarded

#: Directories never copied: dependencies (linked instead), build output, VCS data, caches.
SKIP_DIRS = frozenset({"node_modules", "dist", ".git", ".hg", ".svn", ".vite", ".cache",
                       "coverage", ".turbo", ".nuxt", ".output"})


@dataclass(frozen=True)
class Frontend:
    """What impact analysis needs to know about one frontend directory."""

    root: Path
    types: str | None
    """contractsync's generated types file, relative to :attr:`root` (POSIX); None when the
    frontend's own generator makes its types from :attr:`openapi`."""
    command: list[str]
    """The type-check command, run in (a copy of) :attr:`root`."""
    incremental: bool
    """Whether :attr:`command` is plain tsc/vue-tsc, so ``--incremental`` can be added."""
    typescript_options: dict[str, Any] = field(default_factory=dict)
    """``[pull.typescript]`` of its contractsync.toml: the generator options its types use."""
    openapi: str | None = None
    """Where the contract itself (canonical JSON) goes in the copy, relative to :attr:`root`: the
    input of the frontend's own client generator (openapi-ts, openapi-typescript, orval…)."""
    generate: list[str] | None = None
    """The frontend's own generator, run in the copy after the contract is written and before
    the type-check (``npm run generate-client``)."""
    projects: tuple[str, ...] = ()
    """The projects a solution-style ``tsconfig.json`` (``"files": []`` with ``references``, as
    create-vue scaffolds) refers to: :attr:`command` runs once per project (``-p``), because
    ``vue-tsc --noEmit`` on the solution file checks no file at all."""


@dataclass(frozen=True)
class FrontendSettings:
    """What a frontend's ``contractsync.toml`` / ``contractsync.lock`` say about its outputs."""

    types: str | None = None
    openapi: str | None = None
    generate: str | None = None
    typescript_options: dict[str, Any] = field(default_factory=dict)


def _read_toml(path: Path) -> dict[str, Any]:
    return load_toml(path)


def _read_json(path: Path) -> Any:
    return load_json_file(path)


def find_types(root: Path, wanted: str | None = None) -> tuple[str | None, dict[str, Any]]:
    """The types file named by ``contractsync.toml`` ([pull] types) or ``contractsync.lock`` (the
    ``.ts`` output), and the ``[pull.typescript]`` options; ``(None, {})`` when neither says.
    With several contracts (``[[pull]]`` entries), the entry whose types are ``wanted`` (or the
    only one with types); several candidates and no ``wanted`` is an :class:`InputError`."""
    found = find_settings(root, wanted)
    return found.types, found.typescript_options


def find_settings(root: Path, wanted: str | None = None) -> FrontendSettings:
    """The outputs ``contractsync.toml`` names: ``[pull] types`` (else the lock's ``.ts``
    output), ``[pull] openapi``, ``[impact] generate`` and the ``[pull.typescript]`` options.
    With several contracts (``[[pull]]`` entries), those of the entry whose types are ``wanted``
    (or of the only one with types); several candidates and no ``wanted`` is an
    :class:`InputError`."""
    options: dict[str, Any] = {}
    types: str | None = None
    openapi: str | None = None
    generate: str | None = None
    several = False
    toml = root / "contractsync.toml"
    if toml.is_file():
        data = _read_toml(toml)
        pull = data.get("pull", {})
        if isinstance(pull, list):
            several = True
            chosen = [e for e in pull if isinstance(e, dict) and isinstance(e.get("types"), str)
                      and (wanted is None or e["types"] == wanted)]
            if len(chosen) > 1:
                raise InputError(f"lists {len(chosen)} contracts ([[pull]]): pass --types with one of "
                                 f"{', '.join(str(e['types']) for e in chosen)}", source=str(toml))
            if chosen:
                entry = chosen[0]
                types = str(entry["types"])
                if isinstance(entry.get("typescript"), dict):
                    options = dict(entry["typescript"])
                if isinstance(entry.get("openapi"), str):
                    openapi = str(entry["openapi"])
            else:
                types = wanted
        elif isinstance(pull, dict):
            ts = pull.get("typescript")
            if isinstance(ts, dict):
                options = ts
            if isinstance(pull.get("types"), str):
                types = pull["types"]
            if isinstance(pull.get("openapi"), str):
                openapi = pull["openapi"]
        section = data.get("impact", {})
        if not isinstance(section, dict):
            raise InputError("[impact] must be a table", source=str(toml))
        for key, value in section.items():
            if key != "generate":
                raise InputError(f"[impact] unknown key '{key}' (expected generate)", source=str(toml))
            if not isinstance(value, str):
                raise InputError("[impact] generate must be a string (a command line)", source=str(toml))
            generate = value
    lock = root / "contractsync.lock"
    if types is None and not several and lock.is_file():
        data = read_lock_data(lock)
        outputs = data.get("outputs") if isinstance(data, dict) else None
        if isinstance(outputs, dict):
            ts_outputs = sorted(k for k in outputs if isinstance(k, str) and k.endswith(".ts"))
            if ts_outputs:
                types = ts_outputs[0]
    return FrontendSettings(types, openapi, generate, options)


def _jsonc(text: str) -> Any:
    """JSON with comments and trailing commas, as tsconfig files are written."""
    out: list[str] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch == '"':
            j = i + 1
            while j < n and text[j] != '"':
                j += 2 if text[j] == "\\" else 1
            out.append(text[i:j + 1])
            i = j + 1
        elif text.startswith("//", i):
            while i < n and text[i] != "\n":
                i += 1
        elif text.startswith("/*", i):
            end = text.find("*/", i + 2)
            i = n if end < 0 else end + 2
        else:
            out.append(ch)
            i += 1
    cleaned = "".join(out)
    # A comma before a closing bracket (outside strings, which the loop above kept whole).
    parts = re.split(r'("(?:[^"\\]|\\.)*")', cleaned)
    parts = [p if k % 2 else re.sub(r",(\s*[}\]])", r"\1", p) for k, p in enumerate(parts)]
    return json.loads("".join(parts))


def solution_projects(root: Path) -> tuple[str, ...]:
    """The projects ``root/tsconfig.json`` refers to when it is a solution file (``"files": []``
    and ``references``, create-vue's layout), as paths relative to ``root``; ``()`` otherwise.

    ``tsc --noEmit`` / ``vue-tsc --noEmit`` on a solution file type-checks nothing and exits 0,
    so an impact analysis that ran it would always report that nothing breaks."""
    config = root / "tsconfig.json"
    if not config.is_file():
        return ()
    try:
        data = _jsonc(config.read_text(encoding="utf-8"))
    except (OSError, ValueError, UnicodeDecodeError):
        return ()  # the compiler reads it (or says what is wrong with it) itself
    if not isinstance(data, dict) or data.get("files") != [] or "include" in data:
        return ()
    refs = data.get("references")
    out: list[str] = []
    for ref in refs if isinstance(refs, list) else []:
        path = ref.get("path") if isinstance(ref, dict) else None
        if not isinstance(path, str):
            continue
        target = (root / path).resolve()
        if target.is_dir():
            target = target / "tsconfig.json"
        try:
            rel = target.relative_to(root.resolve()).as_posix()
        except ValueError:
            continue  # a project outside the frontend is not the frontend's own code
        if target.is_file() and rel not in out:
            out.append(rel)
    return tuple(out)


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


def _inside(path: str | None, flag: str) -> str | None:
    if path is None:
        return None
    rel = Path(path)
    if rel.is_absolute() or ".." in rel.parts:
        raise InputError("must be a path inside the frontend directory", where=flag, source=path)
    return rel.as_posix()


def _command_line(text: str | None, flag: str) -> list[str] | None:
    if text is None:
        return None
    try:
        command = shlex.split(text)
    except ValueError as exc:  # an unclosed quote: "No closing quotation"
        raise InputError(f"cannot be split into words: {exc}", where=flag) from None
    if not command:
        raise InputError("is empty", where=flag)
    return command


def load_frontend(root: Path, *, types: str | None = None, typecheck_cmd: str | None = None,
                  openapi: str | None = None, generate_cmd: str | None = None) -> Frontend:
    """Read a frontend directory's settings; ``types`` and ``openapi`` (relative to ``root``),
    ``typecheck_cmd`` and ``generate_cmd`` (shell-style command lines) override what the
    directory says.

    A frontend whose client another tool generates (openapi-ts in ``src/client``,
    openapi-typescript into a ``.d.ts``) names where that tool reads the contract (``openapi``)
    and the command that runs it (``generate_cmd``): the contract is written there and the
    generator run before each type-check, so the types are the ones the frontend really uses."""
    if not root.is_dir():
        raise InputError("no such directory", source=str(root))
    found = find_settings(root, types)
    types_rel = _inside(types or found.types, "--types")
    openapi_rel = _inside(openapi or found.openapi, "--openapi")
    generate = _command_line(generate_cmd if generate_cmd is not None else found.generate,
                             "--generate-cmd")
    if types_rel is None and openapi_rel is None:
        raise InputError("cannot find the generated types file: no [pull] types or openapi in "
                         "contractsync.toml and no .ts output in contractsync.lock (pass --types PATH; "
                         "for a client another tool generates, --openapi PATH --generate-cmd CMD)",
                         source=str(root))
    if types_rel is None and generate is None and typecheck_cmd is None:
        raise InputError(f"the contract would be written to {openapi_rel} but nothing regenerates the "
                         "frontend's types from it: pass --generate-cmd (e.g. 'npm run generate-client') "
                         "or set generate in [impact] of contractsync.toml", source=str(root))
    if types_rel is not None and types_rel == openapi_rel:
        raise InputError("the types and the contract cannot be the same file", where="--openapi",
                         source=types_rel)
    command = _command_line(typecheck_cmd, "--typecheck-cmd")
    incremental = False
    projects: tuple[str, ...] = ()
    if command is None:
        command, incremental = detect_command(root)
        projects = solution_projects(root)
    return Frontend(root.resolve(), types_rel, command, incremental, found.typescript_options,
                    openapi_rel, generate, projects)


#: Files that make a directory the root of a JavaScript workspace (npm/yarn/pnpm, lerna, nx, turbo).
_WORKSPACE_MARKERS = ("pnpm-workspace.yaml", "lerna.json", "nx.json", "turbo.json", "rush.json")


def workspace_root(root: Path) -> Path | None:
    """The nearest directory above ``root`` that is a JavaScript workspace root (a package.json
    with ``workspaces``, a pnpm-workspace.yaml, …), not above the git repository; None when the
    frontend stands alone."""
    current = root.resolve()
    for parent in current.parents:
        if any((parent / marker).is_file() for marker in _WORKSPACE_MARKERS):
            return parent
        pkg = parent / "package.json"
        if pkg.is_file():
            with contextlib.suppress(InputError):  # not ours to judge: npm says what is wrong
                data = load_json_file(pkg)
                if isinstance(data, dict) and "workspaces" in data:
                    return parent
        if (parent / ".git").exists():
            return None
    return None


def mirror_workspace(root: Path, base: Path) -> tuple[Path, list[Path]]:
    """Where a copy of ``root`` goes under ``base`` so that what it reaches *above* itself still
    resolves: in a workspace (``packages/web`` extending ``../../tsconfig.base.json``, hoisted
    dependencies in the root ``node_modules``) every entry of each level between the workspace
    root and ``root`` is linked under ``base`` at the same relative place; the path down to
    ``root`` is left to be created. Returns that place and the linked files (not directories),
    whose contents the baseline cache keys on."""
    anchor = workspace_root(root)
    if anchor is None:
        base.mkdir(parents=True, exist_ok=True)
        return base / "frontend", []
    real = root.resolve()
    parts = real.relative_to(anchor).parts
    linked: list[Path] = []
    level, mirror = anchor, base
    for part in parts:
        mirror.mkdir(parents=True, exist_ok=True)
        for entry in sorted(level.iterdir()):
            if entry.name == part or entry.name in (".git", ".hg", ".svn"):
                continue
            (mirror / entry.name).symlink_to(entry, target_is_directory=entry.is_dir())
            if entry.is_file():
                linked.append(entry)
        level, mirror = level / part, mirror / part
    return mirror, linked


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
    # Every node_modules/.bin from cwd up, nearest first, as `npm run` does: a workspace package
    # finds the tools its root hoisted.
    bins = [str(d / "node_modules" / ".bin") for d in (cwd, *cwd.parents) if (d / "node_modules").exists()]
    env["PATH"] = os.pathsep.join([*bins, env.get("PATH", "")])
    env.setdefault("NO_COLOR", "1")
    env.update(extra_env or {})
    exe = shutil.which(command[0], path=env["PATH"])
    if exe is None:
        raise InputError(f"'{command[0]}' not found in node_modules/.bin or on PATH "
                         "(run npm ci in the frontend, or pass --typecheck-cmd)", source=place)
    try:
        proc = start_guarded([exe, *command[1:]], cwd=cwd, env=env)
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
        proc.release()
    if proc.returncode < 0:
        # The guard process between this one and the command was killed: by the command itself
        # (`kill -9 $PPID`, a tool that signals its parent or its group), since this process did not.
        name = _signal_name(-proc.returncode)
        raise InputError(f"'{shlex.join(command)}' was killed by {name} before it finished (does it signal its "
                         "parent process or its process group?)", source=place)
    return RunResult(proc.returncode, out)


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"


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
    stop_guarded(proc)
