"""``[tool.contractsync]`` in pyproject.toml, read into a pydantic model.

Paths in the table are relative to the directory holding pyproject.toml. Every value can be
overridden by a command-line flag; an unknown key is an error naming the key and the file.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from .client.config import PullConfig
from .diff.settings import DiffConfig
from .errors import ConfigError, describe_validation
from .io import load_toml
from .policy import PolicyConfig
from .typescript.options import TypeScriptConfig
from .watch.config import WatchConfig

TABLE = "tool.contractsync"


class Config(BaseModel):
    """contractsync's settings for one project."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    app: str | None = Field(default=None, description="The FastAPI app, 'pkg.module:app' or a factory.")
    app_dir: str = Field(default=".", description="Directory put on sys.path to import the app.")
    contracts_dir: str = Field(default="contracts", description="Where the contract and its history live.")
    frontend_types: str | None = Field(
        default=None, description="Extra path the TypeScript types are written to (the frontend's copy)."
    )
    frontend_dir: str | None = Field(
        default=None, description="The frontend whose type-check `impact`, `diff --frontend` and `check` consult."
    )
    export_timeout: float = Field(default=60.0, gt=0, description="Seconds an app export may take.")
    python: str | None = Field(
        default=None,
        description="The app's Python interpreter (a path relative to pyproject.toml, or a virtualenv "
        "directory); default: the active virtualenv, else a .venv/venv in the app dir or above, else "
        "contractsync's own.",
    )
    diff: DiffConfig = Field(default_factory=DiffConfig, description="[tool.contractsync.diff]: fail-on, rule levels, ignores.")
    policy: PolicyConfig = Field(default_factory=PolicyConfig, description="[tool.contractsync.policy]: what the CI gate allows.")
    typescript: TypeScriptConfig = Field(default_factory=TypeScriptConfig, description="[tool.contractsync.typescript]: generator options.")
    watch: WatchConfig = Field(default_factory=WatchConfig, description="[tool.contractsync.watch]: paths, ignores, debounce.")
    pull: PullConfig | None = Field(default=None, description="[tool.contractsync.pull]: what `contractsync pull` installs.")

    #: Directory holding the pyproject.toml the config came from (cwd when there is none).
    root: Path = Field(default_factory=Path.cwd, exclude=True)
    #: The file the config was read from, if any.
    file: Path | None = Field(default=None, exclude=True)

    @property
    def contracts_path(self) -> Path:
        """The contract directory, resolved against :attr:`root`."""
        return self.root / self.contracts_dir

    @property
    def contract_file(self) -> Path:
        """The stored contract: ``<contracts_dir>/openapi.json``."""
        return self.contracts_path / "openapi.json"

    @property
    def app_dir_path(self) -> Path:
        return self.root / self.app_dir

    def app_python(self, explicit: str | None = None, app_dir: Path | None = None) -> str:
        """The interpreter that imports the app (``--python`` wins over the config; see
        :mod:`contractsync.spec.interpreter`)."""
        from .spec.interpreter import project_python

        return project_python(explicit, configured=self.python, root=self.root,
                              app_dir=app_dir if app_dir is not None else self.app_dir_path,
                              config_file=self.file)

    def with_overrides(self, **overrides: Any) -> Config:
        """A copy with the given (non-None) values replaced, as CLI flags do."""
        values = {k: v for k, v in overrides.items() if v is not None}
        return self.model_copy(update=values) if values else self


def find_pyproject(start: Path | None = None) -> Path | None:
    """The nearest pyproject.toml at or above ``start`` (the current directory by default)."""
    here = (start or Path.cwd()).resolve()
    for directory in (here, *here.parents):
        candidate = directory / "pyproject.toml"
        if candidate.is_file():
            return candidate
    return None


def load_config(pyproject: Path | None = None, *, start: Path | None = None) -> Config:
    """Read ``[tool.contractsync]`` from ``pyproject`` (or the nearest pyproject.toml).

    A project without the table gets the defaults, rooted at the current directory.
    """
    path = pyproject or find_pyproject(start)
    if path is None:
        return Config(root=(start or Path.cwd()).resolve())
    doc: dict[str, Any] = load_toml(path, ConfigError)
    table = doc.get("tool", {}).get("contractsync")
    if table is None:
        return Config(root=path.parent.resolve(), file=path)
    if not isinstance(table, dict):
        raise ConfigError(f"[{TABLE}] must be a table", source=str(path))
    return config_from_table(table, path)


def config_from_table(table: dict[str, Any], path: Path) -> Config:
    """The config a ``[tool.contractsync]`` table in ``path`` gives: validated, and with the paths
    it writes to confined to the repository (see :func:`_confine`). ``init`` checks the table it
    is about to write with this before it writes anything."""
    for reserved in ("root", "file"):
        if reserved in table:
            raise ConfigError(f"[{TABLE}] unknown key '{reserved}'", source=str(path))
    try:
        cfg = Config(**table, root=path.parent.resolve(), file=path)
    except ValidationError as exc:
        raise ConfigError(_describe(exc), source=str(path)) from None
    _confine(cfg, path)
    return cfg


def repository_top(start: Path) -> Path:
    """The top of the git work tree around ``start`` (found by its ``.git``), else ``start``."""
    for directory in (start, *start.parents):
        if (directory / ".git").exists():
            return directory
    return start


def leaves_repository(target: Path, top: Path) -> str | None:
    """How ``target`` leaves the repository ``top`` (None when it stays inside): lexically
    (``../``, an absolute path) or through a symlink along the way (a linked folder or file that
    points outside, which a pull request can add as easily as it edits a config). Links that stay
    inside the repository, as monorepos use, are fine."""
    lexical = Path(os.path.normpath(target))
    if not lexical.is_relative_to(top):
        return f"is outside the repository ({top})"
    real = Path(os.path.realpath(lexical))
    if not real.is_relative_to(os.path.realpath(top)):
        return f"leads outside the repository ({top}) through a symlink, to {real}"
    return None


def _confine(cfg: Config, path: Path) -> None:
    """Paths contractsync writes to, when they come from the file, stay inside the repository:
    a pull request editing pyproject.toml must not redirect writes elsewhere (#13). The same
    paths given on the command line are the user's own choice and are not confined."""
    top = repository_top(cfg.root)
    for key in ("contracts_dir", "frontend_types"):
        value = getattr(cfg, key)
        if value is None:
            continue
        problem = leaves_repository(cfg.root / value, top)
        if problem is not None:
            raise ConfigError(
                f"[{TABLE}] {key} = {value!r} {problem}; paths in the file "
                "must stay inside it (give an outside path on the command line instead)",
                source=str(path))


def _describe(exc: ValidationError) -> str:
    where, message, unknown = describe_validation(exc)
    if unknown:
        return f"[{TABLE}] unknown key '{where}'"
    return f"[{TABLE}] {where}: {message}"
