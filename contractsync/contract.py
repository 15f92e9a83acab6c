"""The contract store: the accepted contract in ``contracts/openapi.json``, in canonical form.

Library functions behind ``contractsync export`` and ``contractsync init``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import tomlkit

from .config import TABLE, Config
from .errors import ConfigError, InputError
from .io import atomic_write_bytes, atomic_write_text, load_toml
from .spec.canonical import canonical_json
from .spec.document import Document
from .spec.source import Source, load_spec
from .spec.validate import Problem, validate_document

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


@dataclass
class ExportResult:
    """What :func:`export_contract` did."""

    document: Document
    path: Path | None
    written: bool
    problems: list[Problem] = field(default_factory=list)
    stale: bool = False
    differences: list[str] = field(default_factory=list)


def export_contract(
    source: Source | str,
    out: Path | None,
    *,
    validate: bool = False,
    check: bool = False,
) -> ExportResult:
    """Export ``source`` in canonical form to ``out`` (``None``: do not write).

    With ``check=True`` nothing is written: the result says whether ``out`` is stale and, briefly,
    what differs.
    """
    doc = load_spec(source)
    data = canonical_json(doc.data)
    problems = validate_document(Document(doc.data, doc.source, raw=data)) if validate else []
    if check:
        if out is None:
            raise InputError("--check needs a contract file to compare with")
        try:
            current = out.read_bytes()
        except FileNotFoundError:
            return ExportResult(doc, out, False, problems, stale=True,
                                differences=[f"{out} does not exist yet"])
        if current == data:
            return ExportResult(doc, out, False, problems, stale=False)
        old = load_spec(str(out))
        return ExportResult(doc, out, False, problems, stale=True,
                            differences=summarize_differences(old.data, doc.data))
    if out is not None:
        try:
            unchanged = out.read_bytes() == data
        except OSError:
            unchanged = False
        if not unchanged:
            atomic_write_bytes(out, data)
        return ExportResult(doc, out, not unchanged, problems)
    return ExportResult(doc, None, False, problems)


def operations(data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """``{"GET /books": operation_object, ...}`` for every operation under ``paths``."""
    out: dict[str, dict[str, Any]] = {}
    paths = data.get("paths") or {}
    if not isinstance(paths, dict):
        return out
    for path, item in paths.items():
        if not isinstance(item, dict):
            continue
        for method in HTTP_METHODS:
            op = item.get(method)
            if isinstance(op, dict):
                out[f"{method.upper()} {path}"] = op
    return out


_PARAM = re.compile(r"\{[^}/]*\}")


def _blank_params(operation: str) -> str:
    return _PARAM.sub("{}", operation)


def summarize_differences(old: dict[str, Any], new: dict[str, Any], limit: int = 5) -> list[str]:
    """A few human lines saying what differs between two contracts (for ``export --check``).

    This is a cheap structural summary; ``contractsync diff`` classifies the changes.
    """
    lines: list[str] = []

    def section(label: str, a: dict[str, Any], b: dict[str, Any]) -> None:
        added = sorted(set(b) - set(a))
        removed = sorted(set(a) - set(b))
        changed = sorted(k for k in set(a) & set(b) if canonical_json(a[k]) != canonical_json(b[k]))
        for verb, names in (("added", added), ("removed", removed), ("changed", changed)):
            if names:
                shown = ", ".join(names[:limit]) + (f" and {len(names) - limit} more" if len(names) > limit else "")
                lines.append(f"{len(names)} {label}{'s' if len(names) != 1 else ''} {verb}: {shown}")

    # Operations are matched with path-parameter names blanked, as the diff does: renaming
    # /authors/{author_id} to /authors/{id} is not a removal plus an addition.
    old_ops = {_blank_params(k): (k, v) for k, v in operations(old).items()}
    new_ops = {_blank_params(k): (k, v) for k, v in operations(new).items()}
    section("operation",
            {new_ops.get(key, name_op)[0]: name_op[1] for key, name_op in old_ops.items()},
            {name: op for name, op in new_ops.values()})
    old_schemas = (old.get("components") or {}).get("schemas") or {}
    new_schemas = (new.get("components") or {}).get("schemas") or {}
    section("schema", old_schemas, new_schemas)
    for key in sorted(set(old) | set(new)):
        if key in ("paths", "components"):
            continue
        if canonical_json(old.get(key)) != canonical_json(new.get(key)):
            lines.append(f"/{key} changed")
    if canonical_json({k: v for k, v in (old.get("components") or {}).items() if k != "schemas"}) != \
            canonical_json({k: v for k, v in (new.get("components") or {}).items() if k != "schemas"}):
        lines.append("/components (other than schemas) changed")
    return lines or ["formatting differs (the content is the same): re-export to canonical form"]


def _init_table(app: str, app_dir: str, contracts_dir: str, frontend_types: str | None,
                python: str | None) -> dict[str, str]:
    table = {"app": app}
    if app_dir != ".":
        table["app_dir"] = app_dir
    table["contracts_dir"] = contracts_dir
    if frontend_types:
        table["frontend_types"] = frontend_types
    if python:
        table["python"] = python
    return table


def plan_init(
    pyproject: Path,
    *,
    app: str,
    app_dir: str = ".",
    contracts_dir: str = "contracts",
    frontend_types: str | None = None,
    python: str | None = None,
    force: bool = False,
) -> Config:
    """The config ``init`` would write, checked before anything is written: an existing
    ``[tool.contractsync]`` without ``force``, an invalid value or a path outside the repository
    is a :class:`ConfigError` (so ``init`` never leaves a contract or a table half-done)."""
    from .config import config_from_table

    if pyproject.exists():
        doc = load_toml(pyproject, ConfigError)
        tool = doc.get("tool")
        if isinstance(tool, dict) and "contractsync" in tool and not force:
            raise ConfigError(f"[{TABLE}] already exists (use --force to replace it)", source=str(pyproject))
    return config_from_table(_init_table(app, app_dir, contracts_dir, frontend_types, python), pyproject)


def init_project(
    pyproject: Path,
    *,
    app: str,
    app_dir: str = ".",
    contracts_dir: str = "contracts",
    frontend_types: str | None = None,
    python: str | None = None,
    force: bool = False,
) -> Config:
    """Write ``[tool.contractsync]`` into ``pyproject`` (created if missing), keeping the rest of
    the file as it was: a new table is appended after a blank line; ``force`` replaces an existing
    one in place. Returns the resulting config. Nothing is written when the table would be
    refused (see :func:`plan_init`)."""
    plan_init(pyproject, app=app, app_dir=app_dir, contracts_dir=contracts_dir,
              frontend_types=frontend_types, python=python, force=force)
    text = ""
    if pyproject.exists():
        text = pyproject.read_text(encoding="utf-8")
        try:
            doc = tomlkit.parse(text)
        except Exception as exc:  # tomlkit raises several error types
            raise ConfigError(f"invalid TOML: {exc}", source=str(pyproject)) from None
    else:
        doc = tomlkit.document()
    tool = doc.get("tool")
    exists = tool is not None and "contractsync" in tool
    table = tomlkit.table()
    for key, value in _init_table(app, app_dir, contracts_dir, frontend_types, python).items():
        table[key] = value
    if exists:
        assert tool is not None
        table.add(tomlkit.nl())
        tool["contractsync"] = table
        new_text = tomlkit.dumps(doc).rstrip("\n") + "\n"
    else:
        wrapper = tomlkit.document()
        outer = tomlkit.table(is_super_table=True)
        outer["contractsync"] = table
        wrapper["tool"] = outer
        body = tomlkit.dumps(wrapper).strip("\n") + "\n"
        if text and not text.endswith("\n"):
            text += "\n"
        separator = "\n" if text.strip() and not text.endswith("\n\n") else ""
        new_text = (text if text.strip() else "") + separator + body
    atomic_write_text(pyproject, new_text)
    from .config import load_config

    return load_config(pyproject)
