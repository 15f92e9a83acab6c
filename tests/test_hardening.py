"""Smaller hardening from the fault and fuzz campaign (#13, item 9): symlinked outputs, config
paths confined to the repository, invisible characters in generated TypeScript, announcement text
in CHANGELOG.md, duplicate keys."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from contractsync.changelog import History, Note, Release, entries_from_changes, render_markdown
from contractsync.cli import main
from contractsync.config import load_config
from contractsync.diff.model import Change, Direction, Level, Location
from contractsync.errors import ConfigError
from contractsync.io import atomic_write_text
from contractsync.typescript import to_typescript

SPEC = ('{"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": {}, '
        '"components": {"schemas": {"A": {"type": "string"}}}}')


# --- symlinked outputs ---------------------------------------------------------------------------

def test_atomic_write_through_a_symlink_keeps_the_link(tmp_path: Path) -> None:
    real = tmp_path / "shared" / "types.ts"
    real.parent.mkdir()
    real.write_text("old")
    link = tmp_path / "link.ts"
    link.symlink_to(real)
    atomic_write_text(link, "new")
    assert link.is_symlink() and real.read_text() == "new"
    assert sorted(p.name for p in real.parent.iterdir()) == ["types.ts"]  # no temp file left


def test_generate_into_a_symlinked_output(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "spec.json").write_text(SPEC)
    (tmp_path / "web").mkdir()
    (tmp_path / "web" / "types.ts").write_text("")
    (tmp_path / "link.ts").symlink_to(tmp_path / "web" / "types.ts")
    assert main(["generate", "typescript", "spec.json", "-o", "link.ts"]) == 0
    assert (tmp_path / "link.ts").is_symlink()
    assert "export type A" in (tmp_path / "web" / "types.ts").read_text()


# --- config paths ---------------------------------------------------------------------------------

def _project(tmp_path: Path, table: str) -> Path:
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    (repo / "backend").mkdir()
    pyproject = repo / "backend" / "pyproject.toml"
    pyproject.write_text("[tool.contractsync]\n" + table)
    return pyproject


@pytest.mark.parametrize("table", [
    'contracts_dir = "../../elsewhere"\n',
    'contracts_dir = "/etc"\n',
    'frontend_types = "../../../home/user/.bashrc"\n',
    'frontend_types = "/tmp/types.ts"\n',
])
def test_config_paths_outside_the_repository_are_refused(table: str, tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as info:
        load_config(_project(tmp_path, table))
    assert "outside the repository" in info.value.message


def test_config_paths_inside_the_repository_are_fine(tmp_path: Path) -> None:
    """A monorepo: the frontend sits next to the backend, inside the same git work tree."""
    cfg = load_config(_project(tmp_path, 'contracts_dir = "api"\nfrontend_types = "../web/src/types.ts"\n'))
    assert cfg.frontend_types == "../web/src/types.ts"
    # the command line may still point anywhere: it is the user's own choice
    assert cfg.with_overrides(contracts_dir="/tmp/x").contracts_dir == "/tmp/x"


@pytest.mark.parametrize(("table", "link", "inside"), [
    ('contracts_dir = "api"\n', "backend/api", False),            # a linked folder pointing out
    ('frontend_types = "web/types.ts"\n', "backend/web", False),
    ('frontend_types = "types.ts"\n', "backend/types.ts", False),  # a linked file pointing out
    ('contracts_dir = "api"\n', "backend/api", True),             # a monorepo link: fine
])
def test_config_paths_through_symlinks(table: str, link: str, inside: bool, tmp_path: Path) -> None:
    """The check was lexical: a pull request adding `api -> /home/user/.ssh` (as easy as editing
    the config) redirected writes outside the repository. Links that stay inside are fine."""
    pyproject = _project(tmp_path, table)
    target = (tmp_path / "repo" / "shared") if inside else (tmp_path / "elsewhere")
    target.mkdir()
    (tmp_path / "repo" / link).symlink_to(target if not link.endswith(".ts") else target / "types.ts")
    if inside:
        load_config(pyproject)
        return
    with pytest.raises(ConfigError) as info:
        load_config(pyproject)
    assert "leads outside the repository" in info.value.message and "through a symlink" in info.value.message


# --- invisible characters -------------------------------------------------------------------------

@pytest.mark.parametrize("char", ["\u202e", "\u2066", "\u200b", "\u200d", "\ufeff"])
def test_bidi_and_zero_width_characters_are_escaped_in_typescript(char: str) -> None:
    data = {"openapi": "3.1.0", "info": {"title": f"Shop{char}", "version": "1"}, "paths": {},
            "components": {"schemas": {"A": {"type": "string", "description": f"safe{char}evil",
                                             "enum": [f"a{char}b"]},
                                       "B": {"type": "object", "properties": {f"k{char}": {"type": "string"}}}}}}
    text = to_typescript(data)
    assert char not in text
    escaped = f"\\u{ord(char):04x}"
    assert f"safe{escaped}evil" in text  # the comment
    assert f'"a{escaped}b"' in text  # the literal (same string value for TypeScript)
    assert f'"k{escaped}"' in text  # the property key


# --- announcement text in CHANGELOG.md ----------------------------------------------------------

def test_announcement_text_is_inert_markdown() -> None:
    change = Change(id="response-property-removed", level=Level.BREAKING, direction=Direction.RESPONSE,
                    location=Location("GET /books", "components.schemas.Book", None, "/components"),
                    message="property isbn removed", fingerprint="abcdef123456", operations=("GET /books",),
                    area="schema")
    note = Note(reason="see [docs](javascript:alert(1)) <img src=x onerror=alert(1)> | *now*",
                migration="use `editions[]` & ~~old~~", announced="2026-11-20")
    release = Release(version="2.0.0", date="2026-11-26", title="Shop", info_version="2.0.0", bump="major",
                      contract_sha256="a" * 64, previous_sha256=None,
                      changes=entries_from_changes([change], {"abcdef123456": note}))
    md = render_markdown(History(releases=[release]))
    why = next(line for line in md.splitlines() if "Why:" in line)
    assert why == (r"  - Why: see \[docs\](javascript:alert(1)) \<img src=x onerror=alert(1)\> \| \*now\*")
    migration = next(line for line in md.splitlines() if "Migration:" in line)
    assert migration == r"  - Migration: use \`editions\[\]\` \& \~\~old\~\~"


def test_contract_text_is_inert_markdown() -> None:
    """A contract's title, paths and names reached CHANGELOG.md (and the registry's changelog.md)
    raw: a path or title holding HTML or a link injected it. Only what makes Markdown emit HTML or
    a link is escaped, so an ordinary changelog is byte-for-byte what it was."""
    change = Change(id="api-path-removed-without-deprecation", level=Level.BREAKING, direction=Direction.REQUEST,
                    location=Location("GET /x<img src=x onerror=alert(1)>", "path", "/paths", None),
                    message="GET /x<img src=x onerror=alert(1)> [a](javascript:b) removed", fingerprint="abcdef123456",
                    operations=("GET /x<img src=x onerror=alert(1)>",), area="path")
    plain = Change(id="endpoint-added", level=Level.INFO, direction=Direction.REQUEST,
                   location=Location("GET /books/{book_id}", "path", None, "/paths"),
                   message="GET /books/{book_id}: Get_Book *new*", fingerprint="abcdef123457",
                   operations=("GET /books/{book_id}",), area="path")
    release = Release(version="2.0.0", date="2026-11-26", title="T<script>x</script>", info_version="2.0.0",
                      bump="major", contract_sha256="a" * 64, previous_sha256=None,
                      changes=entries_from_changes([change, plain], {}))
    md = render_markdown(History(title="T<script>x</script>", releases=[release]))
    ours = [line for line in md.splitlines() if line.startswith(("# ", "- ", "  - "))]
    outside_code = re.sub(r"`[^`]*`", "", "\n".join(ours))
    assert re.search(r"(?<!\\)[<\[]", outside_code) is None, outside_code
    assert md.startswith(r"# Changelog: T\<script\>x\</script\>")
    assert r"\[a\](javascript:b)" in md
    assert "- GET /books/{book_id}: Get_Book *new*" in md
    assert "`GET /x<img src=x onerror=alert(1)>`" in md  # in a code span it is inert already


# --- duplicate keys -------------------------------------------------------------------------------

@pytest.mark.parametrize(("name", "text", "where"), [
    ("dup.json", '{"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": {}, "paths": {}}',
     "dup.json: key 'paths'"),
    ("dup.yaml", "openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths: {}\ninfo: {title: u, version: '2'}\n",
     "dup.yaml:4:1: key 'info'"),
])
def test_validate_warns_about_duplicate_keys(name: str, text: str, where: str, tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / name).write_text(text)
    main(["validate", "--no-cache", name])
    err = capsys.readouterr().err
    assert f"warning: {where} appears twice in one object" in err


# --- project files under the loader policy -----------------------------------------------------------

_DEEP_TOML = "x = " + "[" * 100_000 + "]" * 100_000 + "\n"
_DEEP_INLINE = "x = " + "{a = " * 5_000 + "1" + "}" * 5_000 + "\n"
_DEEP_JSON = "[" * 100_000 + "]" * 100_000


@pytest.mark.parametrize(("name", "content", "where"), [
    ("pyproject.toml", b"[tool.contractsync]\n" + _DEEP_TOML.encode(), "pyproject.toml:2: nested too deeply"),
    ("pyproject.toml", b"[tool.contractsync]\n" + _DEEP_INLINE.encode(), "pyproject.toml:2: nested too deeply"),
    ("pyproject.toml", b'[tool.contractsync]\ncontracts_dir = "\xff"\n', "pyproject.toml:2: is not UTF-8 text"),
    ("contractsync.toml", b'[pull]\nsource = "a.json"\ntypes = "t.ts"\n' + _DEEP_TOML.encode(),
     "contractsync.toml:4: nested too deeply"),
    ("contractsync.toml", b'[pull]\nsource = "\xff"\n', "contractsync.toml:2: is not UTF-8 text"),
    ("contractsync.lock", _DEEP_JSON.encode(), "contractsync.lock:1:"),
    ("web/package.json", _DEEP_JSON.encode(), "package.json:1:"),
])
def test_project_files_are_read_under_the_loader_policy(name: str, content: bytes, where: str, tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    """pyproject.toml, contractsync.toml, contractsync.lock and package.json were read with
    tomllib/json directly: deep nesting was 'internal error: RecursionError' and a byte that is not
    UTF-8 'internal error: UnicodeDecodeError', with no file named. Now one line, exit 2."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a.json").write_text(SPEC)
    (tmp_path / "web").mkdir()
    if name == "contractsync.lock":
        (tmp_path / "contractsync.toml").write_text('[pull]\nsource = "a.json"\ntypes = "t.ts"\n')
    (tmp_path / name).write_bytes(content)
    if name.startswith("pyproject"):
        args = ["check"]
    elif name.startswith("contractsync"):
        args = ["pull"]
    else:
        args = ["impact", "--frontend", "web", "--types", "t.ts", "a.json", "a.json"]
    code = main(args)
    err = capsys.readouterr().err
    assert code == 2, err
    assert "internal error" not in err and where in err and len(err.strip().splitlines()) == 1, err
    if "deep" in where or where.endswith(":1:"):
        assert "nested too deeply" in err


