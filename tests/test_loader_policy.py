"""One loader policy (#13, item 8): every command loads a document the same way and refuses the
same inputs with the same one-line message; one nesting limit for JSON, YAML, canonical JSON and
``changelog.json``; integers of any size stay exact (item 9)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from contractsync.changelog import load_history
from contractsync.cli import main
from contractsync.errors import InputError
from contractsync.spec import load_spec
from contractsync.spec.canonical import canonical_json
from contractsync.spec.parse import MAX_DEPTH

HEAD = '{"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": {}, '
YHEAD = "openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths: {}\n"
DEPTH = f"nested too deeply (limit {MAX_DEPTH} levels)"


def _json_nested(levels: int) -> bytes:
    """A document whose deepest node is at ``levels`` (the top-level object is level 1)."""
    inner = levels - 2  # the top object and the x-d array holding the chain
    return (HEAD + '"x-d": ' + "[" * (inner + 1) + "]" * (inner + 1) + "}").encode()


def _schema_chain(levels: int) -> bytes:
    """``components/schemas/S`` as a chain of ``items`` down to level ``levels``."""
    node: dict[str, object] = {"type": "string"}
    for _ in range(levels - 4):
        node = {"type": "array", "items": node}
    return json.dumps({"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": {},
                       "components": {"schemas": {"S": node}}}).encode()


COMMANDS = {
    "validate": ["validate", "{f}"],
    "diff": ["diff", "{f}", "{f}"],
    "typescript": ["generate", "typescript", "{f}", "-o", "out.ts"],
}

# (name, file name, content, substrings of the one error line every command prints)
REFUSED: list[tuple[str, str, bytes, list[str]]] = [
    ("JSON one level too deep", "deep.json", _json_nested(MAX_DEPTH + 1), [DEPTH]),
    ("JSON schemas 500 deep (canonical JSON crashed)", "deep500.json", _schema_chain(500), [DEPTH]),
    ("YAML one level too deep", "deep.yaml",
     (YHEAD + "x-d: " + "[" * MAX_DEPTH + "]" * MAX_DEPTH + "\n").encode(), ["deep.yaml:4:", DEPTH]),
    ("YAML 300 deep", "deep300.yaml", (YHEAD + "x-d: " + "[" * 300 + "]" * 300 + "\n").encode(),
     ["deep300.yaml:4:", DEPTH]),
    ("YAML !!set", "set.yaml", (YHEAD + "x-s: !!set {a, b}\n").encode(),
     ["set.yaml:4:6", "!!set is not a JSON value"]),
    ("YAML !!omap", "omap.yaml", (YHEAD + "x-o: !!omap [a: 1, b: 2]\n").encode(),
     ["omap.yaml:4:6", "!!omap is not a JSON value"]),
    ("YAML .nan", "nan.yaml", (YHEAD + "x-n: .nan\n").encode(), ["nan.yaml:4:6", "not a JSON value"]),
    ("YAML .inf", "inf.yaml", (YHEAD + "x-n: -.inf\n").encode(), ["inf.yaml:4:6", "not a JSON value"]),
]

DANGLING = (YHEAD.replace("paths: {}\n", "") + "paths:\n  /a:\n    get:\n      responses:\n"
            "        '200': {description: ok, content: {application/json: {schema: "
            "{$ref: '#/components/schemas/X'}}}}\n").encode()  # a YAML file cut before components
EXTERNAL = (HEAD + '"components": {"schemas": {"A": {"$ref": "other.json#/X"}}}}').encode()
# (name, file, content, message): refused by diff and TypeScript, listed as a problem by validate
REF_PROBLEMS: list[tuple[str, str, bytes, str]] = [
    ("truncated YAML: dangling $ref", "cut.yaml", DANGLING, "$ref '#/components/schemas/X' points to nothing"),
    ("external $ref", "ext.json", EXTERNAL, "external $ref 'other.json#/X' is not followed"),
]


def _run(tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str], name: str) -> tuple[int, str]:
    """Exit code and stdout + stderr of one command."""
    code = main([a.format(f=name) for a in argv])
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err and "internal error" not in captured.err, captured.err
    return code, captured.out + captured.err


@pytest.mark.parametrize(("name", "filename", "content", "expected"), REFUSED, ids=[c[0] for c in REFUSED])
@pytest.mark.parametrize("command", list(COMMANDS))
def test_every_command_refuses_the_same_input_the_same_way(
    name: str, filename: str, content: bytes, expected: list[str], command: str,
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / filename).write_bytes(content)
    code, err = _run(tmp_path, capsys, COMMANDS[command], filename)
    assert code == 2, err
    line = err.strip().splitlines()[-1]
    assert line.startswith(f"contractsync: error: {filename}:"), line
    for fragment in expected:
        assert fragment in line, (fragment, line)
    assert not (tmp_path / "out.ts").exists()


@pytest.mark.parametrize(("name", "filename", "content", "message"), REF_PROBLEMS, ids=[c[0] for c in REF_PROBLEMS])
def test_typescript_refuses_the_refs_diff_refuses(
    name: str, filename: str, content: bytes, message: str,
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / filename).write_bytes(content)
    lines = {}
    for command in ("diff", "typescript"):
        code, err = _run(tmp_path, capsys, COMMANDS[command], filename)
        assert code == 2, (command, err)
        lines[command] = err.strip().splitlines()[-1]
        assert message in lines[command]
    assert lines["diff"] == lines["typescript"]
    assert not (tmp_path / "out.ts").exists()
    code, out = _run(tmp_path, capsys, ["validate", "--no-cache", "{f}"], filename)
    assert code == 1 and message in out


def test_deepest_allowed_document_works_everywhere(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    """At the limit, nothing recurses out of stack: load, canonical JSON, diff, TypeScript."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a.json").write_bytes(_schema_chain(MAX_DEPTH))
    (tmp_path / "b.json").write_bytes(_schema_chain(MAX_DEPTH - 1))
    (tmp_path / "x.yaml").write_bytes((YHEAD + "x-d: " + "[" * (MAX_DEPTH - 1) + "]" * (MAX_DEPTH - 1)).encode())
    doc = load_spec("a.json")
    assert json.loads(canonical_json(doc.data)) == doc.data
    assert load_spec("x.yaml").data["x-d"]
    code, err = _run(tmp_path, capsys, ["diff", "a.json", "b.json"], "")
    assert code in (0, 1), err
    code, err = _run(tmp_path, capsys, ["generate", "typescript", "a.json", "-o", "out.ts"], "")
    assert code == 0, err


