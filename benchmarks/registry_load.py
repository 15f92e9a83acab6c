"""The registry under load (#9 §3): ``python benchmarks/registry_load.py [-n 10000] [-c 50]``.

Everything on loopback, each server a uvicorn child process started the same way (one worker, no
access log), stopped by its PID:

* ``hello``: a bare FastAPI endpoint (benchmarks/hello_app.py), the baseline;
* the registry on SQLite: ``GET /v1/contracts/{c}/labels/main`` with ``If-None-Match`` (a poll
  that finds nothing new: 304), with a bearer token and with ``--anonymous-read``;
* GitHub's 13 MB description published, then its stored ``types.ts`` downloaded (time to first
  byte and total, median of 5);
* the server's resident memory (VmRSS) after the load.

The load generator is a minimal keep-alive HTTP/1.1 loop over asyncio streams, one per
connection.

Prints one table; figures are recorded in docs/benchmarks.md. Every non-304 answer counts as an error.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import orjson

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
GITHUB = REPO.parent / "shared" / "corpus" / "large" / "github-octokit-23.0.2.json"
BOOKSHOP = REPO / "contracts" / "openapi.json"


class Child:
    def __init__(self, argv: list[str], log: Path, cwd: Path | None = None) -> None:
        self.log = log
        with log.open("wb") as fh:
            self.proc = subprocess.Popen(argv, stdout=fh, stderr=subprocess.STDOUT, cwd=cwd, start_new_session=True)
        deadline = time.monotonic() + 60
        while True:
            match = re.search(r"Uvicorn running on (http://127\.0\.0\.1:\d+)", log.read_text(errors="replace"))
            if match:
                self.url = match.group(1)
                return
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise SystemExit(f"server did not start:\n{log.read_text(errors='replace')}")
            time.sleep(0.05)

    def rss_mb(self) -> float:
        text = Path(f"/proc/{self.proc.pid}/status").read_text()
        return int(re.search(r"VmRSS:\s+(\d+)", text).group(1)) / 1024  # type: ignore[union-attr]

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()


async def _connection(host: str, port: int, request: bytes, count: int, expect: int) -> int:
    """One keep-alive connection sending ``count`` requests one after another; returns errors.

    A minimal HTTP/1.1 client (status line, Content-Length body): httpx's own overhead would be
    measured instead of the server's on a 2-core machine."""
    errors = 0
    reader, writer = await asyncio.open_connection(host, port)
    try:
        for _ in range(count):
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            status = int(head[9:12])
            match = re.search(rb"(?i)\r\ncontent-length:\s*(\d+)", head)
            if match and int(match.group(1)):
                await reader.readexactly(int(match.group(1)))
            if status != expect:
                errors += 1
    finally:
        writer.close()
    return errors


async def _load(url: str, n: int, concurrency: int, headers: dict[str, str], expect: int) -> tuple[float, int]:
    parts = httpx.URL(url)
    lines = [f"GET {parts.raw_path.decode()} HTTP/1.1", f"Host: {parts.host}:{parts.port}",
             *(f"{k}: {v}" for k, v in headers.items())]
    request = ("\r\n".join(lines) + "\r\n\r\n").encode()
    per_worker = n // concurrency
    await _connection(parts.host, parts.port or 80, request, 10, expect)  # warm-up
    start = time.perf_counter()
    results = await asyncio.gather(*(_connection(parts.host, parts.port or 80, request, per_worker, expect)
                                     for _ in range(concurrency)))
    elapsed = time.perf_counter() - start
    return per_worker * concurrency / elapsed, sum(results)


