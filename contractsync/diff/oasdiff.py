"""oasdiff's rule vocabulary (v1.28): id → default level, to mark the ids we share with it."""

from __future__ import annotations

import json
from pathlib import Path

OASDIFF_LEVELS: dict[str, str] = json.loads(
    (Path(__file__).with_name("oasdiff_ids.json")).read_text(encoding="utf-8"))
"""Every oasdiff v1.28 rule id with its default level (ERR/WARN/INFO)."""
