"""``contractsync registry token create|list|revoke`` and ``registry export --static``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest

from contractsync.cli import main

from .conftest import Backend, Server, bearer, document


def test_token_commands(backend: Backend, capsys: pytest.CaptureFixture[str]) -> None:
    args = backend.args()
    assert main(["registry", "token", "create", "backend-ci", "--scope", "publish", "--contract", "shop", *args]) == 0
    out, err = capsys.readouterr()
    plain = out.strip()
    assert plain.startswith("cst_") and "not shown again" in err
    assert main(["registry", "token", "list", *args]) == 0
    listed, _ = capsys.readouterr()
    assert "backend-ci" in listed and "scopes=publish" in listed and "contracts=shop" in listed
    assert plain not in listed and plain.split("_", 2)[2] not in listed
    store = backend.open()
    try:
        from contractsync.registry.auth import authenticate

        assert authenticate(store, plain) is not None
        assert main(["registry", "token", "revoke", "backend-ci", *args]) == 0
        assert authenticate(store, plain) is None
    finally:
        store.close()
    assert main(["registry", "token", "revoke", "backend-ci", *args]) == 2
    assert "no active token" in capsys.readouterr().err
    assert main(["registry", "token", "create", "x", "--scope", "write", *args]) == 2
    assert "unknown scope" in capsys.readouterr().err


def test_serve_refuses_a_bad_database_url(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["serve", "--database", "mysql://x"]) == 2
    assert "postgresql://" in capsys.readouterr().err


@pytest.mark.parametrize("command", [["registry", "export", "--static", "{tmp}/mirror"],
                                     ["registry", "token", "list"], ["registry", "token", "revoke", "ci"]])
def test_reading_commands_need_an_existing_registry(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                     command: list[str]) -> None:
    """A misspelt --data is an error naming it; it created an empty registry (and export wrote an
    empty mirror, exit 0)."""
    argv = [a.format(tmp=tmp_path) for a in command]
    assert main([*argv, "--data", str(tmp_path / "typo")]) == 2
    err = capsys.readouterr().err
    assert f"{tmp_path / 'typo'}: no registry here" in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "typo").exists() and not (tmp_path / "mirror").exists()


@pytest.mark.parametrize(("args", "where"), [(["", "--scope", "read"], "NAME:"),
                                             (["x", "--scope", "write"], "--scope:"),
                                             (["x", "--scope", "read", "--contract", "a/b"], "--contract:")])
def test_token_create_errors_name_their_place(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                              args: list[str], where: str) -> None:
    assert main(["registry", "token", "create", *args, "--data", str(tmp_path)]) == 2
    assert capsys.readouterr().err.startswith(f"contractsync: error: {where} ")


def _refused_port() -> int:
    """A loopback port nobody listens on (bound, then closed)."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.parametrize(("args", "message"), [
    (["--database", "postgresql://nobody@127.0.0.1:{port}/x"], "--database: cannot connect to the database"),
    (["registry", "token", "list", "--database", "postgresql://nobody@127.0.0.1:{port}/x"],
     "--database: cannot connect to the database"),
    (["--data", "{tmp}/d", "--host", "no-such-host.invalid"], "--host: cannot resolve 'no-such-host.invalid'"),
    (["--data", "{tmp}/d", "--port", "{busy}"], "--port: cannot listen on 127.0.0.1:{busy}"),
    (["--data", "{tmp}/d", "--port", "70000"], "--port"),
    (["--data", "/proc/contractsync-qa"], "cannot open the registry storage"),
], ids=["refused database", "refused database (token list)", "unknown host", "port in use", "port out of range",
        "unwritable data dir"])
def test_serve_bad_places_are_one_line_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                              args: list[str], message: str) -> None:
    """Each ends at once in one line naming the option, exit 2: no pool retrying a refused database
    in the background, no uvicorn traceback, no server started."""
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        fill = {"port": _refused_port(), "tmp": tmp_path, "busy": busy.getsockname()[1]}
        argv = [a.format(**fill) for a in args]
        command = argv if argv[0] == "registry" else ["serve", *argv]
        assert main(command) == 2
    err = capsys.readouterr().err
    assert message.format(**fill) in err
    assert "Traceback" not in err
    if not err.startswith("Usage:"):  # a value click rejects gets click's usage block, as everywhere
        assert len(err.strip().splitlines()) == 1


