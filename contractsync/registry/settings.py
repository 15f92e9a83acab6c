"""The registry's settings: one pydantic model, from arguments or ``CONTRACTSYNC_REGISTRY_*``."""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

#: Default limit of a publish body (the GitHub description is 13 MB).
DEFAULT_MAX_BODY = 32 * 1024 * 1024


class RegistrySettings(BaseModel):
    """How a registry instance stores and serves contracts."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    data_dir: Path | None = Field(
        default=None, description="SQLite storage directory (used when no database URL is given).")
    database_url: str | None = Field(
        default=None, description="postgresql://… (several replicas share one database).")
    anonymous_read: bool = Field(default=False, description="GET requests need no token.")
    max_body_bytes: int = Field(default=DEFAULT_MAX_BODY, gt=0, description="Largest publish body.")
    label_max_age: int = Field(default=5, ge=0, description="Cache-Control max-age of label pointers (s).")
    diff_workers: int = Field(
        default=2, gt=0, description="Diffs computed at once (each is computed once, then served from storage).")
    diff_queue: int = Field(
        default=16, ge=0, description="Diff computations that may wait for a worker before requests get 503.")
    warn_labels: tuple[str, ...] = Field(
        default=("pr-*", "preview-*", "dev-*"),
        description="fnmatch patterns of labels created with policy 'warn' (all others: 'block').")

    @classmethod
    def from_env(cls, **overrides: object) -> RegistrySettings:
        """Settings from ``CONTRACTSYNC_REGISTRY_DATA`` / ``_DATABASE`` / ``_ANONYMOUS_READ`` /
        ``_MAX_BODY`` / ``_DIFF_WORKERS`` / ``_DIFF_QUEUE``
        (for ``uvicorn --factory contractsync.registry.app:create_app``), then ``overrides``."""
        values: dict[str, object] = {}
        if os.environ.get("CONTRACTSYNC_REGISTRY_DATA"):
            values["data_dir"] = Path(os.environ["CONTRACTSYNC_REGISTRY_DATA"])
        if os.environ.get("CONTRACTSYNC_REGISTRY_DATABASE"):
            values["database_url"] = os.environ["CONTRACTSYNC_REGISTRY_DATABASE"]
        flag = os.environ.get("CONTRACTSYNC_REGISTRY_ANONYMOUS_READ", "").strip().lower()
        if flag:
            values["anonymous_read"] = flag in ("1", "true", "yes", "on")
        for key, env in (("max_body_bytes", "MAX_BODY"), ("diff_workers", "DIFF_WORKERS"), ("diff_queue", "DIFF_QUEUE")):
            if os.environ.get(f"CONTRACTSYNC_REGISTRY_{env}"):
                values[key] = int(os.environ[f"CONTRACTSYNC_REGISTRY_{env}"])
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls.model_validate(values)

    def storage_name(self) -> str:
        """Where the data lives, for log lines (never the password of a database URL)."""
        if self.database_url:
            from urllib.parse import urlsplit

            parts = urlsplit(self.database_url)
            host = parts.hostname or "localhost"
            return f"postgresql://{host}{':' + str(parts.port) if parts.port else ''}{parts.path}"
        return f"sqlite:{(self.data_dir or Path('contractsync-data')) / 'registry.sqlite3'}"
