"""Exporting real FastAPI apps: child process by default, canonical bytes, --check, atomic writes."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from contractsync.cli import main
from contractsync.contract import export_contract
from contractsync.io import atomic_write_bytes
from contractsync.spec import AppSource, canonical_json, load_spec
from tests.conftest import FIXTURES

APPS = FIXTURES / "apps"


def test_child_process_export_of_a_real_app() -> None:
    doc = load_spec(AppSource("good_app:app", app_dir=APPS))
    assert doc.data["info"] == {"title": "Good", "version": "2.3.4"}
    assert set(doc.data["paths"]) == {"/items/{item_id}", "/items", "/health"}
    assert doc.source == "app good_app:app"
    # The app printed to stdout while importing; the document is still intact.
    assert doc.raw is not None and doc.raw.startswith(b"{")


def test_factory_is_called() -> None:
    doc = load_spec(AppSource("good_app:create_app", app_dir=APPS))
    assert "/health" in doc.data["paths"]


def test_in_process_export_matches_child() -> None:
    child = load_spec(AppSource("good_app:app", app_dir=APPS))
    inproc = load_spec(AppSource("good_app:app", app_dir=APPS, in_process=True))
    assert canonical_json(child.data) == canonical_json(inproc.data)


def test_app_openapi_override_is_honoured() -> None:
    doc = load_spec(AppSource("custom_openapi_app:app", app_dir=APPS))
    assert doc.data["info"]["x-logo"] == {"url": "https://example.invalid/logo.png"}


def test_same_api_in_another_route_order_gives_identical_bytes(tmp_path: Path) -> None:
    a = export_contract(AppSource("good_app:app", app_dir=APPS), tmp_path / "a.json")
    b = export_contract(AppSource("reordered_app:app", app_dir=APPS), tmp_path / "b.json")
    assert a.written and b.written
    raw_a = (tmp_path / "a.json").read_bytes()
    assert raw_a == (tmp_path / "b.json").read_bytes()
    assert raw_a.endswith(b"}\n")
    # Canonical key order: openapi first, then info, paths, components.
    assert list(json.loads(raw_a)) == ["openapi", "info", "paths", "components"]


def test_export_twice_is_byte_identical_and_does_not_rewrite(tmp_path: Path) -> None:
    out = tmp_path / "contracts" / "openapi.json"
    first = export_contract(AppSource("good_app:app", app_dir=APPS), out)
    mtime = out.stat().st_mtime_ns
    second = export_contract(AppSource("good_app:app", app_dir=APPS), out)
    assert first.written and not second.written
    assert out.stat().st_mtime_ns == mtime


def test_export_check_cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "pyproject.toml").write_text(
        f'[tool.contractsync]\napp = "good_app:app"\napp_dir = "{APPS}"\n'
    )
    assert main(["export", "--check"]) == 1
    assert "does not exist yet" in capsys.readouterr().out
    assert main(["export"]) == 0
    assert (tmp_path / "contracts" / "openapi.json").exists()
    assert main(["export", "--check"]) == 0
    assert "is current" in capsys.readouterr().out
    # Someone edits the code: now the contract is stale, and we say briefly what differs.
    contract = tmp_path / "contracts" / "openapi.json"
    data = json.loads(contract.read_text())
    del data["paths"]["/health"]
    data["components"]["schemas"]["Gone"] = {"type": "object"}
    contract.write_text(json.dumps(data))
    capsys.readouterr()
    assert main(["export", "--check"]) == 1
    out = capsys.readouterr().out
    assert "is stale" in out
    assert "1 operation added: GET /health" in out
    assert "1 schema removed: Gone" in out


def test_export_to_stdout(capsys: pytest.CaptureFixture[bytes]) -> None:
    code = main(["export", "--app", "good_app:app", "--app-dir", str(APPS), "-o", "-"])
    assert code == 0


def test_atomic_write_keeps_old_file_when_the_write_fails(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "openapi.json"
    target.write_bytes(b"old contents\n")

    def explode(src: str, dst: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", explode)
    with pytest.raises(Exception, match="No space left"):
        atomic_write_bytes(target, b"new contents\n")
    assert target.read_bytes() == b"old contents\n"
    assert [p.name for p in tmp_path.iterdir()] == ["openapi.json"], "temp file left behind"


def test_atomic_write_keeps_permissions(tmp_path: Path) -> None:
    target = tmp_path / "f.json"
    target.write_text("x")
    target.chmod(0o640)
    atomic_write_bytes(target, b"y")
    assert target.read_text() == "y"
    assert target.stat().st_mode & 0o777 == 0o640


def test_stale_summary_treats_a_path_parameter_rename_as_the_same_operation() -> None:
    from contractsync.contract import summarize_differences

    op = {"responses": {"200": {"description": "ok"}}}
    old = {"paths": {"/authors/{author_id}": {"get": op, "delete": op}}}
    new = {"paths": {"/authors/{id}": {"get": op, "delete": {"responses": {"204": {"description": "gone"}}}},
                     "/health": {"get": op}}}
    assert summarize_differences(old, new) == [
        "1 operation added: GET /health",
        "1 operation changed: DELETE /authors/{id}",
    ]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_atomic_write_into_a_device_or_fifo_keeps_the_node(tmp_path: Path) -> None:
    """`-o /dev/null` once replaced the device with a regular file (found during #12)."""
    import stat
    import threading

    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()))
    reader.start()
    atomic_write_bytes(fifo, b"{}\n")
    reader.join(10)
    assert got == [b"{}\n"]
    assert stat.S_ISFIFO(fifo.stat().st_mode)
    atomic_write_bytes("/dev/null", b"x")
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)


