"""``contractsync registry export --static DIR``: the read API as files, for a CDN or object store.

Layout (every file holds exactly the bytes the server answers at the same path)::

    DIR/v1/contracts/index.json                          GET /v1/contracts
    DIR/v1/contracts/{c}/index.json                      GET /v1/contracts/{c}
    DIR/v1/contracts/{c}/labels/{l}                      GET …/labels/{l}   (movable: short TTL)
    DIR/v1/contracts/{c}/labels/{l}.history.json         GET …/labels/{l}/history
    DIR/v1/contracts/{c}/versions/{ref}/index.json       GET …/versions/{ref}     ({ref}: digest and number)
                                                         + ``artifacts`` (see below)
    DIR/v1/contracts/{c}/versions/{ref}/openapi.json     immutable
    DIR/v1/contracts/{c}/versions/{ref}/types.ts         immutable (default generator options)
    DIR/v1/contracts/{c}/versions/{ref}/changelog.md     immutable

A server names the generator of ``types.ts`` in response headers, which a file or a CDN does not
send; so each version's ``index.json`` adds to the server's record an ``artifacts`` object::

    "artifacts": {"types.ts": {"generator": "contractsync", "generator_version": "…",
                               "options_digest": "sha256:…", "digest": "sha256:<of the file's bytes>"}}

and ``pull`` uses the mirror's types when its own generator version and options match them
(bytes verified against ``digest``), else generates them locally from the verified contract.

Immutable files are written first and labels last, so a mirror being refreshed never points a
label at a version whose files are not there yet. Writes are atomic and skipped when unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import orjson

from .. import __version__
from ..io import atomic_write_bytes
from ..typescript.options import TypeScriptOptions, options_digest
from .names import name_problem
from .service import GENERATOR, Registry
from .shapes import label_json, version_json


@dataclass
class ExportResult:
    written: int = 0
    unchanged: int = 0
    skipped: list[str] = field(default_factory=list)
    """Contracts and labels stored before their names were reserved by the mirror's own files
    (``index.json``, ``*.history.json``): left out rather than overwriting those files."""


def _put(path: Path, data: bytes, result: ExportResult) -> None:
    try:
        if path.read_bytes() == data:
            result.unchanged += 1
            return
    except OSError:
        pass
    atomic_write_bytes(path, data)
    result.written += 1


def export_static(reg: Registry, out: Path) -> ExportResult:
    result = ExportResult()
    root = out / "v1" / "contracts"
    summaries = []
    labels_later: list[tuple[Path, bytes]] = []
    for c in reg.store.contract_names():
        if name_problem(c, "contract name") is not None:
            result.skipped.append(f"contract {c!r}")
            continue
        versions = reg.store.versions(c)
        labels = reg.store.labels(c)
        for v in versions:
            blob = reg.store.blob(v.digest)
            assert blob is not None
            types_digest, types = reg.types(v, TypeScriptOptions())
            _, changelog = reg.changelog(v)
            record = orjson.dumps({**version_json(v), "artifacts": {"types.ts": {
                "generator": GENERATOR, "generator_version": __version__,
                "options_digest": options_digest(TypeScriptOptions()), "digest": types_digest}}})
            for ref in (v.digest, str(v.number)):
                d = root / c / "versions" / ref
                _put(d / "openapi.json", blob, result)
                _put(d / "types.ts", types, result)
                _put(d / "changelog.md", changelog, result)
                _put(d / "index.json", record, result)
        if skipped := [x for x in labels if name_problem(x.label, "label name") is not None]:
            result.skipped += [f"label {x.label!r} of {c!r}" for x in skipped]
            labels = [x for x in labels if x not in skipped]
        for lbl in labels:
            moves = reg.store.label_history(c, lbl.label)
            history = {"contract": c, "label": lbl.label, "moves": [
                {"version": m.number, "digest": m.digest, "previous": m.previous, "moved_at": m.moved_at,
                 "moved_by": m.moved_by} for m in moves]}
            labels_later.append((root / c / "labels" / f"{lbl.label}.history.json", orjson.dumps(history)))
            labels_later.append((root / c / "labels" / lbl.label, orjson.dumps(label_json(lbl))))
        labels_later.append((root / c / "index.json", orjson.dumps(
            {"name": c, "labels": [label_json(x) for x in labels], "versions": [version_json(v) for v in versions]})))
        summaries.append({"name": c, "labels": {x.label: x.number for x in labels},
                          "latest": versions[-1].number if versions else None})
    for path, data in labels_later:
        _put(path, data, result)
    _put(root / "index.json", orjson.dumps({"contracts": summaries}), result)
    return result
