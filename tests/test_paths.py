"""Displayed and reported paths are normalised (#12): never `backend/../frontend`."""

from __future__ import annotations

from pathlib import Path

import pytest

from contractsync.io import display_path, repo_path


def test_display_path_is_normalised(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "backend").mkdir()
    (tmp_path / "frontend" / "src").mkdir(parents=True)
    monkeypatch.chdir(tmp_path)
    assert display_path(Path("backend/../frontend/src/types.ts")) == "frontend/src/types.ts"
    monkeypatch.chdir(tmp_path / "backend")
    # A sibling folder of a monorepo: as a user types it from here.
    assert display_path(tmp_path / "backend" / ".." / "frontend" / "src" / "types.ts") == "../frontend/src/types.ts"
    assert display_path(Path("./x/../y.ts")) == "y.ts"
    far = Path("/") / "opt" / "a" / "b" / "c" / ".." / "d.ts"
    assert display_path(far) == "/opt/a/b/d.ts"


def test_repo_path_is_from_the_repository_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "backend" / "contracts").mkdir(parents=True)
    monkeypatch.chdir(tmp_path / "backend")
    assert repo_path(Path("contracts/openapi.json")) == "backend/contracts/openapi.json"
    assert repo_path(Path("../backend/./contracts/../contracts/openapi.json")) == "backend/contracts/openapi.json"
