"""Wrong-typed fields never crash the engine (#13, item 6).

Property: replace any node of a real contract with a value of the wrong JSON type; loading it,
diffing it against the original (both ways), the gate's policy and the TypeScript emitter either
work or end in a one-line :class:`ContractsyncError` that names the file and the place, never in
an internal error (``TypeError``, ``AttributeError``…).

Bounded in CI; a longer soak: ``CONTRACTSYNC_SOAK_EXAMPLES=20000 .venv/bin/python -m pytest
tests/test_wrong_types.py -q -p no:xdist``.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import os
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from contractsync.diff.compare import compare
from contractsync.errors import ContractsyncError
from contractsync.policy import PolicyConfig, evaluate
from contractsync.spec import load_spec
from contractsync.spec.document import Document
from contractsync.typescript import to_typescript

CONTRACT = Path(__file__).resolve().parents[1] / "contracts" / "openapi.json"
BASE = load_spec(str(CONTRACT))
EXAMPLES = int(os.environ.get("CONTRACTSYNC_SOAK_EXAMPLES", "40"))


def _paths(node: Any, here: tuple[str | int, ...] = ()) -> list[tuple[str | int, ...]]:
    out = [here] if here else []
    if isinstance(node, dict):
        for key, value in node.items():
            out.extend(_paths(value, (*here, key)))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            out.extend(_paths(value, (*here, i)))
    return out


PLACES = _paths(BASE.data)
WRONG = st.one_of(
    st.sampled_from([5, -1, 1.5, True, False, None, "s", "", [], {}, ["^a"], [{"a": 1}], [5], [[1]],
                     {"k": 5}, {"k": [5]}, [None], {"$ref": 5}, {"type": 5}, {"required": [1]}]),
    st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=3),
                 lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner, max_size=3),
                 max_leaves=5),
)


def _mutated(place: tuple[str | int, ...], value: Any) -> bytes:
    data = copy.deepcopy(BASE.data)
    node = data
    for key in place[:-1]:
        node = node[key]
    node[place[-1]] = value
    return json.dumps(data).encode()


def _exercise(tmp_path: Path, raw: bytes) -> None:
    path = tmp_path / "mutated.json"
    path.write_bytes(raw)
    try:
        doc = load_spec(str(path))
    except ContractsyncError as exc:
        assert exc.source == str(path) and exc.where, exc.one_line()
        return
    policy = PolicyConfig()
    today = dt.date(2026, 11, 30)
    for old, new in ((BASE, doc), (doc, BASE)):
        try:
            report = compare(old, new).report
            evaluate(list(report.changes), old.data, new.data, policy=policy, today=today)
        except ContractsyncError as exc:
            assert exc.where, exc.one_line()
    to_typescript(Document(doc.data, doc.source, raw=doc.raw))


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(place=st.sampled_from(PLACES), value=WRONG)
def test_any_wrong_typed_node_is_refused_or_handled(place: tuple[str | int, ...], value: Any, tmp_path: Path) -> None:
    _exercise(tmp_path, _mutated(place, value))


# The shapes the campaign found crashing (`internal error: TypeError`, no file or place named).
CRASHERS = [
    (("components", "schemas", "Book-Output", "required"), [{"a": 1}], "/components/schemas/Book-Output/required"),
    (("paths", "/books", "get", "tags"), 5, "/paths/~1books/get/tags"),
    (("paths", "/books", "post", "security"), [{"k": 5}], "/paths/~1books/post/security"),
    (("components", "schemas", "Book-Input", "properties", "isbn", "pattern"), ["^a"],
     "/components/schemas/Book-Input/properties/isbn/pattern"),
]


@pytest.mark.parametrize(("place", "value", "where"), CRASHERS, ids=[c[2] for c in CRASHERS])
def test_reported_crashers_are_located_errors(place: tuple[str | int, ...], value: Any, where: str,
                                             tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_bytes(_mutated(place, value))
    with pytest.raises(ContractsyncError) as info:
        load_spec(str(path))
    assert info.value.where == where
    assert "must be" in info.value.message
