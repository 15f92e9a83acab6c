"""Dependencies shared by the routers: the store, authentication and common headers."""

from typing import Annotated

from fastapi import Depends, Header, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from .store import Store

DEMO_TOKEN = "demo-token"
"""The only bearer token this demo accepts on write operations."""

bearer = HTTPBearer(description="Write operations need `Authorization: Bearer demo-token`.")


def get_store(request: Request) -> Store:
    store: Store = request.app.state.store
    return store


def require_token(
    credentials: Annotated[HTTPAuthorizationCredentials, Depends(bearer)],
) -> str:
    """Reject write requests that do not carry the demo bearer token."""
    if credentials.credentials != DEMO_TOKEN:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "Invalid bearer token",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return credentials.credentials


StoreDep = Annotated[Store, Depends(get_store)]

RequestId = Annotated[
    str | None,
    Header(description="Client-chosen id, echoed in logs so a request can be traced."),
]

WRITE = [Depends(require_token)]
"""Route-level dependencies for every operation that changes data."""
