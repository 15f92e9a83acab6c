"""One way to name a spec, everywhere a command takes one.

=========================================  =====================================================
``path/to/openapi.json`` / ``.yaml``       a file
``-``                                      standard input
``https://host/openapi.json``              a URL (timeout, size cap)
``REV:path`` e.g. ``origin/main:contracts/openapi.json``
                                           a file at a git revision, read with ``git show``
                                           without touching the work tree
``app:pkg.module:app``                     a FastAPI app (or factory), exported in a child
                                           process; the same as ``--app pkg.module:app``
=========================================  =====================================================
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import InputError, SpecLoadError
from ..io import read_bounded, size_text
from .document import Document, check_structure
from .parse import detect_format, parse_bytes
from .refs import check_refs

#: Largest spec accepted from a file, a URL, standard input or git (GitHub's description is 13 MB).
MAX_REMOTE_BYTES = 128 * 1024 * 1024
MAX_SPEC_BYTES = MAX_REMOTE_BYTES
URL_TIMEOUT = 20.0


@dataclass(frozen=True)
class FileSource:
    """A local JSON or YAML file."""

    path: Path

    def __str__(self) -> str:
        return str(self.path)


@dataclass(frozen=True)
class StdinSource:
    """The document on standard input."""

    def __str__(self) -> str:
        return "<stdin>"


@dataclass(frozen=True)
class UrlSource:
    """An ``http(s)://`` URL."""

    url: str
    timeout: float = URL_TIMEOUT
    max_bytes: int = MAX_REMOTE_BYTES

    def __str__(self) -> str:
        return self.url


class MissingAtRevision(SpecLoadError):
    """The git revision exists but has no such file (a contract newer than the revision)."""


@dataclass(frozen=True)
class GitSource:
    """``path`` as it is at git revision ``rev`` of the repository around ``cwd``."""

    rev: str
    path: str
    cwd: Path = field(default_factory=Path.cwd)

    def __str__(self) -> str:
        return f"{self.rev}:{self.path}"


@dataclass(frozen=True)
class AppSource:
    """A FastAPI app (``pkg.module:attr``) or app factory, with uvicorn-style ``app_dir``."""

    target: str
    app_dir: Path = Path(".")
    in_process: bool = False
    timeout: float = 60.0
    python: str = field(default_factory=lambda: sys.executable)

    def __str__(self) -> str:
        return f"app {self.target}"


Source = FileSource | StdinSource | UrlSource | GitSource | AppSource


def parse_source(text: str, *, cwd: Path | None = None, app_dir: Path | None = None) -> Source:
    """Turn the user's spelling of a spec into a :data:`Source`.

    A string that names an existing file is always that file (so ``a:b.json`` on disk wins over
    the git reading). Otherwise ``REV:path`` is a git revision.
    """
    base = cwd or Path.cwd()
    if text == "-":
        return StdinSource()
    if text.startswith(("http://", "https://")):
        return UrlSource(text)
    if text.startswith("app:"):
        return AppSource(text[4:], app_dir=app_dir or Path("."))
    candidate = Path(text)
    if not candidate.is_absolute():
        candidate = base / candidate
    if candidate.exists():
        return FileSource(Path(text))
    rev, sep, path = text.partition(":")
    if sep and rev and path and not (len(rev) == 1 and rev.isalpha() and os.name == "nt"):
        return GitSource(rev, path, cwd=base)
    return FileSource(Path(text))


def load_spec(
    source: Source | str,
    *,
    cwd: Path | None = None,
    refs: bool = True,
    allow_external_refs: bool = False,
) -> Document:
    """Load a document from any :data:`Source`: parse, the cheap structural check and the
    ``$ref`` check. Every command loads a document this way, so all of them refuse the same
    inputs with the same message (#13).

    ``refs=False`` skips the ``$ref`` check (``validate`` reports those problems itself);
    ``allow_external_refs`` lets external references through with a warning, for a caller that
    resolves them (``diff --allow-external-refs``). Raises
    :class:`~contractsync.errors.InputError` subclasses with one-line messages.
    """
    src = parse_source(source, cwd=cwd) if isinstance(source, str) else source
    if isinstance(src, AppSource):
        from .export import export_app

        doc = export_app(src)
    else:
        raw, name, path = read_source(src)
        return load_spec_bytes(raw, name, path=path, refs=refs, allow_external_refs=allow_external_refs)
    return _checked_refs(doc, refs=refs, allow_external_refs=allow_external_refs)


