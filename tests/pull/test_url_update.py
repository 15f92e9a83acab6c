"""``pull --update`` on a plain URL source is a conditional GET: the validators (``ETag`` /
``Last-Modified``) of the last answer persist in the local cache between runs, never in the lock;
an unchanged contract answers 304 and is installed from the verified cache (#9). The server is
real: a small HTTP server in a child process, logging every request."""

from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path

import pytest

from ._helpers import cli
from .test_url_watch import _requests, spec_server


@pytest.mark.parametrize("mode", ["etag", "last-modified"])
def test_update_revalidates_with_the_last_answers_validators(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
        v1_spec: Path, v2_spec: Path, mode: str) -> None:
    cache = tmp_path / "cache"
    env: dict[str, str | None] = {"CONTRACTSYNC_CACHE_DIR": str(cache)}
    served = tmp_path / "served.json"
    shutil.copy(v1_spec, served)
    web = tmp_path / "web"
    web.mkdir()
    with spec_server(tmp_path, served, mode) as (url, log):
        (web / "contractsync.toml").write_text(f'[pull]\nsource = "{url}"\ntypes = "types.ts"\n', encoding="utf-8")
        assert cli(monkeypatch, capsys, web, "pull", "--update", env=env).code == 0
        lock = (web / "contractsync.lock").read_bytes()
        assert b"etag" not in lock.lower() and b"modified" not in lock.lower()
        for _ in range(2):  # unchanged: each run revalidates, nothing is downloaded or rewritten
            run = cli(monkeypatch, capsys, web, "pull", "--update", env=env)
            assert run.code == 0, run.err
            assert (web / "contractsync.lock").read_bytes() == lock
        first, *again = _requests(log)
        assert first["status"] == 200 and first["inm"] is None and first["ims"] is None
        assert [r["status"] for r in again] == [304, 304], again
        assert all((r["inm"] if mode == "etag" else r["ims"]) for r in again)

        shutil.copy(v2_spec, served)  # the backend deploys v2
        if mode == "last-modified":
            os.utime(served, (time.time() + 5, time.time() + 5))
        run = cli(monkeypatch, capsys, web, "pull", "--update", "--accept-breaking", env=env)
        assert run.code == 0, run.err
        info = json.loads((web / "contractsync.lock").read_text())["contract"]["info_version"]
        assert info == json.loads(v2_spec.read_text())["info"]["version"]
        assert _requests(log)[-1]["status"] == 200

        # Without the cached contract the saved validators are useless: an unconditional GET.
        shutil.rmtree(cache / "contracts")
        assert cli(monkeypatch, capsys, web, "pull", "--update", env=env).code == 0
        last = _requests(log)[-1]
        assert last["status"] == 200 and last["inm"] is None and last["ims"] is None


@pytest.mark.parametrize("saved", [b"not json", b"[]", b'{"url": 1}',
                                   b'{"url": "U", "digest": "sha256:00", "info_version": "1", "etag": 5, "last_modified": null}',
                                   b'{"url": "U", "digest": "D", "info_version": "1", "etag": "\\"a\\"\\r\\nX-Evil: 1", '
                                   b'"last_modified": null}'])
def test_an_unusable_saved_answer_means_an_unconditional_get(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], v1_spec: Path,
        saved: bytes) -> None:
    cache = tmp_path / "cache"
    env: dict[str, str | None] = {"CONTRACTSYNC_CACHE_DIR": str(cache)}
    web = tmp_path / "web"
    web.mkdir()
    with spec_server(tmp_path, v1_spec, "etag") as (url, log):
        (web / "contractsync.toml").write_text(f'[pull]\nsource = "{url}"\ntypes = "types.ts"\n', encoding="utf-8")
        assert cli(monkeypatch, capsys, web, "pull", "--update", env=env).code == 0
        [answer] = (cache / "answers").iterdir()
        digest = json.loads(answer.read_bytes())["digest"]
        answer.write_bytes(saved.replace(b'"U"', json.dumps(url).encode()).replace(b'"D"', json.dumps(digest).encode()))
        run = cli(monkeypatch, capsys, web, "pull", "--update", env=env)
        assert run.code == 0, run.err
        last = _requests(log)[-1]
        assert last["status"] == 200 and last["inm"] is None
