"""A frontend laid out as create-vue scaffolds it: ``tsconfig.json`` is a solution file
(``"files": []`` plus ``references`` to ``tsconfig.app.json`` and ``tsconfig.node.json``) and the
project's own check is ``vue-tsc --build``. ``tsc --noEmit`` on the solution file checks no file
and exits 0, so impact said "0 changes break the frontend" whatever changed (#10, found on
Blaxzter/fastapi-vue-fullstack-template). Each referenced project is now checked with ``-p``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest

from contractsync.impact.frontend import load_frontend, solution_projects
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


OLD, NEW = _spec({"type": "integer"}), _spec({"type": "string", "format": "uuid"})

APP = """\
import type { ItemPublic } from "@/api/types";

export function next(item: ItemPublic): number {
  return item.id + 1;
}
"""

#: create-vue's files, comments and trailing commas included (tsconfig files are JSONC).
SOLUTION = """\
{
  // a solution file: checks nothing itself
  "files": [],
  "references": [
    { "path": "./tsconfig.node.json" },
    { "path": "./tsconfig.app.json" },
  ],
}
"""


@pytest.fixture
def frontend(tmp_path: Path) -> Path:
    require_tsc()
    fe = tmp_path / "web"
    (fe / "src" / "api").mkdir(parents=True)
    (fe / "node_modules").symlink_to(NODE_MODULES, target_is_directory=True)
    (fe / "package.json").write_text(json.dumps({"name": "web", "private": True,
                                                 "devDependencies": {"typescript": "*"}}))
    (fe / "tsconfig.json").write_text(SOLUTION)
    options = {"strict": True, "noEmit": True, "target": "es2022", "module": "esnext",
               "moduleResolution": "bundler", "lib": ["es2022"], "types": [], "skipLibCheck": True}
    # The project's own build info lives in the (linked, shared) node_modules: never written.
    info = f"./node_modules/.tmp/{uuid.uuid4().hex}.tsbuildinfo"
    (fe / "tsconfig.app.json").write_text(json.dumps({"include": ["src"], "compilerOptions": {
        **options, "composite": True, "tsBuildInfoFile": info,
        "paths": {"@/*": ["./src/*"]}}}))
    (fe / "tsconfig.node.json").write_text(json.dumps({"include": ["vite.config.ts"],
                                                      "compilerOptions": {**options, "composite": True}}))
    (fe / "vite.config.ts").write_text("export default {};\n")
    (fe / "contractsync.toml").write_text('[pull]\nsource = "x"\ntypes = "src/api/types.ts"\n')
    (fe / "src" / "api" / "types.ts").write_text(to_typescript(OLD))
    (fe / "src" / "app.ts").write_text(APP)
    (tmp_path / "old.json").write_text(json.dumps(OLD))
    (tmp_path / "new.json").write_text(json.dumps(NEW))
    return fe


def test_the_referenced_projects_are_found(frontend: Path) -> None:
    assert solution_projects(frontend) == ("tsconfig.node.json", "tsconfig.app.json")
    assert load_frontend(frontend).projects == ("tsconfig.node.json", "tsconfig.app.json")
    # A tsconfig that lists its own files (or includes) is checked as it is.
    (frontend / "tsconfig.json").write_text('{"include": ["src"], "references": [{"path": "./tsconfig.app.json"}]}')
    assert solution_projects(frontend) == ()
    # A file this reader cannot parse is left to the compiler, which reports it as it does.
    (frontend / "tsconfig.json").write_text('{"files": [], "references": [')
    assert solution_projects(frontend) == ()


def test_a_solution_tsconfig_is_checked_project_by_project(frontend: Path) -> None:
    info = json.loads((frontend / "tsconfig.app.json").read_text())["compilerOptions"]["tsBuildInfoFile"]
    env = {**os.environ, "CONTRACTSYNC_CACHE_DIR": str(frontend.parent / "cache")}
    result = subprocess.run([sys.executable, "-m", "contractsync", "impact", "--frontend", "web",
                             "old.json", "new.json", "-f", "json"], cwd=frontend.parent,
                            capture_output=True, text=True, env=env, timeout=300)
    assert result.returncode == 1, result.stdout + result.stderr
    data = json.loads(result.stdout)
    places = {(e["file"], e["line"]) for c in data["changes"] for e in c["frontend_errors"]}
    assert places == {("src/app.ts", 4)}
    assert "-p tsconfig.app.json" in " ".join(data["command"])
    assert not (NODE_MODULES / info.removeprefix("./node_modules/")).exists()