def test_static_export_equals_server_responses(backend: Backend, server: Server, tmp_path: Path) -> None:
    args = backend.args()
    store = backend.open()
    from contractsync.registry.auth import create_token

    admin, _ = create_token(store, "admin", ["admin"])
    store.close()
    with server.client(admin) as c:
        assert c.post("/v1/contracts/shop/versions", content=orjson.dumps({"openapi": document("books")})).status_code == 201
        assert c.post("/v1/contracts/shop/versions?label=pr-2",
                      content=orjson.dumps({"openapi": document("books", "x")})).status_code == 201
    out = tmp_path / "mirror"
    assert main(["registry", "export", "--static", str(out), *args]) == 0
    files = sorted(p for p in out.rglob("*") if p.is_file())
    assert files
    with httpx.Client(base_url=server.url, headers=bearer(admin)) as c:
        for path in files:
            rel = "/" + path.relative_to(out).as_posix()
            url = rel
            record = rel.endswith("/index.json") and "/versions/" in rel
            if record:
                url = rel.removesuffix("/index.json")
            elif rel == "/v1/contracts/index.json":
                url = "/v1/contracts"
            elif rel.endswith("/index.json"):
                url = rel.removesuffix("/index.json")
            elif rel.endswith(".history.json"):
                url = rel.removesuffix(".history.json") + "/history"
            r = c.get(url)
            assert r.status_code == 200, url
            if record:  # a version's record: the server's, plus what made types.ts (#9)
                mirrored = orjson.loads(path.read_bytes())
                made = mirrored.pop("artifacts")["types.ts"]
                served = c.get(f"{url}/types.ts")
                assert made == {"generator": "contractsync",
                                "generator_version": served.headers["x-contractsync-generator-version"],
                                "options_digest": served.headers["x-contractsync-options-digest"],
                                "digest": served.headers["etag"].strip('"')}
                assert orjson.dumps(mirrored) == r.content, url
                continue
            assert r.content == path.read_bytes(), url
    # A second export changes nothing.
    assert main(["registry", "export", "--static", str(out), *args]) == 0
    assert sorted(p for p in out.rglob("*") if p.is_file()) == files


def test_export_writes_labels_after_versions(backend: Backend, tmp_path: Path, monkeypatch: Any) -> None:
    from contractsync.registry import export as export_mod
    from contractsync.registry.service import Registry
    from contractsync.registry.settings import RegistrySettings
    from contractsync.registry.store.protocol import NewVersion

    store = backend.open()
    body = b'{"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": {}}\n'
    import hashlib

    digest = "sha256:" + hashlib.sha256(body).hexdigest()
    from contractsync.changelog import Bump, Release

    rel = Release(version="1.0.0", date="2026-01-01", bump=Bump.NONE, contract_sha256=digest[7:])
    store.commit_publish("c", "main", expected_head=None, new=NewVersion(digest, body, "1", "t", None, None, None,
                                                                       rel.model_dump_json().encode(), ()),
                         existing=None, author="x", policy_if_new="block", parent=None)
    order: list[str] = []
    real = export_mod.atomic_write_bytes
    monkeypatch.setattr(export_mod, "atomic_write_bytes", lambda p, d: (order.append(str(p)), real(p, d)))
    export_mod.export_static(Registry(store, RegistrySettings()), tmp_path)
    store.close()
    label_at = min(i for i, p in enumerate(order) if "/labels/" in p)
    assert all("/versions/" not in p for p in order[label_at:])


