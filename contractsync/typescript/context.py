"""State shared by the transform modules during one generation: the document, the options,
``$ref`` resolution, warnings and what the analysis pass decided about request views."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

from ..spec.refs import resolve_pointer
from .ident import NameAllocator, index_key
from .options import TypeScriptOptions

_log = logging.getLogger("contractsync.typescript")

#: Component kinds that get an entry in ``components`` (in emit order).
COMPONENT_KINDS = ("schemas", "responses", "parameters", "requestBodies", "headers", "pathItems")


@dataclass(frozen=True)
class TypeScriptWarning:
    """A place where the output is less exact than the contract: ``pointer`` is the JSON pointer
    (``#/components/schemas/X/...``) of the schema that was widened, ``message`` says why."""

    pointer: str
    message: str

    def __str__(self) -> str:
        return f"{self.pointer}: {self.message}"


WarnCallback = Callable[[TypeScriptWarning], None]


def _log_warning(warning: TypeScriptWarning) -> None:
    _log.warning("%s", warning)


def escape_pointer_segment(segment: str) -> str:
    """One JSON-pointer segment, escaped (``~`` → ``~0``, ``/`` → ``~1``)."""
    if "~" in segment or "/" in segment:
        return segment.replace("~", "~0").replace("/", "~1")
    return segment


def _unescape(segment: str) -> str:
    return segment.replace("~1", "/").replace("~0", "~")


_MISSING = object()


@dataclass
class Context:
    """Everything one run of the generator shares; created by :func:`contractsync.to_typescript`."""

    data: dict[str, Any]
    options: TypeScriptOptions
    warn_callback: WarnCallback = _log_warning
    #: Identifiers handed out to aliases and enums.
    names: NameAllocator = field(default_factory=NameAllocator)
    #: ``components.schemas`` (an empty dict when absent or malformed).
    schemas: dict[str, Any] = field(default_factory=dict)
    #: Schemas whose request view is emitted under ``requestSchemas`` (used in both directions).
    dual: set[str] = field(default_factory=set)
    #: Schemas used only in requests whose ``components`` entry is the request view.
    request_only: set[str] = field(default_factory=set)
    #: Eager references (outside any object literal) that would make TypeScript's type resolution
    #: circular; emitted as ``unknown``.
    banned: set[tuple[str, str]] = field(default_factory=set)
    #: Schemas requests reach as text (JSON bodies, parameters): a binary string in their request
    #: view is the ``string`` the JSON carries, never a ``Blob`` (pydantic ``bytes`` in a JSON
    #: body). Those also reached from other bodies get a form view (``form``).
    text_requests: set[str] = field(default_factory=set)
    #: Schemas with a form view (``formRequestSchemas``): the request view for bodies that are not
    #: JSON, where a binary string is a ``Blob``, of a schema JSON bodies reach too.
    form: set[str] = field(default_factory=set)
    #: The alias of each recursive schema's form view, and the bodies of those aliases.
    form_alias: dict[str, str] = field(default_factory=dict)
    form_bodies: dict[str, str] = field(default_factory=dict)
    #: While emitting an inline request schema: whether it is sent as text (see ``text_requests``).
    text_context: bool = False
    #: Schemas on a reference cycle TypeScript resolves only through type aliases (recursion
    #: through arrays and unions, pydantic's ``JsonValue``), by cycle: their body is a top-level
    #: ``type`` alias and their ``components`` entry names it.
    recursive: dict[str, int] = field(default_factory=dict)
    #: The request view alias of each dual recursive schema.
    request_alias: dict[str, str] = field(default_factory=dict)
    #: The bodies of the recursive aliases: ``(schema, request view?)`` → type text.
    recursive_bodies: dict[tuple[str, bool], str] = field(default_factory=dict)
    #: Whether the ``WithRequired`` helper is used.
    uses_with_required: bool = False
    #: ``export enum`` declarations, by the pointer of the enum schema (``--enum``).
    enum_names: dict[str, str] = field(default_factory=dict)
    enum_decls: list[str] = field(default_factory=list)
    #: Member access expressions (``Color.red``) of each declared enum, in value order.
    enum_members: dict[str, list[str]] = field(default_factory=dict)
    #: The member access expression of each value literal, by enum name (``"cat"`` → ``Kind.cat``).
    enum_access: dict[str, dict[str, str]] = field(default_factory=dict)
    #: Component schemas emitted as an ``export enum`` of their own name (no alias for them).
    enum_components: set[str] = field(default_factory=set)
    #: Alias identifier of each component schema (allocated up front, so enums can reuse them).
    schema_alias: dict[str, str] = field(default_factory=dict)

    # Bookkeeping of the component schema being emitted (the analysis pass reads it).
    current: str | None = None
    current_refs: set[str] = field(default_factory=set)
    #: Eager references (outside any object literal) of the current schema that are not inside an
    #: array or tuple element either (TypeScript cannot defer them even in a type alias).
    current_hard: set[str] = field(default_factory=set)
    #: Eager references of the current schema inside an array or tuple element.
    current_soft: set[str] = field(default_factory=set)
    #: How many array/tuple element types enclose the type being emitted.
    array_depth: int = 0
    current_differs: bool = False
    current_binary: bool = False
    #: Whether the component view being emitted is sent in a body that is not JSON (a binary
    #: string is a ``Blob`` there).
    current_file: bool = False
    _inline_stack: list[str] = field(default_factory=list)
    _warned: set[tuple[str, str]] = field(default_factory=set)

    def __post_init__(self) -> None:
        components = self.data.get("components")
        if isinstance(components, dict):
            schemas = components.get("schemas")
            if isinstance(schemas, dict):
                self.schemas = schemas
        self.alphabetize = self.options.alphabetize
        self.immutable = self.options.immutable
        self.exclude_deprecated = self.options.exclude_deprecated
        self.is_31 = str(self.data.get("openapi", "")).startswith("3.1")

    # -- diagnostics -------------------------------------------------------------------------

    def warn(self, pointer: str, message: str) -> None:
        """Report a widening once per pointer and message."""
        key = (pointer, message)
        if key in self._warned:
            return
        self._warned.add(key)
        self.warn_callback(TypeScriptWarning(pointer, message))

    # -- iteration ---------------------------------------------------------------------------

    def items(self, mapping: dict[str, Any]) -> Iterable[tuple[str, Any]]:
        """``mapping``'s items in output order: document order, or sorted with ``alphabetize``."""
        if self.alphabetize:
            return sorted(mapping.items())
        return mapping.items()

    # -- references --------------------------------------------------------------------------

    def resolve(self, ref: str) -> Any:
        """The value a local ``$ref`` points at, or ``_MISSING`` (external, malformed, absent)."""
        if not ref.startswith("#"):
            return _MISSING
        try:
            return resolve_pointer(self.data, ref)
        except KeyError:
            return _MISSING

    @staticmethod
    def component_name(ref: str, kind: str) -> str | None:
        """The component name when ``ref`` is exactly ``#/components/<kind>/<name>``."""
        prefix = "#/components/" + kind + "/"
        if not ref.startswith(prefix):
            return None
        rest = ref[len(prefix) :]
        if "/" in rest:
            return None
        if "%" in rest:
            rest = unquote(rest)
        return _unescape(rest)

    def component(self, kind: str, name: str) -> Any:
        """``components.<kind>.<name>`` or ``None``."""
        components = self.data.get("components")
        if not isinstance(components, dict):
            return None
        group = components.get(kind)
        if not isinstance(group, dict):
            return None
        return group.get(name)

    def resolve_chain(self, node: Any, pointer: str) -> tuple[Any, str | None]:
        """Follow ``$ref`` from ``node`` until a non-reference object; returns it and the last
        component name seen (``None`` when ``node`` was not a reference). A missing target or a
        cycle gives ``(None, name)`` and a warning."""
        seen: set[str] = set()
        last: str | None = None
        while isinstance(node, dict) and isinstance(node.get("$ref"), str):
            ref = node["$ref"]
            if ref in seen:
                self.warn(pointer, f"$ref cycle through {ref}")
                return None, last
            seen.add(ref)
            target = self.resolve(ref)
            if target is _MISSING:
                self.warn(pointer, f"cannot resolve $ref {ref}")
                return None, last
            last = ref
            node = target
        return node, last

    def recursive_alias(self, name: str, request: bool) -> str:
        """The type alias that carries a recursive schema's body in the given view (the form view
        while a view for bodies that are not JSON is being emitted)."""
        if request and name in self.form and self.current_file:
            return self.form_alias[name]
        if request and name in self.dual:
            return self.request_alias[name]
        return self.schema_alias[name]

    def binary_is_blob(self) -> bool:
        """Whether a binary string in the request view being emitted is a file (``Blob``): in a
        component view for bodies that are not JSON, or inline in such a body (never in a JSON
        body or a parameter)."""
        if self.current is not None:
            return self.current_file
        return not self.text_context

    def is_missing(self, value: Any) -> bool:
        """True for the sentinel :meth:`resolve` returns on failure."""
        return value is _MISSING

    def schema_ref_type(
        self, ref: str, pointer: str, request: bool, ind: str, eager: bool
    ) -> str:
        """The type of a schema ``$ref``: an indexed access into ``components`` (or
        ``requestSchemas`` in a request view), or the target emitted inline for deep pointers."""
        name = self.component_name(ref, "schemas")
        if name is not None:
            if name not in self.schemas:
                self.warn(pointer, f"cannot resolve $ref {ref}; typed unknown")
                return "unknown"
            if self.current is not None:
                self.current_refs.add(name)
                if eager:
                    hard = self.array_depth == 0
                    (self.current_hard if hard else self.current_soft).add(name)
                    if hard and (self.current, name) in self.banned:
                        self.warn(pointer, f"$ref {ref} makes the type circular; typed unknown")
                        return "unknown"
                    cycle = self.recursive.get(self.current)
                    if cycle is not None and self.recursive.get(name) == cycle:
                        return self.recursive_alias(name, request)
            if request and name in self.form and self.binary_is_blob():
                return "formRequestSchemas" + index_key(name)
            if request and name in self.dual:
                return "requestSchemas" + index_key(name)
            return 'components["schemas"]' + index_key(name)
        target = self.resolve(ref)
        if target is _MISSING:
            self.warn(pointer, f"cannot resolve $ref {ref}; typed unknown")
            return "unknown"
        if ref in self._inline_stack or len(self._inline_stack) > 64:
            self.warn(pointer, f"$ref {ref} refers back to itself; typed unknown")
            return "unknown"
        from .schema import schema_type

        self._inline_stack.append(ref)
        try:
            return schema_type(self, target, ref, request, ind, eager)
        finally:
            self._inline_stack.pop()
