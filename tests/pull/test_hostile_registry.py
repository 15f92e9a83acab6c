"""``pull`` against a hostile registry (tests/pull/hostile_registry.py, a real uvicorn child on a
free loopback port): content that is not its digest, answers that trickle, stall or never end, a
redirect to another origin, stored types that are not their ETag. Each ends in a one-line error,
exit 2, and nothing written — or, for the redirect, a pull that never sends the token away."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from contractsync.client import http as http_mod

from ._helpers import REPO, Run, cli, free_port, module_env


@pytest.fixture(scope="module")
def stub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    port = free_port()
    log = tmp_path_factory.mktemp("stub") / "stub.log"
    with log.open("wb") as fh:
        proc = subprocess.Popen([sys.executable, "-m", "uvicorn", "tests.pull.hostile_registry:app", "--host",
                                 "127.0.0.1", "--port", str(port), "--log-level", "warning",
                                 "--timeout-graceful-shutdown", "1"],
                                cwd=REPO, env=module_env(), stdout=fh, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                httpx.get(f"{url}/seen", timeout=1)
                break
            except httpx.HTTPError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(log.read_text()) from None
                time.sleep(0.1)
        yield url
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(5)


def pull(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], registry: str,
         *, timeout: float = 30, token: str | None = None, args: tuple[str, ...] = ()) -> Run:
    root = tmp_path / "fe"
    root.mkdir(exist_ok=True)
    (root / "contractsync.toml").write_text(
        f'[pull]\nregistry = "{registry}"\ncontract = "shop"\nref = "label:main"\ntimeout = {timeout}\n'
        'types = "src/api/types.ts"\nopenapi = "src/api/openapi.json"\n', encoding="utf-8")
    return cli(monkeypatch, capsys, root, "pull", *args,
               env={"CONTRACTSYNC_CACHE_DIR": str(tmp_path / "cache"), "CONTRACTSYNC_TOKEN": token})


def written(tmp_path: Path) -> list[str]:
    return sorted(p.name for p in (tmp_path / "fe").rglob("*") if p.is_file() and p.name != "contractsync.toml")


def test_a_well_behaved_stub_installs(stub: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    r = pull(tmp_path, monkeypatch, capsys, f"{stub}/ok")
    assert r.code == 0, r.err
    assert written(tmp_path) == ["contractsync.lock", "openapi.json", "types.ts"]


def test_content_that_is_not_its_digest_is_refused(stub: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    r = pull(tmp_path, monkeypatch, capsys, f"{stub}/wrong")
    assert r.code == 2
    assert "does not match its digest" in r.err and len(r.err.strip().splitlines()) == 1
    assert written(tmp_path) == []


def test_types_that_are_not_their_etag_are_refused(stub: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    """A registry answering with this generator's headers had its types.ts written as is: bytes
    that are not the artifact their ETag names (altered on the way) were trusted."""
    r = pull(tmp_path, monkeypatch, capsys, f"{stub}/types", args=("--generate", "registry"))
    assert r.code == 2, r.err
    assert "do not match their ETag" in r.err and len(r.err.strip().splitlines()) == 1
    assert written(tmp_path) == []


@pytest.mark.parametrize("generate", ["local", "verify", "registry"])
def test_tampered_types_with_a_matching_etag(stub: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                             capsys: pytest.CaptureFixture[str], generate: str) -> None:
    """A compromised registry serves other types under the ETag of their own bytes and this
    generator's headers: the default (local) never asks for them, --generate verify refuses in one
    line naming the contract and version, and only an explicit --generate registry trusts them."""
    from tests.pull.hostile_registry import DIGEST, EVIL_TYPES

    before = sum(1 for s in httpx.get(f"{stub}/seen").json() if s["mode"] == "tampered" and "types.ts" in s["path"])
    r = pull(tmp_path, monkeypatch, capsys, f"{stub}/tampered",
             args=() if generate == "local" else ("--generate", generate))
    asked = sum(1 for s in httpx.get(f"{stub}/seen").json() if s["mode"] == "tampered" and "types.ts" in s["path"])
    types = tmp_path / "fe" / "src/api/types.ts"
    if generate == "verify":
        assert r.code == 2, r.err
        assert len(r.err.strip().splitlines()) == 1
        assert f"the types served for shop version 1 ({DIGEST}) are not the ones generated here" in r.err
        assert written(tmp_path) == []
        return
    assert r.code == 0, r.err
    lock = (tmp_path / "fe" / "contractsync.lock").read_text(encoding="utf-8")
    assert f'"generate": "{generate}"' in lock
    if generate == "local":
        assert asked == before  # never downloaded
        assert types.read_bytes() != EVIL_TYPES and b"list_books" in types.read_bytes()
        # A registry lock written before the setting existed may hold the registry's types: drift.
        lock_path = tmp_path / "fe" / "contractsync.lock"
        lock_path.write_text(lock.replace('"generate": "local",', ""), encoding="utf-8")
        old = pull(tmp_path, monkeypatch, capsys, f"{stub}/tampered", args=("--check",))
        assert old.code == 1 and "an unrecorded [pull] generate" in old.out
        assert pull(tmp_path, monkeypatch, capsys, f"{stub}/tampered").code == 0
        assert lock_path.read_text(encoding="utf-8") == lock
    else:
        assert types.read_bytes() == EVIL_TYPES
    # Switching the setting is drift that `pull --check` reports, and `pull` repairs.
    other = "registry" if generate == "local" else "local"
    drift = pull(tmp_path, monkeypatch, capsys, f"{stub}/tampered", args=("--check", "--generate", other))
    assert drift.code == 1 and f"generate = '{generate}', the config says generate = '{other}'" in drift.out


@pytest.mark.parametrize("mode", ["slow", "stall"])
def test_a_slow_registry_times_out_as_configured(stub: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                 capsys: pytest.CaptureFixture[str], mode: str) -> None:
    """`timeout` is "seconds an HTTP request may take", but httpx bounds each read: a contract
    trickled a byte every 0.2 s never timed out (the whole answer, here ~60 s, was waited for)."""
    started = time.monotonic()
    r = pull(tmp_path, monkeypatch, capsys, f"{stub}/{mode}", timeout=1)
    assert r.code == 2
    assert "did not answer within 1 s" in r.err and len(r.err.strip().splitlines()) == 1
    assert written(tmp_path) == []
    assert time.monotonic() - started < 30  # not a timing assertion: the trickle takes minutes


def test_an_endless_answer_is_cut_at_the_cap(stub: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(http_mod, "MAX_BODY", 4 * 2**20)
    r = pull(tmp_path, monkeypatch, capsys, f"{stub}/huge")
    assert r.code == 2 and "larger than 4 MiB" in r.err
    assert written(tmp_path) == []


def test_the_token_never_follows_a_redirect_to_another_origin(stub: str, tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    before = len(httpx.get(f"{stub}/seen").json())
    r = pull(tmp_path, monkeypatch, capsys, f"{stub}/redirect", token="cst_0123456789ab_secret")
    assert r.code == 0, r.err
    seen = httpx.get(f"{stub}/seen").json()[before:]
    assert {s["mode"] for s in seen} == {"redirect", "ok"}
    assert all(s["authorization"] == "Bearer cst_0123456789ab_secret" for s in seen if s["mode"] == "redirect")
    assert all(s["authorization"] is None for s in seen if s["mode"] == "ok")


def test_a_deep_contract_is_refused_with_the_place(stub: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    """A contract nested 1,000 levels deep, served under its own digest, was parsed with a bare
    orjson.loads and crashed canonical JSON / the generator ('internal error: RecursionError')."""
    r = pull(tmp_path, monkeypatch, capsys, f"{stub}/deep")
    assert r.code == 2 and "internal error" not in r.err, r.err
    assert "nested too deeply" in r.err and len(r.err.strip().splitlines()) == 1
    assert written(tmp_path) == []


@pytest.mark.parametrize("pending", [
    "announcements: " + "[" * 50_000 + "]" * 50_000 + "\n",
    "a: &a [" + ",".join(["x"] * 10) + "]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [" + ",".join([f"*{chr(97 + i)}"] * 10) + "]\n" for i in range(8)),
])
def test_hostile_reasons_next_to_a_plain_source_are_ignored(tmp_path: Path, pending: str) -> None:
    """announcements.yaml next to a plain source went through a bare yaml.safe_load: deep
    nesting crashed pull --update (RecursionError). It now goes through the loader policy (depth,
    alias expansion) and, being extra information, is ignored when refused."""
    from contractsync.client.origin import PlainOrigin
    from tests.pull.hostile_registry import CANON

    (tmp_path / "openapi.json").write_bytes(CANON)
    (tmp_path / "announcements.yaml").write_text(pending, encoding="utf-8")
    origin = PlainOrigin("openapi.json", tmp_path)
    assert origin.reasons() == {}


@pytest.mark.parametrize("sig", ["SIGTERM", "SIGHUP"])
def test_watch_stops_at_once_while_a_poll_hangs(stub: str, tmp_path: Path, sig: str) -> None:
    """SIGTERM to `pull --watch` while its poll waited on a registry that never answers was
    honoured only when the request timed out (30 s by default: a service manager's SIGKILL comes
    first). The request in flight is now abandoned when the watcher is told to stop."""
    root = tmp_path / "fe"
    root.mkdir()
    (root / "contractsync.toml").write_text(
        f'[pull]\nregistry = "{stub}/stall"\ncontract = "shop"\nref = "label:main"\ntypes = "t.ts"\ntimeout = 600\n',
        encoding="utf-8")
    before = sum(1 for s in httpx.get(f"{stub}/seen").json() if s["mode"] == "stall")
    proc = subprocess.Popen([sys.executable, "-m", "contractsync", "pull", "--watch", "--interval", "1"], cwd=root,
                            env=module_env({"CONTRACTSYNC_CACHE_DIR": str(tmp_path / "cache")}),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while sum(1 for s in httpx.get(f"{stub}/seen").json() if s["mode"] == "stall") == before:
            assert time.monotonic() < deadline and proc.poll() is None
            time.sleep(0.1)
        time.sleep(0.5)  # the poll is in flight
        proc.send_signal(getattr(signal, sig))
        _, err = proc.communicate(timeout=20)  # far below the 600 s the request would wait
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0, err
    assert err.strip().splitlines()[-1].endswith("stopped"), err


def test_a_cancelled_request_ends_its_thread(stub: str) -> None:
    """Cancelling a request whose headers never come raised at once, but left its daemon thread
    blocked in recv() until httpx's read timeout (600 s here). The cancel path now shuts the
    request's socket down, so the thread is gone when the call returns."""
    import threading

    from contractsync.client.http import RegistryClient, RegistryError

    cancel = threading.Event()
    before = sum(1 for s in httpx.get(f"{stub}/seen").json() if s["mode"] == "stall")

    def cancel_once_in_flight() -> None:
        while sum(1 for s in httpx.get(f"{stub}/seen").json() if s["mode"] == "stall") == before:
            time.sleep(0.05)
        cancel.set()
    trigger = threading.Thread(target=cancel_once_in_flight, daemon=True)
    trigger.start()
    with RegistryClient(f"{stub}/stall", timeout=600, cancel=cancel) as client, \
            pytest.raises(RegistryError, match="stopped while waiting"):
        client.get("/v1/contracts/shop/labels/main")
    trigger.join()
    assert [t.name for t in threading.enumerate() if t.name == "contractsync-http"] == []