def test_percent_encoded_ref_resolves_in_every_command(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)
    ok = ('{"description": "ok", "content": {"application/json": {"schema": '
          '{"$ref": "#/components/schemas/B"}}}}')
    doc = (HEAD.replace('"paths": {}', '"paths": {"/b": {"get": {"responses": {"200": ' + ok + '}}}}')
           + '"components": {"schemas": {"a b": {"type": "string"}, '
           '"B": {"type": "object", "properties": {"x": {"$ref": "#/components/schemas/a%20b"}}}}}}')
    (tmp_path / "p.json").write_text(doc)
    (tmp_path / "q.json").write_text(doc.replace('"a b": {"type": "string"}', '"a b": {"type": "integer"}'))
    code, out = _run(tmp_path, capsys, ["diff", "p.json", "q.json"], "")
    assert code in (0, 1), out
    assert "components.schemas.a b" in out
    code, err = _run(tmp_path, capsys, ["generate", "typescript", "p.json", "-o", "out.ts"], "")
    assert code == 0, err
    assert 'x?: components["schemas"]["a b"];' in (tmp_path / "out.ts").read_text()
    code, out = _run(tmp_path, capsys, ["validate", "--no-cache", "p.json"], "")
    assert "points to nothing" not in out


def test_changelog_json_shares_the_nesting_limit(tmp_path: Path) -> None:
    path = tmp_path / "changelog.json"
    path.write_text('{"format": "contractsync-changelog", "releases": ' + "[" * 5000 + "]" * 5000 + "}")
    with pytest.raises(InputError) as info:
        load_history(path)
    assert DEPTH in info.value.message
    path.write_text('{"format": "contractsync-changelog", "releases": ' + "[" * 300 + "]" * 300 + "}")
    with pytest.raises(InputError) as info:
        load_history(path)
    assert DEPTH in info.value.message


