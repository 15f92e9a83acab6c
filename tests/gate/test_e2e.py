"""The CI gate end to end, in real temporary git repositories with small FastAPI apps.

main holds contract v1 (accepted on V1_DATE); each test copies that repository, branches, changes
the app and runs the CLI as a user would. App exports run in a child process (~1 s each), so the
tests keep their number low.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from contractsync.cli import main

from ._repo import NOW, V1_DATE, git, make_repo, write_app

REPO_ROOT = Path(__file__).resolve().parents[2]
FP_RE = re.compile(r"fingerprint ([0-9a-f]{12})")


def module_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH")]))
    env["NO_COLOR"] = "1"
    return env


def run_module(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "contractsync", *args], cwd=cwd, capture_output=True,
                          text=True, env=module_env(), check=False, timeout=120)


@pytest.fixture(scope="module")
def v1_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """main with contract v1 accepted and committed (built once per module, copied per test)."""
    repo = tmp_path_factory.mktemp("v1") / "shop"
    make_repo(repo)
    proc = run_module(repo, "accept", "--now", V1_DATE)
    assert proc.returncode == 0, proc.stderr
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "v1")
    return repo


@pytest.fixture
def repo(v1_repo: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "shop"
    shutil.copytree(v1_repo, copy, symlinks=True)
    git(copy, "checkout", "-q", "-b", "feature")
    return copy


@dataclass
class Run:
    code: int
    out: str
    err: str


@pytest.fixture
def cli(repo: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Callable[..., Run]:
    monkeypatch.chdir(repo)
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("COLUMNS", "200")

    def run(*args: str) -> Run:
        code = main(list(args))
        captured = capsys.readouterr()
        return Run(code, captured.out, captured.err)

    return run


def contracts(repo: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((repo / "contracts").iterdir())}


def test_v1_is_recorded_on_main(v1_repo: Path) -> None:
    files = contracts(v1_repo)
    assert set(files) == {"openapi.json", "types.ts", "changelog.json", "CHANGELOG.md"}
    history = json.loads(files["changelog.json"])
    assert [r["version"] for r in history["releases"]] == ["1.0.0"]  # info.version of the first contract
    assert history["releases"][0]["date"] == V1_DATE
    assert "## [1.0.0] - 2026-01-15" in files["CHANGELOG.md"].decode()
    assert b"isbn" in files["types.ts"]


def test_library_api(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The same gate from Python: check → announce → accept → check."""
    import datetime as dt

    from contractsync import gate
    from contractsync.config import load_config

    monkeypatch.chdir(repo)
    write_app(repo, isbn=False)
    cfg = load_config()
    now = dt.date(2026, 11, 26)
    first = gate.check(cfg, now=now)
    assert not first.ok and first.contract_current is False
    kinds = sorted(b.kind for b in first.blockers)
    assert kinds == ["stale-contract", "unannounced-breaking"]
    fp = next(b.fingerprint for b in first.blockers if b.fingerprint)
    assert fp is not None and first.report is not None and fp in {c.fingerprint for c in first.report}
    items = gate.announce(cfg, [fp], reason="ISBNs moved", now=now)
    assert [a.fingerprint for a in items] == [fp]
    accepted = gate.accept(cfg, now=now)
    assert accepted.release is not None and accepted.release.version == "2.0.0"
    assert accepted.release.breaking[0].announcement is not None
    assert gate.check(cfg, now=now).ok


