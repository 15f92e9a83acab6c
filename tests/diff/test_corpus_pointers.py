"""Every JSON pointer a report emits resolves in the document it names (#11): over every real
pair of the shared corpus, base pointers in the old document and revision pointers in the new,
with and without documentation edits listed."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest

from contractsync.diff import DiffOptions, diff
from contractsync.errors import NotOpenAPIError
from contractsync.spec.source import load_spec

from ..conftest import CORPUS, require_corpus
from .spec_mutations import resolves

_PAIRS = sorted(p for p in CORPUS.glob("pairs/*") if p.is_dir()) if CORPUS.is_dir() else []
_SLOW = {"github-api", "openai-3.1-large"}


@pytest.mark.parametrize("pair", [pytest.param(p, marks=pytest.mark.slow) if p.name in _SLOW
                                  else p for p in _PAIRS], ids=lambda p: p.name)
def test_every_pointer_of_every_change_resolves(pair: Path) -> None:
    require_corpus()
    try:
        old = load_spec(str(sorted(pair.glob("old.*"))[0]))
        new = load_spec(str(sorted(pair.glob("new.*"))[0]))
    except NotOpenAPIError:
        pytest.skip("not OpenAPI 3 (the Swagger 2.0 pair is rejected at load time)")
    options = DiffOptions(now=datetime.date(2026, 11, 26), positions=False, include_docs=True)
    report = diff(old, new, options=options)
    assert len(report) > 0
    dangling = [(c.id, side, ptr) for c in report
                for side, doc, ptr in (("base", old.data, c.location.base),
                                       ("revision", new.data, c.location.revision))
                if ptr is not None and not resolves(doc, ptr)]
    assert dangling == []
