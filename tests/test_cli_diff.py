"""``contractsync diff`` end to end: sources (files, git revisions, the example app), every
format, exit codes, and bad input that must end in exit 2 with nothing written."""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from contractsync.cli import main
from tests.conftest import REPO

EXAMPLE = REPO / "examples" / "bookshop"
SCHEMA = REPO / "docs" / "diff-output.schema.json"


def _book_api() -> dict[str, Any]:
    """A small OpenAPI 3.1 document in FastAPI's shape."""
    return {
        "openapi": "3.1.0",
        "info": {"title": "Books", "version": "1.0.0"},
        "paths": {
            "/books": {
                "get": {
                    "operationId": "list_books",
                    "parameters": [
                        {"name": "limit", "in": "query", "required": False,
                         "schema": {"type": "integer", "default": 10}},
                    ],
                    "responses": {"200": {"description": "OK", "content": {"application/json": {
                        "schema": {"type": "array", "items": {"$ref": "#/components/schemas/Book"}}}}}},
                },
                "post": {
                    "operationId": "create_book",
                    "requestBody": {"required": True, "content": {"application/json": {
                        "schema": {"$ref": "#/components/schemas/BookIn"}}}},
                    "responses": {"201": {"description": "Created", "content": {"application/json": {
                        "schema": {"$ref": "#/components/schemas/Book"}}}}},
                },
            },
            "/books/{book_id}": {
                "get": {
                    "operationId": "get_book",
                    "parameters": [{"name": "book_id", "in": "path", "required": True,
                                    "schema": {"type": "integer"}}],
                    "responses": {"200": {"description": "OK", "content": {"application/json": {
                        "schema": {"$ref": "#/components/schemas/Book"}}}}},
                },
            },
        },
        "components": {"schemas": {
            "Book": {"type": "object", "required": ["id", "title", "isbn"], "properties": {
                "id": {"type": "integer"}, "title": {"type": "string"}, "isbn": {"type": "string"}}},
            "BookIn": {"type": "object", "required": ["title"], "properties": {
                "title": {"type": "string"}, "isbn": {"type": "string"}}},
        }},
    }


def _breaking_v2(v1: dict[str, Any]) -> dict[str, Any]:
    """v1 with GET /books/{book_id} removed (breaking) and a new optional query parameter (safe)."""
    v2 = copy.deepcopy(v1)
    del v2["paths"]["/books/{book_id}"]
    v2["paths"]["/books"]["get"]["parameters"].append(
        {"name": "q", "in": "query", "required": False, "schema": {"type": "string"}})
    v2["info"]["version"] = "1.1.0"
    return v2


def _safe_v2(v1: dict[str, Any]) -> dict[str, Any]:
    v2 = copy.deepcopy(v1)
    v2["paths"]["/books"]["get"]["parameters"].append(
        {"name": "q", "in": "query", "required": False, "schema": {"type": "string"}})
    return v2


def _write(path: Path, data: dict[str, Any]) -> Path:
    path.write_text(json.dumps(data, indent=2) + "\n")
    return path


