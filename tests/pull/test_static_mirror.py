"""A static mirror (``registry export --static DIR``) serves ``pull`` the way a CDN or an object
store would: over plain HTTP (a real web server in a child process) and as ``file://``. It holds
each version's types for the default generator options only, so a pull with other options must
generate them locally from the mirror's immutable openapi.json, checked against its digest (#9)."""

from __future__ import annotations

import contextlib
import json
import sys
from collections.abc import Iterator
from pathlib import Path

import orjson
import pytest

from contractsync.registry.body import parse_publish_body
from contractsync.registry.export import export_static
from contractsync.registry.service import Registry
from contractsync.registry.settings import RegistrySettings
from contractsync.registry.store import open_store
from contractsync.spec.canonical import canonical_json
from contractsync.typescript import TypeScriptOptions, to_typescript
from contractsync.typescript.options import options_digest

from ._helpers import child_server, cli, free_port


@pytest.fixture(scope="module")
def mirror(tmp_path_factory: pytest.TempPathFactory, v1_spec: Path) -> Path:
    tmp = tmp_path_factory.mktemp("mirror")
    store = open_store(data_dir=tmp / "data")
    try:
        registry = Registry(store, RegistrySettings())
        registry.publish("bookshop", "main", parse_publish_body(
            orjson.dumps({"openapi": json.loads(v1_spec.read_text(encoding="utf-8"))})), author="test")
        export_static(registry, tmp / "mirror")
    finally:
        store.close()
    return tmp / "mirror"


@contextlib.contextmanager
def web_server(directory: Path) -> Iterator[str]:
    """Python's plain static file server (no registry logic at all) on a free loopback port."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with child_server([sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1",
                       "--directory", str(directory)], url + "/v1/contracts/index.json"):
        yield url


def _frontend(tmp_path: Path, registry: str, options: str) -> Path:
    web = tmp_path / "web"
    web.mkdir()
    (web / "contractsync.toml").write_text(
        f'[pull]\nregistry = "{registry}"\ncontract = "bookshop"\ntypes = "types.ts"\n{options}', encoding="utf-8")
    return web


OPTIONS = {"default": ("", TypeScriptOptions()),
           "enum": ("[pull.typescript]\nenum = true\nexport_type = true\n",
                    TypeScriptOptions(enum=True, export_type=True))}


@pytest.mark.parametrize("served", ["http", "file"])
@pytest.mark.parametrize("options", sorted(OPTIONS))
def test_pull_from_a_static_mirror_generates_the_configured_types(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], mirror: Path,
        v1_spec: Path, served: str, options: str) -> None:
    table, opts = OPTIONS[options]
    expected = to_typescript(json.loads(v1_spec.read_text(encoding="utf-8")), opts)
    with web_server(mirror) if served == "http" else contextlib.nullcontext(mirror.as_uri()) as url:
        web = _frontend(tmp_path, url, table)
        run = cli(monkeypatch, capsys, web, "pull", env={"CONTRACTSYNC_CACHE_DIR": str(tmp_path / "cache"),
                                                          "CONTRACTSYNC_TOKEN": None})
    assert run.code == 0, run.err
    assert (web / "types.ts").read_text(encoding="utf-8") == expected
    lock = json.loads((web / "contractsync.lock").read_text(encoding="utf-8"))
    assert lock["generator"]["options_digest"] == options_digest(opts)
    assert lock["contract"]["version"] == 1
    assert "types generated locally" in run.err


def test_a_tampered_mirror_contract_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                capsys: pytest.CaptureFixture[str], mirror: Path) -> None:
    import shutil

    copy = tmp_path / "mirror"
    shutil.copytree(mirror, copy)
    for path in copy.rglob("openapi.json"):
        data = json.loads(path.read_bytes())
        data["info"]["title"] = "Evil"
        path.write_bytes(canonical_json(data))
    with web_server(copy) as url:
        web = _frontend(tmp_path, url, OPTIONS["enum"][0])
        run = cli(monkeypatch, capsys, web, "pull", env={"CONTRACTSYNC_CACHE_DIR": str(tmp_path / "cache"),
                                                          "CONTRACTSYNC_TOKEN": None})
    assert run.code == 2
    assert "does not match its digest" in run.err and len(run.err.strip().splitlines()) == 1
    assert not (web / "types.ts").exists() and not (web / "contractsync.lock").exists()
