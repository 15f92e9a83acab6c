"""``contractsync.lock``: what ``pull`` installed, committed next to the outputs.

Sorted-key JSON (two-space indent, newline at end), written atomically::

    {"lock_version": 1,
     "contract": {"name", "source", "ref", "version", "digest", "info_version", "source_commit"},
     "generator": {"name": "contractsync", "version", "options_digest"},
     "outputs": {"src/api/types.ts": "sha256:…"}}

With several contracts (``[[pull]]`` entries) one lock holds each under its name, in the same
shape::

    {"lock_version": 1,
     "contracts": {"bookshop": {"contract": …, "generator": …, "outputs": …},
                   "payments": {…}}}

``contract.digest`` is the sha256 of the contract's canonical JSON (the registry's digest), so
the same lock installs byte-identical outputs on every machine, from the registry or from the
local cache. The generator's version and options digest make a generator upgrade or an option
change visible as its own difference. No token is ever written here.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ..errors import InputError, describe_validation
from ..io import atomic_write_text, load_json_file, read_project_text

LOCK_VERSION = 1
_DIGEST = r"^sha256:[0-9a-f]{64}$"


class LockedContract(BaseModel):
    """The contract version the outputs were generated from."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str | None = Field(default=None, description="The contract's name (the registry's), if any.")
    source: str = Field(min_length=1, description="The registry URL or the plain source, as configured.")
    ref: str | None = Field(default=None, description="The ref as configured (registry only).")
    version: int | None = Field(default=None, ge=1, description="The registry's version number.")
    digest: str = Field(pattern=_DIGEST)
    info_version: str = ""
    source_commit: str | None = None


class LockedGenerator(BaseModel):
    """What generated the outputs."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: Literal["contractsync"] = "contractsync"
    version: str = Field(min_length=1)
    options_digest: str = Field(pattern=_DIGEST)
    generate: Literal["local", "registry", "verify"] | None = Field(default=None, description=(
        "How the types were made ([pull] generate); absent in a lock written before the setting "
        "existed, or without a types output."))


class Lock(BaseModel):
    """The whole lock file."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    lock_version: Literal[1] = 1
    contract: LockedContract
    generator: LockedGenerator
    outputs: dict[str, str] = Field(description="Output path (as configured) → sha256 of its bytes.")

    def dump(self) -> str:
        """The file's text: sorted keys, two-space indent, newline at end."""
        return _dump(self.as_json())

    def as_json(self) -> dict[str, Any]:
        """The lock as JSON data (``generator.generate`` only when there is one)."""
        data = self.model_dump(mode="json")
        if data["generator"].get("generate") is None:
            del data["generator"]["generate"]
        return data


def load_lock(path: Path, name: str | None = None) -> Lock | None:
    """Read the lock (None when there is none), or with ``name`` the entry of that contract in a
    lock of several (None when it has none). A malformed lock is an :class:`InputError` naming
    the file and the key: it was edited by hand or merged badly, and ``pull --update`` rewrites it."""
    data = _read(path)
    if data is None:
        return None
    fix = "fix it, restore it from git, or delete it and run `contractsync pull --update`"
    if name is None:
        if isinstance(data, dict) and "contracts" in data:
            raise InputError(f"holds several contracts ({', '.join(sorted(data['contracts']))}) but the config "
                             "has one [pull] table; " + fix, source=str(path), where="contracts")
        return _validated(data, path, "", fix)
    entries = data.get("contracts") if isinstance(data, dict) else None
    if entries is None:
        return None  # a one-contract lock (the config became [[pull]]): this entry is not pinned yet
    if not isinstance(entries, dict):
        raise InputError(f"'contracts' must be an object; {fix}", source=str(path), where="contracts")
    entry = entries.get(name)
    if entry is None:
        return None
    if not isinstance(entry, dict):
        raise InputError(f"must be an object; {fix}", source=str(path), where=f"contracts.{name}")
    return _validated({**entry, "lock_version": data.get("lock_version", LOCK_VERSION)}, path,
                      f"contracts.{name}.", fix)


