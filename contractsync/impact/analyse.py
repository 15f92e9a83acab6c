"""Run the frontend's type-check with the BASE types and with the NEW types; report what broke."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import stat
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..diff.model import Change, Level, Report
from ..errors import InputError
from ..io import atomic_write_bytes, atomic_write_text, scratch_dir
from ..spec.document import Document
from ..typescript import TypeScriptOptions, to_typescript_with_symbols
from .attribute import attribute, operation_ids
from .diagnostics import Diagnostic, new_diagnostics, output_tail, parse_diagnostics
from .frontend import (
    SKIP_DIRS,
    Frontend,
    copy_frontend,
    ended_by_signals,
    kill_running,
    load_frontend,
    mirror_workspace,
    run_command,
)

#: Bumped when cached baseline results change meaning.
_CACHE_VERSION = "2"
_BUILDINFO = ".contractsync-impact.tsbuildinfo"


@dataclass
class ImpactReport:
    """Which changes break the frontend's type-check, and where."""

    frontend: str
    """The frontend directory as given."""
    types: str | None
    """Its generated types file (relative to :attr:`frontend`); None when the frontend's own
    generator makes them from the contract (``--openapi`` with ``--generate-cmd``)."""
    command: list[str]
    changes: list[Change]
    """Every change between BASE and NEW (the diff's report)."""
    breaks: dict[str, list[Diagnostic]]
    """Fingerprint of a change → the new errors attributed to it."""
    new_errors: list[Diagnostic]
    """Every error present with NEW and not with BASE."""
    unattributed: list[Diagnostic]
    """New errors no change could be tied to."""
    baseline_errors: list[Diagnostic]
    """Errors the frontend already has with BASE (not counted)."""
    base_source: str = ""
    revision_source: str = ""
    profile_only: frozenset[str] = frozenset()
    """Fingerprints of changes the caller's report did not list and the ``typescript`` profile
    found (an alias removed, a path parameter renamed): causes of breakage, not of the verdict."""
    tied: dict[Diagnostic, tuple[str, ...]] = field(default_factory=dict)
    """New errors that several changes explain equally well (listed under each): the fingerprints."""
    baseline_cached: bool = False
    seconds: dict[str, float] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    @property
    def broken(self) -> bool:
        """True when the frontend's type-check fails with NEW where it passed with BASE."""
        return bool(self.new_errors)

    @property
    def breaking_changes(self) -> list[Change]:
        """Changes that break the frontend, in report order."""
        return [c for c in self.changes if c.fingerprint in self.breaks]

    @property
    def untouched(self) -> list[Change]:
        """Breaking changes (as the caller's report judged them) that break nothing in this frontend."""
        return [c for c in self.changes if c.level is Level.BREAKING and c.fingerprint not in self.breaks
                and c.fingerprint not in self.profile_only]

    @property
    def files(self) -> list[str]:
        return sorted({d.file for d in self.new_errors if d.file})

    def headline(self) -> str:
        n, m, k = len(self.breaking_changes), len(self.files), len(self.untouched)
        text = (f"{n} change{'s' if n != 1 else ''} break{'s' if n == 1 else ''} the frontend "
                f"({m} file{'s' if m != 1 else ''}), {k} breaking change{'s' if k != 1 else ''} "
                f"touch{'es' if k == 1 else ''} nothing the frontend uses")
        if self.tied:
            t = len(self.tied)
            text += (f"; {t} new error{'s' if t != 1 else ''} {'fit' if t != 1 else 'fits'} several changes "
                     "equally (listed under each, marked ambiguous)")
        if self.unattributed:
            u = len(self.unattributed)
            text += f"; {u} new error{'s' if u != 1 else ''} could not be attributed"
        return text

    def also(self, diag: Diagnostic, fingerprint: str) -> tuple[str, ...]:
        """The other changes an error listed under ``fingerprint`` ties with (empty: it is that
        change's alone)."""
        return tuple(f for f in self.tied.get(diag, ()) if f != fingerprint)

    def to_dict(self) -> dict[str, Any]:
        return {
            "frontend": self.frontend,
            "types": self.types,
            "command": self.command,
            "broken": self.broken,
            "summary": {"breaking_changes": len(self.breaking_changes), "files": len(self.files),
                        "untouched_breaking": len(self.untouched), "new_errors": len(self.new_errors),
                        "unattributed": len(self.unattributed), "ambiguous": len(self.tied),
                        "baseline_errors": len(self.baseline_errors)},
            "headline": self.headline(),
            "changes": [{**c.to_dict(), "frontend_errors": [
                {**d.to_dict(), **({"ambiguous_with": list(self.also(d, c.fingerprint))} if d in self.tied else {})}
                for d in self.breaks.get(c.fingerprint, [])]} for c in self.changes],
            "untouched": [c.fingerprint for c in self.untouched],
            "profile_only": sorted(self.profile_only),
            "unattributed": [d.to_dict() for d in self.unattributed],
            "baseline_cached": self.baseline_cached,
            "warnings": self.warnings,
        }


