"""Frontend impact analysis: which frontend files and lines a contract change breaks.

``analyse(frontend_dir, base, new)`` generates the TypeScript types for both contracts, runs the
frontend's own type-check (``vue-tsc --noEmit`` / ``tsc --noEmit``) with each in a temporary copy
of the frontend, keeps the errors only NEW causes and attributes each to the change(s) it comes
from through the emitter's symbol map. See docs/impact.md.
"""

from __future__ import annotations

from .analyse import ImpactReport, analyse
from .diagnostics import Diagnostic, new_diagnostics, parse_diagnostics

__all__ = ["Diagnostic", "ImpactReport", "analyse", "new_diagnostics", "parse_diagnostics"]