def load(url: str, n: int, concurrency: int, headers: dict[str, str] | None = None, expect: int = 200) -> tuple[float, int]:
    return asyncio.run(_load(url, n, concurrency, headers or {}, expect))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("-n", type=int, default=10_000, help="requests per load row")
    parser.add_argument("-c", type=int, default=50, help="concurrent connections")
    parser.add_argument("--skip-github", action="store_true", help="leave out the 13 MB description")
    parser.add_argument("--database", default=os.environ.get("CONTRACTSYNC_TEST_DATABASE_URL"),
                        help="also poll a registry on this PostgreSQL database (in a fresh schema, dropped "
                        "afterwards; default: $CONTRACTSYNC_TEST_DATABASE_URL)")
    args = parser.parse_args()
    py = sys.executable
    serve = [py, "-c", "from contractsync.cli import entrypoint; entrypoint()", "serve", "--host", "127.0.0.1",
             "--port", "0", "--no-access-log"]
    rows: list[tuple[str, str, str]] = []
    with tempfile.TemporaryDirectory() as tmp:
        tmpdir = Path(tmp)
        # A fresh validation cache: a new document's publish pays full validation here.
        os.environ["CONTRACTSYNC_CACHE_DIR"] = str(tmpdir / "cache")
        data = tmpdir / "data"
        from contractsync.registry.auth import create_token
        from contractsync.registry.store import open_store

        store = open_store(data_dir=data)
        tok, _ = create_token(store, "bench", ["publish"])
        store.close()
        auth = {"Authorization": f"Bearer {tok}"}

        hello = Child([py, "-m", "uvicorn", "hello_app:app", "--host", "127.0.0.1", "--port", "0",
                       "--no-access-log"], tmpdir / "hello.log", cwd=BENCH)
        try:
            hello_rps, hello_err = load(hello.url + "/hello", args.n, args.c)
        finally:
            hello.stop()
        rows.append(("bare FastAPI hello (baseline)", f"{hello_rps:,.0f} req/s", f"{hello_err} errors"))

        reg = Child([*serve, "--data", str(data), "--anonymous-read"], tmpdir / "registry.log")
        try:
            with httpx.Client(base_url=reg.url, headers=auth, timeout=600) as c:
                doc = orjson.loads(BOOKSHOP.read_bytes())
                r = c.post("/v1/contracts/bookshop/versions", content=orjson.dumps({"openapi": doc}))
                assert r.status_code in (200, 201), r.text
                digest = r.json()["version"]["digest"]
            label = reg.url + "/v1/contracts/bookshop/labels/main"
            inm = {"If-None-Match": f'"{digest}"'}
            rps, err = load(label, args.n, args.c, {**auth, **inm}, expect=304)
            rows.append(("label poll, If-None-Match → 304, bearer token", f"{rps:,.0f} req/s",
                         f"{err} errors; {100 * rps / hello_rps:.0f} % of hello"))
            rps2, err2 = load(label, args.n, args.c, inm, expect=304)
            rows.append(("label poll, If-None-Match → 304, anonymous read", f"{rps2:,.0f} req/s",
                         f"{err2} errors; {100 * rps2 / hello_rps:.0f} % of hello"))
            rows.append((f"server RSS after {2 * args.n:,} requests", f"{reg.rss_mb():.0f} MB", "VmRSS"))
            if args.skip_github or not GITHUB.exists():
                rows.append(("GitHub 13 MB types", "-", "skipped: " + ("--skip-github" if args.skip_github
                                                                         else f"{GITHUB} not present")))
            else:
                with httpx.Client(base_url=reg.url, headers=auth, timeout=600) as c:
                    body = b'{"openapi": ' + GITHUB.read_bytes() + b"}"
                    start = time.perf_counter()
                    r = c.post("/v1/contracts/github/versions", content=body)
                    publish_s = time.perf_counter() - start
                    assert r.status_code in (200, 201), r.text[:500]
                    types_url = r.json()["version"]["links"]["types"]
                    rows.append(("publish GitHub's 13 MB description (validate, store, generate types + changelog)",
                                 f"{publish_s:.2f} s", "once per version"))
                    start = time.perf_counter()
                    again = c.post("/v1/contracts/github/versions", content=body)
                    assert again.status_code == 200, again.text[:500]
                    rows.append(("publish the same 13 MB again (idempotent: 200, nothing regenerated)",
                                 f"{time.perf_counter() - start:.2f} s", "CI re-runs after merge"))
                    ttfb: list[float] = []
                    total: list[float] = []
                    size = 0
                    for _ in range(5):
                        start = time.perf_counter()
                        with c.stream("GET", types_url) as resp:
                            first = None
                            size = 0
                            for chunk in resp.iter_bytes():
                                if first is None:
                                    first = time.perf_counter() - start
                                size += len(chunk)
                        total.append(time.perf_counter() - start)
                        ttfb.append(first or 0.0)
                rows.append((f"GET types.ts of GitHub ({size / 1e6:.1f} MB, stored artifact)",
                             f"TTFB {statistics.median(ttfb) * 1000:.0f} ms",
                             f"total {statistics.median(total) * 1000:.0f} ms (median of 5)"))
                rows.append(("server RSS at the end", f"{reg.rss_mb():.0f} MB", "VmRSS"))
        finally:
            reg.stop()
        if args.database:
            # The load on a shared machine changes within seconds: measure the baseline again
            # right before the PostgreSQL rows and compare with that.
            hello = Child([py, "-m", "uvicorn", "hello_app:app", "--host", "127.0.0.1", "--port", "0",
                           "--no-access-log"], tmpdir / "hello2.log", cwd=BENCH)
            try:
                hello2_rps, hello2_err = load(hello.url + "/hello", args.n, args.c)
            finally:
                hello.stop()
            rows.append(("bare FastAPI hello again, right before PostgreSQL", f"{hello2_rps:,.0f} req/s",
                         f"{hello2_err} errors"))
            rows.extend(_postgres_rows(args, serve, tmpdir, hello2_rps))
    width = max(len(r[0]) for r in rows)
    print(f"# registry load, {args.n:,} requests per row at concurrency {args.c}")
    for name, value, note in rows:
        print(f"{name:<{width}}  {value:>14}  {note}")
    return 0


