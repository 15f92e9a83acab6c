"""``contractsync pull`` from plain sources: a file and ``REV:path`` in a git repository.

Install, offline install from the cache, the update report with reasons read from the
changelog.json / announcements.yaml next to the source, refusing breaking changes, and every
``--check`` drift case.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from contractsync.client.cache import ContractCache

from ._helpers import Run, cli, git

CDN_FP = "c187f181e552"  # GET /books/{book_id}/cover removed (v1 → v2)
SORT_FP = "9182be804057"  # GET /books: sort enum value 'popularity' removed


class Frontend:
    """A frontend directory with a contractsync.toml, run with its own cache."""

    def __init__(self, root: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
        self.root = root
        self.cache = root.parent / "cache"
        self.monkeypatch = monkeypatch
        self.capsys = capsys
        root.mkdir(parents=True, exist_ok=True)

    def config(self, body: str) -> None:
        (self.root / "contractsync.toml").write_text("[pull]\n" + body, encoding="utf-8")

    def run(self, *args: str) -> Run:
        return cli(self.monkeypatch, self.capsys, self.root, "pull", *args,
                   env={"CONTRACTSYNC_CACHE_DIR": str(self.cache), "CONTRACTSYNC_TOKEN": None})

    def read(self, rel: str) -> bytes:
        return (self.root / rel).read_bytes()

    def lock(self) -> dict[str, object]:
        data: dict[str, object] = json.loads(self.read("contractsync.lock"))
        return data


@pytest.fixture
def fe(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Frontend:
    return Frontend(tmp_path / "frontend", monkeypatch, capsys)


def _backend_files(directory: Path, spec: Path) -> Path:
    """A backend contracts/ directory: the spec, plus one accepted and one pending announcement."""
    directory.mkdir(parents=True, exist_ok=True)
    shutil.copy(spec, directory / "openapi.json")
    changelog = {"format": "contractsync-changelog", "format_version": 1, "releases": [
        {"version": "2.0.0", "changes": [
            {"fingerprint": CDN_FP, "announcement": {"reason": "Covers are served by the CDN now.",
                                                    "migration": "Use book.cover_url."}}]}]}
    (directory / "changelog.json").write_text(json.dumps(changelog), encoding="utf-8")
    (directory / "announcements.yaml").write_text(
        f"format: contractsync-announcements/1\nannouncements:\n- fingerprint: {SORT_FP}\n"
        "  reason: Popularity ranking moved to the search service.\n", encoding="utf-8")
    return directory / "openapi.json"


def test_file_source_install_update_and_offline(fe: Frontend, tmp_path: Path, v1_spec: Path, v2_spec: Path) -> None:
    source = tmp_path / "backend" / "contracts" / "openapi.json"
    source.parent.mkdir(parents=True)
    shutil.copy(v1_spec, source)
    fe.config(f'source = "{source}"\ntypes = "src/api/types.ts"\nopenapi = "src/api/openapi.json"\n')

    first = fe.run()
    assert first.code == 0, first.err
    assert "first pull" in first.err and "wrote src/api/types.ts" in first.err
    lock = fe.lock()
    digest = lock["contract"]["digest"]  # type: ignore[index]
    # The .json output is the canonical contract: its sha256 is the contract's digest.
    assert lock["outputs"]["src/api/openapi.json"] == digest  # type: ignore[index]
    assert "export interface paths" in fe.read("src/api/types.ts").decode()
    types_v1 = fe.read("src/api/types.ts")

    again = fe.run()
    assert again.code == 0 and "outputs and lock are current" in again.err

    # Offline: the source is gone, the outputs too; the cache installs the locked version.
    source.unlink()
    for rel in ("src/api/types.ts", "src/api/openapi.json"):
        (fe.root / rel).unlink()
    offline = fe.run()
    assert offline.code == 0, offline.err
    assert "contract from the local cache" in offline.err
    assert fe.read("src/api/types.ts") == types_v1

    # v2 arrives, with the backend's changelog.json and announcements.yaml next to it.
    _backend_files(source.parent, v2_spec)
    lock_before = fe.read("contractsync.lock")
    refused = fe.run("--update")
    assert refused.code == 1
    assert "refusing 9 breaking changes" in refused.err
    assert fe.read("contractsync.lock") == lock_before and fe.read("src/api/types.ts") == types_v1
    out = refused.out
    assert "BREAKING (9)" in out and "DEPRECATED (1)" in out and "ADDED (" in out
    cover = out[out.index("GET /books/{book_id}/cover: removed without deprecation"):]
    assert cover.splitlines()[2:4] == ["      why: Covers are served by the CDN now.",
                                       "      migration: Use book.cover_url."]
    assert "why: Popularity ranking moved to the search service." in out  # the pending announcement
    assert "why: not announced" in out  # the other seven
    assert "GET /authors/{author_id}/books: deprecated, sunset 2027-06-30" in out

    md = fe.run("--update", "--format", "markdown")
    assert md.code == 1
    assert md.out.startswith("### 🔴 Contract update")
    assert "| `GET /books/{book_id}/cover` | removed without deprecation" in md.out
    assert "| Covers are served by the CDN now. | Use book.cover_url. |" in md.out

    as_json = fe.run("--update", "--format", "json")
    data = json.loads(as_json.out)
    assert data["summary"]["breaking"] == 9 and data["reasons"] == "changelog"
    assert {c["fingerprint"]: c["announcement"] for c in data["changes"]}[CDN_FP]["reason"].startswith("Covers")

    taken = fe.run("--update", "--accept-breaking")
    assert taken.code == 0, taken.err
    assert fe.read("src/api/types.ts") != types_v1
    assert fe.lock()["contract"]["info_version"] == "1.1.0"  # type: ignore[index]
    assert fe.run("--check").code == 0

    up_to_date = fe.run("--update")
    assert up_to_date.code == 0 and "up to date" in up_to_date.err


def test_check_drift(fe: Frontend, v1_spec: Path) -> None:
    fe.config(f'source = "{v1_spec}"\ntypes = "src/api/types.ts"\n')
    missing = fe.run("--check")
    assert missing.code == 1 and "contractsync.lock does not exist" in missing.out
    assert fe.run().code == 0
    assert fe.run("--check").code == 0

    types = fe.root / "src/api/types.ts"
    original = types.read_bytes()
    types.write_bytes(original.replace(b"export interface paths", b"export interface pathz"))
    edited = fe.run("--check")
    assert edited.code == 1
    assert edited.out.strip() == ("contractsync pull --check: src/api/types.ts differs from what contractsync.lock "
                                  "records (edited by hand?): run `contractsync pull`")
    assert types.read_bytes() != original  # --check writes nothing
    assert fe.run().code == 0 and types.read_bytes() == original

    types.unlink()
    assert "src/api/types.ts is missing" in fe.run("--check").out

    fe.config(f'source = "{v1_spec}"\ntypes = "src/api/types.ts"\n[pull.typescript]\nenum = true\n')
    options = fe.run("--check")
    assert options.code == 1 and "[pull.typescript] options changed" in options.out

    fe.config(f'source = "{v1_spec}"\ntypes = "src/api/types.ts"\nopenapi = "api.json"\n')
    output = fe.run("--check")
    assert output.code == 1 and "api.json is configured but not in contractsync.lock" in output.out

    fe.config(f'source = "{v1_spec.parent}/../contracts/openapi.json"\ntypes = "src/api/types.ts"\n')
    source = fe.run("--check")
    assert source.code == 1 and "the config's source is" in source.out and "pull --update" in source.out
    # A plain pull refuses to install another source than the lock pins.
    plain = fe.run()
    assert plain.code == 1 and "run `contractsync pull --update`" in plain.err


def test_a_lock_from_before_generate_is_local_for_a_plain_source(fe: Frontend, v1_spec: Path) -> None:
    """A plain source has no stored types, so a lock written before `[pull] generate` existed made
    them locally: it is in sync, and `generate = "registry"` is refused for such a source."""
    fe.config(f'source = "{v1_spec}"\ntypes = "types.ts"\n')
    assert fe.run().code == 0
    lock = fe.lock()
    generator = lock["generator"]
    assert isinstance(generator, dict) and generator.pop("generate") == "local"
    (fe.root / "contractsync.lock").write_text(json.dumps(lock, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    assert fe.run("--check").code == 0
    fe.config(f'source = "{v1_spec}"\ntypes = "types.ts"\ngenerate = "registry"\n')
    refused = fe.run("--check")
    assert refused.code == 2 and "generate = 'registry' applies to a registry" in refused.err


def test_options_change_regenerates_without_update(fe: Frontend, v1_spec: Path) -> None:
    fe.config(f'source = "{v1_spec}"\ntypes = "types.ts"\n')
    assert fe.run().code == 0
    before = fe.lock()
    fe.config(f'source = "{v1_spec}"\ntypes = "types.ts"\n[pull.typescript]\nenum = true\n')
    assert fe.run().code == 0
    after = fe.lock()
    assert after["contract"] == before["contract"]  # the same contract version
    assert after["generator"] != before["generator"] and after["outputs"] != before["outputs"]
    assert "export enum" in fe.read("types.ts").decode()
    assert fe.run("--check").code == 0


def test_git_source(fe: Frontend, tmp_path: Path, v1_spec: Path, v2_spec: Path) -> None:
    repo = tmp_path / "monorepo"
    contracts = repo / "backend" / "contracts"
    contracts.mkdir(parents=True)
    shutil.copy(v1_spec, contracts / "openapi.json")
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "v1")
    git(repo, "tag", "v1")
    v1_commit = git(repo, "rev-parse", "HEAD")
    _backend_files(contracts, v2_spec)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "v2")
    v2_commit = git(repo, "rev-parse", "HEAD")

    fe.root = repo / "frontend"
    fe.root.mkdir()
    fe.config('source = "v1:backend/contracts/openapi.json"\ntypes = "src/api/types.ts"\n')
    first = fe.run()
    assert first.code == 0, first.err
    assert fe.lock()["contract"]["source_commit"] == v1_commit  # type: ignore[index]

    fe.config('source = "main:backend/contracts/openapi.json"\ntypes = "src/api/types.ts"\n')
    assert fe.run().code == 1  # the lock pins v1: a plain pull does not move
    update = fe.run("--update")
    assert update.code == 1
    assert "why: Covers are served by the CDN now." in update.out  # main:backend/contracts/changelog.json
    assert fe.run("--update", "--accept-breaking").code == 0
    assert fe.lock()["contract"]["source_commit"] == v2_commit  # type: ignore[index]


def test_tampered_cache_is_an_error(fe: Frontend, tmp_path: Path, v1_spec: Path) -> None:
    source = tmp_path / "openapi.json"
    shutil.copy(v1_spec, source)
    fe.config(f'source = "{source}"\ntypes = "types.ts"\n')
    assert fe.run().code == 0
    digest = str(fe.lock()["contract"]["digest"])  # type: ignore[index]
    cached = ContractCache(fe.cache).path(digest)
    cached.write_bytes(cached.read_bytes().replace(b'"Bookshop', b'"Evilshop'))
    (fe.root / "types.ts").unlink()
    run = fe.run()
    assert run.code == 2
    assert run.err.count("\n") == 1 and "does not match its digest" in run.err and str(cached) in run.err
    assert not (fe.root / "types.ts").exists()


def test_lock_pinning_another_digest_is_an_error(fe: Frontend, v1_spec: Path) -> None:
    """A lock whose contract digest was edited while the outputs kept their recorded hashes: the
    outputs look current, but the types were generated from another contract (their header says
    which). `pull` refuses with one line, exit 2, writing nothing; `pull --check` fails."""
    fe.config(f'source = "{v1_spec}"\ntypes = "src/api/types.ts"\n')
    assert fe.run().code == 0
    lock_file = fe.root / "contractsync.lock"
    real = str(fe.lock()["contract"]["digest"])  # type: ignore[index]
    forged = "sha256:" + "0" * 64
    lock_file.write_text(lock_file.read_text(encoding="utf-8").replace(real, forged), encoding="utf-8")
    before = lock_file.read_bytes(), fe.read("src/api/types.ts")
    run = fe.run()
    assert run.code == 2 and run.err.count("\n") == 1
    assert run.err.startswith("contractsync: error: contractsync.lock: it pins " + forged)
    assert f"generated from {real}" in run.err
    assert (lock_file.read_bytes(), fe.read("src/api/types.ts")) == before
    check = fe.run("--check")
    assert check.code == 1 and f"it pins {forged}" in check.out


def test_lost_base_without_cache(fe: Frontend, tmp_path: Path, v1_spec: Path, v2_spec: Path) -> None:
    """The locked contract gone from cache and source: no silent pass — exit 2 unless accepted."""
    source = tmp_path / "openapi.json"
    shutil.copy(v1_spec, source)
    fe.config(f'source = "{source}"\ntypes = "types.ts"\n')
    assert fe.run().code == 0
    shutil.rmtree(fe.cache)
    shutil.copy(v2_spec, source)
    run = fe.run("--update")
    assert run.code == 2 and "cannot tell what changed" in run.err
    assert fe.run("--update", "--accept-breaking").code == 0


@pytest.mark.parametrize(("toml", "message"), [
    ('[pull]\nsource = "x.json"\n', "contractsync.toml: [pull] no output"),
    ('[pull]\nregistry = "http://127.0.0.1:9"\ncontract = "a"\ntypes = "t.ts"\nrefs = "x"\n',
     "contractsync.toml: [pull] unknown key 'refs'"),
    ('[pull]\nsource = "missing.json"\ntypes = "t.ts"\n', "missing.json: no such file"),
    # An output that is contractsync's own file: pull would write types over the lock (and the
    # lock check would compare the lock with itself) or over its config (#13).
    ('[pull]\nsource = "x.json"\ntypes = "contractsync.lock"\n',
     "contractsync.toml: [pull] types = 'contractsync.lock' is contractsync's own file"),
    ('[pull]\nsource = "x.json"\ntypes = "t.ts"\nopenapi = "./contractsync.toml"\n',
     "contractsync.toml: [pull] openapi = './contractsync.toml' is contractsync's own file"),
    ('[pull]\nsource = "x.json"\ntypes = "other/contractsync.lock"\n',
     "[pull] types = 'other/contractsync.lock' is contractsync's own file"),
])
def test_one_line_errors(fe: Frontend, toml: str, message: str) -> None:
    (fe.root / "contractsync.toml").write_text(toml, encoding="utf-8")
    run = fe.run()
    assert run.code == 2
    assert run.err.count("\n") == 1 and message in run.err and "Traceback" not in run.err


def test_update_with_a_missing_frontend_dir(fe: Frontend, v1_spec: Path) -> None:
    """--frontend naming nothing is an error even when no update arrives (it was ignored, exit 0)."""
    fe.config(f'source = "{v1_spec}"\ntypes = "t.ts"\n')
    assert fe.run().code == 0
    run = fe.run("--update", "--frontend", "no-such-dir")
    assert run.code == 2 and run.err.strip() == "contractsync: error: --frontend: no such directory: no-such-dir"


@pytest.mark.skipif(not hasattr(__import__("signal"), "SIGHUP"), reason="no SIGHUP here")
def test_watch_stops_cleanly_on_sighup(fe: Frontend, v1_spec: Path) -> None:
    """Closing the terminal stops `pull --watch` the way SIGTERM does (exit 0, "stopped"), as for
    `watch` (#13); it died of the signal (exit 129)."""
    import signal
    import subprocess
    import sys
    import time

    from ._helpers import module_env

    fe.config(f'source = "{v1_spec}"\ntypes = "t.ts"\n')
    watcher = subprocess.Popen([sys.executable, "-m", "contractsync", "pull", "--watch", "--interval", "0.3"],
                               cwd=fe.root, env=module_env({"CONTRACTSYNC_CACHE_DIR": str(fe.cache)}),
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while not (fe.root / "contractsync.lock").exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        time.sleep(0.5)
    finally:
        watcher.send_signal(signal.SIGHUP)
        _, err = watcher.communicate(timeout=30)
    assert watcher.returncode == 0, err
    assert err.rstrip().endswith("stopped")


@pytest.mark.parametrize(("outputs", "blocker", "message"), [
    ('types = "t.ts"\nopenapi = "src"\n', "src/", "cannot write src: src is a directory"),
    ('types = "t.ts"\nopenapi = "f/o.json"\n', "f", "cannot write f/o.json: f is a file, not a directory"),
])
def test_an_output_that_cannot_be_written_writes_none(fe: Frontend, v1_spec: Path, outputs: str, blocker: str,
                                                       message: str) -> None:
    """Nothing half-written: the types were written before the second output failed, with no lock."""
    fe.config(f'source = "{v1_spec}"\n{outputs}')
    if blocker.endswith("/"):
        (fe.root / blocker).mkdir()
    else:
        (fe.root / blocker).write_text("x")
    run = fe.run()
    assert run.code == 2 and run.err.count("\n") == 1 and message in run.err
    assert not (fe.root / "t.ts").exists() and not (fe.root / "contractsync.lock").exists()


def test_unreachable_registry(fe: Frontend) -> None:
    from ._helpers import free_port

    fe.config(f'registry = "http://127.0.0.1:{free_port()}"\ncontract = "bookshop"\ntypes = "t.ts"\n')
    run = fe.run()
    assert run.code == 2
    assert run.err.count("\n") == 1 and "cannot connect to the registry" in run.err and "tried 3 times" in run.err
