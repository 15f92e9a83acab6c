"""``contractsync pull`` (#9) on GitHub's REST description (13 MB JSON), in-process with the
interpreter warm (a CLI run adds ~0.3 s of start-up):

* installing when the outputs already match the lock (what a CI job or a pre-build hook runs);
* ``pull --check`` (hashes the outputs, reads the lock; no network);
* ``pull --update`` from a plain file source that did not change (read, canonicalize, digest);
* installing offline from the local cache with the types regenerated here;
* a first install from a real ``contractsync serve`` (SQLite, loopback), once per ``[pull]
  generate``: ``local`` (the contract downloaded and verified, the types generated here),
  ``verify`` (also the stored types downloaded and compared) and ``registry`` (the stored types
  downloaded and used).

Run with ``python benchmarks/run.py -k pull``.
"""

from __future__ import annotations

import atexit
import contextlib
import functools
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from harness import CORPUS, REPO, Case

GITHUB = CORPUS / "large" / "github-octokit-23.0.2.json"
WORK = Path(tempfile.gettempdir()) / "contractsync-bench-pull"
_state: dict[str, Any] = {}


def _frontend(name: str, table: str) -> Any:
    from contractsync.client.config import load_pull_config

    root = WORK / name
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True)
    (root / "contractsync.toml").write_text("[pull]\n" + table + 'types = "src/api/types.ts"\n', encoding="utf-8")
    os.environ["CONTRACTSYNC_CACHE_DIR"] = str(WORK / f"cache-{name}")
    shutil.rmtree(WORK / f"cache-{name}", ignore_errors=True)
    return load_pull_config(root / "contractsync.toml")


def _plain_setup() -> None:
    from contractsync.client.pull import install

    settings = _frontend("plain", f'source = "{GITHUB}"\n')
    install(settings)
    _state["settings"] = settings


def _installed() -> None:
    from contractsync.client.pull import install

    outcome = install(_state["settings"])
    assert not outcome.written


def _check() -> None:
    from contractsync.client.pull import check

    assert check(_state["settings"]) == []


def _update_unchanged() -> None:
    from contractsync.client.pull import update

    assert not update(_state["settings"]).report.changed


def _offline() -> None:
    from contractsync.client.pull import install

    settings = _state["settings"]
    (settings.root / "src/api/types.ts").unlink()
    outcome = install(settings)
    assert outcome.contract_from == "cache" and outcome.types_from == "generated"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _registry_setup(mode: str) -> None:
    if "url" not in _state:
        _start_registry()
    _state["registry"] = _frontend(f"registry-{mode}", f'registry = "{_state["url"]}"\ncontract = "github"\n'
                                                       f'generate = "{mode}"\n')


def _start_registry() -> None:
    import httpx

    data = WORK / "registry-data"
    shutil.rmtree(data, ignore_errors=True)
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    token = subprocess.run([sys.executable, "-m", "contractsync", "registry", "token", "create", "bench",
                            "--scope", "publish", "--scope", "read", "--data", str(data)],
                           capture_output=True, text=True, check=True, env=env).stdout.splitlines()[0]
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "contractsync", "serve", "--data", str(data), "--port", str(port),
                             "--log-level", "warning"], env=env, start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    atexit.register(lambda: _stop(proc))
    url = f"http://127.0.0.1:{port}"
    for _ in range(300):
        with contextlib.suppress(httpx.HTTPError):
            httpx.get(f"{url}/v1/contracts", timeout=1)
            break
        time.sleep(0.1)
    os.environ["CONTRACTSYNC_TOKEN"] = token
    body = b'{"openapi": ' + GITHUB.read_bytes() + b', "announcements": []}'
    answer = httpx.post(f"{url}/v1/contracts/github/versions", params={"label": "main"}, content=body,
                        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
                        timeout=600)
    assert answer.status_code in (200, 201), answer.text[:300]
    # The registry generates the stored types on the first request; later pulls get them stored.
    httpx.get(f"{url}/v1/contracts/github/versions/1/types.ts", headers={"Authorization": f"Bearer {token}"},
              timeout=600)
    _state["url"] = url


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)


def _first_install_from_registry() -> None:
    from contractsync.client.pull import install

    settings = _state["registry"]
    shutil.rmtree(Path(os.environ["CONTRACTSYNC_CACHE_DIR"]), ignore_errors=True)
    for name in ("src/api/types.ts", "contractsync.lock"):
        (settings.root / name).unlink(missing_ok=True)
    outcome = install(settings)
    made = {"local": "generated", "verify": "verified", "registry": "registry"}[settings.config.generate]
    assert outcome.contract_from == "registry" and outcome.types_from == made, outcome


def cases() -> list[Case]:
    missing = None if GITHUB.exists() else f"{GITHUB} not present (../shared/corpus)"
    note = "GitHub 13 MB"
    return [
        Case("pull, outputs already match the lock", func=_installed, setup=_plain_setup, repeat=7, skip=missing,
             note=f"{note}: hashes the 6 MB types file, no network"),
        Case("pull --check", func=_check, setup=_plain_setup, repeat=7, skip=missing, note=f"{note}: no network"),
        Case("pull --update, plain file source unchanged", func=_update_unchanged, setup=_plain_setup, repeat=5,
             skip=missing, note=f"{note}: read + canonicalize + digest the source"),
        Case("pull offline from the cache, types regenerated", func=_offline, setup=_plain_setup, repeat=5,
             skip=missing, note=f"{note}: verify the cached contract, generate, write"),
        *(Case(f"pull, first install from contractsync serve, generate = {mode}", func=_first_install_from_registry,
               setup=functools.partial(_registry_setup, mode), repeat=5, skip=missing, note=f"{note}: {what}")
          for mode, what in (
              ("local", "contract downloaded over loopback and verified, types generated here (the default)"),
              ("verify", "contract + stored types downloaded, types also generated here and compared"),
              ("registry", "contract + stored types downloaded over loopback, both verified against their digests"))),
    ]
