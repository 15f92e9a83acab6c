"""Naming a contract version in a registry: ``label:NAME``, ``version:N``, ``digest:sha256:…``.

A *label* is movable (``main``, ``prod``, ``pr-123``); a version number and a digest are
immutable. Names follow the registry's rule: 1-128 letters, digits, ``.``, ``_`` and ``-``,
starting and ending with a letter or digit, never ``..`` — safe as one URL path segment.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from ..errors import InputError
from ..registry.names import name_problem

RefKind = Literal["label", "version", "digest"]

DIGEST_RE = re.compile(r"sha256:[0-9a-f]{64}")


def check_name(value: str, what: str, *, source: str | None = None, where: str | None = None) -> str:
    """``value`` when it is a valid name, else an :class:`InputError` naming the place."""
    problem = name_problem(value, what)
    if problem is not None:
        raise InputError(problem, source=source, where=where)
    return value


def is_digest(value: str) -> bool:
    """True for ``sha256:`` followed by 64 lower-case hex digits."""
    return DIGEST_RE.fullmatch(value) is not None


@dataclass(frozen=True)
class Ref:
    """A parsed ref. ``value`` is the label name, the version number as text, or the digest."""

    kind: RefKind
    value: str

    def __str__(self) -> str:
        return f"{self.kind}:{self.value}"

    @property
    def movable(self) -> bool:
        """Only labels move; a version number or digest always names the same content."""
        return self.kind == "label"

    @property
    def path_segment(self) -> str:
        """How the API names it: ``labels/NAME`` or ``versions/N`` / ``versions/sha256:…``."""
        return f"labels/{self.value}" if self.kind == "label" else f"versions/{self.value}"


def parse_ref(text: str, *, source: str | None = None, where: str | None = "ref") -> Ref:
    """Parse ``label:NAME`` | ``version:N`` | ``digest:sha256:<64 hex>``; a bare ``sha256:…`` is a
    digest and a bare name a label. Raises :class:`InputError` naming ``source`` and ``where``."""
    value = text.strip()
    kind, sep, rest = value.partition(":")
    if not sep:
        return Ref("label", check_name(value, "label", source=source, where=where))
    if kind == "label":
        return Ref("label", check_name(rest, "label", source=source, where=where))
    if kind == "version":
        if not rest.isdigit() or int(rest) < 1 or len(rest) > 18:
            raise InputError(f"'{text}': a version is a number from 1 (version:3)", source=source, where=where)
        return Ref("version", str(int(rest)))
    if kind == "digest" or kind == "sha256":
        digest = rest if kind == "digest" else value
        if not is_digest(digest):
            raise InputError(f"'{text}': a digest is sha256: and 64 lower-case hex digits", source=source,
                             where=where)
        return Ref("digest", digest)
    raise InputError(f"'{text}' is not a ref: use label:NAME, version:N or digest:sha256:…", source=source,
                     where=where)
