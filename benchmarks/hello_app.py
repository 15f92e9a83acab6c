"""The baseline of the registry load benchmark: a bare FastAPI "hello" endpoint, served by
uvicorn exactly as ``contractsync serve`` serves the registry (one worker, no access log)."""

from __future__ import annotations

from fastapi import FastAPI

app = FastAPI()


@app.get("/hello")
async def hello() -> dict[str, str]:
    return {"hello": "world"}