def test_breaking_change_blocks_until_announced_and_accepted(repo: Path, cli: Callable[..., Run]) -> None:
    types_before = (repo / "contracts" / "types.ts").read_text()
    write_app(repo, isbn=False)
    summary = repo.parent / "summary.md"

    blocked = cli("check", "--now", NOW, "--format", "github", "--summary", str(summary))
    assert blocked.code == 1, blocked.err
    assert "contractsync check: BLOCKED" in blocked.out
    assert "contracts/openapi.json is stale against the code" in blocked.out
    fps = FP_RE.findall(blocked.out)
    assert len(set(fps)) == 1, blocked.out
    fp = fps[0]
    assert f"fix: contractsync announce {fp} --reason" in blocked.out
    assert re.search(r"^::error file=contracts/openapi.json,line=\d+,col=\d+,title=contractsync%3A "
                     r"unannounced-breaking::breaking change not announced", blocked.out, re.M), blocked.out
    assert f"contractsync announce {fp}" in summary.read_text()

    refused = cli("accept", "--now", NOW)
    assert refused.code == 1
    assert "nothing was written" in refused.err and fp in refused.err

    announced = cli("announce", fp, "--reason", "ISBNs moved to the editions resource",
                    "--migration", "Read editions[].isbn instead", "--now", NOW)
    assert announced.code == 0, announced.err
    pending = (repo / "contracts" / "announcements.yaml").read_text()
    assert f"fingerprint: {fp}" in pending and "ISBNs moved" in pending

    accepted = cli("accept", "--now", NOW)
    assert accepted.code == 0, accepted.err
    assert "accepted 2.0.0" in accepted.out and "1 breaking" in accepted.out
    assert "info.version in the app is 1.0.0 but this release is 2.0.0" in accepted.err
    assert not (repo / "contracts" / "announcements.yaml").exists()  # moved into the changelog

    passed = cli("check", "--now", NOW)
    assert passed.code == 0, passed.out
    assert "contractsync check: OK" in passed.out
    assert f"✓ {fp}" in passed.out and "announced: ISBNs moved" in passed.out

    changelog = (repo / "contracts" / "CHANGELOG.md").read_text()
    release = changelog[changelog.index("## [2.0.0] - 2026-11-26"):changelog.index("## [1.0.0]")]
    assert "- **Breaking:**" in release
    assert "  - Why: ISBNs moved to the editions resource" in release
    assert "  - Migration: Read editions\\[\\].isbn instead" in release
    assert "`GET /books/{book_id}`" in release and fp in release
    entry = json.loads((repo / "contracts" / "changelog.json").read_text())["releases"][0]["changes"]
    assert any(e["fingerprint"] == fp and e["announcement"]["reason"].startswith("ISBNs") for e in entry)

    types_after = (repo / "contracts" / "types.ts").read_text()
    assert types_after != types_before
    assert "isbn" in types_before and "isbn" not in types_after

    html_page = cli("changelog", "--since", "1.0.0", "--format", "html")
    assert html_page.code == 0
    assert 'class="breaking"' in html_page.out and "2.0.0" in html_page.out and "1.0.0</h2>" not in html_page.out


def test_accept_with_inline_announcement(repo: Path, cli: Callable[..., Run]) -> None:
    write_app(repo, isbn=False)
    accepted = cli("accept", "--now", NOW, "--announce", "Dropped ISBNs", "--version", "3.0.0")
    assert accepted.code == 0, accepted.err
    assert "accepted 3.0.0 (suggested 2.0.0)" in accepted.out
    md = (repo / "contracts" / "CHANGELOG.md").read_text()
    assert "## [3.0.0] - 2026-11-26" in md and "Why: Dropped ISBNs" in md


def test_announce_all_breaking_and_unknown_fingerprint(repo: Path, cli: Callable[..., Run]) -> None:
    write_app(repo, isbn=False)
    unknown = cli("announce", "deadbeef0000", "--reason", "typo", "--now", NOW)
    assert unknown.code == 2
    assert "fingerprint 'deadbeef0000' is not a change between the base and the code" in unknown.err
    assert "response-required-property-removed" in unknown.err  # it lists what there is
    assert not (repo / "contracts" / "announcements.yaml").exists()
    everything = cli("announce", "--all-breaking", "--reason", "v2 drops ISBNs", "--now", NOW)
    assert everything.code == 0, everything.err
    assert len(re.findall(r"^announced [0-9a-f]{12} ", everything.out, re.M)) == 1


def test_major_bump_policy_flag(repo: Path, cli: Callable[..., Run]) -> None:
    write_app(repo, isbn=False, version="2.0.0")
    accepted = cli("accept", "--now", NOW, "--allow-major-bump")
    assert accepted.code == 0, accepted.err
    assert "accepted 2.0.0" in accepted.out and "warning" not in accepted.err
    md = (repo / "contracts" / "CHANGELOG.md").read_text()
    assert "  - Allowed without announcement: info.version 1.0.0 → 2.0.0 is a major bump (allow_major_bump)" in md
    assert cli("check", "--now", NOW).code == 1  # off by default: announcements are the point
    assert cli("check", "--now", NOW, "--allow-major-bump").code == 0


