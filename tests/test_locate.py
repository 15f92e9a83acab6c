"""locate_pointer: 1-based line:column of the key (or array element) at a JSON pointer."""

from __future__ import annotations

import orjson
import pytest

from contractsync.spec.document import Position
from contractsync.spec.locate import clear_cache, locate_pointer
from contractsync.spec.refs import escape
from tests.conftest import require_corpus

PRETTY = b"""{
  "openapi": "3.1.0",
  "paths": {
    "/books/{id}": {
      "get": {"responses": {"200": {"description": "ok"}}}
    },
    "a~b/c": {"x": 1},
    "caf\\u00e9": 2
  },
  "list": [10, {"k": [true, null]}, "s"],
  "\xc3\xa9t\xc3\xa9": {"k\\"q": "\xe2\x82\xac", "z": 1}
}
"""


@pytest.mark.parametrize(
    ("pointer", "expected"),
    [
        ("", Position(1, 1)),
        ("/openapi", Position(2, 3)),
        ("/paths", Position(3, 3)),
        ("/paths/~1books~1{id}", Position(4, 5)),
        ("#/paths/~1books~1{id}/get", Position(5, 7)),
        ("/paths/~1books~1{id}/get/responses/200/description", Position(5, 37)),
        ("/paths/a~0b~1c/x", Position(7, 15)),
        ("/paths/café", Position(8, 5)),
        ("/list/0", Position(10, 12)),
        ("/list/1/k/1", Position(10, 29)),
        ("/list/2", Position(10, 37)),
        ("/été", Position(11, 3)),
        # Columns count characters, not bytes: "été" is 5 bytes but 3 characters.
        ('/été/k"q', Position(11, 11)),
        ("/été/z", Position(11, 24)),
    ],
)
def test_json_positions(pointer: str, expected: Position) -> None:
    assert locate_pointer(PRETTY, "json", pointer) == expected


@pytest.mark.parametrize(
    "pointer", ["/nope", "/paths/~1books~1{id}/post", "/list/3", "/list/x", "/openapi/0", "paths"]
)
def test_json_missing(pointer: str) -> None:
    assert locate_pointer(PRETTY, "json", pointer) is None


def test_json_minified_bom_and_broken() -> None:
    assert locate_pointer(b'{"a":{"b":[1,{"c":2}]}}', "json", "/a/b/1/c") == Position(1, 15)
    assert locate_pointer(b'\xef\xbb\xbf{"a": 1}', "json", "/a") == Position(1, 2)
    # Truncated text: what was scanned before the damage is still found; the rest is None.
    assert locate_pointer(b'{"a": {"b": [1, 2', "json", "/a/b/0") == Position(1, 14)
    assert locate_pointer(b'{"a": {"b": [1, 2', "json", "/a/b/1") == Position(1, 17)
    assert locate_pointer(b'{"a": {"b": [1, 2', "json", "/a/b/2") is None
    assert locate_pointer(b'{"a": {"b": [1, 2', "json", "/z") is None
    assert locate_pointer(b'{"a" 1}', "json", "/a") is None
    assert locate_pointer(b"", "json", "/a") is None
    # First key wins for a duplicate (stable whatever order look-ups come in).
    assert locate_pointer(b'{"a": 1,\n"a": 2}', "json", "/a") == Position(1, 2)


def test_json_cache_is_per_buffer() -> None:
    clear_cache()
    one = b'{"a": 1, "b": 2}'
    two = b'{\n  "b": 2}'
    assert locate_pointer(one, "json", "/b") == Position(1, 10)
    assert locate_pointer(two, "json", "/b") == Position(2, 3)
    assert locate_pointer(one, "json", "/b") == Position(1, 10)


YAML = """\
openapi: 3.1.0
paths:
  /books/{id}:
    get:
      responses:
        '200': {description: ok}
base: &base
  a: 1
derived:
  <<: *base
  b: 2
list:
  - x
  - k: [true, null]
"""


@pytest.mark.parametrize(
    ("pointer", "expected"),
    [
        ("", Position(1, 1)),
        ("/openapi", Position(1, 1)),
        ("/paths/~1books~1{id}/get", Position(4, 5)),
        ("/paths/~1books~1{id}/get/responses/200/description", Position(6, 17)),
        ("/derived/b", Position(11, 3)),
        ("/derived/a", Position(8, 3)),  # through the merge key, at the anchored mapping
        ("/list/1/k/1", Position(14, 15)),
        ("/list/5", None),
        ("/paths/nope", None),
    ],
)
def test_yaml_positions(pointer: str, expected: Position | None) -> None:
    assert locate_pointer(YAML.encode(), "yaml", pointer) == expected


def test_yaml_broken_is_none() -> None:
    assert locate_pointer(b"a: [1, 2\nb: {", "yaml", "/a") is None


def test_every_key_of_a_real_document(corpus) -> None:  # type: ignore[no-untyped-def]
    """Property check on a real FastAPI export: at every located position the line shows the
    key itself."""
    raw = (corpus / "pairs" / "phoenix-fastapi" / "new.json").read_bytes()
    data = orjson.loads(raw)
    lines = raw.decode().splitlines()
    checked = 0
    for path, item in data["paths"].items():
        for method, op in item.items():
            for token_path in ([path, method], [path, method, "responses"]):
                pointer = "/paths/" + "/".join(escape(t) for t in token_path)
                pos = locate_pointer(raw, "json", pointer)
                assert pos is not None, pointer
                key = orjson.dumps(token_path[-1]).decode()
                assert lines[pos.line - 1][pos.column - 1:].startswith(key), pointer
                checked += 1
            del op
    for name in data["components"]["schemas"]:
        pos = locate_pointer(raw, "json", f"/components/schemas/{escape(name)}")
        assert pos is not None
        assert lines[pos.line - 1][pos.column - 1:].startswith(orjson.dumps(name).decode())
        checked += 1
    assert checked > 300


