"""The publish body (announcements, policy, diff settings, source) and publish's input errors."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import orjson
import pytest

from contractsync.client.publish import SourceInfo, announcements_for, publish_body
from contractsync.config import load_config
from contractsync.spec.source import load_spec

from ._helpers import cli, git

PYPROJECT = """\
[tool.contractsync]
contracts_dir = "contracts"

[tool.contractsync.policy]
base = "origin/main:contracts/openapi.json"
min_deprecation_days = 30

[tool.contractsync.diff]
levels = { "response-property-became-nullable" = "warning" }
"""


def _project(tmp_path: Path, v1_spec: Path) -> Path:
    (tmp_path / "pyproject.toml").write_text(PYPROJECT)
    contracts = tmp_path / "contracts"
    contracts.mkdir()
    shutil.copy(v1_spec, contracts / "openapi.json")
    release = {"version": "2.0.0", "date": "2026-01-02", "bump": "major", "contract_sha256": "a" * 64,
               "previous_sha256": "b" * 64, "changes": [
                   {"id": "api-removed-without-deprecation", "level": "breaking", "section": "Removed",
                    "fingerprint": "c187f181e552", "message": "removed",
                    "announcement": {"reason": "Covers moved to the CDN.", "migration": "Use cover_url."}},
                   {"id": "endpoint-added", "level": "info", "section": "Added", "fingerprint": "a6b607d79793",
                    "message": "added"}]}
    first = {**release, "version": "1.0.0", "date": "2026-01-01", "bump": "minor", "contract_sha256": "b" * 64,
             "previous_sha256": None, "changes": []}
    (contracts / "changelog.json").write_text(json.dumps(
        {"format": "contractsync-changelog", "format_version": 1, "title": "", "releases": [release, first]}))
    (contracts / "announcements.yaml").write_text(
        "format: contractsync-announcements/1\nannouncements:\n"
        "- fingerprint: 9182be804057\n  reason: Popularity moved to search.\n"
        "- fingerprint: c187f181e552\n  reason: Covers are served by the CDN now.\n")
    return tmp_path


def test_body(tmp_path: Path, v1_spec: Path) -> None:
    root = _project(tmp_path, v1_spec)
    cfg = load_config(root / "pyproject.toml")
    assert announcements_for(cfg) == [
        {"fingerprint": "9182be804057", "reason": "Popularity moved to search.", "migration": None, "sunset": None},
        # the pending announcement wins over the accepted one with the same fingerprint
        {"fingerprint": "c187f181e552", "reason": "Covers are served by the CDN now.", "migration": None,
         "sunset": None},
    ]
    doc = load_spec(str(root / "contracts" / "openapi.json"))
    body = orjson.loads(publish_body(cfg, doc, SourceInfo("abc123", "main", None)))
    assert set(body) == {"openapi", "announcements", "policy", "diff", "source"}
    assert body["policy"] == {"min_deprecation_days": 30}  # `base` only locates a base in git
    assert body["diff"] == {"levels": {"response-property-became-nullable": "warning"}}
    assert body["source"] == {"commit": "abc123", "branch": "main", "url": None}
    assert body["openapi"] == orjson.loads(v1_spec.read_bytes())


@pytest.mark.parametrize(("args", "message"), [
    (["--contract", "bookshop"], "--registry URL is required"),
    (["--registry", "ftp://x", "--contract", "bookshop"], "--registry: 'ftp://x' is not an http(s):// URL"),
    (["--registry", "https://u:p@x.example", "--contract", "bookshop"], "credentials or a query in the URL"),
    (["--registry", "https://x.example/?token=1", "--contract", "bookshop"], "credentials or a query in the URL"),
    (["--registry", "https://x.example"], "--contract NAME is required"),
    (["--registry", "https://x.example", "--contract", "a/b"], "--contract: the contract name contains a slash"),
    (["--registry", "https://x.example", "--contract", "c", "--label", ".."], "--label: the label contains '..'"),
    (["--registry", "https://x.example", "--contract", "c", "missing.json"], "missing.json: no such file"),
    # No token and no registry: the one line says what failed (a warning line came first).
    (["--registry", "http://127.0.0.1:9", "--contract", "c"], "cannot connect to the registry"),
])
def test_input_errors(tmp_path: Path, v1_spec: Path, monkeypatch: pytest.MonkeyPatch,
                      capsys: pytest.CaptureFixture[str], args: list[str], message: str) -> None:
    root = _project(tmp_path, v1_spec)
    run = cli(monkeypatch, capsys, root, "publish", *args, env={"CONTRACTSYNC_REGISTRY": None, "CONTRACTSYNC_TOKEN": None})
    assert run.code == 2
    assert message in run.err and run.err.strip().count("\n") == 0, run.err


def test_source_defaults_to_git(tmp_path: Path, v1_spec: Path) -> None:
    from contractsync.client.publish import git_source

    root = _project(tmp_path, v1_spec)
    assert git_source(root) == SourceInfo(None, None, None)
    git(root, "init", "-q", "-b", "trunk")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "x")
    assert git_source(root) == SourceInfo(git(root, "rev-parse", "HEAD"), "trunk", None)


@pytest.mark.parametrize("answer", [
    {"detail": "refused", "causes": 5},
    {"detail": "refused", "causes": [{"fingerprint": "abcdef123456", "rule": "r", "operations": 5}]},
    {"detail": "refused", "causes": [{"fingerprint": "abcdef123456", "rule": "r", "operations": "GET /a"}, "x"]},
])
def test_a_hostile_409_is_printed_not_a_crash(answer: dict[str, object], capsys: pytest.CaptureFixture[str]) -> None:
    """A 409 whose causes were not a list, or whose operations were a number, was
    'internal error: TypeError' in publish; any JSON a registry sends is now shown as far as it
    has the expected shape."""
    import httpx

    from contractsync.cli.publish import _refusal_text
    from contractsync.client.http import RegistryClient
    from contractsync.client.publish import publish

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(409, json=answer, headers={"Content-Type": "application/problem+json"})

    client = RegistryClient("http://r.example", transport=httpx.MockTransport(handler))
    result = publish(client, "shop", "main", b"{}", "sha256:" + "0" * 64)
    assert result.status == 409
    text = _refusal_text(result.causes, result.detail, "shop", "main")
    assert text.startswith("contractsync publish: REFUSED by label main of shop")