def test_ignore_by_fingerprint_with_reason_and_expiry(repo: Path, cli: Callable[..., Run]) -> None:
    write_app(repo, isbn=False)
    fp = FP_RE.findall(cli("check", "--now", NOW).out)[0]
    with (repo / "pyproject.toml").open("a") as fh:
        fh.write(f'\n[[tool.contractsync.diff.ignore]]\nfingerprint = "{fp}"\n'
                 'reason = "No client reads isbn (checked with the frontend team)"\nexpires = 2026-12-31\n')
    ignored = json.loads(cli("check", "--now", NOW, "--format", "json").out)
    assert [b["kind"] for b in ignored["blockers"]] == ["stale-contract"]
    assert any("ignored by [tool.contractsync.diff]" in n for n in ignored["notes"])
    expired = json.loads(cli("check", "--now", "2027-01-05", "--format", "json").out)
    assert "unannounced-breaking" in [b["kind"] for b in expired["blockers"]]
    assert any("expired on 2026-12-31" in n for n in expired["notes"])


def test_policy_from_pyproject(repo: Path, cli: Callable[..., Run]) -> None:
    with (repo / "pyproject.toml").open("a") as fh:
        fh.write('\n[tool.contractsync.policy]\nallow_major_bump = true\nbase = "main:contracts/openapi.json"\n')
    write_app(repo, isbn=False, version="2.0.0")
    accepted = cli("accept", "--now", NOW)
    assert accepted.code == 0, accepted.err
    r = cli("check", "--now", NOW)
    assert r.code == 0, r.out
    assert "against main:contracts/openapi.json" in r.out and "is a major bump (allow_major_bump)" in r.out


def test_min_deprecation_days(repo: Path, cli: Callable[..., Run]) -> None:
    write_app(repo, books_sunset="2026-12-26")
    r = cli("check", "--now", NOW, "--min-deprecation-days", "90")
    assert r.code == 1
    assert ("GET /books is deprecated with x-sunset 2026-12-26, less than the policy's 90 days from 2026-11-26"
            in r.out)
    assert "fix: set x-sunset to 2027-02-24 or later" in r.out
    assert re.search(r"at contracts/openapi.json:\d+:\d+", r.out) is None  # stale: the new line is not there yet
    accepted = cli("accept", "--now", NOW, "--min-deprecation-days", "30")
    assert accepted.code == 0 and "accepted 1.1.0" in accepted.out  # a deprecation is a minor release
    assert "### Deprecated" in (repo / "contracts" / "CHANGELOG.md").read_text()


def test_version_smaller_than_the_changes_need_is_refused(repo: Path, cli: Callable[..., Run]) -> None:
    before = contracts(repo)
    write_app(repo, isbn=False)
    r = cli("accept", "--now", NOW, "--announce", "Dropped ISBNs", "--version", "1.1.0")
    assert r.code == 2
    assert "--version 1.1.0 is a minor release but the changes need a major one (suggested: 2.0.0)" in r.err
    assert contracts(repo) == before


def test_sunset_in_the_future_blocks_and_past_allows(repo: Path, cli: Callable[..., Run]) -> None:
    write_app(repo, legacy=False)
    before = contracts(repo)
    early = cli("check", "--now", "2026-05-01")
    assert early.code == 1
    assert "before its sunset" in early.out and "x-sunset 2026-06-01 (31 days from now)" in early.out
    refused = cli("accept", "--now", "2026-05-01", "--announce", "we want it gone")
    assert refused.code == 1 and contracts(repo) == before

    late = cli("accept", "--now", "2026-07-01")
    assert late.code == 0, late.err
    md = (repo / "contracts" / "CHANGELOG.md").read_text()
    removed = md[md.index("### Removed"):]
    assert "GET /legacy: removed after its sunset 2026-06-01" in removed
    ok = cli("check", "--now", "2026-07-01")
    assert ok.code == 0, ok.out


def test_deprecated_without_sunset(repo: Path, cli: Callable[..., Run]) -> None:
    # Removing an operation deprecated without x-sunset is reported at info level (as oasdiff does):
    # it passes, is recorded under Removed, and still makes a major release (SemVer's FAQ).
    write_app(repo, old=False)
    accepted = cli("accept", "--now", NOW)
    assert accepted.code == 0, accepted.err
    assert "accepted 2.0.0" in accepted.out and "0 breaking" in accepted.out
    md = (repo / "contracts" / "CHANGELOG.md").read_text()
    removed = md[md.index("### Removed"):]
    assert "GET /old" in removed
    assert cli("check", "--now", NOW).code == 0


