"""The ``typescript`` profile: every declaration fires at its level, stays silent on unchanged
input, keeps the default level without the profile, and its WHY is checked by the real compiler:
the usage compiles against the ``before`` types and fails against the ``after`` ones."""

from __future__ import annotations

from pathlib import Path

import pytest

from contractsync.diff import RULES, DiffOptions, diff
from contractsync.diff.registry import PROFILES, ProfileRule
from contractsync.typescript import to_typescript
from tests.typescript._tsc import run_tsc

ENTRIES = list(PROFILES.values())


@pytest.mark.parametrize("entry", ENTRIES, ids=[f"{e.profile}:{e.rule}" for e in ENTRIES])
def test_fires_at_profile_level(entry: ProfileRule) -> None:
    options = DiffOptions(profile=entry.profile)
    hits = [c for c in diff(dict(entry.before), dict(entry.after), options=options) if c.id == entry.rule]
    assert hits and all(c.level is entry.level for c in hits)
    assert not list(diff(dict(entry.before), dict(entry.before), options=options))
    default = [c.level for c in diff(dict(entry.before), dict(entry.after)) if c.id == entry.rule]
    assert all(level is RULES[entry.rule].level for level in default)


@pytest.mark.parametrize("entry", ENTRIES, ids=[f"{e.profile}:{e.rule}" for e in ENTRIES])
def test_usage_breaks_only_after(entry: ProfileRule, tmp_path: Path) -> None:
    for side, doc, should_pass in (("before", entry.before, True), ("after", entry.after, False)):
        work = tmp_path / side
        work.mkdir()
        (work / "types.ts").write_text(to_typescript(dict(doc)), encoding="utf-8")
        (work / "usage.ts").write_text(entry.usage, encoding="utf-8")
        result = run_tsc(work, [work / "usage.ts"])
        output = (result.stdout + result.stderr).strip()
        assert (result.returncode == 0) is should_pass, f"{side}: {output}"
        if not should_pass:
            assert "usage.ts" in output, output


def test_flip_with_a_default_keeps_its_level() -> None:
    prop = {"type": "string", "default": "x"}
    before = {"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": {"/items": {"get": {
        "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {
            "type": "object", "properties": {"p": prop}}}}}}}}}}
    after = {**before, "paths": {"/items": {"get": {"responses": {"200": {"description": "ok", "content": {
        "application/json": {"schema": {"type": "object", "properties": {"p": prop}, "required": ["p"]}}}}}}}}}
    hits = [c for c in diff(before, after, options=DiffOptions(profile="typescript"))
            if c.id == "response-property-became-required"]
    assert hits and all(c.level is RULES["response-property-became-required"].level for c in hits)
