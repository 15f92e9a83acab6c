"""``[tool.contractsync.watch]`` in pyproject.toml: what ``contractsync watch`` watches and writes.

.. code-block:: toml

    [tool.contractsync.watch]
    paths = ["backend/app"]            # default: the app dir
    ignore = ["*/migrations/*"]        # globs, matched against the path and the file name
    debounce_ms = 20                   # quiet time after the last save before a rebuild
    types = ["frontend/src/api/types.ts"]

Paths are relative to the directory holding pyproject.toml. Command-line flags override each key.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

#: Quiet time (ms) after the last file event before a rebuild starts. Editors write a save as a
#: burst of events within a few ms; 20 ms groups them and adds little to the latency. A burst
#: split in two only costs an extra rebuild: the last one always sees the final state.
DEFAULT_DEBOUNCE_MS = 20


class WatchConfig(BaseModel):
    """``contractsync watch`` settings read from ``[tool.contractsync.watch]``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    paths: list[str] = Field(
        default_factory=list,
        description="Directories or files to watch (default: the app dir).",
    )
    ignore: list[str] = Field(
        default_factory=list,
        description="Glob patterns of paths whose changes never trigger a rebuild.",
    )
    debounce_ms: int = Field(
        default=DEFAULT_DEBOUNCE_MS, ge=0, le=10_000,
        description="Milliseconds without further changes before a rebuild starts.",
    )
    types: list[str] = Field(
        default_factory=list,
        description="Files the watcher writes: '.ts' gets TypeScript types, '.json' the canonical "
                    "OpenAPI document (written in addition to [tool.contractsync] frontend_types).",
    )

    @field_validator("paths", "ignore", "types", mode="before")
    @classmethod
    def _one_or_many(cls, value: Any) -> Any:
        # `types = "frontend/src/api/types.ts"` reads naturally in TOML; accept it as a list of one.
        return [value] if isinstance(value, str) else value
