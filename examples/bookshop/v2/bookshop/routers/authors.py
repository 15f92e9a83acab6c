"""Authors: who wrote the books."""

from typing import Annotated

from fastapi import APIRouter, HTTPException, Path, Query, status

from ..deps import WRITE, StoreDep
from ..models import (
    Author,
    AuthorCreate,
    AuthorSortField,
    AuthorUpdate,
    Book,
    ErrorModel,
    Page,
    SortOrder,
)

router = APIRouter(prefix="/authors", tags=["authors"])

AuthorId = Annotated[int, Path(ge=1, description="The author's id.")]
NOT_FOUND = {404: {"model": ErrorModel, "description": "No author with this id."}}


@router.get("")
def list_authors(
    store: StoreDep,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    offset: Annotated[int, Query(ge=0)] = 0,
    q: Annotated[str | None, Query(min_length=1, description="Match on the name.")] = None,
    country: Annotated[str | None, Query(pattern=r"^[A-Z]{2}$")] = None,
    sort: AuthorSortField = "name",
    order: SortOrder = "asc",
) -> Page[Author]:
    """List authors, one page at a time."""
    authors = [store.author(author_id) for author_id in store.authors]
    if q:
        authors = [a for a in authors if q.lower() in a.name.lower()]
    if country:
        authors = [a for a in authors if a.country == country]
    if sort == "born":
        authors.sort(key=lambda a: str(a.born or ""), reverse=order == "desc")
    elif sort == "country":
        authors.sort(key=lambda a: a.country or "", reverse=order == "desc")
    else:
        authors.sort(key=lambda a: a.name.lower(), reverse=order == "desc")
    return Page[Author](
        items=authors[offset : offset + limit], total=len(authors), limit=limit, offset=offset
    )


@router.post("", status_code=status.HTTP_201_CREATED, dependencies=WRITE)
def create_author(author: AuthorCreate, store: StoreDep) -> Author:
    """Add an author."""
    return store.add_author(author)


# The item routes name their path parameter `{id}` since v1.1 (it was `{author_id}`).
# Clients only fill in the URL template, so the rename changes nothing on the wire.


@router.get("/{id}", responses=NOT_FOUND)
def get_author(id: AuthorId, store: StoreDep) -> Author:
    """Fetch one author."""
    return store.author(id)


@router.patch("/{id}", dependencies=WRITE, responses=NOT_FOUND)
def update_author(id: AuthorId, changes: AuthorUpdate, store: StoreDep) -> Author:
    """Change some of an author's fields; fields not sent are left as they are."""
    current = store.authors.get(id)
    if current is None:
        return store.author(id)  # raises the 404
    store.authors[id] = current.model_copy(update=changes.model_dump(exclude_unset=True))
    return store.author(id)


@router.delete(
    "/{id}",
    status_code=status.HTTP_204_NO_CONTENT,
    dependencies=WRITE,
    responses={
        **NOT_FOUND,
        409: {"model": ErrorModel, "description": "The author still has books."},
    },
)
def delete_author(id: AuthorId, store: StoreDep) -> None:
    """Remove an author who has no books left in the catalogue."""
    store.author(id)
    if store.book_count(id):
        raise HTTPException(status.HTTP_409_CONFLICT, f"Author {id} still has books")
    del store.authors[id]


@router.get(
    "/{author_id}/books",
    responses=NOT_FOUND,
    deprecated=True,
    openapi_extra={"x-sunset": "2027-06-30"},
)
def list_author_books(author_id: AuthorId, store: StoreDep) -> list[Book]:
    """List every book by one author.

    Deprecated: use `GET /books?author_id=...`, which paginates. Removed after 2027-06-30.
    """
    store.author(author_id)
    return [b for b in store.books.values() if b.author.id == author_id]
