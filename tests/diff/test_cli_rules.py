"""``contractsync rules``: list, filter, formats."""

from __future__ import annotations

import json

import pytest

from contractsync.cli import main
from contractsync.diff import RULES


def test_text_lists_every_rule(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules"]) == 0
    out = capsys.readouterr().out
    assert f"{len(RULES)} rules" in out
    assert "response-required-property-removed" in out


def test_filters_by_level_and_area(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules", "--level", "breaking", "--area", "parameters", "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert rows and all(r["level"] == "breaking" and r["area"] == "parameters" for r in rows)
    assert {r["id"] for r in rows} == {r.id for r in RULES.values()
                                       if r.level.value == "breaking" and r.area == "parameters"}


def test_markdown(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules", "--area", "security", "--format", "markdown"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("| rule | level | direction | area | what |")
    assert "`api-security-required`" in out


@pytest.mark.parametrize("args", [["--level", "fatal"], ["--area", "nowhere"], ["--format", "xml"]])
def test_bad_option_is_a_usage_error(args: list[str]) -> None:
    assert main(["rules", *args]) == 2
