"""Values prove types: what a real FastAPI + pydantic v2 app sends and accepts must type-check
against the generated types, and what it rejects for a reason TypeScript can express must not
(see :mod:`tests.typescript.apps.values` for the probes and how they are judged)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from contractsync.typescript import TypeScriptOptions, TypeScriptWarning, to_typescript

from ._tsc import require_tsc
from .apps import values

pytestmark = pytest.mark.tsc


@pytest.fixture(scope="module", params=[False, True], ids=["separate-schemas", "one-schema-per-model"])
def calls(request: pytest.FixtureRequest) -> tuple[dict[str, object], list[values.Probe]]:
    return values.run_calls(merged=request.param)


@pytest.mark.parametrize(
    "options",
    [TypeScriptOptions(), TypeScriptOptions(immutable=True, export_type=True, alphabetize=True),
     TypeScriptOptions(enum=True)],
    ids=["default", "immutable", "enum"],
)
def test_real_values_type_check_and_rejected_ones_do_not(
    tmp_path: Path, calls: tuple[dict[str, object], list[values.Probe]], options: TypeScriptOptions
) -> None:
    """Both ways FastAPI publishes models: ``-Input``/``-Output`` (the default) and one schema per
    model (``separate_input_output_schemas=False``)."""
    require_tsc()
    doc, probes = calls
    warnings: list[TypeScriptWarning] = []
    text = to_typescript(json.loads(json.dumps(doc)), options, warn=warnings.append)
    result = values.check(text, probes, tmp_path, enums=options.enum)
    assert result.other_errors == []
    assert result.wrong() == []
    assert warnings == []
    # The harness itself: every kind is exercised, and every rejection is decided (its base value
    # compiles), so the rejections are caused by the mutation and not by something else.
    assert result.count("request-invalid", "undecided") == 0
    for kind, outcome in (("response", "accepted"), ("request-valid", "accepted"), ("request-invalid", "rejected")):
        assert result.count(kind, outcome) >= 20, (kind, result.outcomes.keys())


def test_judge_attributes_errors_to_lines(tmp_path: Path) -> None:
    """The judge, without a compiler: an error on a must-compile line is a defect, a missing error
    on a rejected line is a defect, and a rejection whose base fails too is undecided."""
    probes = [
        values.Probe("ok", "response", "number", "1", 200),
        values.Probe("bad", "request-valid", "number", "1", 200),
        values.Probe("caught", "request-invalid", "number", "1", 422, base="bad"),
        values.Probe("missed", "request-invalid", "number", "1", 422, base="ok"),
        values.Probe("limit", "request-limit", "number", "1", 422),
    ]
    probe_file = tmp_path / "probes.ts"
    where = values.write_probe_file(probe_file, probes)
    line = {p.label: n for n, p in where.items()}
    output = "".join(f"probes.ts({line[x]},7): error TS2322: nope\n" for x in ("bad", "caught"))
    verdict = values.judge(output + "other.ts(1,1): error TS1: elsewhere\n", probe_file, where)
    assert verdict.count("response", "accepted") == 1
    assert verdict.count("request-valid", "REJECTED") == 1
    assert verdict.count("request-invalid", "undecided") == 1
    assert verdict.count("request-invalid", "COMPILES") == 1
    assert verdict.count("request-limit", "compiles") == 1
    assert len(verdict.wrong()) == 2
    assert verdict.other_errors == ["other.ts(1,1): error TS1: elsewhere"]
