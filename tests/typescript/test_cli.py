"""``contractsync generate typescript|python`` end to end, through the real CLI entry point."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pydantic
import pytest

from contractsync.cli import main
from contractsync.pymodels import to_python
from contractsync.spec import load_spec
from contractsync.spec.source import AppSource

from ..conftest import REPO

EXAMPLE_APP_DIR = REPO / "examples" / "bookshop" / "v1"

SPEC: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {"title": "Mini", "version": "0.3.0"},
    "paths": {
        "/items": {
            "post": {
                "operationId": "createItem",
                "requestBody": {"required": True, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Item"}}}},
                "responses": {"201": {"description": "Created", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Item"}}}}},
            }
        }
    },
    "components": {
        "schemas": {
            "Item": {
                "type": "object",
                "properties": {
                    "name": {"type": "string"},
                    "qty": {"type": "integer", "default": 1},
                    "color": {"type": "string", "enum": ["red", "blue"]},
                },
                "required": ["name"],
            }
        }
    },
}


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project with a stored contract and a configured frontend path; cwd is its root."""
    (tmp_path / "pyproject.toml").write_text(
        '[tool.contractsync]\ncontracts_dir = "api"\nfrontend_types = "web/src/api/types.ts"\n'
    )
    (tmp_path / "api").mkdir()
    (tmp_path / "api" / "openapi.json").write_text(json.dumps(SPEC))
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_default_targets_are_the_contract_dir_and_the_frontend(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["generate", "typescript"]) == 0
    first = (project / "api" / "types.ts").read_text()
    assert (project / "web" / "src" / "api" / "types.ts").read_text() == first
    assert " * Mini — version 0.3.0\n" in first
    err = capsys.readouterr().err
    assert "wrote api/types.ts" in err and "wrote web/src/api/types.ts" in err


def test_unresolvable_ref_is_refused_like_diff_does(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """#13: a $ref to nothing is a one-line error naming its place, as in diff and check."""
    spec = project / "api" / "openapi.json"
    data = json.loads(spec.read_text())
    data["components"]["schemas"]["Item"]["properties"]["ref"] = {"$ref": "#/components/schemas/Missing"}
    spec.write_text(json.dumps(data))
    assert main(["generate", "typescript"]) == 2
    err = capsys.readouterr().err
    assert "/components/schemas/Item/properties/ref: $ref '#/components/schemas/Missing' points to nothing" in err
    assert not (project / "api" / "types.ts").exists()


def test_check_passes_when_current_and_fails_when_stale(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = project / "out.ts"
    assert main(["generate", "typescript", "api/openapi.json", "-o", str(target)]) == 0
    assert main(["generate", "typescript", "api/openapi.json", "-o", str(target), "--check"]) == 0
    assert "is current" in capsys.readouterr().out
    target.write_text(target.read_text() + "// edited\n")
    before = target.read_text()
    assert main(["generate", "typescript", "api/openapi.json", "-o", str(target), "--check"]) == 1
    assert target.read_text() == before  # --check never writes
    assert "is stale" in capsys.readouterr().out
    assert main(["generate", "typescript", "api/openapi.json", "-o", str(project / "absent.ts"), "--check"]) == 1


def test_flags_change_the_output(project: Path) -> None:
    assert main(["generate", "typescript", "-o", "plain.ts"]) == 0
    assert main(["generate", "typescript", "-o", "styled.ts", "--export-type", "--enum", "--no-aliases"]) == 0
    plain, styled = (project / "plain.ts").read_text(), (project / "styled.ts").read_text()
    assert "export interface paths" in plain and "export type Item =" in plain
    assert "export type paths = {" in styled and "export type Item =" not in styled
    assert "export enum ItemColor {" in styled


def test_config_table_sets_options(project: Path) -> None:
    (project / "pyproject.toml").write_text(
        '[tool.contractsync]\ncontracts_dir = "api"\n[tool.contractsync.typescript]\nexport_type = true\n'
    )
    assert main(["generate", "typescript", "-o", "cfg.ts"]) == 0
    assert "export type paths = {" in (project / "cfg.ts").read_text()
    assert main(["generate", "typescript", "-o", "flag.ts", "--no-export-type"]) == 0
    assert "export interface paths" in (project / "flag.ts").read_text()


def test_stdout(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["generate", "typescript", "api/openapi.json", "-o", "-"]) == 0
    assert capsys.readouterr().out.startswith("/**\n * Generated by contractsync")


def test_bad_input_exits_2(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (project / "swagger.json").write_text(json.dumps({"swagger": "2.0", "info": {}, "paths": {}}))
    assert main(["generate", "typescript", "swagger.json", "-o", "x.ts"]) == 2
    assert "Swagger 2.0" in capsys.readouterr().err
    assert not (project / "x.ts").exists()


@pytest.mark.parametrize("command", ["typescript", "python"])
def test_help_has_an_example(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["generate", command, "--help"]) == 0
    assert "Example: contractsync generate " + command in " ".join(capsys.readouterr().out.split())


# --- Python models ----------------------------------------------------------------------------


def _import(path: Path, name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    finally:
        del sys.modules[name]
    return module


def test_python_models_cli_and_check(project: Path) -> None:
    assert main(["generate", "python", "-o", "models.py"]) == 0
    text = (project / "models.py").read_text()
    assert text.startswith("# Generated by contractsync from the OpenAPI contract\n# Mini — version 0.3.0\n")
    assert main(["generate", "python", "-o", "models.py", "--check"]) == 0
    models = _import(project / "models.py", "contractsync_test_mini_models")
    item = models.Item.model_validate({"name": "x"})
    assert item.qty == 1
    with pytest.raises(pydantic.ValidationError):
        models.Item.model_validate({"qty": 2})


@pytest.fixture(scope="module")
def bookshop_models(tmp_path_factory: pytest.TempPathFactory) -> ModuleType:
    doc = load_spec(AppSource("bookshop.main:app", app_dir=EXAMPLE_APP_DIR))
    path = tmp_path_factory.mktemp("models") / "bookshop_models.py"
    text = to_python(doc)
    assert to_python(doc) == text  # deterministic
    path.write_text(text)
    return _import(path, "contractsync_test_bookshop_models")


def test_python_models_validate_the_example_apps_payloads(bookshop_models: ModuleType) -> None:
    book = bookshop_models.BookInput.model_validate(
        {"title": "Dune", "isbn": "9780441013593", "author": {"id": 1}, "genre": "science_fiction",
         "price": {"amount": "9.99"}}
    )
    assert book.in_stock is True  # the default is filled in
    with pytest.raises(pydantic.ValidationError):
        bookshop_models.BookInput.model_validate({"title": "No ISBN", "author": {"id": 1}, "genre": "poetry",
                                                   "price": {"amount": 1}})
    with pytest.raises(pydantic.ValidationError):
        bookshop_models.BookInput.model_validate({"title": "x", "isbn": "9780441013593", "author": {"id": 1},
                                                   "genre": "cooking", "price": {"amount": 1}})
