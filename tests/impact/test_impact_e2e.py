"""End to end: a small TypeScript frontend in a temp dir, the real pinned tsc, the bookshop's
stored v1 contract against the v2 app's contract, ``contractsync impact`` in every format."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from contractsync.spec import load_spec
from contractsync.typescript import to_typescript
from tests.typescript._tsc import NODE_MODULES, REPO, require_tsc

V1 = REPO / "contracts" / "openapi.json"

APP = """\
import createClient from "openapi-fetch";
import type { paths, Author, AuthorCreate, Review } from "./api/types";

const api = createClient<paths>({ baseUrl: "/api" });

export function label(a: Author): string {
  return `${a.name} (${a.book_count} books)`;
}

export const draft: AuthorCreate = { name: "Ursula" };

export function shout(r: Review): string {
  return r.reviewer.toUpperCase();
}

export async function popular() {
  return api.GET("/books", { params: { query: { sort: "popularity" } } });
}

export async function author() {
  return api.GET("/authors/{author_id}", { params: { path: { author_id: 1 } } });
}
"""

#: file:line:col of every error v2 causes in APP, and the rule it is attributed to.
EXPECTED = {
    ("src/app.ts", 7, 26): {"response-required-property-removed"},
    ("src/app.ts", 10, 14): {"request-property-became-required", "request-property-became-not-nullable"},
    ("src/app.ts", 13, 10): {"response-property-became-nullable"},
    ("src/app.ts", 17, 49): {"request-parameter-enum-value-removed"},
    # Only the typescript profile reports it (the wire is the same): attributed whatever the profile.
    ("src/app.ts", 21, 18): {"api-path-parameter-renamed"},
}


@pytest.fixture(scope="module")
def v2(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("v2") / "openapi.json"
    subprocess.run([sys.executable, "-m", "contractsync", "export", "--app-dir",
                    str(REPO / "examples" / "bookshop" / "v2"), "-o", str(out)],
                   cwd=REPO, check=True, capture_output=True)
    return out


@pytest.fixture
def frontend(tmp_path: Path) -> Path:
    require_tsc()
    fe = tmp_path / "web"
    (fe / "src" / "api").mkdir(parents=True)
    (fe / "node_modules").symlink_to(NODE_MODULES, target_is_directory=True)
    (fe / "package.json").write_text(json.dumps({"name": "web", "private": True, "devDependencies": {
        "typescript": "*", "openapi-fetch": "*"}}), encoding="utf-8")
    (fe / "tsconfig.json").write_text(json.dumps({"compilerOptions": {
        "strict": True, "noEmit": True, "target": "es2022", "module": "esnext",
        "moduleResolution": "bundler", "lib": ["es2022", "dom"], "types": [], "skipLibCheck": True},
        "include": ["src"]}), encoding="utf-8")
    (fe / "contractsync.toml").write_text('[pull]\nsource = "x"\ntypes = "src/api/types.ts"\n', encoding="utf-8")
    (fe / "src" / "api" / "types.ts").write_text(to_typescript(load_spec(str(V1))), encoding="utf-8")
    (fe / "src" / "app.ts").write_text(APP, encoding="utf-8")
    (fe / "dist").mkdir()
    (fe / "dist" / "junk.ts").write_text("this is not typescript", encoding="utf-8")
    return fe


def _snapshot(root: Path) -> dict[str, tuple[float, bytes]]:
    return {p.relative_to(root).as_posix(): (p.stat().st_mtime, p.read_bytes())
            for p in root.rglob("*") if p.is_file() and "node_modules" not in p.parts}


def _impact(frontend: Path, v2: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "CONTRACTSYNC_CACHE_DIR": str(frontend.parent / "cache")}
    return subprocess.run([sys.executable, "-m", "contractsync", "impact", "--frontend", "web",
                           str(V1), str(v2), *args], cwd=frontend.parent, capture_output=True,
                          text=True, env=env, timeout=300)


def test_json_names_every_broken_place_and_the_untouched(frontend: Path, v2: Path) -> None:
    before = _snapshot(frontend)
    result = _impact(frontend, v2, "-f", "json")
    assert result.returncode == 1, result.stderr
    data = json.loads(result.stdout)
    got: dict[tuple[str, int, int], set[str]] = {}
    for change in data["changes"]:
        for err in change["frontend_errors"]:
            got.setdefault((err["file"], err["line"], err["column"]), set()).add(change["id"])
            assert err["path"] == "web/" + err["file"]
    assert got == EXPECTED
    assert data["unattributed"] == []
    untouched = {c["id"] for c in data["changes"] if c["fingerprint"] in data["untouched"]}
    # The cover endpoint and the review status are breaking for the wire; this frontend uses neither.
    assert {"api-removed-without-deprecation", "response-success-status-removed",
            "new-required-request-parameter"} <= untouched
    assert data["summary"]["files"] == 1
    assert _snapshot(frontend) == before  # the user's tree is never touched


def test_every_format_points_at_the_frontend_lines(frontend: Path, v2: Path) -> None:
    places = [f"web/{f}:{ln}:{col}" for f, ln, col in EXPECTED]
    text = _impact(frontend, v2)
    assert text.returncode == 1, text.stderr
    for place in places:
        assert place in text.stdout
    assert "6 changes break the frontend (1 file)" in text.stdout
    markdown = _impact(frontend, v2, "-f", "markdown").stdout
    assert all(f"`{p}`" in markdown for p in places)
    github = _impact(frontend, v2, "-f", "github").stdout
    for f, ln, col in EXPECTED:
        assert f"file=web/{f},line={ln},col={col}," in github
    sarif = json.loads(_impact(frontend, v2, "-f", "sarif").stdout)
    regions = {(r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
                r["locations"][0]["physicalLocation"]["region"]["startLine"])
               for r in sarif["runs"][0]["results"]}
    assert regions == {(f"web/{f}", ln) for f, ln, _ in EXPECTED}


def test_unchanged_contract_breaks_nothing_and_baseline_is_cached(frontend: Path, v2: Path) -> None:
    first = _impact(frontend, v2, "-f", "json")
    assert json.loads(first.stdout)["baseline_cached"] is False
    second = _impact(frontend, v2, "-f", "json")
    assert json.loads(second.stdout)["baseline_cached"] is True
    assert json.loads(second.stdout)["summary"] == json.loads(first.stdout)["summary"]
    same = subprocess.run([sys.executable, "-m", "contractsync", "impact", "--frontend", "web",
                           str(V1), str(V1)], cwd=frontend.parent, capture_output=True, text=True)
    assert same.returncode == 0, same.stdout + same.stderr
    assert "0 changes break the frontend (0 files)" in same.stdout


def test_missing_types_setting_is_an_input_error(frontend: Path, v2: Path) -> None:
    (frontend / "contractsync.toml").unlink()
    result = _impact(frontend, v2)
    assert result.returncode == 2
    assert "--types" in result.stderr and "Traceback" not in result.stderr
    assert _impact(frontend, v2, "--types", "src/api/types.ts", "-f", "json").returncode == 1


def test_diff_with_frontend_adds_the_impact(frontend: Path, v2: Path) -> None:
    result = subprocess.run([sys.executable, "-m", "contractsync", "diff", str(V1), str(v2),
                             "--frontend", "web", "-f", "json", "--fail-on", "never"],
                            cwd=frontend.parent, capture_output=True, text=True, timeout=300)
    assert result.returncode == 1, result.stderr  # the diff passes (never); the frontend breaks
    data = json.loads(result.stdout)
    assert data["frontend"]["summary"]["files"] == 1
    assert {(e["file"], e["line"], e["column"]) for c in data["frontend"]["changes"]
            for e in c["frontend_errors"]} == set(EXPECTED)


def test_check_with_frontend_blocks_on_each_broken_line(frontend: Path) -> None:
    result = subprocess.run([sys.executable, "-m", "contractsync", "check", "--base", str(V1),
                             "--app-dir", str(REPO / "examples" / "bookshop" / "v2"),
                             "--frontend", str(frontend), "--format", "json"],
                            cwd=REPO, capture_output=True, text=True, timeout=300,
                            env={**os.environ, "CONTRACTSYNC_CACHE_DIR": str(frontend.parent / "cache")})
    assert result.returncode == 1, result.stderr
    blockers = [b for b in json.loads(result.stdout)["blockers"] if b["kind"] == "frontend-breaks"]
    assert {(Path(b["file"]).relative_to(frontend).as_posix(), b["line"], b["column"]) for b in blockers} \
        == set(EXPECTED)
    assert all(b["fingerprint"] for b in blockers)
    # The gate judges with the wire profile, yet the rename only TypeScript sees is named as the
    # cause (#10); the verdict's own changes are unchanged by it.
    renamed = next(b for b in blockers if b["line"] == 21)
    assert any("api-path-parameter-renamed" in detail for detail in renamed["details"]), renamed


def test_custom_command_with_pretty_output(frontend: Path, v2: Path) -> None:
    """--typecheck-cmd replaces the detected command; the compiler's --pretty format (colours,
    code frames) is read as well as the plain one."""
    result = _impact(frontend, v2, "-f", "json", "--typecheck-cmd", "tsc --noEmit --pretty true")
    assert result.returncode == 1, result.stderr
    data = json.loads(result.stdout)
    assert data["command"] == ["tsc", "--noEmit", "--pretty", "true"]
    assert {(e["file"], e["line"], e["column"]) for c in data["changes"] for e in c["frontend_errors"]} \
        == set(EXPECTED)
    broken = _impact(frontend, v2, "--typecheck-cmd", "no-such-compiler --noEmit")
    assert broken.returncode == 2 and "no-such-compiler" in broken.stderr


def test_a_hanging_type_check_times_out_and_leaves_no_process(frontend: Path, tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    import time

    from contractsync.errors import InputError
    from contractsync.impact import analyse

    monkeypatch.setenv("CONTRACTSYNC_CACHE_DIR", str(tmp_path / "cache"))
    pids = tmp_path / "pids"
    doc = load_spec(str(V1)).data
    changed = json.loads(json.dumps(doc))
    changed["info"]["version"] = "9"
    started = time.monotonic()
    with pytest.raises(InputError, match="took longer than 1 s"):
        analyse(frontend, doc, changed, typecheck_cmd=f"sh -c 'echo $$ >> {pids}; exec sleep 60'", timeout=1)
    assert time.monotonic() - started < 30
    listed = [int(p) for p in pids.read_text().split()]
    assert listed
    for pid in listed:
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)


def test_frontend_dir_from_config(frontend: Path, v2: Path) -> None:
    (frontend.parent / "pyproject.toml").write_text('[tool.contractsync]\nfrontend_dir = "web"\n', encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "contractsync", "impact", str(V1), str(v2), "-f", "json"],
                            cwd=frontend.parent, capture_output=True, text=True, timeout=300,
                            env={**os.environ, "CONTRACTSYNC_CACHE_DIR": str(frontend.parent / "cache")})
    assert result.returncode == 1, result.stderr
    assert json.loads(result.stdout)["frontend"] == "web"
