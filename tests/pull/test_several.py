"""A frontend talking to two backends: one ``[[pull]]`` entry per contract in contractsync.toml,
one contractsync.lock with an entry per contract; the single ``[pull]`` table keeps its lock (#9)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from contractsync.spec.canonical import canonical_json
from contractsync.typescript import TypeScriptOptions, to_typescript
from contractsync.typescript.options import options_digest

from ._helpers import Run, cli

PAYMENTS = {"openapi": "3.1.0", "info": {"title": "Payments", "version": "1.0.0"},
            "paths": {"/charges": {"get": {"operationId": "listCharges", "responses": {"200": {
                "description": "ok", "content": {"application/json": {"schema": {
                    "$ref": "#/components/schemas/Charge"}}}}}}}},
            "components": {"schemas": {"Charge": {"type": "object", "required": ["id", "status"], "properties": {
                "id": {"type": "string"}, "status": {"type": "string", "enum": ["paid", "failed"]}}}}}}

TWO = '''\
[[pull]]
name = "bookshop"
source = "../backends/bookshop.json"
types = "src/api/bookshop.ts"

[[pull]]
name = "payments"
source = "../backends/payments.json"
types = "src/api/payments.ts"
openapi = "src/api/payments.json"
[pull.typescript]
enum = true
'''


class Web:
    def __init__(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
                 v1_spec: Path) -> None:
        self.root = tmp_path / "web"
        self.root.mkdir()
        self.backends = tmp_path / "backends"
        self.backends.mkdir()
        shutil.copy(v1_spec, self.backends / "bookshop.json")
        (self.backends / "payments.json").write_text(json.dumps(PAYMENTS), encoding="utf-8")
        self.cache = tmp_path / "cache"
        self.monkeypatch, self.capsys = monkeypatch, capsys
        self.config(TWO)

    def config(self, text: str) -> None:
        (self.root / "contractsync.toml").write_text(text, encoding="utf-8")

    def pull(self, *args: str) -> Run:
        return cli(self.monkeypatch, self.capsys, self.root, "pull", *args,
                   env={"CONTRACTSYNC_CACHE_DIR": str(self.cache), "CONTRACTSYNC_TOKEN": None})

    def lock(self) -> dict[str, dict[str, dict[str, object]]]:
        data: dict[str, dict[str, dict[str, object]]] = json.loads((self.root / "contractsync.lock").read_text())
        return data


@pytest.fixture
def web(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], v1_spec: Path) -> Web:
    return Web(tmp_path, monkeypatch, capsys, v1_spec)


def _digest(doc: object) -> str:
    import hashlib

    return "sha256:" + hashlib.sha256(canonical_json(doc)).hexdigest()


def test_one_lock_with_an_entry_per_contract(web: Web, v1_spec: Path, v2_spec: Path) -> None:
    run = web.pull()
    assert run.code == 0, run.err
    v1 = json.loads(v1_spec.read_text())
    assert (web.root / "src/api/bookshop.ts").read_text() == to_typescript(v1)
    assert (web.root / "src/api/payments.ts").read_text() == to_typescript(PAYMENTS, TypeScriptOptions(enum=True))
    lock = web.lock()
    assert set(lock) == {"lock_version", "contracts"} and set(lock["contracts"]) == {"bookshop", "payments"}
    book, pay = lock["contracts"]["bookshop"], lock["contracts"]["payments"]
    assert book["contract"]["digest"] == _digest(v1) and pay["contract"]["digest"] == _digest(PAYMENTS)  # type: ignore[index]
    assert book["generator"]["options_digest"] == options_digest(TypeScriptOptions())  # type: ignore[index]
    assert pay["generator"]["options_digest"] == options_digest(TypeScriptOptions(enum=True))  # type: ignore[index]
    assert set(pay["outputs"]) == {"src/api/payments.ts", "src/api/payments.json"}  # type: ignore[arg-type]
    assert web.pull("--check").code == 0

    # Drift in one contract's output is reported as that contract's.
    (web.root / "src/api/payments.ts").write_text("// edited\n")
    drift = web.pull("--check")
    assert drift.code == 1 and drift.out.startswith("contractsync pull --check: [payments] src/api/payments.ts differs")
    assert web.pull().code == 0 and web.pull("--check").code == 0

    # The bookshop backend ships v2: refused as a whole (breaking), nothing of it written ...
    shutil.copy(v2_spec, web.backends / "bookshop.json")
    before = (web.root / "contractsync.lock").read_bytes()
    refused = web.pull("--update")
    assert refused.code == 1 and "BREAKING" in refused.out and "refusing" in refused.err
    assert (web.root / "contractsync.lock").read_bytes() == before
    # ... taken with --accept-breaking: only its entry changes.
    taken = web.pull("--update", "--accept-breaking", "--name", "bookshop")
    assert taken.code == 0, taken.err
    after = web.lock()["contracts"]
    assert after["bookshop"]["contract"]["digest"] == _digest(json.loads(v2_spec.read_text()))  # type: ignore[index]
    assert after["payments"] == lock["contracts"]["payments"]


def test_json_report_lists_each_contract(web: Web) -> None:
    run = web.pull("--update", "--format", "json")
    assert run.code == 0, run.err
    data = json.loads(run.out)
    assert set(data["contracts"]) == {"bookshop", "payments"}


def test_an_entry_dropped_from_the_config_leaves_the_lock(web: Web) -> None:
    assert web.pull().code == 0
    web.config(TWO.split("[[pull]]\nname = \"payments\"")[0])
    stale = web.pull("--check")
    assert stale.code == 1 and 'has an entry for "payments", which the config no longer lists' in stale.out
    assert web.pull().code == 0
    assert set(web.lock()["contracts"]) == {"bookshop"}
    assert web.pull("--check").code == 0


def test_from_one_table_to_several(web: Web) -> None:
    """A single [pull] table's lock is replaced by the several-contract shape on the next pull."""
    web.config('[pull]\nsource = "../backends/bookshop.json"\ntypes = "src/api/bookshop.ts"\n')
    assert web.pull().code == 0
    assert "contract" in web.lock()  # the one-contract shape, as before
    web.config(TWO)
    assert web.pull("--check").code == 1
    assert web.pull().code == 0
    assert set(web.lock()["contracts"]) == {"bookshop", "payments"}
    web.config('[pull]\nsource = "../backends/bookshop.json"\ntypes = "src/api/bookshop.ts"\n')
    back = web.pull()
    assert back.code == 2 and "holds several contracts" in back.err


