"""Full validation with openapi-spec-validator, cached by content hash.

Full validation is slow on big documents (about 17 s for GitHub's 13 MB description), so only
``validate`` and the commands that store the user's own contract (``export``, ``accept``) pay it;
every other command runs the cheap structural check of :mod:`.document` and carries on with a
warning when a real-world document bends the spec a little.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from ..errors import RefError
from ..io import atomic_write_bytes
from .document import Document
from .refs import check_refs, escape, is_literal, resolve_pointer

#: Bumped when the meaning of a cached verdict changes.
_CACHE_VERSION = "3"  # bumped: percent-encoded $ref fragments resolve (#13); unchanged by dedupe_in_sets (same verdicts)


@dataclass(frozen=True)
class Problem:
    """One validation problem: where (JSON pointer) and what."""

    pointer: str
    message: str

    def __str__(self) -> str:
        return f"{self.pointer or '/'}: {self.message}"


def cache_dir() -> Path:
    """Where validation verdicts are cached (``$XDG_CACHE_HOME/contractsync``)."""
    base = os.environ.get("CONTRACTSYNC_CACHE_DIR")
    if base:
        return Path(base)
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg else Path.home() / ".cache") / "contractsync"


def validate_document(doc: Document, *, use_cache: bool = True) -> list[Problem]:
    """Every problem openapi-spec-validator finds, each with its JSON pointer.

    External ``$ref`` values are refused before the validator runs (it would otherwise fetch
    them). Verdicts are cached by content hash, so re-validating an unchanged contract is free.
    """
    key = hashlib.sha256(f"{_CACHE_VERSION}\0".encode() + _content_bytes(doc)).hexdigest()
    cache_file = cache_dir() / "validated" / f"{key}.json"
    if use_cache:
        try:
            cached = orjson.loads(cache_file.read_bytes())
            return [Problem(p["pointer"], p["message"]) for p in cached]
        except (OSError, orjson.JSONDecodeError, KeyError, TypeError):
            pass
    problems = _validate(doc.data, source=doc.source, raw=doc.raw if doc.format == "json" else None)
    if use_cache:
        # A cache that cannot be written is not an error.
        with contextlib.suppress(Exception):
            atomic_write_bytes(cache_file, orjson.dumps([p.__dict__ for p in problems]))
    return problems


def _content_bytes(doc: Document) -> bytes:
    return doc.raw if doc.raw is not None else orjson.dumps(doc.data, option=orjson.OPT_SORT_KEYS)


def _validate(data: dict[str, Any], *, source: str, raw: bytes | None = None) -> list[Problem]:
    from openapi_spec_validator import OpenAPIV30SpecValidator, OpenAPIV31SpecValidator

    try:
        check_refs(data, source=source, raw=raw)
    except RefError as exc:
        return [Problem(exc.where or "", exc.message)]
    visits = ref_expansion(data, MAX_VALIDATION_VISITS)
    if visits > MAX_VALIDATION_VISITS:
        # openapi-spec-validator re-walks a schema at every place a $ref reaches it: an allOf DAG
        # 40 levels deep is 2^40 walks. Refuse the work up front (structure, not time: the same
        # document always gets the same answer) and say so; the structural checks still ran.
        skipped = [Problem("", f"full validation skipped: following its $refs the document expands to more "
                                f"than {MAX_VALIDATION_VISITS:,} schema nodes (shared schemas reached "
                                "through many paths, e.g. an allOf chain); the validator would not finish")]
        return skipped + lint(data)
    version = str(data.get("openapi", ""))
    cls = OpenAPIV31SpecValidator if version.startswith("3.1") else OpenAPIV30SpecValidator
    problems: list[Problem] = []
    try:
        validator = cls(data)
        dedupe_in_sets(validator)
        for error in validator.iter_errors():
            path = getattr(error, "absolute_path", None) or getattr(error, "path", None) or ()
            pointer = "".join("/" + escape(str(p)) for p in path)
            message = " ".join(str(getattr(error, "message", error)).split())
            if len(message) > 300:
                message = message[:297] + "..."
            problems.append(Problem(pointer, message))
    except RecursionError:
        problems.append(Problem("", "the validator ran out of stack (a deeply recursive document)"))
    except Exception as exc:  # it raises on some malformed inputs
        problems.append(Problem("", f"the validator stopped: {type(exc).__name__}: {exc}"))
    problems.extend(lint(data))
    problems.sort(key=lambda p: (p.pointer, p.message))
    return problems


class _IdSet(set[int]):
    """A set that answers ``append`` like the list it replaces."""

    def append(self, value: int) -> None:
        self.add(value)


def dedupe_in_sets(validator: Any) -> None:
    """Make openapi-spec-validator's "schema already checked" registries sets.

    Its schema keyword validator remembers every schema it has checked (by ``id``) in two lists
    and asks ``id in list`` at every schema it reaches through a ``$ref``: quadratic in the
    number of schemas (GitHub's description: about 100,000 of them, a third of the validation
    time). A set gives the same answers (membership and insertion only) in constant time. When
    a future version names them differently nothing changes here.
    """
    registry = getattr(validator, "keyword_validators_registry", None)
    if registry is None:
        return
    try:
        schema_validator = registry["schema"]
    except Exception:  # a version without that keyword validator
        return
    for name in ("visited_schema_ids", "meta_checked_schema_ids"):
        if isinstance(getattr(schema_validator, name, None), list):
            setattr(schema_validator, name, _IdSet(getattr(schema_validator, name)))


#: Most nodes the validator may visit with every $ref followed (GitHub's description: 2 M, ~12 s).
#: The validator spends 6-12 µs a node, so this bounds it near a minute.
MAX_VALIDATION_VISITS = 5_000_000


def ref_expansion(data: Any, limit: int) -> int:
    """How many nodes a walk of ``data`` visits when every local ``$ref`` is followed (a target
    already on the walk's path counts once: the validator stops at cycles too), stopping early
    once past ``limit``. Linear: each node's expanded size is computed once."""
    sizes: dict[int, int] = {}
    on_path: set[int] = set()
    stack: list[tuple[Any, bool]] = [(data, False)]
    while stack:
        node, done = stack.pop()
        key = id(node)
        if done:
            on_path.discard(key)
            total = 1
            for child in _children(data, node):
                total += sizes.get(id(child), 1) if isinstance(child, (dict, list)) else 1
                if total > limit:
                    return total
            sizes[key] = total
            continue
        if key in sizes or key in on_path:
            continue
        on_path.add(key)
        stack.append((node, True))
        for child in _children(data, node):
            if isinstance(child, (dict, list)) and id(child) not in sizes and id(child) not in on_path:
                stack.append((child, False))
    return sizes.get(id(data), 1)


def _children(data: Any, node: Any) -> list[Any]:
    if isinstance(node, list):
        return node
    if not isinstance(node, dict):
        return []
    out = list(node.values())
    ref = node.get("$ref")
    if isinstance(ref, str) and ref.startswith("#"):
        with contextlib.suppress(KeyError):
            out.append(resolve_pointer(data, ref))
    return out


def lint(data: Any) -> list[Problem]:
    """Mistakes real documents make that openapi-spec-validator lets through.

    ``required`` on a schema that can only be an array (or another non-object type) constrains
    nothing: the author meant ``items.required``, and generated clients silently drop it.
    GitHub's and box's descriptions both do this.
    """
    problems: list[Problem] = []
    stack: list[tuple[str, Any]] = [("", data)]
    while stack:
        pointer, node = stack.pop()
        if isinstance(node, dict):
            required = node.get("required")
            types = node.get("type")
            type_set = set(types) if isinstance(types, list) else {types} if isinstance(types, str) else set()
            if (isinstance(required, list) and required and type_set and "object" not in type_set
                    and not is_literal(pointer)):
                kind = "/".join(sorted(str(t) for t in type_set))
                problems.append(Problem(
                    pointer + "/required",
                    f"'required' on a schema of type {kind} has no effect "
                    f"(did you mean items.required?): {required}",
                ))
            for key, value in node.items():
                if isinstance(value, (dict, list)):
                    stack.append((f"{pointer}/{escape(key)}", value))
        elif isinstance(node, list):
            for i, value in enumerate(node):
                if isinstance(value, (dict, list)):
                    stack.append((f"{pointer}/{i}", value))
    return problems
