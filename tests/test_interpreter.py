"""The app is exported with the project's own interpreter, which need not have contractsync (#12)."""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from contractsync.errors import InputError
from contractsync.spec.interpreter import project_python

APP = '''\
import sys
from pathlib import Path
from typing import Optional

from fastapi import FastAPI
from pydantic import BaseModel

Path(__file__).with_name("imported-by.txt").write_text(sys.prefix)


class Pet(BaseModel):
    id: int
    name: Optional[str] = None


app = FastAPI(title="Pet shop", version="1.0.0")


@app.get("/pets/{pet_id}", operation_id="get_pet")
def get_pet(pet_id: int) -> Pet:
    return Pet(id=pet_id)
'''


def _make_venv(where: Path) -> Path:
    """A virtualenv that sees this environment's third-party packages (FastAPI, pydantic) but
    not contractsync: offline, no pip install. The editable contractsync install is a .pth
    *file* in our site-packages, and a directory listed in another .pth is not a site dir, so
    its .pth files are not run."""
    base = getattr(sys, "_base_executable", sys.executable)
    subprocess.run([base, "-m", "venv", "--without-pip", str(where)], check=True)
    python = where / "bin" / "python"
    purelib = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                             check=True, capture_output=True, text=True).stdout.strip()
    ours = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    Path(purelib, "borrowed.pth").write_text("\n".join(sorted(ours)) + "\n")
    return python


@pytest.fixture(scope="module")
def other_venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _make_venv(tmp_path_factory.mktemp("venv") / "env")


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    return env


def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    # The console script of *this* environment, as a pipx/uv-tool install would run it.
    script = Path(sys.executable).with_name("contractsync")
    return subprocess.run([str(script), *args], cwd=cwd, env=_env(), capture_output=True, text=True, timeout=120)


def _project(tmp_path: Path) -> Path:
    root = tmp_path / "proj"
    (root / "svc").mkdir(parents=True)
    (root / "svc" / "__init__.py").write_text("")
    (root / "svc" / "main.py").write_text(APP)
    return root


def test_the_other_venv_cannot_import_contractsync(other_venv: Path, tmp_path: Path) -> None:
    probe = subprocess.run([str(other_venv), "-c", "import fastapi; import contractsync"],
                           cwd=tmp_path, env=_env(), capture_output=True, text=True)
    assert probe.returncode != 0
    assert "No module named 'contractsync'" in probe.stderr


def test_export_with_python_flag_from_a_venv_without_contractsync(other_venv: Path, tmp_path: Path) -> None:
    root = _project(tmp_path)
    proc = _cli("export", "--app", "svc.main:app", "-o", "-", "--python", str(other_venv), cwd=root)
    assert proc.returncode == 0, proc.stderr
    assert '"/pets/{pet_id}"' in proc.stdout
    assert (root / "svc" / "imported-by.txt").read_text() == str(other_venv.parent.parent)


def test_project_venv_is_the_default_and_serves_watch(other_venv: Path, tmp_path: Path) -> None:
    root = _project(tmp_path)
    (root / ".venv").symlink_to(other_venv.parent.parent)
    (root / "pyproject.toml").write_text('[tool.contractsync]\napp = "svc.main:app"\n'
                                         'frontend_types = "web/types.ts"\n')
    proc = _cli("export", cwd=root)
    assert proc.returncode == 0, proc.stderr
    assert (root / "svc" / "imported-by.txt").read_text() == str(root / ".venv")
    (root / "svc" / "imported-by.txt").unlink()
    # The warm worker runs the same interpreter.
    proc = _cli("watch", "--once", cwd=root)
    assert proc.returncode == 0, proc.stderr
    assert "get_pet" in (root / "web" / "types.ts").read_text()
    assert (root / "svc" / "imported-by.txt").read_text() == str(root / ".venv")


def test_configured_python_and_a_missing_one(other_venv: Path, tmp_path: Path) -> None:
    root = _project(tmp_path)
    (root / "pyproject.toml").write_text(f'[tool.contractsync]\napp = "svc.main:app"\npython = "{other_venv}"\n')
    proc = _cli("export", "-o", "-", cwd=root)
    assert proc.returncode == 0, proc.stderr
    assert (root / "svc" / "imported-by.txt").read_text() == str(other_venv.parent.parent)
    proc = _cli("export", "-o", "-", "--python", "nowhere/bin/python", cwd=root)
    assert proc.returncode == 2
    assert "no Python interpreter at 'nowhere/bin/python'" in proc.stderr
    assert "Traceback" not in proc.stderr


def _fake_venv(path: Path) -> Path:
    python = path / "bin" / "python"
    python.parent.mkdir(parents=True)
    python.write_text("#!/bin/sh\n")
    python.chmod(0o755)
    return python


@pytest.mark.skipif(os.name == "nt", reason="POSIX virtualenv layout")
def test_interpreter_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("VIRTUAL_ENV", raising=False)
    root = tmp_path / "repo"
    app_dir = root / "backend" / "src"
    app_dir.mkdir(parents=True)
    assert project_python(root=root, app_dir=app_dir) == sys.executable
    top = _fake_venv(root / "venv")
    assert project_python(root=root, app_dir=app_dir) == str(top)
    near = _fake_venv(root / "backend" / ".venv")
    assert project_python(root=root, app_dir=app_dir) == str(near)
    active = _fake_venv(tmp_path / "active")
    monkeypatch.setenv("VIRTUAL_ENV", str(tmp_path / "active"))
    assert project_python(root=root, app_dir=app_dir) == str(active)
    assert project_python(configured="venv", root=root, app_dir=app_dir) == str(top)
    assert project_python(str(near), configured="venv", root=root, app_dir=app_dir) == str(near)
    with pytest.raises(InputError, match="no Python interpreter at 'missing'"):
        project_python(configured="missing", root=root, app_dir=app_dir)
    # A venv above the project root is not the project's.
    monkeypatch.delenv("VIRTUAL_ENV")
    _fake_venv(tmp_path / ".venv")
    assert project_python(root=root / "backend" / "src", app_dir=app_dir) == sys.executable


OTHER_PYTHONS = [p for p in os.environ.get("CONTRACTSYNC_TEST_PYTHONS", "").split(os.pathsep) if p]


@pytest.mark.skipif(not OTHER_PYTHONS, reason="set CONTRACTSYNC_TEST_PYTHONS to interpreters (3.9-3.14) "
                    "with FastAPI installed to export with each")
@pytest.mark.parametrize("python", OTHER_PYTHONS)
def test_other_python_versions(python: str, tmp_path: Path) -> None:
    root = _project(tmp_path)
    proc = _cli("export", "--app", "svc.main:app", "-o", "-", "--python", python, cwd=root)
    assert proc.returncode == 0, proc.stderr
    assert '"/pets/{pet_id}"' in proc.stdout
    (root / "web").mkdir()
    proc = _cli("watch", "--app", "svc.main:app", "--types", "web/types.ts", "--once", "--python", python, cwd=root)
    assert proc.returncode == 0, proc.stderr
