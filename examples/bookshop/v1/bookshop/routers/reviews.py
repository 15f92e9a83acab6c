"""Reviews: readers' ratings of a book."""

from typing import Annotated

from fastapi import APIRouter, Path, Query, status

from ..deps import WRITE, StoreDep
from ..models import ErrorModel, Page, Review, ReviewCreate

router = APIRouter(prefix="/books/{book_id}/reviews", tags=["reviews"])

BookId = Annotated[int, Path(ge=1, description="The reviewed book's id.")]
NOT_FOUND = {404: {"model": ErrorModel, "description": "No book with this id."}}


@router.get("", responses=NOT_FOUND)
def list_reviews(
    book_id: BookId,
    store: StoreDep,
    limit: Annotated[int, Query(ge=1, le=50)] = 10,
    offset: Annotated[int, Query(ge=0)] = 0,
    min_rating: Annotated[
        int | None, Query(ge=1, le=5, description="Only this many stars or more.")
    ] = None,
) -> Page[Review]:
    """List a book's reviews, newest first."""
    store.book(book_id)
    reviews = [
        r
        for r in reversed(store.reviews.get(book_id, []))
        if min_rating is None or r.rating >= min_rating
    ]
    return Page[Review](
        items=reviews[offset : offset + limit], total=len(reviews), limit=limit, offset=offset
    )


@router.post("", status_code=status.HTTP_201_CREATED, dependencies=WRITE, responses=NOT_FOUND)
def create_review(book_id: BookId, review: ReviewCreate, store: StoreDep) -> Review:
    """Post a review of a book."""
    return store.add_review(book_id, review)
