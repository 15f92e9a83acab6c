"""Operational endpoints."""

from fastapi import APIRouter, Request

from ..models import Health

router = APIRouter(tags=["meta"])


@router.get("/health", operation_id="healthCheck")
def health(request: Request) -> Health:
    """Liveness probe for load balancers and uptime checks."""
    return Health(status="ok", version=request.app.version)
