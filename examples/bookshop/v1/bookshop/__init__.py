"""Bookshop: a small FastAPI + pydantic v2 backend used as contractsync's worked example.

Serve it with::

    uvicorn bookshop.main:app --app-dir examples/bookshop/v1 --reload
"""

__version__ = "1.0.0"
