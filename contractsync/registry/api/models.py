"""Response and request shapes, for the registry's own OpenAPI document (the endpoints write
their JSON directly with orjson; these models describe it)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class Source(BaseModel):
    commit: str | None
    branch: str | None
    url: str | None


class Links(BaseModel):
    openapi: str
    types: str
    changelog: str


class VersionObject(BaseModel):
    contract: str
    version: int
    digest: str = Field(pattern=r"^sha256:[0-9a-f]{64}$")
    info_version: str
    title: str
    source: Source
    author: str
    created_at: str
    parent: int | None = Field(description="The version this one was judged against.")
    links: Links


class LabelPointer(BaseModel):
    contract: str
    label: str
    version: int
    digest: str
    info_version: str
    policy: Literal["block", "warn"]
    moved_at: str
    moved_by: str


class ContractSummary(BaseModel):
    name: str
    labels: dict[str, int]
    latest: int | None


class ContractList(BaseModel):
    contracts: list[ContractSummary]


class ContractDetail(BaseModel):
    name: str
    labels: list[LabelPointer]
    versions: list[VersionObject]


class Move(BaseModel):
    version: int
    digest: str
    previous: int | None
    moved_at: str
    moved_by: str


class LabelHistory(BaseModel):
    contract: str
    label: str
    moves: list[Move]


class MoveLabel(BaseModel):
    model_config = ConfigDict(extra="forbid")

    # strict: a JSON integer, not "1", " 1", 1.0 or true (each coerced to version 1 before).
    version: int | None = Field(default=None, ge=1, strict=True)
    digest: str | None = Field(default=None, pattern=r"^sha256:[0-9a-f]{64}$")
    policy: Literal["block", "warn"] | None = None


class Announcement(BaseModel):
    reason: str
    migration: str | None
    sunset: str | None


class ChangeJSON(BaseModel):
    model_config = ConfigDict(extra="allow")

    id: str
    level: Literal["breaking", "warning", "info"]
    fingerprint: str
    operations: list[str]
    message: str
    location: dict[str, Any]
    announcement: Announcement | None


class DiffJSON(BaseModel):
    model_config = ConfigDict(extra="allow")

    format_version: int
    summary: dict[str, int]
    changes: list[ChangeJSON]


class PublishSource(BaseModel):
    commit: str | None = None
    branch: str | None = None
    url: str | None = None


class PublishAnnouncement(BaseModel):
    fingerprint: str = Field(pattern=r"^[0-9a-f]{6,64}$")
    reason: str
    migration: str | None = None
    sunset: str | None = None


class PublishBody(BaseModel):
    """The body of a publish or check (documented shape; parsed by the service)."""

    openapi: dict[str, Any] = Field(description="The OpenAPI 3.0/3.1 document.")
    announcements: list[PublishAnnouncement] = Field(default_factory=list)
    policy: dict[str, Any] | None = Field(default=None, description="Keys of [tool.contractsync.policy].")
    diff: dict[str, Any] | None = Field(default=None, description="Keys of [tool.contractsync.diff].")
    source: PublishSource | None = None


class PublishResult(BaseModel):
    version: VersionObject
    label: LabelPointer
    changes: list[ChangeJSON]


class CheckResult(BaseModel):
    verdict: Literal["pass", "fail"]
    policy: Literal["block", "warn"]
    base: VersionObject | None
    changes: list[ChangeJSON]
    causes: list[dict[str, Any]]


class Cause(BaseModel):
    model_config = ConfigDict(extra="allow")


class ProblemDetails(BaseModel):
    type: str
    title: str
    status: int
    detail: str
    causes: list[Cause]
