"""The analysis pass between emitting ``components.schemas`` and everything that references it.

It answers two questions from the references the schema emitter recorded:

1. **Which schemas need a request view, and where does it go?** A schema's request view differs
   from its response view when it (or a schema it references) has a defaulted optional property,
   a ``readOnly``/``writeOnly`` property or a binary string. For such a schema reachable from a
   request (a body or a parameter):

   * used only in requests → ``components["schemas"]["X"]`` *is* the request view;
   * used in requests and responses → ``components["schemas"]["X"]`` stays the response view and
     the request view is emitted as ``requestSchemas["X"]``; request bodies reference that;
   * reached both from JSON bodies (or parameters) and from bodies of another media type, with a
     binary string in it → the request view above is the text one (``string``) and a form view,
     ``formRequestSchemas["X"]`` (``Blob``), is what multipart/octet-stream bodies reference.

2. **Which references would make TypeScript's resolution circular?** Inside an interface member
   TypeScript defers a reference only inside an object literal; ``A: components["schemas"]["A"][]``
   or ``A: B | null, B: A`` are errors (TS2502). Inside a ``type`` alias it also defers array and
   tuple elements, so ``type Json = string | Json[] | { [key: string]: Json }`` is fine. Schemas on
   a cycle of "eager" references (outside object literals) are therefore emitted as type aliases
   that name each other (``components["schemas"]["Json"]`` is then ``Json``); only a cycle with no
   array or tuple on it (``A: B | null, B: A``: what would ``A`` even be?) is cut, its references
   emitted as ``unknown`` with a warning.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .context import Context
from .media import is_text_media

_SCHEMA_PREFIX = "#/components/schemas/"
_SKIP_KEYS = frozenset({"example", "examples", "links", "callbacks", "discriminator"})


def collect_schema_refs(ctx: Context, roots: Iterable[Any]) -> set[str]:
    """Names of component schemas referenced from ``roots``, following references through other
    components (request bodies, parameters, responses, headers) but not through schemas."""
    found: set[str] = set()
    seen_refs: set[str] = set()
    stack: list[Any] = list(roots)
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str):
                if ref.startswith(_SCHEMA_PREFIX):
                    name = ctx.component_name(ref, "schemas")
                    if name is None:
                        name = ref[len(_SCHEMA_PREFIX) :].split("/", 1)[0]
                        name = name.replace("~1", "/").replace("~0", "~")
                    found.add(name)
                elif ref not in seen_refs:
                    seen_refs.add(ref)
                    target = ctx.resolve(ref)
                    if not ctx.is_missing(target):
                        stack.append(target)
            for key, value in node.items():
                if isinstance(value, (dict, list)) and key not in _SKIP_KEYS:
                    stack.append(value)
        elif isinstance(node, list):
            stack.extend(v for v in node if isinstance(v, (dict, list)))
    return found


def _operations(ctx: Context) -> Iterable[tuple[dict[str, Any], dict[str, Any]]]:
    """``(path item, operation)`` pairs of paths and webhooks (path item refs followed)."""
    for section in ("paths", "webhooks"):
        group = ctx.data.get(section)
        if not isinstance(group, dict):
            continue
        for item in group.values():
            resolved, _ = _quiet_resolve(ctx, item)
            if not isinstance(resolved, dict):
                continue
            for key, op in resolved.items():
                if key in ("get", "put", "post", "delete", "options", "head", "patch", "trace") and isinstance(op, dict):
                    yield resolved, op


def _quiet_resolve(ctx: Context, node: Any) -> tuple[Any, int]:
    hops = 0
    while isinstance(node, dict) and isinstance(node.get("$ref"), str) and hops < 32:
        target = ctx.resolve(node["$ref"])
        if ctx.is_missing(target):
            return None, hops
        node, hops = target, hops + 1
    return node, hops


def reachable(graph: dict[str, set[str]], roots: set[str]) -> set[str]:
    """All names reachable from ``roots`` along ``graph`` edges (roots included)."""
    seen = set(roots)
    stack = list(roots)
    while stack:
        for nxt in graph.get(stack.pop(), ()):
            if nxt not in seen:
                seen.add(nxt)
                stack.append(nxt)
    return seen


def request_roots(ctx: Context) -> set[str]:
    """Schemas referenced directly from request bodies and parameters."""
    nodes: list[Any] = []
    for item, op in _operations(ctx):
        nodes.append(item.get("parameters"))
        nodes.append(op.get("parameters"))
        nodes.append(op.get("requestBody"))
    components = ctx.data.get("components")
    if isinstance(components, dict):
        nodes.append(components.get("requestBodies"))
        nodes.append(components.get("parameters"))
    return collect_schema_refs(ctx, [n for n in nodes if n is not None])


def request_media_reach(ctx: Context, refs: dict[str, set[str]]) -> tuple[set[str], set[str]]:
    """``(as_text, as_file)``: the schemas requests reach as text — from parameters and JSON
    request bodies — and those they reach from a body of another media type (multipart, form,
    octet-stream), where a binary string is a file the client uploads. A schema can be in both."""
    text: list[Any] = []
    files: list[Any] = []
    bodies: list[Any] = []
    for item, op in _operations(ctx):
        text.extend(p for p in (item.get("parameters"), op.get("parameters")) if p is not None)
        bodies.append(op.get("requestBody"))
    components = ctx.data.get("components")
    if isinstance(components, dict):
        if components.get("parameters") is not None:
            text.append(components["parameters"])
        group = components.get("requestBodies")
        if isinstance(group, dict):
            bodies.extend(group.values())
    for body in bodies:
        resolved, _ = _quiet_resolve(ctx, body)
        content = resolved.get("content") if isinstance(resolved, dict) else None
        if isinstance(content, dict):
            for media, entry in content.items():
                (text if is_text_media(str(media)) else files).append(entry)
    as_text = reachable(refs, collect_schema_refs(ctx, text) & refs.keys())
    as_file = reachable(refs, collect_schema_refs(ctx, files) & refs.keys())
    return as_text, as_file


def plan_form_views(
    refs: dict[str, set[str]], binary: set[str], as_text: set[str], as_file: set[str]
) -> set[str]:
    """Schemas that need a separate view for bodies that are not JSON (``formRequestSchemas``):
    reached both as text and as a file body, and holding a binary string — locally (``binary``)
    or through a schema that has such a view itself. Their primary request view is then the text
    one (the ``string`` a JSON client sends) and the form view has the ``Blob``."""
    both = as_text & as_file
    referrers: dict[str, set[str]] = {}
    for src, targets in refs.items():
        if src in both:
            for dst in targets:
                referrers.setdefault(dst, set()).add(src)
    return reachable(referrers, binary & both)


def response_roots(ctx: Context) -> set[str]:
    """Schemas referenced directly from responses and response headers."""
    nodes: list[Any] = [op.get("responses") for _, op in _operations(ctx)]
    components = ctx.data.get("components")
    if isinstance(components, dict):
        nodes.append(components.get("responses"))
        nodes.append(components.get("headers"))
    return collect_schema_refs(ctx, [n for n in nodes if n is not None])


def plan_views(
    ctx: Context, refs: dict[str, set[str]], local_differs: set[str]
) -> tuple[set[str], set[str]]:
    """``(request_only, dual)``: schemas whose ``components`` entry is the request view, and
    schemas that also get a ``requestSchemas`` entry. ``refs`` is the full reference graph,
    ``local_differs`` the schemas whose own properties differ between the views."""
    in_request = reachable(refs, request_roots(ctx) & refs.keys())
    if not in_request:
        return set(), set()
    in_response = reachable(refs, response_roots(ctx) & refs.keys())
    referrers: dict[str, set[str]] = {}
    for src, targets in refs.items():
        if src in in_request:
            for dst in targets:
                referrers.setdefault(dst, set()).add(src)
    # A schema's request text differs when it differs locally or references a schema whose
    # request reference differs (one that has its own requestSchemas entry).
    differs = {name for name in local_differs if name in in_request}
    stack = [name for name in differs if name in in_response]
    while stack:
        name = stack.pop()
        for src in referrers.get(name, ()):
            if src not in differs:
                differs.add(src)
                if src in in_response:
                    stack.append(src)
    dual = {name for name in differs if name in in_response}
    return differs - dual, dual


def circular_edges(eager: dict[str, set[str]]) -> set[tuple[str, str]]:
    """Eager edges inside a strongly connected component (including self-references)."""
    comp = _components(eager)
    return {
        (src, dst)
        for src, targets in eager.items()
        for dst in targets
        if dst in comp and comp.get(src) == comp[dst]
    }


def cycles(eager: dict[str, set[str]]) -> dict[str, int]:
    """The nodes on a cycle of ``eager`` (a self-reference counts), each with the number of its
    strongly connected component."""
    comp = _components(eager)
    return {node: comp[node] for src, dst in circular_edges(eager) for node in (src, dst)}


def _components(eager: dict[str, set[str]]) -> dict[str, int]:
    """Tarjan's strongly connected components, iteratively: node → component number."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    comp: dict[str, int] = {}
    counter = 0
    n_comp = 0
    for root in eager:
        if root in index:
            continue
        work: list[tuple[str, Iterable[str]]] = [(root, iter(sorted(eager.get(root, ()))))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, it = work[-1]
            advanced = False
            for nxt in it:
                if nxt not in index:
                    index[nxt] = low[nxt] = counter
                    counter += 1
                    stack.append(nxt)
                    on_stack.add(nxt)
                    work.append((nxt, iter(sorted(eager.get(nxt, ())))))
                    advanced = True
                    break
                if nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
            if advanced:
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    comp[member] = n_comp
                    if member == node:
                        break
                n_comp += 1
    return comp
