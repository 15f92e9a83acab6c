"""One rebuild: export → canonical form → diff against the stored contract → generate → write.

The stored contract is only ever read here (``accept`` is what writes it). Each output is written
atomically and only when its bytes change; when the exported document is byte-identical to the
previous rebuild's and nobody touched the outputs since, nothing is generated at all.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

import orjson

from ..diff.model import Report
from ..diff.options import DiffOptions
from ..diff.settings import DiffConfig
from ..errors import ContractsyncError, InputError
from ..io import atomic_write_bytes
from ..spec.canonical import canonicalize
from ..spec.document import Document
from ..typescript.options import TypeScriptOptions
from .worker import Exporter, ExportOutcome

OutputKind = Literal["typescript", "openapi"]


@dataclass(frozen=True)
class Output:
    """A file the watcher keeps up to date.

    ``typescript`` gets the generated types; ``openapi`` the canonical OpenAPI document, for
    frontend tools that read the spec themselves (hey-api, orval, openapi-typescript).
    """

    path: Path
    kind: OutputKind

    @classmethod
    def for_path(cls, path: Path) -> Output:
        """The output kind follows the file name: ``.json`` is the document, anything else types."""
        return cls(path, "openapi" if path.suffix.lower() == ".json" else "typescript")


@dataclass
class WriteError:
    """An output that could not be written (the rebuild goes on with the others)."""

    path: Path
    message: str


@dataclass
class RebuildResult:
    """What one rebuild did; rendered as a status line or one JSON object."""

    started: datetime
    trigger: list[str]
    export: ExportOutcome
    ms: float = 0.0
    #: The exported document differs from the previous rebuild's.
    spec_changed: bool = False
    sha256: str = ""
    written: list[Path] = field(default_factory=list)
    unchanged: list[Path] = field(default_factory=list)
    errors: list[WriteError] = field(default_factory=list)
    #: The stored contract compared against (None: there is none yet).
    contract: Path | None = None
    #: The changes against the stored contract (None when there is no contract or diffing failed).
    report: Report | None = None
    #: Why there is no report although a contract exists (unreadable contract, diff failure).
    contract_error: str | None = None
    #: TypeScript generation failed (the other outputs are still written).
    generate_error: str | None = None
    #: Places where the generated types are less exact than the contract (JSON pointer: why).
    type_warnings: list[str] = field(default_factory=list)
    #: The operation count of the new document.
    operations: int = 0

    @property
    def ok(self) -> bool:
        """The export worked and every output was written."""
        return self.export.ok and not self.errors and self.generate_error is None


def _stat_key(path: Path) -> tuple[int, int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return (st.st_mtime_ns, st.st_size)


def _count_operations(data: dict[str, Any]) -> int:
    from ..contract import operations

    return len(operations(data))


@dataclass
class Builder:
    """Runs rebuilds and remembers what the last one produced."""

    exporter: Exporter
    outputs: list[Output]
    contract_file: Path
    source_name: str
    ts_options: TypeScriptOptions | None = None
    #: ``[tool.contractsync.diff]``: per-rule levels and ignores, applied as ``contractsync diff``
    #: applies them, so the watcher never disagrees with it.
    diff_config: DiffConfig | None = None

    _last_raw: bytes | None = field(default=None, init=False, repr=False)
    #: Output path → stat key right after we wrote (or verified) it.
    _written: dict[Path, tuple[int, int] | None] = field(default_factory=dict, init=False, repr=False)
    _contract_key: tuple[int, int] | None = field(default=None, init=False, repr=False)
    _contract_doc: Document | None = field(default=None, init=False, repr=False)
    _report_key: tuple[str, tuple[int, int] | None] | None = field(default=None, init=False, repr=False)
    _report: Report | None = field(default=None, init=False, repr=False)

    def rebuild(self, trigger: list[str]) -> RebuildResult:
        """Export the app and bring every output up to date."""
        started = datetime.now().astimezone()
        t0 = time.perf_counter()
        outcome = self.exporter.export(changed=trigger)
        result = RebuildResult(started=started, trigger=trigger, export=outcome)
        if outcome.ok and outcome.spec is not None:
            self._process(outcome.spec, result)
        result.ms = (time.perf_counter() - t0) * 1000
        return result

    def _process(self, spec: dict[str, Any], result: RebuildResult) -> None:
        data = canonicalize(spec)
        # The same bytes `contractsync export` writes (see spec.canonical.canonical_json).
        raw = orjson.dumps(data, option=orjson.OPT_INDENT_2) + b"\n"
        result.sha256 = hashlib.sha256(raw).hexdigest()
        result.spec_changed = raw != self._last_raw
        result.operations = _count_operations(data)
        self._last_raw = raw
        doc = Document(data=data, source=self.source_name, raw=raw, format="json")
        # `raw` is the canonical JSON, so its hash is the document's: seeding the cached property
        # spares the generator a second canonicalisation of the whole document.
        doc.__dict__["sha256"] = result.sha256
        # Types first, the comparison after: the frontend's types land on disk without waiting
        # for the diff, whose result only feeds the status line.
        self._write_outputs(doc, raw, result)
        self._compare(doc, result)

    # -- the stored contract ---------------------------------------------------------------

    def _compare(self, doc: Document, result: RebuildResult) -> None:
        key = _stat_key(self.contract_file)
        if key is None:
            self._contract_doc, self._contract_key = None, None
            return
        result.contract = self.contract_file
        if key != self._contract_key:
            from ..spec.source import FileSource, load_spec

            try:
                self._contract_doc = load_spec(FileSource(self.contract_file))
            except ContractsyncError as exc:
                self._contract_doc = None
                result.contract_error = f"cannot read the stored contract: {exc.one_line()}"
                return
            finally:
                self._contract_key = key
        if self._contract_doc is None:
            result.contract_error = "cannot read the stored contract"
            return
        report_key = (result.sha256, key)
        if report_key == self._report_key and self._report is not None:
            result.report = self._report
            return
        from ..diff.compare import compare

        try:
            # Positions are not shown on the status line: skip their look-up.
            report = compare(self._contract_doc, doc, options=DiffOptions(positions=False),
                             settings=self.diff_config).report
        except ContractsyncError as exc:
            result.contract_error = f"diff failed: {exc.one_line()}"
            return
        except Exception as exc:  # a diff bug must not stop the watcher
            result.contract_error = f"diff failed: {type(exc).__name__}: {exc}"
            return
        self._report_key, self._report = report_key, report
        result.report = report

    # -- outputs ---------------------------------------------------------------------------

    def _write_outputs(self, doc: Document, raw: bytes, result: RebuildResult) -> None:
        typescript: bytes | None = None
        for output in self.outputs:
            path = output.path
            if not result.spec_changed and path in self._written and \
                    self._written[path] == _stat_key(path) and self._written[path] is not None:
                result.unchanged.append(path)
                continue
            if output.kind == "openapi":
                content = raw
            else:
                if typescript is None:
                    try:
                        typescript = self._typescript(doc, result.type_warnings)
                    except Exception as exc:  # reported; the watcher goes on
                        result.generate_error = f"generating TypeScript failed: {type(exc).__name__}: {exc}"
                        continue
                content = typescript
            try:
                current = path.read_bytes()
            except OSError:
                current = None
            if current == content:
                result.unchanged.append(path)
            else:
                try:
                    atomic_write_bytes(path, content)
                except InputError as exc:
                    result.errors.append(WriteError(path, exc.message))
                    self._written.pop(path, None)
                    continue
                result.written.append(path)
            self._written[path] = _stat_key(path)

    def _typescript(self, doc: Document, warnings: list[str]) -> bytes:
        from ..typescript import to_typescript

        text = to_typescript(doc, self.ts_options, warn=lambda w: warnings.append(str(w)))
        return text.encode("utf-8")
