"""One router per resource; :func:`bookshop.main.create_app` includes them all."""

from . import authors, books, categories, meta, reviews

__all__ = ["authors", "books", "categories", "meta", "reviews"]
