"""The example frontend's types and what the v2 contract breaks in it (#10).

The committed ``src/api/types.ts`` must be what contractsync generates from the stored v1 contract,
and the v2 app's types, dropped into a copy of the frontend, must make ``vue-tsc`` fail at exactly
the places the frontend's README lists (the same list `contractsync impact` is judged by).
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import FRONTEND, REPO, Place, frontend_copy, frontend_node, run, vue_tsc

README = FRONTEND / "README.md"
ROW = re.compile(r"^\| `(src/[^`:]+):(\d+):(\d+)` \| (TS\d+) \|", re.MULTILINE)


def _contractsync(*args: str) -> subprocess.CompletedProcess[str]:
    return run([sys.executable, "-m", "contractsync", *args], REPO)


def _documented() -> list[Place]:
    rows = [
        (f, int(line), int(col), code) for f, line, col, code in ROW.findall(README.read_text())
    ]
    assert rows, f"no `src/…:line:col` | TSnnnn rows in {README}"
    return rows


def test_committed_types_are_the_generated_ones() -> None:
    """src/api/types.ts is current with contracts/openapi.json (default generator options)."""
    target = FRONTEND / "src" / "api" / "types.ts"
    proc = _contractsync(
        "generate", "typescript", "contracts/openapi.json", "-o", str(target), "--check"
    )
    assert "is current" in proc.stdout, proc.stdout


def test_v2_breaks_exactly_the_documented_places(tmp_path: Path) -> None:
    node = frontend_node()
    committed_types = (FRONTEND / "src" / "api" / "types.ts").read_bytes()
    copy = frontend_copy(tmp_path / "frontend")
    _contractsync(
        "generate", "typescript", "--app", "bookshop.main:app",
        "--app-dir", "examples/bookshop/v2", "-o", str(copy / "src" / "api" / "types.ts"),
    )  # fmt: skip

    code, found, output = vue_tsc(node, copy)

    assert code != 0, output
    assert sorted(found) == sorted(_documented()), output
    # Every documented place is in a real file of the frontend, and its own tree was not touched.
    for file, *_ in found:
        assert (FRONTEND / file).is_file(), file
    assert (FRONTEND / "src" / "api" / "types.ts").read_bytes() == committed_types


def test_types_are_pulled_as_the_lock_says() -> None:
    """The frontend gets its types by `contractsync pull` (contractsync.toml → contractsync.lock)."""
    probe = subprocess.run(
        [sys.executable, "-m", "contractsync", "pull", "--help"],
        cwd=REPO, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    if probe.returncode != 0:
        pytest.skip("this build of contractsync has no `pull` command (#9)")
    lock = FRONTEND / "contractsync.lock"
    assert lock.is_file(), f"{lock} is missing: run `contractsync pull` in {FRONTEND} and commit it"
    proc = subprocess.run(
        [sys.executable, "-m", "contractsync", "pull", "--check"],
        cwd=FRONTEND, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout + proc.stderr