def analyse(
    frontend: str | os.PathLike[str],
    base: Document | Mapping[str, Any],
    new: Document | Mapping[str, Any],
    *,
    report: Report | None = None,
    types: str | None = None,
    typecheck_cmd: str | None = None,
    options: TypeScriptOptions | None = None,
    timeout: float = 600.0,
    use_cache: bool = True,
    openapi: str | None = None,
    generate_cmd: str | None = None,
) -> ImpactReport:
    """Type-check the frontend in ``frontend`` with types generated from ``base`` and from ``new``
    and attribute the errors only ``new`` causes to the changes of ``report`` (default: the
    diff of the two documents under the ``typescript`` profile).

    Whatever profile ``report`` was judged with, the errors are attributed with the
    ``typescript`` profile's findings: a change only TypeScript sees (an alias removed, a path
    parameter renamed) is added to the report's changes as a cause (listed in
    :attr:`ImpactReport.profile_only`, never counted as untouched), and a change both list is
    weighed at the profile's level when errors tie (an enum value added to a response is a
    warning on the wire, breaking for an exhaustive ``switch``). The report's own levels are kept
    in the result, so a gate's verdict does not change.

    ``types`` is the generated file relative to the frontend (default: its contractsync.toml
    ``[pull] types`` or contractsync.lock output); ``typecheck_cmd`` replaces the detected
    ``vue-tsc --noEmit`` / ``tsc --noEmit``; ``options`` the generator options (default: the
    frontend's ``[pull.typescript]``). ``openapi`` (default: its ``[pull] openapi``) is where
    the contract itself is written in the copy and ``generate_cmd`` (default: its ``[impact]
    generate``) the frontend's own client generator, run before each type-check: a frontend
    whose client openapi-ts or openapi-typescript makes is checked with the types it really
    uses. The frontend's own tree is never written: the checks run in a temporary copy with
    ``node_modules`` linked. The baseline's diagnostics are cached by the digest of the
    frontend's files, the BASE types and contract, and the commands.
    """
    from ..diff import diff

    root = Path(frontend)
    fe = load_frontend(root, types=types, typecheck_cmd=typecheck_cmd, openapi=openapi,
                       generate_cmd=generate_cmd)
    try:
        opts = options or TypeScriptOptions(**fe.typescript_options)
    except ValueError as exc:
        raise InputError(f"[pull.typescript]: {exc}", source=str(root / "contractsync.toml")) from None
    from ..diff.options import DiffOptions

    typescript = diff(base if isinstance(base, Document) else dict(base),
                      new if isinstance(new, Document) else dict(new), options=DiffOptions(profile="typescript"))
    if report is None:
        report = typescript
    started = time.perf_counter()
    base_ts = to_typescript_with_symbols(base, opts, warn=lambda w: None)
    new_ts = to_typescript_with_symbols(new, opts, warn=lambda w: None)
    sides = (_Side(base_ts.text, _contract_bytes(base) if fe.openapi else b""),
             _Side(new_ts.text, _contract_bytes(new) if fe.openapi else b""))
    seconds = {"generate": time.perf_counter() - started}
    with ended_by_signals():
        return _analyse(str(frontend), root, fe, base, new, report, typescript, base_ts, new_ts, sides,
                        seconds, timeout, use_cache)


