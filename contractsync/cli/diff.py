"""``contractsync diff``: classify every change between two contracts and gate on it."""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import json
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ..errors import InputError, RefError
from ..io import atomic_write_text
from ..render import (
    FAIL_ON_VALUES,
    FORMATS,
    Near,
    attach_positions,
    failing,
    nearest_in_base,
    render,
)
from ..spec.locate import forget, prime
from ..spec.refs import is_local, iter_refs, resolve_pointer, unescape
from ..spec.source import FileSource, GitSource, Source, git_toplevel, load_spec
from . import _common as c

if TYPE_CHECKING:
    from ..config import Config
    from ..diff.model import Report
    from ..diff.settings import DiffConfig
    from ..spec.document import Document


def diff(
    base: Annotated[str | None, typer.Argument(
        help="The old contract: file, '-', URL, REV:path (e.g. origin/main:contracts/openapi.json) "
             "or app:pkg.module:app. Default: the stored contract (<contracts_dir>/openapi.json).",
        show_default=False)] = None,
    new: Annotated[str | None, typer.Argument(
        help="The new contract, any source as for BASE. Default: the configured app (or --app).",
        show_default=False)] = None,
    app: c.AppOption = None,
    app_dir: c.AppDirOption = None,
    in_process: c.InProcessOption = False,
    timeout: c.TimeoutOption = None,
    output_format: Annotated[str, typer.Option(
        "--format", "-f", help=f"Output format: {', '.join(FORMATS)}.")] = "text",
    output: Annotated[Path | None, typer.Option(
        "--output", "-o", help="Write the report to FILE (atomically) instead of stdout.",
        show_default=False)] = None,
    fail_on: Annotated[str | None, typer.Option(
        "--fail-on", help="Exit 1 when a change at or above this level exists: breaking, warning, "
                          "info or never. Default: [tool.contractsync.diff] fail_on, else breaking.",
        show_default=False)] = None,
    allow_external_refs: Annotated[bool, typer.Option(
        "--allow-external-refs",
        help="Follow $refs into other files below each spec's directory (never URLs); without "
             "it an external $ref is an error.")] = False,
    now: Annotated[str | None, typer.Option(
        "--now", help="Today's date as YYYY-MM-DD, for sunset dates and ignore expiry "
                      "(reproducible CI runs).", show_default=False)] = None,
) -> int:
    """Show what changed between two contracts, every change classified with a stable rule id.

    Exit 0 when nothing at or above --fail-on changed, 1 when something did, 2 when an input
    cannot be read (a failed load never reports "no changes").

    Example: `contractsync diff contracts/openapi.json --app bookshop.main:app --app-dir examples/bookshop/v2`
    """
    if output_format not in FORMATS:
        raise InputError(f"must be one of {', '.join(FORMATS)}", where="--format")
    if fail_on is not None and fail_on not in FAIL_ON_VALUES:
        raise InputError(f"must be one of {', '.join(FAIL_ON_VALUES)}", where="--fail-on")
    if base == "-" and new == "-":
        raise InputError("only one side can be read from standard input", where="BASE/NEW")
    today = _parse_date(now) if now is not None else dt.date.today()
    cfg = c.config()
    settings = _diff_settings(cfg)
    threshold_name = fail_on or settings.fail_on

    base_src = _base_source(base, cfg)
    new_src = c.spec_source(new, cfg, app=app, app_dir=app_dir, in_process=in_process,
                            timeout=timeout, default="app")
    # Loading and diffing two large documents allocates millions of long-lived, acyclic objects;
    # the cyclic GC would walk them again and again (2.6 s of 3.8 s on GitHub's 3 MB YAML pair,
    # 0.5 s on its 13 MB JSON pair) and find nothing to free. Paused for the run, restored after.
    with _gc_paused():
        old_doc = _load(base_src, allow_external_refs)
        new_doc = _load(new_src, allow_external_refs)
        base_file = _repo_file(base_src, old_doc)
        revision_file = _repo_file(new_src, new_doc)
        try:
            report = _run_engine(old_doc, new_doc, today=today, allow_external_refs=allow_external_refs)
            report = attach_positions(report, old_doc, new_doc)
            # The pre-merge case (stored contract → app export): additions have no line in any
            # file, so anchor them at what encloses them in the stored contract.
            near = nearest_in_base(report, old_doc) if base_file and not revision_file else None
        finally:
            # The position indexes hold both documents (and a copy of their text); release them
            # now rather than at interpreter exit, where tearing them down cost 0.3 s on GitHub's pair.
            for doc in (old_doc, new_doc):
                if doc.raw is not None:
                    forget(doc.raw)
        from ..diff.settings import apply_settings, validate_rules

        validate_rules(settings, source=str(cfg.file) if cfg.file else None)
        report = apply_settings(report, settings, today)
        for doc in (old_doc, new_doc):
            for warning in doc.warnings:
                c.warn(warning)
        _output(report, output_format, output, threshold_name,
                base_file=base_file, revision_file=revision_file, near=near)
    return 1 if failing(report, threshold_name) else 0


