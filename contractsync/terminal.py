"""Text for a terminal (or a CI log, which renders escape sequences too): what contractsync prints
comes partly from documents it does not control — a contract's title, paths and descriptions, a
registry's answers, a changelog's reasons. A control character in them (ESC starting a sequence
that clears the screen, rewrites earlier lines, sets the window title, writes the clipboard or
hides a link; a carriage return overwriting the line) is printed as a visible ``\\xNN`` instead.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from rich.console import Console, ConsoleOptions, RenderableType
from rich.segment import Segment

from .typescript.ident import INVISIBLE, escape_invisible

#: C0 controls except tab and newline, DEL, and C1 controls (U+0080-U+009F: 8-bit CSI, OSC ...).
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def printable(text: str) -> str:
    """``text`` with every control character but tab and newline written as ``\\xNN``, and
    bidirectional overrides and zero-width characters as ``\\uXXXX`` (they reorder or hide what
    the terminal shows)."""
    return escape_invisible(_CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text))


class SafeConsole(Console):
    """A rich Console whose printed text passes through :func:`printable`, strings and renderables
    (tables, texts) alike; rich's own colours and cursor controls are added afterwards, as styles
    and control segments, and are unaffected."""

    def render(self, renderable: RenderableType, options: ConsoleOptions | None = None) -> Iterable[Segment]:
        for segment in super().render(renderable, options):
            if segment.control is None and (_CONTROL.search(segment.text) or not INVISIBLE.isdisjoint(segment.text)):
                yield Segment(printable(segment.text), segment.style)
            else:
                yield segment
