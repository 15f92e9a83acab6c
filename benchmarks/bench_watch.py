"""Benchmark: file save → TypeScript types on disk, `contractsync watch` against the official
full-stack FastAPI template's flow.

For each app (the bookshop example and a generated 200-operation app) the script

1. starts ``contractsync watch --json`` on a temporary copy of the app and, ``--edits`` times,
   saves a model file (write a temp file, rename over: what editors do) with a new field name,
   then polls the types file until the new name is in it. Latency = save → types on disk,
   measured from the outside;
2. runs the template's ``scripts/generate-client.sh`` flow ``--template-runs`` times: a fresh
   ``python -c "import <app>.main, json; print(json.dumps(<app>.main.app.openapi()))"`` and then
   ``npx openapi-ts`` (@hey-api/openapi-ts, pinned in ``benchmarks/peers/heyapi``, with the
   template's plugin settings) — and, for reference, the same export then ``npx openapi-typescript``
   (pinned in ``benchmarks/peers/openapi-typescript``), whose output shape contractsync emits.

Run: ``.venv/bin/python benchmarks/bench_watch.py`` (``--help`` for the knobs). Needs Node and
``npm ci`` in ``benchmarks/peers/heyapi`` and ``benchmarks/peers/openapi-typescript`` for the template rows; they are
skipped with a note when Node or the packages are missing.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
HEYAPI = REPO / "benchmarks" / "peers" / "heyapi"
OPENAPI_TS = REPO / "benchmarks" / "peers" / "openapi-typescript"
BOOKSHOP = REPO / "examples" / "bookshop" / "v1"


# --- the generated 200-operation app ------------------------------------------------------

#: What the heavy app imports at module level: large third-party packages that are contractsync's
#: own dependencies (so the benchmark needs nothing extra), standing in for OpenTelemetry,
#: Elasticsearch and SQLAlchemy clients in a real service (~1.3 s of imports together here).
HEAVY_IMPORTS = ("jsonschema", "httpx", "rich.console", "jinja2", "deepdiff", "black",
                 "openapi_spec_validator", "isort", "yaml")


def generate_app(root: Path, routers: int = 10, ops_per_router: int = 20, *, package: str = "bigapp",
                 heavy: bool = False) -> None:
    """Write package ``bigapp`` (``bigapp.main:app``) under ``root``: ``routers`` routers with
    ``ops_per_router`` operations each over pydantic models with nested references, enums,
    optional fields and query/path/header parameters. ``heavy``: the app also imports
    :data:`HEAVY_IMPORTS` at module level (``<package>/integrations.py``, used by every router)."""
    pkg = root / package
    (pkg / "routers").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "routers" / "__init__.py").write_text("")
    models = [
        "from datetime import datetime",
        "from enum import Enum",
        "",
        "from pydantic import BaseModel, Field",
        "",
        "",
        "class Status(str, Enum):",
        '    active = "active"',
        '    archived = "archived"',
        '    draft = "draft"',
        "",
        "",
        "class Audit(BaseModel):",
        "    created_at: datetime",
        "    updated_at: datetime | None = None",
        "    created_by: str = Field(min_length=1, max_length=64)",
        "",
    ]
    for r in range(routers):
        models += [
            "",
            f"class Item{r}(BaseModel):",
            f'    """Resource {r}."""',
            "",
            "    id: int = Field(ge=1)",
            "    name: str = Field(min_length=1, max_length=200, description='Display name.')",
            "    status: Status = Status.draft",
            "    tags: list[str] = []",
            "    score: float | None = None",
            "    audit: Audit",
            f"    parent: 'Item{r} | None' = None",
            "    bench_marker_000: int | None = None" if r == 0 else "",
            "",
            "",
            f"class Item{r}Create(BaseModel):",
            "    name: str = Field(min_length=1, max_length=200)",
            "    status: Status = Status.draft",
            "    tags: list[str] = []",
            "",
            "",
            f"class Item{r}Page(BaseModel):",
            f"    items: list[Item{r}]",
            "    total: int",
            "    next_cursor: str | None = None",
            "",
        ]
    (pkg / "models.py").write_text("\n".join(models) + "\n")
    verbs = [("get", "list"), ("get", "get"), ("post", "create"), ("put", "replace"),
             ("patch", "update"), ("delete", "delete")]
    for r in range(routers):
        lines = [
            "from typing import Annotated",
            "",
            "from fastapi import APIRouter, Header, Path, Query",
            "",
            f"from ..models import Item{r}, Item{r}Create, Item{r}Page, Status",
            *(["from ..integrations import CLIENTS", ""] if heavy else [""]),
            f'router = APIRouter(prefix="/r{r}", tags=["r{r}"])',
            "",
        ]
        for op in range(ops_per_router):
            method, kind = verbs[op % len(verbs)]
            sub = f"/things{op // len(verbs)}"
            path = sub if kind in ("list", "create") else sub + "/{item_id}"
            params = []
            if "{item_id}" in path:
                params.append("item_id: Annotated[int, Path(ge=1)]")
            if kind in ("create", "replace", "update"):
                params.append(f"body: Item{r}Create")
            if kind == "list":
                params += ["limit: Annotated[int, Query(ge=1, le=100)] = 20",
                           "status: Status | None = None", "q: str | None = None"]
                if heavy and r == 0 and op == 0:  # the heavy app's saves edit a router
                    params.append("bench_marker_000: int | None = None")
            params.append("x_request_id: Annotated[str | None, Header()] = None")
            returns = {"list": f"Item{r}Page", "delete": "None"}.get(kind, f"Item{r}")
            status = ", status_code=204" if kind == "delete" else ""
            lines += [
                f'@router.{method}("{path}", operation_id="r{r}_{kind}_{op}"{status})',
                f"def r{r}_{kind}_{op}({', '.join(params)}) -> {returns}:",
                f'    """{kind.title()} things (router {r}, operation {op})."""',
                "    raise NotImplementedError",
                "",
                "",
            ]
        (pkg / "routers" / f"r{r}.py").write_text("\n".join(lines))
    if heavy:
        (pkg / "integrations.py").write_text(
            "\n".join(f"import {m}" for m in HEAVY_IMPORTS) + "\n\n"
            "# Module-level clients, as services create them.\n"
            "CLIENTS = {'http': httpx.Client(timeout=1.0), 'templates': jinja2.Environment()}\n"
        )
    imports = ", ".join(f"r{r}" for r in range(routers))
    (pkg / "main.py").write_text(
        ("from . import integrations  # noqa: F401\n" if heavy else "") +
        "from fastapi import FastAPI\n\n"
        f"from .routers import {imports}\n\n"
        'app = FastAPI(title="Generated", version="1.0.0")\n'
        f"for module in ({imports},):\n"
        "    app.include_router(module.router)\n"
    )


# --- scenarios ----------------------------------------------------------------------------

class Scenario:
    """An app copied into a scratch directory, with the file and line the benchmark edits."""

    def __init__(self, name: str, root: Path, package: str, edit_file: Path, marker: str) -> None:
        self.name = name
        self.root = root
        self.package = package
        self.edit_file = edit_file
        self.marker = marker
        self.base_text = edit_file.read_text()

    @property
    def target(self) -> str:
        return f"{self.package}.main:app"

    def edited(self, i: int) -> str:
        """The edit file's text with the marker field renamed to ``bench_marker_<i>``."""
        text = self.base_text
        return text.replace(self.marker, f"bench_marker_{i:03d}: int | None = None", 1)