def locked_names(path: Path) -> list[str] | None:
    """The contract names of a lock of several (None: a one-contract lock or none)."""
    data = _read(path)
    entries = data.get("contracts") if isinstance(data, dict) else None
    return sorted(entries) if isinstance(entries, dict) else None


#: The most read from a lock. A real one is a few hundred bytes per contract; a larger file is
#: not a lock (a 200 MB one was read whole).
MAX_LOCK_BYTES = 4 * 2**20

#: Files an output must never be: the lock and the config that names the outputs.
OWN_FILES = frozenset({"contractsync.lock", "contractsync.toml"})


def read_lock_data(path: Path) -> Any:
    """The lock's JSON (None when there is none), read with a size cap and the loader every
    document goes through; an unsupported ``lock_version`` is an :class:`InputError`."""
    return _read(path)


def _read(path: Path) -> Any:
    text = read_project_text(path, MAX_LOCK_BYTES)
    if text is None:
        return None
    fix = "fix it, restore it from git, or delete it and run `contractsync pull --update`"
    # The loader every document goes through (#13): 100,000 nested '[' raised RecursionError.
    data = load_json_file(path, hint=fix, raw=text.encode("utf-8"))
    if isinstance(data, dict) and data.get("lock_version", LOCK_VERSION) != LOCK_VERSION:
        raise InputError(f"lock_version {data.get('lock_version')!r} is not supported by this contractsync "
                         f"(it reads {LOCK_VERSION}); upgrade contractsync", source=str(path), where="lock_version")
    return data


def _validated(data: Any, path: Path, prefix: str, fix: str) -> Lock:
    try:
        lock = Lock.model_validate(data)
    except ValidationError as exc:
        where, message, unknown = describe_validation(exc)
        raise InputError(f"{'unknown key' if unknown else message}; {fix}", source=str(path),
                         where=prefix + where) from None
    for key, digest in lock.outputs.items():
        if Path(key).name in OWN_FILES:
            raise InputError(f"lists {key!r} as an output: pull would overwrite contractsync's own file; {fix}",
                             source=str(path), where=f"{prefix}outputs.{key}")
        if not key or not digest.startswith("sha256:") or len(digest) != 71:
            raise InputError(f"output digest {digest!r} is not sha256:<64 hex>; {fix}", source=str(path),
                             where=f"{prefix}outputs.{key}")
    return lock


def save_lock(path: Path, lock: Lock, name: str | None = None) -> bool:
    """Write the lock atomically when its text changes; True when it was written. With ``name``,
    only that contract's entry of a lock of several is replaced (a one-contract lock left from a
    single ``[pull]`` table is replaced by the new shape)."""
    if name is None:
        text = lock.dump()
    else:
        data = _read_leniently(path)
        entries = data.get("contracts") if isinstance(data, dict) else None
        contracts = dict(entries) if isinstance(entries, dict) else {}
        entry = lock.as_json()
        del entry["lock_version"]
        contracts[name] = entry
        text = _dump({"lock_version": LOCK_VERSION, "contracts": contracts})
    if read_project_text(path) == text:
        return False
    atomic_write_text(path, text)
    return True


def prune_lock(path: Path, names: list[str]) -> bool:
    """Drop the entries of contracts no longer configured from a lock of several; True when it
    was written."""
    data = _read_leniently(path)
    entries = data.get("contracts") if isinstance(data, dict) else None
    if not isinstance(entries, dict) or set(entries) <= set(names):
        return False
    text = _dump({"lock_version": LOCK_VERSION, "contracts": {k: v for k, v in entries.items() if k in names}})
    atomic_write_text(path, text)
    return True


def _read_leniently(path: Path) -> Any:
    try:
        return _read(path)
    except InputError:
        return None  # rewritten whole


def _dump(data: Any) -> str:
    return json.dumps(data, sort_keys=True, indent=2, ensure_ascii=False) + "\n"
