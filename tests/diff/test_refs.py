"""``$ref`` handling: missing targets, external files (off by default, confined when on)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from contractsync.diff import DiffOptions, diff
from contractsync.diff import examples as ex
from contractsync.errors import RefError


def _doc(schema: Any) -> dict[str, Any]:
    return ex.response_body(schema)


def test_missing_component_is_a_one_line_ref_error_with_the_pointer() -> None:
    old = _doc({"type": "object"})
    new = _doc({"$ref": "#/components/schemas/Nope"})
    with pytest.raises(RefError) as info:
        diff(old, new)
    line = info.value.one_line()
    assert "\n" not in line
    assert "#/components/schemas/Nope" in line
    assert "/paths/~1items/get/responses/200/content/application~1json/schema" in line


def test_external_ref_is_not_followed_by_default(tmp_path: Path) -> None:
    (tmp_path / "pet.yaml").write_text("type: object\n")
    with pytest.raises(RefError, match="not followed"):
        diff(_doc({"type": "object"}), _doc({"$ref": "pet.yaml"}),
             options=DiffOptions(base_dir=tmp_path))


def test_external_ref_below_base_dir_is_followed_when_allowed(tmp_path: Path) -> None:
    (tmp_path / "schemas").mkdir()
    (tmp_path / "schemas" / "pet.yaml").write_text(
        "type: object\nrequired: [name]\nproperties:\n  name: {type: string}\n")
    (tmp_path / "schemas" / "pet2.yaml").write_text(
        "type: object\nproperties:\n  name: {type: string}\n")
    opts = DiffOptions(allow_external_refs=True, base_dir=tmp_path)
    report = diff(_doc({"$ref": "schemas/pet.yaml"}), _doc({"$ref": "schemas/pet2.yaml"}),
                  options=opts)
    assert [c.id for c in report] == ["response-property-became-optional"]


@pytest.mark.parametrize("ref", ["../secret.yaml", "/etc/passwd", "https://example.org/x.yaml",
                                 "file:///etc/passwd"])
def test_external_ref_outside_the_tree_is_refused(tmp_path: Path, ref: str) -> None:
    base = tmp_path / "spec"
    base.mkdir()
    (tmp_path / "secret.yaml").write_text("type: object\n")
    opts = DiffOptions(allow_external_refs=True, base_dir=base)
    with pytest.raises(RefError):
        diff(_doc({"type": "object"}), _doc({"$ref": ref}), options=opts)


def test_ref_alias_cycle_terminates() -> None:
    doc = ex.response_body({"$ref": "#/components/schemas/A"})
    doc["components"] = {"schemas": {"A": {"$ref": "#/components/schemas/B"},
                                     "B": {"$ref": "#/components/schemas/A"}}}
    inline = ex.response_body({"type": "object"})
    inline["components"] = doc["components"]
    diff(doc, doc)
    diff(doc, inline)
