"""Atomic file writes: a crash or a concurrent reader never sees a half-written file."""

from __future__ import annotations

import contextlib
import os
import signal
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


def read_project_text(path: Path) -> str | None:
    """The UTF-8 text of a file contractsync keeps in a project, or None when it does not exist
    yet; any other failure is an :class:`InputError` naming the file."""
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read: {exc}", source=str(path)) from None


def display_path(path: Path, root: Path | None = None) -> str:
    """``path`` as a user would type it: relative to the current directory (else to ``root``)
    when it is below it, absolute otherwise."""
    for base in (Path.cwd(), root):
        if base is None:
            continue
        with contextlib.suppress(ValueError):
            return path.resolve().relative_to(base.resolve()).as_posix() or "."
    return str(path)


def atomic_write_bytes(path: str | os.PathLike[str], data: bytes, *, mode: int | None = None) -> None:
    """Write ``data`` to ``path`` via a temporary file in the same directory and ``os.replace``.

    When ``path`` is a symbolic link, the file it points to is replaced (in its own directory),
    so the link keeps pointing at the new content.

    The directory is created when missing. The previous file (if any) stays intact until the
    rename, which is atomic on POSIX and Windows. Permissions of an existing file are kept.
    """
    target = Path(path)
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


def atomic_write_text(path: str | os.PathLike[str], text: str, *, mode: int | None = None) -> None:
    """Write ``text`` (UTF-8) atomically; see :func:`atomic_write_bytes`."""
    atomic_write_bytes(path, text.encode("utf-8"), mode=mode)
