"""Documentation-only edits (:mod:`..docedits`): listed only when asked for."""

from __future__ import annotations

from .. import examples as ex
from ..model import DOCUMENTATION_CHANGED
from ..registry import NONE, I, rule

rule(DOCUMENTATION_CHANGED, I, NONE, "documentation", "A description, summary, title or example "
     "was added, removed or changed. No client sends or receives anything different, so a diff "
     "whose only differences are these says *no API changes (N documentation-only edits)*; they "
     "are listed only with `--include-docs` (`DiffOptions(include_docs=True)`).",
     ex.op("get", summary="List items"), ex.op("get", summary="List the items"), oasdiff=False,
     options={"include_docs": True})
