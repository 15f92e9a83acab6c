"""Schema Object → TypeScript: the given/want table in ``cases.py``, in both views."""

from __future__ import annotations

import pytest

from contractsync.typescript.context import Context, TypeScriptWarning
from contractsync.typescript.schema import schema_type

from .cases import COMPONENTS, SCHEMA_CASES, Case


def render(case: Case, *, request: bool) -> tuple[str, list[TypeScriptWarning]]:
    """The type the emitter gives ``case.given`` at the top level of a component entry."""
    warnings: list[TypeScriptWarning] = []
    data = {
        "openapi": case.openapi,
        "info": {"title": "t", "version": "1"},
        "paths": {},
        "components": {"schemas": COMPONENTS},
    }
    ctx = Context(data=data, options=case.options, warn_callback=warnings.append)
    return schema_type(ctx, case.given, "#/given", request, "", True), warnings


@pytest.mark.parametrize("case", SCHEMA_CASES, ids=[c.id for c in SCHEMA_CASES])
def test_response_view(case: Case) -> None:
    got, warnings = render(case, request=False)
    assert got == case.want
    messages = [str(w) for w in warnings]
    for expected in case.warnings:
        assert any(expected in m and m.startswith("#/given") for m in messages), messages
    if not case.warnings:
        assert messages == []


@pytest.mark.parametrize("case", SCHEMA_CASES, ids=[c.id for c in SCHEMA_CASES])
def test_request_view(case: Case) -> None:
    got, _ = render(case, request=True)
    assert got == (case.want_request if case.want_request is not None else case.want)


def test_never_any() -> None:
    """Whatever goes wrong, the emitter widens to ``unknown``; ``any`` never appears."""
    for case in SCHEMA_CASES:
        for request in (False, True):
            got, _ = render(case, request=request)
            assert "any" not in got.replace("anyOf", "").split(), case.id
