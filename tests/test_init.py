"""`init` finishes the job (#12): contract, types, first release, next commands, and a `watch`
that needs no flags afterwards."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest

from contractsync.cli import main
from tests.conftest import FIXTURES

APPS = FIXTURES / "apps"


def test_init_writes_types_and_watch_needs_no_flags(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "shop"\n[tool.ruff]\nline-length = 100')
    assert main(["init", "--app", "good_app:app", "--app-dir", str(APPS)]) == 0
    out = capsys.readouterr().out
    assert "contractsync diff" in out and "contractsync check" in out
    assert "contractsync watch    # keep contracts/types.ts current" in out
    # The table is appended after a blank line; the rest is untouched.
    text = (tmp_path / "pyproject.toml").read_text()
    assert text.startswith('[project]\nname = "shop"\n[tool.ruff]\nline-length = 100\n\n[tool.contractsync]\n')
    types = tmp_path / "contracts" / "types.ts"
    first = types.read_text()
    assert "export interface paths" in first
    types.unlink()
    assert main(["watch", "--once"]) == 0
    assert types.read_text() == first


def test_init_frontend_types_and_accept(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / ".git").mkdir()  # a monorepo: backend/ and web/
    tmp_path = tmp_path / "backend"
    tmp_path.mkdir()
    monkeypatch.chdir(tmp_path)
    assert main(["init", "--app", "good_app:app", "--app-dir", str(APPS),
                 "--frontend-types", "../web/src/api/types.ts", "--accept"]) == 0
    captured = capsys.readouterr()
    table = tomllib.loads((tmp_path / "pyproject.toml").read_text())["tool"]["contractsync"]
    assert table["frontend_types"] == "../web/src/api/types.ts"
    frontend = tmp_path.parent / "web" / "src" / "api" / "types.ts"
    assert frontend.read_text() == (tmp_path / "contracts" / "types.ts").read_text()
    history = json.loads((tmp_path / "contracts" / "changelog.json").read_text())
    assert len(history["releases"]) == 1
    assert "accepted" in captured.err and "first release" in captured.err
    assert "contractsync watch    # keep contracts/types.ts, ../web/src/api/types.ts current" in captured.out
    assert main(["check"]) == 0, capsys.readouterr().out  # contract, types and history agree
    frontend.unlink()
    assert main(["watch", "--once"]) == 0
    assert frontend.exists()


@pytest.mark.parametrize(("setup", "args", "message"), [
    # No git repository above: ../web is outside the project the table would confine paths to.
    ("", ["--frontend-types", "../web/src/api/types.ts"], "frontend_types = '../web/src/api/types.ts' is outside"),
    # A table already there: refused before the export writes the contract.
    ('[tool.contractsync]\napp = "x:app"\n', [], "already exists (use --force"),
])
def test_a_refused_init_writes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                       capsys: pytest.CaptureFixture[str], setup: str, args: list[str],
                                       message: str) -> None:
    """init wrote pyproject.toml and contracts/openapi.json, then failed on a path outside the
    repository; the re-run was refused ('already exists'). Every check now comes first."""
    backend = tmp_path / "backend"
    backend.mkdir()
    monkeypatch.chdir(backend)
    pyproject = backend / "pyproject.toml"
    pyproject.write_text('[project]\nname = "shop"\n' + setup)
    before = pyproject.read_text()
    assert main(["init", "--app", "good_app:app", "--app-dir", str(APPS), "--accept", *args]) == 2
    err = capsys.readouterr().err
    assert message in err and "pyproject.toml" in err and "Traceback" not in err
    assert pyproject.read_text() == before
    assert not (backend / "contracts").exists()
    assert not (tmp_path / "web").exists()


@pytest.mark.parametrize("argv", [["generate", "typescript"], ["generate", "python"]])
def test_commands_reading_the_stored_contract_say_how_to_create_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "no stored contract: run `contractsync export` to create it" in err
    assert "contracts/openapi.json" in err