def bookshop(scratch: Path) -> Scenario:
    root = scratch / "bookshop"
    shutil.copytree(BOOKSHOP, root, ignore=shutil.ignore_patterns("__pycache__"))
    models = root / "bookshop" / "models.py"
    text = models.read_text()
    # A field at the end of the Book model: every save changes the Book schema and so the types.
    anchor = "class Book(BaseModel):"
    if anchor not in text:
        raise SystemExit(f"{models}: no `{anchor}` to edit (the example changed?)")
    head, _, tail = text.partition(anchor)
    body_end = tail.find("\n\n\n")
    body_end = len(tail) if body_end == -1 else body_end
    marker = "    bench_marker_000: int | None = None"
    text = head + anchor + tail[:body_end] + "\n" + marker + tail[body_end:]
    models.write_text(text)
    return Scenario("bookshop example", root, "bookshop", models, marker.strip())


def generated(scratch: Path) -> Scenario:
    root = scratch / "generated"
    generate_app(root)
    models = root / "bigapp" / "models.py"
    return Scenario("generated 200-operation app", root, "bigapp", models,
                    "bench_marker_000: int | None = None")


def heavy(scratch: Path) -> Scenario:
    root = scratch / "heavy"
    generate_app(root, routers=6, ops_per_router=20, package="heavyapp", heavy=True)
    # Saves edit one router (a query parameter): the models, the other routers and the heavy
    # integrations module are what a run of such saves does not touch.
    router = root / "heavyapp" / "routers" / "r0.py"
    return Scenario("heavy-import app (120 operations)", root, "heavyapp", router,
                    "bench_marker_000: int | None = None")


