"""The warm worker on its own: fresh imports per export, timeouts, restarts, the fallback."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from contractsync.watch.worker import SubprocessExporter, WarmWorker

from .conftest import MAIN_PY, MODELS_PY, models_with, pids_mentioning, wait_until, write

pytestmark = pytest.mark.skipif(not hasattr(os, "fork") or not Path("/proc").is_dir(),
                                reason="the warm worker forks; the process checks read /proc (Linux)")


@pytest.fixture
def worker(project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[WarmWorker]:
    # Bytecode caching on, as on a developer's machine: the worker must still not use it.
    monkeypatch.delenv("PYTHONDONTWRITEBYTECODE", raising=False)
    messages: list[str] = []
    w = WarmWorker("petshop.main:app", project, tmp_path / "work", timeout=5,
                   fresh=[project], notify=messages.append)
    w.start()
    yield w
    w.close()


def _pet_properties(worker: WarmWorker) -> list[str]:
    outcome = worker.export()
    assert outcome.ok, outcome
    assert outcome.spec is not None
    return list(outcome.spec["components"]["schemas"]["Pet"]["properties"])


def test_exports_see_every_edit(project: Path, worker: WarmWorker) -> None:
    assert worker.ready_info["type"] == "ready"
    assert _pet_properties(worker) == ["id", "name"]
    write(project / "petshop" / "models.py", models_with("age: int"))
    assert _pet_properties(worker) == ["id", "name", "age"]
    write(project / "petshop" / "models.py", MODELS_PY)
    assert _pet_properties(worker) == ["id", "name"]


def test_worker_never_imports_the_app(project: Path, tmp_path: Path) -> None:
    """The app's import side effects happen once per export, in the child, never in the worker."""
    log = tmp_path / "imports.log"
    (project / "petshop" / "__init__.py").write_text(
        f"with open({str(log)!r}, 'a') as fh:\n    fh.write('imported\\n')\n")
    w = WarmWorker("petshop.main:app", project, tmp_path / "work", timeout=5, fresh=[project])
    w.start()
    try:
        assert not log.exists()
        for _ in range(3):
            assert w.export().ok
        assert log.read_text().splitlines() == ["imported"] * 3
    finally:
        w.close()


def test_app_output_is_captured_not_leaked(project: Path, worker: WarmWorker) -> None:
    write(project / "petshop" / "main.py", "print('hello from the app')\n" + MAIN_PY)
    outcome = worker.export()
    assert outcome.ok and outcome.output == "hello from the app"


def test_timeout_kills_the_child_and_the_worker_serves_on(project: Path, tmp_path: Path) -> None:
    w = WarmWorker("petshop.main:app", project, tmp_path / "work", timeout=0.5, fresh=[project])
    w.start()
    try:
        write(project / "petshop" / "main.py", "import time\ntime.sleep(60)\n" + MAIN_PY)
        t0 = time.monotonic()
        outcome = w.export()
        assert outcome.status == "timeout"
        assert time.monotonic() - t0 < 5
        assert w.alive()
        assert pids_mentioning(str(project)) == {w.pid}  # the hanging child is gone
        write(project / "petshop" / "main.py", MAIN_PY)
        assert w.export().ok
    finally:
        w.close()


def test_child_that_dies_hard_is_reported(project: Path, worker: WarmWorker) -> None:
    write(project / "petshop" / "main.py", "import os\nos._exit(9)\n" + MAIN_PY)
    outcome = worker.export()
    assert outcome.status == "crashed"
    assert "died without a result" in outcome.message
    assert worker.alive()


def test_dead_worker_is_restarted_on_the_next_export(project: Path, tmp_path: Path) -> None:
    messages: list[str] = []
    w = WarmWorker("petshop.main:app", project, tmp_path / "work", timeout=5, fresh=[project],
                   notify=messages.append)
    w.start()
    try:
        first = w.pid
        assert first is not None
        os.kill(first, signal.SIGKILL)
        assert w.export().ok
        assert w.pid != first
        assert any("restarting" in m for m in messages)
    finally:
        w.close()
    assert pids_mentioning(str(project)) == set()


def test_close_stops_the_whole_group(project: Path, tmp_path: Path) -> None:
    w = WarmWorker("petshop.main:app", project, tmp_path / "work", timeout=30, fresh=[project])
    w.start()
    write(project / "petshop" / "main.py", "import time\ntime.sleep(60)\n" + MAIN_PY)
    assert w._proc is not None and w._proc.stdin is not None
    # Start an export without waiting for it, so a forked child is alive during close().
    w._proc.stdin.write(b'{"id": 1, "out": "%s", "timeout": 30}\n' % str(tmp_path / "x.json").encode())
    w._proc.stdin.flush()
    assert wait_until(lambda: len(pids_mentioning(str(project))) == 2)
    w.close()
    assert wait_until(lambda: pids_mentioning(str(project)) == set())


