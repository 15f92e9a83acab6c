"""A frontend that is one package of a JavaScript workspace (npm/yarn ``workspaces``, pnpm): its
tools and dependencies are hoisted to the workspace root's ``node_modules`` and its tsconfig
extends ``../../tsconfig.base.json``. The copy impact type-checks in used to hold the package
alone, so ``tsc`` was not found (or nothing above the package resolved) (#10)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from contractsync.impact.frontend import mirror_workspace, workspace_root
from contractsync.typescript import to_typescript
from tests.typescript._tsc import NODE_MODULES, require_tsc


def _spec(id_schema: dict[str, Any]) -> dict[str, Any]:
    return {
        "openapi": "3.1.0", "info": {"title": "Items", "version": "1.0.0"},
        "paths": {"/items": {"get": {"operationId": "list_items", "responses": {"200": {
            "description": "OK", "content": {"application/json": {"schema": {
                "$ref": "#/components/schemas/ItemPublic"}}}}}}}},
        "components": {"schemas": {"ItemPublic": {
            "type": "object", "required": ["id"], "properties": {"id": id_schema}}}},
    }


OLD, NEW = _spec({"type": "integer"}), _spec({"type": "string"})


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    require_tsc()
    ws = tmp_path / "mono"
    web = ws / "packages" / "web"
    (web / "src" / "api").mkdir(parents=True)
    (ws / "packages" / "shared").mkdir()
    (ws / "node_modules").symlink_to(NODE_MODULES, target_is_directory=True)  # hoisted
    (ws / "package.json").write_text(json.dumps({"name": "mono", "private": True,
                                                 "workspaces": ["packages/*"]}))
    (ws / "tsconfig.base.json").write_text(json.dumps({"compilerOptions": {
        "strict": True, "noEmit": True, "target": "es2022", "module": "esnext",
        "moduleResolution": "bundler", "lib": ["es2022"], "types": [], "skipLibCheck": True}}))
    (ws / "packages" / "shared" / "money.ts").write_text("export type Cents = number;\n")
    (web / "package.json").write_text(json.dumps({"name": "web", "devDependencies": {"typescript": "*"}}))
    (web / "tsconfig.json").write_text(json.dumps({"extends": "../../tsconfig.base.json",
                                                   "include": ["src"]}))
    (web / "contractsync.toml").write_text('[pull]\nsource = "x"\ntypes = "src/api/types.ts"\n')
    (web / "src" / "api" / "types.ts").write_text(to_typescript(OLD))
    (web / "src" / "app.ts").write_text(
        'import type { ItemPublic } from "./api/types";\n'
        'import type { Cents } from "../../shared/money";\n'
        "export const price = (i: ItemPublic): Cents => i.id * 100;\n")
    (tmp_path / "old.json").write_text(json.dumps(OLD))
    (tmp_path / "new.json").write_text(json.dumps(NEW))
    return ws


def test_the_workspace_around_the_package_is_linked(workspace: Path, tmp_path: Path) -> None:
    web = workspace / "packages" / "web"
    assert workspace_root(web) == workspace.resolve()
    place, linked = mirror_workspace(web, tmp_path / "copy")
    assert place == tmp_path / "copy" / "packages" / "web" and not place.exists()
    assert (tmp_path / "copy" / "node_modules").resolve() == NODE_MODULES.resolve()
    assert (tmp_path / "copy" / "packages" / "shared").is_symlink()
    assert {p.name for p in linked} == {"package.json", "tsconfig.base.json"}
    # A frontend on its own keeps the plain copy.
    assert workspace_root(workspace / "packages" / "shared") == workspace.resolve()
    (workspace / "package.json").write_text('{"name": "mono"}')
    assert workspace_root(web) is None


def test_impact_on_a_workspace_package(workspace: Path) -> None:
    before = {p: p.read_bytes() for p in workspace.rglob("*") if p.is_file() and "node_modules" not in p.parts}
    env = {**os.environ, "CONTRACTSYNC_CACHE_DIR": str(workspace.parent / "cache")}
    result = subprocess.run([sys.executable, "-m", "contractsync", "impact", "--frontend",
                             "mono/packages/web", "old.json", "new.json", "-f", "json"],
                            cwd=workspace.parent, capture_output=True, text=True, env=env, timeout=300)
    assert result.returncode == 1, result.stdout + result.stderr
    data = json.loads(result.stdout)
    assert data["summary"]["baseline_errors"] == 0  # the base config and the shared package resolved
    places = {(e["file"], e["line"]) for c in data["changes"] for e in c["frontend_errors"]}
    assert places == {("src/app.ts", 3)}
    after = {p: p.read_bytes() for p in workspace.rglob("*") if p.is_file() and "node_modules" not in p.parts}
    assert after == before
