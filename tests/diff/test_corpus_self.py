"""Every real document in the shared corpus diffs against itself to nothing, and every corpus
pair diffs without error (the pair-specific "known changes" live with the CLI tests)."""

from __future__ import annotations

from pathlib import Path

import pytest

from contractsync.diff import diff
from contractsync.errors import NotOpenAPIError
from contractsync.spec import load_spec

from ..conftest import CORPUS, require_corpus

_FILES = sorted(p for p in CORPUS.glob("*/*") if p.is_file() and p.suffix in (".json", ".yaml")) + \
    sorted(p for p in CORPUS.glob("pairs/*/*") if p.is_file()) if CORPUS.is_dir() else []
_PAIRS = sorted(p for p in CORPUS.glob("pairs/*") if p.is_dir()) if CORPUS.is_dir() else []
_SLOW = {"github-ghes-3.6.yaml", "stripe-spec3-2023-09.yaml"}


def _id(p: Path) -> str:
    return f"{p.parent.name}/{p.name}"


@pytest.mark.parametrize("path", [pytest.param(p, marks=pytest.mark.slow) if p.name in _SLOW
                                  or p.parent.name in ("github-api", "openai-3.1-large") else p
                                  for p in _FILES], ids=_id)
def test_self_diff_is_empty(path: Path) -> None:
    require_corpus()
    try:
        document = load_spec(str(path))
    except NotOpenAPIError:
        pytest.skip("not OpenAPI 3 (the Swagger 2.0 pair is rejected at load time)")
    report = diff(document, document)
    assert list(report) == []
    assert report.warnings == []


@pytest.mark.parametrize("pair", [pytest.param(p, marks=pytest.mark.slow)
                                  if p.name in ("github-api", "openai-3.1-large") else p
                                  for p in _PAIRS], ids=lambda p: p.name)
def test_pair_diffs_without_error(pair: Path) -> None:
    require_corpus()
    old, new = sorted(pair.glob("old.*"))[0], sorted(pair.glob("new.*"))[0]
    try:
        a, b = load_spec(str(old)), load_spec(str(new))
    except NotOpenAPIError:
        pytest.skip("not OpenAPI 3 (the Swagger 2.0 pair is rejected at load time)")
    report = diff(a, b)
    assert len(report) > 0
    fingerprints = [c.fingerprint for c in report]
    assert len(fingerprints) == len(set(fingerprints))
    again = diff(a, b)
    assert [c.to_dict() for c in again] == [c.to_dict() for c in report]


def test_large_github_pair_is_collapsed() -> None:
    corpus = require_corpus()
    a = load_spec(str(corpus / "large" / "github-octokit-22.0.0.json"))
    b = load_spec(str(corpus / "large" / "github-octokit-23.0.2.json"))
    report = diff(a.data, b.data)  # plain dicts: the engine alone (timed in benchmarks/bench_diff.py)
    assert 0 < len(report) < 2000
    shared = [c for c in report if c.location.subject.startswith("components.")]
    assert any(len(c.operations) > 1 for c in shared)
