"""The versioning policy: a breaking change needs a major version bump of ``info.version``.

Judged after every other rule, on what they found: when the diff has a breaking change and both
versions are semantic versions (``1.4.0``, ``v2.0.0-rc.1``), a version that stayed put, went
down, or moved by less than a major step is reported. Below 1.0.0 the minor number plays the
major's role (SemVer: "anything may change at any time"), so ``0.3.1`` → ``0.4.0`` carries a
breaking change. Versions that are not semantic (dates, ``v1``) are not judged: nothing defines
what a major bump of them is. The policy is off unless ``[tool.contractsync.diff]
version_policy = true`` (or ``DiffOptions(version_policy=True)``): in contractsync's workflow the
version is bumped when a release is accepted, not in every diff. The three rules are info; raise
them with ``levels`` to enforce the policy.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .. import examples as ex
from ..model import Change, Level
from ..registry import NONE, I, rule

if TYPE_CHECKING:
    from ..engine import Engine

def _versioned(version: str, removed: bool = False) -> dict[str, Any]:
    """An example document at ``version``; ``removed`` drops its only operation (breaking)."""
    out = ex.doc() if removed else ex.op("get")
    out["info"] = {"title": "example", "version": version}
    return out


_NM = "about the document's version, not one side of the exchange"
_ON = {"version_policy": True}
rule("api-version-not-bumped", I, NONE, "lifecycle", "The revision has a breaking change but "
     "`info.version` did not change: clients cannot tell from the version that they must adapt.",
     _versioned("1.2.0"), _versioned("1.2.0", removed=True), no_mirror=_NM, options=_ON)
rule("api-version-decreased", I, NONE, "lifecycle", "The revision has a breaking change and "
     "`info.version` went down.", _versioned("1.2.0"), _versioned("1.1.0", removed=True),
     no_mirror=_NM, options=_ON)
rule("api-major-version-not-bumped", I, NONE, "lifecycle", "The revision has a breaking change "
     "and `info.version` went up, but not by a major step (by a minor step below 1.0.0), as "
     "SemVer requires for incompatible changes.", _versioned("1.2.0"),
     _versioned("1.3.0", removed=True), no_mirror=_NM, options=_ON)


def violation(old: str, new: str) -> str | None:
    """The versioning rule a breaking change with versions ``old`` → ``new`` breaks, if any
    (None also when either is not a semantic version)."""
    from ...changelog import Bump, Version

    a, b = Version.parse(old), Version.parse(new)
    if a is None or b is None:
        return None
    if b == a or old.strip() == new.strip():
        return "api-version-not-bumped"
    if b < a:
        return "api-version-decreased"
    return None if b.bump_from(a) is Bump.MAJOR else "api-major-version-not-bumped"


def check(engine: Engine, changes: list[Change]) -> bool:
    """Report a version that does not carry the breaking changes found; True when it did."""
    if not engine.options.version_policy or not any(c.level is Level.BREAKING for c in changes):
        return False
    vo, vn = _version(engine.old), _version(engine.new)
    if not isinstance(vo, str) or not isinstance(vn, str):
        return False
    rid = violation(vo, vn)
    if rid is None:
        return False
    count = sum(c.level is Level.BREAKING for c in changes)
    engine.out.add(rid, subject="info.version", base="/info/version", revision="/info/version",
                   message=f"info.version {vo} → {vn}: {count} breaking change"
                   f"{'s' if count != 1 else ''} without a major version bump",
                   before=vo, after=vn)
    return True


def _version(data: dict[str, Any]) -> Any:
    info = data.get("info")
    return info.get("version") if isinstance(info, dict) else None