def _postgres_rows(args: argparse.Namespace, serve: list[str], tmpdir: Path, hello_rps: float) -> list[tuple[str, str, str]]:
    """The label poll against a registry on PostgreSQL (the ASGI front: token + label in one query,
    answers kept in a LISTEN/NOTIFY-validated cache for at most 1 s)."""
    import uuid
    from urllib.parse import quote

    import psycopg

    from contractsync.registry.auth import create_token
    from contractsync.registry.store import open_store

    schema = f"cs_bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(args.database, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    url = f"{args.database}{'&' if '?' in args.database else '?'}options={quote(f'-csearch_path={schema}')}"
    try:
        store = open_store(database_url=url)
        tok, _ = create_token(store, "bench", ["publish"])
        store.close()
        auth = {"Authorization": f"Bearer {tok}"}
        reg = Child([*serve, "--database", url], tmpdir / "registry-pg.log")
        try:
            with httpx.Client(base_url=reg.url, headers=auth, timeout=600) as c:
                r = c.post("/v1/contracts/bookshop/versions", content=orjson.dumps({"openapi": orjson.loads(BOOKSHOP.read_bytes())}))
                digest = r.json()["version"]["digest"]
            rps, err = load(reg.url + "/v1/contracts/bookshop/labels/main", args.n, args.c,
                            {**auth, "If-None-Match": f'"{digest}"'}, expect=304)
            rss = reg.rss_mb()
        finally:
            reg.stop()
    finally:
        with psycopg.connect(args.database, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
    return [("label poll on PostgreSQL, If-None-Match → 304, bearer token", f"{rps:,.0f} req/s",
             f"{err} errors; {100 * rps / hello_rps:.0f} % of hello"),
            (f"server RSS after {args.n:,} requests (PostgreSQL)", f"{rss:.0f} MB", "VmRSS")]


if __name__ == "__main__":
    raise SystemExit(main())
