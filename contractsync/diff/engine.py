"""The engine: walk both documents once and hand each area to its rule module.

Like alembic's autogenerate compare, the engine only matches things up — operations (same
template and method first, then, among the rest, parameter names blanked so ``/books/{id}`` ≡
``/books/{book_id}``), webhooks, callbacks — and each area module (:mod:`.rules.paths`,
``parameters``, ``request_body``, ``responses``, ``security``, ``lifecycle``) decides what
changed there. Schemas go through one shared
:class:`~contractsync.diff.schemas.SchemaComparator`.
"""

from __future__ import annotations

import gc
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..spec.document import Document
from ..spec.refs import escape
from .collect import Collector
from .docedits import DocEdit, documentation_edits
from .model import DOCUMENTATION_CHANGED, Change, Direction, Level, Report
from .options import DiffOptions
from .resolve import Resolver
from .schemas import SchemaComparator

METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
_PARAM = re.compile(r"\{[^}/]*\}")


def path_key(path: str) -> str:
    """A path template with parameter names blanked: ``/books/{}``."""
    return _PARAM.sub("{}", path)


def path_param_names(path: str) -> list[str]:
    """Parameter names in template order."""
    return [m.group(0)[1:-1] for m in _PARAM.finditer(path)]


@dataclass
class OpCtx:
    """One operation present in both documents (or in one of them)."""

    name: str
    """``"GET /books/{id}"`` (revision path), ``"webhook newBook POST"``, or a callback's name."""
    old_op: dict[str, Any]
    new_op: dict[str, Any]
    old_item: dict[str, Any]
    new_item: dict[str, Any]
    optr: str
    nptr: str
    old_path: str
    new_path: str
    flipped: bool = False
    """True inside webhooks and callbacks: the server sends the request and the client answers."""

    @property
    def request(self) -> Direction:
        """Who sends this operation's request: the client, or (flipped) the server."""
        return Direction.RESPONSE if self.flipped else Direction.REQUEST

    @property
    def response(self) -> Direction:
        return Direction.REQUEST if self.flipped else Direction.RESPONSE


class Engine:
    """State of one diff: both documents, resolvers, the collector and the schema comparator."""

    def __init__(self, old: Document | dict[str, Any], new: Document | dict[str, Any],
                 options: DiffOptions) -> None:
        self.options = options
        self.old_doc = old if isinstance(old, Document) else None
        self.new_doc = new if isinstance(new, Document) else None
        self.old: dict[str, Any] = old.data if isinstance(old, Document) else old
        self.new: dict[str, Any] = new.data if isinstance(new, Document) else new
        self.old_resolver = _resolver(old, options)
        self.new_resolver = _resolver(new, options)
        self.out = Collector(frozenset(options.only_rules))
        self.warnings: list[str] = []
        self.schemas = SchemaComparator(self)
        self.relaxed_ops: set[str] = set()
        self.policy_days: dict[str, int] = {}
        """Per operation name, the deprecation policy's minimum sunset days for its stability
        level (what a property's deprecation there is judged by)."""

    def deref(self, side: str, node: Any, ptr: str) -> tuple[Any, str]:
        """Follow a ``$ref`` to a component (parameter, body, response, header)."""
        resolver = self.old_resolver if side == "old" else self.new_resolver
        for _ in range(16):
            if not (isinstance(node, dict) and isinstance(node.get("$ref"), str)):
                break
            key, node, _ = resolver.resolve(node["$ref"], "", ptr)
            ptr = key[1:] if key.startswith("#") else ptr
        return node, ptr

    def run(self) -> Report:
        # The comparison allocates many short-lived, acyclic objects (refcounting frees them)
        # while two large documents are alive; each cyclic-GC pass would walk every object of
        # both documents and find nothing to free. Paused for the run, restored after.
        enabled = gc.isenabled()
        gc.disable()
        try:
            return self._run()
        finally:
            if enabled:
                gc.enable()

    def _run(self) -> Report:
        from .rules import paths, security

        paths.compare(self)
        security.compare_document(self)
        paths.compare_components(self)
        if self.options.profile == "typescript":
            from .rules import typescript

            typescript.compare(self)
        self.schemas.finish()
        edits: list[DocEdit] = []
        if self.options.include_docs:
            edits = documentation_edits(self.old, self.new)
            _list_edits(self.out, edits)
        changes = self._changes()
        from .rules import versioning

        if versioning.check(self, changes):  # judged on what every other rule found
            changes = self._changes()
        if not changes and not self.options.include_docs:
            # Counted only when they are all there is to say (the walk costs ~0.1 s on a 13 MB
            # pair, which a report with API changes would not show).
            edits = documentation_edits(self.old, self.new)
        if self.options.positions and changes:
            changes = self._positions(changes)
        self.schemas.release()
        return Report(changes=changes, base_source=_source(self.old_doc),
                      revision_source=_source(self.new_doc), warnings=self.warnings,
                      doc_edits=len(edits))

    def _changes(self) -> list[Change]:
        changes = self.out.changes()
        if self.options.profile:
            changes = self._profile(changes)
        if self.relaxed_ops:
            changes = [_relax(c, self.relaxed_ops) for c in changes]
            changes.sort(key=lambda c: (-c.level.rank, c.location.subject, c.location.detail, c.id,
                                        c.fingerprint))
        return changes

    def _profile(self, changes: list[Change]) -> list[Change]:
        """Levels of the profile's rules (``--profile typescript``)."""
        from dataclasses import replace

        from .registry import profile_level

        out = []
        for change in changes:
            level = profile_level(self.options.profile, change, self.new)
            if level is not None and level is not change.level:
                change = replace(change, level=level)
            out.append(change)
        out.sort(key=lambda c: (-c.level.rank, c.location.subject, c.location.detail, c.id, c.fingerprint))
        return out

    def _positions(self, changes: list[Change]) -> list[Change]:
        """Fill line:column positions, looking each distinct pointer up once per document."""
        from dataclasses import replace

        old_at: dict[str, Any] = {}
        new_at: dict[str, Any] = {}
        out = []
        for change in changes:
            loc = change.location
            bpos = _locate(self.old_doc, loc.base, old_at)
            rpos = _locate(self.new_doc, loc.revision, new_at)
            if bpos is None and rpos is None:
                out.append(change)
            else:
                out.append(replace(change, location=replace(loc, base_position=bpos,
                                                            revision_position=rpos)))
        # A YAML document's positions come from a node tree with marks (spec/locate.py), about
        # ten objects per value of the parsed data, that the locator caches per buffer. Kept
        # alive, those millions of objects cost more in later cyclic-GC passes (about 1 s on
        # GitHub's 3 MB YAML pair) than composing them again (0.15 s per document) would, and a
        # diff looks every position up here, at once. So they are dropped now, while refcounting
        # still frees them in one go.
        from ..spec.locate import forget

        for doc in (self.old_doc, self.new_doc):
            if doc is not None and doc.format == "yaml" and doc.raw is not None:
                forget(doc.raw)
        return out


