"""Bearer tokens: created by ``contractsync registry token create``, stored hashed.

A token reads ``cst_<id>_<secret>``: the id (public, 12 characters) finds the record, the
sha256 of the whole token is compared with :func:`hmac.compare_digest`. The plain token is shown
once, at creation; only its hash is stored. Tokens are accepted in the ``Authorization: Bearer``
header only, never in a URL.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterable
from dataclasses import dataclass

from .names import name_problem
from .store.protocol import Store, TokenRow
from .store.sql import now_text

PREFIX = "cst_"
SCOPES = ("read", "publish", "admin")
#: What each scope allows: publish can read, admin can do everything.
_IMPLIES = {"read": {"read"}, "publish": {"read", "publish"}, "admin": {"read", "publish", "admin"}}


@dataclass(frozen=True)
class Principal:
    """Who is calling: a token's name and what it may do (anonymous readers have no token)."""

    name: str
    scopes: frozenset[str]
    contracts: frozenset[str] | None

    def allows(self, scope: str, contract: str | None = None) -> bool:
        if scope not in self.scopes:
            return False
        return contract is None or self.contracts is None or contract in self.contracts


ANONYMOUS = Principal("anonymous", frozenset({"read"}), None)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def expand(scopes: Iterable[str]) -> frozenset[str]:
    out: set[str] = set()
    for s in scopes:
        out |= _IMPLIES[s]
    return frozenset(out)


def create_token(store: Store, name: str, scopes: Iterable[str],
                 contracts: Iterable[str] | None = None) -> tuple[str, TokenRow]:
    """Create and store a token; returns (the plain token, shown once; its record)."""
    chosen = tuple(dict.fromkeys(scopes))
    if not chosen:
        raise ValueError("give at least one scope (read, publish, admin)")
    for s in chosen:
        if s not in SCOPES:
            raise ValueError(f"unknown scope {s!r} (choose from {', '.join(SCOPES)})")
    if not name.strip() or len(name) > 128 or any(ord(ch) < 32 for ch in name):
        raise ValueError("the token name must be 1-128 printable characters")
    limited = tuple(dict.fromkeys(contracts)) if contracts is not None else None
    for c in limited or ():
        problem = name_problem(c, "contract name")
        if problem:
            raise ValueError(problem)
    token_id = secrets.token_hex(6)
    plain = f"{PREFIX}{token_id}_{secrets.token_urlsafe(32)}"
    row = TokenRow(token_id, name.strip(), hash_token(plain), chosen, limited, now_text(), None)
    store.add_token(row)
    return plain, row


def token_id_of(token: str) -> str | None:
    """The public id part of a well-formed token (None when it cannot be one of ours)."""
    if not token.startswith(PREFIX) or len(token) > 200:
        return None
    token_id, sep, _ = token[len(PREFIX):].partition("_")
    if not sep or len(token_id) != 12:
        return None
    return token_id


def authenticate(store: Store, token: str) -> Principal | None:
    """The principal of a live token (None for a malformed, unknown or revoked one)."""
    token_id = token_id_of(token)
    return principal_of(store.token(token_id) if token_id is not None else None, token)


def principal_of(row: TokenRow | None, token: str) -> Principal | None:
    """The principal of ``token`` given its stored record (fetched by :func:`token_id_of`'s id,
    e.g. together with other reads in one query): None for no record, a wrong secret or a revoked
    token."""
    if row is None or token_id_of(token) != row.id:
        return None
    if not hmac.compare_digest(row.hash.encode(), hash_token(token).encode()):
        return None
    if row.revoked_at is not None:
        return None
    return Principal(row.name, expand(row.scopes),
                     frozenset(row.contracts) if row.contracts is not None else None)
