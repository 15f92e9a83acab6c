"""Which Python imports the app: the project's own, not necessarily the one running contractsync.

contractsync is often installed apart from the app (``pipx install contractsync``, ``uv tool
install contractsync``), and the app runs in its own virtualenv, maybe on another Python. The
export child (:mod:`._bootstrap`) needs only the standard library there, so any CPython 3.9+
with the app and FastAPI installed will do. The first of these wins:

1. ``--python PATH`` (a path, or a name found on ``PATH``);
2. ``python = "…"`` in ``[tool.contractsync]`` (relative to pyproject.toml's directory);
3. the active virtualenv (``$VIRTUAL_ENV``);
4. a ``.venv`` or ``venv`` directory in the app dir or any directory above it up to the project
   root (where pyproject.toml is);
5. the interpreter running contractsync.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

from ..errors import InputError

#: Virtualenv directory names looked for, in this order.
VENV_NAMES = (".venv", "venv")


def venv_python(env: Path) -> Path | None:
    """The interpreter of the virtualenv at ``env``, if it has one."""
    for rel in ("bin/python", "bin/python3", "Scripts/python.exe"):
        candidate = env / rel
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return candidate
    return None


def _named(text: str, base: Path, where: str, source: str | None) -> str:
    path = Path(text).expanduser()
    if os.sep in text or (os.altsep and os.altsep in text) or not shutil.which(text):
        path = path if path.is_absolute() else base / path
        if path.is_dir():  # a virtualenv directory: take its interpreter
            found = venv_python(path)
            if found is not None:
                return str(found.absolute())
        if not path.is_file() or not os.access(path, os.X_OK):
            raise InputError(f"no Python interpreter at '{text}'", source=source, where=where)
        # absolute(), not resolve(): a virtualenv's python is a symlink to the base interpreter,
        # and following it would lose the virtualenv.
        return str(path.absolute())
    return str(shutil.which(text))


def project_python(
    explicit: str | None = None,
    *,
    configured: str | None = None,
    root: Path | None = None,
    app_dir: Path | None = None,
    config_file: Path | None = None,
) -> str:
    """The interpreter that imports the app (see the module docstring for the order)."""
    if explicit:
        return _named(explicit, Path.cwd(), "--python", None)
    base = (root or Path.cwd()).absolute()
    if configured:
        return _named(configured, base, "python", str(config_file) if config_file else "[tool.contractsync]")
    active = os.environ.get("VIRTUAL_ENV")
    if active:
        found = venv_python(Path(active))
        if found is not None:
            return str(found.absolute())
    start = (app_dir if app_dir is not None else base)
    start = (start if start.is_absolute() else Path.cwd() / start).resolve()
    top = base.resolve()
    directories = [start, *start.parents]
    for directory in directories:
        for name in VENV_NAMES:
            found = venv_python(directory / name)
            if found is not None:
                return str(found.absolute())
        if directory == top or top not in directory.parents:
            break
    return sys.executable