def load_spec_bytes(raw: bytes, name: str, *, path: Path | None = None, refs: bool = True,
                    allow_external_refs: bool = False) -> Document:
    """:func:`load_spec` of bytes already read from ``name`` (a file at ``path``, or a URL read
    with :func:`fetch_url`): the same parse and checks, the same one-line errors."""
    fmt = detect_format(raw, path.name if path else name)
    data = parse_bytes(raw, source=name, fmt=fmt)
    warnings = check_structure(data, source=name)
    doc = Document(data=data, source=name, raw=raw, format=fmt, path=path, warnings=warnings)
    return _checked_refs(doc, refs=refs, allow_external_refs=allow_external_refs)


def _checked_refs(doc: Document, *, refs: bool, allow_external_refs: bool) -> Document:
    if refs:
        external = check_refs(doc.data, source=doc.source, allow_external=allow_external_refs,
                              raw=doc.raw, fmt=doc.format)
        if external:
            doc.warnings.append(
                f"{doc.source}: {len(external)} external $ref{'s' if len(external) != 1 else ''} "
                f"(first: '{external[0][1]}' at {external[0][0]}); only files below the spec's directory "
                "are read, never URLs"
            )
    return doc


def read_source(src: Source) -> tuple[bytes, str, Path | None]:
    """The raw bytes of a non-app source, its display name, and its local path if any."""
    if isinstance(src, FileSource):
        return _read_file(src.path), str(src.path), src.path
    if isinstance(src, StdinSource):
        data = sys.stdin.buffer.read(MAX_REMOTE_BYTES + 1)
        if len(data) > MAX_REMOTE_BYTES:
            raise SpecLoadError(f"is larger than {_size(MAX_REMOTE_BYTES)}", source="<stdin>")
        return data, "<stdin>", None
    if isinstance(src, UrlSource):
        return _read_url(src), src.url, None
    if isinstance(src, GitSource):
        data, rel = read_git_resolved(src)
        return data, f"{src.rev}:{rel}", None
    raise TypeError(f"not a readable source: {src!r}")


def _read_file(path: Path) -> bytes:
    """A regular file's bytes, at most :data:`MAX_SPEC_BYTES` (:func:`..io.read_bounded`: a FIFO,
    a device or a socket is refused without being opened)."""
    try:
        return read_bounded(path, MAX_SPEC_BYTES, SpecLoadError, what="spec file",
                            special_hint=" (pipe it to '-' to read it as standard input)")
    except FileNotFoundError:
        raise SpecLoadError("no such file", source=str(path)) from None
    except PermissionError:
        raise SpecLoadError("permission denied", source=str(path)) from None
    except OSError as exc:
        raise SpecLoadError(f"cannot read: {exc.strerror}", source=str(path)) from None


@dataclass(frozen=True)
class UrlValidators:
    """What an HTTP server said identifies the content it sent: its ``ETag`` and
    ``Last-Modified``, sent back as ``If-None-Match`` / ``If-Modified-Since``."""

    etag: str | None = None
    last_modified: str | None = None

    def headers(self) -> dict[str, str]:
        out = {}
        if self.etag is not None:
            out["If-None-Match"] = self.etag
        if self.last_modified is not None:
            out["If-Modified-Since"] = self.last_modified
        return out


def read_url(src: UrlSource) -> bytes:
    """The body of ``src`` (at most ``src.max_bytes``, within ``src.timeout`` seconds in all);
    :class:`SpecLoadError` otherwise."""
    return _read_url(src)


def _read_url(src: UrlSource) -> bytes:
    body, _ = fetch_url(src)
    assert body is not None  # unconditional: never 304
    return body


def fetch_url(src: UrlSource, validators: UrlValidators | None = None) -> tuple[bytes | None, UrlValidators]:
    """GET ``src`` (at most ``src.max_bytes``, within ``src.timeout`` seconds in all; one-line
    errors). With ``validators`` from an earlier answer it is a conditional GET: ``(None,
    validators)`` when the server answers 304 Not Modified, so an unchanged contract is not
    downloaded again. The answer's own validators come back with it."""
    import time

    import httpx  # imported here: it costs ~50 ms of start-up that only URL sources need

    conditional = validators.headers() if validators is not None else {}
    # httpx's timeout bounds each read; a server trickling its body is cut at the same bound.
    deadline = time.monotonic() + src.timeout
    try:
        with httpx.stream(
            "GET", src.url, timeout=src.timeout, follow_redirects=True,
            headers={"Accept": "application/json, application/yaml;q=0.9, */*;q=0.5", **conditional},
        ) as response:
            if response.status_code == 304 and conditional:
                assert validators is not None
                return None, validators
            if response.status_code >= 400:
                raise SpecLoadError(f"HTTP {response.status_code} {response.reason_phrase}", source=src.url)
            declared = response.headers.get("content-length")
            if declared and declared.isdigit() and int(declared) > src.max_bytes:
                raise SpecLoadError(f"is larger than {_size(src.max_bytes)}", source=src.url)
            chunks: list[bytes] = []
            size = 0
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > src.max_bytes:
                    raise SpecLoadError(f"is larger than {_size(src.max_bytes)}", source=src.url)
                if time.monotonic() > deadline:
                    raise SpecLoadError(f"timed out after {src.timeout:g} s", source=src.url)
                chunks.append(chunk)
            return b"".join(chunks), UrlValidators(response.headers.get("etag"), response.headers.get("last-modified"))
    except httpx.TimeoutException:
        raise SpecLoadError(f"timed out after {src.timeout:g} s", source=src.url) from None
    except httpx.ConnectError as exc:
        reason = str(exc) or "connection refused"
        raise SpecLoadError(f"cannot connect: {reason}", source=src.url) from None
    except httpx.HTTPError as exc:
        raise SpecLoadError(f"HTTP error: {exc}", source=src.url) from None


