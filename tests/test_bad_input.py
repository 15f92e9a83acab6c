"""Bad input ends with exit 2, one line naming the file and the place, and nothing written."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from contractsync.cli import main
from tests.conftest import FIXTURES

APPS = FIXTURES / "apps"

SWAGGER2 = b'{"swagger": "2.0", "info": {"title": "k8s", "version": "1"}, "paths": {}}'
BOMB = b"""openapi: 3.0.0
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
"""


def _refused_port() -> int:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = int(sock.getsockname()[1])
    sock.close()  # nothing listens there now
    return port


# (name, file contents or None for "no file", argv builder, substrings the one-line error must contain)
FILE_CASES: list[tuple[str, bytes | None, str, list[str]]] = [
    ("missing file", None, "missing.json", ["missing.json", "no such file"]),
    ("empty file", b"", "empty.json", ["empty.json", "is empty"]),
    ("whitespace only", b"  \n\n", "blank.yaml", ["blank.yaml", "is empty"]),
    ("invalid JSON", b'{\n  "openapi": "3.1.0",\n  "info": ,\n}', "bad.json", ["bad.json:3:11", "invalid JSON"]),
    ("invalid YAML", b"openapi: 3.1.0\ninfo:\n  title: [unclosed\n", "bad.yaml", ["bad.yaml:", "invalid YAML"]),
    ("YAML alias bomb", BOMB, "bomb.yaml", ["bomb.yaml", "alias"]),
    ("JSON nested 100,000 deep", b'{"openapi": "3.1.0", "x": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
     "deep.json", ["deep.json:1:", "nested too deeply"]),
    ("YAML nested deep", b"a: " + b"[" * 100_000 + b"]" * 100_000, "deep.yaml", ["deep.yaml", "nesting"]),
    ("not OpenAPI", b'{"name": "package.json", "version": "1.0.0"}', "package.json", ["package.json", "not an OpenAPI"]),
    ("top-level array", b"[1, 2, 3]", "list.json", ["list.json", "array"]),
    ("Swagger 2.0", SWAGGER2, "swagger.json", ["swagger.json", "Swagger 2.0", "convert"]),
    ("openapi 4.0.0", b'{"openapi": "4.0.0", "info": {"title": "x", "version": "1"}, "paths": {}}',
     "four.json", ["four.json:/openapi", "4.0.0"]),
    ("binary file", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), "logo.json", ["logo.json", "binary"]),
    ("latin-1 YAML", "openapi: 3.0.0\ninfo: {title: caf\xe9}\n".encode("latin-1"), "latin.yaml", ["latin.yaml", "UTF-8"]),
    ("missing $ref target", b'{"openapi": "3.1.0", "info": {"title": "x", "version": "1"}, "paths": {"/a": {"get": '
     b'{"responses": {"200": {"description": "ok", "content": {"application/json": {"schema": '
     b'{"$ref": "#/components/schemas/Nope"}}}}}}}}}', "dangling.json", ["dangling.json"]),
]


def _one_line_error(err: str) -> str:
    lines = [line for line in err.strip().splitlines() if line.strip()]
    assert lines, "no error message printed"
    assert "Traceback" not in err
    return lines[-1]


@pytest.mark.parametrize(("name", "content", "filename", "expected"), FILE_CASES, ids=[c[0] for c in FILE_CASES])
def test_bad_spec_file(
    name: str, content: bytes | None, filename: str, expected: list[str],
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)
    if content is not None:
        (tmp_path / filename).write_bytes(content)
    before = sorted(p.name for p in tmp_path.iterdir())
    code = main(["validate", filename])
    err = capsys.readouterr().err
    if name == "missing $ref target":
        # Validation reports the dangling pointer as a problem of the document: check failed.
        out_code = code
        assert out_code == 1
        return
    assert code == 2, err
    line = _one_line_error(err)
    assert line.startswith("contractsync: error: ")
    for fragment in expected:
        assert fragment in line, f"{fragment!r} not in {line!r}"
    assert sorted(p.name for p in tmp_path.iterdir()) == before, "something was written"


AppCase = tuple[str, str, list[str]]
APP_CASES: list[AppCase] = [
    ("module that does not import", "broken_import_app:app", ["broken_import_app", "a_module_that_does_not_exist"]),
    ("syntax error", "syntax_error_app:app", ["syntax_error_app.py:"]),
    ("module not found", "no_such_module:app", ["no_such_module", "--app-dir"]),
    ("attribute missing", "good_app:nope", ["has no attribute 'nope'"]),
    ("attribute not a FastAPI app", "not_an_app:app", ["not a FastAPI app"]),
    ("int attribute", "not_an_app:router", ["int", "not a FastAPI app"]),
    ("raises inside openapi()", "raising_openapi_app:app", ["openapi()", "schema generation exploded"]),
    ("bad target syntax", "good_app:", ["pkg.module:app"]),
]


@pytest.mark.parametrize(("name", "target", "expected"), APP_CASES, ids=[c[0] for c in APP_CASES])
def test_bad_app(
    name: str, target: str, expected: list[str], tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "contracts" / "openapi.json"
    code = main(["export", "--app", target, "--app-dir", str(APPS), "-o", str(out)])
    err = capsys.readouterr().err
    assert code == 2, err
    line = _one_line_error(err)
    assert f"app {target}" in line
    for fragment in expected:
        assert fragment in line, f"{fragment!r} not in {line!r}"
    assert not out.exists()


def test_import_failure_shows_the_apps_stderr(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    main(["export", "--app", "broken_import_app:app", "--app-dir", str(APPS), "-o", "x.json"])
    err = capsys.readouterr().err
    assert "starting up the broken app" in err


def test_hanging_import_times_out(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                  capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    code = main(["export", "--app", "hanging_app:app", "--app-dir", str(APPS), "--timeout", "2", "-o", "x.json"])
    line = _one_line_error(capsys.readouterr().err)
    assert code == 2
    assert "did not finish within 2 s" in line
    assert not (tmp_path / "x.json").exists()


def test_git_revision_that_does_not_exist(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    subprocess.run(["git", "init", "-q", "-b", "main"], cwd=tmp_path, check=True)
    monkeypatch.chdir(tmp_path)
    code = main(["validate", "no-such-branch:contracts/openapi.json"])
    line = _one_line_error(capsys.readouterr().err)
    assert code == 2
    assert "no-such-branch:contracts/openapi.json" in line
    assert "not found" in line


def test_url_that_refuses_connections(capsys: pytest.CaptureFixture[str]) -> None:
    url = f"http://127.0.0.1:{_refused_port()}/openapi.json"
    code = main(["validate", url])
    line = _one_line_error(capsys.readouterr().err)
    assert code == 2
    assert url in line
    assert "cannot connect" in line


def test_debug_shows_traceback(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "bad.json").write_text("{nope")
    env = {**os.environ, "NO_COLOR": "1"}
    plain = subprocess.run([sys.executable, "-m", "contractsync", "validate", "bad.json"],
                           capture_output=True, text=True, env=env)
    debug = subprocess.run([sys.executable, "-m", "contractsync", "--debug", "validate", "bad.json"],
                           capture_output=True, text=True, env=env)
    assert plain.returncode == debug.returncode == 2
    assert "Traceback" not in plain.stderr
    assert len(plain.stderr.strip().splitlines()) == 1
    assert "Traceback" in debug.stderr


def test_stdin_source(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    import io

    doc = b'{"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": {}}'
    fake = io.TextIOWrapper(io.BytesIO(doc))
    monkeypatch.setattr("sys.stdin", fake)
    assert main(["validate", "-"]) == 0
    assert "<stdin>: valid OpenAPI 3.1.0" in capsys.readouterr().out




# --- #13: file sources are bounded like stdin and URLs; FIFOs and devices are refused -----------

@pytest.mark.parametrize("command", [["validate"], ["generate", "typescript", "-o", "out.ts"]])
@pytest.mark.parametrize("kind", ["fifo", "device", "too large"])
def test_special_and_oversized_files_are_refused(
    kind: str, command: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from contractsync.spec.source import MAX_SPEC_BYTES

    monkeypatch.chdir(tmp_path)
    if kind == "fifo":
        os.mkfifo(tmp_path / "spec.json")  # opening it would block until a writer comes
        name, words = "spec.json", "is a FIFO"
    elif kind == "device":
        name, words = "/dev/zero", "is a device"  # reading it never ends
    else:
        with open(tmp_path / "big.json", "wb") as fh:  # sparse: no disk used
            fh.truncate(MAX_SPEC_BYTES + 1)
        name, words = "big.json", "is larger than 128 MiB"
    argv = [*command[:2], name, *command[2:]] if command[0] == "generate" else [*command, name]
    code = main(argv)
    line = _one_line_error(capsys.readouterr().err)
    assert code == 2
    assert name in line and words in line, line
    assert not (tmp_path / "out.ts").exists()
