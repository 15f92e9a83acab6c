"""A frontend directory: its types file, its type-check command, the throwaway copy."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from contractsync.errors import InputError
from contractsync.impact.frontend import copy_frontend, detect_command, find_types, load_frontend


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


@pytest.mark.parametrize(("files", "expected"), [
    ({"contractsync.toml": '[pull]\ntypes = "src/api/types.ts"\n[pull.typescript]\nenum = true\n'},
     ("src/api/types.ts", {"enum": True})),
    ({"contractsync.lock": json.dumps({"lock_version": 1, "outputs": {
        "src/api/openapi.json": "sha256:1", "src/gen/api.ts": "sha256:2"}})},
     ("src/gen/api.ts", {})),
    ({"contractsync.toml": '[pull]\nsource = "x"\n',
      "contractsync.lock": json.dumps({"outputs": {"b.ts": "sha256:1"}})}, ("b.ts", {})),
    ({}, (None, {})),
    ({"contractsync.toml": '[[pull]]\nname = "a"\nsource = "x"\ntypes = "a.ts"\n[pull.typescript]\nenum = true\n'},
     ("a.ts", {"enum": True})),
], ids=["toml", "lock", "toml without types falls back to the lock", "neither", "one [[pull]] entry"])
def test_find_types(tmp_path: Path, files: dict[str, str], expected: tuple[object, object]) -> None:
    for name, text in files.items():
        _write(tmp_path / name, text)
    assert find_types(tmp_path) == expected


def test_find_types_of_several_contracts(tmp_path: Path) -> None:
    """A frontend pulling two contracts: --types picks the entry (and its options); without it the
    choice is the user's, said on one line."""
    from contractsync.errors import InputError

    _write(tmp_path / "contractsync.toml", '[[pull]]\nname = "a"\nsource = "x"\ntypes = "a.ts"\n'
           '[[pull]]\nname = "b"\nsource = "y"\ntypes = "b.ts"\n[pull.typescript]\nenum = true\n')
    assert find_types(tmp_path, "b.ts") == ("b.ts", {"enum": True})
    assert find_types(tmp_path, "a.ts") == ("a.ts", {})
    with pytest.raises(InputError, match=r"lists 2 contracts \(\[\[pull\]\]\): pass --types with one of a.ts, b.ts"):
        find_types(tmp_path)


@pytest.mark.parametrize(("deps", "expected"), [
    ({"devDependencies": {"vue-tsc": "3", "typescript": "5"}}, ["vue-tsc", "--noEmit"]),
    ({"dependencies": {"typescript": "5"}}, ["tsc", "--noEmit"]),
    ({"dependencies": {"vue": "3"}}, None),
])
def test_detect_command(tmp_path: Path, deps: dict[str, object], expected: list[str] | None) -> None:
    _write(tmp_path / "package.json", json.dumps(deps))
    if expected is None:
        with pytest.raises(InputError, match="--typecheck-cmd"):
            detect_command(tmp_path)
    else:
        assert detect_command(tmp_path) == (expected, True)


@pytest.mark.parametrize(("types", "message"), [("../outside.ts", "inside the frontend"),
                                               ("/abs/types.ts", "inside the frontend")])
def test_types_must_stay_inside(tmp_path: Path, types: str, message: str) -> None:
    _write(tmp_path / "package.json", json.dumps({"devDependencies": {"typescript": "5"}}))
    with pytest.raises(InputError, match=message):
        load_frontend(tmp_path, types=types)


