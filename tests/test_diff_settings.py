"""[tool.contractsync.diff]: per-rule levels, ignores by id or fingerprint, expiry."""

from __future__ import annotations

import datetime as dt

import pytest
from pydantic import ValidationError

from contractsync.diff.model import Level, Report
from contractsync.diff.settings import DiffConfig, IgnoreEntry, apply_settings, known_rule_ids
from tests.render.conftest import make_change

TODAY = dt.date(2026, 11, 26)


def _report() -> Report:
    return Report(changes=[
        make_change("api-path-removed-without-deprecation", Level.BREAKING, "GET /a", "removed"),
        make_change("request-parameter-became-required", Level.BREAKING, "GET /b", "required"),
        make_change("response-property-enum-value-added", Level.WARNING, "GET /b", "enum"),
        make_change("endpoint-added", Level.INFO, "GET /c", "added"),
    ], base_source="old", revision_source="new")


def _rule_ids(report: Report) -> list[str]:
    return [c.id for c in report]


def test_defaults_change_nothing() -> None:
    report = _report()
    out = apply_settings(report, DiffConfig(), TODAY)
    assert out.changes == report.changes and out.warnings == []
    assert DiffConfig().fail_on == "breaking"


def test_level_overrides_and_off() -> None:
    report = _report()
    cfg = DiffConfig.model_construct(
        fail_on="breaking",
        levels={"request-parameter-became-required": "warning", "endpoint-added": "off"},
        ignore=[],
    )
    out = apply_settings(report, cfg, TODAY)
    assert _rule_ids(out) == ["api-path-removed-without-deprecation", "request-parameter-became-required",
                              "response-property-enum-value-added"]
    assert out[1].level is Level.WARNING
    # The identity of a change does not depend on its verdict.
    assert out[1].fingerprint == report[1].fingerprint
    assert report[1].level is Level.BREAKING  # the input is untouched


def test_ignore_by_fingerprint_prefix_and_by_id() -> None:
    report = _report()
    cfg = DiffConfig.model_construct(fail_on="breaking", levels={}, ignore=[
        IgnoreEntry.model_construct(id=None, fingerprint=report[0].fingerprint[:8], reason="agreed", expires=None),
        IgnoreEntry.model_construct(id="response-property-enum-value-added", fingerprint=None,
                                    reason="clients tolerate new values", expires=None),
    ])
    out = apply_settings(report, cfg, TODAY)
    assert _rule_ids(out) == ["request-parameter-became-required", "endpoint-added"]
    assert out.warnings == ["2 changes ignored by [tool.contractsync.diff] ignore entries"]


def test_ignore_with_id_and_fingerprint_needs_both() -> None:
    report = _report()
    entry = IgnoreEntry.model_construct(id="endpoint-added", fingerprint=report[0].fingerprint,
                                        reason="r", expires=None)
    assert not entry.matches(report[0]) and not entry.matches(report[3])


def test_expired_ignore_no_longer_applies_and_warns() -> None:
    report = _report()
    cfg = DiffConfig.model_construct(fail_on="breaking", levels={}, ignore=[
        IgnoreEntry.model_construct(id=None, fingerprint=report[1].fingerprint, reason="until the v2 launch",
                                    expires=dt.date(2026, 11, 25)),
        IgnoreEntry.model_construct(id=None, fingerprint=report[0].fingerprint, reason="still valid today",
                                    expires=TODAY),
    ])
    out = apply_settings(report, cfg, TODAY)
    assert "request-parameter-became-required" in _rule_ids(out)
    assert "api-path-removed-without-deprecation" not in _rule_ids(out)  # expires today: still applies
    assert out.warnings[0] == (
        f"ignore of fingerprint {report[1].fingerprint} (until the v2 launch) expired on 2026-11-25; "
        "1 matching change is reported again"
    )


def test_model_validation() -> None:
    with pytest.raises(ValidationError, match="needs an 'id' or a 'fingerprint'"):
        IgnoreEntry(reason="why")
    with pytest.raises(ValidationError, match="reason"):
        IgnoreEntry(fingerprint="abc123")
    with pytest.raises(ValidationError, match="reason must say why"):
        IgnoreEntry(fingerprint="abc123", reason="   ")
    with pytest.raises(ValidationError, match="not a hex fingerprint"):
        IgnoreEntry(fingerprint="xyz", reason="r")
    with pytest.raises(ValidationError, match="extra"):
        IgnoreEntry(fingerprint="abc", reason="r", path="/x")  # type: ignore[call-arg]
    with pytest.raises(ValidationError):
        DiffConfig(fail_on="error")  # type: ignore[arg-type]
    with pytest.raises(ValidationError):
        DiffConfig(levels={"endpoint-added": "fatal"})  # type: ignore[dict-item]
    entry = IgnoreEntry(fingerprint="ABC123", reason=" r ", expires="2027-01-31")  # type: ignore[arg-type]
    assert entry.fingerprint == "abc123" and entry.reason == "r" and entry.expires == dt.date(2027, 1, 31)


def test_unknown_rule_id_is_named() -> None:
    with pytest.raises(ValidationError, match="unknown rule id 'no-such-rule' in levels"):
        DiffConfig(levels={"no-such-rule": "off"})
    with pytest.raises(ValidationError, match="unknown rule id 'no-such-rule' in ignore"):
        DiffConfig(ignore=[{"id": "no-such-rule", "reason": "r"}])  # type: ignore[list-item]
    rule = sorted(known_rule_ids())[0]
    assert DiffConfig(levels={rule: "off"}).levels == {rule: "off"}


def test_the_documented_example_is_valid() -> None:
    """The [tool.contractsync.diff] sample in docs/diff.md parses and validates."""
    import re
    import tomllib

    from tests.conftest import REPO

    text = (REPO / "docs" / "diff.md").read_text()
    block = re.search(r"```toml\n(\[tool\.contractsync\.diff\].*?)```", text, re.S)
    assert block is not None
    table = tomllib.loads(block.group(1))["tool"]["contractsync"]["diff"]
    cfg = DiffConfig(**table)
    assert cfg.fail_on == "breaking"
    assert cfg.levels["api-tag-added"] == "off"
    assert cfg.ignore[0].expires == dt.date(2027, 1, 31)
    assert cfg.ignore[1].id == "response-success-status-added"