def test_deprecated_without_sunset_raised_to_breaking(repo: Path, cli: Callable[..., Run]) -> None:
    # A project that wants such removals announced raises the rule; the gate then asks for it.
    with (repo / "pyproject.toml").open("a") as fh:
        fh.write('\n[tool.contractsync.diff.levels]\napi-removed-with-deprecation = "breaking"\n'
                 'api-path-removed-with-deprecation = "breaking"\n')
    write_app(repo, old=False)
    r = cli("check", "--now", NOW, "--format", "json")
    assert r.code == 1
    blockers = [b for b in json.loads(r.out)["blockers"] if b["kind"] == "unannounced-breaking"]
    assert len(blockers) == 1 and "without an x-sunset" in blockers[0]["message"]


def test_stale_contract_and_minor_release(repo: Path, cli: Callable[..., Run]) -> None:
    write_app(repo, authors=True)
    stale = cli("check", "--now", NOW)
    assert stale.code == 1
    assert "contracts/openapi.json is stale against the code" in stale.out
    assert "1 operation added: GET /authors" in stale.out and "fix: contractsync accept" in stale.out
    assert "not announced" not in stale.out
    # `export` moves the stored contract on without a release; accept finds the last release's
    # contract in git history, so the release still lists the change.
    assert cli("export").code == 0
    accepted = cli("accept", "--now", NOW)
    assert accepted.code == 0 and "accepted 1.1.0" in accepted.out
    assert "was not found" not in accepted.err
    md = (repo / "contracts" / "CHANGELOG.md").read_text()
    added = md[md.index("## [1.1.0]"):md.index("## [1.0.0]")]
    assert "### Added" in added and "GET /authors" in added


def test_stale_types_and_hand_edited_changelog_md(repo: Path, cli: Callable[..., Run]) -> None:
    types = repo / "contracts" / "types.ts"
    types.write_text(types.read_text() + "\nexport type Extra = 1;\n")
    md = repo / "contracts" / "CHANGELOG.md"
    md.write_text(md.read_text() + "\nA hand-written note.\n")
    r = cli("check", "--now", NOW)
    assert r.code == 1
    assert "contracts/types.ts is not the types generated from contracts/openapi.json" in r.out
    assert "contracts/CHANGELOG.md is not what changelog.json renders" in r.out
    assert "fix: contractsync changelog --write" in r.out
    assert cli("changelog", "--write").code == 0
    regenerated = cli("accept", "--now", NOW)
    assert regenerated.code == 0 and "already accepted; regenerated" in regenerated.out
    assert cli("check", "--now", NOW).code == 0


@pytest.mark.parametrize("damage", ["truncate", "drop-release-field", "reorder"])
def test_corrupt_or_hand_edited_changelog_json(repo: Path, cli: Callable[..., Run], damage: str) -> None:
    path = repo / "contracts" / "changelog.json"
    data = json.loads(path.read_text())
    if damage == "truncate":
        path.write_text(path.read_text()[:120])
    elif damage == "drop-release-field":
        del data["releases"][0]["contract_sha256"]
        path.write_text(json.dumps(data, indent=2))
    else:
        second = dict(data["releases"][0], version="0.9.0", previous_sha256=None)
        data["releases"][0]["previous_sha256"] = second["contract_sha256"]
        data["releases"] = [second, data["releases"][0]]
        path.write_text(json.dumps(data, indent=2))
    write_app(repo, authors=True)
    before = contracts(repo)
    for args in (("check", "--now", NOW), ("accept", "--now", NOW)):
        r = cli(*args)
        assert r.code == 2, (args, r.out, r.err)
        assert "contracts/changelog.json" in r.err and "restore it from git" in r.err
        assert contracts(repo) == before


def test_racing_accepts_serialize(repo: Path) -> None:
    write_app(repo, isbn=False)
    procs = [subprocess.Popen([sys.executable, "-m", "contractsync", "accept", "--now", NOW, "--announce",
                               "Dropped ISBNs"], cwd=repo, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True, env=module_env())
             for _ in range(2)]
    outs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outs
    stdout = [o[0] for o in outs]
    assert sum("accepted 2.0.0" in s for s in stdout) == 1, stdout
    assert sum("already accepted" in s for s in stdout) == 1, stdout
    history = json.loads((repo / "contracts" / "changelog.json").read_text())
    assert [r["version"] for r in history["releases"]] == ["2.0.0", "1.0.0"]
    assert not (repo / "contracts" / ".contractsync.lock").exists()
    assert run_module(repo, "check", "--now", NOW).returncode == 0


