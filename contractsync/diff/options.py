"""Options of a diff: the injectable clock, ref policy, path filters and deprecation policy."""

from __future__ import annotations

import datetime
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class DiffOptions:
    """How :func:`contractsync.diff.diff` compares two documents."""

    now: datetime.date | None = None
    """Today for sunset rules (default: the real date). Inject it for reproducible CI runs."""
    allow_external_refs: bool = False
    """Follow ``$ref`` into other files; only files below ``base_dir`` are read, never URLs."""
    base_dir: Path | None = None
    """Directory external refs resolve against (default: each document's own directory)."""
    include_paths: Sequence[str] = ()
    """Regexes: when given, only paths matching one of them are compared."""
    exclude_paths: Sequence[str] = ()
    """Regexes: paths matching one of them are skipped."""
    deprecation_days_stable: int = 0
    """Minimum days between deprecation and sunset for stable operations; > 0 makes
    ``x-sunset`` mandatory on deprecation (oasdiff's ``--deprecation-days-stable``)."""
    deprecation_days_beta: int = 0
    """The same for ``x-stability-level: beta`` operations."""
    version_policy: bool = False
    """Judge ``info.version`` against the breaking changes found (``api-version-not-bumped``,
    ``api-version-decreased``, ``api-major-version-not-bumped``). Off by default: in
    contractsync's workflow the version is bumped at release (``accept``), not in every diff."""
    only_rules: frozenset[str] = field(default_factory=frozenset)
    """When non-empty, report only these rule ids."""
    profile: str | None = None
    """A rule profile (``"typescript"``): rules declared with a level for it take that level
    (see :data:`contractsync.diff.registry.PROFILES`)."""
    include_docs: bool = False
    """List documentation-only edits (descriptions, summaries, titles, examples) as
    ``documentation-changed`` changes; without it they are only counted
    (:attr:`Report.doc_edits <contractsync.diff.model.Report.doc_edits>`)."""
    positions: bool = True
    """Fill line:column positions (``Location.base_position``/``revision_position``) when the
    inputs are :class:`~contractsync.spec.Document` objects. Costs one source look-up per
    pointer; an output that shows no positions can turn it off."""

    def today(self) -> datetime.date:
        """The date sunset rules compare against."""
        return self.now or datetime.date.today()

    def path_selected(self, path: str) -> bool:
        """Whether ``path`` passes the include/exclude filters."""
        if self.include_paths and not any(re.search(p, path) for p in self.include_paths):
            return False
        return not any(re.search(p, path) for p in self.exclude_paths)
