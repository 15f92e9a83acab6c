"""Running the pinned TypeScript compiler (tests/ts) on generated files.

CI installs the compiler with ``npm ci --prefix tests/ts``; there a missing compiler is a failure.
On a developer machine without it the compile tests skip, saying how to install it.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
TS_DIR = REPO / "tests" / "ts"
NODE_MODULES = TS_DIR / "node_modules"
TSC = NODE_MODULES / ".bin" / "tsc"

COMPILER_OPTIONS: dict[str, object] = {
    "strict": True,
    "noEmit": True,
    "target": "es2022",
    "module": "esnext",
    "moduleResolution": "bundler",
    "lib": ["es2022", "dom"],
    "types": [],
    "skipLibCheck": False,
    "noUnusedLocals": False,
}


def require_tsc() -> Path:
    """The compiler, or skip (locally) / fail (in CI, where it is always installed)."""
    if TSC.exists():
        return TSC
    message = (
        f"{TSC} is missing: run `npm ci --prefix tests/ts` to install the pinned TypeScript "
        "compiler and openapi-fetch"
    )
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


def run_tsc(workdir: Path, files: list[Path], *, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """Type-check ``files`` in one ``tsc -p`` run (``--strict``, no emit); ``openapi-fetch``
    resolves to the pinned copy in tests/ts."""
    tsc = require_tsc()
    config = {
        "compilerOptions": {
            **COMPILER_OPTIONS,
            "paths": {"openapi-fetch": [str(NODE_MODULES / "openapi-fetch")]},
        },
        "files": [str(f) for f in files],
    }
    project = workdir / "tsconfig.json"
    project.write_text(json.dumps(config, indent=2), encoding="utf-8")
    return subprocess.run(
        [str(tsc), "-p", str(project), "--pretty", "false"],
        cwd=workdir,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def assert_compiles(workdir: Path, files: list[Path]) -> None:
    """Fail with the compiler's own messages unless ``files`` type-check."""
    result = run_tsc(workdir, files)
    output = (result.stdout + result.stderr).strip()
    assert result.returncode == 0, f"tsc --strict failed:\n{output[:20000]}"