def test_subprocess_fallback(project: Path) -> None:
    exporter = SubprocessExporter("petshop.main:app", project, timeout=30)
    outcome = exporter.export()
    assert outcome.ok and outcome.spec is not None
    assert outcome.spec["info"]["title"] == "Pet shop"
    write(project / "petshop" / "models.py", "syntax error here\n")
    failed = exporter.export()
    assert failed.status == "error"
    assert failed.where is not None and failed.where.endswith("models.py:1")


def test_compiled_code_is_cached_by_content(project: Path, worker: WarmWorker) -> None:
    cache = worker.workdir / "code"
    assert worker.export().ok
    first = set(cache.iterdir())
    assert len(first) == 3  # petshop/__init__.py, main.py, models.py
    assert worker.export().ok
    assert set(cache.iterdir()) == first  # unchanged modules come from the cache
    write(project / "petshop" / "models.py", models_with("age: int"))
    assert _pet_properties(worker) == ["id", "name", "age"]
    assert len(set(cache.iterdir()) - first) == 1  # only the edited module was compiled again
    assert not (project / "petshop" / "__pycache__").exists()


def test_hanging_pre_import_falls_back_to_a_plain_worker(project: Path, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """A third-party module that hangs on import must not take the watcher down with it."""
    site = tmp_path / "site"
    site.mkdir()
    (site / "slowdep.py").write_text("import time\ntime.sleep(600)\n")
    monkeypatch.setenv("PYTHONPATH", str(site))
    # The app imports it lazily, so exporting works; only the worker's pre-import would hang.
    write(project / "petshop" / "main.py", MAIN_PY + "\n\ndef _later():\n    import slowdep\n")
    messages: list[str] = []
    w = WarmWorker("petshop.main:app", project, tmp_path / "work", timeout=5, fresh=[project],
                   notify=messages.append, start_timeout=2)
    try:
        w.start()
        assert not w.preload
        assert any("retrying without pre-imports" in m for m in messages), messages
        assert w.export().ok
        assert len(pids_mentioning(str(project))) == 1  # the hung first worker is gone
    finally:
        w.close()


def test_worker_learns_library_modules_the_source_does_not_show(project: Path, worker: WarmWorker) -> None:
    """A dependency imported in a way the source scan cannot see (here importlib with a computed
    name) is imported by the worker after the first export, so later rebuilds find it warm."""
    probe = project / "warm.txt"
    write(project / "petshop" / "main.py", MAIN_PY + (
        "\nimport importlib, sys\n"
        "_name = 'json' + 'schema'\n"
        f"open({str(probe)!r}, 'a').write(str(_name in sys.modules) + '\\n')\n"
        "importlib.import_module(_name)\n"))
    assert worker.export().ok
    assert worker.export().ok
    assert probe.read_text().split() == ["False", "True"]


def test_a_run_of_saves_reimports_only_what_the_save_touched(project: Path, worker: WarmWorker) -> None:
    """After a save, the app modules it cannot affect are imported once in a warm layer; later
    saves of the same file import only it and its importers, and a save of a layered module
    throws the layer away (#12)."""
    counter = project / "imports.txt"
    write(project / "petshop" / "settings.py",
          f"open({str(counter)!r}, 'a').write('settings\\n')\nTITLE = 'Pet shop'\n")
    write(project / "petshop" / "main.py",
          MAIN_PY.replace('app = FastAPI(title="Pet shop"', 'from .settings import TITLE\n\napp = FastAPI(title=TITLE'))
    assert worker.export().ok
    assert counter.read_text().count("settings") == 1
    fields = [f"f{i}: int = 0" for i in range(4)]
    for i in range(1, 4):
        write(project / "petshop" / "models.py", models_with(*fields[:i]))
        time.sleep(1.0)  # the layer imports in the background after the previous reply
        outcome = worker.export()
        assert outcome.ok and outcome.spec is not None
        assert list(outcome.spec["components"]["schemas"]["Pet"]["properties"])[2:] == [f"f{j}" for j in range(i)]
    # The first save's rebuild imported settings fresh; then the layer imported it once; the
    # next two rebuilds forked from the layer without importing it again.
    assert counter.read_text().count("settings") == 3
    # A save of the layered module: the layer is stale, the rebuild sees the new value.
    write(project / "petshop" / "settings.py",
          f"open({str(counter)!r}, 'a').write('settings\\n')\nTITLE = 'Pet shop 2'\n")
    outcome = worker.export()
    assert outcome.ok and outcome.spec is not None and outcome.spec["info"]["title"] == "Pet shop 2"
    # A layered module that reads another file at import: a save of that file drops the layer.
    title = project / "title.txt"
    title.write_text("From a file")
    write(project / "petshop" / "settings.py", f"TITLE = open({str(title)!r}).read()\n")
    assert worker.export().ok
    for i in range(2):
        write(project / "petshop" / "models.py", models_with(f"g{i}: int = 0"))
        time.sleep(1.0)
        assert worker.export().ok
    title.write_text("Changed")
    outcome = worker.export(changed=[str(title)])
    assert outcome.ok and outcome.spec is not None and outcome.spec["info"]["title"] == "Changed"
