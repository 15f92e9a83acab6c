"""Changes that are safe (or only a warning) on the wire but break the example frontend's build (#10).

The changes are applied together to the stored v1 contract (one type-check run, to keep the test
fast); the types generated from the result go into a copy of the frontend, and `vue-tsc` must fail
at exactly the places listed below, each in code only its change touches — the usages that the
`typescript` profile exists for: an exhaustive switch and a `Record` over an enum, an imported
schema alias, `operations[...]` by operationId, a response property read as always present.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .conftest import FRONTEND, REPO, Place, frontend_copy, frontend_node, run, vue_tsc

Contract = dict[str, Any]


def _response_enum_value_added(doc: Contract) -> None:
    doc["components"]["schemas"]["Genre"]["enum"].append("romance")


def _operation_id_changed(doc: Contract) -> None:
    doc["paths"]["/books"]["get"]["operationId"] = "listBooks"


def _schema_renamed(doc: Contract) -> None:
    schemas = doc["components"]["schemas"]
    schemas["AuthorPublic"] = schemas.pop("Author")

    def retarget(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("$ref") == "#/components/schemas/Author":
                node["$ref"] = "#/components/schemas/AuthorPublic"
            for value in node.values():
                retarget(value)
        elif isinstance(node, list):
            for value in node:
                retarget(value)

    retarget(doc)


def _required_became_optional(doc: Contract) -> None:
    doc["components"]["schemas"]["Review"]["required"].remove("rating")


# change → the places it breaks (what `contractsync diff` says about it on the wire in the comment)
CHANGES: dict[str, tuple[Callable[[Contract], None], list[Place]]] = {
    # warning: response-property-enum-value-added (Genre is returned in every Book)
    "Genre gains 'romance'": (
        _response_enum_value_added,
        [("src/api/labels.ts", 5, 7, "TS2741"), ("src/api/labels.ts", 42, 13, "TS2322")],
    ),
    # info: api-operation-id-removed
    "operationId books-list_books → listBooks": (
        _operation_id_changed,
        [("src/views/BookList.vue", 9, 41, "TS2339")],
    ),
    # info: the schema is renamed, every $ref follows; the alias `Author` is gone
    "schema Author → AuthorPublic": (
        _schema_renamed,
        [
            ("src/components/AuthorCard.vue", 3, 15, "TS2305"),
            ("src/views/AuthorPage.vue", 10, 42, "TS2339"),
            ("src/views/NewBook.vue", 6, 15, "TS2305"),
        ],
    ),
    # breaking: response-property-became-optional
    "Review.rating no longer required": (
        _required_became_optional,
        [("src/components/ReviewList.vue", 20, 78, "TS2345")],
    ),
}


def test_wire_safe_changes_break_these_places(tmp_path: Path) -> None:
    node = frontend_node()
    doc: Contract = json.loads((REPO / "contracts" / "openapi.json").read_text())
    for change, _ in CHANGES.values():
        change(doc)
    changed = tmp_path / "openapi.json"
    changed.write_text(json.dumps(doc))
    copy = frontend_copy(tmp_path / "frontend")
    types = copy / "src" / "api" / "types.ts"
    run([sys.executable, "-m", "contractsync", "generate", "typescript", str(changed), "-o", str(types)], REPO)  # fmt: skip

    code, found, output = vue_tsc(node, copy)

    expected = sorted(place for _, places in CHANGES.values() for place in places)
    assert code != 0, output
    assert sorted(found) == expected, output
    for file, *_ in found:
        assert (FRONTEND / file).is_file(), file
