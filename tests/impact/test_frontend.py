"""A frontend directory: its types file, its type-check command, the throwaway copy."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from contractsync.errors import InputError
from contractsync.impact.frontend import copy_frontend, detect_command, find_types, load_frontend


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


@pytest.mark.parametrize(("files", "expected"), [
    ({"contractsync.toml": '[pull]\ntypes = "src/api/types.ts"\n[pull.typescript]\nenum = true\n'},
     ("src/api/types.ts", {"enum": True})),
    ({"contractsync.lock": json.dumps({"lock_version": 1, "outputs": {
        "src/api/openapi.json": "sha256:1", "src/gen/api.ts": "sha256:2"}})},
     ("src/gen/api.ts", {})),
    ({"contractsync.toml": '[pull]\nsource = "x"\n',
      "contractsync.lock": json.dumps({"outputs": {"b.ts": "sha256:1"}})}, ("b.ts", {})),
    ({}, (None, {})),
], ids=["toml", "lock", "toml without types falls back to the lock", "neither"])
def test_find_types(tmp_path: Path, files: dict[str, str], expected: tuple[object, object]) -> None:
    for name, text in files.items():
        _write(tmp_path / name, text)
    assert find_types(tmp_path) == expected


@pytest.mark.parametrize(("deps", "expected"), [
    ({"devDependencies": {"vue-tsc": "3", "typescript": "5"}}, ["vue-tsc", "--noEmit"]),
    ({"dependencies": {"typescript": "5"}}, ["tsc", "--noEmit"]),
    ({"dependencies": {"vue": "3"}}, None),
])
def test_detect_command(tmp_path: Path, deps: dict[str, object], expected: list[str] | None) -> None:
    _write(tmp_path / "package.json", json.dumps(deps))
    if expected is None:
        with pytest.raises(InputError, match="--typecheck-cmd"):
            detect_command(tmp_path)
    else:
        assert detect_command(tmp_path) == (expected, True)


@pytest.mark.parametrize(("types", "message"), [("../outside.ts", "inside the frontend"),
                                               ("/abs/types.ts", "inside the frontend")])
def test_types_must_stay_inside(tmp_path: Path, types: str, message: str) -> None:
    _write(tmp_path / "package.json", json.dumps({"devDependencies": {"typescript": "5"}}))
    with pytest.raises(InputError, match=message):
        load_frontend(tmp_path, types=types)


def test_bad_inputs_are_one_line_errors(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such directory"):
        load_frontend(tmp_path / "missing")
    _write(tmp_path / "contractsync.toml", "[pull\n")
    with pytest.raises(InputError, match="invalid TOML"):
        load_frontend(tmp_path)


def test_copy_skips_build_output_and_links_node_modules(tmp_path: Path) -> None:
    src = tmp_path / "web"
    for name in ("src/a.ts", "dist/a.js", ".git/HEAD", "node_modules/x/index.js",
                 "packages/ui/node_modules/y/index.js", "packages/ui/src/b.ts"):
        _write(src / name, "x")
    dest = tmp_path / "copy"
    copy_frontend(src, dest)
    assert (dest / "src" / "a.ts").is_file() and (dest / "packages" / "ui" / "src" / "b.ts").is_file()
    assert not (dest / "dist").exists() and not (dest / ".git").exists()
    for nm in ("node_modules", "packages/ui/node_modules"):
        assert (dest / nm).is_symlink() and (dest / nm).resolve() == (src / nm).resolve()
