"""The README's rule counts are the registry's (#12: it once said `rules --level breaking` lists
697 rules; that is the count of all rules)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from contractsync.cli import main

README = Path(__file__).resolve().parents[1] / "README.md"


def _count(capsys: pytest.CaptureFixture[str], *args: str) -> int:
    assert main(["rules", *args]) == 0
    last = capsys.readouterr().out.strip().splitlines()[-1]
    match = re.fullmatch(r"(\d+) rules", last.strip())
    assert match, last
    return int(match.group(1))


def test_readme_rule_counts(capsys: pytest.CaptureFixture[str]) -> None:
    text = " ".join(README.read_text(encoding="utf-8").split())
    match = re.search(r"`contractsync rules` lists the (\d+) rules \(`rules --level breaking` the (\d+) "
                      r"breaking ones\)", text)
    assert match, "README no longer states the rule counts in the checked sentence"
    assert int(match.group(1)) == _count(capsys), "update the README: total rule count"
    assert int(match.group(2)) == _count(capsys, "--level", "breaking"), "update the README: breaking count"