@pytest.mark.parametrize(("config", "message"), [
    (TWO.replace('name = "payments"', 'name = "bookshop"'), "[[pull]] #2: name 'bookshop' is used twice"),
    (TWO.replace('name = "payments"\n', ""), "[[pull]] #2 needs a 'name'"),
    (TWO.replace("src/api/payments.ts", "src/api/bookshop.ts"),
     "[[pull]] \"payments\" types = 'src/api/bookshop.ts' is also an output of \"bookshop\""),
    (TWO.replace('types = "src/api/payments.ts"', 'types = "src/api/payments.ts"\nregsitry = "x"'),
     "[[pull]] #2 unknown key 'regsitry'"),
    (TWO.replace('name = "payments"', 'name = "../x"'), "[[pull]] #2 name:"),
    (TWO.replace('source = "../backends/payments.json"', 'source = "../backends/payments.json"\ntypes = "../../x.ts"')
     .replace('types = "src/api/payments.ts"\n', ""), "outside the repository"),
])
def test_config_mistakes_are_one_line(web: Web, config: str, message: str) -> None:
    web.config(config)
    run = web.pull()
    assert run.code == 2 and message in run.err, run.err
    assert len(run.err.strip().splitlines()) == 1 and "contractsync.toml" in run.err
    assert not (web.root / "contractsync.lock").exists()


def test_unknown_name(web: Web) -> None:
    run = web.pull("--name", "billing")
    assert run.code == 2 and "no [[pull]] entry named 'billing' (names: bookshop, payments)" in run.err


def test_watch_follows_every_contract(web: Web, monkeypatch: pytest.MonkeyPatch) -> None:
    import threading
    import time

    from contractsync.client.config import load_pull_configs
    from contractsync.client.pull import PullOutcome, watch

    monkeypatch.setenv("CONTRACTSYNC_CACHE_DIR", str(web.cache))
    entries = load_pull_configs(web.root / "contractsync.toml")
    stop = threading.Event()
    updates: list[PullOutcome] = []
    thread = threading.Thread(target=watch, args=(entries,), kwargs={
        "interval": 0.1, "stop": stop, "on_update": updates.append, "on_problem": lambda m: None})
    thread.start()

    def until(predicate: object) -> bool:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if predicate():  # type: ignore[operator]
                return True
            time.sleep(0.05)
        return False

    try:
        assert until(lambda: len(updates) == 2)
        changed = json.loads(json.dumps(PAYMENTS))
        changed["components"]["schemas"]["Charge"]["properties"]["status"]["enum"].append("refunded")
        (web.backends / "payments.json").write_text(json.dumps(changed), encoding="utf-8")
        assert until(lambda: len(updates) == 3)
        assert until(lambda: "refunded" in (web.root / "src/api/payments.ts").read_text())
    finally:
        stop.set()
        thread.join(timeout=30)
    assert set(web.lock()["contracts"]) == {"bookshop", "payments"}


def test_several_in_a_pyproject(web: Web, v1_spec: Path) -> None:
    """`[[tool.contractsync.pull]]` in a pyproject.toml is the same list."""
    (web.root / "contractsync.toml").unlink()
    body = TWO.replace("[[pull]]", "[[tool.contractsync.pull]]").replace("[pull.typescript]",
                                                                          "[tool.contractsync.pull.typescript]")
    (web.root / "pyproject.toml").write_text('[project]\nname = "web"\nversion = "0"\n\n' + body, encoding="utf-8")
    run = web.pull()
    assert run.code == 0, run.err
    assert set(web.lock()["contracts"]) == {"bookshop", "payments"}
    assert "export enum" in (web.root / "src/api/payments.ts").read_text()
    assert web.pull("--check").code == 0
