"""Contract and label names: what the registry accepts in a URL and stores."""

from __future__ import annotations

import re

MAX_NAME = 128
#: What each ``what`` of :func:`name_problem` names (for the names reserved by the static mirror).
_KINDS = {"contract name": "contract", "contract": "contract", "label name": "label", "label": "label"}
_NAME_RE = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9_])?")


def name_problem(value: str, what: str = "name") -> str | None:
    """Why ``value`` is not an acceptable contract or label name (None when it is).

    Names are 1-128 characters of letters, digits, ``.``, ``_`` and ``-``, starting and ending
    with a letter or digit (``_`` may end one), without ``..``: safe as a path segment of the API,
    of the static mirror and of a file name.
    """
    if not value:
        return f"the {what} is empty"
    if len(value) > MAX_NAME:
        return f"the {what} is {len(value)} characters long (at most {MAX_NAME})"
    bad = next((ch for ch in value if ord(ch) < 32 or ord(ch) == 127), None)
    if bad is not None:
        return f"the {what} contains the control character U+{ord(bad):04X}"
    if "/" in value or "\\" in value:
        return f"the {what} contains a slash"
    if ".." in value:
        return f"the {what} contains '..'"
    if not _NAME_RE.fullmatch(value):
        return (f"the {what} {value!r} may only hold letters, digits, '.', '_' and '-', and must start "
                "and end with a letter or digit")
    # File names of the static mirror (`registry export --static`): a contract `index.json` is
    # where the list of contracts goes, a label `x.history.json` is where label x's history goes.
    kind = _KINDS.get(what)
    if kind == "contract" and value.lower() == "index.json":
        return f"the {what} {value!r} is reserved (the static mirror's contract list)"
    if kind == "label" and value.lower().endswith(".history.json"):
        return f"the {what} {value!r} is reserved: names ending in '.history.json' hold label histories"
    return None


def is_name(value: str) -> bool:
    return name_problem(value) is None
