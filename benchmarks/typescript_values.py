"""Values prove types, for contractsync and openapi-typescript 7.13 side by side.

Sends every call of the values harness (``tests/typescript/apps/values.py``) to the pydantic v2
feature app (``tests/typescript/apps/zoo_app.py``), writes one TypeScript line per real value and
asks the pinned ``tsc --strict`` (tests/ts) about the same probe file against each generator's
output of the same OpenAPI document. Prints a Markdown table: how many real responses and
accepted requests each set of types accepts, how many 422-rejected requests it rejects (a
rejection is *undecided* when the valid value it mutates is rejected too), and the documented limits; ``--show`` lists every probe a generator gets wrong.

Needs ``npm ci --prefix tests/ts`` and ``npm ci --prefix benchmarks/peers/openapi-typescript``::

    .venv/bin/python benchmarks/typescript_values.py [--show]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import platform
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from contractsync.typescript import to_typescript  # noqa: E402
from tests.typescript._tsc import TSC  # noqa: E402
from tests.typescript.apps import values  # noqa: E402

PEER = REPO / "benchmarks" / "peers" / "openapi-typescript" / "node_modules" / ".bin" / "openapi-typescript"

#: (row label, probe kind, outcome counted, second outcome shown after a slash or None)
ROWS = [
    ("real responses: accepted", "response", "accepted", None),
    ("requests the app accepted (2xx): accepted", "request-valid", "accepted", None),
    ("requests the app rejected (422), TS can express why: rejected / undecided", "request-invalid", "rejected",
     "undecided"),
    ("422 for a reason TS cannot express (ge=, pattern, uuid, callable discriminator): compiles", "request-limit", "compiles", None),
    ("responses the schema does not describe (exclude_unset, by_alias=False, x: int = None): rejected", "response-limit", "rejected", None),
]


def _totals(probes: list[values.Probe]) -> dict[str, int]:
    out: dict[str, int] = {}
    for probe in probes:
        out[probe.kind] = out.get(probe.kind, 0) + 1
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--show", action="store_true", help="list every probe a generator gets wrong")
    args = parser.parse_args(argv)
    for needed, how in ((PEER, "npm ci --prefix benchmarks/peers/openapi-typescript"), (TSC, "npm ci --prefix tests/ts")):
        if not needed.exists():
            print(f"{needed} missing: run `{how}`", file=sys.stderr)
            return 2
    doc, probes = values.run_calls()
    with tempfile.TemporaryDirectory(prefix="contractsync-values-") as tmp:
        work = Path(tmp)
        spec = work / "openapi.json"
        spec.write_text(json.dumps(doc), encoding="utf-8")
        ours = values.check(to_typescript(json.loads(spec.read_text()), warn=lambda w: None), probes, work / "ours")
        peer = subprocess.run([str(PEER), str(spec), "-o", str(work / "theirs.ts")],
                              capture_output=True, text=True, check=False)
        if peer.returncode:
            print("openapi-typescript failed: " + (peer.stderr or peer.stdout)[:500], file=sys.stderr)
            return 1
        theirs = values.check((work / "theirs.ts").read_text(encoding="utf-8"), probes, work / "theirs")
    totals = _totals(probes)
    print(f"{len(values.CALLS)} calls, {len(probes)} values; {dt.date.today()}, {platform.machine()} "
          f"{platform.system()}, Python {platform.python_version()}")
    print()
    print("| values | of | contractsync | openapi-typescript 7.13 |")
    print("|---|---|---|---|")
    for label, kind, outcome, also in ROWS:
        cells = [f"{v.count(kind, outcome)}" + (f" / {v.count(kind, also)}" if also else "") for v in (ours, theirs)]
        print(f"| {label} | {totals.get(kind, 0)} | {cells[0]} | {cells[1]} |")
    print(f"| tsc errors in the generated file itself | — | {len(ours.other_errors)} | {len(theirs.other_errors)} |")
    for name, verdict in (("contractsync", ours), ("openapi-typescript", theirs)):
        if verdict.other_errors:
            print(f"\n{name}: errors outside the probe lines:", *verdict.other_errors[:10], sep="\n  ")
        if args.show:
            print(f"\n{name}: {len(verdict.wrong())} wrong")
            for line in verdict.wrong():
                print("  " + line)
    return 1 if ours.wrong() else 0


if __name__ == "__main__":
    raise SystemExit(main())
