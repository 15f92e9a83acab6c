"""What one ``contractsync watch`` run does, resolved from flags, ``[tool.contractsync]`` and
``[tool.contractsync.watch]`` (flags win; config paths are relative to pyproject.toml's directory,
flag paths to the current directory)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ..config import Config
from ..diff.settings import DiffConfig
from ..errors import InputError
from ..typescript.options import TypeScriptOptions
from .config import DEFAULT_DEBOUNCE_MS, WatchConfig
from .pipeline import Output

#: Seconds one export may take in watch mode unless ``export_timeout`` is configured: an import
#: that hangs should be reported while the developer still remembers the save.
DEFAULT_TIMEOUT = 10.0


@dataclass
class WatchSettings:
    """Everything the watch loop needs."""

    target: str
    app_dir: Path
    paths: list[Path]
    outputs: list[Output]
    contract_file: Path
    ignore: list[str] = field(default_factory=list)
    debounce_ms: int = DEFAULT_DEBOUNCE_MS
    timeout: float = DEFAULT_TIMEOUT
    #: Directories searched for pyproject.toml and lock files (their change restarts the worker).
    project_dirs: list[Path] = field(default_factory=list)
    #: TypeScript generator options, from ``[tool.contractsync.typescript]`` (None: defaults).
    ts_options: TypeScriptOptions | None = None
    #: ``[tool.contractsync.diff]``: per-rule levels and ignores (None: none).
    diff_config: DiffConfig | None = None
    json: bool = False
    once: bool = False
    force_polling: bool | None = None
    #: The app's interpreter (the warm worker runs it); None: contractsync's own.
    python: str | None = None


def watch_config(cfg: Config) -> WatchConfig:
    """``[tool.contractsync.watch]`` of ``cfg`` (the defaults when the table is absent)."""
    return cfg.watch


def resolve_settings(
    cfg: Config,
    *,
    app: str | None = None,
    app_dir: Path | None = None,
    paths: Sequence[Path] = (),
    ignore: Sequence[str] = (),
    types: Sequence[Path] = (),
    debounce_ms: int | None = None,
    timeout: float | None = None,
    json: bool = False,
    once: bool = False,
    python: str | None = None,
) -> WatchSettings:
    """Combine flags and config into :class:`WatchSettings`; :class:`InputError` when they do
    not name an app, a watchable path or anything to write."""
    wcfg = watch_config(cfg)
    target = app or cfg.app
    if not target:
        raise InputError("no app to watch: pass --app pkg.module:app or set `app` in "
                         "[tool.contractsync] (`contractsync init` does)")
    directory = app_dir if app_dir is not None else (cfg.app_dir_path if not app else Path("."))
    directory = directory.resolve()
    if not directory.is_dir():
        raise InputError("the app dir does not exist", source=str(directory))

    if paths:
        watch_paths = [Path(p).resolve() for p in paths]
    elif wcfg.paths:
        watch_paths = [(cfg.root / p).resolve() for p in wcfg.paths]
    else:
        watch_paths = [directory]
    for path in watch_paths:
        if not path.exists():
            raise InputError("the watch path does not exist", source=str(path))

    requested = [Path(p) for p in types] if types else [cfg.root / p for p in wcfg.types]
    if cfg.frontend_types:
        requested.append(cfg.root / cfg.frontend_types)
    if not requested:
        # The types `init` and `accept` keep: <contracts_dir>/types.ts.
        requested.append(cfg.contracts_path / "types.ts")
    contract = cfg.contract_file.resolve()
    outputs: list[Output] = []
    seen: set[Path] = set()
    for path in requested:
        resolved = path.resolve()
        if resolved in seen:
            continue
        seen.add(resolved)
        if resolved == contract:
            raise InputError("watch never writes the stored contract (accepting a contract is "
                             "`contractsync accept`'s job): choose another output", source=str(path))
        outputs.append(Output.for_path(resolved))

    if timeout is None:
        timeout = cfg.export_timeout if "export_timeout" in cfg.model_fields_set else DEFAULT_TIMEOUT
    project_dirs = [cfg.root.resolve()]
    if directory not in project_dirs:
        project_dirs.append(directory)
    return WatchSettings(
        target=target,
        app_dir=directory,
        paths=watch_paths,
        outputs=outputs,
        contract_file=contract,
        ignore=[*wcfg.ignore, *ignore],
        debounce_ms=debounce_ms if debounce_ms is not None else wcfg.debounce_ms,
        timeout=timeout,
        project_dirs=project_dirs,
        ts_options=cfg.typescript,
        diff_config=cfg.diff,
        json=json,
        once=once,
        python=cfg.app_python(python, directory),
    )
