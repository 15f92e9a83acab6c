"""The JSON the API answers with: version records, label pointers, changes, 409 causes."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ..diff.model import Report
from .body import AnnouncementIn
from .problems import Problem
from .store.protocol import AnnouncementRow, LabelRow, VersionRow

if TYPE_CHECKING:
    from .service import Judgement


# --- JSON shapes ---------------------------------------------------------------------------------

def version_json(row: VersionRow, prefix: str = "") -> dict[str, Any]:
    base = f"{prefix}/v1/contracts/{row.contract}/versions/{row.digest}"
    return {"contract": row.contract, "version": row.number, "digest": row.digest,
            "info_version": row.info_version, "title": row.title,
            "source": {"commit": row.source_commit, "branch": row.source_branch, "url": row.source_url},
            "author": row.author, "created_at": row.created_at, "parent": row.parent,
            "links": {"openapi": f"{base}/openapi.json", "types": f"{base}/types.ts",
                      "changelog": f"{base}/changelog.md"}}


def label_json(row: LabelRow) -> dict[str, Any]:
    return {"contract": row.contract, "label": row.label, "version": row.number, "digest": row.digest,
            "info_version": row.info_version, "policy": row.policy, "moved_at": row.moved_at,
            "moved_by": row.moved_by}


def announcement_json(a: AnnouncementRow | AnnouncementIn | None) -> dict[str, Any] | None:
    if a is None:
        return None
    return {"reason": a.reason, "migration": a.migration, "sunset": a.sunset}


def changes_json(report: Report | None, announced: Mapping[str, AnnouncementRow | AnnouncementIn]) -> list[dict[str, Any]]:
    if report is None:
        return []
    out = []
    for change in report:
        item = change.to_dict()
        item["announcement"] = announcement_json(announced.get(change.fingerprint)) if change.breaking else None
        out.append(item)
    return out


def causes_of(j: Judgement) -> list[dict[str, Any]]:
    """The located reasons a verdict blocks: one per blocking change and policy violation."""
    causes: list[dict[str, Any]] = []
    if j.verdict is None:
        return causes
    for d in j.verdict.blocking:
        c = d.change
        causes.append({"rule": c.id, "level": c.level.value, "operation": c.operations[0] if c.operations else None,
                       "operations": list(c.operations), "pointer": c.location.revision or c.location.base,
                       "base_pointer": c.location.base, "fingerprint": c.fingerprint, "message": c.message,
                       "subject": c.location.subject, "reason": d.reason, "detail": d.detail})
    for v in j.verdict.violations:
        causes.append({"rule": v.kind, "level": "policy", "operation": None, "operations": [], "pointer": v.pointer,
                       "base_pointer": None, "fingerprint": None, "message": v.message, "subject": "",
                       "reason": "deprecation-policy", "detail": v.fix})
    return causes


def refusal(contract: str, label: str, j: Judgement) -> Problem:
    causes = causes_of(j)
    unannounced = sum(1 for c in causes if c["reason"] == "unannounced")
    base = f"version {j.base.number}" if j.base else "nothing"
    return Problem(409, f"refused: {len(causes)} change{'s' if len(causes) != 1 else ''} against {label!r} "
                   f"({base}) that the label's 'block' policy does not allow ({unannounced} unannounced "
                   "breaking); announce them (contractsync announce FINGERPRINT --reason ...) and publish again",
                   causes=causes, kind="breaking-changes")


