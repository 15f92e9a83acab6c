"""Safe ``$ref`` resolution for the diff engine.

Local references resolve against the document. External ones (``common.yaml#/X``) are read only
when ``allow_external_refs`` is set, and then only from files below the base directory: never a
URL, never an absolute path, never ``..`` out of the tree. A missing target is a one-line
:class:`~contractsync.errors.RefError` naming the pointer that holds the ``$ref``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..errors import RefError
from ..spec.parse import parse_bytes
from ..spec.refs import fragment_pointer, resolve_pointer


class Resolver:
    """Resolves ``$ref`` strings of one document (and the files it may reference)."""

    def __init__(self, data: Any, source: str, base_dir: Path | None, allow_external: bool) -> None:
        self.data = data
        self.source = source
        self.base_dir = base_dir.resolve() if base_dir is not None else None
        self.allow_external = allow_external
        self._files: dict[str, Any] = {}
        self._cache: dict[tuple[str, str], tuple[str, Any, str]] = {}

    def resolve(self, ref: str, base: str, holder: str) -> tuple[str, Any, str]:
        """``(key, node, base_of_node)`` for ``ref`` found in file ``base`` ("" = the document).

        ``key`` identifies the target across the whole diff: ``#/components/schemas/X`` for a
        local target, ``file.yaml#/X`` for an external one.
        """
        hit = self._cache.get((ref, base))
        if hit is not None:
            return hit
        file_part, _, fragment = ref.partition("#")
        fragment = fragment_pointer(fragment)
        file_key = self._external_file(file_part, base, ref, holder) if file_part else base
        data = self.data if file_key == "" else self._load(file_key, ref, holder)
        try:
            node = resolve_pointer(data, fragment)
        except KeyError:
            raise RefError(f"$ref '{ref}' points to nothing", source=self.source or None,
                           where=holder) from None
        key = f"{file_key}#{fragment}"
        result = (key, node, file_key)
        self._cache[(ref, base)] = result
        return result

    def _external_file(self, file_part: str, base: str, ref: str, holder: str) -> str:
        if not self.allow_external:
            raise RefError(
                f"external $ref '{ref}' is not followed (allow external refs to read files below "
                "the spec's directory)", source=self.source or None, where=holder)
        if "://" in file_part or file_part.startswith(("/", "\\")) or self.base_dir is None:
            raise RefError(f"external $ref '{ref}' must be a relative file path below the spec's "
                           "directory", source=self.source or None, where=holder)
        parent = (self.base_dir / base).parent if base else self.base_dir
        target = (parent / file_part).resolve()
        if not target.is_relative_to(self.base_dir):
            raise RefError(f"external $ref '{ref}' points outside the spec's directory",
                           source=self.source or None, where=holder)
        return target.relative_to(self.base_dir).as_posix()

    def _load(self, file_key: str, ref: str, holder: str) -> Any:
        if file_key not in self._files:
            assert self.base_dir is not None
            path = self.base_dir / file_key
            try:
                raw = path.read_bytes()
            except OSError:
                raise RefError(f"external $ref '{ref}': cannot read {file_key}",
                               source=self.source or None, where=holder) from None
            self._files[file_key] = parse_bytes(raw, source=str(path))
        return self._files[file_key]


def pointer_of(key: str) -> str | None:
    """The JSON pointer into the main document for a target key (None for other files)."""
    return key[1:] if key.startswith("#") else None


def subject_of(key: str) -> str:
    """How a referenced component is named to the user: ``components.schemas.Book``."""
    file_part, _, fragment = key.partition("#")
    tokens = [t.replace("~1", "/").replace("~0", "~") for t in fragment.split("/") if t]
    name = ".".join(tokens)
    return f"{file_part}#{name}" if file_part else name
