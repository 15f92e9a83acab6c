"""Fixtures for the watch tests: a small FastAPI project in a temporary directory, and a real
``contractsync watch --json`` process driven from the outside."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]

MAIN_PY = '''\
from fastapi import FastAPI

from .models import Pet

app = FastAPI(title="Pet shop", version="1.0.0")


@app.get("/pets/{pet_id}", operation_id="get_pet")
def get_pet(pet_id: int) -> Pet:
    return Pet(id=pet_id, name="Rex")


@app.post("/pets", operation_id="create_pet")
def create_pet(pet: Pet) -> Pet:
    return pet
'''

MODELS_PY = '''\
from pydantic import BaseModel


class Pet(BaseModel):
    id: int
    name: str
'''


def models_with(*fields: str) -> str:
    """``models.py`` whose ``Pet`` has ``id``, ``name`` and the given extra field lines."""
    return MODELS_PY + "".join(f"    {line}\n" for line in fields)


def write(path: Path, text: str) -> None:
    """Replace a source file the way an editor does: write a temp file, then rename over."""
    tmp = path.with_name(f".{path.name}.swp~")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """``tmp/proj``: package ``petshop`` (``petshop.main:app``) and a pyproject without config."""
    root = tmp_path / "proj"
    pkg = root / "petshop"
    pkg.mkdir(parents=True)
    (pkg / "__init__.py").write_text("", encoding="utf-8")
    (pkg / "main.py").write_text(MAIN_PY, encoding="utf-8")
    (pkg / "models.py").write_text(MODELS_PY, encoding="utf-8")
    (root / "pyproject.toml").write_text('[project]\nname = "petshop"\nversion = "0"\n', encoding="utf-8")
    return root


def pids_mentioning(marker: str) -> set[int]:
    """Live (non-zombie) processes whose command line contains ``marker``."""
    found: set[int] = set()
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            cmdline = Path(f"/proc/{entry}/cmdline").read_bytes().replace(b"\0", b" ").decode()
            state = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if marker in cmdline and state != "Z":
            found.add(int(entry))
    return found


def wait_until(predicate: Callable[[], bool], timeout: float = 15.0, interval: float = 0.02) -> bool:
    """Poll ``predicate`` until it holds or ``timeout`` seconds pass."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return predicate()


class WatchProcess:
    """``python -m contractsync watch --json`` running on a project, with its events collected."""

    def __init__(self, project: Path, *args: str) -> None:
        self.project = project
        self.stderr_path = project.parent / "watch-stderr.log"
        self._stderr = self.stderr_path.open("wb")
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
        env.pop("NO_COLOR", None)
        # As on a developer's machine: bytecode caching on (the stale-.pyc test depends on it).
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "contractsync", "watch", "--json", "--app", "petshop.main:app",
             "--app-dir", str(project), *args],
            cwd=project, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=self._stderr, env=env,
        )
        self.events: list[dict[str, Any]] = []
        self.raw_lines: list[bytes] = []
        self._lock = threading.Lock()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            with self._lock:
                self.raw_lines.append(line)
                self.events.append(json.loads(line))

    def rebuilds(self) -> list[dict[str, Any]]:
        with self._lock:
            return [e for e in self.events if e["event"] == "rebuild"]

    def wait_rebuilds(self, count: int, timeout: float = 20.0) -> list[dict[str, Any]]:
        """Wait until ``count`` rebuild events arrived; returns them all."""
        if not wait_until(lambda: len(self.rebuilds()) >= count or self.proc.poll() is not None, timeout):
            raise AssertionError(f"expected {count} rebuilds, got {self.rebuilds()}\n{self.stderr()}")
        rebuilds = self.rebuilds()
        assert len(rebuilds) >= count, f"watcher exited ({self.proc.returncode}): {self.stderr()}"
        return rebuilds

    def wait_for(self, predicate: Callable[[dict[str, Any]], bool], timeout: float = 20.0) -> dict[str, Any]:
        """The first rebuild event (counting from now on, too) satisfying ``predicate``."""
        found: list[dict[str, Any]] = []

        def check() -> bool:
            found[:] = [e for e in self.rebuilds() if predicate(e)]
            return bool(found) or self.proc.poll() is not None

        wait_until(check, timeout)
        assert found, f"no matching rebuild in {self.rebuilds()}\n{self.stderr()}"
        return found[0]

    def stderr(self) -> str:
        self._stderr.flush()
        return self.stderr_path.read_text(encoding="utf-8", errors="replace")

    def stop(self, sig: int = signal.SIGINT, timeout: float = 10.0) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        try:
            code = self.proc.wait(timeout=timeout)
        finally:
            self._reader.join(timeout=5)
            self._stderr.close()
        return code

    def kill(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            self.proc.kill()
        self.proc.wait()
        self._stderr.close()


@pytest.fixture
def watcher(project: Path) -> Iterator[Callable[..., WatchProcess]]:
    """Start watchers on ``project``; any left running are stopped (and their workers with them)."""
    started: list[WatchProcess] = []

    def start(*args: str) -> WatchProcess:
        process = WatchProcess(project, *args)
        started.append(process)
        return process

    yield start
    for process in started:
        if process.proc.poll() is None:
            with contextlib.suppress(Exception):
                process.stop(signal.SIGTERM)
        if process.proc.poll() is None:
            process.kill()
    # Belt and braces: no test may leave a worker behind.
    for pid in pids_mentioning(str(project)):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
