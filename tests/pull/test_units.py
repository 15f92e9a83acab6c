"""Unit tables: refs, the [pull] table, the lock file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from contractsync.client.config import load_pull_config, parse_pull_table
from contractsync.client.lock import Lock, LockedContract, LockedGenerator, load_lock, save_lock
from contractsync.client.refs import Ref, parse_ref
from contractsync.config import load_config
from contractsync.errors import ConfigError, InputError

DIGEST = "sha256:" + "ab" * 32


@pytest.mark.parametrize(("text", "expected"), [
    ("label:main", Ref("label", "main")),
    ("main", Ref("label", "main")),
    ("label:pr-123", Ref("label", "pr-123")),
    ("label:release_2.1", Ref("label", "release_2.1")),
    ("version:3", Ref("version", "3")),
    ("version:007", Ref("version", "7")),
    (f"digest:{DIGEST}", Ref("digest", DIGEST)),
    (DIGEST, Ref("digest", DIGEST)),
])
def test_parse_ref(text: str, expected: Ref) -> None:
    assert parse_ref(text) == expected
    assert parse_ref(str(expected)) == expected


@pytest.mark.parametrize(("text", "message"), [
    ("label:", "the label is empty"),
    ("label:../etc", "contains a slash"),
    ("label:a/b", "contains a slash"),
    ("label:-x", "must start"),
    ("label:" + "a" * 129, "129 characters"),
    ("label:a\x00b", "control character U+0000"),
    ("version:0", "a version is a number from 1"),
    ("version:x", "a version is a number from 1"),
    ("version:-1", "a version is a number from 1"),
    ("digest:sha256:abc", "64 lower-case hex"),
    ("digest:" + DIGEST.upper(), "64 lower-case hex"),
    ("tag:v1", "is not a ref"),
])
def test_parse_ref_errors(text: str, message: str) -> None:
    with pytest.raises(InputError, match=None) as info:
        parse_ref(text, source="contractsync.toml")
    assert message in info.value.one_line()
    assert info.value.one_line().startswith("contractsync.toml:ref: ")


GOOD = {"registry": "https://contracts.example.com/", "contract": "bookshop", "types": "src/api/types.ts"}


@pytest.mark.parametrize(("table", "message"), [
    ({**GOOD, "regsitry": "x"}, "[pull] unknown key 'regsitry'"),
    ({"contract": "bookshop", "types": "t.ts"}, "set exactly one of 'registry'"),
    ({**GOOD, "source": "openapi.json"}, "set exactly one of 'registry'"),
    ({"registry": "https://x.example", "types": "t.ts"}, "'contract' is required with 'registry'"),
    ({**GOOD, "registry": "ftp://x.example"}, "[pull] registry: "),
    ({**GOOD, "registry": "https://user:secret@x.example"}, "credentials in the URL are refused"),
    ({**GOOD, "registry": "https://x.example/?token=abc"}, "must not have a query"),
    ({**GOOD, "contract": "a/b"}, "[pull] contract: "),
    ({**GOOD, "ref": "version:zero"}, "[pull] ref: 'version:zero': a version is a number"),
    ({"source": "openapi.json", "ref": "label:main", "types": "t.ts"}, "'ref' applies to a registry"),
    ({"registry": "https://x.example", "contract": "c"}, "no output"),
    ({**GOOD, "openapi": "src/api/types.ts"}, "name the same file"),
    ({**GOOD, "typescript": {"enums": True}}, "[pull] unknown key 'typescript.enums'"),
    ({**GOOD, "timeout": 0}, "[pull] timeout: "),
    ({**GOOD, "generate": "trust"}, "[pull] generate: "),
    ({"source": "openapi.json", "generate": "verify", "types": "t.ts"}, "generate = 'verify' applies to a registry"),
])
def test_pull_table_errors(table: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError) as info:
        parse_pull_table(table, source="contractsync.toml")
    line = info.value.one_line()
    assert line.startswith("contractsync.toml: ")
    assert message in line, line


def test_pull_table_defaults() -> None:
    cfg = parse_pull_table(GOOD, source="x")
    assert cfg.registry == "https://contracts.example.com"  # trailing slash dropped
    assert str(cfg.resolved_ref) == "label:main"
    assert cfg.outputs() == {"types": "src/api/types.ts"}
    plain = parse_pull_table({"source": "origin/main:contracts/openapi.json", "openapi": "api.json"}, source="x")
    assert plain.resolved_ref is None and plain.origin == "origin/main:contracts/openapi.json"


def test_config_files(tmp_path: Path) -> None:
    # contractsync.toml wins over a pyproject.toml in the same directory; a nested directory finds it.
    (tmp_path / "pyproject.toml").write_text('[tool.contractsync.pull]\nsource = "a.json"\ntypes = "a.ts"\n')
    settings = load_pull_config(start=tmp_path)
    assert settings.file == tmp_path / "pyproject.toml" and settings.table == "tool.contractsync.pull"
    assert load_config(tmp_path / "pyproject.toml").pull is not None  # the project config accepts the table
    (tmp_path / "contractsync.toml").write_text('[pull]\nsource = "b.json"\ntypes = "b.ts"\n')
    nested = tmp_path / "src" / "deep"
    nested.mkdir(parents=True)
    settings = load_pull_config(start=nested)
    assert settings.file == tmp_path / "contractsync.toml"
    assert settings.root == tmp_path.resolve() and settings.config.source == "b.json"
    assert settings.lock_path == tmp_path.resolve() / "contractsync.lock"
    # [impact] (the frontend's own client generator, for `contractsync impact`) sits beside it.
    (tmp_path / "contractsync.toml").write_text('[pull]\nsource = "b.json"\nopenapi = "o.json"\n'
                                                '[impact]\ngenerate = "npm run generate-client"\n')
    assert load_pull_config(start=nested).config.openapi == "o.json"


@pytest.mark.parametrize(("text", "message"), [
    ("[pull\n", "invalid TOML"),
    ("[other]\nx = 1\n", "unknown table [other]"),
    ("pull = 3\n", "[pull] must be a table"),
    ("", "no [pull] table"),
])
def test_config_file_errors(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "contractsync.toml"
    path.write_text(text)
    with pytest.raises(ConfigError) as info:
        load_pull_config(path)
    assert info.value.one_line().startswith(f"{path}: ") and message in info.value.one_line()


@pytest.mark.parametrize(("outputs", "message"), [
    ('types = "../outside.ts"', "[pull] types = '../outside.ts' is outside the repository"),
    ('types = "/tmp/abs.ts"', "[pull] types = '/tmp/abs.ts' is outside the repository"),
    ('openapi = "src/../../../o.json"', "[pull] openapi = 'src/../../../o.json' is outside the repository"),
    ('types = "../shared/types.ts"', None),  # inside the git repository around the config: fine
    ('types = "src/api/types.ts"', None),
])
def test_outputs_stay_inside_the_repository(tmp_path: Path, outputs: str, message: str | None) -> None:
    """A pull request editing contractsync.toml must not redirect pull's writes (#13's rule for
    config paths, applied to the pull outputs)."""
    (tmp_path / "repo" / ".git").mkdir(parents=True)
    web = tmp_path / "repo" / "web"
    web.mkdir()
    path = web / "contractsync.toml"
    path.write_text(f'[pull]\nsource = "openapi.json"\n{outputs}\n')
    if message is None:
        load_pull_config(path)
        return
    if "../outside" in outputs:  # outside git: the config's own folder is the limit
        (tmp_path / "repo" / ".git").rmdir()
    with pytest.raises(ConfigError) as info:
        load_pull_config(path)
    assert info.value.one_line().startswith(f"{path}: ") and message in info.value.one_line()


@pytest.mark.parametrize(("link", "to_inside"), [("src", False), ("src/api", False), ("src/api/types.ts", False),
                                                ("src", True)])
def test_outputs_through_symlinks_stay_inside(tmp_path: Path, link: str, to_inside: bool) -> None:
    """Confinement was lexical: a committed `src -> /elsewhere` made pull write outside the
    repository. A link that stays inside (a monorepo's shared folder) is fine."""
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    target = repo / "shared" if to_inside else tmp_path / "elsewhere"
    target.mkdir()
    path = repo / "contractsync.toml"
    path.write_text('[pull]\nsource = "openapi.json"\ntypes = "src/api/types.ts"\n')
    (repo / link).parent.mkdir(parents=True, exist_ok=True)
    (repo / link).symlink_to(target / "types.ts" if link.endswith(".ts") else target)
    if to_inside:
        load_pull_config(path)
        return
    with pytest.raises(ConfigError) as info:
        load_pull_config(path)
    assert "through a symlink" in info.value.one_line() and info.value.one_line().startswith(f"{path}: ")


def test_no_config(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"no contractsync.toml"):
        load_pull_config(start=tmp_path)


def _lock(**outputs: str) -> Lock:
    return Lock(contract=LockedContract(name="bookshop", source="https://r.example", ref="label:main", version=2,
                                        digest=DIGEST, info_version="1.1.0", source_commit="abc123"),
                generator=LockedGenerator(version="0.1.0", options_digest=DIGEST),
                outputs=outputs or {"src/api/types.ts": DIGEST})


def test_lock_round_trip_sorted(tmp_path: Path) -> None:
    path = tmp_path / "contractsync.lock"
    lock = _lock(**{"z.ts": DIGEST, "a.json": DIGEST})
    assert save_lock(path, lock) is True
    assert save_lock(path, lock) is False  # unchanged text is not rewritten
    text = path.read_text()
    assert text.endswith("}\n")
    data = json.loads(text)
    assert list(data) == sorted(data) and list(data["outputs"]) == ["a.json", "z.ts"]
    assert text == json.dumps(data, indent=2, sort_keys=True) + "\n"
    assert load_lock(path) == lock
    assert load_lock(tmp_path / "missing.lock") is None


@pytest.mark.parametrize(("mutate", "where"), [
    (lambda d: d.update(lock_version=2), "lock_version"),
    (lambda d: d["contract"].update(digest="sha256:nothex"), "contract.digest"),
    (lambda d: d["contract"].update(version=0), "contract.version"),
    (lambda d: d.update(extra=1), "extra"),
    (lambda d: d["generator"].update(name="openapi-typescript"), "generator.name"),
    (lambda d: d["outputs"].update({"x.ts": "md5:abc"}), "outputs.x.ts"),
    (lambda d: d["outputs"].update({"contractsync.lock": DIGEST}), "outputs.contractsync.lock"),
    (lambda d: d["outputs"].update({"web/contractsync.toml": DIGEST}), "outputs.web/contractsync.toml"),
])
def test_lock_errors(tmp_path: Path, mutate, where: str) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "contractsync.lock"
    data = json.loads(_lock().dump())
    mutate(data)
    path.write_text(json.dumps(data))
    with pytest.raises(InputError) as info:
        load_lock(path)
    assert info.value.one_line().startswith(f"{path}:{where}: "), info.value.one_line()


def test_a_huge_lock_is_refused_unread(tmp_path: Path) -> None:
    """A 200 MB contractsync.lock was read whole (and parsed) by pull, check and impact. It is
    refused past MAX_LOCK_BYTES from its size, before a byte is read (#13)."""
    from contractsync.client.lock import MAX_LOCK_BYTES
    from contractsync.impact.frontend import find_types

    path = tmp_path / "contractsync.lock"
    with path.open("wb") as fh:  # sparse: 200 MB on disk costs nothing
        fh.truncate(200 * 2**20)
    for read in (lambda: load_lock(path), lambda: find_types(tmp_path)):
        with pytest.raises(InputError) as info:
            read()
        assert info.value.one_line() == f"{path}: is larger than {MAX_LOCK_BYTES // 2**20} MiB"
    path.write_text(json.dumps({"outputs": {"src/t.ts": DIGEST}}) + " " * MAX_LOCK_BYTES)
    with pytest.raises(InputError, match="is larger than"):
        load_lock(path)


def test_a_lock_that_is_a_fifo_is_refused_not_waited_on(tmp_path: Path) -> None:
    import os

    path = tmp_path / "contractsync.lock"
    os.mkfifo(path)
    with pytest.raises(InputError, match="is a FIFO, not a regular file"):
        load_lock(path)


def test_lock_not_json(tmp_path: Path) -> None:
    path = tmp_path / "contractsync.lock"
    path.write_text("{\n<<<<<<< HEAD\n")
    with pytest.raises(InputError, match=r"is not valid JSON"):
        load_lock(path)


def test_document_of_knows_its_hash(v1_spec: Path) -> None:
    import hashlib

    from contractsync.client.pull import document_of
    from contractsync.spec.canonical import canonical_json

    canon = v1_spec.read_bytes()
    doc = document_of(canon, "x")
    assert doc.sha256 == hashlib.sha256(canonical_json(doc.data)).hexdigest() == hashlib.sha256(canon).hexdigest()


def test_generate_mode_defaults_to_local_and_is_local_for_a_plain_source() -> None:
    assert parse_pull_table(dict(GOOD), source="t").generate_mode == "local"
    assert parse_pull_table({**GOOD, "generate": "verify"}, source="t").generate_mode == "verify"
    assert parse_pull_table({"source": "openapi.json", "types": "t.ts", "generate": "local"},
                            source="t").generate_mode == "local"
    assert parse_pull_table({**GOOD, "types": None, "openapi": "o.json"}, source="t").generate_mode is None


def test_generate_flag_applies_to_registry_entries_only(tmp_path: Path) -> None:
    """`pull --generate verify` over [[pull]] entries: a plain source has no stored types and
    stays local; an unknown mode is a usage error naming --generate."""
    import typer

    from contractsync.cli.pull import _with_generate
    from contractsync.client.config import load_pull_configs

    (tmp_path / "contractsync.toml").write_text(
        '[[pull]]\nname = "a"\nregistry = "https://x.example"\ncontract = "a"\ntypes = "a.ts"\n'
        '[[pull]]\nname = "b"\nsource = "openapi.json"\ntypes = "b.ts"\n', encoding="utf-8")
    entries = _with_generate(load_pull_configs(tmp_path / "contractsync.toml"), "verify")
    assert [e.config.generate_mode for e in entries] == ["verify", "local"]
    with pytest.raises(typer.BadParameter, match="must be local, registry or verify"):
        _with_generate(entries, "trust")
