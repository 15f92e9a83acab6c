"""Property-based tests of the diff engine over the real corpus (#11), with hypothesis:

* ``diff(x, x)`` is empty — for a deep copy too, so no identity shortcut can hide a finding;
* every JSON pointer a report emits resolves in the document it names;
* no mutation of a real spec crashes the engine (bad input may only be a one-line InputError).

CI runs a bounded number of examples (profile ``ci``); ``benchmarks/soak_diff.py`` runs the same
properties for longer (profile ``soak``).
"""

from __future__ import annotations

import copy
import datetime
import functools
import os
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from contractsync.diff import DiffOptions, Report, diff
from contractsync.errors import ContractsyncError, InputError
from contractsync.spec.source import load_spec

from ..conftest import CORPUS, require_corpus
from .spec_mutations import mutate, resolves

settings.register_profile("ci", max_examples=40, deadline=None, database=None,
                          suppress_health_check=[HealthCheck.too_slow,
                                                 HealthCheck.data_too_large])
settings.register_profile("soak", deadline=None, database=None,
                          max_examples=int(os.environ.get("CONTRACTSYNC_SOAK_EXAMPLES", "3000")),
                          suppress_health_check=list(HealthCheck))
settings.load_profile(os.environ.get("CONTRACTSYNC_HYPOTHESIS_PROFILE", "ci"))

NOW = DiffOptions(now=datetime.date(2026, 1, 1), positions=False)
#: Documents mutated in CI: the FastAPI exports and the smaller pairs (< 1 MB, fast to copy).
_SMALL = 1_000_000


def _documents() -> list[Path]:
    if not CORPUS.is_dir():
        return []
    files = [*CORPUS.glob("fastapi/*"), *CORPUS.glob("pairs/*/*")]
    limit = _SMALL if os.environ.get("CONTRACTSYNC_HYPOTHESIS_PROFILE", "ci") == "ci" else 5_000_000
    return sorted(p for p in files if p.suffix in (".json", ".yaml") and p.stat().st_size < limit
                  and p.parent.name != "kubernetes-swagger2")


DOCUMENTS = _documents()


@functools.cache
def _load(path: Path) -> dict[str, Any]:
    data = load_spec(str(path)).data
    assert isinstance(data, dict)
    return data


def _check_pointers(report: Report, old: Any, new: Any) -> None:
    for change in report:
        loc = change.location
        assert loc.base is None or resolves(old, loc.base), (change.id, "base", loc.base)
        assert loc.revision is None or resolves(new, loc.revision), (change.id, "revision",
                                                                     loc.revision)


def _diff_or_input_error(old: Any, new: Any) -> Report | None:
    try:
        return diff(old, new, options=NOW)
    except InputError:
        return None  # a hostile edit (a $ref to nothing) is bad input, reported in one line
    except ContractsyncError as exc:  # pragma: no cover - would be a crash in disguise
        raise AssertionError(f"not an input error: {exc!r}") from exc


@pytest.mark.parametrize("path", DOCUMENTS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_diff_with_a_deep_copy_of_itself_is_empty(path: Path) -> None:
    require_corpus()
    data = _load(path)
    report = diff(data, copy.deepcopy(data), options=NOW)
    assert list(report) == [] and report.doc_edits == 0


@pytest.mark.skipif(not DOCUMENTS, reason=f"{CORPUS} not present (a user's clone has no "
                                          "../shared); the properties run over its documents")
@given(data=st.data())
def test_mutated_specs_never_crash_and_pointers_resolve(data: st.DataObject) -> None:
    original = _load(data.draw(st.sampled_from(DOCUMENTS), label="document"))
    mutated = data.draw(mutate(original), label="mutated")
    for old, new in ((original, mutated), (mutated, original)):
        report = _diff_or_input_error(old, new)
        if report is not None:
            _check_pointers(report, old, new)
            again = diff(old, new, options=NOW)
            assert [c.to_dict() for c in again] == [c.to_dict() for c in report]
    if _diff_or_input_error(mutated, mutated) is not None:
        assert list(diff(mutated, copy.deepcopy(mutated), options=NOW)) == []
