"""What every command reports: load two specs, diff them, apply ``[tool.contractsync.diff]``.

``contractsync diff``, the CI gate and the watcher all go through :func:`compare`, so per-rule
levels and ignores apply the same way everywhere and the outputs never disagree.
"""

from __future__ import annotations

import contextlib
import dataclasses
import gc
from collections.abc import Iterator
from dataclasses import dataclass, field

from ..spec.document import Document
from ..spec.source import Source, load_spec
from .engine import diff
from .model import Report
from .options import DiffOptions
from .settings import DiffConfig, apply_settings, validate_rules


@dataclass
class Comparison:
    """A diff with the two documents it compared."""

    report: Report
    base: Document
    revision: Document
    warnings: list[str] = field(default_factory=list)


def load_for_diff(source: Source | str, *, allow_external_refs: bool = False) -> Document:
    """:func:`~contractsync.spec.load_spec`, with ``diff --allow-external-refs``: a ``$ref`` to
    nothing, or an external one that is not allowed, is a one-line :class:`RefError`."""
    return load_spec(source, allow_external_refs=allow_external_refs)


def compare(
    base: Document | Source | str,
    revision: Document | Source | str,
    *,
    options: DiffOptions | None = None,
    settings: DiffConfig | None = None,
    config_file: str | None = None,
) -> Comparison:
    """Diff ``base`` → ``revision`` and apply ``settings`` (per-rule levels, ignores).

    Sources are loaded with :func:`load_for_diff`. ``config_file`` names where ``settings`` came
    from in error messages (an unknown rule id in ``levels``).
    """
    opts = options or DiffOptions()
    if settings is not None and settings.version_policy and not opts.version_policy:
        opts = dataclasses.replace(opts, version_policy=True)
    # Loading and diffing two large documents allocates millions of long-lived, acyclic objects;
    # the cyclic GC would walk them again and again (2.6 s of 3.8 s on GitHub's 3 MB YAML pair)
    # and find nothing to free. Paused for the comparison, restored after.
    with _gc_paused():
        old = base if isinstance(base, Document) else load_for_diff(base, allow_external_refs=opts.allow_external_refs)
        new = (revision if isinstance(revision, Document)
               else load_for_diff(revision, allow_external_refs=opts.allow_external_refs))
        report = diff(old, new, options=opts)
    report.base_source = report.base_source or old.source
    report.revision_source = report.revision_source or new.source
    if settings is not None:
        validate_rules(settings, source=config_file)
        report = apply_settings(report, settings, opts.today())
    return Comparison(report, old, new, warnings=[*old.warnings, *new.warnings])


@contextlib.contextmanager
def _gc_paused() -> Iterator[None]:
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
