"""Every process an export starts dies with it (#13): hanging imports under SIGINT/SIGTERM/SIGKILL,
apps that start helper processes (even double-forked daemons), and the watcher's warm worker.

The apps write the pids of every process they start into a file, so the tests can check each
one is gone afterwards.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="the checks read /proc (Linux)"
)

REPO = Path(__file__).resolve().parents[1]

#: Appends this process's pid to $PIDS_FILE.
_RECORD = """
import os
with open(os.environ["PIDS_FILE"], "a") as fh:
    fh.write(f"{os.getpid()}\\n")
"""

HANGING_APP = _RECORD + """
import subprocess, sys, time
# A helper in the export's own process group, and a stuck import.
helper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(300)"])
with open(os.environ["PIDS_FILE"], "a") as fh:
    fh.write(f"{helper.pid}\\n")
time.sleep(300)
"""

HELPER_APP = _RECORD + """
import subprocess, sys
from fastapi import FastAPI

# A helper that inherits stderr (a log shipper, a metrics agent, a dev server) ...
helper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(300)"])
# ... and a double-forked daemon in its own session (it records its own pid).
subprocess.Popen([sys.executable, "-c", '''
import os, sys, time
if os.fork():
    os._exit(0)
os.setsid()
with open(os.environ["PIDS_FILE"], "a") as fh:
    fh.write(f"{os.getpid()}\\\\n")
time.sleep(300)
'''], stdout=subprocess.DEVNULL).wait()
with open(os.environ["PIDS_FILE"], "a") as fh:
    fh.write(f"{helper.pid}\\n")

app = FastAPI(title="helpers", version="1.0.0")


@app.get("/ping")
def ping() -> str:
    return "pong"
"""


def alive(pid: int) -> bool:
    """True while ``pid`` runs (a zombie nobody reaped does not count)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_bytes()
    except OSError:
        return False
    return stat[stat.rfind(b")") + 2:].split()[0] != b"Z"


def wait_until(predicate: Callable[[], bool], timeout: float = 20.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return predicate()


def pids(path: Path) -> list[int]:
    return [int(x) for x in path.read_text().split()] if path.exists() else []


def make_app(tmp_path: Path, source: str) -> tuple[Path, dict[str, str]]:
    app_dir = tmp_path / "app"
    app_dir.mkdir()
    (app_dir / "svc.py").write_text(source)
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    env = dict(os.environ, PIDS_FILE=str(tmp_path / "pids"), TMPDIR=str(scratch),
               PYTHONPATH=str(REPO))
    return app_dir, env


def contractsync(*args: str) -> list[str]:
    return [sys.executable, "-m", "contractsync", *args]


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM, signal.SIGKILL, signal.SIGHUP])
def test_killing_export_ends_the_hanging_child_and_its_helpers(tmp_path: Path, sig: int) -> None:
    app_dir, env = make_app(tmp_path, HANGING_APP)
    proc = subprocess.Popen(
        contractsync("export", "--app", "svc:app", "--app-dir", str(app_dir), "-o", "-", "--timeout", "120"),
        cwd=tmp_path, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    try:
        # The child and its helper have started (two pids), and the import now hangs.
        assert wait_until(lambda: len(pids(tmp_path / "pids")) >= 2), "the app was never imported"
        os.kill(proc.pid, sig)
        proc.wait(timeout=20)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    started = pids(tmp_path / "pids")
    assert wait_until(lambda: not any(alive(p) for p in started)), \
        f"survivors after {signal.Signals(sig).name}: {[p for p in started if alive(p)]}"
    assert list((tmp_path / "tmp").iterdir()) == []


def test_app_starting_helpers_exports_and_the_helpers_end(tmp_path: Path) -> None:
    app_dir, env = make_app(tmp_path, HELPER_APP)
    # Before #13 this waited for EOF on the stderr pipe the helper holds: a timeout every time.
    proc = subprocess.run(
        contractsync("export", "--app", "svc:app", "--app-dir", str(app_dir), "-o", "-", "--timeout", "30"),
        cwd=tmp_path, env=env, capture_output=True, timeout=60,
    )
    assert proc.returncode == 0, proc.stderr.decode()
    assert b'"/ping"' in proc.stdout
    started = pids(tmp_path / "pids")
    assert len(started) == 3  # the export child, the helper, the double-forked daemon
    assert wait_until(lambda: not any(alive(p) for p in started)), \
        f"left running: {[p for p in started if alive(p)]}"
    assert list((tmp_path / "tmp").iterdir()) == []


PARENT_KILLER_APP = """
import os, signal
os.kill(os.getppid(), signal.SIGKILL)
from fastapi import FastAPI
app = FastAPI()
"""


def test_app_that_kills_its_parent_is_reported(tmp_path: Path) -> None:
    """#13.9: an app that SIGKILLs its parent at import used to take `contractsync export` down
    with no message (exit 137); the export child now shields the command and says what happened."""
    app_dir, env = make_app(tmp_path, PARENT_KILLER_APP)
    proc = subprocess.run(
        contractsync("export", "--app", "svc:app", "--app-dir", str(app_dir), "-o", "-", "--timeout", "30"),
        cwd=tmp_path, env=env, capture_output=True, timeout=60,
    )
    assert proc.returncode == 2, proc.stderr.decode()
    last = proc.stderr.decode().strip().splitlines()[-1]
    assert last.startswith("contractsync: error: app svc:app: the export process was killed by SIGKILL"), last
    assert "Traceback" not in proc.stderr.decode()
    assert proc.stdout == b""


def test_bootstrap_needs_python_3_9_syntax_only() -> None:
    """The files that run in the app's interpreter parse as Python 3.9."""
    import ast

    from contractsync.watch.worker import WORKER_FILES

    assert {p.name for p in WORKER_FILES} == {"_bootstrap.py", "preload.py", "_layer.py", "_serve.py"}
    for rel in [str(p.relative_to(REPO)) for p in WORKER_FILES]:
        source = (REPO / rel).read_text()
        ast.parse(source, filename=rel, feature_version=(3, 9))
        tree = ast.parse(source)
        imported = {alias.name.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.Import)
                    for alias in node.names}
        imported |= {node.module.split(".")[0] for node in ast.walk(tree)
                     if isinstance(node, ast.ImportFrom) and node.module and node.level == 0}
        third_party = imported - set(sys.stdlib_module_names) - {"__future__", "fastapi", "pydantic"}
        assert not third_party, f"{rel} imports {third_party}"
        assert "contractsync" not in imported or rel in ("contractsync/watch/_serve.py",
                                                         "contractsync/watch/_layer.py"), rel


