"""The issue's "done when", end to end, on SQLite and on PostgreSQL.

A real ``contractsync serve`` child process; a backend git repository publishing the bookshop
v1 and then v2 (refused until its breaking changes are announced); a separate frontend
repository that pulls types + lock, is refused v2 by ``pull --update`` (with the announced
reasons printed) until ``--accept-breaking``, and type-checks the pulled types with the pinned
``tsc --strict``. Then drift checks, the static mirror, and offline installs from the cache.
"""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from contractsync.client.cache import ContractCache
from contractsync.spec.source import load_spec
from contractsync.typescript import TypeScriptOptions, to_typescript

from ..typescript._tsc import assert_compiles
from ._helpers import BOOKSHOP, Run, cli, git, module_env, serve

CDN_FP = "c187f181e552"  # GET /books/{book_id}/cover removed
BACKEND_PYPROJECT = """\
[project]
name = "bookshop-backend"
version = "0.0.0"

[tool.contractsync]
app = "bookshop.main:app"
contracts_dir = "contracts"
"""


def _use_app(backend: Path, version: str) -> None:
    shutil.rmtree(backend / "bookshop", ignore_errors=True)
    shutil.copytree(BOOKSHOP / version / "bookshop", backend / "bookshop",
                    ignore=shutil.ignore_patterns("__pycache__"))


def _typecheck(frontend: Path, work: Path) -> None:
    work.mkdir(exist_ok=True)
    client = work / "client.ts"
    shutil.copy(frontend / "src/api/types.ts", work / "types.ts")
    client.write_text(
        'import createClient from "openapi-fetch";\n'
        'import type { paths } from "./types";\n'
        'const api = createClient<paths>({ baseUrl: "http://localhost" });\n'
        'export async function titles(): Promise<string[]> {\n'
        '  const { data } = await api.GET("/books");\n'
        '  return (data?.items ?? []).map((b) => b.title);\n'
        '}\n', encoding="utf-8")
    assert_compiles(work, [work / "types.ts", client])


