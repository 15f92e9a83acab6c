"""Books: the catalogue, with search, pagination and cover images."""

import hashlib
from typing import Annotated

from fastapi import (
    APIRouter,
    File,
    Header,
    HTTPException,
    Path,
    Query,
    Response,
    UploadFile,
    status,
)

from ..deps import WRITE, RequestId, StoreDep
from ..models import Book, BookSortField, CoverInfo, ErrorModel, Genre, Page, SortOrder
from ..store import Cover

router = APIRouter(prefix="/books", tags=["books"])

BookId = Annotated[int, Path(ge=1, description="The book's id.")]
NOT_FOUND = {404: {"model": ErrorModel, "description": "No book with this id."}}
MAX_COVER_BYTES = 2 * 1024 * 1024


# Declared before "/{book_id}" so that "/books/search" is not read as a book id.
@router.get("/search", deprecated=True)
def search_books(
    store: StoreDep,
    q: Annotated[str, Query(min_length=2, description="Text to look for in titles.")],
) -> list[Book]:
    """Search books by title.

    Deprecated: use `GET /books?q=...`, which paginates and filters.
    """
    needle = q.lower()
    return [b for b in store.books.values() if needle in b.title.lower()]


@router.get("")
def list_books(
    store: StoreDep,
    x_request_id: RequestId = None,
    limit: Annotated[int, Query(ge=1, le=100, description="Page size.")] = 20,
    offset: Annotated[int, Query(ge=0, description="Items to skip.")] = 0,
    q: Annotated[
        str | None,
        Query(min_length=2, max_length=100, description="Case-insensitive match on the title."),
    ] = None,
    genre: Genre | None = None,
    in_stock: bool | None = None,
    sort: BookSortField = "title",
    order: SortOrder = "asc",
) -> Page[Book]:
    """List the catalogue, one page at a time, optionally filtered and sorted."""
    books = list(store.books.values())
    if q:
        books = [b for b in books if q.lower() in b.title.lower()]
    if genre is not None:
        books = [b for b in books if b.genre == genre]
    if in_stock is not None:
        books = [b for b in books if b.in_stock == in_stock]
    if sort == "price":
        books.sort(key=lambda b: b.price.amount, reverse=order == "desc")
    elif sort == "published":
        books.sort(key=lambda b: str(b.published or ""), reverse=order == "desc")
    elif sort == "popularity":
        books.sort(key=lambda b: len(store.reviews.get(b.id or 0, [])), reverse=order == "desc")
    else:
        books.sort(key=lambda b: b.title.lower(), reverse=order == "desc")
    return Page[Book](
        items=books[offset : offset + limit], total=len(books), limit=limit, offset=offset
    )


@router.post("", status_code=status.HTTP_201_CREATED, dependencies=WRITE)
def create_book(
    book: Book, store: StoreDep, response: Response, x_request_id: RequestId = None
) -> Book:
    """Add a book to the catalogue. The server assigns its id."""
    created = store.save_book(book)
    response.headers["Location"] = f"/books/{created.id}"
    return created


@router.get(
    "/{book_id}",
    responses={
        200: {
            "description": "The book.",
            "headers": {
                "ETag": {
                    "description": "Version of the representation; send it back in If-None-Match.",
                    "schema": {"type": "string"},
                }
            },
        },
        304: {"description": "Not modified since the ETag sent in If-None-Match."},
        **NOT_FOUND,
    },
)
def get_book(
    book_id: BookId,
    store: StoreDep,
    response: Response,
    if_none_match: Annotated[str | None, Header()] = None,
    x_request_id: RequestId = None,
) -> Book:
    """Fetch one book."""
    book = store.book(book_id)
    etag = '"' + hashlib.sha256(book.model_dump_json().encode()).hexdigest()[:16] + '"'
    if if_none_match == etag:
        raise HTTPException(status.HTTP_304_NOT_MODIFIED, headers={"ETag": etag})
    response.headers["ETag"] = etag
    return book


@router.put("/{book_id}", dependencies=WRITE, responses=NOT_FOUND)
def replace_book(book_id: BookId, book: Book, store: StoreDep) -> Book:
    """Replace a book with the representation sent."""
    store.book(book_id)
    return store.save_book(book, book_id)


@router.delete(
    "/{book_id}", status_code=status.HTTP_204_NO_CONTENT, dependencies=WRITE, responses=NOT_FOUND
)
def delete_book(book_id: BookId, store: StoreDep) -> None:
    """Remove a book, its reviews and its cover."""
    store.book(book_id)
    del store.books[book_id]
    store.reviews.pop(book_id, None)
    store.covers.pop(book_id, None)


@router.put(
    "/{book_id}/cover",
    operation_id="uploadBookCover",
    dependencies=WRITE,
    responses={
        **NOT_FOUND,
        413: {"model": ErrorModel, "description": "The image is larger than 2 MB."},
        415: {"model": ErrorModel, "description": "Not a JPEG or PNG image."},
    },
)
async def upload_cover(
    book_id: BookId,
    store: StoreDep,
    file: Annotated[UploadFile, File(description="Cover image: JPEG or PNG, at most 2 MB.")],
) -> CoverInfo:
    """Upload (or replace) a book's cover image as a multipart form."""
    store.book(book_id)
    if file.content_type not in ("image/jpeg", "image/png"):
        raise HTTPException(status.HTTP_415_UNSUPPORTED_MEDIA_TYPE, "Cover must be JPEG or PNG")
    data = await file.read()
    if len(data) > MAX_COVER_BYTES:
        raise HTTPException(status.HTTP_413_REQUEST_ENTITY_TOO_LARGE, "Cover is larger than 2 MB")
    store.covers[book_id] = Cover(filename=file.filename, content_type=file.content_type, data=data)
    return CoverInfo(
        book_id=book_id,
        filename=file.filename,
        content_type=file.content_type,
        size_bytes=len(data),
    )


@router.get(
    "/{book_id}/cover",
    response_class=Response,
    responses={
        200: {
            "description": "The cover image.",
            "content": {"image/jpeg": {}, "image/png": {}},
        },
        404: {"model": ErrorModel, "description": "No such book, or it has no cover."},
    },
)
def get_cover(book_id: BookId, store: StoreDep) -> Response:
    """Download a book's cover image."""
    store.book(book_id)
    cover = store.covers.get(book_id)
    if cover is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"Book {book_id} has no cover")
    return Response(content=cover.data, media_type=cover.content_type)
