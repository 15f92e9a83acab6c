"""Atomic file writes: a crash or a concurrent reader never sees a half-written file."""

from __future__ import annotations

import contextlib
import os
import signal
import stat
import tempfile
from pathlib import Path

from .errors import InputError

#: Test hook (#13): when set to N, the process kills itself (SIGKILL) right after its N-th file
#: operation (an atomic replace or a removal), to prove that every prefix of a multi-file update
#: leaves a state the next run completes. Never set outside tests.
FAULT_ENV = "CONTRACTSYNC_FAULT_AFTER_FILE_OPS"
_ops_done = 0


def _file_op_done() -> None:
    global _ops_done
    limit = os.environ.get(FAULT_ENV)
    if not limit:
        return
    _ops_done += 1
    if _ops_done == int(limit):
        os.kill(os.getpid(), signal.SIGKILL)


def remove_file(path: Path) -> bool:
    """Remove ``path`` if it exists (True when it did); any other failure is an
    :class:`InputError` naming the file."""
    try:
        path.unlink()
    except FileNotFoundError:
        return False
    except OSError as exc:
        raise InputError(f"cannot remove file: {exc.strerror or exc}", source=str(path)) from exc
    _file_op_done()
    return True


#: The most contractsync reads from a file it keeps in a project (lock, changelog, config,
#: package.json): far above any real one, so a hostile or runaway file is refused, not read whole.
MAX_PROJECT_FILE_BYTES = 32 * 2**20


def size_text(n: int) -> str:
    """``32 MiB``, ``4,096 bytes``."""
    return f"{n / 2**20:g} MiB" if n >= 2**20 else f"{n:,} bytes"


def read_bounded(path: Path, limit: int, error: type[InputError] = InputError, *, what: str = "file",
                 special_hint: str = "") -> bytes:
    """A regular file's bytes, at most ``limit`` of them: a larger file is an ``error`` naming it
    (checked before reading, and again after, should it grow meanwhile). A FIFO, a device or a
    socket is refused without being opened (a FIFO blocks the open; ``/dev/zero`` never ends);
    :class:`FileNotFoundError` passes through for the caller to decide."""
    info = path.stat()
    if stat.S_ISDIR(info.st_mode):
        raise error(f"is a directory, not a {what}", source=str(path))
    if not stat.S_ISREG(info.st_mode):
        kind = ("a FIFO" if stat.S_ISFIFO(info.st_mode) else "a socket" if stat.S_ISSOCK(info.st_mode)
                else "a device")
        raise error(f"is {kind}, not a regular file{special_hint}", source=str(path))
    if info.st_size > limit:
        raise error(f"is larger than {size_text(limit)}", source=str(path))
    # O_NONBLOCK: should the path have become a FIFO since the stat, open does not block.
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    with os.fdopen(fd, "rb") as fh:
        if not stat.S_ISREG(os.fstat(fh.fileno()).st_mode):
            raise error("is not a regular file", source=str(path))
        data = fh.read(limit + 1)
    if len(data) > limit:  # it grew while being read
        raise error(f"is larger than {size_text(limit)}", source=str(path))
    return data


def read_project_text(path: Path, limit: int = MAX_PROJECT_FILE_BYTES) -> str | None:
    """The UTF-8 text of a file contractsync keeps in a project (at most ``limit`` bytes), or
    None when it does not exist yet; any other failure is an :class:`InputError` naming the file."""
    try:
        return read_bounded(path, limit).decode("utf-8")
    except FileNotFoundError:
        return None
    except UnicodeDecodeError as exc:
        raise InputError(f"cannot read: {exc}", source=str(path)) from None
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror or exc}", source=str(path)) from None


def display_path(path: Path, root: Path | None = None) -> str:
    """``path`` as a user would type it, normalised (no ``a/../b``): relative to the current
    directory (else to ``root``) when it is below it, else ``../``-relative when it is in the
    same git repository (a sibling folder of a monorepo), else absolute."""
    resolved = Path(os.path.abspath(path))
    with contextlib.suppress(OSError):
        resolved = path.resolve()
    for base in (Path.cwd(), root):
        if base is None:
            continue
        with contextlib.suppress(ValueError):
            return resolved.relative_to(base.resolve()).as_posix() or "."
    top = repo_root(Path.cwd())
    if top is not None:
        with contextlib.suppress(ValueError):
            resolved.relative_to(top)  # in the same repository as the current directory
            return Path(os.path.relpath(resolved, Path.cwd().resolve())).as_posix()
    return resolved.as_posix() if os.name != "nt" else str(resolved)


