"""A tiny benchmark harness: every case runs in a fresh process, so peak memory is honest.

A benchmark module ``benchmarks/bench_*.py`` exposes ``cases() -> list[Case]``. A case is either a
command (``argv``: timed as a whole process, as a user would run it) or a function (``func``: a
zero-argument callable timed in-process, after an untimed warm-up, inside a fresh child process
whose peak RSS is reported). ``python benchmarks/run.py`` runs them all and prints one table.
"""

from __future__ import annotations

import importlib
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
REPO = BENCH_DIR.parent
SHARED = REPO.parent / "shared"
CORPUS = SHARED / "corpus"


@dataclass
class Case:
    """One row of the benchmark table."""

    name: str
    argv: list[str] | None = None
    func: Callable[[], object] | None = None
    #: Optional untimed set-up run before timing (for ``func`` cases, inside the child process).
    setup: Callable[[], object] | None = None
    repeat: int = 5
    target_s: float | None = None
    target_mb: float | None = None
    note: str = ""
    #: Why the case cannot run here (missing corpus, peer not installed); the row says so.
    skip: str | None = None
    cwd: Path | None = None
    env: dict[str, str] = field(default_factory=dict)
    #: Exit codes that count as success for argv cases (diff exits 1 when it finds breaking changes).
    ok_codes: tuple[int, ...] = (0,)


@dataclass
class Result:
    case: Case
    times: list[float] = field(default_factory=list)
    peak_mb: float | None = None
    error: str | None = None

    @property
    def median(self) -> float | None:
        return statistics.median(self.times) if self.times else None


def run_argv(case: Case) -> Result:
    """Time a command ``repeat`` times; peak RSS of the slowest-memory run via ``wait4``."""
    assert case.argv is not None
    result = Result(case)
    env = {**os.environ, **case.env}
    peak_kb = 0
    for _ in range(case.repeat):
        start = time.perf_counter()
        proc = subprocess.Popen(case.argv, cwd=case.cwd, env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        _, status, usage = os.wait4(proc.pid, 0)
        elapsed = time.perf_counter() - start
        code = os.waitstatus_to_exitcode(status)
        err = proc.stderr.read().decode("utf-8", "replace") if proc.stderr else ""
        if proc.stderr:
            proc.stderr.close()
        if code not in case.ok_codes:
            result.error = f"exit {code}: {err.strip().splitlines()[-1] if err.strip() else ''}"
            return result
        result.times.append(elapsed)
        peak_kb = max(peak_kb, usage.ru_maxrss)
    result.peak_mb = peak_kb / 1024
    return result


def run_func(module: str, case: Case) -> Result:
    """Run a ``func`` case in a fresh interpreter (``--inner``) and collect its report."""
    result = Result(case)
    proc = subprocess.run(
        [sys.executable, str(BENCH_DIR / "harness.py"), "--inner", module, case.name],
        capture_output=True, text=True, cwd=REPO, env={**os.environ, **case.env},
    )
    if proc.returncode != 0:
        tail = proc.stderr.strip().splitlines()[-1:] or ["no output"]
        result.error = tail[0]
        return result
    report = json.loads(proc.stdout.strip().splitlines()[-1])
    result.times = report["times"]
    result.peak_mb = report["peak_mb"]
    return result


def _inner(module: str, name: str) -> None:
    sys.path.insert(0, str(BENCH_DIR))
    mod = importlib.import_module(module)
    case = next(c for c in mod.cases() if c.name == name)
    assert case.func is not None
    if case.setup is not None:
        case.setup()
    case.func()  # warm-up: imports and caches are not what is measured
    times = []
    for _ in range(case.repeat):
        start = time.perf_counter()
        case.func()
        times.append(time.perf_counter() - start)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"times": times, "peak_mb": peak_mb}))


if __name__ == "__main__" and len(sys.argv) == 4 and sys.argv[1] == "--inner":
    _inner(sys.argv[2], sys.argv[3])
