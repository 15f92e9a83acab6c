"""Our ``components["schemas"][X]`` against openapi-typescript 7.13's, both ways, with tsc.

Slow (it runs Node twice per spec); it needs the peer pinned in benchmarks/peers/openapi-typescript
(``npm ci --prefix benchmarks/peers/openapi-typescript``). Every difference must be one of the
deliberate ones listed in docs/typescript.md.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

from ..conftest import REPO, require_corpus
from ._tsc import require_tsc

pytestmark = [pytest.mark.slow, pytest.mark.tsc]

SCRIPT = REPO / "benchmarks" / "compare_openapi_typescript.py"


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("compare_openapi_typescript", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize(
    "spec",
    ["fastapi/full-stack-fastapi-template.json", "fastapi/letta.json", "fastapi/prefect.json",
     "pairs/twilio-numbers-v1/new.json", "single/openai-openapi-3.1.json"],
)
def test_differences_from_openapi_typescript_are_deliberate(spec: str, tmp_path: Path) -> None:
    require_corpus()
    require_tsc()
    compare = _script()
    if not compare.PEER.exists():
        pytest.skip(f"{compare.PEER} missing: run `npm ci --prefix benchmarks/peers/openapi-typescript`")
    report = compare.compare(spec, tmp_path)
    assert report.error is None
    assert report.unexplained == []
    assert report.schemas > 0 and report.mutual > 0
    assert set(report.explained) <= set(compare.REASONS)