def repo_root(path: Path) -> Path | None:
    """The top of the git work tree holding ``path`` (a ``.git`` directory or file above it),
    found without running git; None outside a repository."""
    start = Path(os.path.abspath(path))
    with contextlib.suppress(OSError):
        start = start.resolve()
    for directory in (start, *start.parents):
        if (directory / ".git").exists():
            return directory
    return None


def repo_path(path: Path, root: Path | None = None) -> str:
    """A local file as reports name it: relative to the repository root (so GitHub, GitLab and
    SARIF viewers attach annotations to it from any working directory), normalised; outside a
    repository as :func:`display_path` shows it (relative to ``root`` when below it)."""
    absolute = Path(os.path.abspath(path))
    with contextlib.suppress(OSError):
        absolute = absolute.resolve()
    top = repo_root(absolute.parent)
    if top is not None:
        with contextlib.suppress(ValueError):
            return absolute.relative_to(top).as_posix()
    return display_path(path, root)


def atomic_write_bytes(path: str | os.PathLike[str], data: bytes, *, mode: int | None = None) -> None:
    """Write ``data`` to ``path`` via a temporary file in the same directory and ``os.replace``.

    When ``path`` is a symbolic link, the file it points to is replaced (in its own directory),
    so the link keeps pointing at the new content.

    The directory is created when missing. The previous file (if any) stays intact until the
    rename, which is atomic on POSIX and Windows. Permissions of an existing file are kept.
    """
    target = Path(path)
    if _is_device_or_pipe(target):
        # `-o /dev/null`, `-o /dev/stdout`, a FIFO: write into it; renaming over it would replace
        # the device node with a regular file.
        try:
            with open(target, "wb") as fh:
                fh.write(data)
        except OSError as exc:
            raise InputError(f"cannot write: {exc.strerror or exc}", source=str(target)) from exc
        return
    if target.is_symlink():
        # Write through to the file the link names, atomically there; the link stays a link (#13).
        target = Path(os.path.realpath(target))
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"cannot create directory: {exc.strerror}", source=str(target.parent)) from exc
    if mode is None:
        try:
            mode = target.stat().st_mode & 0o777
        except FileNotFoundError:
            umask = os.umask(0)
            os.umask(umask)
            mode = 0o666 & ~umask
    fd = -1
    tmp = ""
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
        with os.fdopen(fd, "wb") as fh:
            fd = -1
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, target)
        tmp = ""
        _file_op_done()
    except OSError as exc:
        raise InputError(f"cannot write file: {exc.strerror or exc}", source=str(target)) from exc
    finally:
        if fd != -1:
            os.close(fd)
        if tmp:
            with contextlib.suppress(OSError):
                os.unlink(tmp)


def _is_device_or_pipe(path: Path) -> bool:
    try:
        st = path.stat()
    except OSError:
        return False
    return stat.S_ISCHR(st.st_mode) or stat.S_ISBLK(st.st_mode) or stat.S_ISFIFO(st.st_mode)


def atomic_write_text(path: str | os.PathLike[str], text: str, *, mode: int | None = None) -> None:
    """Write ``text`` (UTF-8) atomically; see :func:`atomic_write_bytes`."""
    atomic_write_bytes(path, text.encode("utf-8"), mode=mode)


# --- scratch directories that outlive a SIGKILL ------------------------------------------------------

#: The file in a scratch directory naming its owner: ``<host>\n<pid>\n``.
_OWNER_FILE = ".contractsync-owner"


