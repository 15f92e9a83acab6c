"""What ``contractsync diff`` says it compared (#11): documentation-only edits, a base that does
not exist, and the ``--level`` display filter — the same in every output format."""

from __future__ import annotations

import copy
import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

from contractsync.cli import main
from contractsync.diff import examples as ex

FORMATS = ["text", "markdown", "json", "github", "junit", "sarif"]


def _api() -> dict[str, Any]:
    return ex.doc({"/books": {"get": {
        "summary": "List books",
        "parameters": [{"name": "limit", "in": "query", "schema": {"type": "integer"}}],
        "responses": {"200": {"description": "The books", "content": {"application/json": {
            "schema": {"type": "array", "items": {"type": "string"}}}}}}}}})


def _docs_only(v1: dict[str, Any]) -> dict[str, Any]:
    v2 = copy.deepcopy(v1)
    op = v2["paths"]["/books"]["get"]
    op["summary"] = "List all books"
    op["responses"]["200"]["description"] = "Every book"
    op["parameters"][0]["description"] = "At most this many"
    return v2


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(argv)
    out, _ = capsys.readouterr()
    return code, out


@pytest.fixture
def docs_pair(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "old.json").write_text(json.dumps(_api(), indent=2))
    (tmp_path / "new.json").write_text(json.dumps(_docs_only(_api()), indent=2))
    return ["old.json", "new.json"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_documentation_only_diff_says_so_in_every_format(docs_pair: list[str], fmt: str,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    code, out = _run(["diff", *docs_pair, "--format", fmt], capsys)
    assert code == 0
    assert "no API changes (3 documentation-only edits)" in out
    assert "documentation-changed" not in out


@pytest.mark.parametrize("fmt", FORMATS)
def test_include_docs_lists_them_and_they_never_fail(docs_pair: list[str], fmt: str,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    code, out = _run(["diff", *docs_pair, "--format", fmt, "--include-docs", "--fail-on", "info"],
                     capsys)
    assert code == 0
    assert out.count("documentation-changed") >= 3 or fmt == "sarif"
    assert "documentation-changed" in out
    if fmt == "json":
        data = json.loads(out)
        assert data["documentation_edits"] == 3 and data["failed"] is False
        assert sorted(c["location"]["detail"] for c in data["changes"]) == [
            "parameters.0.description", "responses.200.description", "summary"]


def test_identical_documents_are_no_changes(docs_pair: list[str],
                                            capsys: pytest.CaptureFixture[str]) -> None:
    code, out = _run(["diff", docs_pair[0], docs_pair[0]], capsys)
    assert code == 0 and "no changes" in out and "documentation" not in out


# --- --level: what is listed, not what fails --------------------------------------------------

@pytest.fixture
def mixed_pair(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """One breaking change (a response type), one info (a new optional parameter)."""
    monkeypatch.chdir(tmp_path)
    v2 = _api()
    op = v2["paths"]["/books"]["get"]
    op["parameters"].append({"name": "q", "in": "query", "schema": {"type": "string"}})
    op["responses"]["200"]["content"]["application/json"]["schema"]["items"] = {"type": "integer"}
    (tmp_path / "old.json").write_text(json.dumps(_api(), indent=2))
    (tmp_path / "new.json").write_text(json.dumps(v2, indent=2))
    return ["old.json", "new.json"]


def test_level_filters_the_listing_not_the_verdict(mixed_pair: list[str],
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    code, out = _run(["diff", *mixed_pair, "--format", "json"], capsys)
    full = json.loads(out)
    assert code == 1 and len(full["changes"]) == 2
    code, out = _run(["diff", *mixed_pair, "--format", "json", "--level", "breaking"], capsys)
    shown = json.loads(out)
    assert code == 1
    assert [c["level"] for c in shown["changes"]] == ["breaking"]
    assert shown["summary"] == full["summary"] and shown["not_listed"] == 1
    # The verdict follows --fail-on even for changes that are not listed.
    code, out = _run(["diff", *mixed_pair, "--level", "breaking", "--fail-on", "info"], capsys)
    assert code == 1 and "new-optional-request-parameter" not in out
    assert "1 below the display level not listed" in out
    code, out = _run(["diff", *mixed_pair, "--level", "info", "--format", "markdown"], capsys)
    assert "new-optional-request-parameter" in out


def test_level_must_be_a_level(mixed_pair: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["diff", *mixed_pair, "--level", "fatal"]) == 2
    assert "--level" in capsys.readouterr().err


# --- no base contract -------------------------------------------------------------------------

def _git(cwd: Path, *args: str) -> None:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.invalid",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.invalid"}
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, env=env)


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_contract_newer_than_the_base_revision_says_there_is_no_base(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
        fmt: str) -> None:
    monkeypatch.chdir(tmp_path)
    _git(tmp_path, "init", "-q", "-b", "main")
    (tmp_path / "README").write_text("x\n")
    _git(tmp_path, "add", ".")
    _git(tmp_path, "commit", "-q", "-m", "before the contract")
    (tmp_path / "openapi.json").write_text(json.dumps(_api()))
    code, out = _run(["diff", "main:openapi.json", "openapi.json", "--format", fmt], capsys)
    assert code == 0
    assert "no base contract to compare with" in out and "no changes" not in out
    # A revision that does not exist, or a NEW side that cannot be read, is still an error.
    assert main(["diff", "nosuch:openapi.json", "openapi.json"]) == 2
    assert main(["diff", "main:openapi.json", "missing.json"]) == 2


# --- check's headline ---------------------------------------------------------------------------

def test_check_headline_says_what_was_compared() -> None:
    from contractsync.diff import Report
    from contractsync.gate import GateResult, format_json, format_markdown, format_text

    no_base = GateResult()
    assert format_text(no_base).startswith(
        "contractsync check: OK — no base contract to compare with: breaking changes were not "
        "checked\n")
    assert "no base contract to compare with" in format_markdown(no_base)
    assert "no base contract to compare with" in json.loads(format_json(no_base))["headline"]
    docs_only = GateResult(base="main", report=Report(doc_edits=2))
    assert format_text(docs_only).startswith(
        "contractsync check: OK — no API changes (2 documentation-only edits)\n")
    assert "no API changes (2 documentation-only edits)" in format_markdown(docs_only)


def test_watch_status_line_says_documentation_only() -> None:
    from datetime import datetime

    from contractsync.diff import Report
    from contractsync.watch.pipeline import ExportOutcome, RebuildResult
    from contractsync.watch.render import status_lines

    def line(report: Report) -> str:
        result = RebuildResult(started=datetime.now().astimezone(), trigger=["a.py"],
                               export=ExportOutcome("ok"), contract=Path("openapi.json"),
                               report=report)
        return "\n".join(status_lines(result))

    assert "no API changes vs the contract (2 documentation-only edits)" in line(Report(doc_edits=2))
    assert "no changes vs the contract" in line(Report())
