"""Registry test fixtures: both storage backends, tokens, documents, and a real uvicorn child."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest

from contractsync.registry.auth import create_token
from contractsync.registry.store import open_store
from contractsync.registry.store.protocol import Store

PG_ENV = "CONTRACTSYNC_TEST_DATABASE_URL"
BACKENDS = ["sqlite", "postgresql"]


def pg_base_url() -> str:
    url = os.environ.get(PG_ENV)
    if not url:
        pytest.skip(f"{PG_ENV} is not set (CI sets it; locally e.g. postgresql://postgres@127.0.0.1:5432/test)")
    return url


@contextlib.contextmanager
def fresh_schema() -> Iterator[str]:
    """A database URL whose search_path is a new, empty schema (dropped afterwards), so parallel
    test runs on one database never see each other's tables."""
    import psycopg

    base = pg_base_url()
    schema = f"cs_test_{os.getpid()}_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    sep = "&" if "?" in base else "?"
    try:
        yield f"{base}{sep}options={quote(f'-csearch_path={schema}')}"
    finally:
        with psycopg.connect(base, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


@dataclass
class Backend:
    kind: str
    data_dir: Path | None
    database_url: str | None

    def open(self, migrate: bool = True) -> Store:
        return open_store(data_dir=self.data_dir, database_url=self.database_url, migrate=migrate)

    def args(self) -> list[str]:
        return ["--database", self.database_url] if self.database_url else ["--data", str(self.data_dir)]


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Backend]:
    if request.param == "sqlite":
        yield Backend("sqlite", tmp_path / "data", None)
    else:
        with fresh_schema() as url:
            yield Backend("postgresql", None, url)


@pytest.fixture
def store(backend: Backend) -> Iterator[Store]:
    s = backend.open()
    yield s
    s.close()


# --- documents -----------------------------------------------------------------------------------

def operation(op_id: str, props: dict[str, Any] | None = None, required: list[str] | None = None) -> dict[str, Any]:
    schema = {"type": "object", "properties": props or {"id": {"type": "integer"}},
              "required": required if required is not None else ["id"]}
    return {"get": {"operationId": op_id, "responses": {"200": {
        "description": "ok", "content": {"application/json": {"schema": schema}}}}}}


def document(*names: str, version: str = "1.0.0", title: str = "Shop") -> dict[str, Any]:
    """An OpenAPI 3.1 document with one GET operation per name (``/name``)."""
    return {"openapi": "3.1.0", "info": {"title": title, "version": version},
            "paths": {f"/{n}": operation(f"get_{n}".replace("-", "_")) for n in names}}


def token(backend_or_store: Backend | Store, *scopes: str, name: str = "ci", contracts: list[str] | None = None) -> str:
    store = backend_or_store.open() if isinstance(backend_or_store, Backend) else backend_or_store
    try:
        plain, _ = create_token(store, name, scopes, contracts)
    finally:
        if isinstance(backend_or_store, Backend):
            store.close()
    return plain


def bearer(tok: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {tok}"}


# --- a real server ------------------------------------------------------------------------------

@dataclass
class Server:
    proc: subprocess.Popen[bytes]
    url: str
    log: Path

    def client(self, tok: str | None = None, timeout: float = 60) -> httpx.Client:
        return httpx.Client(base_url=self.url, headers=bearer(tok) if tok else None, timeout=timeout)

    def stop(self) -> int:
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(5)
        return self.proc.returncode


def start_server(args: list[str], log: Path, env: dict[str, str] | None = None) -> Server:
    """``contractsync serve ARGS --port 0`` in a child process (its own session); waits until it
    listens and reads the port it bound from its log."""
    fh = log.open("wb")
    proc = subprocess.Popen([sys.executable, "-c", "from contractsync.cli import entrypoint; entrypoint()",
                             "serve", "--host", "127.0.0.1", "--port", "0", "--log-level", "info", *args],
                            stdout=fh, stderr=subprocess.STDOUT, start_new_session=True,
                            env={**os.environ, **(env or {})})
    fh.close()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        text = log.read_text(errors="replace")
        match = re.search(r"Uvicorn running on (http://127\.0\.0\.1:\d+)", text)
        if match:
            return Server(proc, match.group(1), log)
        if proc.poll() is not None:
            raise AssertionError(f"server exited with {proc.returncode}:\n{text}")
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)
    raise AssertionError(f"server did not start:\n{log.read_text(errors='replace')}")


@pytest.fixture
def server_factory(tmp_path: Path) -> Iterator[Any]:
    started: list[Server] = []

    def make(args: list[str], env: dict[str, str] | None = None) -> Server:
        server = start_server(args, tmp_path / f"server-{len(started)}.log", env)
        started.append(server)
        return server
    yield make
    for s in started:
        s.stop()


@pytest.fixture
def server(backend: Backend, server_factory: Any) -> Server:
    srv: Server = server_factory(backend.args())
    return srv


REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def bookshop_v2() -> dict[str, Any]:
    """The bookshop example's v2 contract, exported from its app."""
    from contractsync.spec.source import AppSource, load_spec

    doc = load_spec(AppSource("bookshop.main:app", app_dir=REPO / "examples" / "bookshop" / "v2"))
    return doc.data
