"""SARIF 2.1.0, for code-scanning UIs (GitHub code scanning, IDE SARIF viewers).

Rules carry the registry's metadata (level, area, direction, description) for every rule the
report uses; results carry physical locations (file, line, column) when the side they point at is
a file, a logical location (the operation or component) always, and the change's fingerprint as a
partial fingerprint so code-scanning alerts keep their identity across runs.
"""

from __future__ import annotations

import re
from typing import Any

import orjson

from .. import __version__
from ..diff.model import Change, Level, Report
from ._common import (
    DEFAULT_CONTEXT,
    Near,
    RenderContext,
    Side,
    anchor,
    full_message,
    groups,
    summary_line,
)

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_LEVEL = {Level.BREAKING: "error", Level.WARNING: "warning", Level.INFO: "note"}
_FINGERPRINT_KEY = "contractsync/v1"


def _registry() -> dict[str, Any]:
    """Rule id → rule metadata from the diff engine's registry."""
    from ..diff import RULES

    return dict(RULES)


def _text(value: Any) -> str:
    return " ".join(str(value).split()) if value else ""


def _rule(rule_id: str, meta: Any, seen: Change) -> dict[str, Any]:
    level = getattr(meta, "level", None) or seen.level
    level = Level(getattr(level, "value", level))
    full = _text(getattr(meta, "doc", "") or getattr(meta, "description", ""))
    # The first sentence of the rule's documentation is its short description.
    description = re.split(r"(?<=[.!?])\s", full, maxsplit=1)[0] if full else ""
    area = getattr(meta, "area", None) or seen.area
    direction = getattr(meta, "direction", None) or seen.direction
    rule: dict[str, Any] = {
        "id": rule_id,
        "name": "".join(part.capitalize() for part in rule_id.split("-")),
        "shortDescription": {"text": description or rule_id.replace("-", " ")},
        "defaultConfiguration": {"level": _LEVEL[level]},
        "properties": {
            "tags": [t for t in ("api-contract", str(area or ""), str(getattr(direction, "value", direction) or ""))
                     if t and t != "none"],
            "contractsync-level": level.value,
        },
    }
    if full and full != rule["shortDescription"]["text"]:
        rule["fullDescription"] = {"text": full}
    return rule


def to_dict(report: Report, ctx: RenderContext = DEFAULT_CONTEXT) -> dict[str, Any]:
    """The report as a SARIF log (JSON-compatible data)."""
    fail_on, near = ctx.fail_on, ctx.near
    files = ctx.files(report)
    registry = _registry()
    rules: list[dict[str, Any]] = []
    rule_index: dict[str, int] = {}
    results: list[dict[str, Any]] = []
    for group in groups(report):
        for change in group.changes:
            if change.id not in rule_index:
                rule_index[change.id] = len(rules)
                rules.append(_rule(change.id, registry.get(change.id), change))
            results.append(_result(change, rule_index[change.id], files, near))
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "contractsync",
                "version": __version__,
                "informationUri": "https://github.com/contractsync/contractsync",
                "rules": rules,
            }
        },
        "automationDetails": {"id": "contractsync/diff/"},
        "results": results,
        "properties": {
            "base": report.base_source,
            "revision": report.revision_source,
            "fail_on": fail_on,
            "warnings": list(report.warnings),
            "headline": summary_line(report),
        },
    }
    return {"$schema": SCHEMA, "version": "2.1.0", "runs": [run]}


def _result(change: Change, index: int, files: dict[Side, str | None], near: Near | None) -> dict[str, Any]:
    at = anchor(change, files, near)
    file = files[at.side]
    location: dict[str, Any] = {
        "logicalLocations": [{
            "fullyQualifiedName": change.location.subject,
            "kind": "function" if not change.location.subject.startswith("components") else "type",
        }],
    }
    if file:
        physical: dict[str, Any] = {"artifactLocation": {"uri": file.replace("\\", "/")}}
        if at.position is not None:
            physical["region"] = {"startLine": at.position.line, "startColumn": at.position.column}
        location["physicalLocation"] = physical
    message = full_message(change)
    result: dict[str, Any] = {
        "ruleId": change.id,
        "ruleIndex": index,
        "level": _LEVEL[change.level],
        "message": {"text": message},
        "locations": [location],
        "partialFingerprints": {_FINGERPRINT_KEY: change.fingerprint},
        "properties": {
            "side": at.side,
            "pointer": at.pointer,
            "direction": change.direction.value,
            "operations": list(change.operations),
        },
    }
    return result


def render(report: Report, ctx: RenderContext = DEFAULT_CONTEXT) -> str:
    """The report as SARIF 2.1.0 JSON text."""
    data = to_dict(report, ctx)
    return orjson.dumps(data, option=orjson.OPT_INDENT_2).decode() + "\n"
