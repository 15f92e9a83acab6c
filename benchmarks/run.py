"""Run every benchmark and print one table: ``python benchmarks/run.py [-k SUBSTRING]``.

Each ``benchmarks/bench_*.py`` module contributes rows through ``cases()``. Figures are recorded,
with the date and the machine, in docs/benchmarks.md; tests never assert timings.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
import os
import platform
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import BENCH_DIR, Result, run_argv, run_func


def machine() -> str:
    """CPU model, core count and Python version, as recorded in docs/benchmarks.md."""
    model = platform.processor() or platform.machine()
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True, check=False).stdout
        for line in out.splitlines():
            if line.startswith("Model name:"):
                model = line.split(":", 1)[1].strip()
    except OSError:
        pass
    return f"{model}, {os.cpu_count()} cores, Python {platform.python_version()}"


def _fmt(value: float | None, unit: str) -> str:
    if value is None:
        return "-"
    return f"{value:.3f} {unit}" if unit == "s" else f"{value:.0f} {unit}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("-k", default="", help="only cases whose module or name contains this")
    args = parser.parse_args()
    rows: list[tuple[str, Result]] = []
    print(f"# contractsync benchmarks, {dt.date.today().isoformat()}, {machine()}", flush=True)
    for path in sorted(BENCH_DIR.glob("bench_*.py")):
        module = importlib.import_module(path.stem)
        for case in module.cases():
            label = f"{path.stem[6:]}: {case.name}"
            if args.k and args.k not in label:
                continue
            if case.skip:
                result = Result(case, error=f"skipped: {case.skip}")
            elif case.argv is not None:
                result = run_argv(case)
            else:
                result = run_func(path.stem, case)
            rows.append((label, result))
            print(f"  ran {label}", file=sys.stderr, flush=True)
    header = ("case", "median", "peak RSS", "target", "verdict", "note")
    table = [header]
    for label, r in rows:
        c = r.case
        target = " / ".join(t for t in (
            f"≤ {c.target_s:g} s" if c.target_s else "", f"≤ {c.target_mb:g} MB" if c.target_mb else "") if t)
        if r.error:
            verdict = r.error
        elif (c.target_s and r.median is not None and r.median > c.target_s) or (
                c.target_mb and r.peak_mb is not None and r.peak_mb > c.target_mb):
            verdict = "MISSED"
        else:
            verdict = "ok" if (c.target_s or c.target_mb) else ""
        table.append((label, _fmt(r.median, "s"), _fmt(r.peak_mb, "MB"), target or "-", verdict, c.note))
    widths = [max(len(row[i]) for row in table) for i in range(len(header))]
    for i, row in enumerate(table):
        print("| " + " | ".join(cell.ljust(widths[j]) for j, cell in enumerate(row)) + " |")
        if i == 0:
            print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return 0


if __name__ == "__main__":
    sys.exit(main())
