"""Entry point of the export child process: ``python -m contractsync.spec._child TARGET DIR OUT``.

Writes the result of :func:`contractsync.spec.export.run_export` to ``OUT`` as JSON.
"""

from __future__ import annotations

import sys
from pathlib import Path

import orjson


def main(argv: list[str]) -> int:
    target, app_dir, out = argv
    from contractsync.spec.export import run_export

    result = run_export(target, app_dir)
    try:
        data = orjson.dumps(result, option=orjson.OPT_NON_STR_KEYS)
    except TypeError as exc:
        data = orjson.dumps({"ok": False, "error": f"openapi() returned data that is not JSON: {exc}"})
    Path(out).write_bytes(data)
    return 0 if result.get("ok") else 3


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