def scratch_dir(prefix: str) -> Path:
    """A new temporary directory ``<tmp>/<prefix><pid>-<random>`` marked with its owner, after
    removing this host's directories of the same ``prefix`` whose owner process is gone.

    A ``finally`` removes a scratch directory on every exit that runs Python code (errors, Ctrl-C,
    SIGTERM/SIGHUP turned into exceptions); a SIGKILL, the OOM killer or a power cut runs none, so
    the next run sweeps what they left (#13). Only directories with an owner file naming this
    host and a PID that no longer exists are removed, so a live run (also of another user, or in
    another container sharing ``/tmp``) is never touched."""
    sweep_scratch_dirs(prefix)
    path = Path(tempfile.mkdtemp(prefix=f"{prefix}{os.getpid()}-"))
    (path / _OWNER_FILE).write_text(f"{_host()}\n{os.getpid()}\n", encoding="utf-8")
    return path


def sweep_scratch_dirs(prefix: str, base: Path | None = None) -> list[Path]:
    """Remove stale scratch directories of ``prefix`` (see :func:`scratch_dir`); returns them."""
    import shutil

    removed = []
    for path in (base or Path(tempfile.gettempdir())).glob(f"{prefix}*-*"):
        pid = path.name[len(prefix):].split("-", 1)[0]
        if not pid.isascii() or not pid.isdigit() or int(pid) == os.getpid() or path.is_symlink():
            continue
        try:
            host, owner = (path / _OWNER_FILE).read_text(encoding="utf-8").split("\n")[:2]
        except (OSError, ValueError, UnicodeDecodeError):
            continue  # not ours, or its owner has not marked it yet
        if host != _host() or owner != pid or _alive(int(pid)):
            continue
        shutil.rmtree(path, ignore_errors=True)
        removed.append(path)
    return removed


def _host() -> str:
    import socket

    return socket.gethostname()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return True
    return True


# --- project files (TOML, JSON) under the loader policy ---------------------------------------------

def load_toml(path: Path, error: type[InputError] = InputError) -> dict[str, object]:
    """A TOML file (``pyproject.toml``, ``contractsync.toml``) as data. Every failure is one
    ``error`` naming the file (and the line when known): missing or unreadable, not UTF-8, invalid
    TOML, or nested too deeply (tomllib recurses: 100,000 ``[`` raised RecursionError)."""
    import tomllib

    from .spec.parse import DEPTH_MESSAGE

    try:
        raw = read_bounded(path, MAX_PROJECT_FILE_BYTES, error)
    except FileNotFoundError:
        raise error("no such file", source=str(path)) from None
    except OSError as exc:
        raise error(f"cannot read: {exc.strerror}", source=str(path)) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise error("is not UTF-8 text", source=str(path), where=str(line)) from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise error(f"invalid TOML: {exc}", source=str(path)) from None
    except RecursionError:
        raise error(DEPTH_MESSAGE, source=str(path), where=_too_deep_line(text)) from None


def _too_deep_line(text: str) -> str | None:
    """The line where arrays and inline tables first nest past the limit (strings skipped)."""
    from .spec.parse import MAX_DEPTH

    depth, line, quote = 0, 1, ""
    for ch in text:
        if ch == "\n":
            line += 1
        if quote:
            quote = "" if ch == quote else quote
        elif ch in "\"'":
            quote = ch
        elif ch in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                return str(line)
        elif ch in "]}":
            depth = max(0, depth - 1)
    return None


def load_json_file(path: Path, error: type[InputError] = InputError, hint: str = "", *,
                   raw: bytes | None = None) -> object:
    """A JSON project file (``package.json``, ``contractsync.lock``; ``raw``: its bytes, already
    read) through the loader every document goes through: one nesting limit, exact integers;
    failures are one ``error`` naming the file and line:column, with ``hint`` (what to do) appended."""
    from .errors import SpecLoadError
    from .spec.parse import check_depth, load_json

    try:
        raw = read_bounded(path, MAX_PROJECT_FILE_BYTES, error) if raw is None else raw
    except FileNotFoundError:
        raise error("no such file", source=str(path)) from None
    except OSError as exc:
        raise error(f"cannot read: {exc.strerror}", source=str(path)) from None
    try:
        data = load_json(raw, source=str(path))
        check_depth(data, source=str(path), raw=raw)
    except SpecLoadError as exc:
        message = exc.message if not hint else f"{exc.message.replace('invalid JSON: ', 'is not valid JSON: ', 1)}; {hint}"
        raise error(message, source=str(path), where=exc.where) from None
    return data
