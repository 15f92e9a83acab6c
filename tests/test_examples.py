"""The bundled example backend, ``examples/bookshop``, in both of its versions.

Both versions are the same package, ``bookshop``, in different app dirs (v1/ and v2/), so each
import puts one dir on ``sys.path`` and purges every ``bookshop*`` module before and after.
"""

import importlib
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from fastapi.testclient import TestClient

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "bookshop"
VERSIONS = ["v1", "v2"]
AUTH = {"Authorization": "Bearer demo-token"}
METHODS = {"get", "put", "post", "delete", "patch", "options", "head", "trace"}

NEW_BOOK: dict[str, Any] = {
    "title": "Mort",
    "isbn": "9780552131063",
    "author": {"id": 2},
    "genre": "fantasy",
    "price": {"amount": "7.99", "currency": "GBP"},
    "tags": ["discworld"],
    "formats": [
        {"kind": "paperback", "pages": 320},
        {"kind": "audiobook", "duration_minutes": 540, "narrator": "Nigel Planer"},
    ],
}
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _purge_bookshop() -> None:
    for name in [n for n in sys.modules if n == "bookshop" or n.startswith("bookshop.")]:
        del sys.modules[name]


@contextmanager
def imported(version: str) -> Iterator[ModuleType]:
    """``bookshop.main`` of one version, imported fresh and forgotten afterwards."""
    app_dir = str(EXAMPLE / version)
    _purge_bookshop()
    sys.path.insert(0, app_dir)
    try:
        module = importlib.import_module("bookshop.main")
        assert Path(module.__file__ or "").is_relative_to(EXAMPLE / version)
        yield module
    finally:
        sys.path.remove(app_dir)
        _purge_bookshop()


@pytest.fixture(params=VERSIONS)
def bookshop(request: pytest.FixtureRequest) -> Iterator[ModuleType]:
    """``bookshop.main`` of each version in turn."""
    with imported(request.param) as main:
        yield main


@pytest.fixture
def v1() -> Iterator[ModuleType]:
    with imported("v1") as main:
        yield main


@pytest.fixture
def v2() -> Iterator[ModuleType]:
    with imported("v2") as main:
        yield main


