"""``[tool.contractsync.diff]``: the fail-on threshold, per-rule levels and ignores.

```toml
[tool.contractsync.diff]
fail_on = "breaking"            # breaking | warning | info | never

[tool.contractsync.diff.levels]  # per-rule overrides: breaking | warning | info | off
response-property-enum-value-added = "info"
api-path-description-changed = "off"

[[tool.contractsync.diff.ignore]]  # by rule id (everywhere) or by fingerprint (one change)
fingerprint = "3f9c0a1b2c4d"
reason = "The mobile app never sends this field; agreed with the frontend team (PR #412)"
expires = 2026-12-31            # after this day the change is reported again, with a warning
```

Ignores key on the rule id or the change's fingerprint, never on message text (which oasdiff's
ignore files do, so a reworded message silently stops matching). Every ignore needs a reason.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from ..errors import ConfigError
from .model import Change, Level, Report

FailOn = Literal["breaking", "warning", "info", "never"]
RuleLevel = Literal["breaking", "warning", "info", "off"]
Profile = Literal["typescript"]


def known_rule_ids() -> frozenset[str]:
    """The rule ids of the engine's registry."""
    from . import RULES

    return frozenset(RULES)


def _check_rule_id(rule_id: str, where: str) -> None:
    if rule_id not in known_rule_ids():
        raise ValueError(
            f"unknown rule id '{rule_id}' in {where} (`contractsync rules` lists them)"
        )


class IgnoreEntry(BaseModel):
    """One ignored change (by ``fingerprint``) or rule (by ``id``); both given means both must
    match. ``reason`` is required: an ignore nobody can explain is a bug waiting to happen."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str | None = Field(default=None, description="Rule id to ignore (every change of that rule).")
    fingerprint: str | None = Field(
        default=None, description="Fingerprint of the one change to ignore (from any output format)."
    )
    reason: str = Field(min_length=1, description="Why this change is acceptable.")
    expires: dt.date | None = Field(
        default=None, description="Last day the ignore applies; after it the change is reported again."
    )

    @field_validator("reason")
    @classmethod
    def _reason_not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("reason must say why the change is acceptable")
        return value.strip()

    @field_validator("fingerprint")
    @classmethod
    def _fingerprint_shape(cls, value: str | None) -> str | None:
        if value is not None and not (value and all(ch in "0123456789abcdef" for ch in value.lower())):
            raise ValueError(f"fingerprint '{value}' is not a hex fingerprint")
        return value.lower() if value is not None else None

    @model_validator(mode="after")
    def _has_target(self) -> IgnoreEntry:
        if self.id is None and self.fingerprint is None:
            raise ValueError("an ignore entry needs an 'id' or a 'fingerprint'")
        if self.id is not None:
            _check_rule_id(self.id, "ignore")
        return self

    def matches(self, change: Change) -> bool:
        """True when this entry names ``change`` (expiry is the caller's business)."""
        if self.id is not None and change.id != self.id:
            return False
        # A fingerprint may be given abbreviated, as people copy it from a report.
        return self.fingerprint is None or change.fingerprint.startswith(self.fingerprint)

    def describe(self) -> str:
        target = " ".join(
            part for part in (
                f"id '{self.id}'" if self.id else "",
                f"fingerprint {self.fingerprint}" if self.fingerprint else "",
            ) if part
        )
        return f"ignore of {target} ({self.reason})"


class DiffConfig(BaseModel):
    """``[tool.contractsync.diff]``: how ``contractsync diff`` (and ``check``) judge changes."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    fail_on: FailOn = Field(
        default="breaking", description="Lowest level that fails the run (exit 1); 'never' always passes."
    )
    profile: Profile | None = Field(
        default=None, description="Rule profile: 'typescript' judges changes by what they do to generated TypeScript."
    )
    levels: dict[str, RuleLevel] = Field(
        default_factory=dict, description="Per-rule level overrides; 'off' drops the rule's changes."
    )
    ignore: list[IgnoreEntry] = Field(
        default_factory=list, description="Changes that are accepted, each with a reason."
    )

    @field_validator("levels")
    @classmethod
    def _known_levels(cls, value: dict[str, RuleLevel]) -> dict[str, RuleLevel]:
        for rule_id in value:
            _check_rule_id(rule_id, "levels")
        return value


def validate_rules(cfg: DiffConfig, *, source: str | None = None) -> None:
    """Raise :class:`ConfigError` naming the first unknown rule id in ``cfg``.

    The model checks ids when it is built; this re-checks a config built before the registry was
    importable (or built with ``model_construct``).
    """
    try:
        for rule_id in cfg.levels:
            _check_rule_id(rule_id, "[tool.contractsync.diff.levels]")
        for entry in cfg.ignore:
            if entry.id is not None:
                _check_rule_id(entry.id, "[tool.contractsync.diff.ignore]")
    except ValueError as exc:
        raise ConfigError(str(exc), source=source) from None


def apply_settings(report: Report, cfg: DiffConfig, today: dt.date) -> Report:
    """``report`` with per-rule levels applied and ignored changes removed.

    Level overrides come first (``off`` drops the change), then ignores. An ignore whose
    ``expires`` day is before ``today`` no longer applies and adds a warning to the report, so an
    accepted change resurfaces visibly instead of silently. Fingerprints never change: they
    identify the change, not its verdict.
    """
    warnings = list(report.warnings)
    active: list[IgnoreEntry] = []
    for entry in cfg.ignore:
        if entry.expires is not None and entry.expires < today:
            hits = sum(1 for c in report if entry.matches(c))
            warnings.append(
                f"{entry.describe()} expired on {entry.expires.isoformat()}; "
                + (f"{hits} matching change{'s are' if hits != 1 else ' is'} reported again"
                   if hits else "it matches nothing now, so remove it")
            )
        else:
            active.append(entry)
    kept: list[Change] = []
    ignored = 0
    for change in report:
        override = cfg.levels.get(change.id)
        if override == "off":
            continue
        if override is not None and override != change.level.value:
            change = replace(change, level=Level(override))
        if any(entry.matches(change) for entry in active):
            ignored += 1
            continue
        kept.append(change)
    if ignored:
        warnings.append(
            f"{ignored} change{'s' if ignored != 1 else ''} ignored by [tool.contractsync.diff] ignore entries"
        )
    return replace(report, changes=kept, warnings=warnings)