def test_a_failing_import_names_the_apps_file_first(tmp_path: Path) -> None:
    # A real project's dependency module used syntax this interpreter lacks (full-stack-fastapi-
    # template on Python 3.14): the message used to read `app svc.main:app:svc/deps.py:2: …`.
    (tmp_path / "svc").mkdir()
    (tmp_path / "svc" / "__init__.py").write_text("")
    (tmp_path / "svc" / "deps.py").write_text("x = 1\ndef broken(:\n")
    (tmp_path / "svc" / "main.py").write_text("from svc import deps\n")
    from contractsync.errors import AppExportError

    with pytest.raises(AppExportError) as info:
        load_spec(AppSource("svc.main:app", app_dir=tmp_path))
    line = str(info.value)
    assert line.startswith(f"{tmp_path / 'svc' / 'deps.py'}:2: importing 'svc.main' failed: SyntaxError")
    assert line.endswith("(app svc.main:app)") and "\n" not in line


def test_settings_that_need_environment_variables_are_named_one_per_field(tmp_path: Path) -> None:
    # The usual import failure of a real FastAPI project: pydantic-settings without its .env.
    (tmp_path / "svc").mkdir()
    (tmp_path / "svc" / "__init__.py").write_text("")
    (tmp_path / "svc" / "main.py").write_text(
        "from pydantic import BaseModel\n\n\nclass Settings(BaseModel):\n"
        "    PROJECT_NAME: str\n    POSTGRES_USER: str\n\n\nsettings = Settings()\n")
    from contractsync.errors import AppExportError

    with pytest.raises(AppExportError) as info:
        load_spec(AppSource("svc.main:app", app_dir=tmp_path))
    line = str(info.value)
    assert ("ValidationError: 2 validation errors for Settings: PROJECT_NAME: Field required; "
            "POSTGRES_USER: Field required (app svc.main:app)") in line
    assert "errors.pydantic.dev" not in line and line.startswith(f"{tmp_path / 'svc' / 'main.py'}:9: ")


MOUNTING_APP = """\
from fastapi import APIRouter, FastAPI
from fastapi.staticfiles import StaticFiles

app = FastAPI()
included = APIRouter(prefix="/items")
included.get("/")(lambda: [])
app.include_router(included)

v2 = FastAPI()
v2.get("/books")(lambda: [])
v2.post("/books")(lambda: {})
admin = FastAPI()
admin.get("/stats")(lambda: {})
v2.mount("/admin", admin)
app.mount("/v2", v2)

raw = APIRouter()
raw.get("/ping")(lambda: "pong")
app.mount("/raw", raw)
app.mount("/static", StaticFiles(directory="{static}"), name="static")
"""


