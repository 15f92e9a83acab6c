"""A real ``contractsync watch`` process on a temporary FastAPI project, driven by editing files."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from contractsync.spec.canonical import canonical_json

from .conftest import (
    MAIN_PY,
    MODELS_PY,
    REPO,
    models_with,
    pids_mentioning,
    wait_until,
    write,
)

pytestmark = pytest.mark.skipif(not hasattr(os, "fork") or not Path("/proc").is_dir(),
                                reason="the e2e watch tests drive Linux processes")

def test_edit_updates_types_and_spec(project: Path, watcher) -> None:
    types = project / "web" / "types.ts"
    spec = project / "web" / "openapi.json"
    w = watcher("--types", "web/types.ts", "--types", "web/openapi.json")
    first = w.wait_rebuilds(1)[0]
    assert first["ok"], first
    assert first["trigger"] == ["(start)"]
    assert first["operations"] == 2
    assert sorted(first["written"]) == ["web/openapi.json", "web/types.ts"]
    assert first["contract"] is None and first["counts"] is None
    assert "nickname" not in types.read_text()

    write(project / "petshop" / "models.py", models_with("nickname: str | None = None"))
    event = w.wait_for(lambda e: e["spec_changed"] and "petshop/models.py" in e["trigger"])
    assert event["ok"] and "web/types.ts" in event["written"]
    text = types.read_text()
    assert "nickname?: string | null" in text
    # The .json output is exactly what `contractsync export` would write.
    data = json.loads(spec.read_bytes())
    assert "nickname" in data["components"]["schemas"]["Pet"]["properties"]
    assert spec.read_bytes() == canonical_json(data)
    assert event["sha256"] == __import__("hashlib").sha256(spec.read_bytes()).hexdigest()
    assert w.stop() == 130


def test_syntax_error_is_reported_and_fixing_recovers(project: Path, watcher) -> None:
    types = project / "types.ts"
    w = watcher("--types", "types.ts")
    w.wait_rebuilds(1)
    before = types.read_bytes()

    write(project / "petshop" / "models.py", models_with("colour: str", "def broken(:"))
    failed = w.wait_for(lambda e: not e["ok"])
    assert failed["error"]["kind"] == "error"
    assert "SyntaxError" in failed["error"]["message"]
    assert failed["error"]["where"].endswith("petshop/models.py:8")
    assert failed["written"] == []
    assert types.read_bytes() == before  # the outputs were left alone
    assert w.proc.poll() is None  # and the watcher keeps going

    write(project / "petshop" / "models.py", models_with("colour: str"))
    fixed = w.wait_for(lambda e: e["ok"] and e["spec_changed"] and e["at"] > failed["at"])
    assert fixed["written"] == ["types.ts"]
    assert "colour: string" in types.read_text()
    assert w.stop() == 130


def test_import_error_and_openapi_exception_then_recovery(project: Path, watcher) -> None:
    w = watcher("--types", "types.ts")
    w.wait_rebuilds(1)
    main = project / "petshop" / "main.py"

    write(main, MAIN_PY.replace("from .models import Pet", "from .models import Pet\nimport not_a_module_xyz"))
    failed = w.wait_for(lambda e: not e["ok"])
    assert "not_a_module_xyz" in failed["error"]["message"]
    assert failed["error"]["where"].endswith("petshop/main.py:4")

    write(main, MAIN_PY + "\n\ndef _boom():\n    raise RuntimeError('no schema today')\n\n\napp.openapi = _boom\n")
    boom = w.wait_for(lambda e: not e["ok"] and "no schema today" in e["error"]["message"])
    assert "app.openapi() raised RuntimeError" in boom["error"]["message"]

    write(main, MAIN_PY)
    w.wait_for(lambda e: e["ok"] and e["at"] > boom["at"])
    assert w.stop() == 130


def test_hanging_import_is_stopped_and_reported(project: Path, watcher) -> None:
    w = watcher("--types", "types.ts", "--timeout", "1")
    w.wait_rebuilds(1)
    main = project / "petshop" / "main.py"
    write(main, "import time\nprint('about to hang')\ntime.sleep(600)\n" + MAIN_PY)
    hung = w.wait_for(lambda e: not e["ok"])
    assert hung["error"]["kind"] == "timeout"
    assert "did not finish within 1 s" in hung["error"]["message"]
    assert "about to hang" in hung["error"]["output"]  # what the app printed is shown
    # The hanging child was killed: only the watcher and its idle worker are left.
    assert wait_until(lambda: len(pids_mentioning(str(project))) == 2, timeout=5)

    write(main, MAIN_PY.replace('title="Pet shop"', 'title="Pet shop 2"'))
    recovered = w.wait_for(lambda e: e["ok"] and e["at"] > hung["at"])
    assert recovered["spec_changed"]
    assert "Pet shop 2" in (project / "types.ts").read_text()
    assert w.stop() == 130


def test_ctrl_c_and_sigterm_leave_no_processes(project: Path, watcher) -> None:
    marker = str(project)
    assert pids_mentioning(marker) == set()
    w = watcher("--types", "types.ts")
    w.wait_rebuilds(1)
    # The watcher and its warm worker; the rebuild's forked child may take a moment to exit
    # after it has sent its result, so the count settles rather than holds at once.
    assert wait_until(lambda: len(pids_mentioning(marker)) == 2, timeout=5), pids_mentioning(marker)
    assert w.proc.pid in pids_mentioning(marker)
    assert w.stop(signal.SIGINT) == 130
    assert wait_until(lambda: pids_mentioning(marker) == set(), timeout=5), pids_mentioning(marker)

    w2 = watcher("--types", "types.ts")
    w2.wait_rebuilds(1)
    assert wait_until(lambda: len(pids_mentioning(marker)) == 2, timeout=5), pids_mentioning(marker)
    assert w2.stop(signal.SIGTERM) == 0
    assert wait_until(lambda: pids_mentioning(marker) == set(), timeout=5), pids_mentioning(marker)


def test_fifty_rapid_edits_end_in_the_final_state(project: Path, watcher) -> None:
    types = project / "types.ts"
    w = watcher("--types", "types.ts")
    w.wait_rebuilds(1)
    models = project / "petshop" / "models.py"
    for i in range(50):
        write(models, models_with(f"field_{i:02d}: int = {i + 10}"))
        if i % 10 == 9:
            time.sleep(0.12)  # let rebuilds start mid-burst, so saves land during rebuilds too
    assert wait_until(lambda: "field_49" in types.read_text(), timeout=20), w.rebuilds()[-3:]
    # Wait for quiet (no rebuild for a second), then the outputs must show the last edit only.
    seen = [len(w.rebuilds()), time.monotonic()]

    def quiet() -> bool:
        count = len(w.rebuilds())
        if count != seen[0]:
            seen[:] = [count, time.monotonic()]
        return time.monotonic() - seen[1] > 1.0

    assert wait_until(quiet, timeout=20)
    text = types.read_text()
    assert "field_49: number" in text or "field_49?: number" in text
    assert not any(f"field_{i:02d}" in text for i in range(49))
    rebuilds = w.rebuilds()
    assert all(e["ok"] for e in rebuilds)
    # Bursts were debounced: far fewer rebuilds than saves.
    assert len(rebuilds) < 40, len(rebuilds)
    assert w.stop() == 130


def test_same_second_same_size_edits_are_not_stale(project: Path, watcher) -> None:
    """A ``.pyc`` is keyed on the source's mtime in whole seconds and its size: two saves within
    one second that keep the size would import stale bytecode unless the app is compiled fresh."""
    types = project / "types.ts"
    models = project / "petshop" / "models.py"
    w = watcher("--types", "types.ts")
    w.wait_rebuilds(1)
    stamp = int(time.time()) - 5
    for name in ("alpha", "bravo", "charl"):
        write(models, models_with(f"{name}: int = 1"))
        os.utime(models, (stamp, stamp))
        assert wait_until(lambda name=name: f"{name}: number" in types.read_text()
                          or f"{name}?: number" in types.read_text(), timeout=15), (name, w.rebuilds()[-1])
    assert not list((project / "petshop").glob("__pycache__/models*.pyc"))  # and none was written
    assert w.stop() == 130


def test_json_stream_parses(project: Path, watcher) -> None:
    w = watcher("--types", "types.ts")
    w.wait_rebuilds(1)
    write(project / "petshop" / "models.py", models_with("age: int"))
    w.wait_rebuilds(2)
    write(project / "petshop" / "models.py", models_with("age: int", "def x(:"))
    w.wait_rebuilds(3)
    assert w.stop() == 130
    assert w.raw_lines, "no output"
    required = {"event", "ok", "at", "ms", "export_ms", "trigger", "spec_changed", "sha256",
                "operations", "written", "unchanged", "errors", "contract", "counts", "changes", "error"}
    for line in w.raw_lines:
        event = json.loads(line)
        assert line.endswith(b"\n") and line.count(b"\n") == 1
        if event["event"] == "rebuild":
            assert required <= set(event), set(event) ^ required
            assert isinstance(event["ms"], float) and event["ms"] > 0
    assert [e["ok"] for e in w.rebuilds()] == [True, True, False]


def test_unwritable_output_is_reported_not_fatal(project: Path, watcher) -> None:
    (project / "blocker").write_text("a file, so blocker/types.ts cannot exist", encoding="utf-8")
    w = watcher("--types", "blocker/types.ts", "--types", "ok/types.ts")
    first = w.wait_rebuilds(1)[0]
    assert not first["ok"]
    assert first["errors"][0]["path"] == "blocker/types.ts"
    assert first["written"] == ["ok/types.ts"]
    write(project / "petshop" / "models.py", models_with("age: int"))
    second = w.wait_for(lambda e: e["spec_changed"] and e["trigger"] != ["(start)"])
    assert second["written"] == ["ok/types.ts"] and second["errors"]
    assert w.proc.poll() is None
    assert w.stop() == 130


def test_lock_file_change_restarts_the_worker(project: Path, watcher) -> None:
    marker = str(project)
    w = watcher("--types", "types.ts")
    w.wait_rebuilds(1)
    old_workers = pids_mentioning(marker) - {w.proc.pid}
    assert len(old_workers) == 1
    (project / "uv.lock").write_text("version = 1\n", encoding="utf-8")
    assert wait_until(lambda: any(e["event"] == "worker" and "uv.lock" in e["message"] for e in w.events))
    event = w.wait_for(lambda e: "uv.lock" in e["trigger"])
    assert event["ok"]
    new_workers = pids_mentioning(marker) - {w.proc.pid}
    assert len(new_workers) == 1 and new_workers.isdisjoint(old_workers)
    assert w.stop() == 130


def test_dead_worker_is_restarted(project: Path, watcher) -> None:
    marker = str(project)
    w = watcher("--types", "types.ts")
    w.wait_rebuilds(1)
    (worker,) = pids_mentioning(marker) - {w.proc.pid}
    os.kill(worker, signal.SIGKILL)
    write(project / "petshop" / "models.py", models_with("age: int"))
    event = w.wait_for(lambda e: e["spec_changed"] and e["trigger"] != ["(start)"])
    assert event["ok"]
    assert any(e["event"] == "worker" for e in w.events)
    assert "age: number" in (project / "types.ts").read_text()
    assert w.stop() == 130
    assert wait_until(lambda: pids_mentioning(marker) == set(), timeout=5)


def _run_once(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    return subprocess.run(
        [sys.executable, "-m", "contractsync", "watch", "--once", "--app", "petshop.main:app",
         "--app-dir", str(project), *args],
        cwd=project, capture_output=True, text=True, env=env, timeout=60,
    )


def test_once_exit_codes_and_status_line(project: Path) -> None:
    done = _run_once(project, "--types", "types.ts")
    assert done.returncode == 0, done.stderr
    assert "✓" in done.stdout and "wrote types.ts" in done.stdout and "2 operations" in done.stdout
    again = _run_once(project, "--types", "types.ts")
    assert "types already current" in again.stdout and again.returncode == 0
    write(project / "petshop" / "models.py", "this is not python\n")
    broken = _run_once(project, "--types", "types.ts")
    assert broken.returncode == 2
    assert "export failed" in broken.stdout and "petshop/models.py:1" in broken.stdout
    assert pids_mentioning(str(project)) == set()


def test_never_writes_the_stored_contract(project: Path) -> None:
    refused = _run_once(project, "--types", "contracts/openapi.json")
    assert refused.returncode == 2
    assert "never writes the stored contract" in refused.stderr
    assert not (project / "contracts").exists()


def test_breaking_change_is_highlighted_with_its_operation(project: Path, watcher) -> None:
    contracts = project / "contracts"
    contracts.mkdir()
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    subprocess.run([sys.executable, "-m", "contractsync", "export", "--app", "petshop.main:app",
                    "--app-dir", str(project), "-o", str(contracts / "openapi.json")],
                   cwd=project, check=True, env=env, capture_output=True)
    stored = (contracts / "openapi.json").read_bytes()
    w = watcher("--types", "types.ts")
    first = w.wait_rebuilds(1)[0]
    assert first["contract"] == "contracts/openapi.json"
    assert first["counts"] == {"breaking": 0, "warning": 0, "info": 0}
    # Removing a response property breaks clients that read it.
    write(project / "petshop" / "models.py", MODELS_PY.replace("    name: str\n", ""))
    event = w.wait_for(lambda e: e["spec_changed"] and e["trigger"] != ["(start)"])
    assert event["counts"]["breaking"] >= 1
    breaking = [c for c in event["changes"] if c["level"] == "breaking"]
    assert any("GET /pets/{pet_id}" in c["operations"] for c in breaking), breaking
    assert (contracts / "openapi.json").read_bytes() == stored  # read, never written
    assert w.stop() == 130


def test_status_line_names_breaking_operations(project: Path) -> None:
    contracts = project / "contracts"
    contracts.mkdir()
    ok = _run_once(project, "--types", "contracts/openapi-copy.json")
    assert ok.returncode == 0
    os.replace(contracts / "openapi-copy.json", contracts / "openapi.json")
    write(project / "petshop" / "models.py", MODELS_PY.replace("    name: str\n", ""))
    out = _run_once(project, "--types", "types.ts")
    assert out.returncode == 0, out.stderr
    assert "breaking" in out.stdout
    assert "GET /pets/{pet_id}" in out.stdout


def test_types_match_generate_typescript_on_the_exported_contract(project: Path) -> None:
    """Watch output and `accept`/`generate` output agree byte for byte, so `check` stays green
    once the contract is accepted."""
    from contractsync.spec.source import load_spec
    from contractsync.typescript import to_typescript

    done = _run_once(project, "--types", "types.ts", "--types", "openapi.json")
    assert done.returncode == 0, done.stderr
    expected = to_typescript(load_spec(str(project / "openapi.json")))
    assert (project / "types.ts").read_text(encoding="utf-8") == expected
