"""Fixtures for the pull/publish tests: the bookshop contracts v1 and v2 as files."""

from __future__ import annotations

from pathlib import Path

import pytest

from contractsync.spec.canonical import canonical_json
from contractsync.spec.source import AppSource, load_spec

from ._helpers import BOOKSHOP, REPO


@pytest.fixture(scope="session")
def v1_spec() -> Path:
    """The stored bookshop contract (the v1 app's export)."""
    return REPO / "contracts" / "openapi.json"


@pytest.fixture(scope="session")
def v2_spec(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The v2 bookshop app's contract, exported once per session."""
    doc = load_spec(AppSource("bookshop.main:app", app_dir=BOOKSHOP / "v2"))
    path = tmp_path_factory.mktemp("v2") / "openapi.json"
    path.write_bytes(canonical_json(doc.data))
    return path
