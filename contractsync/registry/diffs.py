"""The registry's diff of two versions in every format it serves, rendered from one report.

Both versions are immutable and the rendering depends on nothing else (announcements are
stored with their version; dates are judged as of the later version), so the result is an
artifact: :meth:`contractsync.registry.service.Registry.store_diffs` stores it once per pair,
format and engine version, and every request after the first is a read.
"""

from __future__ import annotations

from collections.abc import Mapping

import orjson

from ..diff.model import Report
from .shapes import changes_json, version_json
from .store.protocol import AnnouncementRow, VersionRow

#: The formats of ``GET /v1/contracts/{c}/diff?format=`` (``html`` also serves the pages' diff).
DIFF_FORMATS = ("json", "markdown", "html")

MEDIA_TYPES = {"json": "application/json", "markdown": "text/markdown; charset=utf-8",
               "html": "text/html; charset=utf-8"}


def render_diffs(contract: str, old: VersionRow, new: VersionRow, report: Report,
                 announced: Mapping[str, AnnouncementRow]) -> dict[str, bytes]:
    """The diff ``old`` → ``new`` in each of :data:`DIFF_FORMATS`."""
    from ..render import render
    from ..render.json import to_dict
    from .pages import diff_html

    data = to_dict(report)
    data["changes"] = changes_json(report, announced)
    data["from"] = version_json(old)
    data["to"] = version_json(new)
    return {"json": orjson.dumps(data), "markdown": render(report, "markdown").encode("utf-8"),
            "html": diff_html(contract, old, new, report, announced).encode("utf-8")}
