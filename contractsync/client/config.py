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

The token is read from ``CONTRACTSYNC_TOKEN`` only: a URL with credentials is refused, so a token
can never end up in this file or in the lock.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from ..errors import ConfigError, describe_validation
from ..registry.names import name_problem
from ..typescript.options import TypeScriptOptions
from .refs import Ref, parse_ref

CONFIG_FILE = "contractsync.toml"
LOCK_FILE = "contractsync.lock"
DEFAULT_REF = "label:main"


class PullConfig(BaseModel):
    """What ``contractsync pull`` installs and where (see the module docstring)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    registry: str | None = Field(default=None, description="Registry base URL (http(s):// or file://).")
    source: str | None = Field(default=None, description="A plain source instead: file, REV:path or URL.")
    contract: str | None = Field(default=None, description="The contract's name in the registry.")
    ref: str | None = Field(default=None, description="label:NAME, version:N or digest:sha256:… (default label:main).")
    types: str | None = Field(default=None, description="Output: the generated TypeScript types (.ts).")
    openapi: str | None = Field(default=None, description="Output: the contract itself (.json).")
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
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        raise ConfigError("no such file", source=str(path)) from None
    except OSError as exc:
        raise ConfigError(f"cannot read: {exc.strerror}", source=str(path)) from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"invalid TOML: {exc}", source=str(path)) from None


def _pyproject_pull_table(path: Path) -> Any:
    try:
        doc = _read_toml(path)
    except ConfigError:
        return None
    tool = doc.get("tool")
    contractsync = tool.get("contractsync") if isinstance(tool, dict) else None
    return contractsync.get("pull") if isinstance(contractsync, dict) else None


def load_pull_config(path: Path | None = None, *, start: Path | None = None) -> PullSettings:
    """Read the pull configuration from ``path`` (a contractsync.toml, or a pyproject.toml) or
    from the nearest one. Raises :class:`ConfigError` naming the file and the key."""
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
    if not isinstance(table, dict):
        raise ConfigError(f"[{table_name}] must be a table", source=str(file))
    settings = PullSettings(parse_pull_table(table, source=str(file), name=table_name),
                            file.parent.resolve(), file, table_name)
    _confine_outputs(settings)
    return settings


def _confine_outputs(settings: PullSettings) -> None:
    """The outputs ``pull`` writes stay inside the repository the config file lives in (or its
    folder, outside git): a pull request editing contractsync.toml must not redirect writes
    elsewhere, as for ``[tool.contractsync]`` paths (#13)."""
    from ..config import repository_top  # contractsync.config imports this module

    top = repository_top(settings.root)
    for key, rel in settings.config.outputs().items():
        target = Path(os.path.normpath(settings.root / rel))
        if not target.is_relative_to(top):
            raise ConfigError(f"[{settings.table}] {key} = {rel!r} is outside the repository ({top}): "
                              "outputs must stay inside it", source=str(settings.file))


def parse_pull_table(table: dict[str, Any], *, source: str, name: str = "pull") -> PullConfig:
    """Validate one ``[pull]`` table; errors name the file and ``[table] key``."""
    try:
        return PullConfig.model_validate(table)
    except ValidationError as exc:
        where, message, unknown = describe_validation(exc)
        if unknown:
            raise ConfigError(f"[{name}] unknown key '{where}'", source=source) from None
        if where == "(top level)":
            raise ConfigError(f"[{name}] {message}", source=source) from None
        raise ConfigError(f"[{name}] {where}: {message}", source=source) from None
