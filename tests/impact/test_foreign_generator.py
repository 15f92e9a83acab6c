"""A frontend whose client another tool generates (openapi-ts's ``src/client``, openapi-typescript's
``.d.ts``): impact writes the contract where that tool reads it and runs the tool in the copy, so
the type-check sees the client the frontend really uses (#10, full-stack-fastapi-template).

The generator here is a small node script in the frontend, in the manner of openapi-ts: it reads
``openapi.json`` and writes one type per component schema *and* a service whose parameter types
are its own (not derived from the schema types), which is what made swapping only a types file
wrong: the regenerated service and the hand-written code must both be checked against NEW.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.typescript._tsc import NODE_MODULES, require_tsc

GENERATOR = r"""
import * as fs from "node:fs";
const spec = JSON.parse(fs.readFileSync("openapi.json", "utf8"));
const ts = (s) => s.type === "integer" || s.type === "number" ? "number" : s.type === "string" ? "string" : "unknown";
let types = "";
for (const [name, schema] of Object.entries(spec.components.schemas)) {
  const props = Object.entries(schema.properties).map(([p, s]) => `  ${p}: ${ts(s)};`).join("\n");
  types += `export type ${name} = {\n${props}\n};\n`;
}
let services = "export const ItemsService = {\n";
for (const [path, item] of Object.entries(spec.paths)) {
  for (const [method, op] of Object.entries(item)) {
    const params = (op.parameters || []).map((p) => `${p.name}: ${ts(p.schema)}`).join("; ");
    services += `  ${op.operationId}(data: { ${params} }): string { return "${method} ${path}" + JSON.stringify(data); },\n`;
  }
}
services += "};\n";
fs.mkdirSync("src/client", { recursive: true });
fs.writeFileSync("src/client/types.gen.ts", types);
fs.writeFileSync("src/client/services.gen.ts", services);
"""

APP = """\
import type { ItemPublic } from "./client/types.gen";
import { ItemsService } from "./client/services.gen";

