"""Meaning-preserving rewrites must not change verdicts (#11).

Every oasdiff fixture pair in ../shared/oracle is diffed as written and again after moving each
inline property schema into ``components/schemas`` behind a ``$ref`` (in both documents, the
component named after the property's place). The documents mean the same, so the reported
(id, level) pairs must be the same — apart from ``api-schema-*``, the components the rewrite
itself adds or removes. This found the equal-schema shortcut hiding a component's own
readOnly/writeOnly/deprecated/x-stability-level, and rename detection comparing `$ref` names.
"""

from __future__ import annotations

import copy
import csv
import datetime
import zlib
from pathlib import Path
from typing import Any

import pytest

from contractsync.diff import DiffOptions, diff
from contractsync.errors import InputError
from contractsync.spec import load_spec

from ..conftest import ORACLE

_DATA_KEYS = frozenset({"example", "examples", "default", "enum", "const"})


def props_to_components(doc: Any) -> Any:
    """``doc`` with every inline property schema moved to ``components/schemas`` + ``$ref``."""
    if not isinstance(doc, dict):
        return doc
    comps = doc.setdefault("components", {})
    if not isinstance(comps, dict):
        return doc
    schemas = comps.setdefault("schemas", {})
    if not isinstance(schemas, dict):
        return doc
    moved: dict[str, Any] = {}

    def walk(node: Any, path: str) -> None:
        if isinstance(node, dict):
            props = node.get("properties")
            if isinstance(props, dict):
                for name, schema in list(props.items()):
                    if isinstance(schema, dict) and "$ref" not in schema:
                        key = f"Prop{zlib.crc32(f'{path}/{name}'.encode()):08x}"
                        moved[key] = schema
                        props[name] = {"$ref": f"#/components/schemas/{key}"}
                        walk(schema, f"{path}/{name}")
            for k, v in node.items():
                if k != "properties" and k not in _DATA_KEYS and not str(k).startswith("x-"):
                    walk(v, f"{path}/{k}")
        elif isinstance(node, list):
            for i, v in enumerate(node):
                walk(v, f"{path}/{i}")

    walk(doc.get("paths"), "#/paths")
    walk(doc.get("webhooks"), "#/webhooks")
    walk({k: v for k, v in comps.items() if k != "schemas"}, "#/components")
    walk(dict(schemas), "#/components/schemas")
    schemas.update(moved)
    return doc


def _pairs() -> list[tuple[str, str]]:
    if not (ORACLE / "cases.tsv").exists():
        return []
    with (ORACLE / "cases.tsv").open(encoding="utf-8") as fh:
        rows = [r for r in csv.DictReader(fh, delimiter="\t") if r.get("base")]
    return list(dict.fromkeys((r["base"], r["revision"]) for r in rows))


def _verdicts(old: Any, new: Any, base_dir: Path) -> set[tuple[str, str]]:
    opts = DiffOptions(now=datetime.date(2026, 1, 1), allow_external_refs=True,
                       base_dir=base_dir)
    return {(c.id, c.level.value) for c in diff(old, new, options=opts)
            if not c.id.startswith("api-schema-")}


def test_moving_property_schemas_into_components_changes_no_verdict() -> None:
    pairs = _pairs()
    if not pairs:
        pytest.skip(f"{ORACLE} not present (a user's clone has no ../shared)")
    differing, compared = [], 0
    for base, revision in pairs:
        try:
            old = load_spec(str(ORACLE / base), allow_external_refs=True).data
            new = load_spec(str(ORACLE / revision), allow_external_refs=True).data
            plain = _verdicts(copy.deepcopy(old), copy.deepcopy(new), (ORACLE / base).parent)
        except InputError:  # a fixture we cannot read is test_oracle's business
            continue
        moved = _verdicts(props_to_components(copy.deepcopy(old)),
                          props_to_components(copy.deepcopy(new)), (ORACLE / base).parent)
        compared += 1
        if moved != plain:
            differing.append((base, sorted(plain - moved), sorted(moved - plain)))
    assert compared > len(pairs) // 2, "most fixture pairs must be compared"
    assert not differing, differing
