"""The frontend's pull configuration: ``[pull]`` in ``contractsync.toml`` (a Vue repository has no
pyproject) or ``[tool.contractsync.pull]`` in ``pyproject.toml``.

.. code-block:: toml

    [pull]
    registry = "https://contracts.example.com"   # a registry (http(s):// or file:// static mirror)
    contract = "bookshop"                          # … and the contract in it
    ref = "label:main"                             # label:NAME | version:N | digest:sha256:…
    # source = "../backend/contracts/openapi.json" # or a plain source: file, REV:path, URL
    types = "src/api/types.ts"                     # outputs, relative to this file's directory
    openapi = "src/api/openapi.json"

    [pull.typescript]                              # generator options ([tool.contractsync.typescript])
    enum = true

A frontend talking to several backends lists one ``[[pull]]`` entry per contract, each with a
``name`` (how the lock and ``pull --name`` call it) and its own outputs and options::

    [[pull]]
    name = "bookshop"
    registry = "https://contracts.example.com"
    contract = "bookshop"
    types = "src/api/bookshop.ts"

    [[pull]]
    name = "payments"
    source = "https://payments.example.com/openapi.json"
    types = "src/api/payments.ts"
    [pull.typescript]                              # options of the entry above it
    enum = true

One ``contractsync.lock`` holds an entry per contract (``{"contracts": {"bookshop": …}}``); the
single ``[pull]`` table keeps its one-contract lock.

The token is read from ``CONTRACTSYNC_TOKEN`` only: a URL with credentials is refused, so a token
can never end up in this file or in the lock.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from ..errors import ConfigError, describe_validation
from ..io import load_toml
from ..registry.names import name_problem
from ..typescript.options import TypeScriptOptions
from .refs import Ref, parse_ref

#: How ``pull`` makes the types: ``local`` generates them from the digest-verified contract (the
#: default: the registry's types are never trusted, and generating costs less than downloading),
#: ``registry`` uses the registry's stored types when they are this generator's (trusts the
#: registry), ``verify`` downloads them AND generates locally, and refuses when they differ.
GenerateMode = Literal["local", "registry", "verify"]
GENERATE_MODES: tuple[GenerateMode, ...] = ("local", "registry", "verify")
DEFAULT_GENERATE: GenerateMode = "local"

CONFIG_FILE = "contractsync.toml"
LOCK_FILE = "contractsync.lock"
DEFAULT_REF = "label:main"


class PullConfig(BaseModel):
    """What ``contractsync pull`` installs and where (see the module docstring)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str | None = Field(default=None, description="With several [[pull]] entries: the entry's name "
                                                       "(its key in the lock, and `pull --name NAME`).")
    registry: str | None = Field(default=None, description="Registry base URL (http(s):// or file://).")
    source: str | None = Field(default=None, description="A plain source instead: file, REV:path or URL.")
    contract: str | None = Field(default=None, description="The contract's name in the registry.")
    ref: str | None = Field(default=None, description="label:NAME, version:N or digest:sha256:… (default label:main).")
    types: str | None = Field(default=None, description="Output: the generated TypeScript types (.ts).")
    openapi: str | None = Field(default=None, description="Output: the contract itself (.json).")
    generate: GenerateMode = Field(default=DEFAULT_GENERATE, description=(
        "How the types are made: 'local' (from the digest-verified contract), 'registry' (the "
        "registry's stored types; trusts it) or 'verify' (both; refused when they differ)."))
    timeout: float = Field(default=30.0, gt=0, le=3600, description="Seconds an HTTP request may take.")
    typescript: TypeScriptOptions = Field(default_factory=TypeScriptOptions,
                                          description="Generator options, as [tool.contractsync.typescript].")

    @field_validator("registry")
    @classmethod
    def _registry(cls, value: str | None) -> str | None:
        if value is None:
            return None
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https", "file"):
            raise ValueError(f"{value!r} is not an http(s):// or file:// URL")
        if parts.scheme != "file" and not parts.hostname:
            raise ValueError(f"{value!r} has no host")
        if parts.username or parts.password:
            raise ValueError("credentials in the URL are refused: put the token in CONTRACTSYNC_TOKEN")
        if parts.query or parts.fragment:
            raise ValueError("the registry URL must not have a query or fragment (tokens never go in a URL)")
        return value.rstrip("/")

    @field_validator("contract")
    @classmethod
    def _contract(cls, value: str | None) -> str | None:
        if value is not None and (problem := name_problem(value, "contract name")) is not None:
            raise ValueError(problem)
        return value

    @field_validator("name")
    @classmethod
    def _name(cls, value: str | None) -> str | None:
        if value is not None and (problem := name_problem(value, "name")) is not None:
            raise ValueError(problem)
        return value

    @field_validator("ref")
    @classmethod
    def _ref(cls, value: str | None) -> str | None:
        if value is not None:
            from ..errors import InputError

            try:
                return str(parse_ref(value, where=None))
            except InputError as exc:
                raise ValueError(exc.message) from None
        return value

    @field_validator("types", "openapi")
    @classmethod
    def _output(cls, value: str | None) -> str | None:
        if value is not None and not value.strip():
            raise ValueError("must be a file path")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> PullConfig:
        if (self.registry is None) == (self.source is None):
            raise ValueError("set exactly one of 'registry' (with 'contract') or 'source'")
        if self.registry is not None and self.contract is None:
            raise ValueError("'contract' is required with 'registry'")
        if self.source is not None and self.ref is not None:
            raise ValueError("'ref' applies to a registry; a plain source is read as it is")
        if self.source is not None and self.generate != "local":
            raise ValueError(f"generate = {self.generate!r} applies to a registry; a plain source has no "
                             "stored types, they are always generated locally")
        if self.types is None and self.openapi is None:
            raise ValueError("no output: set 'types' (a .ts file) and/or 'openapi' (a .json file)")
        if self.types is not None and self.types == self.openapi:
            raise ValueError("'types' and 'openapi' name the same file")
        return self

    @property
    def resolved_ref(self) -> Ref | None:
        """The ref to resolve in the registry (``label:main`` by default); None for a plain source."""
        if self.registry is None:
            return None
        return parse_ref(self.ref or DEFAULT_REF)

    @property
    def generate_mode(self) -> GenerateMode | None:
        """How the types are made, as recorded in the lock: None without a ``types`` output,
        ``local`` for a plain source (it has no stored types)."""
        if self.types is None:
            return None
        return self.generate if self.registry is not None else "local"

    @property
    def origin(self) -> str:
        """The registry URL or the plain source, as written (recorded in the lock)."""
        return self.registry if self.registry is not None else str(self.source)

    def outputs(self) -> dict[str, str]:
        """Output kind (``types`` / ``openapi``) → path as written, in a fixed order."""
        out: dict[str, str] = {}
        if self.types is not None:
            out["types"] = self.types
        if self.openapi is not None:
            out["openapi"] = self.openapi
        return out


