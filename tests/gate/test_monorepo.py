"""A monorepo (#12): ``backend/`` holds the app and its contracts, ``frontend/`` the web app, and
every command runs from ``backend/``. REV:path means what the user meant, reports name files from
the repository root, and the GitHub action works with ``working-directory: backend``."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from ._repo import NOW, PYPROJECT, V1_DATE, app_text, git

REPO_ROOT = Path(__file__).resolve().parents[2]


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH")]))
    env["NO_COLOR"] = "1"
    return env


def run(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "contractsync", *args], cwd=cwd, capture_output=True,
                          text=True, env=_env(), check=False, timeout=120)


@pytest.fixture(scope="module")
def mono(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """main: backend/ with contract v1 accepted; branch feature removes Book.isbn (breaking)."""
    root = tmp_path_factory.mktemp("mono") / "repo"
    backend = root / "backend"
    (backend / "shop").mkdir(parents=True)
    (backend / "shop" / "__init__.py").write_text("")
    (backend / "shop" / "main.py").write_text(app_text())
    (backend / "pyproject.toml").write_text(PYPROJECT)
    (root / "frontend" / "src").mkdir(parents=True)
    (root / "frontend" / "package.json").write_text("{}\n")
    proc = run(backend, "accept", "--now", V1_DATE)
    assert proc.returncode == 0, proc.stderr
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "v1")
    git(root, "update-ref", "refs/remotes/origin/main", "main")
    git(root, "checkout", "-q", "-b", "feature")
    (backend / "shop" / "main.py").write_text(app_text(isbn=False))
    return root


def test_rev_path_relative_to_the_root_falls_back_to_the_current_folder(mono: Path) -> None:
    backend = mono / "backend"
    proc = run(backend, "diff", "main:contracts/openapi.json", "--format", "github")
    assert proc.returncode == 1, proc.stderr
    assert "reading main:backend/contracts/openapi.json (relative to the current folder" in proc.stderr
    assert "::error file=backend/contracts/openapi.json,line=" in proc.stdout
    # The root-relative spelling, as git reads it, needs no note.
    proc = run(backend, "diff", "main:backend/contracts/openapi.json", "--format", "github")
    assert proc.returncode == 1 and "note:" not in proc.stderr
    assert "::error file=backend/contracts/openapi.json,line=" in proc.stdout


def test_dot_slash_is_always_the_current_folder(mono: Path) -> None:
    backend = mono / "backend"
    proc = run(backend, "diff", "main:./contracts/openapi.json", "--format", "json")
    assert proc.returncode == 1, proc.stderr
    assert "note:" not in proc.stderr
    report = json.loads(proc.stdout)
    assert report["base"] == "main:backend/contracts/openapi.json"
    # ./ from the root does not look below the current folder.
    # (A base missing at the revision is "no base contract" (#11), said in the headline, not a
    # silent fallback to backend/contracts/openapi.json.)
    proc = run(mono, "diff", "main:./contracts/openapi.json", "main:backend/contracts/openapi.json")
    assert proc.returncode == 0, proc.stderr
    assert "note:" not in proc.stderr
    assert "no base contract to compare with" in proc.stdout
    assert "no file 'contracts/openapi.json' at git revision 'main'" in proc.stdout


@pytest.mark.parametrize("base", ["main:contracts/openapi.json", "main:./contracts/openapi.json", None])
def test_check_from_backend(mono: Path, base: str | None) -> None:
    args = ["check", "--now", NOW, "--format", "github"] + (["--base", base] if base else [])
    proc = run(mono / "backend", *args)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "::error file=backend/contracts/openapi.json,line=" in proc.stdout
    assert "file=contracts/" not in proc.stdout


def test_local_files_are_named_from_the_repository_root_in_every_format(mono: Path) -> None:
    backend = mono / "backend"
    old = backend / "old.json"
    old.write_bytes(subprocess.run(["git", "show", "main:backend/contracts/openapi.json"], cwd=mono,
                                   capture_output=True, check=True).stdout)
    try:
        for fmt, expected in [("github", "file=backend/old.json"),
                              ("sarif", '"uri": "backend/old.json"'),
                              ("json", '"base": "backend/old.json"'),
                              ("junit", "backend/old.json"),
                              ("markdown", "backend/old.json"),
                              ("text", "backend/old.json")]:
            # Spelled with a detour from another folder: still one normalised repository path.
            proc = run(mono / "frontend", "diff", "../backend/../backend/old.json", "--app", "shop.main:app",
                       "--app-dir", "../backend", "--format", fmt)
            assert proc.returncode == 1, (fmt, proc.stderr)
            assert expected in proc.stdout, (fmt, proc.stdout[:2000])
            assert "../" not in proc.stdout, fmt
    finally:
        old.unlink()


def test_action_with_working_directory_backend(mono: Path, tmp_path: Path) -> None:
    action = yaml.safe_load((REPO_ROOT / "action.yml").read_text())
    assert "working-directory" in action["inputs"]
    step = next(s for s in action["runs"]["steps"] if s.get("id") == "check")
    assert step["working-directory"] == "${{ inputs.working-directory }}"
    summary, output = tmp_path / "summary.md", tmp_path / "output.txt"
    env = {**_env(), "GITHUB_STEP_SUMMARY": str(summary), "GITHUB_OUTPUT": str(output),
           "INPUT_BASE": "", "INPUT_CONTRACT": action["inputs"]["contract"]["default"],
           "INPUT_NOW": NOW, "INPUT_ARGS": "", "BASE_REF": "main"}
    wrapper = tmp_path / "bin"
    wrapper.mkdir()
    (wrapper / "contractsync").write_text(f'#!/bin/sh\nexec "{sys.executable}" -m contractsync "$@"\n')
    (wrapper / "contractsync").chmod(0o755)
    env["PATH"] = f"{wrapper}{os.pathsep}{env['PATH']}"
    # The runner runs the step in working-directory: backend.
    proc = subprocess.run(["bash", "-e", "-c", step["run"]], cwd=mono / "backend", env=env, capture_output=True,
                          text=True, timeout=120, check=False)
    assert proc.returncode == 1, proc.stderr
    annotations = [line for line in proc.stdout.splitlines() if line.startswith("::error")]
    assert annotations
    assert all(line.startswith("::error file=backend/contracts/openapi.json,") for line in annotations), annotations
    assert "note:" not in proc.stderr  # the action says ./ itself
    assert output.read_text() == "result=blocked\n"
