"""Shared by the example frontend's tests: where it is, and its npm packages (installed on demand)."""

from __future__ import annotations

import fcntl
import os
import re
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
FRONTEND = REPO / "examples" / "bookshop" / "frontend"
ARTIFACTS = Path(os.environ.get("CONTRACTSYNC_ARTIFACTS", REPO / "test-artifacts")) / "frontend"
"""Where the browser test keeps its screenshots (git-ignored)."""

_LOADED = time.time()


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Say where this run's screenshots are (the test may have run in an xdist worker)."""
    shots = sorted(ARTIFACTS.glob("*.png")) if ARTIFACTS.is_dir() else []
    if shots and max(p.stat().st_mtime for p in shots) >= _LOADED:
        terminalreporter.write_line(f"browser screenshots ({len(shots)}): {ARTIFACTS}")


def run(cmd: list[str], cwd: Path, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    """Run a command to completion; a non-zero exit fails the test with its output."""
    proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=timeout)
    if proc.returncode != 0:
        raise AssertionError(
            f"{' '.join(cmd)} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}"
        )
    return proc


def frontend_node() -> str:
    """Node, with the frontend's packages installed from its lock file (`make test` does this
    first; a bare `pytest` run does it here). Skips only when there is no Node at all."""
    node = shutil.which("node")
    npm = shutil.which("npm")
    if node is None or npm is None:
        pytest.skip("no `node`/`npm` on PATH: the example frontend needs Node 20+ (.ci/run has it)")
    # One install at a time: pytest-xdist workers may all get here on a fresh clone.
    with open(Path(tempfile.gettempdir()) / "contractsync-frontend-npm.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (FRONTEND / "node_modules" / ".package-lock.json").exists():
            run([npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"], FRONTEND)
    return node


Place = tuple[str, int, int, str]
"""A compiler error: file (relative to the frontend), line, column, TS code."""

_ERROR = re.compile(r"^(src/\S+)\((\d+),(\d+)\): error (TS\d+):", re.MULTILINE)


def frontend_copy(dest: Path) -> Path:
    """A copy of the frontend's sources and config with its node_modules linked (the tree itself
    is never touched); write other types into ``dest/src/api/types.ts``."""
    dest.mkdir(parents=True)
    shutil.copytree(FRONTEND / "src", dest / "src")
    for name in ("tsconfig.json", "package.json"):
        shutil.copy2(FRONTEND / name, dest / name)
    (dest / "node_modules").symlink_to(FRONTEND / "node_modules", target_is_directory=True)
    return dest


def vue_tsc(node: str, root: Path) -> tuple[int, list[Place], str]:
    """Run the frontend's own type-check (`vue-tsc --noEmit`) in ``root``: exit code, errors, output."""
    proc = subprocess.run(
        [node, str(FRONTEND / "node_modules" / "vue-tsc" / "bin" / "vue-tsc.js"), "--noEmit",
         "--pretty", "false"],
        cwd=root, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    found = [(f, int(line), int(col), code) for f, line, col, code in _ERROR.findall(proc.stdout)]
    return proc.returncode, found, proc.stdout + proc.stderr
