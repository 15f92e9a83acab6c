"""Writing generated files, or checking that the files on disk are current (``--check``)."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

from ..errors import InputError
from ..io import atomic_write_text


class OutputState(StrEnum):
    """What :func:`sync_output` found or did."""

    WRITTEN = "written"
    UNCHANGED = "unchanged"
    CURRENT = "current"
    STALE = "stale"


def sync_output(path: Path, text: str, *, check: bool) -> OutputState:
    """Write ``text`` to ``path`` atomically unless it already holds exactly ``text``.

    With ``check`` nothing is written: the result says whether the file is current or stale
    (missing counts as stale), which is what CI and pre-commit hooks gate on.
    """
    try:
        existing = path.read_bytes()
    except FileNotFoundError:
        existing = None
    except IsADirectoryError:
        raise InputError("is a directory, not a file", source=str(path)) from None
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror or exc}", source=str(path)) from None
    same = existing is not None and existing == text.encode("utf-8")
    if check:
        return OutputState.CURRENT if same else OutputState.STALE
    if same:
        return OutputState.UNCHANGED
    atomic_write_text(path, text)
    return OutputState.WRITTEN