def _output(report: Report, output_format: str, output: Path | None, fail_on: str, *,
            base_file: str | None, revision_file: str | None, near: Near | None) -> None:
    """Print or write the rendered report; warnings go to stderr unless the text is printed."""
    if output is None and output_format == "text":
        from ..render import text

        c.stdout().print(text.build(report, fail_on=fail_on, base_file=base_file,
                                    revision_file=revision_file, near=near), end="")
        return
    rendered = render(report, output_format, fail_on=fail_on, base_file=base_file,
                      revision_file=revision_file, near=near)
    for warning in report.warnings:
        c.warn(warning)
    if output is None or str(output) == "-":
        sys.stdout.write(rendered)
        sys.stdout.flush()
    else:
        atomic_write_text(output, rendered)
        from ..render._common import summary_line

        c.info(f"wrote {output}: {summary_line(report)}")


@contextlib.contextmanager
def _gc_paused() -> Iterator[None]:
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _parse_date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise InputError(f"'{text}' is not a date (YYYY-MM-DD)", where="--now") from None


def _diff_settings(cfg: Config) -> DiffConfig:
    return cfg.diff


def _base_source(base: str | None, cfg: Config) -> Source:
    if base is not None:
        return c.spec_source(base, cfg, default="contract")
    stored: Path = cfg.contract_file
    shown = stored
    with contextlib.suppress(ValueError):
        shown = stored.resolve().relative_to(Path.cwd().resolve())
    if not stored.is_file():
        raise InputError(
            "no stored contract to compare with: run `contractsync export` to create it, "
            "or pass BASE (e.g. origin/main:contracts/openapi.json)",
            source=str(shown),
        )
    return FileSource(shown)


# A `"$ref": "..."` member in JSON text. (Text inside a string would have escaped quotes; a
# false match there only sends the document down the full walk.)
_JSON_REF = re.compile(rb'"\$ref"\s*:\s*"([^"\\]*(?:\\.[^"\\]*)*)"')
# The letters of "$ref" written as \u escapes would hide a member from the pattern above.
_ESCAPED_REF_KEY = re.compile(rb"\\u00(?:24|72|65|66)", re.I)


def _refs_all_local_and_resolvable(doc: Document) -> bool:
    """Fast path for JSON text (GitHub's 13 MB has 60,000 ``$ref``s): collect the distinct refs
    with one C-speed regex pass and resolve each once. False means "look closer" — the full walk
    of :func:`check_refs` then finds the holder for its one-line error."""
    if doc.format != "json" or doc.raw is None or _ESCAPED_REF_KEY.search(doc.raw):
        return False
    refs: set[bytes] = set(_JSON_REF.findall(doc.raw))
    for literal in refs:
        ref = literal.decode("utf-8", "replace")
        if "\\" in ref:
            ref = json.loads(f'"{ref}"')
        if not is_local(ref):
            return False
        try:
            resolve_pointer(doc.data, ref)
        except KeyError:
            return False
    return True