def test_shallow_clone_says_to_fetch_the_base(repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    write_app(repo, isbn=False)
    git(repo, "commit", "-q", "-am", "drop isbn")
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", "--depth", "1", "--branch", "feature", f"file://{repo}", str(clone))
    monkeypatch.chdir(clone)
    assert main(["check", "--base", "origin/main:contracts/openapi.json"]) == 2
    err = capsys.readouterr().err
    assert "cannot read the base contract: git revision 'origin/main' not found" in err
    assert "shallow clone, fetch it first" in err and "git fetch origin main" in err
    assert main(["check"]) == 2
    err = capsys.readouterr().err
    assert "shallow clone" in err and "fetch" in err and "--base" in err


def test_github_action_script(repo: Path) -> None:
    """The composite action's check step, run as a runner would run it (bash, env, output files)."""
    import yaml

    action = yaml.safe_load((REPO_ROOT / "action.yml").read_text())
    step = next(s for s in action["runs"]["steps"] if s.get("id") == "check")
    write_app(repo, isbn=False)
    summary, output = repo.parent / "summary.md", repo.parent / "output.txt"
    env = {**module_env(), "GITHUB_STEP_SUMMARY": str(summary), "GITHUB_OUTPUT": str(output),
           "INPUT_BASE": "main:contracts/openapi.json", "INPUT_CONTRACT": "contracts/openapi.json",
           "INPUT_NOW": NOW, "INPUT_ARGS": "--no-allow-major-bump", "BASE_REF": "main"}
    wrapper = repo.parent / "bin"
    wrapper.mkdir()
    (wrapper / "contractsync").write_text(f'#!/bin/sh\nexec "{sys.executable}" -m contractsync "$@"\n')
    (wrapper / "contractsync").chmod(0o755)
    env["PATH"] = f"{wrapper}{os.pathsep}{env['PATH']}"
    proc = subprocess.run(["bash", "-e", "-c", step["run"]], cwd=repo, env=env, capture_output=True, text=True,
                          timeout=120, check=False)
    assert proc.returncode == 1, proc.stderr
    assert "::error file=contracts/openapi.json" in proc.stdout
    assert output.read_text() == "result=blocked\n"
    assert summary.read_text().startswith("## ❌ contractsync check blocked")


def test_pre_commit_hook_definition() -> None:
    import yaml

    hooks = yaml.safe_load((REPO_ROOT / ".pre-commit-hooks.yaml").read_text())
    hook = next(h for h in hooks if h["id"] == "contractsync-check")
    assert hook["entry"] == "contractsync check" and hook["pass_filenames"] is False
    assert "contractsync-check" in (REPO_ROOT / "docs" / "ci.md").read_text()


def test_a_break_of_a_release_made_on_the_branch_can_be_announced(repo: Path, cli: Callable[..., Run]) -> None:
    # Found on whaaaley/python-todo: a branch accepts a release (GET /authors added), then removes
    # what that release added. Against the base nothing changed; `accept` compares with the
    # branch's release and refuses the removal as unannounced, telling the user to run
    # `contractsync announce <fp>`, which refused the fingerprint as "not a change between the
    # base and the code": the only way out was accept --announce.
    write_app(repo, authors=True)
    assert cli("accept", "--now", NOW).code == 0
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "authors")
    write_app(repo, authors=False)
    refused = cli("accept", "--now", NOW)
    assert refused.code == 1
    fp = re.search(r"contractsync announce ([0-9a-f]{12})", refused.out + refused.err)
    assert fp is not None, refused.out + refused.err
    # check names it too (it said only "stale: fix: contractsync accept", which then refused).
    blocked = cli("check", "--now", NOW)
    assert blocked.code == 1
    assert f"breaking change not announced: api-path-removed-without-deprecation (fingerprint {fp.group(1)})" \
        in blocked.out, blocked.out
    everything = cli("announce", "--all-breaking", "--reason", "authors were a mistake", "--now", NOW)
    assert everything.code == 0, everything.err
    assert re.findall(r"^announced ([0-9a-f]{12}) ", everything.out, re.M) == [fp.group(1)]
    (repo / "contracts" / "announcements.yaml").unlink()
    named = cli("announce", fp.group(1), "--reason", "authors were a mistake", "--now", NOW)
    assert named.code == 0, named.err
    accepted = cli("accept", "--now", NOW)
    assert accepted.code == 0, accepted.err
    assert cli("check", "--now", NOW).code == 0