def test_yaml_corpus_document(corpus) -> None:  # type: ignore[no-untyped-def]
    raw = (corpus / "pairs" / "oai-petstore" / "new.yaml").read_bytes()
    pos = locate_pointer(raw, "yaml", "/paths/~1pets~1{petId}/get/operationId")
    assert pos is not None
    assert raw.decode().splitlines()[pos.line - 1].strip().startswith("operationId:")


def test_locates_every_pointer_on_github_13mb() -> None:
    corpus = require_corpus()
    raw = (corpus / "large" / "github-octokit-23.0.2.json").read_bytes()
    data = orjson.loads(raw)
    pointers = [f"/paths/{escape(p)}/{m}" for p, item in list(data["paths"].items())[::4] for m in item]
    pointers += [f"/components/schemas/{escape(s)}" for s in list(data["components"]["schemas"])[::4]]
    clear_cache()
    found = [locate_pointer(raw, "json", p) for p in pointers]
    assert all(found)
    assert len(pointers) > 500
    # Its speed is measured with the whole diff (positions included) by benchmarks/bench_diff.py.


def test_fast_path_agrees_with_the_scanner() -> None:
    """With the parsed data registered, text in orjson's layout is located from serialized
    sizes; the answers must be exactly the scanner's."""
    from contractsync.spec.locate import prime

    data = {"openapi": "3.1.0", "paths": {"/a/{id}": {"get": {"x": [1, {"é": "ü\n"}, [], {}]}},
                                          "/b": {}}, "z": None}
    raw = orjson.dumps(data, option=orjson.OPT_INDENT_2) + b"\n"
    pointers = ["", "/openapi", "/paths", "/paths/~1a~1{id}/get", "/paths/~1a~1{id}/get/x/1/é",
                "/paths/~1a~1{id}/get/x/3", "/paths/~1b", "/z", "/nope", "/paths/~1a~1{id}/get/x/9"]
    clear_cache()
    scanned = [locate_pointer(raw, "json", p) for p in pointers]
    clear_cache()
    prime(raw, "json", data)
    assert [locate_pointer(raw, "json", p) for p in pointers] == scanned
    assert scanned[4] == Position(9, 13)


def test_fast_path_refuses_other_layouts() -> None:
    """Data that does not serialize to exactly this text leaves the scanner in charge."""
    from contractsync.spec.locate import prime

    raw = b'{"a": {"b": 1},\n "c": 2}'
    clear_cache()
    prime(raw, "json", {"a": {"b": 1}, "c": 2})
    assert locate_pointer(raw, "json", "/c") == Position(2, 2)
    clear_cache()
    prime(raw, "json", {"a": {"b": 1}, "c": 3})  # not even the same data
    assert locate_pointer(raw, "json", "/a/b") == Position(1, 8)


def test_fast_path_on_github_matches_scanner() -> None:
    from contractsync.spec.locate import prime

    corpus = require_corpus()
    raw = (corpus / "large" / "github-octokit-23.0.2.json").read_bytes()
    data = orjson.loads(raw)
    pointers = [f"/paths/{escape(p)}/{m}/responses" for p, item in list(data["paths"].items())[::9]
                for m in item if m != "parameters"]
    pointers += [f"/components/schemas/{escape(s)}/properties" for s in list(data["components"]["schemas"])[::9]]
    clear_cache()
    scanned = [locate_pointer(raw, "json", p) for p in pointers]
    clear_cache()
    prime(raw, "json", data)
    assert [locate_pointer(raw, "json", p) for p in pointers] == scanned


class _ScanRecordingBytes(bytes):
    """Bytes that record how far each count / rfind / slice reaches (the work a look-up does)."""

    spans: list[int]

    def count(self, sub, start=0, end=None):  # type: ignore[no-untyped-def,override]
        self.spans.append((len(self) if end is None else end) - start)
        return super().count(sub, start, end)

    def rfind(self, sub, start=0, end=None):  # type: ignore[no-untyped-def,override]
        self.spans.append((len(self) if end is None else end) - start)
        return super().rfind(sub, start, end)

    def __getitem__(self, key):  # type: ignore[no-untyped-def,override]
        if isinstance(key, slice):
            self.spans.append(len(range(*key.indices(len(self)))))
        return super().__getitem__(key)


def test_single_line_json_positions_do_not_rescan_the_line() -> None:
    """#13: on single-line JSON (what FastAPI serves) each look-up scanned back to the line start,
    so n changes cost n x the file size. After the first look-up indexes the line starts, a
    position costs a scan bounded by a small block, wherever it is in the line."""
    props = {f"p{i}é": {"type": "string", "description": "ü€𝄞" * (i % 5) + "x" * 100} for i in range(5_000)}
    doc = {"openapi": "3.1.0", "components": {"schemas": {"A": {"properties": props}}}}
    raw = _ScanRecordingBytes(orjson.dumps(doc))
    raw.spans = []
    assert len(raw) > 500_000 and b"\n" not in raw
    first = locate_pointer(raw, "json", "/components/schemas/A/properties/p0é")
    assert first is not None and first.line == 1
    text = raw.decode("utf-8")
    for i in (4_999, 2_500, 4_321):
        raw.spans = []
        pos = locate_pointer(raw, "json", f"/components/schemas/A/properties/p{i}é/description")
        assert pos is not None
        # column in characters, counted the slow way
        assert pos.column == text.index(f'"p{i}é":') + len(f'"p{i}é":{{"type":"string",') + 1
        position_scans = [s for s in raw.spans if s > 64 * 1024]
        assert position_scans == [], f"a look-up scanned {max(raw.spans):,} bytes"
