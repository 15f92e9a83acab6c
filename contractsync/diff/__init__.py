"""The diff engine: two OpenAPI documents in, classified changes out.

>>> from contractsync.diff import diff
>>> report = diff(old_document, new_document)        # doctest: +SKIP
>>> [c.id for c in report.breaking]                  # doctest: +SKIP
['response-required-property-removed']
"""

from __future__ import annotations

from . import rules as _rules  # noqa: F401 - registers every rule
from .engine import diff
from .model import Change, Direction, Level, Location, Report, fingerprint
from .options import DiffOptions
from .registry import RULES, Rule

__all__ = [
    "RULES",
    "Change",
    "DiffOptions",
    "Direction",
    "Level",
    "Location",
    "Report",
    "Rule",
    "diff",
    "fingerprint",
]
