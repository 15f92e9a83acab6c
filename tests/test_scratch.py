"""Scratch directories (``contractsync.io.scratch_dir``): what a SIGKILLed run leaves is swept by
the next run, and nothing a live run (or another host sharing /tmp) owns is ever removed."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from contractsync.io import scratch_dir, sweep_scratch_dirs


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def _make(base: Path, name: str, owner: str | None) -> Path:
    path = base / name
    path.mkdir()
    (path / "work.ts").write_text("x")
    if owner is not None:
        (path / ".contractsync-owner").write_text(owner)
    return path


def test_only_this_hosts_dead_owners_are_swept(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    monkeypatch.setattr("tempfile.tempdir", None)
    host, dead, live = socket.gethostname(), _dead_pid(), os.getppid()
    stale = _make(tmp_path, f"cs-x-{dead}-abc", f"{host}\n{dead}\n")
    alive = _make(tmp_path, f"cs-x-{live}-abc", f"{host}\n{live}\n")
    elsewhere = _make(tmp_path, f"cs-x-{dead}-def", f"another-host\n{dead}\n")
    unmarked = _make(tmp_path, f"cs-x-{dead}-ghi", None)
    lying = _make(tmp_path, f"cs-x-{dead}-jkl", f"{host}\n{live}\n")
    other_prefix = _make(tmp_path, f"cs-y-{dead}-abc", f"{host}\n{dead}\n")
    fresh = scratch_dir("cs-x-")
    assert not stale.exists()
    assert all(p.exists() for p in (alive, elsewhere, unmarked, lying, other_prefix, fresh))
    assert fresh.name.startswith(f"cs-x-{os.getpid()}-")
    assert sweep_scratch_dirs("cs-x-") == []  # its own directory is never swept
