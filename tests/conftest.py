"""Shared test fixtures: where the shared corpus is, and a helper to run the CLI in-process."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
CORPUS = SHARED / "corpus"
ORACLE = SHARED / "oracle" / "oasdiff"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def require_corpus() -> Path:
    """The shared corpus directory, or skip: a user's clone has no ../shared."""
    if not CORPUS.is_dir():
        pytest.skip(f"{CORPUS} not present (a user's clone has no ../shared); corpus tests need it")
    return CORPUS


@pytest.fixture
def corpus() -> Path:
    return require_corpus()


@pytest.fixture(autouse=True)
def _isolated_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Validation verdicts are cached by content hash; keep tests from sharing the user's cache."""
    monkeypatch.setenv("CONTRACTSYNC_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "cache"))