@pytest.fixture
def pair(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[str, str]:
    monkeypatch.chdir(tmp_path)
    v1 = _book_api()
    _write(tmp_path / "old.json", v1)
    _write(tmp_path / "new.json", _breaking_v2(v1))
    return "old.json", "new.json"


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


# --- bad input: exit 2, one line, nothing written -----------------------------------------------

SWAGGER2 = b'{"swagger": "2.0", "info": {"title": "k8s", "version": "1"}, "paths": {}}'
DANGLING = json.dumps({
    "openapi": "3.1.0", "info": {"title": "x", "version": "1"},
    "paths": {"/a": {"get": {"responses": {"200": {"description": "ok", "content": {
        "application/json": {"schema": {"$ref": "#/components/schemas/Nope"}}}}}}}},
}).encode()
EXTERNAL = json.dumps({
    "openapi": "3.1.0", "info": {"title": "x", "version": "1"},
    "paths": {"/a": {"get": {"responses": {"200": {"description": "ok", "content": {
        "application/json": {"schema": {"$ref": "other.yaml#/Book"}}}}}}}},
}).encode()

BAD_INPUT: list[tuple[str, bytes | None, list[str]]] = [
    ("missing file", None, ["bad.json", "no such file"]),
    ("invalid JSON", b'{\n  "openapi": "3.1.0",\n  "info": ,\n}', ["bad.json:3:11", "invalid JSON"]),
    ("Swagger 2.0", SWAGGER2, ["bad.json", "Swagger 2.0", "convert it to OpenAPI 3"]),
    ("$ref to a missing component", DANGLING, ["bad.json:/paths/~1a/get/responses/200/content/"
                                               "application~1json/schema", "#/components/schemas/Nope"]),
    ("external $ref refused", EXTERNAL, ["bad.json:", "external $ref 'other.yaml#/Book'",
                                         "--allow-external-refs"]),
]


@pytest.mark.parametrize("side", ["base", "new"])
@pytest.mark.parametrize(("name", "content", "expected"), BAD_INPUT, ids=[c[0] for c in BAD_INPUT])
def test_bad_input_exit_2_one_line_nothing_written(
    name: str, content: bytes | None, expected: list[str], side: str,
    pair: tuple[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    if content is not None:
        (tmp_path / "bad.json").write_bytes(content)
    args = ["bad.json", pair[1]] if side == "base" else [pair[0], "bad.json"]
    report = tmp_path / "report.json"
    report.write_text("previous report\n")
    code, out, err = _run(["diff", *args, "--format", "json", "-o", str(report)], capsys)
    assert code == 2
    assert out == ""
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert lines[0].startswith("contractsync: error: ")
    for text in expected:
        assert text in lines[0], (text, lines[0])
    # The previous report is intact: no "no changes" written when loading failed.
    assert report.read_text() == "previous report\n"
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".report")) == []


def test_kubernetes_swagger2_pair_is_a_clear_error(corpus: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pair = corpus / "pairs" / "kubernetes-swagger2"
    code, out, err = _run(["diff", str(pair / "old.json"), str(pair / "new.json")], capsys)
    assert code == 2 and out == ""
    assert err.strip() == (
        f"contractsync: error: {pair / 'old.json'}: is Swagger 2.0 (OpenAPI 2.0), which contractsync "
        "does not read; convert it to OpenAPI 3 first (e.g. with swagger2openapi or the Swagger Editor)"
    )


def test_usage_errors(pair: tuple[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    for argv, expected in [
        (["--format", "yaml"], "contractsync: error: --format: must be one of text, markdown, json"),
        (["--fail-on", "error"], "contractsync: error: --fail-on: must be one of breaking, warning, info, never"),
        (["--now", "26/11/2026"], "contractsync: error: --now: '26/11/2026' is not a date (YYYY-MM-DD) or an ISO date-time"),
    ]:
        code, out, err = _run(["diff", *pair, *argv], capsys)
        assert code == 2 and out == ""
        assert err.strip().startswith(expected), err
    code, _, err = _run(["diff", "-", "-"], capsys)
    assert code == 2 and "only one side can be read from standard input" in err


def test_no_stored_contract(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                            capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    _write(tmp_path / "new.json", _book_api())
    code, out, err = _run(["diff"], capsys)
    assert code == 2 and out == ""
    assert "contracts/openapi.json: no stored contract to compare with" in err
    assert len(err.strip().splitlines()) == 1


# --- results and exit codes -----------------------------------------------------------------------


def test_exit_codes_follow_fail_on(pair: tuple[str, str], tmp_path: Path,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(["diff", *pair], capsys)
    assert code == 1
    assert "GET /books/{book_id}" in out
    assert _run(["diff", *pair, "--fail-on", "never"], capsys)[0] == 0
    _write(tmp_path / "safe.json", _safe_v2(_book_api()))
    assert _run(["diff", "old.json", "safe.json"], capsys)[0] == 0
    assert _run(["diff", "old.json", "safe.json", "--fail-on", "info"], capsys)[0] == 1
    code, out, _ = _run(["diff", "old.json", "old.json", "--fail-on", "info"], capsys)
    assert code == 0 and "no changes" in out


def test_json_output_is_valid_against_the_schema(pair: tuple[str, str], tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    import jsonschema
    code, out, _ = _run(["diff", *pair, "--format", "json"], capsys)
    data = json.loads(out)
    jsonschema.Draft202012Validator(json.loads(SCHEMA.read_text())).validate(data)
    assert code == 1 and data["failed"] is True
    assert data["base"] == "old.json" and data["revision"] == "new.json"
    removed = [c for c in data["changes"] if c["level"] == "breaking"]
    assert removed and all(c["location"]["subject"] == "GET /books/{book_id}" for c in removed)
    # JSON documents get line:column too: the removal points at the base file's "get" key.
    pos = removed[0]["location"]["base_position"]
    base_lines = (tmp_path / "old.json").read_text().splitlines()
    assert base_lines[pos["line"] - 1][pos["column"] - 1:].startswith('"get"')
    added = [c for c in data["changes"] if "q" in c["message"] and c["level"] == "info"]
    assert added, data["changes"]
    assert added[0]["location"]["revision_position"] is not None


@pytest.mark.parametrize("fmt", ["text", "markdown", "json", "github", "junit", "sarif"])
def test_every_format_to_a_file(fmt: str, pair: tuple[str, str], tmp_path: Path,
                                capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "out" / f"report.{fmt}"
    code, out, err = _run(["diff", *pair, "--format", fmt, "-o", str(target)], capsys)
    assert code == 1
    assert out == ""
    assert f"wrote {target}" in err
    text = target.read_text()
    assert "\x1b[" not in text
    if fmt == "junit":
        assert ET.fromstring(text).find("testsuite") is not None
    elif fmt in ("json", "sarif"):
        json.loads(text)
    elif fmt == "github":
        assert text.startswith("::error file=old.json,line=")


def test_settings_from_pyproject(pair: tuple[str, str], tmp_path: Path,
                                 capsys: pytest.CaptureFixture[str]) -> None:
    """[tool.contractsync.diff] ignore by fingerprint turns the run green, with a warning."""
    data = json.loads(main_json(["diff", *pair, "--format", "json"], capsys))
    fingerprints = [c["fingerprint"] for c in data["changes"] if c["level"] == "breaking"]
    entries = "".join(
        f'[[tool.contractsync.diff.ignore]]\nfingerprint = "{fp}"\nreason = "v1 clients are gone"\n'
        for fp in fingerprints)
    (tmp_path / "pyproject.toml").write_text(f"[tool.contractsync]\n\n{entries}")
    code, out, err = _run(["diff", *pair], capsys)
    assert code == 0, out
    assert f"{len(fingerprints)} change" in out + err
    expiring = entries.replace("reason =", "expires = 2026-01-01\nreason =")
    (tmp_path / "pyproject.toml").write_text(f"[tool.contractsync]\n\n{expiring}")
    code, out, err = _run(["diff", *pair, "--now", "2026-02-01"], capsys)
    assert code == 1
    assert "expired on 2026-01-01" in out + err


def main_json(argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    main(argv)
    return capsys.readouterr().out


# --- git revisions --------------------------------------------------------------------------------


def _git(cwd: Path, *args: str) -> None:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.invalid",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.invalid"}
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, env=env)


def test_git_revision_against_the_work_tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    """The pre-merge case with files: main's committed contract against the branch's."""
    monkeypatch.chdir(tmp_path)
    _git(tmp_path, "init", "-q", "-b", "main")
    (tmp_path / "contracts").mkdir()
    contract = tmp_path / "contracts" / "openapi.json"
    _write(contract, _book_api())
    _git(tmp_path, "add", ".")
    _git(tmp_path, "commit", "-q", "-m", "v1")
    _write(contract, _breaking_v2(_book_api()))
    code, out, _ = _run(["diff", "main:contracts/openapi.json", "contracts/openapi.json",
                         "--format", "github"], capsys)
    assert code == 1
    removal = next(line for line in out.splitlines() if line.startswith("::error"))
    # The removal is annotated on the base side: the path inside the repository, with a line.
    assert removal.startswith("::error file=contracts/openapi.json,line=")
    # NEW defaults to the configured app; with none configured that is a usage error, not a diff.
    code, out2, err = _run(["diff", "main:contracts/openapi.json"], capsys)
    assert code == 2 and out2 == "" and "no app configured" in err
    code, _, err = _run(["diff", "nosuchbranch:contracts/openapi.json", "contracts/openapi.json"], capsys)
    assert code == 2 and "git revision 'nosuchbranch' not found" in err


# --- the example app -------------------------------------------------------------------------------


def _example_contract() -> Path:
    return REPO / "contracts" / "openapi.json"


#: (rule id, subject) the engine must report for the example's v1 → v2 changes, by the numbers of
#: examples/bookshop/README.md's change table.
EXAMPLE_FACTS = [
    ("new-required-request-parameter", "GET /books/{book_id}/reviews", "breaking"),  # 1
    ("request-property-became-required", "components.schemas.AuthorCreate", "breaking"),  # 2
    ("request-parameter-enum-value-removed", "GET /books", "breaking"),  # 3
    ("request-property-max-length-decreased", "components.schemas.ReviewCreate", "breaking"),  # 4
    ("response-required-property-removed", "components.schemas.Author", "breaking"),  # 5
    ("response-property-became-nullable", "components.schemas.Review", "breaking"),  # 6
    ("api-removed-without-deprecation", "GET /books/{book_id}/cover", "breaking"),  # 7
    ("response-success-status-removed", "POST /books/{book_id}/reviews", "breaking"),  # 9
    ("endpoint-added", "GET /books/{book_id}/related", "info"),  # 11
    ("endpoint-deprecated-with-sunset", "GET /authors/{author_id}/books", "info"),  # 19
]


@pytest.mark.slow
def test_example_v1_contract_against_v2_app_subprocess() -> None:
    """The README's pre-merge workflow as a user runs it: a real process, the repository's own
    config (app = bookshop.main:app, contract = contracts/openapi.json), the v2 app exported."""
    _example_contract()
    proc = subprocess.run(
        [sys.executable, "-m", "contractsync", "diff", "--app-dir", "examples/bookshop/v2",
         "--format", "json", "--now", "2026-11-26"],
        capture_output=True, text=True, cwd=REPO, timeout=120,
    )
    assert proc.returncode == 1, proc.stderr
    data = json.loads(proc.stdout)
    assert data["base"] == "contracts/openapi.json"
    assert data["revision"] == "app bookshop.main:app"
    found = {(c["id"], c["location"]["subject"], c["level"]) for c in data["changes"]}
    for fact in EXAMPLE_FACTS:
        assert fact in found, fact
    # 10: the renamed path parameter is not a removal.
    assert not any(c["location"]["subject"].startswith(("GET /authors/{", "PATCH /authors/{",
                                                        "DELETE /authors/{"))
                   and c["level"] == "breaking" for c in data["changes"])
    # Every change on the stored (file) side has a line number.
    for change in data["changes"]:
        if change["location"]["base"] is not None:
            assert change["location"]["base_position"] is not None, change
    # GitHub annotations land on the stored contract, additions included (at their operation).
    proc = subprocess.run(
        [sys.executable, "-m", "contractsync", "diff", "--app-dir", "examples/bookshop/v2",
         "--format", "github", "--now", "2026-11-26"],
        capture_output=True, text=True, cwd=REPO, timeout=120,
    )
    assert proc.returncode == 1, proc.stderr
    lines = proc.stdout.splitlines()
    added_param = next(line for line in lines if "title=new-required-request-parameter" in line)
    assert added_param.startswith("::error file=contracts/openapi.json,line=")
    without_file = [line for line in lines if line.startswith("::") and "file=" not in line]
    assert all("title=endpoint-added" in line for line in without_file), without_file


def test_settings_applied_by_the_command(pair: tuple[str, str], tmp_path: Path,
                                         monkeypatch: pytest.MonkeyPatch,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    """The command applies [tool.contractsync.diff] (levels, ignores, fail_on) from the config
    object; runs whether or not Config has grown its `diff` field yet."""
    import datetime as dt

    from contractsync.cli import _common
    from contractsync.config import Config
    from contractsync.diff.settings import DiffConfig, IgnoreEntry

    class _Config(Config):
        diff: DiffConfig = DiffConfig()

    data = json.loads(main_json(["diff", *pair, "--format", "json"], capsys))
    breaking = [c for c in data["changes"] if c["level"] == "breaking"]
    assert breaking
    ignores = [IgnoreEntry(fingerprint=c["fingerprint"], reason="v1 clients are gone") for c in breaking]

    def use(settings: DiffConfig) -> None:
        monkeypatch.setattr(_common, "config", lambda: _Config(root=tmp_path, diff=settings))

    use(DiffConfig(ignore=ignores))
    code, out, err = _run(["diff", *pair], capsys)
    assert code == 0, out
    assert f"{len(breaking)} change{'s' if len(breaking) != 1 else ''} ignored" in out
    # fail_on from the config is the default; the flag wins.
    use(DiffConfig(fail_on="info"))
    assert _run(["diff", *pair, "--format", "json"], capsys)[0] == 1
    assert _run(["diff", "old.json", "old.json"], capsys)[0] == 0
    use(DiffConfig(fail_on="never"))
    assert _run(["diff", *pair], capsys)[0] == 0
    assert _run(["diff", *pair, "--fail-on", "breaking"], capsys)[0] == 1
    # An override to "off" removes the rule's changes from the output.
    rule = breaking[0]["id"]
    use(DiffConfig(levels={rule: "off"}))
    code, out, _ = _run(["diff", *pair, "--format", "json"], capsys)
    assert rule not in {c["id"] for c in json.loads(out)["changes"]}
    # Expired ignores stop applying and say so on stderr (json keeps stdout clean).
    use(DiffConfig(ignore=[IgnoreEntry(fingerprint=c["fingerprint"], reason="r",
                                       expires=dt.date(2026, 1, 1)) for c in breaking]))
    code, out, err = _run(["diff", *pair, "--format", "json", "--now", "2026-02-01"], capsys)
    assert code == 1
    assert "expired on 2026-01-01" in err
    assert json.loads(out)["warnings"]


@pytest.mark.parametrize(("table", "expected"), [
    ('[tool.contractsync.diff.levels]\nno-such-rule = "off"\n',
     "diff.levels: unknown rule id 'no-such-rule' in levels"),
    ('[[tool.contractsync.diff.ignore]]\nid = "endpoint-added"\n', "diff.ignore.0.reason: Field required"),
    ('[tool.contractsync.diff]\nfail_on = "error"\n', "diff.fail_on"),
])
def test_bad_diff_settings_exit_2(table: str, expected: str, pair: tuple[str, str], tmp_path: Path,
                                  capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "pyproject.toml").write_text(f"[tool.contractsync]\n{table}")
    code, out, err = _run(["diff", *pair], capsys)
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1
    assert "pyproject.toml: [tool.contractsync] " in err and expected in err


def test_ref_keys_inside_literal_values_are_data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    """GitHub's description has `"$ref": "https://…"` inside a SCIM example: that is example
    data, not a reference, and must not make the document unreadable. A real `$ref` under a
    name that looks like a keyword (the `default` response) is still checked."""
    monkeypatch.chdir(tmp_path)
    api = _book_api()
    get = api["paths"]["/books"]["get"]
    media = get["responses"]["200"]["content"]["application/json"]
    media["examples"] = {"scim": {"value": {"members": [{"$ref": "https://api.example.com/Users/1"}]}}}
    media["example"] = {"$ref": "not/a/ref"}
    api["components"]["schemas"]["Book"]["default"] = {"$ref": "#/nowhere"}
    _write(tmp_path / "a.json", api)
    assert _run(["diff", "a.json", "a.json"], capsys)[0] == 0
    get["responses"]["default"] = {"$ref": "#/components/responses/Missing"}
    _write(tmp_path / "b.json", api)
    code, _, err = _run(["diff", "a.json", "b.json"], capsys)
    assert code == 2
    assert "b.json:/paths/~1books/get/responses/default: $ref '#/components/responses/Missing'" in err


@pytest.mark.slow
def test_github_yaml_pair_with_example_refs(corpus: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pair = corpus / "pairs" / "github-api"
    code, out, err = _run(["diff", str(pair / "old.yaml"), str(pair / "new.yaml"), "--format", "json"], capsys)
    assert code == 1, err
    assert json.loads(out)["summary"]["breaking"] > 0


@pytest.mark.parametrize(("holder", "literal"), [
    ("/paths/~1a/get/responses/200/content/application~1json/examples/scim/value/members/0", True),
    ("/paths/~1a/get/responses/200/content/application~1json/example", True),
    ("/components/schemas/Book/default", True),
    ("/components/schemas/Book/enum/0", True),
    ("/components/schemas/Book/examples/0", True),
    ("/components/schemas/Book/x-origin", True),
    ("/paths/~1a/get/responses/default", False),
    ("/components/schemas/Book/properties/default", False),
    ("/components/schemas/Book/properties/example/items", False),
    ("/components/schemas/x-thing", False),
    ("/paths/~1a/get/responses/200/content/application~1json/examples/scim", False),
])
def test_literal_holders(holder: str, literal: bool) -> None:
    from contractsync.spec.refs import is_literal as _is_literal

    assert _is_literal(holder) is literal
