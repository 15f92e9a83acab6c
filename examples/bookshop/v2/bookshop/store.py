"""A tiny in-memory store, so the example actually works when served.

Each app built by :func:`bookshop.main.create_app` gets its own store (``app.state.store``);
nothing is persisted.
"""

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from itertools import count

from fastapi import HTTPException, status

from .models import (
    Author,
    AuthorCreate,
    AuthorRef,
    Book,
    Category,
    Ebook,
    Genre,
    Money,
    Paperback,
    Review,
    ReviewCreate,
)

COVER_CDN = "https://cdn.bookshop.example/covers"
"""Covers are published to a CDN; this demo keeps the bytes in memory instead."""


@dataclass
class CategoryRow:
    id: int
    name: str
    parent_id: int | None


@dataclass
class Cover:
    filename: str | None
    content_type: str
    data: bytes


@dataclass
class Store:
    authors: dict[int, AuthorCreate] = field(default_factory=dict)
    books: dict[int, Book] = field(default_factory=dict)
    reviews: dict[int, list[Review]] = field(default_factory=dict)
    categories: dict[int, CategoryRow] = field(default_factory=dict)
    covers: dict[int, Cover] = field(default_factory=dict)
    _ids: dict[str, Iterator[int]] = field(default_factory=dict)

    def next_id(self, kind: str) -> int:
        return next(self._ids.setdefault(kind, count(1)))

    # --- authors ------------------------------------------------------------------------------

    def author(self, author_id: int) -> Author:
        """The author with this id, or a 404."""
        if author_id not in self.authors:
            raise HTTPException(status.HTTP_404_NOT_FOUND, f"Author {author_id} not found")
        return Author(id=author_id, **self.authors[author_id].model_dump())

    def book_count(self, author_id: int) -> int:
        return sum(1 for b in self.books.values() if b.author.id == author_id)

    def add_author(self, data: AuthorCreate) -> Author:
        author_id = self.next_id("author")
        self.authors[author_id] = data
        return self.author(author_id)

    # --- books --------------------------------------------------------------------------------

    def book(self, book_id: int) -> Book:
        """The book with this id, or a 404."""
        if book_id not in self.books:
            raise HTTPException(status.HTTP_404_NOT_FOUND, f"Book {book_id} not found")
        return self.books[book_id]

    def save_book(self, book: Book, book_id: int | None = None) -> Book:
        """Insert (no ``book_id``) or replace a book, resolving the author's name."""
        author = self.authors.get(book.author.id)
        if author is None:
            raise HTTPException(status.HTTP_400_BAD_REQUEST, f"Unknown author {book.author.id}")
        if book.category_id is not None and book.category_id not in self.categories:
            raise HTTPException(status.HTTP_400_BAD_REQUEST, f"Unknown category {book.category_id}")
        book_id = book_id if book_id is not None else self.next_id("book")
        stored = book.model_copy(
            update={
                "id": book_id,
                "author": AuthorRef(id=book.author.id, name=author.name),
                "cover_url": self.cover_url(book_id) if book_id in self.covers else None,
            }
        )
        self.books[book_id] = stored
        return stored

    def set_cover(self, book_id: int, cover: Cover) -> str:
        """Publish a book's cover and return its URL."""
        self.covers[book_id] = cover
        url = self.cover_url(book_id)
        self.books[book_id] = self.book(book_id).model_copy(update={"cover_url": url})
        return url

    @staticmethod
    def cover_url(book_id: int) -> str:
        return f"{COVER_CDN}/{book_id}"

    # --- reviews ------------------------------------------------------------------------------

    def add_review(self, book_id: int, data: ReviewCreate) -> Review:
        self.book(book_id)
        review = Review(
            id=self.next_id("review"),
            book_id=book_id,
            created_at=datetime.now(UTC),
            **data.model_dump(),
        )
        self.reviews.setdefault(book_id, []).append(review)
        return review

    # --- categories ---------------------------------------------------------------------------

    def add_category(self, name: str, parent_id: int | None) -> Category:
        if parent_id is not None and parent_id not in self.categories:
            raise HTTPException(status.HTTP_400_BAD_REQUEST, f"Unknown category {parent_id}")
        row = CategoryRow(id=self.next_id("category"), name=name, parent_id=parent_id)
        self.categories[row.id] = row
        return Category(id=row.id, name=name)

    def category_tree(self) -> list[Category]:
        """All categories, as a forest of top-level categories with nested children."""
        nodes = {row.id: Category(id=row.id, name=row.name) for row in self.categories.values()}
        roots: list[Category] = []
        for row in self.categories.values():
            parent = nodes.get(row.parent_id) if row.parent_id is not None else None
            (parent.children if parent else roots).append(nodes[row.id])
        return roots

    # --- seed data ----------------------------------------------------------------------------

    @classmethod
    def seeded(cls) -> "Store":
        """A store with a handful of authors, categories and books to play with."""
        store = cls()
        le_guin = store.add_author(
            AuthorCreate(name="Ursula K. Le Guin", born=date(1929, 10, 21), country="US")
        )
        pratchett = store.add_author(
            AuthorCreate(name="Terry Pratchett", born=date(1948, 4, 28), country="GB")
        )
        fiction = store.add_category("Fiction", None)
        sf = store.add_category("Science fiction", fiction.id)
        fantasy = store.add_category("Fantasy", fiction.id)
        store.save_book(
            Book(
                title="The Left Hand of Darkness",
                isbn="9780441478125",
                author=AuthorRef(id=le_guin.id),
                genre=Genre.science_fiction,
                price=Money(amount=Decimal("9.99"), currency="USD"),
                published=date(1969, 3, 1),
                category_id=sf.id,
                tags=["hugo", "nebula"],
                formats=[Paperback(pages=304), Ebook(file_format="epub")],
            )
        )
        store.save_book(
            Book(
                title="Guards! Guards!",
                isbn="9780552166676",
                author=AuthorRef(id=pratchett.id),
                genre=Genre.fantasy,
                price=Money(amount=Decimal("8.99"), currency="GBP"),
                published=date(1989, 11, 1),
                category_id=fantasy.id,
                tags=["discworld"],
                formats=[Paperback(pages=416)],
            )
        )
        return store
