"""Loading: YAML 1.2 scalars, canonical form, sources, and every file of the shared corpus."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from contractsync.errors import NotOpenAPIError
from contractsync.spec import GitSource, UrlSource, canonical_json, load_spec, parse_source
from contractsync.spec.parse import parse_bytes
from tests.conftest import require_corpus

YAML_CASES = [
    ("date stays a string", "d: 2024-01-01", {"d": "2024-01-01"}),
    ("timestamp stays a string", "d: 2001-12-14t21:59:43.10-05:00", {"d": "2001-12-14t21:59:43.10-05:00"}),
    ("yes/no/on/off stay strings", "a: yes\nb: off", {"a": "yes", "b": "off"}),
    ("true/false are booleans", "a: true\nb: False", {"a": True, "b": False}),
    ("null spellings", "a: null\nb: ~\nc:", {"a": None, "b": None, "c": None}),
    ("ints and floats", "a: 10\nb: 0x1f\nc: 1.5\nd: 1e3\ne: 010", {"a": 10, "b": 31, "c": 1.5, "d": 1000.0, "e": 10}),
    ("sexagesimal is a string", "a: 1:20", {"a": "1:20"}),
    ("status codes are string keys", "'200': {}\n404: {}", {"200": {}, "404": {}}),
    ("unquoted version stays as written", "version: 1.10\nopenapi: 3.0.3", {"version": "1.10", "openapi": "3.0.3"}),
    ("merge keys", "base: &b {x: 1}\nderived: {<<: *b, y: 2}", {"base": {"x": 1}, "derived": {"x": 1, "y": 2}}),
]


@pytest.mark.parametrize(("name", "text", "want"), YAML_CASES, ids=[c[0] for c in YAML_CASES])
def test_yaml_scalars(name: str, text: str, want: object) -> None:
    assert parse_bytes(text.encode(), source="t.yaml", fmt="yaml") == want


def test_canonical_orders_keys_but_keeps_properties_order() -> None:
    doc = {
        "paths": {"/b": {"post": {"responses": {"201": {}, "200": {}}}, "get": {}}, "/a": {}},
        "info": {"version": "1", "title": "t"},
        "openapi": "3.1.0",
        "components": {"schemas": {"Z": {"properties": {"zeta": {}, "alpha": {}}, "type": "object"}, "A": {}}},
    }
    out = canonical_json(doc).decode()
    assert out.index('"openapi"') < out.index('"info"') < out.index('"paths"') < out.index('"components"')
    assert out.index('"/a"') < out.index('"/b"')
    assert out.index('"get"') < out.index('"post"')
    assert out.index('"200"') < out.index('"201"')
    assert out.index('"A"') < out.index('"Z"')
    assert out.index('"type"') < out.index('"properties"')
    assert out.index('"zeta"') < out.index('"alpha"'), "properties keep their declared order"
    assert out.endswith("}\n")


def test_parse_source_forms(tmp_path: Path) -> None:
    (tmp_path / "a.json").write_text("{}")
    assert str(parse_source("a.json", cwd=tmp_path)) == "a.json"
    assert isinstance(parse_source("https://example.invalid/o.json"), UrlSource)
    git = parse_source("origin/main:contracts/openapi.json", cwd=tmp_path)
    assert isinstance(git, GitSource) and git.rev == "origin/main" and git.path == "contracts/openapi.json"
    assert str(parse_source("-")) == "<stdin>"
    assert str(parse_source("app:pkg.mod:app")) == "app pkg.mod:app"


def test_git_source_reads_without_touching_the_work_tree(tmp_path: Path) -> None:
    def git(*args: str) -> None:
        subprocess.run(["git", *args], cwd=tmp_path, check=True, capture_output=True)

    git("init", "-q", "-b", "main")
    git("config", "user.email", "t@example.invalid")
    git("config", "user.name", "t")
    (tmp_path / "contracts").mkdir()
    spec = tmp_path / "contracts" / "openapi.json"
    spec.write_text('{"openapi": "3.1.0", "info": {"title": "v1", "version": "1"}, "paths": {}}')
    git("add", ".")
    git("commit", "-qm", "v1")
    spec.write_text('{"openapi": "3.1.0", "info": {"title": "v2", "version": "2"}, "paths": {}}')
    doc = load_spec("main:contracts/openapi.json", cwd=tmp_path)
    assert load_spec("main:./openapi.json", cwd=tmp_path / "contracts").title == "v1"
    assert doc.title == "v1"
    assert load_spec("HEAD:contracts/openapi.json", cwd=tmp_path / "contracts").title == "v1"
    assert "v2" in spec.read_text(), "work tree untouched"
    with pytest.raises(Exception, match=r"no file 'contracts/nope.json' at git revision 'main'"):
        load_spec("main:contracts/nope.json", cwd=tmp_path)


def _corpus_files() -> list[Path]:
    corpus = Path(__file__).resolve().parents[2] / "shared" / "corpus"
    if not corpus.is_dir():
        return []
    return sorted(p for p in corpus.rglob("*") if p.suffix in (".json", ".yaml", ".yml"))


@pytest.mark.parametrize("path", _corpus_files(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_corpus_file_loads(path: Path) -> None:
    require_corpus()
    if "swagger2" in str(path):
        with pytest.raises(NotOpenAPIError, match=r"Swagger 2\.0"):
            load_spec(str(path))
        return
    doc = load_spec(str(path))
    assert doc.openapi_version.startswith(("3.0", "3.1"))
    assert doc.data.get("paths") or doc.data.get("webhooks")
    # Unquoted dates in YAML stay strings everywhere in the document.
    stack: list[object] = [doc.data]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
        else:
            assert isinstance(node, (str, int, float, bool, type(None))), type(node)


def test_corpus_present_or_skipped_with_reason() -> None:
    require_corpus()
    assert _corpus_files(), "the corpus folder exists but holds no documents"


class _Server:
    """A throwaway HTTP server on loopback serving fixed bytes."""

    def __init__(self, body: bytes) -> None:
        import http.server
        import threading

        payload = body

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                if self.path == "/missing":
                    self.send_error(404)
                    return
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def test_url_source_reads_checks_status_and_caps_size() -> None:
    from contractsync.errors import SpecLoadError

    body = b'{"openapi": "3.0.3", "info": {"title": "remote", "version": "1"}, "paths": {}}'
    server = _Server(body)
    try:
        assert load_spec(f"{server.url}/openapi.json").title == "remote"
        with pytest.raises(SpecLoadError, match="HTTP 404"):
            load_spec(f"{server.url}/missing")
        with pytest.raises(SpecLoadError, match="larger than"):
            load_spec(UrlSource(f"{server.url}/openapi.json", max_bytes=10))
    finally:
        server.close()


def test_canonical_json_handles_integers_beyond_64_bits() -> None:
    import json as stdlib_json

    doc = {"openapi": "3.1.0", "x": {"maximum": 2**70, "name": "naïve"}}
    out = canonical_json(doc)
    assert stdlib_json.loads(out) == doc
    small = canonical_json({"openapi": "3.1.0", "x": {"maximum": 2**60, "name": "naïve"}})
    # Both serializers write the same layout.
    assert out.replace(str(2**70).encode(), str(2**60).encode()) == small


def test_canonical_json_escapes_lone_surrogates() -> None:
    import json as stdlib_json

    doc = {"openapi": "3.1.0", "description": "broken \ud800 text"}
    out = canonical_json(doc)
    assert stdlib_json.loads(out) == doc
    assert b"\\ud800" in out


def test_validate_reports_required_on_array_schemas(tmp_path: Path) -> None:
    from contractsync.spec import validate_document

    spec = tmp_path / "arr.json"
    spec.write_text(
        '{"openapi": "3.0.3", "info": {"title": "x", "version": "1"}, "paths": {"/a": {"get": '
        '{"responses": {"200": {"description": "ok", "content": {"application/json": {"schema": '
        '{"type": "array", "required": ["x"], "items": {"type": "object"}}, '
        '"example": {"type": "array", "required": ["data, not a schema"]}}}}}}}}}'
    )
    problems = validate_document(load_spec(str(spec)), use_cache=False)
    assert [p.pointer for p in problems] == [
        "/paths/~1a/get/responses/200/content/application~1json/schema/required"
    ]
    assert "items.required" in problems[0].message


def test_validate_flags_githubs_required_on_arrays() -> None:
    corpus = require_corpus()
    from contractsync.spec.validate import lint

    doc = load_spec(str(corpus / "large" / "github-octokit-23.0.2.json"))
    problems = lint(doc.data)
    assert any("dependency-graph-spdx-sbom" in p.pointer and p.pointer.endswith("/packages/required")
               for p in problems)