SCENARIOS = {"bookshop": bookshop, "generated": generated, "heavy": heavy}


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(REPO)
    # Bytecode caching on, as on a developer machine (the template flow benefits from it too).
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def _save(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.bench~")
    tmp.write_text(text)
    os.replace(tmp, path)


# --- contractsync watch -------------------------------------------------------------------

def bench_watch(sc: Scenario, edits: int, pause: float) -> dict[str, Any]:
    types = sc.root / "web" / "types.ts"
    proc = subprocess.Popen(
        [sys.executable, "-m", "contractsync", "watch", "--json", "--app", sc.target,
         "--app-dir", str(sc.root), "--types", str(types)],
        cwd=sc.root, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=_env())
    events: list[dict[str, Any]] = []

    def read() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            events.append(json.loads(line))

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    latencies: list[float] = []
    try:
        if not _wait(lambda: any(e["event"] == "rebuild" for e in events), 60):
            raise SystemExit(f"{sc.name}: the watcher did not start")
        first = next(e for e in events if e["event"] == "rebuild")
        if not first["ok"]:
            raise SystemExit(f"{sc.name}: first rebuild failed: {first}")
        for i in range(1, edits + 1):
            needle = f"bench_marker_{i:03d}"
            text = sc.edited(i)
            before = len(events)
            t0 = time.perf_counter()
            _save(sc.edit_file, text)
            if not _wait_for_text(types, needle, 30):
                raise SystemExit(f"{sc.name}: edit {i} never reached {types}")
            latencies.append((time.perf_counter() - t0) * 1000)
            _wait(lambda before=before: len(events) > before, 10)
            time.sleep(pause)
    finally:
        proc.send_signal(2)
        proc.wait(timeout=10)
        reader.join(timeout=5)
    rebuilds = [e for e in events if e["event"] == "rebuild" and e["trigger"] != ["(start)"]]
    return {
        "latency_ms": latencies,
        "rebuild_ms": [e["ms"] for e in rebuilds],
        "export_ms": [e["export_ms"] for e in rebuilds],
        "first_rebuild_ms": first["ms"],
        "operations": first["operations"],
    }


def _wait_for_text(path: Path, needle: str, timeout: float) -> bool:
    """Poll ``path`` until it contains ``needle``. A 1 ms ``stat`` loop, reading the file only
    when it was replaced: cheap enough not to steal CPU from the watcher being measured."""
    deadline = time.monotonic() + timeout
    seen: tuple[int, int] | None = None
    while time.monotonic() < deadline:
        try:
            st = path.stat()
            key = (st.st_ino, st.st_mtime_ns)
            if key != seen:
                seen = key
                if needle in path.read_text():
                    return True
        except OSError:
            pass
        time.sleep(0.001)
    return False


def _wait(predicate: Any, timeout: float, interval: float = 0.01) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return bool(predicate())


# --- the floor: FastAPI's own work on a fresh import ------------------------------------------

_FLOOR_SCRIPT = """
import gc, importlib, json, os, sys, time
from pathlib import Path
from contractsync.watch._serve import _preload
target, app_dir, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])
_preload(target, Path(app_dir), True)
gc.collect(); gc.freeze()
sys.path.insert(0, app_dir)
out = []
for _ in range(runs):
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        t0 = time.perf_counter()
        module = importlib.import_module(target.partition(":")[0])
        t1 = time.perf_counter()
        module.app.openapi()
        t2 = time.perf_counter()
        os.write(w, json.dumps([(t1 - t0) * 1000, (t2 - t1) * 1000]).encode())
        os._exit(0)
    os.close(w)
    os.waitpid(pid, 0)
    out.append(json.loads(os.read(r, 1000)))
    os.close(r)
print(json.dumps(out))
"""


def bench_floor(sc: Scenario, runs: int) -> dict[str, list[float]]:
    """``import app`` and ``app.openapi()`` alone, in a child forked from a warm process: what any
    fresh-import rebuild costs before contractsync does anything."""
    env = _env()
    env["PYTHONDONTWRITEBYTECODE"] = "1"  # compile from source, as the watcher's children do
    out = subprocess.run([sys.executable, "-c", _FLOOR_SCRIPT, sc.target, str(sc.root), str(runs)],
                         cwd=sc.root, capture_output=True, text=True, env=env, check=True)
    pairs = json.loads(out.stdout)
    return {"import_ms": [p[0] for p in pairs], "openapi_ms": [p[1] for p in pairs]}


# --- the template flow ----------------------------------------------------------------------

def bench_template(sc: Scenario, runs: int, generator: str) -> dict[str, Any] | None:
    """The template's generate-client flow: fresh Python export, then a Node generator."""
    if shutil.which("npx") is None:
        return None
    if generator == "heyapi":
        if not (HEYAPI / "node_modules" / ".bin" / "openapi-ts").exists():
            return None
    elif not (OPENAPI_TS / "node_modules" / ".bin" / "openapi-typescript").exists():
        return None
    export_ms: list[float] = []
    generate_ms: list[float] = []
    total_ms: list[float] = []
    scratch = Path(tempfile.mkdtemp(prefix="bench-template-"))
    try:
        spec = scratch / "openapi.json"
        for _ in range(runs):
            t0 = time.perf_counter()
            with spec.open("wb") as fh:
                subprocess.run(
                    [sys.executable, "-c", f"import {sc.package}.main, json; "
                     f"print(json.dumps({sc.package}.main.app.openapi()))"],
                    cwd=sc.root, stdout=fh, env=_env(), check=True)
            t1 = time.perf_counter()
            if generator == "heyapi":
                env = dict(os.environ, CONTRACTSYNC_BENCH_INPUT=str(spec),
                           CONTRACTSYNC_BENCH_OUTPUT=str(scratch / "client"))
                subprocess.run(["npx", "--no-install", "openapi-ts"], cwd=HEYAPI, env=env, check=True,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            else:
                subprocess.run(["npx", "--no-install", "openapi-typescript", str(spec), "-o",
                                str(scratch / "types.ts")], cwd=OPENAPI_TS, check=True,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            t2 = time.perf_counter()
            export_ms.append((t1 - t0) * 1000)
            generate_ms.append((t2 - t1) * 1000)
            total_ms.append((t2 - t0) * 1000)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return {"export_ms": export_ms, "generate_ms": generate_ms, "total_ms": total_ms}


def _version(cmd: list[str], cwd: Path) -> str:
    try:
        return subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=60).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "?"


# --- rows for benchmarks/run.py ------------------------------------------------------------

#: Scratch copies of the apps for ``run.py`` (prepared once, reused by its child processes).
RUN_DIR = Path(tempfile.gettempdir()) / "contractsync-bench-watch"


def _prepared(name: str) -> Scenario:
    marker = RUN_DIR / f".{name}-ready"
    if not marker.exists():
        shutil.rmtree(RUN_DIR / name, ignore_errors=True)
        RUN_DIR.mkdir(parents=True, exist_ok=True)
        (bookshop if name == "bookshop" else generated)(RUN_DIR)
        marker.write_text("")
    if name == "bookshop":
        root = RUN_DIR / "bookshop"
        return Scenario("bookshop example", root, "bookshop", root / "bookshop" / "models.py",
                        "bench_marker_000: int | None = None")
    root = RUN_DIR / "generated"
    return Scenario("generated 200-operation app", root, "bigapp", root / "bigapp" / "models.py",
                    "bench_marker_000: int | None = None")


class _SaveCycle:
    """One save → types-on-disk cycle per call, against a watcher started by :meth:`setup`
    (and stopped when the timing process exits)."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.edit = 0

    def setup(self) -> None:
        import atexit

        self.sc = _prepared(self.name)
        self.sc.edit_file.write_text(self.sc.base_text)
        self.types = self.sc.root / "web" / "types.ts"
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "contractsync", "watch", "--app", self.sc.target, "--app-dir",
             str(self.sc.root), "--types", str(self.types)],
            cwd=self.sc.root, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=_env())
        atexit.register(self._stop)
        if not _wait_for_text(self.types, "export interface paths", 60):
            raise RuntimeError("the watcher did not write the types")

    def _stop(self) -> None:
        self.proc.send_signal(2)
        self.proc.wait(timeout=10)
        self.sc.edit_file.write_text(self.sc.base_text)

    def __call__(self) -> None:
        self.edit += 1
        needle = f"bench_marker_{self.edit:03d}"
        _save(self.sc.edit_file, self.sc.edited(self.edit))
        if not _wait_for_text(self.types, needle, 30):
            raise RuntimeError(f"edit {self.edit} never reached {self.types}")


def _template_argv(sc: Scenario) -> list[str]:
    spec = RUN_DIR / f"{sc.package}-openapi.json"
    export = (f"{shlex.quote(sys.executable)} -c 'import {sc.package}.main, json; "
              f"print(json.dumps({sc.package}.main.app.openapi()))' > {shlex.quote(str(spec))}")
    generate = (f"cd {shlex.quote(str(HEYAPI))} && CONTRACTSYNC_BENCH_INPUT={shlex.quote(str(spec))} "
                f"CONTRACTSYNC_BENCH_OUTPUT={shlex.quote(str(RUN_DIR / (sc.package + '-client')))} "
                "npx --no-install openapi-ts > /dev/null")
    return ["sh", "-c", f"cd {shlex.quote(str(sc.root))} && {export} && {generate}"]


def cases() -> list[Any]:
    """Rows for ``benchmarks/run.py``; ``python benchmarks/bench_watch.py`` prints the full
    report (percentiles, the FastAPI floor, the openapi-typescript variant)."""
    from harness import Case

    rows: list[Any] = []
    node_missing = None if shutil.which("npx") else "Node (npx) not installed"
    heyapi_missing = node_missing or (
        None if (HEYAPI / "node_modules" / ".bin" / "openapi-ts").exists()
        else "npm ci --prefix benchmarks/peers/heyapi")
    for name, label in (("bookshop", "bookshop example (19 operations)"),
                        ("generated", "generated app (200 operations)")):
        cycle = _SaveCycle(name)
        rows.append(Case(
            f"save → types on disk, {label}", func=cycle, setup=cycle.setup, repeat=20,
            target_s=0.3, env=_env(),
            note="saves back to back (the next save may meet the end of the previous rebuild); "
                 "peak RSS is the driver's; bench_watch.py gives percentiles and the FastAPI floor"))
        sc = _prepared(name)
        rows.append(Case(
            f"template flow: fresh export + npx openapi-ts, {label}", argv=_template_argv(sc),
            repeat=5, env=_env(), skip=heyapi_missing,
            note="the official full-stack template's generate-client flow (@hey-api/openapi-ts 0.97.3)"))
    return rows


# --- report ---------------------------------------------------------------------------------

def _stats(values: list[float]) -> str:
    if not values:
        return "–"
    ordered = sorted(values)
    p90 = ordered[min(len(ordered) - 1, round(0.9 * (len(ordered) - 1)))]
    return (f"**{statistics.median(values):.0f} ms** (p90 {p90:.0f}, "
            f"min {ordered[0]:.0f}, max {ordered[-1]:.0f}; n={len(values)})")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--edits", type=int, default=30, help="saves per app (default 30)")
    parser.add_argument("--pause", type=float, default=0.3, help="seconds between saves (default 0.3)")
    parser.add_argument("--template-runs", type=int, default=5, help="template-flow runs per app (default 5)")
    parser.add_argument("--json", type=Path, help="also write the raw numbers here")
    parser.add_argument("--apps", default="bookshop,generated,heavy",
                        help="comma-separated scenarios (default: bookshop,generated,heavy)")
    args = parser.parse_args(argv)

    scratch = Path(tempfile.mkdtemp(prefix="bench-watch-"))
    results: dict[str, Any] = {}
    load_before = os.getloadavg()
    try:
        for sc in (SCENARIOS[name](scratch) for name in args.apps.split(",")):
            print(f"… {sc.name}: contractsync watch, {args.edits} saves", file=sys.stderr)
            watch = bench_watch(sc, args.edits, args.pause)
            floor = bench_floor(sc, args.edits)
            print(f"… {sc.name}: template flow (hey-api), {args.template_runs} runs", file=sys.stderr)
            heyapi = bench_template(sc, args.template_runs, "heyapi")
            print(f"… {sc.name}: export + openapi-typescript, {args.template_runs} runs", file=sys.stderr)
            ots = bench_template(sc, args.template_runs, "openapi-typescript")
            results[sc.name] = {"watch": watch, "floor": floor, "heyapi": heyapi,
                                "openapi_typescript": ots, "operations": watch["operations"]}
    finally:
        shutil.rmtree(scratch, ignore_errors=True)

    load_after = os.getloadavg()
    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    node = _version(["node", "--version"], REPO)
    heyapi_version = _version(["npx", "--no-install", "openapi-ts", "--version"], HEYAPI)
    ots_version = _version(["npx", "--no-install", "openapi-typescript", "--version"], OPENAPI_TS)
    import fastapi
    import pydantic

    print(f"Measured {now} on {cpu}, {os.cpu_count()} CPUs, Linux {platform.release()}, "
          f"Python {platform.python_version()}, FastAPI {fastapi.__version__}, pydantic {pydantic.VERSION}, "
          f"Node {node}, @hey-api/openapi-ts {heyapi_version.splitlines()[-1] if heyapi_version else '?'}, "
          f"openapi-typescript {ots_version}; 1-minute load average {load_before[0]:.1f} before, "
          f"{load_after[0]:.1f} after.\n")
    print("| App | Operations | Flow | Save → types on disk (median) |")
    print("|---|---|---|---|")
    for name, r in results.items():
        w = r["watch"]
        print(f"| {name} | {r['operations']} | `contractsync watch` (warm worker, fork per rebuild) "
              f"| {_stats(w['latency_ms'])} |")
        for key, label in (("heyapi", "template flow: fresh `python -c … app.openapi()` + `npx openapi-ts` "
                                      "(@hey-api, the template's generator)"),
                           ("openapi_typescript", "fresh `python -c … app.openapi()` + `npx openapi-typescript`")):
            t = r[key]
            if t is None:
                print(f"| {name} | {r['operations']} | {label} | not run (Node or the pinned package missing) |")
            else:
                print(f"| {name} | {r['operations']} | {label} | {_stats(t['total_ms'])} — export "
                      f"{statistics.median(t['export_ms']):.0f} ms + generator "
                      f"{statistics.median(t['generate_ms']):.0f} ms |")
    print()
    for name, r in results.items():
        w = r["watch"]
        print(f"- {name}: inside the watcher, a rebuild took {_stats(w['rebuild_ms'])}, of which the "
              f"export (fork, fresh import, `openapi()`) {statistics.median(w['export_ms']):.0f} ms "
              f"median; the first rebuild (worker start excluded) {w['first_rebuild_ms']:.0f} ms. "
              f"FastAPI's own work in a warm fork, without contractsync: `import` "
              f"{statistics.median(r['floor']['import_ms']):.0f} ms + `app.openapi()` "
              f"{statistics.median(r['floor']['openapi_ms']):.0f} ms (medians).")
    if args.json:
        args.json.write_text(json.dumps({"when": now, "cpu": cpu, "load": [load_before, load_after],
                                         "results": results}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
