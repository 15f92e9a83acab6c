"""The gate from Python with plain spec files instead of an app: no git, no export, fast."""

from __future__ import annotations

import copy
import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from contractsync import gate
from contractsync.config import Config
from contractsync.errors import CheckFailed
from contractsync.spec.source import FileSource, load_spec

NOW = dt.date(2026, 11, 26)


def spec(version: str = "1.0.0", *, with_pets: bool = True) -> dict[str, Any]:
    ok = {"200": {"description": "ok", "content": {"application/json": {"schema": {"type": "string"}}}}}
    paths: dict[str, Any] = {"/books": {"get": {"operationId": "books", "responses": ok}}}
    if with_pets:
        paths["/pets"] = {"get": {"operationId": "pets", "responses": copy.deepcopy(ok)}}
    return {"openapi": "3.1.0", "info": {"title": "Files", "version": version}, "paths": paths}


def write(path: Path, data: dict[str, Any]) -> FileSource:
    path.write_text(json.dumps(data), encoding="utf-8")
    return FileSource(path)


@pytest.fixture
def cfg(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Config:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path.parent))  # never find an enclosing repo
    return Config(root=tmp_path)


def test_without_git_or_app(cfg: Config, tmp_path: Path) -> None:
    first = gate.accept(cfg, app=write(tmp_path / "v1.json", spec()), now=NOW)
    assert first.release is not None and first.release.version == "1.0.0"
    result = gate.check(cfg, now=NOW)
    assert result.ok, gate.format_text(result)
    assert any("not in a git repository" in n for n in result.notes)
    assert any("no app configured" in n for n in result.notes)


def test_file_base_blocks_then_inline_announcement(cfg: Config, tmp_path: Path) -> None:
    gate.accept(cfg, app=write(tmp_path / "v1.json", spec()), now=NOW)
    base = tmp_path / "base.json"
    base.write_bytes(cfg.contract_file.read_bytes())
    v2 = write(tmp_path / "v2.json", spec(with_pets=False))
    blocked = gate.check(cfg, base=str(base), app=v2, now=NOW)
    assert sorted(b.kind for b in blocked.blockers) == ["stale-contract", "unannounced-breaking"]
    before = {p.name: p.read_bytes() for p in cfg.contracts_path.iterdir()}
    with pytest.raises(CheckFailed) as info:
        gate.accept(cfg, app=v2, now=NOW)
    assert "GET /pets" in getattr(info.value, "details", "")
    assert {p.name: p.read_bytes() for p in cfg.contracts_path.iterdir()} == before
    done = gate.accept(cfg, app=v2, now=NOW, announce_reason="pets moved to another service")
    assert done.release is not None and done.release.version == "2.0.0"
    assert gate.check(cfg, base=str(base), app=v2, now=NOW).ok


def test_export_without_accept_is_found_in_history(cfg: Config, tmp_path: Path) -> None:
    # The stored contract moved on without accept (e.g. `contractsync export`) and there is no
    # git history to find the release's contract in: the release lists the changes from the
    # stored contract, with a warning saying so.
    gate.accept(cfg, app=write(tmp_path / "v1.json", spec()), now=NOW)
    data = spec()
    data["paths"]["/authors"] = copy.deepcopy(data["paths"]["/books"])
    data["paths"]["/authors"]["get"]["operationId"] = "authors"
    exported = gate.canonical_document(load_spec(write(tmp_path / "v1b.json", data)))
    cfg.contract_file.write_bytes(exported.raw or b"")
    data["paths"]["/shelves"] = copy.deepcopy(data["paths"]["/books"])
    data["paths"]["/shelves"]["get"]["operationId"] = "shelves"
    result = gate.accept(cfg, app=write(tmp_path / "v2.json", data), now=NOW)
    assert result.release is not None
    assert [e.subject for e in result.release.changes] == ["GET /shelves"]
    assert any("was not found" in w for w in result.warnings)