def _operations(spec: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    return {
        (method.upper(), path): op
        for path, item in spec["paths"].items()
        for method, op in item.items()
        if method in METHODS
    }


def _by_id(spec: dict[str, Any]) -> dict[str, tuple[str, str]]:
    return {op["operationId"]: key for key, op in _operations(spec).items()}


# --- both versions ----------------------------------------------------------------------------


def test_openapi_builds(bookshop: ModuleType) -> None:
    spec = bookshop.app.openapi()
    assert spec["openapi"].startswith("3.1")
    assert spec["info"]["title"] == "Bookshop API"
    ids = [op["operationId"] for op in _operations(spec).values()]
    assert len(ids) == len(set(ids)) >= 15
    # the create_app() factory gives a fresh app that documents the same contract
    assert bookshop.create_app() is not bookshop.app
    assert bookshop.create_app().openapi() == spec


def test_operation_ids_are_short_and_one_is_explicit(bookshop: ModuleType) -> None:
    ops = _operations(bookshop.app.openapi())
    assert ops[("GET", "/books/{book_id}")]["operationId"] == "books-get_book"
    assert ops[("POST", "/categories")]["operationId"] == "categories-create_category"
    assert ops[("PUT", "/books/{book_id}/cover")]["operationId"] == "uploadBookCover"
    assert all(op["tags"] for op in ops.values())


def test_book_has_input_and_output_schemas(bookshop: ModuleType) -> None:
    schemas = bookshop.app.openapi()["components"]["schemas"]
    assert "Book" not in schemas
    book_in, book_out = schemas["Book-Input"], schemas["Book-Output"]
    # the computed field is only in what the server returns
    assert "slug" not in book_in["properties"]
    assert "slug" in book_out["properties"] and "slug" in book_out["required"]
    assert book_in["properties"]["isbn"]["pattern"]
    assert book_in["properties"]["title"]["maxLength"] == 200
    assert book_in["properties"]["in_stock"]["default"] is True
    ops = _operations(bookshop.app.openapi())
    create = ops[("POST", "/books")]
    body = create["requestBody"]["content"]["application/json"]["schema"]
    assert body == {"$ref": "#/components/schemas/Book-Input"}
    created = create["responses"]["201"]["content"]["application/json"]["schema"]
    assert created == {"$ref": "#/components/schemas/Book-Output"}


def test_formats_are_a_discriminated_union(bookshop: ModuleType) -> None:
    schemas = bookshop.app.openapi()["components"]["schemas"]
    items = schemas["Book-Input"]["properties"]["formats"]["items"]
    assert items["discriminator"]["propertyName"] == "kind"
    assert set(items["discriminator"]["mapping"]) == {"ebook", "paperback", "audiobook"}
    assert len(items["oneOf"]) == 3
    assert schemas["Ebook"]["properties"]["kind"]["const"] == "ebook"


def test_cover_upload_is_multipart(bookshop: ModuleType) -> None:
    spec = bookshop.app.openapi()
    upload = _operations(spec)[("PUT", "/books/{book_id}/cover")]
    content = upload["requestBody"]["content"]
    assert list(content) == ["multipart/form-data"]
    ref = content["multipart/form-data"]["schema"]["$ref"].rsplit("/", 1)[-1]
    assert spec["components"]["schemas"][ref]["required"] == ["file"]


def test_security_headers_status_codes_and_recursion(bookshop: ModuleType) -> None:
    spec = bookshop.app.openapi()
    assert spec["components"]["securitySchemes"]["HTTPBearer"]["scheme"] == "bearer"
    ops = _operations(spec)
    assert ops[("POST", "/books")]["security"] == [{"HTTPBearer": []}]
    assert "security" not in ops[("GET", "/books")]
    params = {p["name"]: p for p in ops[("GET", "/books")]["parameters"]}
    assert params["x-request-id"]["in"] == "header"
    assert params["limit"]["schema"] == {
        "type": "integer",
        "maximum": 100,
        "minimum": 1,
        "description": "Page size.",
        "default": 20,
        "title": "Limit",
    }
    assert "$ref" in params["genre"]["schema"]["anyOf"][0]
    get_book = ops[("GET", "/books/{book_id}")]["responses"]
    assert "ETag" in get_book["200"]["headers"]
    assert get_book["404"]["content"]["application/json"]["schema"]["$ref"].endswith("ErrorModel")
    assert "204" in ops[("DELETE", "/books/{book_id}")]["responses"]
    category = spec["components"]["schemas"]["Category"]
    assert category["properties"]["children"]["items"] == {"$ref": "#/components/schemas/Category"}


def test_serves(bookshop: ModuleType) -> None:
    client = TestClient(bookshop.create_app())

    assert client.post("/books", json=NEW_BOOK).status_code == 401  # no token
    created = client.post("/books", json=NEW_BOOK, headers={**AUTH, "X-Request-Id": "t-1"})
    assert created.status_code == 201, created.text
    book = created.json()
    assert book["slug"] == "mort"
    assert book["author"] == {"id": 2, "name": "Terry Pratchett"}
    assert book["price"] == {"amount": "7.99", "currency": "GBP"}
    assert created.headers["Location"] == f"/books/{book['id']}"

    fetched = client.get(f"/books/{book['id']}")
    assert fetched.status_code == 200
    assert fetched.json() == book
    etag = fetched.headers["ETag"]
    assert client.get(f"/books/{book['id']}", headers={"If-None-Match": etag}).status_code == 304
    assert client.get("/books/9999").json() == {"detail": "Book 9999 not found"}

    page = client.get("/books", params={"limit": 1, "genre": "fantasy"}).json()
    assert page["total"] == 2 and len(page["items"]) == 1
    assert client.get("/books", params={"limit": 101}).status_code == 422

    upload = client.put(
        f"/books/{book['id']}/cover", files={"file": ("mort.png", PNG, "image/png")}, headers=AUTH
    )
    assert upload.status_code == 200, upload.text
    assert upload.json()["size_bytes"] == len(PNG)
    rejected = client.put(
        f"/books/{book['id']}/cover",
        files={"file": ("mort.txt", b"hi", "text/plain")},
        headers=AUTH,
    )
    assert rejected.status_code == 415

    tree = client.get("/categories").json()
    assert tree[0]["name"] == "Fiction" and len(tree[0]["children"]) == 2
    assert client.get("/health").json()["status"] == "ok"
    assert client.delete(f"/books/{book['id']}", headers=AUTH).status_code == 204
    assert client.get(f"/books/{book['id']}").status_code == 404


def test_apps_do_not_share_state(bookshop: ModuleType) -> None:
    first, second = TestClient(bookshop.create_app()), TestClient(bookshop.create_app())
    assert first.post("/books", json=NEW_BOOK, headers=AUTH).status_code == 201
    assert first.get("/books").json()["total"] == 3
    assert second.get("/books").json()["total"] == 2


# --- v1 -----------------------------------------------------------------------------------------


def test_v1_surface(v1: ModuleType) -> None:
    spec = v1.app.openapi()
    assert spec["info"]["version"] == "1.0.0"
    ops = _operations(spec)
    assert len(ops) >= 15
    assert ops[("GET", "/books/search")]["deprecated"] is True
    assert ops[("GET", "/books/{book_id}/cover")]["responses"]["200"]["content"] == {
        "image/jpeg": {},
        "image/png": {},
    }


def test_v1_serves_the_cover(v1: ModuleType) -> None:
    client = TestClient(v1.create_app())
    upload = client.put("/books/1/cover", files={"file": ("c.png", PNG, "image/png")}, headers=AUTH)
    assert upload.status_code == 200
    cover = client.get("/books/1/cover")
    assert cover.status_code == 200
    assert cover.headers["content-type"] == "image/png" and cover.content == PNG
    assert [b["id"] for b in client.get("/books/search", params={"q": "guards"}).json()] == [2]
    review = client.post("/books/1/reviews", json={"rating": 5, "reviewer": "ann"}, headers=AUTH)
    assert review.status_code == 201
    assert client.get("/authors/1").json()["book_count"] == 1


# --- v2, and what changed since v1 --------------------------------------------------------------


def test_v2_changes_from_v1(v2: ModuleType) -> None:
    new = v2.app.openapi()
    with imported("v1") as v1_main:
        old = v1_main.app.openapi()
    assert new["info"]["version"] == "1.1.0"
    old_ids, new_ids = _by_id(old), _by_id(new)
    assert set(old_ids) - set(new_ids) == {"books-search_books", "books-get_cover"}
    assert set(new_ids) - set(old_ids) == {"books-list_related_books"}
    # the path parameter rename keeps the operations (same ids, same method)
    assert old_ids["authors-get_author"] == ("GET", "/authors/{author_id}")
    assert new_ids["authors-get_author"] == ("GET", "/authors/{id}")

    deprecated = _operations(new)[("GET", "/authors/{author_id}/books")]
    assert deprecated["deprecated"] is True and deprecated["x-sunset"] == "2027-06-30"
    assert "202" in _operations(new)[("POST", "/books/{book_id}/reviews")]["responses"]
    reviews = {
        p["name"]: p for p in _operations(new)[("GET", "/books/{book_id}/reviews")]["parameters"]
    }
    assert reviews["lang"]["required"] is True
    schemas = new["components"]["schemas"]
    assert "book_count" not in schemas["Author"]["properties"]
    assert "country" in schemas["AuthorCreate"]["required"]
    assert schemas["ReviewCreate"]["properties"]["comment"]["anyOf"][0]["maxLength"] == 1000


def test_v2_serves(v2: ModuleType) -> None:
    client = TestClient(v2.create_app())
    upload = client.put("/books/1/cover", files={"file": ("c.png", PNG, "image/png")}, headers=AUTH)
    url = upload.json()["url"]
    assert client.get("/books/1").json()["cover_url"] == url
    assert client.get("/books/1/cover").status_code == 405  # GET removed, PUT remains
    review = {"rating": 4, "reviewer": "ann", "lang": "de"}
    assert client.post("/books/1/reviews", json=review, headers=AUTH).status_code == 202
    assert client.get("/books/1/reviews", params={"lang": "de"}).json()["total"] == 1
    assert client.get("/books/1/reviews").status_code == 422  # lang is now required
    assert client.get("/authors/1").json()["country"] == "US"
    assert client.get("/books", params={"author_id": 1}).json()["total"] == 1
    assert client.get("/books/1/related").json() == []
    assert client.post("/authors", json={"name": "Anon"}, headers=AUTH).status_code == 422