_size = size_text


def read_git(src: GitSource) -> bytes:
    """``git show REV:path`` without touching the work tree (see :func:`read_git_resolved`)."""
    return read_git_resolved(src)[0]


def read_git_resolved(src: GitSource) -> tuple[bytes, str]:
    """The file's bytes at the revision and its path relative to the repository root.

    As with ``git show REV:path``, the path is relative to the repository root, unless it starts
    with ``./`` or ``../`` (relative to the current directory). From a subfolder of a monorepo
    users often mean the current folder: when the path does not exist at the root but does
    below the current folder, that file is read and a note says so on stderr.
    """
    top = git_toplevel(src.cwd)
    rel = Path(src.path)
    if rel.is_absolute() or src.path.startswith(("./", "../")) or src.path in (".", ".."):
        try:
            rel = Path(os.path.relpath((src.cwd / rel).resolve(), top.resolve()))
        except ValueError:
            raise SpecLoadError("is outside the git repository", source=str(src)) from None
        if rel.parts[:1] == ("..",):
            raise SpecLoadError("is outside the git repository", source=str(src))
        relative_to_cwd = True
    else:
        rel = Path(os.path.normpath(rel))
        relative_to_cwd = False
    proc = subprocess.run(
        ["git", "cat-file", "-e", f"{src.rev}^{{commit}}"],
        cwd=top, capture_output=True, check=False,
    )
    if proc.returncode != 0:
        shallow = (top / ".git" / "shallow").exists()
        hint = (
            "; this is a shallow clone, fetch it first (e.g. `git fetch --unshallow` or "
            f"`git fetch origin {src.rev.split('/', 1)[-1]}`)"
            if shallow or "/" in src.rev
            else ""
        )
        raise SpecLoadError(f"git revision '{src.rev}' not found{hint}", source=str(src))
    data = _git_show(top, src.rev, rel, str(src))
    if data is None and not relative_to_cwd:
        with contextlib.suppress(ValueError):
            prefix = src.cwd.resolve().relative_to(top.resolve())
            if prefix.parts:
                alternative = prefix / rel
                data = _git_show(top, src.rev, alternative, str(src))
                if data is not None:
                    sys.stderr.write(
                        f"contractsync: note: {src.rev}:{rel.as_posix()} is not in the repository; "
                        f"reading {src.rev}:{alternative.as_posix()} (relative to the current folder; "
                        f"write {src.rev}:./{rel.as_posix()} to say so)\n"
                    )
                    sys.stderr.flush()
                    rel = alternative
    if data is None:
        raise MissingAtRevision(
            f"no file '{rel.as_posix()}' at git revision '{src.rev}'", source=str(src)
        )
    return data, rel.as_posix()


def _git_show(top: Path, rev: str, rel: Path, source: str) -> bytes | None:
    spec = f"{rev}:{rel.as_posix()}"
    size = subprocess.run(["git", "cat-file", "-s", spec], cwd=top, capture_output=True, text=True, check=False)
    if size.returncode == 0 and size.stdout.strip().isdigit() and int(size.stdout) > MAX_SPEC_BYTES:
        raise SpecLoadError(f"is larger than {_size(MAX_SPEC_BYTES)}", source=source)
    proc = subprocess.run(["git", "show", spec], cwd=top, capture_output=True, check=False)
    return proc.stdout if proc.returncode == 0 else None


def git_toplevel(cwd: Path) -> Path:
    """The top of the git work tree around ``cwd``."""
    try:
        proc = subprocess.run(
            ["git", "rev-parse", "--show-toplevel"], cwd=cwd, capture_output=True, text=True, check=False
        )
    except FileNotFoundError:
        raise InputError("git is not installed, so a REV:path source cannot be read") from None
    if proc.returncode != 0:
        raise InputError("not inside a git repository, so a REV:path source cannot be read", source=str(cwd))
    return Path(proc.stdout.strip())
