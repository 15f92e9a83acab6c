"""Foundation (#2): loading the largest real spec, and exporting the example app cold."""

from __future__ import annotations

import sys

from harness import CORPUS, REPO, Case

GITHUB = CORPUS / "large" / "github-octokit-23.0.2.json"


def _load_github() -> None:
    from contractsync.spec import load_spec

    load_spec(str(GITHUB))


def cases() -> list[Case]:
    missing = None if GITHUB.exists() else f"{GITHUB} not present"
    return [
        Case("load GitHub 13 MB JSON + structural check (in-process)", func=_load_github, repeat=7,
             target_s=0.3, skip=missing),
        Case("export example app, child process, cold CLI",
             argv=[sys.executable, "-m", "contractsync", "export", "--no-validate",
                   "--app", "bookshop.main:app", "--app-dir", "examples/bookshop/v1", "-o", "-"],
             cwd=REPO, repeat=5, target_s=1.5,
             note="whole CLI run: interpreter start + child import of FastAPI and the app"),
        Case("validate GitHub 13 MB JSON, full (uncached)",
             argv=[sys.executable, "-m", "contractsync", "validate", "--no-cache", str(GITHUB)],
             cwd=REPO, repeat=1, ok_codes=(0, 1), skip=missing,
             note="why other commands skip full validation"),
    ]
