"""Rename detection: one removed and one added element with the same structure are one rename.

A component schema, a parameter or a property that disappears while another with exactly the
same structure appears in the same scope (the same ``components.schemas``, the same operation's
parameters in the same location, the same object's properties) was most likely renamed. It is
reported as one ``…-renamed`` change naming both, instead of a removal plus an addition.

Structural identity is deepdiff's :class:`~deepdiff.DeepHash` of the element with annotations
(``title``, ``description``, examples…) stripped: pydantic derives a field's ``title`` from its
name, so a renamed field's title changes with it. DeepHash is order-insensitive for lists
(``required: [a, b]`` ≡ ``[b, a]``). The match must be unambiguous: a hash shared by exactly
one removed and exactly one added candidate. Two removed fields of one type and one added field
of that type stay removals and an addition: which one was renamed cannot be told.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Hashable, Mapping
from typing import Any, TypeVar

from deepdiff import DeepHash

from .schemas import strip_annotations

K = TypeVar("K", bound=Hashable)


def structural_hash(node: Any) -> str | None:
    """An order-insensitive content hash of ``node`` without annotations, or None when the
    node cannot be hashed (too deep, unhashable content)."""
    try:
        bare = strip_annotations(node)
        result = DeepHash(bare)[bare]
    except (RecursionError, KeyError, TypeError, ValueError):
        return None
    return result if isinstance(result, str) else None


def match_renames(removed: Mapping[K, Any], added: Mapping[K, Any],
                  key: Callable[[Any], Any] = structural_hash) -> list[tuple[K, K]]:
    """Pairs ``(removed name, added name)`` whose structures match unambiguously.

    ``key`` computes the structural identity (default :func:`structural_hash`); a candidate
    whose key is None never matches.
    """
    if not removed or not added:
        return []
    gone: dict[Any, list[K]] = defaultdict(list)
    new: dict[Any, list[K]] = defaultdict(list)
    for names, values, into in ((removed.keys(), removed, gone), (added.keys(), added, new)):
        for name in names:
            h = key(values[name])
            if h is not None:
                into[h].append(name)
    return [(olds[0], new[h][0]) for h, olds in gone.items()
            if len(olds) == 1 and len(new.get(h, ())) == 1]