@pytest.mark.parametrize("value", [2**64, 2**64 + 1, 2**70, -(2**63) - 1, 10**40])
def test_integers_beyond_64_bits_stay_exact(value: int, tmp_path: Path) -> None:
    (tmp_path / "n.json").write_text(HEAD + f'"x-n": {value}, "x-s": "{value}", "x-f": 1.5e300}}')
    doc = load_spec(str(tmp_path / "n.json"))
    assert doc.data["x-n"] == value and isinstance(doc.data["x-n"], int)
    assert doc.data["x-s"] == str(value) and doc.data["x-f"] == 1.5e300
    assert f'"x-n": {value}' in canonical_json(doc.data).decode()
    (tmp_path / "n.yaml").write_text(YHEAD + f"x-n: {value}\n")
    assert load_spec(str(tmp_path / "n.yaml")).data["x-n"] == value


def _fan_out_yaml(levels: int) -> str:
    """A kilobyte of YAML whose anchors fan out 9 ways per level (under the absolute cap)."""
    lines = [YHEAD.rstrip("\n"), "components:", "  schemas:",
             "    L0: &l0 {type: object, properties: {a: {type: string}, b: {type: integer}}}"]
    for i in range(1, levels + 1):
        props = ", ".join(f"p{j}: *l{i - 1}" for j in range(9))
        lines.append(f"    L{i}: &l{i} {{type: object, properties: {{{props}}}}}")
    return "\n".join(lines) + "\n"


def test_alias_expansion_is_bounded_relative_to_the_input(tmp_path: Path) -> None:
    """#13: 1 KB of YAML expanding to ~5 M nodes (under the 20 M cap) made `generate typescript`
    write hundreds of MB; expansion is now bounded per byte of input."""
    (tmp_path / "fan.yaml").write_text(_fan_out_yaml(6))
    assert len((tmp_path / "fan.yaml").read_bytes()) < 2000
    with pytest.raises(InputError) as info:
        load_spec(str(tmp_path / "fan.yaml"))
    assert "through YAML aliases" in info.value.message
    (tmp_path / "ok.yaml").write_text(_fan_out_yaml(2))  # modest reuse of anchors stays fine
    assert "L2" in load_spec(str(tmp_path / "ok.yaml")).data["components"]["schemas"]


def _allof_dag(levels: int) -> dict[str, object]:
    schemas: dict[str, object] = {"S0": {"type": "object", "properties": {"a": {"type": "string"}}}}
    for i in range(1, levels + 1):
        ref = {"$ref": f"#/components/schemas/S{i - 1}"}
        schemas[f"S{i}"] = {"allOf": [ref, dict(ref)]}
    return {"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": {},
            "components": {"schemas": schemas}}


def test_validation_of_an_allof_dag_is_bounded(tmp_path: Path) -> None:
    """#13: the validator re-walks shared schemas (2^levels walks); 40 levels ran for minutes."""
    from contractsync.spec.validate import validate_document

    (tmp_path / "dag.json").write_text(json.dumps(_allof_dag(40)))
    problems = validate_document(load_spec(str(tmp_path / "dag.json")), use_cache=False)
    assert [p.message for p in problems if "full validation skipped" in p.message]


def test_export_does_not_validate_unless_asked() -> None:
    import inspect

    from contractsync.contract import export_contract

    assert inspect.signature(export_contract).parameters["validate"].default is False
