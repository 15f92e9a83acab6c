"""The small exception hierarchy every command maps to an exit code.

``InputError`` (and subclasses) means the user gave us something we cannot use: exit code 2 with a
one-line message naming the file and the place. ``CheckFailed`` means a check ran and said no:
exit code 1. Anything else is a bug and shows a traceback only with ``--debug``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pydantic import ValidationError


class ContractsyncError(Exception):
    """Base class of every error contractsync raises on purpose."""

    exit_code: int = 2

    def __init__(self, message: str, *, source: str | None = None, where: str | None = None) -> None:
        self.message = message
        self.source = source
        self.where = where
        super().__init__(self.one_line())

    def one_line(self) -> str:
        """The message as printed: ``source:where: message`` on one line."""
        prefix = ""
        if self.source:
            prefix = self.source
            if self.where:
                prefix += f":{self.where}"
            prefix += ": "
        elif self.where:
            prefix = f"{self.where}: "
        text = " ".join(self.message.split("\n"))
        return f"{prefix}{text}"


class InputError(ContractsyncError):
    """Bad input: a missing or malformed file, a spec that is not OpenAPI, a hostile ``$ref``."""


class SpecLoadError(InputError):
    """A spec could not be read or parsed."""


class NotOpenAPIError(InputError):
    """The document parsed but is not an OpenAPI 3.0/3.1 document."""


class RefError(InputError):
    """A ``$ref`` is missing, external (and not allowed) or hostile."""


class AppExportError(InputError):
    """A FastAPI app could not be imported or its ``openapi()`` failed."""

    def one_line(self) -> str:
        """``file:line: message (app pkg.module:app)`` when the failure has a place in the app's
        code: the place is a file of its own, not a position inside the app's import path, so
        ``app pkg.main:app:pkg/deps.py:36:`` would read as one garbled name."""
        if not self.where or not self.source:
            return super().one_line()
        text = " ".join(self.message.split("\n"))
        return f"{self.where}: {text} ({self.source})"


class ConfigError(InputError):
    """``[tool.contractsync]`` is invalid."""


def describe_validation(exc: ValidationError) -> tuple[str, str, bool]:
    """The first problem pydantic found in a file's content, for a one-line error:
    ``(where, message, unknown_key)`` with ``where`` a dotted path (``releases.0.date``)."""
    err = exc.errors()[0]
    where = ".".join(str(p) for p in err["loc"]) or "(top level)"
    unknown = err["type"] == "extra_forbidden"
    message = "unknown field" if unknown else str(err["msg"]).removeprefix("Value error, ")
    return where, message, unknown


class CheckFailed(ContractsyncError):
    """A check ran and failed (exit code 1)."""

    exit_code = 1