def _load(source: Source, allow_external_refs: bool) -> Document:
    doc = load_spec(source)
    if doc.raw is not None:
        # Positions are looked up for every change; with the parsed data at hand, text in
        # orjson's layout (our own contracts, app exports, GitHub's description) is located
        # from serialized sizes instead of scanning.
        prime(doc.raw, doc.format, doc.data)
    if _refs_all_local_and_resolvable(doc):
        return doc
    external = _check_refs(doc, allow_external_refs)
    if external:
        doc.warnings.append(
            f"{doc.source}: {len(external)} external $ref{'s' if len(external) != 1 else ''} "
            f"(first: '{external[0][1]}' at {external[0][0]}); only files below the spec's directory "
            "are read, never URLs"
        )
    return doc


# Keys under which a document holds literal JSON values, not OpenAPI objects: a `$ref` inside
# them is data (GitHub's description has `"$ref": "https://api.github.com/scim/..."` in a SCIM
# example), not a reference.
_LITERAL_KEYWORDS = frozenset({"example", "default", "enum", "const"})
# Keys whose members are names the API author chose (a property called "default" is a name).
_NAME_MAPS = frozenset({
    "paths", "webhooks", "callbacks", "schemas", "responses", "parameters", "examples",
    "requestBodies", "headers", "securitySchemes", "links", "pathItems", "properties",
    "patternProperties", "$defs", "definitions", "dependentSchemas", "content", "encoding",
    "mapping", "variables",
})


def _is_literal(holder: str) -> bool:
    """Whether the JSON pointer ``holder`` lies inside a literal value (an example, a default,
    an enum, a const, an extension)."""
    tokens = [unescape(t) for t in holder.split("/")[1:]]
    for i, token in enumerate(tokens):
        if i and tokens[i - 1] in _NAME_MAPS and not (tokens[i - 1] == "examples" and token.isdigit()):
            continue  # a name, not a keyword
        if token in _LITERAL_KEYWORDS or token.startswith("x-"):
            return True
        if token == "value" and i >= 2 and tokens[i - 2] == "examples":
            return True  # an Example Object's value
        if token == "examples" and i + 1 < len(tokens) and tokens[i + 1].isdigit():
            return True  # JSON Schema's `examples` array
    return False


def _check_refs(doc: Document, allow_external: bool) -> list[tuple[str, str]]:
    """Like :func:`~contractsync.spec.refs.check_refs`, but ``$ref`` keys inside literal values
    are data and are not checked. Returns the external references when they are allowed."""
    external: list[tuple[str, str]] = []
    seen: dict[str, bool] = {}
    for holder, ref in iter_refs(doc.data):
        if _is_literal(holder):
            continue
        if is_local(ref):
            ok = seen.get(ref)
            if ok is None:
                try:
                    resolve_pointer(doc.data, ref)
                    ok = True
                except KeyError:
                    ok = False
                seen[ref] = ok
            if not ok:
                raise RefError(f"$ref '{ref}' points to nothing in this document",
                               source=doc.source, where=holder)
        elif allow_external:
            external.append((holder, ref))
        else:
            raise RefError(
                f"external $ref '{ref}' is not followed (pass --allow-external-refs to read files "
                "below the spec's directory)",
                source=doc.source,
                where=holder,
            )
    return external


def _run_engine(old: Document, new: Document, *, today: dt.date, allow_external_refs: bool) -> Report:
    from .. import diff as engine
    from ..diff.options import DiffOptions

    diff_fn = getattr(engine, "diff", None)
    if diff_fn is None:
        raise InputError("the diff engine is not available in this build of contractsync")
    options = DiffOptions(now=today, allow_external_refs=allow_external_refs)
    report: Report = diff_fn(old, new, options=options)
    if not report.base_source:
        report.base_source = old.source
    if not report.revision_source:
        report.revision_source = new.source
    return report


def _repo_file(source: Source, doc: Document) -> str | None:
    """The path annotations should name for this side: a local file as given, or the path of a
    ``REV:path`` source relative to the repository top; None for apps, stdin and URLs."""
    if isinstance(source, FileSource):
        path = source.path
        if path.is_absolute():
            # Annotations want paths relative to the workspace the job runs in.
            with contextlib.suppress(ValueError):
                path = path.resolve().relative_to(Path.cwd().resolve())
        return path.as_posix()
    if isinstance(source, GitSource):
        try:
            top = git_toplevel(source.cwd)
            return (source.cwd.resolve() / source.path).resolve().relative_to(top.resolve()).as_posix()
        except (InputError, ValueError):
            return source.path
    return None
