"""TypeScript types (#5): contractsync against openapi-typescript on the same file, same run.

* Generation for GitHub's REST description (13 MB JSON, 1,200+ operations) with the document
  loaded, including the content hash for the header (a fresh ``Document`` per run, so the cached
  hash is not reused). Target ≤ 1.0 s median, ≤ 300 MB peak.
* The same from the CLI as a user runs it (interpreter start, load, generate, write).
* openapi-typescript 7.13.0 on the same file (it needs TypeScript 5; pinned in
  ``benchmarks/peers/openapi-typescript``, install with
  ``npm ci --prefix benchmarks/peers/openapi-typescript``).
* The example app's types with the document loaded. Target ≤ 50 ms.

Run with ``python benchmarks/run.py -k typescript``.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path
from typing import Any

from harness import BENCH_DIR, CORPUS, REPO, Case

GITHUB = CORPUS / "large" / "github-octokit-23.0.2.json"
EXAMPLE_APP_DIR = REPO / "examples" / "bookshop" / "v1"
PEER = BENCH_DIR / "peers" / "openapi-typescript" / "node_modules" / ".bin" / "openapi-typescript"
OUT_DIR = Path(tempfile.gettempdir()) / "contractsync-bench-typescript"

_loaded: dict[str, Any] = {}


def _load_github() -> None:
    from contractsync.spec import load_spec

    _loaded["github"] = load_spec(str(GITHUB))


def _load_example() -> None:
    from contractsync.spec import load_spec
    from contractsync.spec.source import AppSource

    _loaded["example"] = load_spec(AppSource("bookshop.main:app", app_dir=EXAMPLE_APP_DIR))


def _generate(key: str) -> None:
    from contractsync.spec.document import Document
    from contractsync.typescript import to_typescript

    loaded = _loaded[key]
    to_typescript(Document(data=loaded.data, source=loaded.source), warn=lambda w: None)


def _generate_github() -> None:
    _generate("github")


def _generate_example() -> None:
    _generate("example")


def cases() -> list[Case]:
    missing = None if GITHUB.exists() else f"{GITHUB} not present"
    OUT_DIR.mkdir(exist_ok=True)
    return [
        Case("GitHub 13 MB JSON → types.ts (in-process, document loaded)", func=_generate_github,
             setup=_load_github, repeat=7, target_s=1.0, target_mb=300, skip=missing,
             note="includes the sha256 of the canonical JSON for the header"),
        Case("GitHub 13 MB JSON → types.ts, CLI (whole process)",
             argv=[sys.executable, "-m", "contractsync", "generate", "typescript", str(GITHUB),
                   "-o", str(OUT_DIR / "ours.ts")],
             cwd=REPO, repeat=7, skip=missing, note="interpreter start + load + generate + write"),
        Case("openapi-typescript 7.13.0: GitHub 13 MB JSON → types.ts (Node 20)",
             argv=[str(PEER), str(GITHUB), "-o", str(OUT_DIR / "theirs.ts")],
             cwd=REPO, repeat=7,
             skip=missing or (None if PEER.exists() else "npm ci --prefix benchmarks/peers/openapi-typescript"),
             note="the peer, same file, same run"),
        Case("example app → types.ts (in-process, document loaded)", func=_generate_example,
             setup=_load_example, repeat=20, target_s=0.05,
             skip=None if (EXAMPLE_APP_DIR / "bookshop" / "main.py").exists() else "example app missing"),
    ]