def test_terminal_escapes_from_a_registry_are_printed_visibly(stub: str, tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    """A registry's info_version (or a contract's title, paths, descriptions) reached the terminal
    raw: ESC sequences that clear the screen, move the cursor over earlier lines, set the title."""
    r = pull(tmp_path, monkeypatch, capsys, f"{stub}/ansi")
    assert r.code == 0, r.err
    for stream in (r.out, r.err):
        assert "\x1b" not in stream and "\x07" not in stream and "\x9b" not in stream and "\r" not in stream
    assert "1.0\\x1b]0;pwned" in r.err + r.out


@pytest.mark.parametrize("diff", ["empty", "garbage"])
def test_a_registry_cannot_hide_a_breaking_change(stub: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                  capsys: pytest.CaptureFixture[str], diff: str) -> None:
    """`pull --update` took the list of changes from the registry's /diff: a registry (or a proxy)
    answering "no changes" let a removed operation through without --accept-breaking, and a
    malformed item was 'internal error: KeyError'. The changes now come from the two verified
    contracts; the registry's answer gives the reasons only."""
    httpx.post(f"{stub}/liar/reset")
    assert pull(tmp_path, monkeypatch, capsys, f"{stub}/liar").code == 0
    lock = (tmp_path / "fe" / "contractsync.lock").read_text()
    httpx.post(f"{stub}/liar/next", params={"diff": diff})
    root = tmp_path / "fe"
    r = cli(monkeypatch, capsys, root, "pull", "--update",
            env={"CONTRACTSYNC_CACHE_DIR": str(tmp_path / "cache"), "CONTRACTSYNC_TOKEN": None})
    assert r.code == 1, r.out + r.err
    assert "internal error" not in r.err
    assert "GET /books" in r.out + r.err and "breaking" in (r.out + r.err).lower()
    assert (root / "contractsync.lock").read_text() == lock  # refused: nothing written
