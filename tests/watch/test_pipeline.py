"""One rebuild without processes: a scripted exporter feeds the pipeline."""

from __future__ import annotations

import copy
import os
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from contractsync.spec.canonical import canonical_json
from contractsync.watch.pipeline import Builder, Output, RebuildResult
from contractsync.watch.render import rebuild_event, status_lines
from contractsync.watch.worker import ExportOutcome

SPEC: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {"title": "Pets", "version": "1"},
    "paths": {
        "/pets/{id}": {"get": {
            "operationId": "get_pet",
            "parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}],
            "responses": {"200": {"description": "ok", "content": {"application/json": {
                "schema": {"$ref": "#/components/schemas/Pet"}}}}},
        }},
    },
    "components": {"schemas": {"Pet": {
        "type": "object", "required": ["id", "name"],
        "properties": {"id": {"type": "integer"}, "name": {"type": "string"}},
    }}},
}


class Scripted:
    """An exporter that returns the outcomes it was given, one per call."""

    def __init__(self, *outcomes: ExportOutcome) -> None:
        self.outcomes = list(outcomes)

    def export(self, changed: object = ()) -> ExportOutcome:
        return self.outcomes.pop(0)


def ok(spec: dict[str, Any]) -> ExportOutcome:
    return ExportOutcome("ok", spec=copy.deepcopy(spec), ms=1.0)


def without_name(spec: dict[str, Any]) -> dict[str, Any]:
    changed = copy.deepcopy(spec)
    pet = changed["components"]["schemas"]["Pet"]
    del pet["properties"]["name"]
    pet["required"] = ["id"]
    return changed


def builder(tmp_path: Path, exporter: Scripted, *names: str) -> Builder:
    outputs = [Output.for_path(tmp_path / n) for n in names]
    return Builder(exporter, outputs, tmp_path / "contracts" / "openapi.json", source_name="app t")  # type: ignore[arg-type]


def test_output_kind_follows_the_suffix() -> None:
    assert Output.for_path(Path("a/types.ts")).kind == "typescript"
    assert Output.for_path(Path("a/api.d.ts")).kind == "typescript"
    assert Output.for_path(Path("a/openapi.JSON")).kind == "openapi"


def test_writes_types_and_canonical_json_then_skips_when_unchanged(tmp_path: Path) -> None:
    b = builder(tmp_path, Scripted(ok(SPEC), ok(SPEC)), "web/types.ts", "web/openapi.json")
    first = b.rebuild(["(start)"])
    assert first.ok and first.spec_changed
    assert first.written == [tmp_path / "web/types.ts", tmp_path / "web/openapi.json"]
    assert (tmp_path / "web/openapi.json").read_bytes() == canonical_json(SPEC)
    assert "export interface paths" in (tmp_path / "web/types.ts").read_text()
    assert first.operations == 1 and first.contract is None and first.report is None
    mtime = (tmp_path / "web/types.ts").stat().st_mtime_ns

    second = b.rebuild(["x.py"])
    assert second.ok and not second.spec_changed
    assert second.written == [] and len(second.unchanged) == 2
    assert (tmp_path / "web/types.ts").stat().st_mtime_ns == mtime


def test_an_output_removed_behind_our_back_is_rewritten(tmp_path: Path) -> None:
    b = builder(tmp_path, Scripted(ok(SPEC), ok(SPEC)), "types.ts")
    b.rebuild(["(start)"])
    (tmp_path / "types.ts").unlink()
    again = b.rebuild(["x.py"])
    assert again.written == [tmp_path / "types.ts"]


def test_failed_export_leaves_outputs_alone(tmp_path: Path) -> None:
    failure = ExportOutcome("error", message="importing 'x' failed: SyntaxError", where="x.py:3")
    b = builder(tmp_path, Scripted(ok(SPEC), failure), "types.ts")
    b.rebuild(["(start)"])
    before = (tmp_path / "types.ts").read_bytes()
    result = b.rebuild(["x.py"])
    assert not result.ok and result.written == []
    assert (tmp_path / "types.ts").read_bytes() == before
    event = rebuild_event(result)
    assert event["error"] == {"kind": "error", "message": failure.message, "where": "x.py:3",
                              "traceback": "", "output": ""}
    assert "export failed: x.py:3: importing 'x' failed: SyntaxError" in status_lines(result)[0]


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write read-only directories")
def test_unwritable_output_is_an_error_not_an_exception(tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        result = builder(tmp_path, Scripted(ok(SPEC)), "locked/types.ts", "types.ts").rebuild(["x"])
    finally:
        locked.chmod(0o700)
    assert not result.ok
    assert [e.path for e in result.errors] == [tmp_path / "locked/types.ts"]
    assert result.written == [tmp_path / "types.ts"]


def test_output_under_a_file_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "blocker").write_text("")
    result = builder(tmp_path, Scripted(ok(SPEC)), "blocker/types.ts", "types.ts").rebuild(["x"])
    assert not result.ok
    assert [e.path for e in result.errors] == [tmp_path / "blocker/types.ts"]
    assert "cannot write" in status_lines(result)[1]


