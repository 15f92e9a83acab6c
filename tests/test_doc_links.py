"""Every relative link in README.md and docs/*.md reaches a file, and every #anchor a heading of
it (GitHub's slugs), so the documentation has no dead links."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
DOCS = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md")), REPO / "examples" / "bookshop" / "README.md",
        REPO / "examples" / "bookshop" / "frontend" / "README.md"]
FENCE = re.compile(r"^```.*?^```", re.M | re.S)
LINK = re.compile(r"\]\(([^)\s]+)\)")


def slug(heading: str) -> str:
    """GitHub's anchor for a heading: markup dropped, lower case, punctuation removed, spaces → -."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading).replace("`", "")
    return re.sub(r"[^\w\- ]", "", text.strip().lower()).replace(" ", "-")


def anchors(path: Path) -> set[str]:
    text = FENCE.sub("", path.read_text(encoding="utf-8"))
    found: set[str] = set(re.findall(r'<a (?:name|id)="([^"]+)"', text))
    seen: dict[str, int] = {}
    for heading in re.findall(r"^#+\s+(.*)$", text, re.M):
        base = slug(heading)
        count = seen.get(base, 0)
        seen[base] = count + 1
        found.add(base if count == 0 else f"{base}-{count}")
    return found


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: str(p.relative_to(REPO)))
def test_relative_links_and_anchors_resolve(doc: Path) -> None:
    dead = []
    for link in LINK.findall(FENCE.sub("", doc.read_text(encoding="utf-8"))):
        if re.match(r"[a-z]+:", link):
            continue  # http(s), mailto: not checked offline
        path, _, anchor = link.partition("#")
        target = (doc.parent / path).resolve() if path else doc
        missing_anchor = target.is_file() and bool(anchor) and target.suffix == ".md" and anchor not in anchors(target)
        if not target.exists() or missing_anchor:
            dead.append(link)
    assert not dead, f"{doc.relative_to(REPO)}: dead links {dead}"


@pytest.mark.parametrize(("heading", "anchor"), [
    ("Values prove types: a real FastAPI + pydantic v2 app", "values-prove-types-a-real-fastapi--pydantic-v2-app"),
    ("5. Frontend in another repository: `publish` and `pull`", "5-frontend-in-another-repository-publish-and-pull"),
])
def test_slug(heading: str, anchor: str) -> None:
    assert slug(heading) == anchor
