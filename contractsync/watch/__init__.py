"""``contractsync watch``: save a backend file, get fresh frontend types and a breaking-change
warning in a fraction of a second.

* :mod:`.worker` — the warm worker: FastAPI and the app's third-party imports loaded once, a
  forked child per rebuild imports the app fresh.
* :mod:`.pipeline` — one rebuild: export → canonical → diff against the stored contract →
  TypeScript → atomic writes.
* :mod:`.loop` — watchfiles events, debounce, worker restarts, clean shutdown.
* :mod:`.render` — the status line and the ``--json`` stream.
* :mod:`.config` — ``[tool.contractsync.watch]``.

The names below are imported on first use, so that ``contractsync.config`` can import
:class:`WatchConfig` without pulling in watchfiles (or importing itself in a cycle).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from .config import WatchConfig

if TYPE_CHECKING:
    from .loop import Watcher
    from .pipeline import Builder, Output, RebuildResult
    from .settings import WatchSettings, resolve_settings
    from .worker import ExportOutcome, SubprocessExporter, WarmWorker

_LAZY = {
    "Builder": "pipeline",
    "ExportOutcome": "worker",
    "Output": "pipeline",
    "RebuildResult": "pipeline",
    "SubprocessExporter": "worker",
    "WarmWorker": "worker",
    "WatchSettings": "settings",
    "Watcher": "loop",
    "resolve_settings": "settings",
}

__all__ = [
    "Builder",
    "ExportOutcome",
    "Output",
    "RebuildResult",
    "SubprocessExporter",
    "WarmWorker",
    "WatchConfig",
    "WatchSettings",
    "Watcher",
    "resolve_settings",
]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f".{module}", __name__), name)
