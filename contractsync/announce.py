"""Announcements: breaking changes a person has declared intended, before they are accepted.

``contractsync announce`` writes them to ``<contracts_dir>/announcements.yaml`` so the intent is
reviewed in the pull request next to the contract change. ``contractsync accept`` moves each
announcement that matches a change of the release into ``changelog.json`` (where it stays as the
"why" of that breaking change) and keeps the others. The format is documented in ``docs/ci.md``::

    format: contractsync-announcements/1
    announcements:
    - fingerprint: 3f2a9c1b7d0e
      reason: The ISBN moved to the editions resource.
      migration: Read editions[0].isbn instead.
      change: 'response-required-property-removed: GET /books/{book_id} › ...'
      announced: '2026-11-26'
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from .changelog import Note
from .errors import InputError, SpecLoadError, describe_validation
from .io import atomic_write_text, read_project_text, remove_file
from .spec.parse import load_yaml

FORMAT = "contractsync-announcements/1"
FILENAME = "announcements.yaml"

_HEADER = (
    "# Breaking changes announced for the next `contractsync accept`, reviewed in the pull request.\n"
    "# Written by `contractsync announce`; the format is described in contractsync's docs/ci.md.\n"
)


class Announcement(BaseModel):
    """One announced breaking change, keyed by the change's fingerprint."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    fingerprint: str = Field(pattern=r"^[0-9a-f]{6,64}$")
    reason: str = Field(min_length=1, description="Why the break is intended (goes in the changelog).")
    migration: str | None = Field(default=None, description="What clients should do instead.")
    change: str = Field(default="", description="The change, for the reviewer (rule id and location).")
    announced: str | None = Field(default=None, description="YYYY-MM-DD.")

    def note(self) -> Note:
        """What the changelog records for the change."""
        return Note(reason=self.reason, migration=self.migration, announced=self.announced)


class AnnouncementFile(BaseModel):
    """The whole ``announcements.yaml``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    format: str = FORMAT
    announcements: list[Announcement] = Field(default_factory=list)

    def by_fingerprint(self) -> dict[str, Announcement]:
        return {a.fingerprint: a for a in self.announcements}

    def with_added(self, items: Iterable[Announcement]) -> AnnouncementFile:
        """A copy where ``items`` replace announcements with the same fingerprint."""
        merged = self.by_fingerprint()
        for item in items:
            merged[item.fingerprint] = item
        return AnnouncementFile(announcements=[merged[k] for k in sorted(merged)])

    def without(self, fingerprints: Iterable[str]) -> AnnouncementFile:
        drop = set(fingerprints)
        return AnnouncementFile(announcements=[a for a in self.announcements if a.fingerprint not in drop])


def announcements_path(contracts_dir: Path) -> Path:
    return contracts_dir / FILENAME


def load_announcements(path: Path) -> AnnouncementFile:
    """Read ``announcements.yaml`` (a missing or empty file has no announcements).

    Raises :class:`InputError` naming the file and the entry for anything malformed.
    """
    text = read_project_text(path)
    if text is None:
        return AnnouncementFile()
    try:
        # The loader every document goes through: one nesting limit, only JSON values (#13).
        data = load_yaml(text, source=str(path), raw=text.encode("utf-8"))
    except SpecLoadError as exc:
        message = exc.message.replace("invalid YAML: ", "is not valid YAML: ", 1)
        raise InputError(message, source=str(path), where=exc.where) from None
    if data is None:
        return AnnouncementFile()
    if isinstance(data, dict) and data.get("format", FORMAT) != FORMAT:
        raise InputError(f"unknown format {data.get('format')!r} (expected {FORMAT!r})",
                         source=str(path), where="format")
    try:
        parsed = AnnouncementFile.model_validate(data)
    except ValidationError as exc:
        where, msg, _ = describe_validation(exc)
        raise InputError(msg, source=str(path), where=where) from None
    seen: set[str] = set()
    for i, item in enumerate(parsed.announcements):
        if item.fingerprint in seen:
            raise InputError(f"fingerprint {item.fingerprint} is announced twice", source=str(path),
                             where=f"announcements.{i}")
        seen.add(item.fingerprint)
    return parsed


def dump_announcements(store: AnnouncementFile) -> str:
    """The file's text: a comment header, then the entries sorted by fingerprint."""
    data = store.model_dump(mode="json", exclude_none=True)
    data["announcements"] = sorted(data["announcements"], key=lambda a: a["fingerprint"])
    body = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100, default_flow_style=False)
    return _HEADER + body


def save_announcements(path: Path, store: AnnouncementFile) -> None:
    """Write the file atomically; an empty store removes the file (nothing pending)."""
    if not store.announcements:
        remove_file(path)
        return
    atomic_write_text(path, dump_announcements(store))