def op_pointer(path: str, method: str, root: str = "/paths") -> str:
    return f"{root}/{escape(path)}/{method}"


def _resolver(doc: Document | dict[str, Any], options: DiffOptions) -> Resolver:
    if isinstance(doc, Document):
        base = options.base_dir or (doc.path.parent if doc.path is not None else None)
        return Resolver(doc.data, doc.source, base, options.allow_external_refs)
    return Resolver(doc, "", options.base_dir or (Path.cwd() if options.allow_external_refs else None),
                    options.allow_external_refs)


def _source(doc: Document | None) -> str:
    if doc is None:
        return ""
    if doc.path is not None:  # a local file: named from the repository root in every report
        from ..io import repo_path

        return repo_path(doc.path)
    return doc.source


def _locate(doc: Document | None, pointer: str | None, seen: dict[str, Any]) -> Any:
    if doc is None or pointer is None:
        return None
    if pointer in seen:
        return seen[pointer]
    try:
        position = doc.locate(pointer)
    except (ImportError, KeyError, ValueError):
        # The locator may be absent in this build, or the pointer may not map to source text.
        position = None
    seen[pointer] = position
    return position


def _list_edits(out: Collector, edits: list[DocEdit]) -> None:
    for e in edits:
        kw = escape(e.keyword)
        out.add(DOCUMENTATION_CHANGED, subject=e.subject, detail=e.detail,
                base=f"{e.base_pointer}/{kw}" if e.base else None,
                revision=f"{e.revision_pointer}/{kw}" if e.revision else None,
                message=f"{e.subject} {e.detail}: {e.keyword} {e.verb}",
                key=f"{e.revision_pointer}/{kw}")


def _relax(change: Change, relaxed: set[str]) -> Change:
    """Changes that touch only draft/alpha operations do not block: those may change freely."""
    if change.level is Level.INFO or not change.operations:
        return change
    if not all(op in relaxed for op in change.operations):
        return change
    from dataclasses import replace

    return replace(change, level=Level.INFO,
                   message=change.message + " (draft/alpha operation: not blocking)")


def diff(old: Document | dict[str, Any], new: Document | dict[str, Any], *,
         options: DiffOptions | None = None) -> Report:
    """Compare two OpenAPI documents and classify every change.

    ``old`` and ``new`` are :class:`~contractsync.spec.Document` objects (then changes carry
    line:column positions) or plain dicts. Changes come breaking first, then by subject, detail
    and id; ``diff(x, x)`` is empty.
    """
    return Engine(old, new, options or DiffOptions()).run()