@pytest.mark.parametrize("in_process", [False, True])
def test_mounted_apis_missing_from_the_contract_are_named(tmp_path: Path, in_process: bool) -> None:
    # python-todo-style apps mount a FastAPI app or a router with app.mount: FastAPI's openapi()
    # of the parent leaves their operations out, and the contract silently lacked them.
    (tmp_path / "static").mkdir()
    (tmp_path / "mounting.py").write_text(MOUNTING_APP.replace("{static}", str(tmp_path / "static")))
    doc = load_spec(AppSource("mounting:app", app_dir=tmp_path, in_process=in_process))
    assert list(doc.data["paths"]) == ["/items/"]
    mounts = [w for w in doc.warnings if "is not in the contract" in w]
    assert [w.split("'")[1] for w in mounts] == ["/v2", "/v2/admin", "/raw"]
    assert "'/v2' (2 operations)" in mounts[0] and "(1 operation)" in mounts[1] and "(1 operation)" in mounts[2]
    assert all(w.startswith("app mounting:app: ") for w in mounts)


def test_export_prints_the_mount_warning(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "static").mkdir()
    (tmp_path / "mounting.py").write_text(MOUNTING_APP.replace("{static}", str(tmp_path / "static")))
    assert main(["export", "--app", "mounting:app", "--app-dir", str(tmp_path), "-o", str(tmp_path / "c.json")]) == 0
    err = " ".join(capsys.readouterr().err.split())
    assert "warning:" in err and "the API mounted at '/v2' (2 operations) is not in the contract" in err


def test_an_implicit_relative_import_names_the_apps_own_module(tmp_path: Path) -> None:
    # python-todo e77c2e3: modules/todo/todo.py says `import schemas` beside schemas.py (Python 2
    # style). The hint was "is --python the app's interpreter?": no interpreter has that module.
    pkg = tmp_path / "svc" / "todo"
    pkg.mkdir(parents=True)
    (tmp_path / "svc" / "__init__.py").write_text("")
    (pkg / "__init__.py").write_text("")
    (pkg / "schemas.py").write_text("X = 1\n")
    (pkg / "router.py").write_text("import schemas\n")
    (tmp_path / "svc" / "main.py").write_text("from svc.todo import router\n")
    from contractsync.errors import AppExportError

    with pytest.raises(AppExportError) as info:
        load_spec(AppSource("svc.main:app", app_dir=tmp_path))
    line = str(info.value)
    assert f"it is the app's own {pkg / 'schemas.py'}" in line and "from . import schemas" in line
    assert "--python" not in line
    # A package that is really missing keeps the interpreter hint.
    (pkg / "router.py").write_text("import no_such_package_here\n")
    with pytest.raises(AppExportError) as info:
        load_spec(AppSource("svc.main:app", app_dir=tmp_path))
    assert "is --python the app's interpreter?" in str(info.value)


def test_watch_shows_the_mount_warning_too(tmp_path: Path) -> None:
    """`watch` threw the export's warnings away: a mounted API missing from the contract was
    named by `export` but never by the watcher. Both exporters carry them now (#12)."""
    import json
    import os
    import subprocess
    import sys

    from contractsync.watch.worker import SubprocessExporter
    from tests.conftest import REPO

    (tmp_path / "static").mkdir()
    (tmp_path / "mounting.py").write_text(MOUNTING_APP.replace("{static}", str(tmp_path / "static")))
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))}
    base = [sys.executable, "-m", "contractsync", "watch", "--once", "--app", "mounting:app",
            "--app-dir", str(tmp_path), "--types", "t.ts"]
    text = subprocess.run(base, cwd=tmp_path, capture_output=True, text=True, env=env, timeout=120)
    assert text.returncode == 0, text.stderr
    flat = " ".join(text.stdout.split())
    assert "warning app mounting:app: the API mounted at '/v2' (2 operations) is not in the contract" in flat
    events = subprocess.run([*base, "--json"], cwd=tmp_path, capture_output=True, text=True, env=env, timeout=120)
    rebuild = [e for e in map(json.loads, events.stdout.splitlines()) if e.get("event") == "rebuild"]
    assert [w.split("'")[1] for w in rebuild[-1]["export_warnings"]] == ["/v2", "/v2/admin", "/raw"]
    # The fallback where fork does not exist (Windows): the same warnings.
    outcome = SubprocessExporter("mounting:app", tmp_path).export()
    assert outcome.ok and [w.split("'")[1] for w in outcome.warnings] == ["/v2", "/v2/admin", "/raw"]
