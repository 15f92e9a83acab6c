"""Pydantic models: the shape of everything the Bookshop API reads and writes."""

import re
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Generic, Literal, TypeVar

from pydantic import BaseModel, Field, computed_field

ISBN_PATTERN = r"^(?:97[89])?\d{9}[\dX]$"
"""ISBN-10 or ISBN-13, digits only (an ISBN-10 may end in ``X``)."""


class Genre(StrEnum):
    """Shelf a book is sold under."""

    fiction = "fiction"
    fantasy = "fantasy"
    science_fiction = "science_fiction"
    mystery = "mystery"
    biography = "biography"
    history = "history"
    science = "science"
    children = "children"
    poetry = "poetry"


Currency = Literal["EUR", "USD", "GBP"]
SortOrder = Literal["asc", "desc"]
BookSortField = Literal["title", "published", "price", "popularity"]
AuthorSortField = Literal["name", "born"]


class ErrorModel(BaseModel):
    """Body of every 4xx answer the API raises itself."""

    detail: str = Field(description="Human-readable explanation.", examples=["Book 42 not found"])


class Money(BaseModel):
    """An amount in a currency. Amounts are decimals, serialised as strings."""

    amount: Decimal = Field(ge=0, max_digits=10, decimal_places=2, examples=["12.90"])
    currency: Currency = "EUR"


class AuthorRef(BaseModel):
    """A reference to an author from inside a book. Send the id; the server fills in the name."""

    id: int = Field(ge=1)
    name: str | None = Field(default=None, description="Filled in by the server on responses.")


# --- formats: a discriminated union on ``kind`` --------------------------------------------


class Ebook(BaseModel):
    kind: Literal["ebook"] = "ebook"
    file_format: Literal["epub", "pdf", "mobi"] = "epub"
    size_mb: float | None = Field(default=None, gt=0)


class Paperback(BaseModel):
    kind: Literal["paperback"] = "paperback"
    pages: int = Field(ge=1)
    weight_g: int | None = Field(default=None, ge=1)


class Audiobook(BaseModel):
    kind: Literal["audiobook"] = "audiobook"
    duration_minutes: int = Field(ge=1)
    narrator: str | None = None


BookFormat = Annotated[Ebook | Paperback | Audiobook, Field(discriminator="kind")]


class Book(BaseModel):
    """A book in the catalogue.

    The same model is sent on create/replace and returned on read, so FastAPI publishes two
    schemas for it: ``Book-Input`` (what clients send) and ``Book-Output`` (what they get back,
    which also carries the computed ``slug``).
    """

    id: int | None = Field(default=None, description="Assigned by the server; ignored when sent.")
    title: str = Field(min_length=1, max_length=200, examples=["The Left Hand of Darkness"])
    subtitle: str | None = Field(default=None, max_length=200)
    isbn: str = Field(pattern=ISBN_PATTERN, examples=["9780441478125"])
    author: AuthorRef
    genre: Genre
    price: Money
    in_stock: bool = True
    tags: list[str] = Field(default_factory=list)
    published: date | None = None
    category_id: int | None = None
    formats: list[BookFormat] = Field(
        default_factory=list, description="Editions on sale, one entry per format."
    )

    @computed_field  # type: ignore[prop-decorator]
    @property
    def slug(self) -> str:
        """URL-friendly form of the title, e.g. ``the-left-hand-of-darkness``."""
        return re.sub(r"[^a-z0-9]+", "-", self.title.lower()).strip("-")


T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    """One page of a paginated collection."""

    items: list[T]
    total: int = Field(ge=0, description="Number of matching items across all pages.")
    limit: int
    offset: int


class CoverInfo(BaseModel):
    """What the server kept of an uploaded cover image."""

    book_id: int
    filename: str | None
    content_type: str
    size_bytes: int = Field(ge=0)


# --- authors ----------------------------------------------------------------------------------


class AuthorCreate(BaseModel):
    name: str = Field(min_length=1, max_length=120)
    bio: str | None = Field(default=None, max_length=2000)
    born: date | None = None
    country: str | None = Field(
        default=None, pattern=r"^[A-Z]{2}$", description="ISO 3166-1 alpha-2 code."
    )


class AuthorUpdate(BaseModel):
    """Partial update: only the fields that are sent change."""

    name: str | None = Field(default=None, min_length=1, max_length=120)
    bio: str | None = Field(default=None, max_length=2000)
    born: date | None = None
    country: str | None = Field(default=None, pattern=r"^[A-Z]{2}$")


class Author(BaseModel):
    id: int
    name: str
    bio: str | None = None
    born: date | None = None
    country: str | None = None
    book_count: int = Field(ge=0, description="Number of books by this author in the catalogue.")


# --- reviews ----------------------------------------------------------------------------------


class ReviewCreate(BaseModel):
    rating: int = Field(ge=1, le=5)
    reviewer: str = Field(min_length=1, max_length=80)
    comment: str | None = Field(default=None, max_length=2000)


class Review(BaseModel):
    id: int
    book_id: int
    rating: int = Field(ge=1, le=5)
    reviewer: str
    comment: str | None = None
    created_at: datetime


# --- categories (a recursive model) -----------------------------------------------------------


class CategoryCreate(BaseModel):
    name: str = Field(min_length=1, max_length=80)
    parent_id: int | None = Field(default=None, description="Omit for a top-level category.")


class Category(BaseModel):
    """A node of the category tree; ``children`` holds its sub-categories."""

    id: int
    name: str
    children: list["Category"] = Field(default_factory=list)


# --- meta -------------------------------------------------------------------------------------


class Health(BaseModel):
    status: Literal["ok", "degraded", "down"]
    version: str
