"""``contractsync publish``: send the backend's contract to a registry, with the announcements that
explain its breaking changes and the policy to judge them by.

The body is ``{"openapi", "announcements", "policy", "diff", "source"}`` (docs/registry.md). The
announcements are the pending ones (``announcements.yaml``) and every one recorded in the accepted
history (``changelog.json``), so the registry judges the change exactly as ``contractsync check``
does. The registry answers 201 (stored), 200 (identical content already there: same version) or
409 with the located changes it refuses.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import orjson

from ..announce import announcements_path, load_announcements
from ..changelog import CHANGELOG_JSON, load_history
from ..config import Config
from ..spec.canonical import canonical_json
from ..spec.document import Document
from .cache import digest_of
from .http import RegistryClient

_POLICY_LOCAL_KEYS = {"base", "default_branch"}  # how to find a base in git: meaningless to a registry


@dataclass(frozen=True)
class SourceInfo:
    commit: str | None = None
    branch: str | None = None
    url: str | None = None


@dataclass
class PublishResult:
    """The registry's answer."""

    status: int
    digest: str
    version: dict[str, Any] | None = None
    label: dict[str, Any] | None = None
    changes: list[dict[str, Any]] = field(default_factory=list)
    causes: list[dict[str, Any]] = field(default_factory=list)
    detail: str = ""

    @property
    def created(self) -> bool:
        return self.status == 201

    @property
    def refused(self) -> bool:
        return self.status == 409


def announcements_for(cfg: Config) -> list[dict[str, Any]]:
    """Every announcement the backend holds: accepted (changelog.json) then pending
    (announcements.yaml, which wins for the same fingerprint)."""
    out: dict[str, dict[str, Any]] = {}
    history = load_history(cfg.contracts_path / CHANGELOG_JSON)
    for release in reversed(history.releases):
        for entry in release.changes:
            if entry.announcement is not None:
                out[entry.fingerprint] = {"fingerprint": entry.fingerprint, "reason": entry.announcement.reason,
                                          "migration": entry.announcement.migration, "sunset": None}
    for item in load_announcements(announcements_path(cfg.contracts_path)).announcements:
        out[item.fingerprint] = {"fingerprint": item.fingerprint, "reason": item.reason,
                                 "migration": item.migration, "sunset": None}
    return [out[k] for k in sorted(out)]


def git_source(root: Path) -> SourceInfo:
    """The commit and branch checked out at ``root`` (empty outside git or on a detached HEAD)."""
    def run(*args: str) -> str | None:
        try:
            proc = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=False, timeout=10)
        except (OSError, subprocess.TimeoutExpired):
            return None
        value = proc.stdout.strip()
        return value if proc.returncode == 0 and value else None

    commit = run("rev-parse", "--verify", "--quiet", "HEAD")
    branch = run("symbolic-ref", "--quiet", "--short", "HEAD")
    return SourceInfo(commit, branch)


def publish_body(cfg: Config, doc: Document, source: SourceInfo) -> bytes:
    """The JSON body of a publish."""
    # Only what the project set: the registry applies the same defaults.
    policy = {k: v for k, v in cfg.policy.model_dump(mode="json", exclude_defaults=True).items()
              if k not in _POLICY_LOCAL_KEYS}
    body: dict[str, Any] = {
        "openapi": orjson.loads(canonical_json(doc.data)),
        "announcements": announcements_for(cfg),
        "policy": policy,
        "source": {"commit": source.commit, "branch": source.branch, "url": source.url},
    }
    diff = cfg.diff.model_dump(mode="json", exclude_defaults=True)
    if diff:
        # [tool.contractsync.diff] levels and ignores: the registry judges exactly as `check` does.
        body["diff"] = diff
    return orjson.dumps(body)


def publish(client: RegistryClient, contract: str, label: str, body: bytes, digest: str) -> PublishResult:
    """POST the body; 200/201/409 come back as a :class:`PublishResult`, anything else raises
    :class:`~contractsync.client.http.RegistryError`."""
    answer = client.post_json(f"/v1/contracts/{quote(contract, safe='')}/versions", body,
                              params={"label": label}, ok=(200, 201, 409))
    data = answer.json()
    if not isinstance(data, dict):
        data = {}
    if answer.status == 409:
        return PublishResult(409, digest, causes=_objects(data.get("causes")), detail=str(data.get("detail") or ""))
    version = data.get("version") if isinstance(data.get("version"), dict) else None
    label_obj = data.get("label") if isinstance(data.get("label"), dict) else None
    changes = _objects(data.get("changes"))
    return PublishResult(answer.status, digest, version, label_obj, changes)


def _objects(value: Any) -> list[dict[str, Any]]:
    """The objects of a list in a registry's answer (anything else in it, or no list, is none)."""
    return [c for c in value if isinstance(c, dict)] if isinstance(value, list) else []


def document_digest(doc: Document) -> str:
    return digest_of(canonical_json(doc.data))
