"""``pull --update --frontend DIR``: the update report names the frontend's places each change
breaks, by type-checking it with the locked and the new types (``contractsync.impact``)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from ..typescript._tsc import NODE_MODULES, require_tsc
from ._helpers import cli

APP = """\
import type { Author, Review, paths } from "./api/types";

export function label(a: Author): string {
  return `${a.name} (${a.book_count} books)`;
}

export function shout(r: Review): string {
  return r.reviewer.toUpperCase();
}

export type OneAuthor = paths["/authors/{author_id}"]["get"];
"""


def test_update_names_the_broken_places(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                        capsys: pytest.CaptureFixture[str], v1_spec: Path, v2_spec: Path) -> None:
    require_tsc()
    source = tmp_path / "backend" / "openapi.json"
    source.parent.mkdir()
    shutil.copy(v1_spec, source)
    web = tmp_path / "web"
    (web / "src").mkdir(parents=True)
    (web / "node_modules").symlink_to(NODE_MODULES, target_is_directory=True)
    (web / "package.json").write_text(json.dumps({"name": "web", "private": True,
                                                  "devDependencies": {"typescript": "*"}}))
    (web / "tsconfig.json").write_text(json.dumps({"compilerOptions": {
        "strict": True, "noEmit": True, "target": "es2022", "module": "esnext", "moduleResolution": "bundler",
        "lib": ["es2022"], "types": [], "skipLibCheck": True}, "include": ["src"]}))
    (web / "contractsync.toml").write_text(f'[pull]\nsource = "{source}"\ntypes = "src/api/types.ts"\n')
    (web / "src" / "app.ts").write_text(APP)
    env: dict[str, str | None] = {"CONTRACTSYNC_CACHE_DIR": str(tmp_path / "cache")}
    assert cli(monkeypatch, capsys, web, "pull", env=env).code == 0

    shutil.copy(v2_spec, source)
    run = cli(monkeypatch, capsys, web, "pull", "--update", "--frontend", ".", env=env)
    assert run.code == 1, run.err
    impact = run.out[run.out.index("Frontend impact"):]
    assert "response-required-property-removed" in impact and "src/app.ts:4:" in impact
    assert "response-property-became-nullable" in impact and "src/app.ts:8:" in impact
    # Only the typescript profile sees the path parameter's rename; it is still named (#10).
    assert "api-path-parameter-renamed" in impact and "src/app.ts:11:" in impact
    assert "(parameter renamed) (typescript profile)" in impact  # a cause the update's own diff has not
    assert "3 changes break the frontend (1 file)" in impact
    assert "Breaking changes the frontend does not use:" in impact

    as_json = cli(monkeypatch, capsys, web, "pull", "--update", "--frontend", ".", "--format", "json", env=env)
    data = json.loads(as_json.out)
    assert data["summary"]["breaking"] == 9 and data["frontend"]["summary"]["files"] == 1

    only_update = cli(monkeypatch, capsys, web, "pull", "--frontend", ".", env=env)
    assert only_update.code == 2 and "--frontend applies to --update" in only_update.err
