"""Config from pyproject.toml, `init`, and the conventions every command follows."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from contractsync import __version__
from contractsync.cli import app, main
from contractsync.config import load_config
from contractsync.errors import ConfigError
from tests.conftest import FIXTURES

APPS = FIXTURES / "apps"


def test_defaults_without_pyproject(tmp_path: Path) -> None:
    cfg = load_config(start=tmp_path)
    assert cfg.contracts_dir == "contracts"
    assert cfg.contract_file == tmp_path.resolve() / "contracts" / "openapi.json"


def test_values_and_overrides(tmp_path: Path) -> None:
    py = tmp_path / "pyproject.toml"
    py.write_text('[tool.contractsync]\napp = "a.b:app"\ncontracts_dir = "api"\nfrontend_types = "web/types.ts"\n')
    cfg = load_config(py)
    assert (cfg.app, cfg.contracts_dir, cfg.frontend_types) == ("a.b:app", "api", "web/types.ts")
    assert cfg.contract_file == tmp_path / "api" / "openapi.json"
    assert cfg.with_overrides(app="c.d:app", contracts_dir=None).app == "c.d:app"


@pytest.mark.parametrize(("spec", "app_dir", "expected"), [
    ("app:a.b:app", None, "backend"),        # the configured app, spelled as a SPEC: its app_dir
    ("app:a.b:app", Path("other"), "other"),  # --app-dir still wins
    ("app:c.d:app", None, "."),              # another app: relative to the current folder
])
def test_app_spec_of_the_configured_app_uses_its_app_dir(tmp_path: Path, spec: str, app_dir: Path | None,
                                                          expected: str) -> None:
    """`publish app:a.b:app` (no --app-dir option) must find the app where the config says."""
    from contractsync.cli._common import spec_source
    from contractsync.spec.source import AppSource

    py = tmp_path / "pyproject.toml"
    py.write_text('[tool.contractsync]\napp = "a.b:app"\napp_dir = "backend"\n')
    src = spec_source(spec, load_config(py), app_dir=app_dir)
    assert isinstance(src, AppSource)
    want = Path(expected) if expected != "backend" else load_config(py).app_dir_path
    assert src.app_dir == want


@pytest.mark.parametrize(
    ("table", "fragment"),
    [
        ('apps = "x:app"', "unknown key 'apps'"),
        ("export_timeout = -1", "export_timeout"),
        ("app = 3", "app"),
        ("root = '/'", "unknown key 'root'"),
    ],
)
def test_config_errors_name_the_key_and_the_file(tmp_path: Path, table: str, fragment: str) -> None:
    py = tmp_path / "pyproject.toml"
    py.write_text(f"[tool.contractsync]\n{table}\n")
    with pytest.raises(ConfigError) as info:
        load_config(py)
    line = info.value.one_line()
    assert str(py) in line and fragment in line


def test_unknown_key_from_the_cli_exits_2(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "pyproject.toml").write_text('[tool.contractsync]\ncontract_dir = "x"\n')
    assert main(["export", "--check"]) == 2
    assert "unknown key 'contract_dir'" in capsys.readouterr().err


def test_init_writes_config_keeps_the_rest_and_creates_the_contract(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    py = tmp_path / "pyproject.toml"
    py.write_text('# my project\n[project]\nname = "shop"  # keep me\n')
    assert main(["init", "--app", "good_app:app", "--app-dir", str(APPS),
                 "--frontend-types", "web/src/api/types.ts"]) == 0
    text = py.read_text()
    assert text.startswith('# my project\n[project]\nname = "shop"  # keep me\n')
    table = tomllib.loads(text)["tool"]["contractsync"]
    assert table == {"app": "good_app:app", "app_dir": str(APPS), "contracts_dir": "contracts",
                     "frontend_types": "web/src/api/types.ts"}
    assert (tmp_path / "contracts" / "openapi.json").read_bytes().endswith(b"\n")
    assert main(["init", "--app", "good_app:app"]) == 2, "a second init needs --force"
    assert main(["export", "--check"]) == 0


def test_init_with_a_broken_app_writes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["init", "--app", "broken_import_app:app", "--app-dir", str(APPS)]) == 2
    assert list(tmp_path.iterdir()) == []


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"contractsync {__version__}"


def _commands() -> list[str]:
    import typer.main

    group = typer.main.get_command(app)
    names: list[str] = []
    for name, cmd in group.commands.items():  # type: ignore[attr-defined]
        sub = getattr(cmd, "commands", None)
        names.extend(f"{name} {s}" for s in sub) if sub else names.append(name)
    return sorted(names)


@pytest.mark.parametrize("command", _commands())
def test_every_command_help_has_a_runnable_example(command: str) -> None:
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "200", "TERM": "dumb"}
    proc = subprocess.run([sys.executable, "-m", "contractsync", *command.split(), "--help"],
                          capture_output=True, text=True, env=env)
    assert proc.returncode == 0, proc.stderr
    match = re.search(r"Example:\s*(contractsync [^\n]+)", proc.stdout)
    assert match, f"`contractsync {command} --help` shows no example:\n{proc.stdout}"
    assert match.group(1).split()[1] == command.split()[0]


def test_no_color_and_non_tty_output_has_no_escape_codes(tmp_path: Path) -> None:
    (tmp_path / "s.json").write_text('{"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": {}}')
    for env_extra in ({"NO_COLOR": "1"}, {}):
        env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")} | env_extra
        proc = subprocess.run([sys.executable, "-m", "contractsync", "validate", "s.json"],
                              capture_output=True, text=True, env=env, cwd=tmp_path)
        assert proc.returncode == 0
        assert "\x1b[" not in proc.stdout + proc.stderr


def test_usage_error_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", "--format", "xml", "x.json"]) == 2
    assert main(["no-such-command"]) == 2


def test_contracts_dir_flag_overrides_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "pyproject.toml").write_text(
        f'[tool.contractsync]\napp = "good_app:app"\napp_dir = "{APPS}"\ncontracts_dir = "api"\n'
    )
    assert main(["--contracts-dir", "other", "export"]) == 0
    assert (tmp_path / "other" / "openapi.json").exists()
    assert not (tmp_path / "api").exists()


# Commands whose example only reads the project or writes below the working directory; the
# others (init, check, announce, accept) need a git history or a pending change to mean anything.
RUNNABLE = ["export", "validate", "diff", "generate typescript", "generate python", "watch", "rules",
            "changelog", "generate", ""]


@pytest.mark.parametrize("command", RUNNABLE, ids=[c or "root" for c in RUNNABLE])
def test_help_examples_run(command: str, tmp_path: Path) -> None:
    """The example in `--help` is a command that works, run in a copy of this repository's
    example project (its config, contract and the bookshop app)."""
    import shutil

    from tests.conftest import REPO

    for name in ("pyproject.toml", "contracts", "examples"):
        src = REPO / name
        if src.is_dir():
            shutil.copytree(src, tmp_path / name)
        else:
            shutil.copy(src, tmp_path / name)
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "400", "TERM": "dumb"}
    help_text = subprocess.run([sys.executable, "-m", "contractsync", *command.split(), "--help"],
                               capture_output=True, text=True, env=env, check=True).stdout
    match = re.search(r"Example:\s*contractsync ([^\n]+?)\s*$", help_text, re.M)
    assert match, help_text
    args = shlex.split(match.group(1).replace("/tmp/", f"{tmp_path}/"))
    proc = subprocess.run([sys.executable, "-m", "contractsync", *args], capture_output=True, text=True,
                          env=env, cwd=tmp_path, timeout=120)
    # diff exits 1 when it finds breaking changes (the v2 example has them); nothing may exit 2.
    assert proc.returncode in (0, 1), f"{args}: {proc.stderr}"
    assert proc.returncode == 0 or args[0] == "diff", f"{args}: {proc.stderr}"
