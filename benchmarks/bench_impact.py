"""Frontend impact analysis (#10) on the example Vue frontend, against one plain type-check.

* ``vue-tsc --noEmit`` in examples/bookshop/frontend: what the frontend's own check costs.
* ``contractsync impact --frontend examples/bookshop/frontend --app-dir examples/bookshop/v2``
  with the baseline computed (``--no-cache``): export of the v2 app, types for both contracts, a
  copy of the frontend, the baseline type-check (writing incremental build info) and the check
  with the new types (reading it).
* The same with the baseline's result cached (keyed by the digest of the frontend's files, the
  BASE types and the command): only the check with the new types runs.

Target: the impact run costs at most 2x one plain type-check. Needs ``make frontend`` (npm ci in
the example). Run with ``python benchmarks/run.py -k impact``.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from harness import REPO, Case

FRONTEND = REPO / "examples" / "bookshop" / "frontend"
VUE_TSC = FRONTEND / "node_modules" / ".bin" / "vue-tsc"
CACHE = Path(tempfile.gettempdir()) / "contractsync-bench-impact-cache"


def cases() -> list[Case]:
    skip = None if VUE_TSC.exists() else "examples/bookshop/frontend/node_modules missing (make frontend)"
    impact = [sys.executable, "-m", "contractsync", "impact", "--frontend", "examples/bookshop/frontend",
              "--app-dir", "examples/bookshop/v2"]
    env = {"CONTRACTSYNC_CACHE_DIR": str(CACHE)}
    return [
        Case("example: plain vue-tsc --noEmit", argv=[str(VUE_TSC), "--noEmit"], cwd=FRONTEND,
             repeat=3, skip=skip),
        Case("example: impact v1 -> v2, baseline type-checked", argv=[*impact, "--no-cache"], cwd=REPO,
             repeat=3, skip=skip, env=env, ok_codes=(1,),
             note="target <= 2x the plain type-check"),
        Case("example: impact v1 -> v2, baseline cached", argv=impact, cwd=REPO, repeat=3, skip=skip,
             env=env, ok_codes=(1,), note="first run fills the cache"),
    ]