@dataclass(frozen=True)
class PullSettings:
    """A :class:`PullConfig` with where it came from: paths resolve against :attr:`root`."""

    config: PullConfig
    root: Path
    file: Path | None
    table: str
    name: str | None = None
    """The entry's name when the file lists several contracts (``[[pull]]``); None for the
    single ``[pull]`` table. The lock then keeps this contract under ``contracts.<name>``."""

    @property
    def label(self) -> str:
        """How errors name the table: ``[pull]``, or ``[[pull]] "bookshop"``."""
        return f"[{self.table}]" if self.name is None else f'[[{self.table}]] "{self.name}"'

    @property
    def lock_path(self) -> Path:
        return self.root / LOCK_FILE

    def output_path(self, rel: str) -> Path:
        return self.root / rel


def find_pull_config(start: Path | None = None) -> Path | None:
    """The nearest ``contractsync.toml``, or ``pyproject.toml`` with ``[tool.contractsync.pull]``,
    at or above ``start``; a directory's contractsync.toml wins over its pyproject.toml."""
    here = (start or Path.cwd()).resolve()
    for directory in (here, *here.parents):
        candidate = directory / CONFIG_FILE
        if candidate.is_file():
            return candidate
        pyproject = directory / "pyproject.toml"
        if pyproject.is_file() and _pyproject_pull_table(pyproject) is not None:
            return pyproject
    return None


def _read_toml(path: Path) -> dict[str, Any]:
    return dict(load_toml(path, ConfigError))


def _pyproject_pull_table(path: Path) -> Any:
    try:
        doc = _read_toml(path)
    except ConfigError:
        return None
    tool = doc.get("tool")
    contractsync = tool.get("contractsync") if isinstance(tool, dict) else None
    return contractsync.get("pull") if isinstance(contractsync, dict) else None


def load_pull_config(path: Path | None = None, *, start: Path | None = None, name: str | None = None) -> PullSettings:
    """Read the pull configuration from ``path`` (a contractsync.toml, or a pyproject.toml) or
    from the nearest one. With several ``[[pull]]`` entries, ``name`` picks one (required then).
    Raises :class:`ConfigError` naming the file and the key."""
    entries = load_pull_configs(path, start=start, name=name)
    if len(entries) > 1:
        names = ", ".join(str(e.name) for e in entries)
        raise ConfigError(f"[[{entries[0].table}]] lists {len(entries)} contracts ({names}): name one",
                          source=str(entries[0].file))
    return entries[0]