def test_unreadable_contract_is_reported(tmp_path: Path) -> None:
    contract = tmp_path / "contracts" / "openapi.json"
    contract.parent.mkdir()
    contract.write_text("{ not json")
    result = builder(tmp_path, Scripted(ok(SPEC)), "types.ts").rebuild(["x"])
    assert result.export.ok and result.written == [tmp_path / "types.ts"]
    assert result.contract == contract and result.report is None
    assert result.contract_error is not None and "cannot read the stored contract" in result.contract_error
    assert contract.read_text() == "{ not json"


def test_diff_against_the_stored_contract(tmp_path: Path) -> None:
    contract = tmp_path / "contracts" / "openapi.json"
    contract.parent.mkdir()
    contract.write_bytes(canonical_json(SPEC))
    b = builder(tmp_path, Scripted(ok(SPEC), ok(without_name(SPEC)), ok(without_name(SPEC))), "types.ts")
    same = b.rebuild(["(start)"])
    assert same.report is not None and len(same.report) == 0
    changed = b.rebuild(["models.py"])
    assert changed.report is not None and changed.report.breaking
    assert any("GET /pets/{id}" in c.operations for c in changed.report.breaking)
    line = "\n".join(status_lines(changed))
    assert "breaking" in line and "GET /pets/{id}" in line
    event = rebuild_event(changed)
    assert event["counts"]["breaking"] >= 1
    assert all(isinstance(c["fingerprint"], str) for c in event["changes"])
    # The contract changed on disk (someone ran `accept`): the next rebuild compares with it.
    contract.write_bytes(canonical_json(without_name(SPEC)))
    accepted = b.rebuild(["contracts/openapi.json"])
    assert accepted.report is not None and len(accepted.report) == 0
    assert contract.read_bytes() == canonical_json(without_name(SPEC))


def test_status_line_for_a_good_rebuild(tmp_path: Path) -> None:
    result = builder(tmp_path, Scripted(ok(SPEC)), "types.ts").rebuild(["(start)"])
    (line,) = status_lines(result)
    assert "✓" in line and f"wrote {tmp_path / 'types.ts'}" in line
    assert "1 operations" in line and "no stored contract yet" in line


def test_rebuild_event_is_json_ready(tmp_path: Path) -> None:
    import json

    from contractsync.watch.render import json_line

    result = RebuildResult(started=datetime.now().astimezone(), trigger=["a.py"],
                           export=ExportOutcome("timeout", message="too slow", output="hi"))
    event = json.loads(json_line(rebuild_event(result)))
    assert event["ok"] is False and event["error"]["kind"] == "timeout"
    assert event["error"]["output"] == "hi" and event["counts"] is None


def test_traceback_shown_without_import_machinery_frames() -> None:
    from pathlib import Path as P

    from contractsync.watch.render import user_traceback

    ours = P(__file__).resolve().parents[2] / "contractsync" / "spec" / "export.py"
    text = (
        "Traceback (most recent call last):\n"
        f'  File "{ours}", line 131, in run_export\n'
        "    module = importlib.import_module(module_name)\n"
        '  File "<frozen importlib._bootstrap>", line 1176, in _find_and_load\n'
        '  File "/proj/shop/main.py", line 3, in <module>\n'
        "    from .models import Pet\n"
        '  File "/proj/shop/models.py", line 9\n'
        "    class Pet(BaseModel)\n"
        "                        ^\n"
        "SyntaxError: expected ':'\n"
    )
    assert user_traceback(text) == [
        "Traceback (most recent call last):",
        '  File "/proj/shop/main.py", line 3, in <module>',
        "    from .models import Pet",
        '  File "/proj/shop/models.py", line 9',
        "    class Pet(BaseModel)",
        "                        ^",
        "SyntaxError: expected ':'",
    ]


def test_diff_settings_apply_as_in_contractsync_diff(tmp_path: Path) -> None:
    """Per-rule levels from [tool.contractsync.diff] shape the watcher's verdict too."""
    from contractsync.diff.settings import DiffConfig

    contract = tmp_path / "contracts" / "openapi.json"
    contract.parent.mkdir()
    contract.write_bytes(canonical_json(SPEC))
    plain = builder(tmp_path, Scripted(ok(without_name(SPEC))), "a.ts").rebuild(["x"])
    assert plain.report is not None
    ids = {c.id for c in plain.report.breaking}
    assert ids
    quiet = Builder(Scripted(ok(without_name(SPEC))), [Output.for_path(tmp_path / "b.ts")],  # type: ignore[arg-type]
                    contract, source_name="app t",
                    diff_config=DiffConfig(levels={rule: "off" for rule in ids}))
    result = quiet.rebuild(["x"])
    assert result.report is not None and not result.report.breaking


def test_status_lists_possibly_breaking_changes_by_rule_and_operation(tmp_path: Path) -> None:
    """Warnings are listed like breaking changes, not only counted (#12)."""
    contract = tmp_path / "contracts" / "openapi.json"
    contract.parent.mkdir()
    with_query = copy.deepcopy(SPEC)
    with_query["paths"]["/pets/{id}"]["get"]["parameters"].append(
        {"name": "verbose", "in": "query", "required": False, "schema": {"type": "boolean"}})
    contract.write_bytes(canonical_json(with_query))
    result = builder(tmp_path, Scripted(ok(SPEC)), "types.ts").rebuild(["models.py"])
    assert result.report is not None
    text = "\n".join(status_lines(result))
    assert "possibly breaking" in text
    line = next(line for line in status_lines(result) if "request-parameter-removed" in line)
    assert "possibly breaking" in line and "GET /pets/{id}" in line