@dataclass(frozen=True)
class _Side:
    """What one side (BASE or NEW) puts into the copy: contractsync's types, the contract."""

    types: str
    contract: bytes


def _contract_bytes(doc: Document | Mapping[str, Any]) -> bytes:
    from ..spec.canonical import canonical_json

    return canonical_json(doc.data if isinstance(doc, Document) else dict(doc))


def _write_side(fe: Frontend, directory: Path, side: _Side) -> None:
    for rel, data in ((fe.types, side.types.encode("utf-8")), (fe.openapi, side.contract)):
        if rel is not None:
            (directory / rel).parent.mkdir(parents=True, exist_ok=True)
            atomic_write_bytes(directory / rel, data)


def _analyse(shown: str, root: Path, fe: Frontend, base: Document | Mapping[str, Any], new: Document | Mapping[str, Any],
             report: Report, typescript: Report, base_ts: Any, new_ts: Any, sides: tuple[_Side, _Side],
             seconds: dict[str, float], timeout: float, use_cache: bool) -> ImpactReport:
    tmp = scratch_dir("contractsync-impact-")
    base_side, new_side = sides
    try:
        work, linked = mirror_workspace(fe.root, tmp / "base")
        copy_frontend(fe.root, work)
        for rel in (fe.types, fe.openapi):
            if rel is not None:
                _own_path(fe.root, work, rel)
        commands = _commands(fe)
        infos = _buildinfo_names(fe)
        key = _baseline_key(work, fe, commands, base_side, infos, linked)
        cached = _cache_read(key, infos) if use_cache else None
        t0 = time.perf_counter()
        if cached is not None:
            base_diags, buildinfo = cached
            for name, data in buildinfo.items():
                (work / name).write_bytes(data)
        new_diags: list[Diagnostic] | None = None
        lines_from = work
        if cached is None:
            _write_side(fe, work, base_side)
            if (os.cpu_count() or 1) >= 2:
                # No baseline to reuse: check BASE and NEW at once, in two copies.
                twin, _ = mirror_workspace(fe.root, tmp / "new")
                shutil.copytree(work, twin, symlinks=True)
                _write_side(fe, twin, new_side)
                base_diags, new_diags = _check_both(commands, work, twin, timeout, str(root), fe.generate)
                lines_from = twin  # source lines (and regenerated clients) are NEW's
            else:
                base_diags = _check(commands, work, timeout, str(root), fe.generate)
            if use_cache:
                _cache_write(key, base_diags, work, infos)
        seconds["baseline"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        if new_diags is None:
            _write_side(fe, work, new_side)
            new_diags = _check(commands, work, timeout, str(root), fe.generate)
        seconds["revision"] = time.perf_counter() - t0
        fresh = new_diagnostics(base_diags, new_diags)
        lines_cache: dict[str, list[str]] = {}

        def read_line(file: str | None, line: int) -> str | None:
            if file is None:
                return None
            if file not in lines_cache:
                try:
                    lines_cache[file] = (lines_from / file).read_text(encoding="utf-8", errors="replace").splitlines()
                except OSError:
                    lines_cache[file] = []
            lines = lines_cache[file]
            return lines[line - 1] if 0 < line <= len(lines) else None

        base_data = base.data if isinstance(base, Document) else base
        new_data = new.data if isinstance(new, Document) else new
        listed = {c.fingerprint for c in report.changes}
        extra = [c for c in typescript.changes if c.fingerprint not in listed]
        judged = {c.fingerprint: c for c in typescript.changes}
        candidates = [judged.get(c.fingerprint, c) for c in report.changes] + extra
        attributed = attribute(fresh, candidates, types_file=fe.types or "",
                               symbols=[base_ts.symbols, new_ts.symbols], new_symbols=new_ts.symbols,
                               op_ids=[operation_ids(base_data), operation_ids(new_data)],
                               read_line=read_line)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    warnings = []
    if base_diags:
        warnings.append(f"the frontend already has {len(base_diags)} type error"
                        f"{'s' if len(base_diags) != 1 else ''} with the BASE types; only new errors are counted")
    return ImpactReport(
        frontend=shown, types=fe.types, command=_shown(commands), changes=[*report.changes, *extra],
        breaks=attributed.hits, new_errors=fresh, unattributed=attributed.lost, baseline_errors=base_diags,
        tied=attributed.tied,
        base_source=report.base_source, revision_source=report.revision_source,
        profile_only=frozenset(c.fingerprint for c in extra),
        baseline_cached=cached is not None, seconds=seconds, warnings=warnings,
    )


def _own_path(root: Path, work: Path, rel: str) -> None:
    """Make every component of ``rel`` in the copy ``work`` of ``root`` a real file or directory.

    The copy keeps the frontend's symbolic links; writing the types through one (a types file
    linked to the backend's, say) would change the user's own files, which impact never does."""
    current = work
    for part in Path(rel).parts:
        current = current / part
        if not current.is_symlink():
            continue
        target = Path(os.path.realpath(root / current.relative_to(work)))
        current.unlink()
        if target.is_dir():
            shutil.copytree(target, current, symlinks=True)
        elif target.is_file():
            shutil.copy2(target, current)


def _buildinfo_names(fe: Frontend) -> list[str]:
    """The incremental build info files the detected commands write in the copy."""
    if not fe.incremental:
        return []
    if not fe.projects:
        return [_BUILDINFO]
    return [f".contractsync-impact-{i}.tsbuildinfo" for i in range(len(fe.projects))]


def _commands(fe: Frontend) -> list[list[str]]:
    """The type-check commands, run one after the other: one, or one per project of a solution
    ``tsconfig.json``. The detected ones write their build info into the copy, never where the
    project's own ``tsBuildInfoFile`` points (often the linked, shared ``node_modules/.tmp``)."""
    if not fe.incremental:
        return [list(fe.command)]
    infos = _buildinfo_names(fe)
    if not fe.projects:
        return [[*fe.command, "--pretty", "false", "--incremental", "--tsBuildInfoFile", infos[0]]]
    return [[*fe.command, "-p", project, "--pretty", "false", "--incremental", "--tsBuildInfoFile", info]
            for project, info in zip(fe.projects, infos, strict=True)]


def _shown(commands: list[list[str]]) -> list[str]:
    """The commands as one word list for the report (``a … ; b …``)."""
    out: list[str] = []
    for command in commands:
        out += ([";"] if out else []) + command
    return out


def _check_both(commands: list[list[str]], base_dir: Path, new_dir: Path, timeout: float, where: str,
                generate: list[str] | None = None) -> tuple[list[Diagnostic], list[Diagnostic]]:
    """:func:`_check` in two directories at once; both processes die if either fails or the
    caller is interrupted."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=2) as pool:
        base_run = pool.submit(_check, commands, base_dir, timeout, where, generate)
        new_run = pool.submit(_check, commands, new_dir, timeout, where, generate)
        try:
            return base_run.result(), new_run.result()
        except BaseException:
            kill_running()
            raise


def _check(commands: list[list[str]], work: Path, timeout: float, where: str,
           generate: list[str] | None = None) -> list[Diagnostic]:
    """Run the type-check in ``work`` (a copy of the frontend ``where``, which errors name),
    after the frontend's own client generator when it has one."""
    def tail(output: str) -> str:
        # Paths into the throwaway copy (a crash log, say) are shown as the frontend's own.
        text = output_tail(output)
        for root in sorted({str(work.resolve()), str(work)}, key=len, reverse=True):
            text = text.replace(root, where)
        return text

    if generate is not None:
        made = run_command(generate, work, timeout=timeout, where=where)
        if made.returncode != 0:
            raise InputError(f"generator '{' '.join(generate)}' failed (exit {made.returncode}): "
                             f"{tail(made.output)}", source=where)
    diags: list[Diagnostic] = []
    for command in commands:
        result = run_command(command, work, timeout=timeout, where=where)
        found = parse_diagnostics(result.output)
        if result.returncode != 0 and not found:
            raise InputError(f"type-check '{' '.join(command)}' failed (exit {result.returncode}) "
                             f"without compiler diagnostics: {tail(result.output)}", source=where)
        diags += found
    # Paths into the temporary copy differ from run to run (and from a cached baseline's run):
    # make them relative to the frontend, in file names and inside messages.
    roots = sorted({str(work.resolve()) + "/", str(work) + "/"}, key=len, reverse=True)
    out = []
    for d in diags:
        file, message = d.file, d.message
        for root in roots:
            if file is not None and file.startswith(root):
                file = file[len(root):]
            message = message.replace(root, "")
        out.append(Diagnostic(file, d.line, d.column, d.code, message, d.category))
    # A file two projects of a solution include is reported by both: once is enough.
    return list(dict.fromkeys(d for d in out if d.category == "error"))


def _baseline_key(work: Path, fe: Frontend, commands: list[list[str]], base: _Side,
                  infos: list[str], linked: list[Path]) -> str:
    h = hashlib.sha256(f"{_CACHE_VERSION}\0{json.dumps(commands)}\0{fe.types}\0{fe.openapi}\0"
                       f"{json.dumps(fe.generate)}\0".encode())
    h.update(hashlib.sha256(base.types.encode()).digest())
    h.update(hashlib.sha256(base.contract).digest())
    for dirpath, dirnames, filenames in os.walk(work):
        dirnames[:] = sorted(d for d in dirnames if d not in SKIP_DIRS)
        for name in sorted(filenames):
            path = Path(dirpath) / name
            rel = path.relative_to(work).as_posix()
            if rel in (fe.types, fe.openapi) or rel in infos:
                continue
            h.update(rel.encode("utf-8", "surrogateescape") + b"\0")
            if path.is_symlink():  # the copy keeps links: where it points, then what it reaches
                h.update(b"->" + os.fsencode(os.readlink(path)) + b"\0")
                try:
                    if not stat.S_ISREG(path.stat().st_mode):
                        continue  # dangling, a directory, /dev/zero, a FIFO: nothing to read
                except OSError:
                    continue
            h.update(hashlib.sha256(path.read_bytes()).digest())
    # The workspace files around the frontend (tsconfig.base.json, the root package.json…).
    for path in linked:
        h.update(path.name.encode() + b"\0")
        with contextlib.suppress(OSError):
            h.update(hashlib.sha256(path.read_bytes()).digest())
    # The installed dependencies: npm's record of them.
    lock = work / "node_modules" / ".package-lock.json"
    if lock.is_file():
        h.update(hashlib.sha256(lock.read_bytes()).digest())
    return h.hexdigest()


def _cache_dir() -> Path:
    from ..spec.validate import cache_dir

    return cache_dir() / "impact"


def _cache_read(key: str, infos: list[str]) -> tuple[list[Diagnostic], dict[str, bytes]] | None:
    """The cached baseline diagnostics and the build info files (by name) that exist."""
    folder = _cache_dir() / key
    try:
        data = json.loads((folder / "baseline.json").read_text(encoding="utf-8"))
        diags = [Diagnostic(d["file"], d["line"], d["column"], int(str(d["code"]).removeprefix("TS")),
                            d["message"], d["category"]) for d in data]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    buildinfo: dict[str, bytes] = {}
    for name in infos:
        with contextlib.suppress(OSError):
            buildinfo[name] = (folder / name).read_bytes()
    return diags, buildinfo


def _cache_write(key: str, diags: list[Diagnostic], work: Path, infos: list[str]) -> None:
    folder = _cache_dir() / key
    try:
        for name in infos:
            if (work / name).is_file():
                atomic_write_bytes(folder / name, (work / name).read_bytes())
        atomic_write_text(folder / "baseline.json", json.dumps([d.to_dict() for d in diags]))
    except OSError:
        pass  # a cache that cannot be written is not an error
