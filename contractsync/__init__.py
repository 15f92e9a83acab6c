"""contractsync: keep a FastAPI backend and its TypeScript frontend honest with each other.

The library behind every command. The public names are imported lazily (PEP 562), so
``import contractsync`` stays cheap for the CLI and for tools that only need one part::

    import contractsync

    old = contractsync.load_spec("origin/main:contracts/openapi.json")
    new = contractsync.load_spec("app:bookshop.main:app")
    report = contractsync.diff(old, new)
    for change in report.breaking:
        print(change.id, change.location, change.operations)
    types_ts = contractsync.to_typescript(new)
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

# public name -> module that defines it
_EXPORTS: dict[str, str] = {
    # errors
    "ContractsyncError": "contractsync.errors",
    "InputError": "contractsync.errors",
    "CheckFailed": "contractsync.errors",
    # getting a document
    "Document": "contractsync.spec",
    "load_spec": "contractsync.spec",
    "parse_source": "contractsync.spec",
    "AppSource": "contractsync.spec",
    "export_app": "contractsync.spec",
    "validate_document": "contractsync.spec",
    "canonical_json": "contractsync.spec",
    # config and the contract store
    "Config": "contractsync.config",
    "load_config": "contractsync.config",
    "export_contract": "contractsync.contract",
    "init_project": "contractsync.contract",
    # diff
    "diff": "contractsync.diff",
    "DiffOptions": "contractsync.diff",
    "Change": "contractsync.diff",
    "Report": "contractsync.diff",
    "Level": "contractsync.diff",
    "Direction": "contractsync.diff",
    "RULES": "contractsync.diff",
    "render": "contractsync.render",
    # types
    "to_typescript": "contractsync.typescript",
    "TypeScriptOptions": "contractsync.typescript",
    # CI gate
    "check": "contractsync.gate",
    "announce": "contractsync.gate",
    "accept": "contractsync.gate",
}

__all__ = [  # noqa: RUF022 - grouped as in _EXPORTS
    "__version__",
    "ContractsyncError",
    "InputError",
    "CheckFailed",
    "Document",
    "load_spec",
    "parse_source",
    "AppSource",
    "export_app",
    "validate_document",
    "canonical_json",
    "Config",
    "load_config",
    "export_contract",
    "init_project",
    "diff",
    "DiffOptions",
    "Change",
    "Report",
    "Level",
    "Direction",
    "RULES",
    "render",
    "to_typescript",
    "TypeScriptOptions",
    "check",
    "announce",
    "accept",
]

if TYPE_CHECKING:
    from .config import Config, load_config
    from .contract import export_contract, init_project
    from .diff import RULES, Change, DiffOptions, Direction, Level, Report, diff
    from .errors import CheckFailed, ContractsyncError, InputError
    from .gate import accept, announce, check
    from .render import render
    from .spec import (
        AppSource,
        Document,
        canonical_json,
        export_app,
        load_spec,
        parse_source,
        validate_document,
    )
    from .typescript import TypeScriptOptions, to_typescript


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'contractsync' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