@pytest.mark.parametrize("store", ["sqlite", "postgresql"])
def test_done_when(store: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                   capsys: pytest.CaptureFixture[str]) -> None:
    with serve(store, tmp_path) as server:
        publisher = server.token("backend-ci", "publish", "read")
        reader = server.token("frontend", "read")
        cache = tmp_path / "cache"
        backend_env: dict[str, str | None] = {"CONTRACTSYNC_TOKEN": publisher, "CONTRACTSYNC_CACHE_DIR": str(cache)}
        frontend_env: dict[str, str | None] = {"CONTRACTSYNC_TOKEN": reader, "CONTRACTSYNC_CACHE_DIR": str(cache)}

        def backend_cli(*args: str) -> Run:
            return cli(monkeypatch, capsys, backend, *args, env=backend_env)

        def pull(*args: str) -> Run:
            return cli(monkeypatch, capsys, frontend, "pull", *args, env=frontend_env)

        publish = ("publish", "--registry", server.url, "--contract", "bookshop")

        # --- the backend repository: v1 accepted, committed, published (twice: idempotent) ---
        backend = tmp_path / "backend"
        backend.mkdir()
        (backend / "pyproject.toml").write_text(BACKEND_PYPROJECT, encoding="utf-8")
        _use_app(backend, "v1")
        assert backend_cli("accept").code == 0
        git(backend, "init", "-q", "-b", "main")
        git(backend, "add", "-A")
        git(backend, "commit", "-q", "-m", "bookshop v1")
        v1_commit = git(backend, "rev-parse", "HEAD")
        first = backend_cli(*publish)
        assert first.code == 0, first.err
        assert first.out.startswith("published bookshop version 1 (sha256:")
        again = backend_cli(*publish)
        assert again.code == 0 and again.out.startswith("already published: bookshop version 1")

        # --- a separate frontend repository pulls types + lock ---
        frontend = tmp_path / "frontend"
        frontend.mkdir()
        (frontend / "contractsync.toml").write_text(
            f'[pull]\nregistry = "{server.url}"\ncontract = "bookshop"\nref = "label:main"\n'
            'types = "src/api/types.ts"\nopenapi = "src/api/openapi.json"\ngenerate = "verify"\n', encoding="utf-8")
        git(frontend, "init", "-q", "-b", "main")
        installed = pull()
        assert installed.code == 0, installed.err
        lock = json.loads((frontend / "contractsync.lock").read_text())
        assert lock["contract"]["version"] == 1 and lock["contract"]["source_commit"] == v1_commit
        assert lock["contract"]["ref"] == "label:main" and lock["contract"]["source"] == server.url
        assert lock["outputs"]["src/api/openapi.json"] == lock["contract"]["digest"]
        # The registry's stored types (same generator version and options) were downloaded, and
        # they are byte for byte what this machine generates (generate = "verify" compared them).
        assert "types generated locally, identical to the registry's" in installed.err
        assert lock["generator"]["generate"] == "verify"
        local = to_typescript(load_spec(str(frontend / "src/api/openapi.json")), TypeScriptOptions())
        assert (frontend / "src/api/types.ts").read_text() == local
        assert publisher not in (frontend / "contractsync.lock").read_text()
        assert reader not in (frontend / "contractsync.lock").read_text()
        _typecheck(frontend, tmp_path / "tsc-v1")
        git(frontend, "add", "-A")
        git(frontend, "commit", "-q", "-m", "pull bookshop v1")
        types_v1 = (frontend / "src/api/types.ts").read_bytes()
        lock_v1 = (frontend / "contractsync.lock").read_bytes()

        # --- v2: refused (409) until its breaking changes are announced, then 201 ---
        _use_app(backend, "v2")
        refused = backend_cli(*publish, "app:bookshop.main:app")
        assert refused.code == 1, refused.err
        assert refused.out.startswith("contractsync publish: REFUSED by label main of bookshop (9 problems)")
        assert f"breaking change not announced: api-removed-without-deprecation (fingerprint {CDN_FP})" in refused.out
        assert f"fix: contractsync announce {CDN_FP} --reason" in refused.out
        assert backend_cli("announce", CDN_FP, "--reason", "Covers are served by the CDN now.",
                           "--migration", "Use book.cover_url.").code == 0
        assert backend_cli("announce", "--all-breaking", "--reason", "Bookshop API 2.0 clean-up.").code == 0
        assert backend_cli("accept").code == 0
        git(backend, "add", "-A")
        git(backend, "commit", "-q", "-m", "bookshop v2")
        v2_commit = git(backend, "rev-parse", "HEAD")
        published = backend_cli(*publish)
        assert published.code == 0, published.out + published.err
        assert published.out.startswith("published bookshop version 2 (sha256:")
        assert "(9 breaking, all announced)" in published.out

        # --- the frontend: --check still passes (nothing drifted locally); --update is refused ---
        assert pull("--check").code == 0
        update = pull("--update")
        assert update.code == 1
        assert "refusing 9 breaking changes" in update.err
        assert update.out.startswith("bookshop label:main: version 1 (1.0.0)")
        assert "→ version 2 (1.1.0)" in update.out.splitlines()[0]
        cover = update.out[update.out.index("GET /books/{book_id}/cover: removed without deprecation"):]
        assert cover.splitlines()[1:4] == [f"      api-removed-without-deprecation · {CDN_FP}",
                                           "      why: Covers are served by the CDN now.",
                                           "      migration: Use book.cover_url."]
        assert update.out.count("why: Bookshop API 2.0 clean-up.") == 8
        assert "GET /authors/{author_id}/books: deprecated, sunset 2027-06-30" in update.out
        assert (frontend / "src/api/types.ts").read_bytes() == types_v1
        assert (frontend / "contractsync.lock").read_bytes() == lock_v1

        body = pull("--update", "--format", "markdown")
        assert body.code == 1
        assert "| Covers are served by the CDN now. | Use book.cover_url. |" in body.out

        accepted = pull("--update", "--accept-breaking")
        assert accepted.code == 0, accepted.err
        lock = json.loads((frontend / "contractsync.lock").read_text())
        assert lock["contract"]["version"] == 2 and lock["contract"]["source_commit"] == v2_commit
        assert (frontend / "src/api/types.ts").read_bytes() != types_v1
        _typecheck(frontend, tmp_path / "tsc-v2")
        assert pull("--check").code == 0
        assert pull("--update").code == 0  # the label still names version 2: 304, nothing to do

        # --- drift: an edited types file, a changed ref ---
        types = frontend / "src/api/types.ts"
        types_v2 = types.read_bytes()
        types.write_bytes(types_v2 + b"// edited\n")
        drift = pull("--check")
        assert drift.code == 1 and "src/api/types.ts differs" in drift.out
        assert pull().code == 0 and types.read_bytes() == types_v2
        toml = frontend / "contractsync.toml"
        toml.write_text(toml.read_text().replace('ref = "label:main"', 'ref = "version:1"'))
        assert "the config's ref is version:1 but the lock's is label:main" in pull("--check").out
        toml.write_text(toml.read_text().replace('ref = "version:1"', 'ref = "label:main"'))

        # --- auth: a missing or wrong token is one line, exit 2 ---
        frontend_env["CONTRACTSYNC_TOKEN"] = None
        types.unlink()
        shutil.rmtree(cache)
        anonymous = pull()
        assert anonymous.code == 2 and "HTTP 401" in anonymous.err and "CONTRACTSYNC_TOKEN" in anonymous.err
        assert anonymous.err.count("\n") == 1
        frontend_env["CONTRACTSYNC_TOKEN"] = "cst_wrong_token"
        assert "refused the token" in pull().err
        backend_env["CONTRACTSYNC_TOKEN"] = reader
        forbidden = backend_cli(*publish)
        assert forbidden.code == 2 and "HTTP 403" in forbidden.err
        frontend_env["CONTRACTSYNC_TOKEN"] = reader
        assert pull().code == 0 and types.read_bytes() == types_v2  # refills the cache
        other = tmp_path / "other-frontend"
        other.mkdir()
        (other / "contractsync.toml").write_text(
            f'[pull]\nregistry = "{server.url}"\ncontract = "no-such-contract"\ntypes = "t.ts"\n')
        missing = cli(monkeypatch, capsys, other, "pull", env=frontend_env)
        assert missing.code == 2 and "HTTP 404" in missing.err and missing.err.count("\n") == 1
        assert not (other / "t.ts").exists() and not (other / "contractsync.lock").exists()

    # --- the server is gone: pull installs the locked version from the cache ---
    types.unlink()
    offline = pull()
    assert offline.code == 0, offline.err
    assert "contract from the local cache" in offline.err and types.read_bytes() == types_v2
    gone = pull("--update")
    assert gone.code == 2 and "cannot connect to the registry" in gone.err
    digest = lock["contract"]["digest"]
    cached = ContractCache(cache).path(digest)
    cached.write_bytes(cached.read_bytes() + b" ")
    types.unlink()
    tampered = pull()
    assert tampered.code == 2 and "does not match its digest" in tampered.err


