"""Every format renders the same report; checks are on structure, not snapshots."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import orjson
import pytest

from contractsync.diff.model import Level, Report
from contractsync.render import FORMATS, failing, render, threshold
from contractsync.render import text as text_mod


def test_threshold_and_failing(report: Report) -> None:
    assert threshold("never") is None
    assert threshold("warning") is Level.WARNING
    assert [c.id for c in failing(report, "breaking")] == [
        "request-parameter-became-required", "api-removed-without-deprecation"]
    assert len(failing(report, "warning")) == 3
    assert len(failing(report, "info")) == 5
    assert failing(report, "never") == []
    with pytest.raises(ValueError, match="fail-on must be one of"):
        threshold("error")


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_renders_and_is_deterministic(report: Report, fmt: str) -> None:
    first = render(report, fmt)
    assert first.endswith("\n")
    assert render(report, fmt) == first
    # Every change shows up by its fingerprint (the identity users copy into ignores).
    for change in report:
        assert change.fingerprint in first, (fmt, change.id)


def test_unknown_format(report: Report) -> None:
    with pytest.raises(ValueError, match="unknown format"):
        render(report, "yaml")


def test_text_groups_breaking_first_with_counts_at_end(report: Report) -> None:
    out = render(report, "text")
    lines = out.splitlines()
    assert lines[0] == "contracts/openapi.json → app bookshop.main:app"
    subjects = [ln.split("  (")[0] for ln in lines if ln and not ln.startswith(" ") and "(" in ln]
    # Groups holding a breaking change come first, then the warning component, then info-only.
    assert subjects[:2] == ["GET /books", "GET /books/{book_id}/cover"]
    assert subjects[2] == "components.schemas.Genre"
    assert subjects[3] == "GET /authors/{author_id}/books"
    # Inside GET /books the breaking change precedes the info one.
    block = out[out.index("GET /books  ("):out.index("GET /books/{book_id}/cover")]
    assert block.index("request-parameter-became-required") < block.index("response-optional-property-added")
    assert "affects 3 operations" in out
    # Removal points at the base file; the app side has no file, so its pointer is shown.
    assert "contracts/openapi.json:120:7" in out
    assert "revision #/paths/~1authors~1{author_id}~1books/get" in out
    assert "2 breaking, 1 warning, 2 info (5 changes): fails --fail-on breaking (2 changes)" in out
    assert "warning: a warning, with %percent" in out
    assert "\x1b[" not in out


def test_text_verdict_passes_and_empty_report() -> None:
    assert "no changes" in render(Report(base_source="a", revision_source="b"), "text")
    assert render(Report(base_source="a", revision_source="b"), "text").count("fail") == 0


def test_text_colour_only_when_asked(report: Report) -> None:
    from io import StringIO

    from rich.console import Console

    buf = StringIO()
    Console(file=buf, force_terminal=True, color_system="standard").print(text_mod.build(report), end="")
    assert "\x1b[" in buf.getvalue()
    buf = StringIO()
    Console(file=buf, force_terminal=False).print(text_mod.build(report), end="")
    assert "\x1b[" not in buf.getvalue()


def test_markdown_pr_comment(report: Report) -> None:
    out = render(report, "markdown")
    assert out.startswith("### 🔴 API contract: 2 breaking changes\n")
    assert "**2 breaking**, 1 warning, 2 info — **fails** `--fail-on breaking`" in out
    assert out.index("#### Breaking (2)") < out.index("#### Possibly breaking (1)") < out.index("<details>")
    assert "<summary>Safe changes (2)</summary>" in out
    # Pipes and HTML in messages cannot break the table or inject markup.
    assert "\\| with a pipe &lt;b&gt;and html&lt;/b&gt;" in out
    for line in out.splitlines():
        if line.startswith("| `"):
            assert line.count(" | ") == 3, line
    assert "affects 3 operations" in out


def test_markdown_headline_without_breaking() -> None:
    assert render(Report(), "markdown").startswith("### ⚪ API contract: no changes to the contract")


def test_json_shape(report: Report) -> None:
    data = orjson.loads(render(report, "json", fail_on="warning"))
    assert data["base"] == "contracts/openapi.json"
    assert data["revision"] == "app bookshop.main:app"
    assert data["summary"] == {"breaking": 2, "warning": 1, "info": 2}
    assert data["fail_on"] == "warning" and data["failed"] is True
    assert [c["id"] for c in data["changes"]] == [c.id for c in report]
    assert data["changes"][0] == report[0].to_dict()
    assert data["changes"][0]["location"]["revision_position"] == {"line": 42, "column": 11}
    assert orjson.loads(render(Report(), "json"))["failed"] is False


def test_github_annotations(report: Report) -> None:
    out = render(report, "github")
    lines = out.splitlines()
    assert lines[0] == ("::error file=contracts/openapi.json,line=40,col=11,"
                        "title=request-parameter-became-required::GET /books: query parameter 'genre' "
                        f"became required (query parameter genre) [{report[0].fingerprint}]")
    # A removal points at the base file; a change only on the app side has no file.
    assert any(ln.startswith("::error file=contracts/openapi.json,line=120,col=7,"
                             "title=api-removed-without-deprecation::") for ln in lines)
    assert any(ln.startswith("::warning title=response-property-enum-value-added::") for ln in lines)
    assert any(ln.startswith("::notice title=endpoint-added::") for ln in lines)
    # Data escaping: '%' must be %25; ',' and ':' stay in the message part.
    assert "100%25 safe, a:b" in out
    assert "::warning title=contractsync::a warning, with %25percent" in out
    assert "contractsync diff: 2 breaking, 1 warning, 2 info (5 changes) (fail-on breaking)" in lines


def test_github_uses_explicit_files(report: Report) -> None:
    out = render(report, "github", base_file="old.json", revision_file="new.json")
    # Both sides are files now: a modification points at the revision.
    assert "file=new.json,line=42,col=11" in out
    assert "file=new.json,line=10,col=7,title=endpoint-added" in out
    assert "file=old.json,line=120,col=7" in out


def test_junit(report: Report) -> None:
    root = ET.fromstring(render(report, "junit", fail_on="warning").encode())
    suite = root.find("testsuite")
    assert suite is not None
    cases = {case.get("name"): case for case in suite.findall("testcase")}
    assert set(cases) == {"GET /books", "GET /books/{book_id}/cover", "components.schemas.Genre",
                          "GET /authors/{author_id}/books"}
    assert suite.get("tests") == "4" and suite.get("failures") == "3"
    books = cases["GET /books"]
    failure = books.find("failure")
    assert failure is not None and failure.get("type") == "request-parameter-became-required"
    assert "response-optional-property-added" in (books.findtext("system-out") or "")
    assert cases["components.schemas.Genre"].find("failure") is not None
    assert cases["GET /authors/{author_id}/books"].find("failure") is None
    assert cases["components.schemas.Genre"].get("classname") == "components"
    # With the default threshold the warning-level component passes.
    root = ET.fromstring(render(report, "junit").encode())
    genre = next(c for c in root.iter("testcase") if c.get("name") == "components.schemas.Genre")
    assert genre.find("failure") is None


def test_junit_survives_control_characters() -> None:
    from tests.render.conftest import make_change

    bad = make_change("x-rule", Level.BREAKING, "GET /x", "bell \x07 in a description")
    ET.fromstring(render(Report(changes=[bad]), "junit").encode())


def test_sarif(report: Report) -> None:
    log = orjson.loads(render(report, "sarif"))
    assert log["version"] == "2.1.0"
    run = log["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    ids = [r["id"] for r in rules]
    assert sorted(ids) == sorted({c.id for c in report})
    by_id = {r["id"]: r for r in rules}
    assert by_id["api-removed-without-deprecation"]["defaultConfiguration"]["level"] == "error"
    assert by_id["endpoint-added"]["defaultConfiguration"]["level"] == "note"
    results = run["results"]
    assert len(results) == len(report)
    for result in results:
        assert ids[result["ruleIndex"]] == result["ruleId"]
    first = results[0]
    assert first["level"] == "error"
    assert first["locations"][0]["physicalLocation"] == {
        "artifactLocation": {"uri": "contracts/openapi.json"},
        "region": {"startLine": 40, "startColumn": 11},
    }
    assert first["partialFingerprints"]["contractsync/v1"] == report[0].fingerprint
    # The app side has no file: a logical location only.
    added = next(r for r in results if r["ruleId"] == "endpoint-added")
    assert "physicalLocation" not in added["locations"][0]
    assert added["locations"][0]["logicalLocations"][0]["fullyQualifiedName"] == "GET /authors/{author_id}/books"


def test_subject_and_detail_are_not_repeated() -> None:
    """Engine messages usually start with the subject and contain the detail; layouts that show
    the subject (text groups, the markdown Where column) do not repeat them."""
    from tests.render.conftest import make_change

    change = make_change("request-parameter-enum-value-removed", Level.BREAKING, "GET /books",
                         "GET /books query parameter sort: enum value removed: 'popularity'",
                         detail="query parameter sort", base="/paths/~1books/get/parameters/0")
    report = Report(changes=[change], base_source="a.json", revision_source="b.json")
    text = render(report, "text")
    assert "  request-parameter-enum-value-removed  query parameter sort: enum value removed" in text
    assert text.count("query parameter sort") == 1
    md = render(report, "markdown")
    assert "| query parameter sort: enum value removed: 'popularity' |" in md
    gh = render(report, "github")
    assert "::GET /books query parameter sort: enum value removed: 'popularity' [" in gh