@pytest.mark.skipif(not __import__("sys").platform.startswith("linux"), reason="reads /proc (Linux)")
@pytest.mark.parametrize("sig", ["SIGTERM", "SIGKILL"])
def test_serve_workers_die_with_serve(tmp_path: Path, sig: str) -> None:
    """`serve --workers 2` killed however (a SIGKILL included): no worker is left serving."""
    import os
    import signal
    import subprocess
    import sys
    import time

    proc = subprocess.Popen([sys.executable, "-m", "contractsync", "serve", "--data", str(tmp_path / "d"),
                             "--port", "0", "--workers", "2"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    assert proc.stderr is not None
    try:
        deadline = time.monotonic() + 60
        workers: list[int] = []
        while len(workers) < 2 and time.monotonic() < deadline:
            time.sleep(0.2)
            workers = []
            for tid in os.listdir(f"/proc/{proc.pid}/task"):
                with open(f"/proc/{proc.pid}/task/{tid}/children", encoding="utf-8") as fh:
                    workers += [int(p) for p in fh.read().split()]
            workers = [p for p in workers if "spawn_main" in _cmdline(p)]
        assert len(workers) == 2, "serve did not start its two workers"
        time.sleep(3)  # the workers import the app and call the factory
        proc.send_signal(getattr(signal, sig))
        proc.wait(timeout=30)
        deadline = time.monotonic() + 20
        while any(_cmdline(p) for p in workers) and time.monotonic() < deadline:
            time.sleep(0.2)
        left = [p for p in workers if _cmdline(p)]
        for pid in left:
            os.kill(pid, signal.SIGKILL)
        assert not left, "a worker outlived `contractsync serve`"
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        proc.stderr.close()


def _cmdline(pid: int) -> str:
    """The command line of a live (not zombie) process, else ''."""
    try:
        with open(f"/proc/{pid}/stat", encoding="utf-8") as fh:
            if fh.read().rsplit(")", 1)[1].split()[0] == "Z":
                return ""
        with open(f"/proc/{pid}/cmdline", "rb") as fh:
            return fh.read().replace(b"\0", b" ").decode("utf-8", "replace")
    except OSError:
        return ""


def test_names_the_static_mirror_uses_are_reserved(backend: Backend, server: Server, tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    """A contract named `index.json` (a valid name) made `registry export --static` fail half-way
    ('mirror/v1/contracts/index.json: Is a directory'), breaking the mirror for every contract; a
    label `main.history.json` overwrote label main's history file. Both names are now refused,
    and ones stored before are left out of the export with a warning."""
    from .conftest import token

    admin = token(backend, "admin", name="admin")
    body = orjson.dumps({"openapi": document("books")})
    with httpx.Client(base_url=server.url, headers=bearer(admin)) as c:
        for url in ("/v1/contracts/index.json/versions", "/v1/contracts/INDEX.JSON/versions",
                    "/v1/contracts/shop/versions?label=main.history.json"):
            r = c.post(url, content=body)
            assert r.status_code == 422 and "reserved" in r.json()["detail"], r.text
        assert c.post("/v1/contracts/shop/versions", content=body).status_code == 201
        r = c.put("/v1/contracts/shop/labels/main.history.json", json={"version": 1})
        assert r.status_code == 422 and "reserved" in r.json()["detail"]
    # Stored before the names were reserved (through the service, which trusts its caller).
    from contractsync.registry.body import parse_publish_body
    from contractsync.registry.service import Registry
    from contractsync.registry.settings import RegistrySettings

    store = backend.open()
    try:
        reg = Registry(store, RegistrySettings())
        reg.publish("index.json", "main", parse_publish_body(body), author="legacy")
        reg.publish("shop", "prod.history.json", parse_publish_body(body), author="legacy")
    finally:
        store.close()
    out = tmp_path / "mirror"
    capsys.readouterr()
    assert main(["registry", "export", "--static", str(out), *backend.args()]) == 0
    err = capsys.readouterr().err
    assert "contract 'index.json'" in err and "label 'prod.history.json' of 'shop'" in err
    assert orjson.loads((out / "v1/contracts/index.json").read_bytes())["contracts"][0]["name"] == "shop"
    assert orjson.loads((out / "v1/contracts/shop/labels/main.history.json").read_bytes())["label"] == "main"