def test_bad_inputs_are_one_line_errors(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such directory"):
        load_frontend(tmp_path / "missing")
    _write(tmp_path / "contractsync.toml", "[pull\n")
    with pytest.raises(InputError, match="invalid TOML"):
        load_frontend(tmp_path)


def test_copy_skips_build_output_and_links_node_modules(tmp_path: Path) -> None:
    src = tmp_path / "web"
    for name in ("src/a.ts", "dist/a.js", ".git/HEAD", "node_modules/x/index.js",
                 "packages/ui/node_modules/y/index.js", "packages/ui/src/b.ts"):
        _write(src / name, "x")
    dest = tmp_path / "copy"
    copy_frontend(src, dest)
    assert (dest / "src" / "a.ts").is_file() and (dest / "packages" / "ui" / "src" / "b.ts").is_file()
    assert not (dest / "dist").exists() and not (dest / ".git").exists()
    for nm in ("node_modules", "packages/ui/node_modules"):
        assert (dest / nm).is_symlink() and (dest / nm).resolve() == (src / nm).resolve()


@pytest.mark.parametrize(("files", "message"), [
    ({"package.json": "{\n  'x': 1}\n", "contractsync.toml": '[pull]\ntypes = "t.ts"\n'},
     r"package\.json:2:3: invalid JSON"),
    ({"package.json": '{"devDependencies": {"typescript": "5"}}', "contractsync.lock": "[]"},
     "cannot find the generated types file"),
    ({"package.json": "[]", "contractsync.toml": '[pull]\ntypes = "t.ts"\n'}, "neither vue-tsc nor typescript"),
], ids=["malformed package.json names file:line:col", "a lock that is a list", "a package.json that is a list"])
def test_wrong_shaped_frontend_files(tmp_path: Path, files: dict[str, str], message: str) -> None:
    for name, text in files.items():
        _write(tmp_path / name, text)
    with pytest.raises(InputError) as info:
        load_frontend(tmp_path)
    assert info.match(message)
    assert "\n" not in str(info.value)


def test_missing_type_checker_names_the_users_frontend(tmp_path: Path) -> None:
    """The check runs in a temporary copy; the error names the frontend the user gave."""
    from contractsync.impact import analyse

    _write(tmp_path / "package.json", json.dumps({"devDependencies": {"vue-tsc": "3"}}))
    _write(tmp_path / "contractsync.toml", '[pull]\ntypes = "src/api/types.ts"\n')
    spec = {"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": {}}
    with pytest.raises(InputError) as info:
        analyse(tmp_path, spec, spec, typecheck_cmd="no-such-type-checker-xyz --noEmit", use_cache=False)
    assert info.value.source == str(tmp_path)
    assert "no-such-type-checker-xyz" in str(info.value)


@pytest.mark.parametrize("link", ["file", "directory"])
def test_symlinked_types_in_the_frontend_are_never_written(tmp_path: Path, link: str) -> None:
    """A types file (or its folder) linked elsewhere, as monorepos do: the copy's types are
    written to the copy, never through the link into the user's files."""
    from contractsync.impact import analyse

    shared = tmp_path / "shared" / "api"
    _write(shared / "types.ts", "// the user's own file\n")
    web = tmp_path / "web"
    _write(web / "package.json", json.dumps({"devDependencies": {"typescript": "5"}}))
    (web / "src" / "api").parent.mkdir(parents=True)
    if link == "file":
        (web / "src" / "api").mkdir()
        (web / "src" / "api" / "types.ts").symlink_to(shared / "types.ts")
    else:
        (web / "src" / "api").symlink_to(shared, target_is_directory=True)
    spec = {"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": {}}
    result = analyse(web, spec, spec, types="src/api/types.ts", typecheck_cmd="true", use_cache=False)
    assert result.new_errors == []
    assert (shared / "types.ts").read_text(encoding="utf-8") == "// the user's own file\n"


_HANGING_CHECKER = """
import os, sys, time
with open(os.environ["PIDS_FILE"], "a") as fh:
    fh.write(f"{os.getpid()}\\n")
time.sleep(300)
"""


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", encoding="utf-8") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


@pytest.mark.skipif(not __import__("sys").platform.startswith("linux"), reason="reads /proc (Linux)")
@pytest.mark.parametrize("sig", ["SIGTERM", "SIGHUP", "SIGKILL"])
def test_killing_impact_ends_the_type_check(tmp_path: Path, sig: str) -> None:
    """A CI cancel, `timeout` or a closed terminal during `impact`: the type-check processes (in
    their own sessions) die too, and the temporary copy goes (after SIGKILL, at the next run)."""
    import signal
    import subprocess
    import sys
    import time

    from tests.conftest import REPO

    spec = {"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": {}}
    web = tmp_path / "web"
    _write(web / "package.json", "{}")
    (tmp_path / "a.json").write_text(json.dumps(spec))
    (tmp_path / "checker.py").write_text(_HANGING_CHECKER)
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    pids = tmp_path / "pids"
    env = {**os.environ, "PIDS_FILE": str(pids), "TMPDIR": str(scratch), "NO_COLOR": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "contractsync", "impact", "--frontend", str(web), "--types", "t.ts", "--no-cache",
         "--typecheck-cmd", f"{sys.executable} {tmp_path / 'checker.py'}", str(tmp_path / "a.json"),
         str(tmp_path / "a.json")],
        cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    expected = 2 if (os.cpu_count() or 1) >= 2 else 1  # BASE and NEW checked at once on 2+ cores
    while (not pids.exists() or len(pids.read_text().split()) < expected) and time.monotonic() < deadline:
        time.sleep(0.1)
    started = [int(p) for p in pids.read_text().split()]
    assert started and all(_alive(p) for p in started)
    proc.send_signal(getattr(signal, sig))
    proc.communicate(timeout=30)
    deadline = time.monotonic() + 10
    while any(_alive(p) for p in started) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not [p for p in started if _alive(p)], "a type-check process outlived impact"
    if sig == "SIGKILL":
        # No handler runs on SIGKILL: the copy stays, marked with its dead owner's PID, and the
        # next run (of impact, pull --update --frontend or watch) removes it (#13).
        assert [p.name.split("-")[2] for p in scratch.iterdir()] == [str(proc.pid)]
        again = subprocess.run(
            [sys.executable, "-m", "contractsync", "impact", "--frontend", str(web), "--types", "t.ts", "--no-cache",
             "--typecheck-cmd", f"{sys.executable} -c pass", str(tmp_path / "a.json"), str(tmp_path / "a.json")],
            cwd=REPO, env=env, capture_output=True, text=True, timeout=120)
        assert again.returncode == 0, again.stderr
    assert list(scratch.iterdir()) == []


def test_a_type_check_that_spews_is_stopped_not_buffered(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A type-check command printing without end (a loop, `yes`, a dump) was read whole into memory
    until the timeout (600 s by default). Past MAX_OUTPUT it is killed with a one-line error."""
    import sys

    from contractsync.impact import frontend

    monkeypatch.setattr(frontend, "MAX_OUTPUT", 2**20)
    spew = [sys.executable, "-c", "import sys\nfor _ in range(40): sys.stdout.write('x' * 2**17 + '\\n')"]
    with pytest.raises(InputError, match=r"printed more than 1 MiB") as info:
        frontend.run_command(spew, tmp_path, timeout=60, where="web")
    assert info.value.one_line().startswith("web: type-check ")
    small = [sys.executable, "-c", "print('src/a.ts(1,1): error TS2322: no')"]
    assert frontend.run_command(small, tmp_path, timeout=60).output == "src/a.ts(1,1): error TS2322: no\n"


@pytest.mark.skipif(not __import__("sys").platform.startswith("linux"), reason="FIFOs, /dev/zero (Linux)")
def test_special_files_and_odd_links_in_the_frontend(tmp_path: Path) -> None:
    """A FIFO or a socket in the frontend tree was 'internal error: shutil.Error'; a dangling link
    'internal error: FileNotFoundError'; a link to /dev/zero was read without end for the cache
    key. Special files are left out of the copy, links are keyed by where they point."""
    import contextlib
    import socket

    from contractsync.impact import analyse

    web = tmp_path / "web"
    _write(web / "package.json", "{}")
    src = web / "src"
    src.mkdir()
    os.mkfifo(src / "pipe")
    sock = socket.socket(socket.AF_UNIX)
    with contextlib.suppress(OSError):  # a path too long for AF_UNIX: the FIFO covers special files
        sock.bind(str(src / "s"))
    (src / "dangling").symlink_to(tmp_path / "nowhere")
    (src / "zero").symlink_to("/dev/zero")
    (src / "loop").symlink_to(src, target_is_directory=True)
    spec = {"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": {}}
    try:
        result = analyse(web, spec, spec, types="src/api/types.ts", typecheck_cmd="true", use_cache=False)
    finally:
        sock.close()
    assert result.new_errors == []


@pytest.mark.skipif(not __import__("sys").platform.startswith("linux"), reason="reads /proc (Linux)")
def test_a_helper_holding_the_output_open_does_not_stall_the_type_check(tmp_path: Path) -> None:
    """A type-check that leaves a helper running (`cmd &`, a watch mode) was waited for until the
    helper closed the pipe, i.e. until the timeout (600 s by default), then failed. The command's
    exit is what counts; the helpers left in its group are killed."""
    import time

    from contractsync.impact import frontend

    pidfile = tmp_path / "helper.pid"
    command = ["sh", "-c", f"sleep 300 & echo $! > {pidfile}; echo 'src/a.ts(1,1): error TS2322: no'"]
    result = frontend.run_command(command, tmp_path, timeout=120, where="web")
    assert result.returncode == 0 and result.output == "src/a.ts(1,1): error TS2322: no\n"
    helper = int(pidfile.read_text())
    deadline = time.monotonic() + 10
    while os.path.exists(f"/proc/{helper}") and _alive(helper) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _alive(helper), "the helper outlived the type-check"


def test_an_unsplittable_typecheck_command_is_a_one_line_error(tmp_path: Path) -> None:
    _write(tmp_path / "package.json", "{}")
    with pytest.raises(InputError, match=r"cannot be split into words: No closing quotation") as info:
        load_frontend(tmp_path, types="t.ts", typecheck_cmd='tsc "--noEmit')
    assert info.value.one_line().startswith("--typecheck-cmd: ")


def test_a_client_another_tool_generates_is_configured_in_contractsync_toml(tmp_path: Path) -> None:
    _write(tmp_path / "package.json", json.dumps({"devDependencies": {"typescript": "5"}}))
    _write(tmp_path / "contractsync.toml", '[pull]\nsource = "x"\nopenapi = "openapi.json"\n\n'
                                           '[impact]\ngenerate = "npm run -s generate-client"\n')
    fe = load_frontend(tmp_path)
    assert (fe.types, fe.openapi, fe.generate) == (None, "openapi.json", ["npm", "run", "-s", "generate-client"])
    assert fe.command == ["tsc", "--noEmit"] and fe.incremental
    # Flags win over the file; a types file and a generated client can both be given.
    fe = load_frontend(tmp_path, types="src/api/types.ts", openapi="spec/openapi.json", generate_cmd="node gen.mjs")
    assert (fe.types, fe.openapi, fe.generate) == ("src/api/types.ts", "spec/openapi.json", ["node", "gen.mjs"])


@pytest.mark.parametrize(("toml", "message"), [
    ('[impact]\ngenerte = "x"\n', r"\[impact\] unknown key 'generte'"),
    ('[impact]\ngenerate = ["npm", "run"]\n', "must be a string"),
    ('[pull]\nopenapi = "openapi.json"\n', "nothing regenerates the frontend's types"),
    ('[pull]\nopenapi = "../openapi.json"\n[impact]\ngenerate = "x"\n', "inside the frontend"),
    ('[pull]\ntypes = "a.ts"\nopenapi = "a.ts"\n[impact]\ngenerate = "x"\n', "cannot be the same file"),
    ('[impact]\ngenerate = ""\n[pull]\nopenapi = "o.json"\n', "is empty"),
])
def test_generator_settings_are_checked(tmp_path: Path, toml: str, message: str) -> None:
    _write(tmp_path / "package.json", json.dumps({"devDependencies": {"typescript": "5"}}))
    _write(tmp_path / "contractsync.toml", toml)
    with pytest.raises(InputError, match=message):
        load_frontend(tmp_path)


@pytest.mark.skipif(not __import__("sys").platform.startswith("linux"), reason="reads /proc (Linux)")
def test_a_helper_that_leaves_the_session_ends_with_the_type_check(tmp_path: Path) -> None:
    """A helper that `setsid`s out of the command's process group (a daemon, a watch server)
    survived impact: killing the group missed it. The command runs behind the export child's
    subreaper shield, which ends every descendant when the command exits (#13)."""
    import time

    from contractsync.impact import frontend

    pidfile = tmp_path / "helper.pid"
    command = ["sh", "-c", f"setsid sh -c 'echo $$ > {pidfile}; exec sleep 300' > /dev/null 2>&1 & "
               f"while [ ! -s {pidfile} ]; do sleep 0.05; done; echo 'src/a.ts(1,1): error TS2322: no'"]
    result = frontend.run_command(command, tmp_path, timeout=120, where="web")
    assert result.output == "src/a.ts(1,1): error TS2322: no\n"
    helper = int(pidfile.read_text())
    deadline = time.monotonic() + 10
    while _alive(helper) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _alive(helper), "a helper in its own session outlived the type-check"


@pytest.mark.skipif(not __import__("sys").platform.startswith("linux"), reason="POSIX signals")
@pytest.mark.parametrize("option", ["--typecheck-cmd", "--generate-cmd"])
def test_a_command_that_kills_its_parent_is_reported_not_fatal(tmp_path: Path, option: str) -> None:
    """A type-check (or generator) that SIGKILLs its parent killed contractsync itself: exit 137
    and no message. Its parent is now the guard; impact reports it in one line, exit 2 (#13)."""
    import subprocess
    import sys

    from tests.conftest import REPO

    spec = {"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": {}}
    web = tmp_path / "web"
    _write(web / "package.json", "{}")
    (tmp_path / "a.json").write_text(json.dumps(spec))
    killer = f"{sys.executable} -c 'import os, signal; os.kill(os.getppid(), signal.SIGKILL)'"
    extra = ["--openapi", "openapi.json", "--typecheck-cmd", "true"] if option == "--generate-cmd" else []
    run = subprocess.run(
        [sys.executable, "-m", "contractsync", "impact", "--frontend", str(web), "--types", "t.ts", "--no-cache",
         *extra, option, killer, str(tmp_path / "a.json"), str(tmp_path / "a.json")],
        cwd=REPO, env={**os.environ, "NO_COLOR": "1"}, capture_output=True, text=True, timeout=120)
    assert run.returncode == 2, (run.returncode, run.stderr)
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1 and "was killed by SIGKILL" in lines[0] and str(web) in lines[0], run.stderr


@pytest.mark.skipif(not __import__("sys").platform.startswith("linux"), reason="reads /proc (Linux)")
def test_a_timed_out_type_check_takes_its_setsid_helpers_along(tmp_path: Path) -> None:
    """Past the timeout the guard is told to end everything (SIGTERM): it ends its descendants,
    those in other sessions included, before its group is killed (#13)."""
    import time

    from contractsync.impact import frontend

    pidfile = tmp_path / "helper.pid"
    command = ["sh", "-c", f"setsid sh -c 'echo $$ > {pidfile}; exec sleep 300' > /dev/null 2>&1 & sleep 300"]
    with pytest.raises(InputError, match="took longer than 3 s"):
        frontend.run_command(command, tmp_path, timeout=3, where="web")
    helper = int(pidfile.read_text())
    deadline = time.monotonic() + 10
    while _alive(helper) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _alive(helper), "a setsid helper outlived a timed-out type-check"
