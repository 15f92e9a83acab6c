"""Getting a document: export from a FastAPI app, load a file/URL/git revision/stdin, validate,
canonicalize, and resolve ``$ref`` safely."""

from .canonical import canonical_json, canonicalize
from .document import Document, Position, check_structure
from .export import export_app
from .refs import check_refs, resolve_pointer
from .source import (
    AppSource,
    FileSource,
    GitSource,
    Source,
    StdinSource,
    UrlSource,
    load_spec,
    parse_source,
)
from .validate import Problem, validate_document

__all__ = [
    "AppSource",
    "Document",
    "FileSource",
    "GitSource",
    "Position",
    "Problem",
    "Source",
    "StdinSource",
    "UrlSource",
    "canonical_json",
    "canonicalize",
    "check_refs",
    "check_structure",
    "export_app",
    "load_spec",
    "parse_source",
    "resolve_pointer",
    "validate_document",
]
