"""changelog.json: the model, its checks, and the markdown / JSON / HTML renderings."""

from __future__ import annotations

import hashlib
import json
from html.parser import HTMLParser
from pathlib import Path

import pytest

from contractsync.changelog import (
    Bump,
    History,
    Note,
    Release,
    dump_history,
    entries_from_changes,
    load_history,
    render_html,
    render_json,
    render_markdown,
)
from contractsync.diff.model import Level
from contractsync.errors import InputError

from ._changes import change


def sha(n: int) -> str:
    return hashlib.sha256(str(n).encode()).hexdigest()


def make_history() -> History:
    removed = change("response-required-property-removed", subject="GET /books/{book_id}",
                     base="/components/schemas/Book/properties/isbn",
                     operations=("GET /books", "GET /books/{book_id}"),
                     message="the required property isbn was removed from the response")
    added = change("endpoint-added", Level.INFO, subject="GET /authors", operations=("GET /authors",),
                   message="GET /authors was added")
    v1 = Release(version="1.0.0", date="2026-10-01", title="Bookshop", info_version="1.0.0", bump=Bump.NONE,
                 contract_sha256=sha(1), previous_sha256=None, changes=[])
    v2 = Release(version="2.0.0", date="2026-11-26", title="Bookshop", info_version="2.0.0", bump=Bump.MAJOR,
                 contract_sha256=sha(2), previous_sha256=sha(1),
                 changes=entries_from_changes(
                     [removed, added],
                     {removed.fingerprint: Note(reason="ISBNs moved to editions <b>now</b>",
                                                migration="Read editions[0].isbn", announced="2026-11-20")}))
    return History(title="Bookshop", releases=[v2, v1])


def test_round_trip_is_byte_identical(tmp_path: Path) -> None:
    history = make_history()
    path = tmp_path / "changelog.json"
    path.write_text(dump_history(history), encoding="utf-8")
    loaded = load_history(path)
    assert loaded == history
    assert dump_history(loaded) == path.read_text(encoding="utf-8")


def test_missing_file_is_an_empty_history(tmp_path: Path) -> None:
    assert load_history(tmp_path / "changelog.json").releases == []


@pytest.mark.parametrize(("edit", "where", "words"), [
    (lambda d: d.update(releases="x"), "releases", "valid list"),
    (lambda d: d["releases"][0].update(version="2.0"), "releases.0.version", "not a semantic version"),
    (lambda d: d["releases"][0].update(date="26/11/2026"), "releases.0.date", "not a date"),
    (lambda d: d["releases"][0]["changes"][0].update(level="fatal"), "releases.0.changes.0.level", ""),
    (lambda d: d["releases"][0].update(extra=1), "releases.0.extra", "unknown field"),
    (lambda d: d["releases"].reverse(), "releases.0.version", "not newer"),
    (lambda d: d["releases"][0].update(previous_sha256=sha(9)), "releases.0.previous_sha256",
     "does not follow release 1.0.0"),
    (lambda d: d["releases"][1].update(version="3.0.0"), "releases.0.version", "not newer"),
    (lambda d: d.update(format="something-else"), "format", "not a contractsync changelog"),
])
def test_hand_edits_are_clear_errors(tmp_path: Path, edit: object, where: str, words: str) -> None:
    data = json.loads(dump_history(make_history()))
    edit(data)  # type: ignore[operator]
    path = tmp_path / "changelog.json"
    path.write_text(json.dumps(data, indent=2), encoding="utf-8")
    with pytest.raises(InputError) as info:
        load_history(path)
    assert info.value.source == str(path)
    assert info.value.where == where
    assert words in info.value.message
    assert "restore it from git" in info.value.message


def test_corrupt_json_names_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "changelog.json"
    path.write_text(dump_history(make_history())[:200], encoding="utf-8")
    with pytest.raises(InputError) as info:
        load_history(path)
    assert "is not valid JSON" in info.value.message
    assert info.value.where is not None and ":" in info.value.where


def test_markdown_keep_a_changelog_with_breaking_markers() -> None:
    md = render_markdown(make_history())
    assert md.startswith("# Changelog: Bookshop\n")
    assert md.index("## [2.0.0] - 2026-11-26") < md.index("## [1.0.0] - 2026-10-01")
    v2 = md[md.index("## [2.0.0]"):md.index("## [1.0.0]")]
    assert v2.index("### Added") < v2.index("### Removed")
    assert "- **Breaking:** GET /books/{book_id}: the required property isbn was removed from the response" in v2
    assert "  - Why: ISBNs moved to editions \\<b\\>now\\</b\\>" in v2  # inert Markdown (#13)
    assert "  - Migration: Read editions\\[0\\].isbn" in v2
    assert "  - Operations: `GET /books`, `GET /books/{book_id}` (rule `response-required-property-removed`" in v2
    assert "1 breaking change; see the entries marked **Breaking:**." in v2
    assert "First recorded contract." in md
    assert render_markdown(make_history()) == md


def test_since_selects_newer_releases() -> None:
    history = make_history()
    assert [r.version for r in history.since("1.0.0")] == ["2.0.0"]
    assert [r.version for r in history.since(None)] == ["2.0.0", "1.0.0"]
    assert history.since("2.0.0") == []
    with pytest.raises(InputError, match=r"no release '9\.9\.9'"):
        history.since("9.9.9")
    only = json.loads(render_json(history, history.since("1.0.0")))
    assert [r["version"] for r in only["releases"]] == ["2.0.0"]


class _Collect(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.hrefs: list[str] = []
        self.external: list[str] = []
        self.breaking_items = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if a.get("id"):
            self.ids.add(a["id"] or "")
        if tag == "a" and a.get("href", "").startswith("#"):  # type: ignore[union-attr]
            self.hrefs.append(a["href"] or "")
        if tag in ("script", "link", "img") or (tag == "a" and not a.get("href", "").startswith(("#", "https://"))):  # type: ignore[union-attr]
            self.external.append(tag)
        if tag == "li" and a.get("class") == "breaking":
            self.breaking_items += 1


def test_html_is_self_contained_escaped_and_linked() -> None:
    page = render_html(make_history())
    parser = _Collect()
    parser.feed(page)
    assert page.startswith("<!DOCTYPE html>")
    assert parser.external == []
    assert parser.breaking_items == 1
    assert "ISBNs moved to editions &lt;b&gt;now&lt;/b&gt;" in page
    # Every in-page link lands on an element of the page, and every operation is linked.
    assert parser.hrefs and all(h[1:] in parser.ids for h in parser.hrefs)
    assert "#op-get-books-book_id" not in parser.hrefs  # anchors are slugs of letters/digits only
    assert "#op-get-books-book-id" in parser.hrefs and "#op-get-authors" in parser.hrefs


def test_html_names_a_zero_x_breaking_release_a_minor_release() -> None:
    """SemVer 0.x: 0.1.0 → 0.2.0 is the breaking bump, but a *minor* release, never "major" (#12)."""
    from contractsync.changelog import release_kind

    history = make_history()
    v2, v1 = history.releases
    zero = history.model_copy(update={"releases": [v2.model_copy(update={"version": "0.2.0"}),
                                                   v1.model_copy(update={"version": "0.1.0"})]})
    page = render_html(zero)
    assert "0.2.0 <span class=\"meta\">2026-11-26 · minor release (breaking in 0.x)</span>" in page
    assert "major release" not in page
    assert "2026-11-26 · major release" in render_html(history)
    assert release_kind("0.1.1", Bump.PATCH) == "patch release"
    assert release_kind("1.3.0", Bump.MINOR) == "minor release"
