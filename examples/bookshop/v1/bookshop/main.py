"""The Bookshop API application.

``app`` is what ``uvicorn bookshop.main:app`` serves; ``create_app()`` builds a fresh one
(with its own in-memory store), which is what tests want.
"""

from fastapi import FastAPI
from fastapi.routing import APIRoute

from . import __version__
from .routers import authors, books, categories, meta, reviews
from .store import Store

DESCRIPTION = """\
A small online bookshop: a catalogue of books and authors, reviews, a category tree
and cover images. Write operations need `Authorization: Bearer demo-token`.
"""

TAGS = [
    {"name": "books", "description": "The catalogue."},
    {"name": "reviews", "description": "Readers' reviews of a book."},
    {"name": "authors", "description": "Who wrote the books."},
    {"name": "categories", "description": "The category tree."},
    {"name": "meta", "description": "Operational endpoints."},
]


def generate_operation_id(route: APIRoute) -> str:
    """Short, stable operation ids such as ``books-get_book`` (as the full-stack template does).

    They name the generated TypeScript operations, so they should not change by accident.
    """
    return f"{route.tags[0]}-{route.name}"


def create_app() -> FastAPI:
    """Build the application with a freshly seeded in-memory store."""
    app = FastAPI(
        title="Bookshop API",
        version=__version__,
        description=DESCRIPTION,
        openapi_tags=TAGS,
        generate_unique_id_function=generate_operation_id,
    )
    app.state.store = Store.seeded()
    for module in (books, reviews, authors, categories, meta):
        app.include_router(module.router)
    return app


app = create_app()
