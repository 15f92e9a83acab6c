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
    lang: Annotated[
        str, Query(pattern=r"^[a-z]{2}$", description="Language of the reviews (ISO 639-1).")
    ],
    limit: Annotated[int, Query(ge=1, le=50)] = 10,
    offset: Annotated[int, Query(ge=0)] = 0,
    min_rating: Annotated[
        int | None, Query(ge=1, le=5, description="Only this many stars or more.")
    ] = None,
) -> Page[Review]:
    """List a book's reviews in one language, newest first."""
    store.book(book_id)
    reviews = [
        r
        for r in reversed(store.reviews.get(book_id, []))
        if r.lang == lang and (min_rating is None or r.rating >= min_rating)
    ]
    return Page[Review](
        items=reviews[offset : offset + limit], total=len(reviews), limit=limit, offset=offset
    )


@router.post("", status_code=status.HTTP_202_ACCEPTED, dependencies=WRITE, responses=NOT_FOUND)
def create_review(book_id: BookId, review: ReviewCreate, store: StoreDep) -> Review:
    """Post a review of a book.

    Reviews are moderated: the answer is 202 Accepted, and the review is listed once a
    moderator approves it (this demo approves at once).
    """
    return store.add_review(book_id, review)
