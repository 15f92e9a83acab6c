"""Bookshop: a small FastAPI + pydantic v2 backend used as contractsync's worked example.

Serve it with::

    uvicorn bookshop.main:app --app-dir examples/bookshop/v2 --reload
"""

__version__ = "1.1.0"
