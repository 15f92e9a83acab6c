"""What the warm worker pre-imports: the app's third-party modules, never the app's own."""

from __future__ import annotations

from pathlib import Path

from contractsync.watch.preload import (
    app_top_level,
    discover_third_party,
    imported_modules,
    local_names,
)


def test_imported_modules_reads_absolute_imports_anywhere() -> None:
    source = """
import os, json as j
from sqlalchemy.orm import Session
from . import sibling
from .models import Pet
try:
    import ujson
except ImportError:
    ujson = None

def lazy():
    import numpy.linalg
"""
    assert imported_modules(source) == {"os", "json", "sqlalchemy.orm", "ujson", "numpy.linalg"}


def test_imported_modules_of_unparsable_source_is_empty() -> None:
    assert imported_modules("def broken(:") == set()


def test_app_top_level() -> None:
    assert app_top_level("app.main:app") == "app"
    assert app_top_level("main:create_app") == "main"


def test_discover_excludes_the_project_and_orders_parents_first(tmp_path: Path) -> None:
    pkg = tmp_path / "shop"
    (pkg / "routers").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "main.py").write_text(
        "from __future__ import annotations\n"
        "import fastapi\nfrom shop.routers import items\nfrom settings import CONFIG\n"
        "import helpers\nfrom httpx import Client\n")
    (pkg / "routers" / "items.py").write_text("from sqlalchemy.orm import Session\nimport sqlalchemy\n")
    (tmp_path / "settings.py").write_text("CONFIG = {}\n")
    (tmp_path / "helpers").mkdir()
    (tmp_path / ".venv" / "lib").mkdir(parents=True)
    (tmp_path / ".venv" / "lib" / "junk.py").write_text("import should_not_be_seen\n")

    assert local_names(tmp_path, "shop.main:app") >= {"shop", "settings", "helpers"}
    assert ".venv" not in local_names(tmp_path, "shop.main:app")
    found = discover_third_party("shop.main:app", tmp_path)
    assert found == ["fastapi", "httpx", "sqlalchemy", "sqlalchemy.orm"]


def test_discover_single_module_app(tmp_path: Path) -> None:
    (tmp_path / "main.py").write_text("import yaml\nfrom fastapi import FastAPI\napp = FastAPI()\n")
    assert discover_third_party("main:app", tmp_path) == ["fastapi", "yaml"]


def test_discover_missing_app_is_empty(tmp_path: Path) -> None:
    assert discover_third_party("nowhere.main:app", tmp_path) == []


def test_discover_follows_the_projects_other_packages(tmp_path: Path) -> None:
    """`main.py` at the app dir importing `routers/` and `services/` beside it: their third-party
    imports are found too (#12: heavy apps were slow because these were missed)."""
    (tmp_path / "main.py").write_text("from fastapi import FastAPI\nfrom routers import items\n")
    (tmp_path / "routers").mkdir()
    (tmp_path / "routers" / "__init__.py").write_text("")
    (tmp_path / "routers" / "items.py").write_text("from services.search import client\n")
    (tmp_path / "services").mkdir()
    (tmp_path / "services" / "search.py").write_text("import elasticsearch\nfrom opentelemetry import trace\n")
    (tmp_path / "unrelated").mkdir()
    (tmp_path / "unrelated" / "x.py").write_text("import never_imported_by_the_app\n")
    found = discover_third_party("main:app", tmp_path)
    assert {"fastapi", "elasticsearch", "opentelemetry"} <= set(found)
    assert "never_imported_by_the_app" not in found
    assert not {"routers", "services", "routers.items"} & set(found)
