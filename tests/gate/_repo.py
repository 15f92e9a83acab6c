"""Small FastAPI apps in temporary git repositories, for the gate's end-to-end tests."""

from __future__ import annotations

import subprocess
import textwrap
from pathlib import Path

#: The day v1 is accepted on main; later steps use later dates so the changelog's dates ascend.
V1_DATE = "2026-01-15"
NOW = "2026-11-26"


def app_text(*, isbn: bool = True, legacy: bool = True, old: bool = True, authors: bool = False,
             version: str = "1.0.0", books_sunset: str | None = None) -> str:
    """The shop app. v1 has every default; each flag removes or adds one thing."""
    list_extra = f', deprecated=True, openapi_extra={{"x-sunset": "{books_sunset}"}}' if books_sunset else ""
    parts = [f'''
        from fastapi import FastAPI
        from pydantic import BaseModel

        app = FastAPI(title="Shop", version="{version}")


        class Book(BaseModel):
            id: int
            title: str
    ''']
    if isbn:
        parts.append("    isbn: str\n")
    parts.append('''

        @app.get("/books/{book_id}", response_model=Book)
        def get_book(book_id: int) -> Book:
            raise NotImplementedError


        @app.get("/books", response_model=list[Book]LIST_EXTRA)
        def list_books() -> list[Book]:
            return []
    ''')
    if legacy:
        parts.append('''

        @app.get("/legacy", deprecated=True, openapi_extra={"x-sunset": "2026-06-01"})
        def legacy() -> dict[str, str]:
            return {}
    ''')
    if old:
        parts.append('''

        @app.get("/old", deprecated=True)
        def old() -> dict[str, str]:
            return {}
    ''')
    if authors:
        parts.append('''

        @app.get("/authors")
        def list_authors() -> list[str]:
            return []
    ''')
    text = "".join(textwrap.dedent(p) if not p.startswith("    isbn") else p for p in parts)
    return text.replace("LIST_EXTRA", list_extra)


def write_app(repo: Path, **flags: bool | str | None) -> None:
    (repo / "shop" / "main.py").write_text(app_text(**flags), encoding="utf-8")  # type: ignore[arg-type]


PYPROJECT = '''\
[project]
name = "shop"
version = "0.0.0"

[tool.contractsync]
app = "shop.main:app"
contracts_dir = "contracts"
'''


def git(repo: Path, *args: str) -> str:
    proc = subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True, check=True,
                          env={"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com",
                               "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com",
                               "GIT_CONFIG_GLOBAL": "/dev/null", "GIT_CONFIG_SYSTEM": "/dev/null",
                               "PATH": "/usr/bin:/bin:/usr/local/bin", "HOME": str(repo)})
    return proc.stdout


def make_repo(repo: Path) -> None:
    """An empty project directory with the v1 app (not yet accepted, not yet a git repo)."""
    (repo / "shop").mkdir(parents=True)
    (repo / "shop" / "__init__.py").write_text("", encoding="utf-8")
    write_app(repo)
    (repo / "pyproject.toml").write_text(PYPROJECT, encoding="utf-8")
    (repo / ".gitignore").write_text("__pycache__/\n", encoding="utf-8")
