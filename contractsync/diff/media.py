"""Media-type names compared by structure: ``type/subtype+suffix; parameters``.

A media type that disappears while a related one appears in the same place is one change, not a
removal plus an addition: ``application/json`` → ``application/problem+json`` narrows what the
content may be (*specialised*), the reverse widens it (*generalised*), and the same
type/subtype/suffix with other parameters (``; charset=…``, ``; version=2``) is *changed*.

Containment follows RFC 6838's structured syntax suffixes and the wildcards of RFC 9110:
``application/json`` contains ``application/problem+json`` (its suffix names the base subtype),
``application/*`` contains every ``application/…`` type and ``*/*`` every type. Type, subtype,
suffix and parameter names compare case-insensitively.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class MediaName:
    """One parsed media-type name."""

    type: str
    subtype: str
    suffix: str
    params: frozenset[tuple[str, str]]

    @property
    def essence(self) -> tuple[str, str, str]:
        return self.type, self.subtype, self.suffix


def parse(name: str) -> MediaName | None:
    """``application/vnd.api+json; charset=utf-8`` → its parts; None when it is not one."""
    head, *rest = name.split(";")
    kind, sep, sub = head.strip().lower().partition("/")
    if not sep or not kind or not sub or "/" in sub:
        return None
    subtype, plus, suffix = sub.partition("+")
    if plus and (not suffix or "+" in suffix):
        return None
    params = set()
    for part in rest:
        key, eq, value = part.strip().partition("=")
        if not part.strip():
            continue
        if not eq or not key.strip():
            return None
        params.add((key.strip().lower(), value.strip().strip('"')))
    return MediaName(kind, subtype, suffix, frozenset(params))


def contains(general: MediaName, specific: MediaName) -> bool:
    """Does every content of ``specific`` also count as ``general`` (parameters aside)?"""
    if general.type == "*":
        return general.subtype == "*"
    if general.type != specific.type:
        return False
    if general.subtype == "*":
        return True
    if general.subtype == specific.subtype and general.suffix == specific.suffix:
        return True
    # application/json contains application/problem+json: the suffix names the base subtype.
    return not general.suffix and specific.suffix == general.subtype


def relation(old: str, new: str) -> str | None:
    """How ``new`` relates to ``old``: ``changed`` (same essence, other parameters),
    ``specialized`` (new is contained in old), ``generalized`` (old in new), or None."""
    a, b = parse(old), parse(new)
    if a is None or b is None or a == b:
        return None
    if a.essence == b.essence:
        return "changed"
    if a.params != b.params:
        # Related names whose parameters also moved: the content changed, not just its breadth.
        return "changed" if contains(a, b) or contains(b, a) else None
    if contains(a, b):
        return "specialized"
    if contains(b, a):
        return "generalized"
    return None


def pair_renamed(removed: list[str], added: list[str]) -> list[tuple[str, str, str]]:
    """Pair media types that went away with related ones that appeared: ``(old, new,
    relation)``. Each name pairs at most once, in document order, and only when it relates to
    exactly one name on the other side — an ambiguous rename stays a removal and an addition."""
    out: list[tuple[str, str, str]] = []
    taken: set[str] = set()
    for old in removed:
        related = [(new, rel) for new in added if new not in taken
                   for rel in [relation(old, new)] if rel is not None]
        if len(related) != 1:
            continue
        new, rel = related[0]
        rivals = [o for o in removed if o != old and relation(o, new) is not None]
        if rivals:
            continue
        taken.add(new)
        out.append((old, new, rel))
    return out
