"""Helpers for the pull/publish tests: running the CLI in-process, specs, git repositories, and a
real ``contractsync serve`` child process on a free loopback port (SQLite or PostgreSQL)."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import httpx
import pytest

from contractsync.cli import main

REPO = Path(__file__).resolve().parents[2]
BOOKSHOP = REPO / "examples" / "bookshop"


@dataclass
class Run:
    code: int
    out: str
    err: str


def cli(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], cwd: Path, *args: str,
        env: dict[str, str | None] | None = None) -> Run:
    """Run ``contractsync ARGS`` in-process in ``cwd`` with ``env`` (None unsets)."""
    with monkeypatch.context() as m:
        m.chdir(cwd)
        m.setenv("NO_COLOR", "1")
        for key, value in (env or {}).items():
            if value is None:
                m.delenv(key, raising=False)
            else:
                m.setenv(key, value)
        capsys.readouterr()
        code = main(list(args))
        captured = capsys.readouterr()
    return Run(code, captured.out, captured.err)


def module_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CONTRACTSYNC_TOKEN")}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    env["NO_COLOR"] = "1"
    env.update(extra or {})
    return env


def git(cwd: Path, *args: str) -> str:
    proc = subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args], cwd=cwd,
                          capture_output=True, text=True, check=True)
    return proc.stdout.strip()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    """A running ``contractsync serve``."""

    url: str
    proc: subprocess.Popen[bytes]
    store_args: list[str]
    log: Path

    def token(self, name: str, *scopes: str) -> str:
        args = [sys.executable, "-m", "contractsync", "registry", "token", "create", name, *self.store_args]
        for scope in scopes:
            args += ["--scope", scope]
        proc = subprocess.run(args, capture_output=True, text=True, env=module_env(), check=False, timeout=60)
        assert proc.returncode == 0, proc.stderr
        return proc.stdout.strip().splitlines()[0]

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=5)


def start_server(store_args: list[str], log: Path) -> Server:
    port = free_port()
    with log.open("wb") as fh:
        proc = subprocess.Popen(
            [sys.executable, "-m", "contractsync", "serve", *store_args, "--port", str(port),
             "--log-level", "warning"],
            stdout=fh, stderr=subprocess.STDOUT, env=module_env(), start_new_session=True)
    server = Server(f"http://127.0.0.1:{port}", proc, store_args, log)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"serve exited with {proc.returncode}: {log.read_text()[-2000:]}")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(f"{server.url}/v1/contracts", timeout=2).status_code < 500:
                return server
        time.sleep(0.2)
    server.stop()
    raise AssertionError(f"serve did not answer within 60 s: {log.read_text()[-2000:]}")


@contextlib.contextmanager
def child_server(argv: list[str], probe: str) -> Iterator[None]:
    """Run a web server (``argv``, a child process in its own session) until the block ends,
    once ``probe`` (a URL) answers; stopped by its PID."""
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(probe, timeout=2)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise AssertionError(f"{argv[:3]} did not start serving {probe}") from None
                time.sleep(0.1)
        yield
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)


@contextlib.contextmanager
def postgres_database() -> Iterator[str]:
    """A fresh, uniquely named database on CONTRACTSYNC_TEST_DATABASE_URL's server, dropped after."""
    url = os.environ.get("CONTRACTSYNC_TEST_DATABASE_URL")
    if not url:
        pytest.skip("CONTRACTSYNC_TEST_DATABASE_URL is not set (e.g. postgresql://postgres@127.0.0.1:5432/test); "
                    ".ci/run sets it")
    psycopg = pytest.importorskip("psycopg")
    name = f"cs_pull_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    parts = urlsplit(url)
    try:
        yield urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, parts.fragment))
    finally:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextlib.contextmanager
def serve(kind: str, tmp: Path) -> Iterator[Server]:
    """``contractsync serve`` on SQLite (``kind="sqlite"``) or PostgreSQL, stopped by its PID after."""
    if kind == "sqlite":
        server = start_server(["--data", str(tmp / "registry-data")], tmp / "serve.log")
        try:
            yield server
        finally:
            server.stop()
        return
    with postgres_database() as url:
        server = start_server(["--database", url], tmp / "serve.log")
        try:
            yield server
        finally:
            server.stop()
