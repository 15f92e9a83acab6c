"""Done-when (#10): `contractsync impact --frontend examples/bookshop/frontend` against the v2 app
names exactly the frontend files and lines v2 breaks, and the v2 breaking changes the frontend does
not use as touching nothing, in every output format. Real vue-tsc on the real example."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from contractsync.diff.compare import compare
from contractsync.diff.options import DiffOptions
from contractsync.impact import ImpactReport, analyse
from contractsync.impact.render import render
from contractsync.spec.source import AppSource, FileSource

REPO = Path(__file__).resolve().parents[2]
FRONTEND = REPO / "examples" / "bookshop" / "frontend"
V2 = REPO / "examples" / "bookshop" / "v2"

#: Every type error v2 causes in the example frontend (file, line, column) → the rule it is
#: attributed to (None: not attributed).
EXPECTED: dict[tuple[str, int, int], str | None] = {
    ("src/views/AuthorPage.vue", 19, 13): "api-path-parameter-renamed",  # "/authors/{author_id}"
    # author.value = one.data: follows from the failed call that declared `one` (line 18-21)
    ("src/views/AuthorPage.vue", 26, 3): "api-path-parameter-renamed",
    ("src/views/BookList.vue", 17, 5): "request-parameter-enum-value-removed",  # sort: "popularity"
    ("src/components/BookCover.vue", 9, 40): "api-removed-without-deprecation",  # operations["books-get_cover"]
    ("src/components/BookCover.vue", 25, 44): "api-removed-without-deprecation",  # GET /books/{book_id}/cover
    ("src/views/BookPage.vue", 18, 44): "new-required-request-parameter",  # reviews without ?lang
    ("src/components/ReviewForm.vue", 10, 52): "response-success-status-removed",  # responses[201]
    ("src/components/AuthorCard.vue", 17, 45): "response-required-property-removed",  # book_count
    ("src/components/AuthorCard.vue", 17, 69): "response-required-property-removed",
    ("src/components/HealthBadge.vue", 20, 10): "response-property-enum-value-removed",  # case "down"
    ("src/components/ReviewList.vue", 16, 59): "response-property-became-nullable",  # reviewer: string | null
}
#: Breaking in v2, but nothing in the frontend uses them.
UNTOUCHED = {"request-property-max-length-decreased", "request-property-became-required",
             "request-property-became-not-nullable"}


def _require_frontend() -> None:
    if not (FRONTEND / "node_modules" / ".bin" / "vue-tsc").exists():
        message = f"{FRONTEND}/node_modules is missing: run `make frontend` (npm ci there)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)


@pytest.fixture(scope="module")
def report() -> ImpactReport:
    _require_frontend()
    result = compare(FileSource(REPO / "contracts" / "openapi.json"),
                     AppSource("bookshop.main:app", app_dir=V2), options=DiffOptions(profile="typescript"))
    return analyse(FRONTEND, result.base, result.revision, report=result.report, use_cache=False)


def _places(report: ImpactReport) -> dict[tuple[str, int, int], str | None]:
    got: dict[tuple[str, int, int], str | None] = {}
    for change in report.breaking_changes:
        for err in report.breaks[change.fingerprint]:
            assert err.file is not None
            assert (err.file, err.line, err.column) not in got, "attributed to two changes"
            got[(err.file, err.line, err.column)] = change.id
    for err in report.unattributed:
        assert err.file is not None
        got[(err.file, err.line, err.column)] = None
    return got


def test_names_exactly_the_broken_places(report: ImpactReport) -> None:
    assert _places(report) == EXPECTED
    assert report.baseline_errors == []  # the example type-checks with its own (v1) types
    assert {c.id for c in report.untouched} >= UNTOUCHED
    assert report.headline().startswith(f"{len(set(EXPECTED.values()) - {None})} changes break the frontend (8 files)")


def test_every_format(report: ImpactReport) -> None:
    prefix = "examples/bookshop/frontend/"
    report.frontend = prefix.rstrip("/")
    untouched = [c for c in report.untouched if c.id in UNTOUCHED]
    text = render(report, "text")
    markdown = render(report, "markdown")
    for file, line, col in EXPECTED:
        assert f"{prefix}{file}:{line}:{col}" in text
        assert f"`{prefix}{file}:{line}:{col}`" in markdown
    for change in untouched:
        assert text.split("Breaking changes the frontend does not use:")[1].count(change.fingerprint) == 1
        assert change.message in markdown.split("touch nothing the frontend uses:")[1]
    data = json.loads(render(report, "json"))
    assert {(e["file"], e["line"], e["column"]) for c in data["changes"] for e in c["frontend_errors"]} \
        | {(e["file"], e["line"], e["column"]) for e in data["unattributed"]} == set(EXPECTED)
    assert {c.fingerprint for c in untouched} <= set(data["untouched"])
    github = render(report, "github")
    annotated = {(a.split("file=")[1].split(",")[0], int(a.split("line=")[1].split(",")[0]),
                  int(a.split("col=")[1].split(",")[0])) for a in github.splitlines() if a.startswith("::error ")}
    assert annotated == {(prefix + f, ln, col) for f, ln, col in EXPECTED}
    assert not any(c.fingerprint in github for c in untouched)
    sarif = json.loads(render(report, "sarif"))
    results = sarif["runs"][0]["results"]
    assert {(r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
             r["locations"][0]["physicalLocation"]["region"]["startLine"]) for r in results} \
        == {(prefix + f, ln) for f, ln, _ in EXPECTED}
    assert not {r["ruleId"] for r in results} & UNTOUCHED


def test_cli_defaults_to_stored_contract_and_exits_1(tmp_path: Path) -> None:
    _require_frontend()
    before = {p: p.stat().st_mtime_ns for p in (FRONTEND / "src").rglob("*")}
    result = subprocess.run([sys.executable, "-m", "contractsync", "impact", "--frontend",
                             "examples/bookshop/frontend", "--app-dir", "examples/bookshop/v2",
                             "-f", "github"], cwd=REPO, capture_output=True, text=True, timeout=900,
                            env={**os.environ, "CONTRACTSYNC_CACHE_DIR": str(tmp_path)})
    assert result.returncode == 1, result.stderr
    for file, line, col in EXPECTED:
        assert f"file=examples/bookshop/frontend/{file},line={line},col={col}," in result.stdout
    assert {p: p.stat().st_mtime_ns for p in (FRONTEND / "src").rglob("*")} == before


def test_attributes_the_vue_examples_wire_safe_breaks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The example frontend's own list of wire-safe changes and the places they break
    (tests/frontend/test_typescript_profile.py): impact finds each place and names its change."""
    _require_frontend()
    from contractsync.diff import DiffOptions, diff
    from tests.frontend.test_typescript_profile import CHANGES

    rule_of = {
        "Genre gains 'romance'": "response-property-enum-value-added",
        "operationId books-list_books → listBooks": "api-operation-id-removed",
        "schema Author → AuthorPublic": "api-schema-renamed",
        "Review.rating no longer required": "response-property-became-optional",
    }
    assert set(rule_of) == set(CHANGES)
    monkeypatch.setenv("CONTRACTSYNC_CACHE_DIR", str(tmp_path))
    base = json.loads((REPO / "contracts" / "openapi.json").read_text(encoding="utf-8"))
    new = json.loads((REPO / "contracts" / "openapi.json").read_text(encoding="utf-8"))
    for change, _ in CHANGES.values():
        change(new)
    result = analyse(FRONTEND, base, new, report=diff(base, new, options=DiffOptions(profile="typescript")))
    got = {(err.file, err.line, err.column, f"TS{err.code}"): change.id
           for change in result.breaking_changes for err in result.breaks[change.fingerprint]}
    assert got == {place: rule_of[name] for name, (_, places) in CHANGES.items() for place in places}
    assert result.unattributed == []


