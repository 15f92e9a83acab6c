"""Which modules the warm worker imports ahead of time, and which ones it must never import.

The worker pre-imports FastAPI, pydantic, starlette and the *third-party* modules the app imports,
found by reading the app's source with :mod:`ast` (nothing of the app runs). Modules of the app
itself (every top-level name found in the app dir) are excluded: they are imported fresh, in a
forked child, on every rebuild.
"""

from __future__ import annotations

import ast
import os
from collections.abc import Iterator
from pathlib import Path

#: Imported first, always: what every FastAPI export needs.
BASE_MODULES = (
    "pydantic",
    "pydantic.json_schema",
    "starlette",
    "starlette.routing",
    "fastapi",
    "fastapi.routing",
    "fastapi.openapi.utils",
    "fastapi.openapi.models",
)

#: Directories never read while looking for imports (virtualenvs, caches, VCS, frontends).
SKIP_DIRS = frozenset({
    "__pycache__", ".git", ".hg", ".svn", ".tox", ".nox", ".venv", "venv", "env", ".mypy_cache",
    ".pytest_cache", ".ruff_cache", "node_modules", "site-packages", "dist-packages", "build", "dist",
})
#: Bounds that keep discovery fast on a surprising tree (e.g. an app dir at a monorepo root).
MAX_FILES = 5000
MAX_FILE_BYTES = 2 * 1024 * 1024


def app_top_level(target: str) -> str:
    """The top-level package (or module) of ``pkg.module:attr``."""
    return target.partition(":")[0].split(".")[0]


def local_names(app_dir: Path, target: str) -> set[str]:
    """Top-level module names that belong to the project: every package, namespace directory
    and ``.py`` file directly in ``app_dir``, plus the app's own package."""
    names = {app_top_level(target)}
    try:
        entries = list(os.scandir(app_dir))
    except OSError:
        return names
    for entry in entries:
        name = entry.name
        if name.startswith(".") or name in SKIP_DIRS:
            continue
        if entry.is_dir(follow_symlinks=True) and name.isidentifier():
            names.add(name)
        elif name.endswith(".py") and name[:-3].isidentifier():
            names.add(name[:-3])
    return names


def _source_files(root: Path) -> Iterator[Path]:
    if root.is_file():
        yield root
        return
    count = 0
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d not in SKIP_DIRS and not d.startswith("."))
        for name in sorted(filenames):
            if name.endswith(".py"):
                count += 1
                if count > MAX_FILES:
                    return
                yield Path(dirpath) / name


def imported_modules(source: str, filename: str = "<app>") -> set[str]:
    """Absolute module names imported anywhere in ``source`` (relative imports are skipped)."""
    try:
        tree = ast.parse(source, filename=filename)
    except (SyntaxError, ValueError):
        return set()
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module)
    return found


def discover_third_party(target: str, app_dir: Path) -> list[str]:
    """Modules the app imports that are not part of the project, parents before children.

    Reads the app's package (``app_dir/<top-level>`` or ``app_dir/<top-level>.py``) and every
    other package or module of the project it imports (``main.py`` importing ``routers/`` and
    ``services/`` next to it), transitively; an app that cannot be found or parsed simply yields
    fewer modules. Modules imported in ways the source does not show are learned by the worker
    from its first export instead.
    """
    local = local_names(app_dir, target)
    pending = [app_top_level(target)]
    scanned: set[str] = set()
    found: set[str] = set()
    files = 0
    while pending and files < MAX_FILES:
        top = pending.pop()
        if top in scanned:
            continue
        scanned.add(top)
        for root in (app_dir / top, app_dir / f"{top}.py"):
            if not root.exists():
                continue
            for path in _source_files(root):
                files += 1
                if files > MAX_FILES:
                    break
                try:
                    if path.stat().st_size > MAX_FILE_BYTES:
                        continue
                    text = path.read_text(encoding="utf-8", errors="replace")
                except OSError:
                    continue
                for name in imported_modules(text, str(path)):
                    head = name.split(".")[0]
                    if head in local:
                        if head not in scanned:
                            pending.append(head)
                    elif head != "__future__":
                        found.add(name)
    # Sorting by depth then name imports `sqlalchemy` before `sqlalchemy.orm`: a failing parent
    # is then reported once instead of once per child.
    return sorted(found, key=lambda n: (n.count("."), n))