def test_static_mirror_and_watch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                 capsys: pytest.CaptureFixture[str], v1_spec: Path, v2_spec: Path) -> None:
    """Pull from a ``registry export --static`` directory (file://), and ``pull --watch`` following
    a label move on a live server until SIGTERM."""
    with serve("sqlite", tmp_path) as server:
        admin = server.token("admin", "admin", "publish", "read")
        headers = {"Authorization": f"Bearer {admin}"}
        for spec in (v1_spec, v2_spec):
            body = {"openapi": json.loads(spec.read_text()), "announcements": [], "policy": None,
                    "source": {"commit": None, "branch": None, "url": None}}
            answer = httpx.post(f"{server.url}/v1/contracts/bookshop/versions", params={"label": "pr-7"},
                                json=body, headers=headers, timeout=60)
            assert answer.status_code == 201, answer.text
        frontend = tmp_path / "frontend"
        frontend.mkdir()
        (frontend / "contractsync.toml").write_text(
            f'[pull]\nregistry = "{server.url}"\ncontract = "bookshop"\nref = "label:pr-7"\ntypes = "types.ts"\n')
        env = module_env({"CONTRACTSYNC_TOKEN": admin, "CONTRACTSYNC_CACHE_DIR": str(tmp_path / "cache")})
        watcher = subprocess.Popen([sys.executable, "-m", "contractsync", "pull", "--watch", "--interval", "0.3"],
                                   cwd=frontend, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                   text=True, start_new_session=True)
        try:
            lock = frontend / "contractsync.lock"
            assert _wait(lambda: lock.exists() and json.loads(lock.read_text())["contract"]["version"] == 2)
            current = httpx.get(f"{server.url}/v1/contracts/bookshop/labels/pr-7", headers=headers).json()
            moved = httpx.put(f"{server.url}/v1/contracts/bookshop/labels/pr-7", json={"version": 1},
                              headers={**headers, "If-Match": f'"{current["digest"]}"'})
            assert moved.status_code == 200, moved.text
            assert _wait(lambda: json.loads(lock.read_text())["contract"]["version"] == 1)
        finally:
            watcher.send_signal(signal.SIGTERM)
            out, err = watcher.communicate(timeout=30)
        assert watcher.returncode == 0, err
        assert "version 2" in out and "BREAKING" in out  # the move back to v1 undoes v2's changes
        assert err.rstrip().endswith("stopped")

        mirror = tmp_path / "mirror"
        proc = subprocess.run([sys.executable, "-m", "contractsync", "registry", "export", "--static", str(mirror),
                               *server.store_args], env=module_env(), capture_output=True, text=True, timeout=120)
        assert proc.returncode == 0, proc.stderr
    static = tmp_path / "static-frontend"
    static.mkdir()
    (static / "contractsync.toml").write_text(
        f'[pull]\nregistry = "{mirror.as_uri()}"\ncontract = "bookshop"\nref = "label:pr-7"\ntypes = "types.ts"\n')
    run = cli(monkeypatch, capsys, static, "pull", env={"CONTRACTSYNC_CACHE_DIR": str(tmp_path / "cache2"),
                                                         "CONTRACTSYNC_TOKEN": None})
    assert run.code == 0, run.err
    lock_data = json.loads((static / "contractsync.lock").read_text())
    assert lock_data["contract"]["version"] == 1
    assert (static / "types.ts").read_bytes() == (frontend / "types.ts").read_bytes()


def _wait(predicate: object, timeout: float = 30.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if predicate():  # type: ignore[operator]
                return True
        except (OSError, ValueError, KeyError):
            pass
        time.sleep(0.1)
    return False