def _nested_changes(doc: dict[str, Any]) -> None:
    """Several changes at once whose names collide: `name` is a property of Author and AuthorRef
    and a value of GET /authors' `sort`; `limit` a query parameter of GET /books and GET /authors;
    `author` a property the same template line reads twice."""
    schemas = doc["components"]["schemas"]

    def param(path: str, name: str) -> dict[str, Any]:
        return next(p for p in doc["paths"][path]["get"]["parameters"] if p["name"] == name)

    del schemas["AuthorRef"]["properties"]["name"]  # book.author.name
    schemas["Author"]["required"].remove("name")  # initials(author.name)
    schemas["Review"]["required"].remove("reviewer")  # initials(review.reviewer)
    param("/books", "order")["schema"]["enum"].remove("asc")
    param("/authors", "sort")["schema"]["enum"].remove("name")  # sort: "name"
    for path in ("/books", "/authors"):
        doc["paths"][path]["get"]["parameters"].remove(param(path, "limit"))
    schemas["Health"]["properties"]["status"]["enum"].append("maintenance")
    author = schemas["Book-Output"]["properties"]["author"]
    schemas["Book-Output"]["properties"]["author"] = {"anyOf": [author, {"type": "null"}]}


#: Each error the changes above cause → (rule, subject, detail) of the one change it comes from.
NESTED: dict[tuple[str, int, int, str], tuple[str, str, str]] = {
    ("src/views/NewBook.vue", 29, 83, "TS2322"):
        ("request-parameter-enum-value-removed", "GET /authors", "query parameter sort"),
    ("src/views/BookList.vue", 29, 15, "TS2769"):
        ("request-parameter-enum-value-removed", "GET /books", "query parameter order"),
    ("src/components/AuthorCard.vue", 10, 63, "TS2345"):
        ("response-property-became-optional", "components.schemas.Author", "name"),
    ("src/components/ReviewList.vue", 16, 59, "TS2345"):
        ("response-property-became-optional", "components.schemas.Review", "reviewer"),
    ("src/components/HealthBadge.vue", 23, 13, "TS2322"):
        ("response-property-enum-value-added", "components.schemas.Health", "status"),
    **{("src/components/BookCard.vue", 16, 56, "TS18047"): ("response-property-became-nullable",
                                                           "components.schemas.Book-Output", "author")},
    **{(file, line, col, "TS18047"): ("response-property-became-nullable", "components.schemas.Book-Output", "author")
       for file, line, col in [("src/components/BookCard.vue", 17, 12), ("src/components/BookCard.vue", 17, 43),
                               ("src/views/BookPage.vue", 56, 58), ("src/views/BookPage.vue", 57, 14),
                               ("src/views/BookPage.vue", 57, 45)]},
    **{(file, line, col, "TS2339"): ("response-optional-property-removed", "components.schemas.AuthorRef", "name")
       for file, line, col in [("src/components/BookCard.vue", 17, 24), ("src/views/BookPage.vue", 57, 26)]},
    **{("src/views/BookList.vue", line, col, "TS2353"): ("request-parameter-removed", "GET /books", "query parameter limit")
       for line, col in [(43, 68), (95, 31)]},
}


def test_attributes_each_error_to_the_precise_nested_change(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Errors about a property, parameter or enum value go to the change at that pointer, not to
    every change that shares a word with them (#10: attribution depth)."""
    _require_frontend()
    from contractsync.diff import DiffOptions, diff

    monkeypatch.setenv("CONTRACTSYNC_CACHE_DIR", str(tmp_path))
    base = json.loads((REPO / "contracts" / "openapi.json").read_text(encoding="utf-8"))
    new = json.loads((REPO / "contracts" / "openapi.json").read_text(encoding="utf-8"))
    _nested_changes(new)
    result = analyse(FRONTEND, base, new, report=diff(base, new, options=DiffOptions(profile="typescript")))
    got: dict[tuple[str | None, int, int, str], list[tuple[str, str, str]]] = {}
    for change in result.breaking_changes:
        for err in result.breaks[change.fingerprint]:
            got.setdefault((err.file, err.line, err.column, f"TS{err.code}"), []).append(
                (change.id, change.location.subject, change.location.detail))
    assert got == {place: [change] for place, change in NESTED.items()}
    assert result.unattributed == []