export function remove(item: ItemPublic, confirm: (id: number) => boolean): string {
  if (!confirm(item.id)) return "kept";
  return ItemsService.delete_item({ item_id: item.id });
}
"""


def _spec(id_schema: dict[str, Any]) -> dict[str, Any]:
    param = {"name": "item_id", "in": "path", "required": True, "schema": id_schema}
    return {
        "openapi": "3.1.0", "info": {"title": "Items", "version": "1.0.0"},
        "paths": {"/items/{item_id}": {"delete": {
            "operationId": "delete_item", "parameters": [param],
            "responses": {"200": {"description": "OK", "content": {"application/json": {
                "schema": {"$ref": "#/components/schemas/ItemPublic"}}}}}}}},
        "components": {"schemas": {"ItemPublic": {
            "type": "object", "required": ["id", "title"],
            "properties": {"id": id_schema, "title": {"type": "string"}}}}},
    }


OLD = _spec({"type": "integer"})
NEW = _spec({"type": "string", "format": "uuid"})


@pytest.fixture
def frontend(tmp_path: Path) -> Path:
    return generated_client_frontend(tmp_path, GENERATOR, APP, OLD, NEW)


def _snapshot(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for p in root.rglob("*") if p.is_file() and "node_modules" not in p.parts}


def _impact(frontend: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "CONTRACTSYNC_CACHE_DIR": str(frontend.parent / "cache")}
    return subprocess.run([sys.executable, "-m", "contractsync", "impact", "--frontend", "web",
                           "old.json", "new.json", "-f", "json", *args], cwd=frontend.parent,
                          capture_output=True, text=True, env=env, timeout=300)


def _places(data: dict[str, Any]) -> set[tuple[str, int]]:
    return {(e["file"], e["line"]) for c in data["changes"] for e in c["frontend_errors"]}


def test_the_frontends_own_generator_runs_on_each_contract(frontend: Path) -> None:
    before = _snapshot(frontend)
    result = _impact(frontend, "--openapi", "openapi.json", "--generate-cmd", "node gen.mjs")
    assert result.returncode == 1, result.stderr
    data = json.loads(result.stdout)
    # Only the hand-written `confirm: (id: number)` breaks: the regenerated service takes the
    # new string id, so `delete_item({ item_id: item.id })` still compiles.
    assert _places(data) == {("src/app.ts", 5)}
    assert data["types"] is None and data["summary"]["baseline_errors"] == 0
    broken = {c["id"] for c in data["changes"] if c["frontend_errors"]}
    assert "response-property-type-changed" in broken
    assert _snapshot(frontend) == before  # openapi.json and src/client are the user's, untouched
    # The same settings from the frontend's contractsync.toml, and the cached baseline agrees.
    (frontend / "contractsync.toml").write_text(
        '[pull]\nsource = "../new.json"\nopenapi = "openapi.json"\n\n[impact]\ngenerate = "node gen.mjs"\n')
    for cached in (False, True):
        again = _impact(frontend)
        assert again.returncode == 1, again.stderr
        assert _places(json.loads(again.stdout)) == {("src/app.ts", 5)}
        assert json.loads(again.stdout)["baseline_cached"] is cached


def test_swapping_only_a_types_file_is_what_the_generator_avoids(frontend: Path) -> None:
    # Without the generator the copy keeps the old service (item_id: number), so the NEW types
    # file alone reports the service call as broken too, a break the real frontend never sees.
    (frontend / "src" / "api").mkdir()
    (frontend / "src" / "app.ts").write_text(APP.replace("./client/types.gen", "./api/types"))
    result = _impact(frontend, "--types", "src/api/types.ts")
    assert result.returncode == 1, result.stderr
    assert _places(json.loads(result.stdout)) == {("src/app.ts", 5), ("src/app.ts", 6)}


def test_a_contract_path_without_a_generator_is_refused(frontend: Path) -> None:
    result = _impact(frontend, "--openapi", "openapi.json")
    assert result.returncode == 2
    assert "nothing regenerates the frontend's types" in result.stderr
    assert "--generate-cmd" in result.stderr and "Traceback" not in result.stderr
    outside = _impact(frontend, "--openapi", "../openapi.json", "--generate-cmd", "node gen.mjs")
    assert outside.returncode == 2 and "--openapi" in outside.stderr


def test_a_failing_generator_is_an_input_error_naming_it(frontend: Path) -> None:
    (frontend / "gen.mjs").write_text('console.error("cannot read " + process.cwd() + "/openapi.json"); '
                                      'process.exit(3);\n')
    result = _impact(frontend, "--openapi", "openapi.json", "--generate-cmd", "node gen.mjs")
    assert result.returncode == 2
    line = result.stderr.strip().splitlines()[-1]
    # The path inside the throwaway copy is shown as the user's frontend.
    assert "generator 'node gen.mjs' failed (exit 3): cannot read web/openapi.json" in line
    assert "web" in line and "Traceback" not in result.stderr


def generated_client_frontend(tmp_path: Path, generator: str, app: str, old: dict[str, Any],
                              new: dict[str, Any]) -> Path:
    """``tmp_path/web``: a strict-tsc frontend (pinned tsc linked) whose ``src/app.ts`` is ``app``
    and whose client ``gen.mjs`` (``generator``) made from ``old``, committed as a project keeps
    it; ``tmp_path/old.json`` and ``new.json`` beside it."""
    require_tsc()
    fe = tmp_path / "web"
    (fe / "src").mkdir(parents=True)
    (fe / "node_modules").symlink_to(NODE_MODULES, target_is_directory=True)
    (fe / "package.json").write_text(json.dumps({"name": "web", "private": True, "type": "module",
                                                 "devDependencies": {"typescript": "*"}}))
    (fe / "tsconfig.json").write_text(json.dumps({"compilerOptions": {
        "strict": True, "noEmit": True, "target": "es2022", "module": "esnext",
        "moduleResolution": "bundler", "lib": ["es2022"], "types": [], "skipLibCheck": True},
        "include": ["src"]}))
    (fe / "gen.mjs").write_text(generator)
    (fe / "src" / "app.ts").write_text(app)
    (fe / "openapi.json").write_text(json.dumps(old))
    subprocess.run(["node", "gen.mjs"], cwd=fe, check=True, timeout=60)
    (tmp_path / "old.json").write_text(json.dumps(old))
    (tmp_path / "new.json").write_text(json.dumps(new))
    return fe
