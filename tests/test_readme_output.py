"""README and docs output blocks are what the current code prints (docs once showed stale output).

A block marked in README.md or docs/*.md with ``<!-- output: KEY -->`` right above its fence is a
transcript:
``$ command`` lines, each followed by what it prints (stdout and stderr as a terminal shows them).
The test sets up the scenario KEY names, runs every command *as written* with bash (``contractsync``
is this checkout, by a shim on PATH) and compares. In a block, a line ``…`` stands for any number of
lines, ``(exit code N)`` (or ``$ echo $?`` and ``N``) checks the previous command's exit code, and
machine-dependent parts (commit hashes, dates, the registry's port) are normalised on both sides.
A block without ``$`` lines whose key is a ``contractsync …`` command is that command's output, run
in the repository. Blocks in several files may share a key: they must then say the same (docs
must not contradict each other), and the README's is the one that runs.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.gate._repo import V1_DATE, git, make_repo, write_app

REPO = Path(__file__).resolve().parents[1]
README = REPO / "README.md"
FRONTEND = REPO / "examples" / "bookshop" / "frontend"
MARKER = re.compile(r"^<!-- output: (.+?) -->\n```[a-z]*\n(.*?)^```", re.M | re.S)
ELLIPSIS = "…"
README_REGISTRY = "127.0.0.1:8000"
GIT_ENV = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@example.com", "GIT_CONFIG_GLOBAL": "/dev/null",
           "GIT_CONFIG_SYSTEM": "/dev/null"}
#: (pattern, replacement) applied to the README block and to the real output alike.
COMMON_NORMALISE = [
    (re.compile(r"merge base with main \([0-9a-f]{7,40}\)"), "merge base with main (COMMIT)"),
    (re.compile(r"^## \[([^\]]+)\] - \d{4}-\d{2}-\d{2}$", re.M), r"## [\1] - DATE"),
    # the registry's port and the backend's commits (in pull's version lines and the lock)
    (re.compile(r"127\.0\.0\.1:\d+"), "127.0.0.1:PORT"),
    (re.compile(r"(\[sha256:[0-9a-f]{12}), [0-9a-f]{7}\]"), r"\1, COMMIT]"),
    (re.compile(r'"source_commit": "[0-9a-f]{40}"'), '"source_commit": "COMMIT"'),
]


def marked() -> dict[str, list[tuple[Path, str]]]:
    """Every marked block of README.md and docs/*.md, by key: (file, text), the README's first."""
    found: dict[str, list[tuple[Path, str]]] = {}
    for path in [README, *sorted((REPO / "docs").glob("*.md"))]:
        for match in MARKER.finditer(path.read_text(encoding="utf-8")):
            same = found.setdefault(match.group(1), [])
            assert all(p != path for p, _ in same), f"two blocks of {path.name} are marked {match.group(1)!r}"
            same.append((path, match.group(2)))
    return found


def blocks() -> dict[str, str]:
    """The block that runs for each key."""
    return {key: found[0][1] for key, found in marked().items()}


@dataclass
class Step:
    command: str
    expected: list[str] = field(default_factory=list)
    exit_code: int | None = None


def parse(block: str) -> list[Step]:
    steps: list[Step] = []
    for line in block.splitlines():
        if line.startswith("$ echo $?"):
            steps[-1].exit_code = -1  # the next line is the code
        elif line.startswith("$ "):
            steps.append(Step(line[2:]))
        elif steps and steps[-1].exit_code == -1:
            steps[-1].exit_code = int(line)
        elif steps and (code := re.fullmatch(r"\(exit code (\d+)\)", line)):
            steps[-1].exit_code = int(code.group(1))
        else:
            assert steps, f"output before the first command: {line!r}"
            steps[-1].expected.append(line)
    return steps


def normalise(text: str) -> str:
    for pattern, replacement in COMMON_NORMALISE:
        text = pattern.sub(replacement, text)
    return text


def matches(expected: list[str], actual: list[str]) -> bool:
    """Whether ``actual`` is ``expected`` with each ``…`` line standing for any run of lines."""
    if not expected:
        return not actual
    if expected[0].strip() == ELLIPSIS:
        return any(matches(expected[1:], actual[i:]) for i in range(len(actual) + 1))
    return bool(actual) and expected[0] == actual[0] and matches(expected[1:], actual[1:])


@pytest.fixture(scope="module")
def shim(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The environment commands run in: `contractsync` is this checkout's, run by this Python."""
    bin_dir = tmp_path_factory.mktemp("bin")
    script = bin_dir / "contractsync"
    script.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m contractsync "$@"\n', encoding="utf-8")
    script.chmod(0o755)
    env = dict(os.environ, **GIT_ENV)
    env["PATH"] = os.pathsep.join([str(bin_dir), env.get("PATH", "")])
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    env.update(NO_COLOR="1", COLUMNS="200", PYTHONUNBUFFERED="1", HOME=str(bin_dir))
    env.pop("VIRTUAL_ENV", None)  # the app is imported with contractsync's own interpreter
    env.pop("FORCE_COLOR", None)
    return env


def run_block(key: str, cwd: Path, env: dict[str, str], *, port: int | None = None) -> None:
    """Run the README block ``key`` in ``cwd`` and compare every command's output and exit code.
    With ``port``, the README's registry address (port 8000) is that port's in the commands."""
    block = blocks().get(key)
    assert block is not None, f"README.md has no block marked <!-- output: {key} -->"
    for step in parse(block):
        command = step.command if port is None else step.command.replace(README_REGISTRY, f"127.0.0.1:{port}")
        proc = subprocess.run(["bash", "-c", command], cwd=cwd, env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True, timeout=300, check=False)
        actual = normalise(proc.stdout).splitlines()
        expected = normalise("\n".join(step.expected)).splitlines()
        assert matches(expected, actual), (
            f"README block {key!r}: `{step.command}` printed\n{proc.stdout}\n"
            f"but the README shows\n" + "\n".join(step.expected))
        if step.exit_code is not None:
            assert proc.returncode == step.exit_code, f"`{step.command}`: exit code {proc.returncode}"


def excerpt_of(key: str, text: str) -> None:
    """The README block ``key`` is a run of consecutive lines of ``text`` (after normalising)."""
    block = blocks().get(key)
    assert block is not None, f"README.md has no block marked <!-- output: {key} -->"
    want = normalise(block).splitlines()
    have = normalise(text).splitlines()
    assert any(have[i:i + len(want)] == want for i in range(len(have))), (
        f"README block {key!r} is not in the file, which reads\n{text}")


# --- the scenarios ---------------------------------------------------------------------------------

DIFF = "contractsync diff --app-dir examples/bookshop/v2"
CHECK = "contractsync check (a shop whose branch drops the required field Book.isbn)"
CHANGELOG = "contracts/CHANGELOG.md after the check example"
GENERATE = "contractsync generate typescript (the bookshop v1 app in backend/)"
VALIDATE = "contractsync validate broken.json"
INIT = "contractsync init (bookshop v1 in backend/ of a git repository)"
IMPACT = "contractsync impact --frontend examples/bookshop/frontend --app-dir examples/bookshop/v2"
PUBLISH_V1 = "contractsync publish (bookshop v1, then again)"
PULL_FIRST = "contractsync pull (the frontend's first pull, v1)"
PUBLISH_V2 = "contractsync publish (the bookshop's v2 code: refused, announced, published)"
PULL_UPDATE = "contractsync pull --update (v1 → v2)"
PULL_CHECK = "contractsync pull --check (an edited output)"
PULL_OFFLINE = "contractsync pull (the registry is down)"


def test_diff_before_merging(shim: dict[str, str]) -> None:
    """Workflow 1, what `make demo` shows: the stored contract against the v2 app (read only)."""
    run_block(DIFF, REPO, shim)


@pytest.fixture(scope="module")
def shop_after_check(tmp_path_factory: pytest.TempPathFactory, shim: dict[str, str]) -> Iterator[Path]:
    """Workflow 2: main has the shop's v1 accepted; a branch drops Book.isbn; the README's
    check → announce → accept → check sequence runs on it."""
    repo = tmp_path_factory.mktemp("check") / "shop"
    make_repo(repo)
    accepted = subprocess.run(["contractsync", "accept", "--now", V1_DATE], cwd=repo, env=shim,
                              capture_output=True, text=True, check=False, timeout=120)
    assert accepted.returncode == 0, accepted.stderr
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "v1")
    git(repo, "checkout", "-q", "-b", "drop-isbn")
    write_app(repo, isbn=False)
    run_block(CHECK, repo, shim)
    yield repo


def test_ci_gate(shop_after_check: Path) -> None:
    assert not (shop_after_check / "contracts" / "announcements.yaml").exists()


def test_changelog_after_the_gate(shop_after_check: Path) -> None:
    excerpt_of(CHANGELOG, (shop_after_check / "contracts" / "CHANGELOG.md").read_text(encoding="utf-8"))


def _bookshop_backend(root: Path) -> Path:
    backend = root / "backend"
    backend.mkdir(parents=True)
    shutil.copytree(REPO / "examples" / "bookshop" / "v1" / "bookshop", backend / "bookshop",
                    ignore=shutil.ignore_patterns("__pycache__"))
    (root / "frontend" / "src" / "api").mkdir(parents=True)
    return backend


def test_frontend_types(tmp_path: Path, shim: dict[str, str]) -> None:
    """Workflow 3: the README's [tool.contractsync] table, then export and generate typescript."""
    _bookshop_backend(tmp_path)
    toml = re.search(r"```toml\n(\[tool\.contractsync\]\napp = \"bookshop.main:app\"\n.*?)```",
                     README.read_text(encoding="utf-8"), re.S)
    assert toml, "README's [tool.contractsync] example for workflow 3 is gone"
    (tmp_path / "pyproject.toml").write_text(toml.group(1), encoding="utf-8")
    run_block(GENERATE, tmp_path, shim)


def test_bad_input_message(tmp_path: Path, shim: dict[str, str]) -> None:
    (tmp_path / "broken.json").write_text('{\n  "openapi": "3.1.0",\n  "info": ,\n}\n', encoding="utf-8")
    run_block(VALIDATE, tmp_path, shim)


def test_init_in_a_monorepo(tmp_path: Path, shim: dict[str, str]) -> None:
    backend = _bookshop_backend(tmp_path)
    git(tmp_path, "init", "-q", "-b", "main")
    run_block(INIT, backend, shim)


@pytest.mark.slow
def test_frontend_impact(shim: dict[str, str]) -> None:
    """The example Vue frontend's own vue-tsc, with the stored and the v2 types (about 10 s)."""
    if not (FRONTEND / "node_modules" / ".bin" / "vue-tsc").exists():
        pytest.skip(f"{FRONTEND}/node_modules is missing: run `make frontend` (npm ci there)")
    run_block(IMPACT, REPO, shim)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _wait_for(port: int, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert server.poll() is None, f"contractsync serve exited with {server.returncode}"
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    pytest.fail(f"contractsync serve did not listen on port {port} within 60 s")


def _cli(cwd: Path, env: dict[str, str], *args: str) -> str:
    proc = subprocess.run(["contractsync", *args], cwd=cwd, env=env, capture_output=True, text=True,
                          check=False, timeout=120)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def _use_bookshop(backend: Path, version: str) -> None:
    shutil.rmtree(backend / "bookshop", ignore_errors=True)
    shutil.copytree(REPO / "examples" / "bookshop" / version / "bookshop", backend / "bookshop",
                    ignore=shutil.ignore_patterns("__pycache__"))


def test_frontend_in_another_repository(tmp_path: Path, shim: dict[str, str]) -> None:
    """Workflow 5: a real registry (uvicorn in a child process on a free port, stopped by its
    PID), the bookshop backend publishing v1 then v2, a frontend repository pulling them."""
    env = dict(shim, CONTRACTSYNC_CACHE_DIR=str(tmp_path / "cache"))
    data, port = tmp_path / "registry-data", _free_port()
    server = subprocess.Popen(["contractsync", "serve", "--data", str(data), "--port", str(port)], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait_for(port, server)
        tokens = {scope: _cli(tmp_path, env, "registry", "token", "create", f"readme-{scope}", "--scope", scope,
                              "--data", str(data)).split()[0] for scope in ("publish", "read")}
        backend_env = dict(env, CONTRACTSYNC_TOKEN=tokens["publish"])
        frontend_env = dict(env, CONTRACTSYNC_TOKEN=tokens["read"])
        backend, frontend = tmp_path / "backend", tmp_path / "frontend"
        backend.mkdir()
        frontend.mkdir()
        _use_bookshop(backend, "v1")
        git(backend, "init", "-q", "-b", "main")
        _cli(backend, env, "init", "--app", "bookshop.main:app", "--accept")
        (backend / ".gitignore").write_text("__pycache__/\n", encoding="utf-8")
        git(backend, "add", "-A")
        git(backend, "commit", "-q", "-m", "bookshop v1")
        run_block(PUBLISH_V1, backend, backend_env, port=port)

        toml = re.search(r"```toml\n(\[pull\]\nregistry = .*?)```", README.read_text(encoding="utf-8"), re.S)
        assert toml, "README's [pull] example for workflow 5 is gone"
        (frontend / "contractsync.toml").write_text(toml.group(1).replace(README_REGISTRY, f"127.0.0.1:{port}"),
                                                    encoding="utf-8")
        run_block(PULL_FIRST, frontend, frontend_env, port=port)

        _use_bookshop(backend, "v2")
        run_block(PUBLISH_V2, backend, backend_env, port=port)
        run_block(PULL_UPDATE, frontend, frontend_env, port=port)
        run_block(PULL_CHECK, frontend, frontend_env, port=port)
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
    run_block(PULL_OFFLINE, frontend, frontend_env, port=port)


SCENARIOS: dict[str, Callable[..., None]] = {
    DIFF: test_diff_before_merging, CHECK: test_ci_gate, CHANGELOG: test_changelog_after_the_gate,
    GENERATE: test_frontend_types, VALIDATE: test_bad_input_message, INIT: test_init_in_a_monorepo,
    IMPACT: test_frontend_impact,
    **dict.fromkeys([PUBLISH_V1, PULL_FIRST, PUBLISH_V2, PULL_UPDATE, PULL_CHECK, PULL_OFFLINE],
                    test_frontend_in_another_repository),
}


def test_every_marked_block_has_a_scenario() -> None:
    """A marker this file does not know would silently go unchecked."""
    assert set(blocks()) - set(SCENARIOS) == {key for key in blocks() if _is_command_output(key)}
    assert set(SCENARIOS) <= set(blocks())


def _without_exit_codes(block: str) -> list[str]:
    lines = block.splitlines()
    kept = [line for line in lines if not re.fullmatch(r"\(exit code \d+\)", line)]
    return [line for i, line in enumerate(kept)
            if line != "$ echo $?" and not (i and kept[i - 1] == "$ echo $?")]


@pytest.mark.parametrize("key", sorted(key for key, found in marked().items() if len(found) > 1))
def test_blocks_sharing_a_key_agree(key: str) -> None:
    (first, text), *others = marked()[key]
    for path, other in others:
        assert _without_exit_codes(other) == _without_exit_codes(text), (
            f"{path.relative_to(REPO)} and {first.relative_to(REPO)} show {key!r} differently")


def _is_command_output(key: str) -> bool:
    return key.startswith("contractsync ") and not any(line.startswith("$ ") for line in blocks()[key].splitlines())


@pytest.mark.parametrize("key", sorted(key for key in blocks() if _is_command_output(key)))
def test_command_output_block(key: str, shim: dict[str, str]) -> None:
    """A block showing one command's output (docs/diff.md's format samples)."""
    proc = subprocess.run(["bash", "-c", key], cwd=REPO, env=shim, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True, timeout=300, check=False)
    expected = normalise(blocks()[key]).splitlines()
    assert matches(expected, normalise(proc.stdout).splitlines()), (
        f"`{key}` printed\n{proc.stdout}\nbut the docs show\n{blocks()[key]}")


@pytest.mark.parametrize(("expected", "actual", "ok"), [
    (["a", "b"], ["a", "b"], True),
    (["a", "…", "d"], ["a", "b", "c", "d"], True),
    (["a", "…"], ["a"], True),
    (["a", "…", "d"], ["a", "b", "c"], False),
    (["a"], ["a", "b"], False),
])
def test_ellipsis_matching(expected: list[str], actual: list[str], ok: bool) -> None:
    assert matches(expected, actual) is ok