def load_pull_configs(path: Path | None = None, *, start: Path | None = None,
                      name: str | None = None) -> list[PullSettings]:
    """Every contract the pull configuration lists: the single ``[pull]`` table, or each
    ``[[pull]]`` entry in order (only the one called ``name``, when given). Raises
    :class:`ConfigError` naming the file and the key."""
    file = path or find_pull_config(start)
    if file is None:
        here = (start or Path.cwd()).resolve()
        raise ConfigError(f"no {CONFIG_FILE} (or pyproject.toml with [tool.contractsync.pull]) here or above: "
                          f"create {CONFIG_FILE} with a [pull] table", source=str(here))
    doc = _read_toml(file)
    if file.name == "pyproject.toml":
        table_name = "tool.contractsync.pull"
        tool = doc.get("tool", {})
        contractsync = tool.get("contractsync", {}) if isinstance(tool, dict) else {}
        table = contractsync.get("pull") if isinstance(contractsync, dict) else None
    else:
        table_name = "pull"
        # [impact] belongs to `contractsync impact` (the frontend's own client generator).
        unknown = sorted(set(doc) - {"pull", "impact"})
        if unknown:
            raise ConfigError(f"unknown table [{unknown[0]}] (expected [pull] or [impact])",
                              source=str(file))
        table = doc.get("pull")
    if table is None:
        raise ConfigError(f"no [{table_name}] table", source=str(file))
    root = file.parent.resolve()
    if isinstance(table, list):
        out = _entries(table, file, root, table_name)
    elif isinstance(table, dict):
        out = [PullSettings(parse_pull_table(table, source=str(file), name=table_name), root, file, table_name)]
    else:
        raise ConfigError(f"[{table_name}] must be a table", source=str(file))
    for settings in out:
        _confine_outputs(settings)
    if name is not None:
        chosen = [s for s in out if s.name == name]
        if not chosen:
            known = ", ".join(str(s.name) for s in out if s.name) or "none: the file has one [pull] table"
            raise ConfigError(f"no [[{table_name}]] entry named {name!r} (names: {known})", source=str(file))
        return chosen
    return out


def _entries(tables: list[Any], file: Path, root: Path, table_name: str) -> list[PullSettings]:
    """The ``[[pull]]`` entries: each a table with a unique ``name``; no two write one file."""
    if not tables:
        raise ConfigError(f"[[{table_name}]] has no entries", source=str(file))
    out: list[PullSettings] = []
    writers: dict[str, str] = {}
    for index, table in enumerate(tables, 1):
        label = f"[[{table_name}]] #{index}"
        if not isinstance(table, dict):
            raise ConfigError(f"{label} must be a table", source=str(file))
        config = parse_pull_table(table, source=str(file), name=label)
        if config.name is None:
            raise ConfigError(f"{label} needs a 'name' (with several contracts, the lock and "
                              "`pull --name` tell them apart by it)", source=str(file))
        if any(s.name == config.name for s in out):
            raise ConfigError(f"{label}: name {config.name!r} is used twice", source=str(file))
        for key, rel in config.outputs().items():
            target = os.path.normpath(rel)
            if target in writers:
                raise ConfigError(f'[[{table_name}]] "{config.name}" {key} = {rel!r} is also an output of '
                                  f'"{writers[target]}"', source=str(file))
            writers[target] = config.name
        out.append(PullSettings(config, root, file, table_name, config.name))
    return out


def _confine_outputs(settings: PullSettings) -> None:
    """The outputs ``pull`` writes stay inside the repository the config file lives in (or its
    folder, outside git): a pull request editing contractsync.toml must not redirect writes
    elsewhere, as for ``[tool.contractsync]`` paths (#13)."""
    from ..config import (  # contractsync.config imports this module
        leaves_repository,
        repository_top,
    )

    top = repository_top(settings.root)
    own = {os.path.realpath(p) for p in (settings.lock_path, settings.file) if p is not None}
    for key, rel in settings.config.outputs().items():
        target = settings.root / rel
        # Any project's lock or config (this one's, or a sibling frontend's), or this config file.
        if target.name in (LOCK_FILE, CONFIG_FILE) or os.path.realpath(target) in own:
            raise ConfigError(f"{settings.label} {key} = {rel!r} is contractsync's own file: pull would "
                              "overwrite it with generated output", source=str(settings.file))
        problem = leaves_repository(settings.root / rel, top)
        if problem is not None:
            raise ConfigError(f"{settings.label} {key} = {rel!r} {problem}: "
                              "outputs must stay inside it", source=str(settings.file))


def parse_pull_table(table: dict[str, Any], *, source: str, name: str = "pull") -> PullConfig:
    """Validate one ``[pull]`` table (or ``[[pull]]`` entry: ``name`` then is its label, such as
    ``[[pull]] #2``); errors name the file and ``[table] key``."""
    label = name if name.startswith("[") else f"[{name}]"
    try:
        return PullConfig.model_validate(table)
    except ValidationError as exc:
        where, message, unknown = describe_validation(exc)
        if unknown:
            raise ConfigError(f"{label} unknown key '{where}'", source=source) from None
        if where == "(top level)":
            raise ConfigError(f"{label} {message}", source=source) from None
        raise ConfigError(f"{label} {where}: {message}", source=source) from None
