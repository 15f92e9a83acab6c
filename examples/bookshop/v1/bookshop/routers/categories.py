"""Categories: a tree that books are filed under."""

from fastapi import APIRouter, status

from ..deps import WRITE, StoreDep
from ..models import Category, CategoryCreate, ErrorModel

router = APIRouter(prefix="/categories", tags=["categories"])


@router.get("")
def list_categories(store: StoreDep) -> list[Category]:
    """The whole category tree: top-level categories with their sub-categories nested."""
    return store.category_tree()


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    dependencies=WRITE,
    responses={400: {"model": ErrorModel, "description": "The parent category does not exist."}},
)
def create_category(category: CategoryCreate, store: StoreDep) -> Category:
    """Add a category, at the top level or under a parent."""
    return store.add_category(category.name, category.parent_id)
