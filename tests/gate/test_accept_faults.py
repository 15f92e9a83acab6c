"""``accept`` survives a crash after any single file operation (#13, item 4), and refuses to
record a release dated before the last one (#13, item 5).

Fault injection: :data:`contractsync.io.FAULT_ENV` makes the process SIGKILL itself right after
its N-th replace or removal. For every N up to the number of operations an uninterrupted run
performs, a killed run followed by a plain re-run must end in exactly the files the uninterrupted
run leaves, with the announcement's reason recorded in ``changelog.json``.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from contractsync import gate
from contractsync.announce import (
    Announcement,
    AnnouncementFile,
    announcements_path,
    save_announcements,
)
from contractsync.config import load_config
from contractsync.io import FAULT_ENV
from contractsync.spec.source import FileSource

REPO_ROOT = Path(__file__).resolve().parents[2]

PYPROJECT = """\
[project]
name = "shop"
version = "0.0.0"

[tool.contractsync]
contracts_dir = "contracts"
frontend_types = "web/src/api/types.ts"
"""

DRIVER = textwrap.dedent("""
    import datetime as dt, sys
    from pathlib import Path
    from contractsync import gate
    from contractsync.config import load_config
    from contractsync.errors import ContractsyncError
    from contractsync.spec.source import FileSource
    cfg = load_config(Path("pyproject.toml"))
    try:
        gate.accept(cfg, app=FileSource(Path(sys.argv[1])), now=dt.date.fromisoformat(sys.argv[2]))
    except ContractsyncError as exc:
        print(exc, file=sys.stderr)
        sys.exit(2)
""")


def _spec(*, isbn: bool) -> dict[str, object]:
    props: dict[str, object] = {"id": {"type": "integer"}, "title": {"type": "string"}}
    if isbn:
        props["isbn"] = {"type": "string"}
    return {
        "openapi": "3.1.0",
        "info": {"title": "Shop", "version": "1.0.0"},
        "paths": {"/books/{id}": {"get": {
            "operationId": "get_book",
            "parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}],
            "responses": {"200": {"description": "OK", "content": {"application/json": {
                "schema": {"$ref": "#/components/schemas/Book"}}}}}}}},
        "components": {"schemas": {"Book": {
            "type": "object", "properties": props, "required": sorted(props)}}},
    }


def _run(project: Path, spec: str, now: str, fault: int | None = None) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH")]))
    env.pop(FAULT_ENV, None)
    if fault is not None:
        env[FAULT_ENV] = str(fault)
    return subprocess.run([sys.executable, "-c", DRIVER, spec, now], cwd=project, env=env,
                          capture_output=True, text=True, timeout=120, check=False)


def _state(project: Path) -> dict[str, bytes]:
    out = {}
    for path in sorted(project.rglob("*")):
        if path.is_file() and path.name != ".contractsync.lock":
            out[path.relative_to(project).as_posix()] = path.read_bytes()
    return out


@pytest.fixture(scope="module")
def released(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """v1 accepted, v2 (isbn removed) written next to it, its breaking change announced."""
    project = tmp_path_factory.mktemp("faults") / "shop"
    project.mkdir()
    (project / "pyproject.toml").write_text(PYPROJECT, encoding="utf-8")
    (project / "v1.json").write_text(json.dumps(_spec(isbn=True)), encoding="utf-8")
    (project / "v2.json").write_text(json.dumps(_spec(isbn=False)), encoding="utf-8")
    first = _run(project, "v1.json", "2026-01-15")
    assert first.returncode == 0, first.stderr
    cfg = load_config(project / "pyproject.toml")
    report = gate.run_diff(gate.load_spec(FileSource(project / "contracts" / "openapi.json")),
                           gate.canonical_document(gate.load_spec(FileSource(project / "v2.json"))),
                           now=dt.datetime(2026, 11, 26, tzinfo=dt.UTC), cfg=cfg)
    breaking = [c.fingerprint for c in report.changes if c.breaking]
    assert breaking
    save_announcements(announcements_path(cfg.contracts_path), AnnouncementFile(announcements=[
        Announcement(fingerprint=fp, reason="ISBNs moved to editions", announced="2026-11-20")
        for fp in breaking]))
    assert (project / "contracts" / "announcements.yaml").exists()
    return project


def test_a_crash_after_any_file_operation_is_completed_by_a_rerun(released: Path, tmp_path: Path) -> None:
    reference = tmp_path / "reference"
    shutil.copytree(released, reference)
    ok = _run(reference, "v2.json", "2026-11-26")
    assert ok.returncode == 0, ok.stderr
    expected = _state(reference)
    assert "contracts/announcements.yaml" not in expected
    recorded = json.loads(expected["contracts/changelog.json"])
    assert recorded["releases"][0]["changes"][0]["announcement"]["reason"] == "ISBNs moved to editions"

    n = 1
    while True:
        project = tmp_path / f"fault{n}"
        shutil.copytree(released, project)
        killed = _run(project, "v2.json", "2026-11-26", fault=n)
        if killed.returncode == 0:  # fewer than n operations: every prefix has been covered
            assert _state(project) == expected
            break
        assert killed.returncode == -signal.SIGKILL, killed.stderr
        rerun = _run(project, "v2.json", "2026-11-26")
        assert rerun.returncode == 0, f"re-run after a kill at file operation {n}: {rerun.stderr}"
        assert _state(project) == expected, f"kill after file operation {n}"
        n += 1
    assert n >= 5  # types, changelog.json, openapi.json, announcements.yaml, CHANGELOG.md


def test_back_dated_accept_is_refused_and_writes_nothing(released: Path, tmp_path: Path) -> None:
    project = tmp_path / "p"
    shutil.copytree(released, project)
    before = _state(project)
    proc = _run(project, "v2.json", "2025-12-31")
    assert proc.returncode == 2
    assert "the last release 1.0.0 is dated 2026-01-15" in proc.stderr
    assert "--now 2026-01-15" in proc.stderr
    assert _state(project) == before
    # and the history still loads: a later, correctly dated accept works
    assert _run(project, "v2.json", "2026-11-26").returncode == 0