WATCH_APP = _RECORD + """
import subprocess, sys
from fastapi import FastAPI
from pydantic import BaseModel

helper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(300)"])
with open(os.environ["PIDS_FILE"], "a") as fh:
    fh.write(f"{helper.pid}\\n")


class Pet(BaseModel):
    id: int


app = FastAPI(title="forks", version="1.0.0")


@app.get("/pets/{pet_id}")
def get_pet(pet_id: int) -> Pet:
    return Pet(id=pet_id)
"""


def test_warm_worker_leaves_no_process_per_save(tmp_path: Path) -> None:
    from contractsync.watch.worker import WarmWorker

    app_dir, env = make_app(tmp_path, WATCH_APP)
    os.environ["PIDS_FILE"] = env["PIDS_FILE"]
    worker = WarmWorker("svc:app", app_dir, tmp_path / "work", timeout=20, fresh=[app_dir])
    try:
        worker.start()
        for _ in range(3):
            assert worker.export().ok
        started = pids(tmp_path / "pids")
        assert len(started) == 6  # three export children, three helpers
        assert wait_until(lambda: not any(alive(p) for p in started)), \
            f"left running: {[p for p in started if alive(p)]}"
        assert worker.alive()
    finally:
        worker.close()
        del os.environ["PIDS_FILE"]


def _descendants_of_session(sid: int) -> list[int]:
    found = []
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                stat = Path(f"/proc/{name}/stat").read_bytes()
            except OSError:
                continue
            fields = stat[stat.rfind(b")") + 2:].split()
            if int(fields[3]) == sid and fields[0] != b"Z":
                found.append(int(name))
    return found


@pytest.mark.parametrize("sig", [signal.SIGHUP, signal.SIGKILL, signal.SIGTERM])
def test_stopping_the_watcher_ends_worker_children_and_scratch(tmp_path: Path, sig: int) -> None:
    _, env = make_app(tmp_path, WATCH_APP)
    (tmp_path / "pyproject.toml").write_text(
        '[tool.contractsync]\napp = "svc:app"\napp_dir = "app"\n'
    )
    proc = subprocess.Popen(
        contractsync("watch", "--types", str(tmp_path / "types.ts"), "--json"),
        cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()  # the first rebuild
        assert b'"rebuild"' in line, line + proc.stderr.read() if proc.stderr else line
        workers = _children(proc.pid)
        assert workers, "no warm worker"
        worker_sid = workers[0]  # the worker leads its own session
        assert (tmp_path / "types.ts").exists()
        assert len(list((tmp_path / "tmp").iterdir())) == 1  # the scratch directory
        os.kill(proc.pid, sig)
        proc.wait(timeout=20)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    started = pids(tmp_path / "pids")
    assert started
    assert wait_until(lambda: not any(alive(p) for p in started) and not _descendants_of_session(worker_sid)), \
        f"left running: {[p for p in started if alive(p)]} {_descendants_of_session(worker_sid)}"
    assert wait_until(lambda: list((tmp_path / "tmp").iterdir()) == []), list((tmp_path / "tmp").iterdir())


def _children(pid: int) -> list[int]:
    found = []
    for task in os.listdir(f"/proc/{pid}/task"):
        found += [int(x) for x in Path(f"/proc/{pid}/task/{task}/children").read_text().split()]
    return found
