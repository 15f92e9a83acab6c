"""The registry's diff endpoint (#9): ``python benchmarks/registry_diff.py [--tree DIR]``.

``GET /v1/contracts/{c}/diff?from=&to=`` between GitHub's two descriptions (octokit 22.0.0 →
23.0.2, 12 MB and 13 MB), against a registry on SQLite served by uvicorn in a child process
(one worker, ``--anonymous-read``, stopped by its PID):

* after a restart (no contract parsed in memory), the first request of a pair, then the same request again (median of 5), and a conditional
  request with the answer's ETag;
* 8 identical requests at once on a pair never asked before (the reverse pair): wall time until
  all have answered, and the slowest;
* the server's resident memory at the end.

``--tree DIR`` serves the registry from another source tree (e.g. ``git archive main`` unpacked),
to measure before/after with the same script. Prints one table; figures go to docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from registry_load import REPO, Child

OLD = REPO.parent / "shared" / "corpus" / "large" / "github-octokit-22.0.0.json"
NEW = REPO.parent / "shared" / "corpus" / "large" / "github-octokit-23.0.2.json"


def timed_get(url: str, headers: dict[str, str] | None = None) -> tuple[float, httpx.Response]:
    start = time.perf_counter()
    r = httpx.get(url, headers=headers, timeout=600)
    return time.perf_counter() - start, r


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tree", type=Path, help="serve the registry from this source tree (PYTHONPATH)")
    args = parser.parse_args()
    if not (OLD.exists() and NEW.exists()):
        print(f"skipped: {OLD.parent} does not hold GitHub's two descriptions")
        return 0
    env = dict(os.environ)
    if args.tree is not None:
        env["PYTHONPATH"] = str(args.tree.resolve())
    rows: list[tuple[str, str, str]] = []
    with tempfile.TemporaryDirectory() as tmp:
        tmpdir = Path(tmp)
        # Validation verdicts are cached by content: keep $CONTRACTSYNC_CACHE_DIR between runs to
        # skip re-validating the two descriptions at publish (publish is not what this measures).
        env.setdefault("CONTRACTSYNC_CACHE_DIR", str(tmpdir / "cache"))
        data = tmpdir / "data"
        code = ("import sys; from contractsync.registry.auth import create_token; "
                "from contractsync.registry.store import open_store; s = open_store(data_dir=sys.argv[1]); "
                "print(create_token(s, 'bench', ['publish'])[0]); s.close()")
        import subprocess

        tok = subprocess.run([sys.executable, "-c", code, str(data)], env=env, capture_output=True, text=True,
                             check=True).stdout.strip()
        serve = [sys.executable, "-c", "from contractsync.cli import entrypoint; entrypoint()", "serve",
                 "--host", "127.0.0.1", "--port", "0", "--no-access-log", "--data", str(data), "--anonymous-read"]
        os.environ.update(env)  # the child inherits the tree and the cache
        reg = Child(serve, tmpdir / "registry.log")
        try:
            with httpx.Client(base_url=reg.url, headers={"Authorization": f"Bearer {tok}"}, timeout=900) as c:
                for spec in (OLD, NEW):
                    r = c.post("/v1/contracts/github/versions?label=pr-bench",
                               content=b'{"openapi": ' + spec.read_bytes() + b"}")
                    assert r.status_code in (200, 201), r.text[:500]
            # Diffs are asked for later, by other processes: restart, so no parsed contract is
            # left in memory from the publish.
            reg.stop()
            reg = Child(serve, tmpdir / "registry-2.log")
            url = reg.url + "/v1/contracts/github/diff?from=1&to=2"
            first, r = timed_get(url)
            assert r.status_code == 200, r.text[:500]
            rows.append(("first request of a pair (1 → 2)", f"{first:.2f} s", f"{len(r.content) / 1e3:.0f} kB JSON"))
            again = [timed_get(url)[0] for _ in range(5)]
            rows.append(("the same request again", f"{statistics.median(again) * 1000:.0f} ms",
                         f"median of 5 ({min(again) * 1000:.0f}–{max(again) * 1000:.0f} ms)"))
            etag = r.headers.get("etag")
            if etag:
                t, nm = timed_get(url, {"If-None-Match": etag})
                rows.append(("conditional request with the ETag", f"{t * 1000:.0f} ms", f"status {nm.status_code}"))
            reverse = reg.url + "/v1/contracts/github/diff?from=2&to=1"
            start = time.perf_counter()
            with concurrent.futures.ThreadPoolExecutor(8) as pool:
                answers = list(pool.map(lambda _: timed_get(reverse), range(8)))
            wall = time.perf_counter() - start
            statuses = sorted({a[1].status_code for a in answers})
            rows.append(("8 identical requests at once, new pair (2 → 1)", f"{wall:.2f} s",
                         f"slowest {max(a[0] for a in answers):.2f} s; statuses {statuses}; "
                         f"{len({a[1].content for a in answers})} distinct body"))
            rows.append(("server RSS at the end", f"{reg.rss_mb():.0f} MB", "VmRSS"))
        finally:
            reg.stop()
    width = max(len(r[0]) for r in rows)
    print(f"{'case'.ljust(width)} | measured | note")
    for name, value, note in rows:
        print(f"{name.ljust(width)} | {value} | {note}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