# --- terminal control characters ------------------------------------------------------------------

@pytest.mark.parametrize("fmt", ["text", "markdown"])
def test_control_characters_from_a_contract_never_reach_the_terminal(fmt: str, tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch,
                                                                    capsys: pytest.CaptureFixture[str]) -> None:
    """A path or title holding ESC sequences was printed raw by diff (and every command printing
    contract text): it could clear the screen, rewrite earlier lines or set the window title of
    whoever read the output, a CI log included. Control characters are printed as \\xNN."""
    import json

    monkeypatch.chdir(tmp_path)
    base = json.loads(SPEC)
    evil = json.loads(SPEC)
    evil["info"]["title"] = "Shop\x1b]0;pwned\x07"
    evil["paths"]["/x\x1b[2J\r"] = {"get": {"responses": {"200": {"description": "ok\x1b[1A"}}}}
    (tmp_path / "a.json").write_text(json.dumps(base))
    (tmp_path / "b.json").write_text(json.dumps(evil))
    capsys.readouterr()
    main(["diff", "a.json", "b.json", "--format", fmt])
    out, err = capsys.readouterr()
    assert "\x1b" not in out + err and "\r" not in out + err and "\x07" not in out + err
    assert "/x\\x1b[2J" in out


@pytest.mark.parametrize("char", ["\u202e", "\u2066", "\u200b", "\ufeff"])
def test_bidi_and_zero_width_characters_are_visible_in_pages_markdown_and_terminal(char: str) -> None:
    """They were escaped in generated TypeScript only (#13): an announcement reason or a path with
    U+202E displayed reversed in the HTML changelog and registry pages, CHANGELOG.md and the
    terminal. Every renderer for people now shows them as \\\\uXXXX."""
    from contractsync.changelog import render_html
    from contractsync.terminal import printable

    change = Change(id="response-property-removed", level=Level.BREAKING, direction=Direction.RESPONSE,
                    location=Location(f"GET /a{char}b", "components.schemas.Book", None, "/components"),
                    message=f"property x{char}y removed", fingerprint="abcdef123456", operations=("GET /books",),
                    area="schema")
    note = Note(reason=f"safe{char}evil", migration=None, announced="2026-11-20")
    release = Release(version="2.0.0", date="2026-11-26", title="Shop", info_version="2.0.0", bump="major",
                      contract_sha256="a" * 64, previous_sha256=None,
                      changes=entries_from_changes([change], {"abcdef123456": note}))
    history = History(title=f"Shop{char}", releases=[release])
    escaped = f"\\u{ord(char):04x}"
    for text in (render_html(history), render_markdown(history), printable(f"GET /a{char}b")):
        body = text.split("<style>")[0] + text.split("</style>")[-1] if "<style>" in text else text
        assert char not in body
        assert escaped in body.replace("\\\\", "\\")
