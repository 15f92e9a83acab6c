"""A longer soak of the diff engine's properties (tests/diff/test_properties.py).

CI runs the hypothesis properties with a bounded number of examples over the smaller corpus
documents; this runs them with many more (``--examples``, default 3000) over every corpus
document below 5 MB, and prints how long it took. A failure prints hypothesis' minimal example.

Usage: ``python benchmarks/soak_diff.py [--examples N]``
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=3000)
    args = parser.parse_args(argv)
    env = {**os.environ, "CONTRACTSYNC_HYPOTHESIS_PROFILE": "soak",
           "CONTRACTSYNC_SOAK_EXAMPLES": str(args.examples)}
    start = time.perf_counter()
    code = subprocess.call([sys.executable, "-m", "pytest", "-q", "-p", "no:xdist",
                            "-p", "no:cacheprovider", "tests/diff/test_properties.py"],
                           cwd=ROOT, env=env)
    print(f"soak: {args.examples} examples, {time.perf_counter() - start:.0f} s, "
          f"{'ok' if code == 0 else 'FAILED'}")
    return code


if __name__ == "__main__":
    raise SystemExit(main())
