"""contractsync: keep a FastAPI backend and its TypeScript frontend honest with each other."""

__version__ = "0.1.0"
