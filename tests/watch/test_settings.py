"""``[tool.contractsync.watch]`` and how flags and config combine."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from contractsync.config import Config, load_config
from contractsync.errors import InputError
from contractsync.watch.config import WatchConfig
from contractsync.watch.settings import DEFAULT_TIMEOUT, resolve_settings, watch_config


def test_watch_config_defaults_and_single_strings() -> None:
    cfg = WatchConfig()
    assert (cfg.paths, cfg.ignore, cfg.types, cfg.debounce_ms) == ([], [], [], 20)
    one = WatchConfig(types="web/types.ts", paths="backend")  # type: ignore[arg-type]
    assert one.types == ["web/types.ts"] and one.paths == ["backend"]


def test_watch_config_rejects_unknown_keys_and_bad_values() -> None:
    with pytest.raises(ValidationError, match="extra"):
        WatchConfig(debounce=5)  # type: ignore[call-arg]
    with pytest.raises(ValidationError):
        WatchConfig(debounce_ms=-1)


def _project(tmp_path: Path, table: str = "") -> Config:
    (tmp_path / "backend" / "app").mkdir(parents=True)
    (tmp_path / "pyproject.toml").write_text(
        '[tool.contractsync]\napp = "app.main:app"\napp_dir = "backend"\n' + table)
    return load_config(tmp_path / "pyproject.toml")


def test_defaults_watch_the_app_dir(tmp_path: Path) -> None:
    cfg = _project(tmp_path, 'frontend_types = "web/src/types.ts"\n')
    s = resolve_settings(cfg)
    assert s.target == "app.main:app"
    assert s.app_dir == (tmp_path / "backend").resolve()
    assert s.paths == [s.app_dir]
    assert [o.path for o in s.outputs] == [(tmp_path / "web/src/types.ts").resolve()]
    assert s.contract_file == (tmp_path / "contracts/openapi.json").resolve()
    assert s.timeout == DEFAULT_TIMEOUT and s.debounce_ms == 20
    assert s.project_dirs == [tmp_path.resolve(), s.app_dir]


def test_flags_add_outputs_and_override(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cfg = _project(tmp_path, 'frontend_types = "web/src/types.ts"\nexport_timeout = 30\n')
    monkeypatch.chdir(tmp_path)
    s = resolve_settings(cfg, types=[Path("out/api.json"), Path("web/src/types.ts")],
                         paths=[Path("backend/app")], ignore=["*/migrations/*"], debounce_ms=5)
    assert [(o.path.name, o.kind) for o in s.outputs] == [("api.json", "openapi"), ("types.ts", "typescript")]
    assert s.paths == [(tmp_path / "backend/app").resolve()]
    assert s.ignore == ["*/migrations/*"] and s.debounce_ms == 5
    assert s.timeout == 30  # a configured export_timeout applies to watch too


def test_refuses_to_write_the_stored_contract(tmp_path: Path) -> None:
    cfg = _project(tmp_path)
    with pytest.raises(InputError, match="never writes the stored contract"):
        resolve_settings(cfg, types=[tmp_path / "contracts" / "openapi.json"])


def test_needs_an_output_an_app_and_existing_paths(tmp_path: Path) -> None:
    cfg = _project(tmp_path)
    # Nothing configured: the types `init` and `accept` keep (#12).
    assert [o.path for o in resolve_settings(cfg).outputs] == [(cfg.contracts_path / "types.ts").resolve()]
    with pytest.raises(InputError, match="watch path does not exist"):
        resolve_settings(cfg, types=[tmp_path / "t.ts"], paths=[tmp_path / "nope"])
    with pytest.raises(InputError, match="no app to watch"):
        resolve_settings(Config(root=tmp_path), types=[tmp_path / "t.ts"])


def test_watch_table_is_read_when_config_has_the_field(tmp_path: Path) -> None:
    cfg = _project(tmp_path, '\n[tool.contractsync.watch]\npaths = ["backend/app"]\n'
                             'ignore = ["*_test.py"]\ndebounce_ms = 20\ntypes = "web/types.ts"\n')
    assert watch_config(cfg).debounce_ms == 20
    s = resolve_settings(cfg)
    assert s.paths == [(tmp_path / "backend/app").resolve()]
    assert s.ignore == ["*_test.py"] and s.debounce_ms == 20
    assert [o.path for o in s.outputs] == [(tmp_path / "web/types.ts").resolve()]


def test_source_filter(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from watchfiles import Change

    from contractsync.watch.loop import SourceFilter

    monkeypatch.chdir(tmp_path)
    f = SourceFilter(["*/migrations/*", "conftest.py"], [tmp_path / "contracts/openapi.json"])
    root = str(tmp_path)
    assert f(Change.modified, f"{root}/app/models.py")
    assert not f(Change.modified, f"{root}/app/models.pyc")
    assert not f(Change.modified, f"{root}/app/__pycache__/models.py")
    assert not f(Change.modified, f"{root}/web/types.ts")
    assert not f(Change.modified, f"{root}/app/migrations/0001.py")
    assert not f(Change.modified, f"{root}/app/conftest.py")
    assert f(Change.modified, f"{root}/uv.lock")
    assert f(Change.added, f"{root}/requirements-dev.txt")
    assert f(Change.modified, f"{root}/contracts/openapi.json")


def test_once_without_fork_uses_a_fresh_process_per_export(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Where os.fork does not exist the watcher falls back to `python -m contractsync.spec._child`."""
    import io
    import json

    from contractsync.watch import loop, worker
    from contractsync.watch.pipeline import Output
    from contractsync.watch.settings import WatchSettings

    from .conftest import MAIN_PY, MODELS_PY

    pkg = tmp_path / "petshop"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "main.py").write_text(MAIN_PY)
    (pkg / "models.py").write_text(MODELS_PY)
    monkeypatch.setattr(worker, "HAS_FORK", False)
    settings = WatchSettings(target="petshop.main:app", app_dir=tmp_path, paths=[tmp_path],
                             outputs=[Output.for_path(tmp_path / "types.ts")],
                             contract_file=tmp_path / "contracts" / "openapi.json", json=True, once=True)
    out = io.BytesIO()
    watcher = loop.Watcher(settings, stdout=out)
    assert isinstance(watcher.exporter, worker.SubprocessExporter)
    assert watcher.run() == 0
    event = json.loads(out.getvalue())
    assert event["ok"] and event["operations"] == 2
    assert "export interface paths" in (tmp_path / "types.ts").read_text()
