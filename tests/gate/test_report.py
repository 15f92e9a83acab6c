"""Rendering the gate's result: text, markdown, GitHub annotations, JSON."""

from __future__ import annotations

import json
from pathlib import Path

from contractsync.gate import (
    Blocker,
    GateResult,
    format_github,
    format_json,
    format_markdown,
    format_text,
)


def result(tmp_path: Path) -> GateResult:
    return GateResult(
        blockers=[
            Blocker("unannounced-breaking", "breaking change not announced: x-removed (fingerprint abcdef012345)",
                    'contractsync announce abcdef012345 --reason "why"', ("GET /a,b: 50% | gone", "line two"),
                    "abcdef012345", tmp_path / "contracts" / "openapi.json", 12, 5),
            Blocker("stale-types", "contracts/types.ts is stale", "contractsync accept"),
        ],
        notes=["base: main"],
    )


def test_text(tmp_path: Path) -> None:
    text = format_text(result(tmp_path))
    assert text.startswith("contractsync check: BLOCKED (2 problems) — no base contract to compare "
                           "with: breaking changes were not checked\n")
    assert "✗ breaking change not announced" in text and "    GET /a,b: 50% | gone\n" in text
    assert '  fix: contractsync announce abcdef012345 --reason "why"\n' in text
    assert text.endswith("· base: main\n")
    assert format_text(GateResult()).startswith("contractsync check: OK")


def test_github_annotations_escape_properties_and_newlines(tmp_path: Path) -> None:
    lines = format_github(result(tmp_path), tmp_path).splitlines()
    assert lines[0].startswith("::error file=contracts/openapi.json,line=12,col=5,"
                               "title=contractsync%3A unannounced-breaking::breaking change not announced")
    assert "%0AGET /a,b: 50%25 | gone%0Aline two%0Afix: contractsync announce" in lines[0]
    assert lines[1] == "::error title=contractsync%3A stale-types::contracts/types.ts is stale%0Afix: contractsync accept"
    assert format_github(GateResult()) == ""


def test_markdown_escapes_table_cells_and_shows_the_fix(tmp_path: Path) -> None:
    md = format_markdown(result(tmp_path))
    assert md.startswith("## ❌ contractsync check blocked (2 problems)")
    assert "GET /a,b: 50% \\| gone" in md
    assert "```sh\ncontractsync announce abcdef012345 --reason" in md
    assert format_markdown(GateResult()).startswith("## ✅ contractsync check passed")


def test_json(tmp_path: Path) -> None:
    data = json.loads(format_json(result(tmp_path)))
    assert data["ok"] is False and data["blockers"][0]["fingerprint"] == "abcdef012345"
    assert data["blockers"][0]["line"] == 12 and data["changes"] == []
