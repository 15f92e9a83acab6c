"""Compiler diagnostics: parse what ``tsc`` / ``vue-tsc`` print, and tell new errors from old.

Both of the compiler's formats are read:

* ``--pretty false`` (the default when output is not a terminal)::

      src/App.vue(12,5): error TS2322: Type 'string' is not assignable to type 'number'.
        Type 'x' ...            <- the message chain, indented

* ``--pretty`` (what a terminal gets; colour codes are stripped)::

      src/App.vue:12:5 - error TS2322: Type 'string' is not assignable to type 'number'.
        Type 'x' ...            <- message chain, up to a blank line; then a code frame

Errors without a file (``error TS5058: The specified path does not exist``) have ``file=None``.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def output_tail(output: str, lines: int = 5) -> str:
    """The last ``lines`` non-blank lines of a tool's output, colours stripped, on one line: what an
    error about a failed command quotes."""
    kept = [line.strip() for line in _ANSI.sub("", output).splitlines() if line.strip()]
    return " | ".join(kept[-lines:])
_PLAIN = re.compile(
    r"^(?P<file>\S.*?)\((?P<line>\d+),(?P<col>\d+)\): (?P<cat>error|warning|message) TS(?P<code>\d+): (?P<msg>.*)$"
)
_PRETTY = re.compile(
    r"^(?P<file>\S.*?):(?P<line>\d+):(?P<col>\d+) - (?P<cat>error|warning|message) TS(?P<code>\d+): (?P<msg>.*)$"
)
_GLOBAL = re.compile(r"^(?P<cat>error|warning) TS(?P<code>\d+): (?P<msg>.*)$")


@dataclass(frozen=True)
class Diagnostic:
    """One compiler diagnostic."""

    file: str | None
    """Path as the compiler printed it (relative to the directory it ran in), POSIX separators."""
    line: int
    column: int
    code: int
    """The ``TS`` number: 2322 for ``TS2322``."""
    message: str
    """The whole message; chained lines joined with ``\\n`` and their indentation kept."""
    category: str = "error"

    @property
    def headline(self) -> str:
        """The first line of the message."""
        return self.message.split("\n", 1)[0]

    @property
    def where(self) -> str:
        """``src/App.vue:12:5`` (or ``(global)`` for a diagnostic without a file)."""
        return f"{self.file}:{self.line}:{self.column}" if self.file else "(global)"

    def key(self) -> tuple[str | None, int, str]:
        """What identifies the error across two runs: file, code and message, not the line
        (generated files shift when the contract changes)."""
        return (self.file, self.code, _normalise(self.message))

    def to_dict(self) -> dict[str, Any]:
        return {"file": self.file, "line": self.line, "column": self.column,
                "code": f"TS{self.code}", "message": self.message, "category": self.category}


def _normalise(message: str) -> str:
    return " ".join(message.split())


def parse_diagnostics(output: str) -> list[Diagnostic]:
    """Every diagnostic in ``output`` (stdout + stderr of one compiler run), in printed order."""
    out: list[Diagnostic] = []
    lines = _ANSI.sub("", output).replace("\r\n", "\n").split("\n")
    i = 0
    while i < len(lines):
        line = lines[i]
        i += 1
        m = _PLAIN.match(line)
        pretty = False
        if m is None:
            m = _PRETTY.match(line)
            pretty = m is not None
        if m is not None:
            chain: list[str] = []
            while i < len(lines) and lines[i].startswith((" ", "\t")) and lines[i].strip():
                if pretty and re.match(r"^\s*\d+\s", lines[i]):
                    break  # a code frame line, not part of the message
                chain.append(lines[i].rstrip())
                i += 1
            message = "\n".join([m.group("msg").rstrip(), *chain])
            out.append(Diagnostic(m.group("file").replace("\\", "/"), int(m.group("line")),
                                  int(m.group("col")), int(m.group("code")), message, m.group("cat")))
            continue
        g = _GLOBAL.match(line.strip())
        if g is not None:
            out.append(Diagnostic(None, 0, 0, int(g.group("code")), g.group("msg").rstrip(), g.group("cat")))
    return out


def new_diagnostics(base: Iterable[Diagnostic], new: Iterable[Diagnostic]) -> list[Diagnostic]:
    """The diagnostics of ``new`` that ``base`` does not have, matched by :meth:`Diagnostic.key`
    as a multiset: an error that appears twice with NEW and once with BASE is one new error."""
    remaining = Counter(d.key() for d in base)
    out: list[Diagnostic] = []
    for diag in new:
        key = diag.key()
        if remaining[key] > 0:
            remaining[key] -= 1
        else:
            out.append(diag)
    return out
