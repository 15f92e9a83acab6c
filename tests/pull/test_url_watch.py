"""``pull --watch`` on a plain URL source polls with a conditional GET (``If-None-Match`` /
``If-Modified-Since``) instead of downloading the contract on every poll (#9). The server is real:
a small HTTP server in a child process on a free loopback port, logging every request."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import sys
import textwrap
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from contractsync.client.config import load_pull_config
from contractsync.client.pull import PullOutcome, watch

from ._helpers import child_server, free_port

SERVER = textwrap.dedent('''
    import hashlib, json, sys
    from email.utils import formatdate
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
    from pathlib import Path

    SPEC, LOG, MODE = Path(sys.argv[2]), Path(sys.argv[3]), sys.argv[4]

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            if self.path != "/openapi.json":  # no changelog.json / announcements.yaml beside it
                self.send_response(404)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            body = SPEC.read_bytes()
            etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
            modified = formatdate(SPEC.stat().st_mtime, usegmt=True)
            fresh = (self.headers.get("If-None-Match") == etag if MODE == "etag"
                     else self.headers.get("If-Modified-Since") == modified)
            with LOG.open("a") as log:
                log.write(json.dumps({"inm": self.headers.get("If-None-Match"),
                                      "ims": self.headers.get("If-Modified-Since"),
                                      "status": 304 if fresh else 200}) + "\\n")
            self.send_response(304 if fresh else 200)
            self.send_header("ETag" if MODE == "etag" else "Last-Modified", etag if MODE == "etag" else modified)
            if fresh:
                self.end_headers()
                return
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
''')


@contextlib.contextmanager
def spec_server(tmp_path: Path, spec: Path, mode: str) -> Iterator[tuple[str, Path]]:
    script = tmp_path / "server.py"
    script.write_text(SERVER, encoding="utf-8")
    log = tmp_path / "requests.log"
    port = free_port()
    url = f"http://127.0.0.1:{port}/openapi.json"
    with child_server([sys.executable, str(script), str(port), str(spec), str(log), mode], url):
        log.write_text("", encoding="utf-8")
        yield url, log


def _requests(log: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]


def _until(predicate: object, timeout: float = 30.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():  # type: ignore[operator]
            return True
        time.sleep(0.05)
    return False


@pytest.mark.parametrize("mode", ["etag", "last-modified"])
def test_watch_revalidates_instead_of_downloading(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                  v1_spec: Path, v2_spec: Path, mode: str) -> None:
    monkeypatch.setenv("CONTRACTSYNC_CACHE_DIR", str(tmp_path / "cache"))
    served = tmp_path / "served.json"
    shutil.copy(v1_spec, served)
    web = tmp_path / "web"
    web.mkdir()
    with spec_server(tmp_path, served, mode) as (url, log):
        (web / "contractsync.toml").write_text(f'[pull]\nsource = "{url}"\ntypes = "types.ts"\n', encoding="utf-8")
        settings = load_pull_config(web / "contractsync.toml")
        stop = threading.Event()
        updates: list[PullOutcome] = []
        problems: list[str | None] = []
        thread = threading.Thread(target=watch, kwargs={
            "settings": settings, "interval": 0.1, "stop": stop, "on_update": updates.append,
            "on_problem": problems.append})
        thread.start()
        try:
            assert _until(lambda: len(_requests(log)) >= 5)
            first, *polls = _requests(log)
            assert first["status"] == 200 and first["inm"] is None and first["ims"] is None
            assert polls and all(p["status"] == 304 for p in polls), polls
            assert all((p["inm"] if mode == "etag" else p["ims"]) for p in polls)
            assert len(updates) == 1 and (web / "types.ts").is_file()

            shutil.copy(v2_spec, served)  # the backend deploys v2
            if mode == "last-modified":
                os.utime(served, (time.time() + 5, time.time() + 5))
            assert _until(lambda: len(updates) == 2)
            seen = len(_requests(log))
            assert _until(lambda: len(_requests(log)) >= seen + 3)
        finally:
            stop.set()
            thread.join(timeout=30)
    statuses = [r["status"] for r in _requests(log)]
    assert statuses.count(200) == 2, statuses  # v1 once, v2 once: every other poll was a 304
    assert json.loads((web / "contractsync.lock").read_text())["contract"]["info_version"] == json.loads(v2_spec.read_text())["info"]["version"]
    assert problems == []
