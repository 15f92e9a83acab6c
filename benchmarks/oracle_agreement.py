"""Agreement with oasdiff's own test fixtures (../shared/oracle/oasdiff/cases.tsv).

For every case — a pair of spec files and the rule ids oasdiff's test asserts — run contractsync
and compare:

* **blocks**: does the case block in oasdiff (an expected id at ERR) exactly when we report an
  expected id as breaking? An expected id we do not report counts through the breaking changes we
  report instead on the same side (request/response/none): the same change under another name.
  (The fixtures are shared between tests, so changes a case does not assert are not counted.)
* **exact**: does our report contain every expected id (and none of the ids asserted absent)?

Rows with an ``oasdiff_config`` hint get the matching option: ``deprecation-days`` → a 30-day
deprecation policy, ``deprecation-days:B,S`` → oasdiff's ``WithDeprecation(B, S)``;
``expects-nothing:LEVEL`` marks a test that ran every check and asserted an empty result at LEVEL
(a case blocks for us if we report anything breaking; exact if we report nothing at that level);
``absent-at:LEVEL`` says the ids asserted absent were looked for at LEVEL or above only;
``expects-something:LEVEL``: the test asserted only that something at LEVEL or above is reported.
External ``$ref`` files are read (below each spec's directory). Nothing here knows a file name.

Usage: ``python benchmarks/oracle_agreement.py [--oracle DIR] [--only-disagreements]``
"""

from __future__ import annotations

import argparse
import csv
import datetime
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_ORACLE = ROOT.parent / "shared" / "oracle" / "oasdiff"
NOW = datetime.date(2026, 1, 1)


@dataclass
class CaseResult:
    """One oracle case and how contractsync did on it."""

    test: str
    expected: list[tuple[str, str]]
    absent: list[str]
    ours: dict[str, str]
    blocks_expected: bool
    blocks_ours: bool
    error: str = ""
    nothing_from: str = ""
    absent_at: str = ""
    something_from: str = ""
    """With ``expects-something:LEVEL``: the test only asserted that some change at LEVEL or above
    is reported (no id)."""
    """With the ``expects-nothing:LEVEL`` hint: oasdiff (all checks) reports nothing at LEVEL or
    above, so neither may we (ERR/WARN: nothing breaking or possibly breaking; INFO: nothing)."""

    @property
    def blocks_agree(self) -> bool:
        return not self.error and self.blocks_expected == self.blocks_ours

    @property
    def exact(self) -> bool:
        floor = _LEVELS_FROM.get(self.absent_at, _LEVELS_FROM["INFO"])
        some = _LEVELS_FROM.get(self.something_from, set())
        return (not self.error and all(i in self.ours for i, _ in self.expected)
                and not any(self.ours.get(i) in floor for i in self.absent)
                and not self.unexpected
                and (not self.something_from or any(v in some for v in self.ours.values())))

    @property
    def unexpected(self) -> list[str]:
        """Ids we report although the case expects nothing at its level."""
        if not self.nothing_from:
            return []
        floor = _LEVELS_FROM.get(self.nothing_from, _LEVELS_FROM["INFO"])
        return sorted(i for i, lvl in self.ours.items() if lvl in floor)


#: Our levels at or above an oasdiff level.
_LEVELS_FROM = {"ERR": {"breaking"}, "WARN": {"breaking", "warning"},
                "INFO": {"breaking", "warning", "info"}}


def run(oracle: Path = DEFAULT_ORACLE) -> list[CaseResult]:
    """Run every case; errors are recorded per case, never raised."""
    sys.path.insert(0, str(ROOT))
    from contractsync.diff import RULES, DiffOptions, diff
    from contractsync.spec import load_spec

    with (oracle / "rules.tsv").open(encoding="utf-8") as fh:
        sides = {r["id"]: r["direction"] for r in csv.DictReader(fh, delimiter="\t")}
    results: list[CaseResult] = []
    with (oracle / "cases.tsv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh, delimiter="\t"):
            if not row.get("base") or row["test"] == "test":
                continue
            expected = [tuple(x.rsplit(":", 1)) for x in row["expect_present"].split()]
            absent = row["expect_absent"].split()
            config = row.get("oasdiff_config") or ""
            beta, stable, nothing_from, absent_at, something_from = _config(config)
            opts = DiffOptions(now=NOW, allow_external_refs=True,
                               deprecation_days_stable=stable, deprecation_days_beta=beta)
            ours: dict[str, str] = {}
            error = ""
            try:
                old = load_spec(str(oracle / row["base"]), allow_external_refs=True)
                new = load_spec(str(oracle / row["revision"]), allow_external_refs=True)
                for change in diff(old, new, options=opts):
                    prev = ours.get(change.id)
                    if prev != "breaking":
                        ours[change.id] = change.level.value
            except Exception as exc:
                error = f"{type(exc).__name__}: {exc}"
            blocks_ours = (_blocks(expected, ours, sides, RULES)
                           if not (nothing_from or something_from) else "breaking" in ours.values())
            blocks_expected = any(lvl == "ERR" for _, lvl in expected)
            if something_from:
                # "something at WARN+" may or may not block in oasdiff: only ERR decides.
                blocks_expected = blocks_ours if something_from != "ERR" else True
            results.append(CaseResult(
                test=row["test"], expected=[(i, lvl) for i, lvl in expected], absent=absent,
                ours=ours, blocks_expected=blocks_expected, blocks_ours=blocks_ours,
                error=error, nothing_from=nothing_from, absent_at=absent_at,
                something_from=something_from))
    return results


def _config(hints: str) -> tuple[int, int, str, str, str]:
    """(deprecation days beta, stable, expects-nothing level, absent-at level) from an
    ``oasdiff_config`` cell.

    ``deprecation-days`` alone means 30/30; ``deprecation-days:B,S`` gives oasdiff's
    ``WithDeprecation(B, S)``; ``expects-nothing:LEVEL`` marks a test asserting an empty result;
    ``absent-at:LEVEL`` says the test only saw changes at LEVEL or above, so an id asserted
    absent may still be reported below it; ``expects-something:LEVEL`` marks a test asserting
    only that some change at LEVEL or above is reported.
    """
    beta = stable = 0
    nothing_from = absent_at = something_from = ""
    for hint in hints.split():
        name, _, value = hint.partition(":")
        if name == "deprecation-days":
            beta, stable = (int(v) for v in value.split(",")) if value else (30, 30)
        elif name == "expects-nothing":
            nothing_from = value or "WARN"
        elif name == "absent-at":
            absent_at = value
        elif name == "expects-something":
            something_from = value or "WARN"
    return beta, stable, nothing_from, absent_at, something_from


def _blocks(expected: list[tuple[str, ...]], ours: dict[str, str], sides: dict[str, str],
            rules: Mapping[str, Any]) -> bool:
    for exp in expected:
        rid = exp[0]
        if rid in ours:
            if ours[rid] == "breaking":
                return True
            continue
        side = sides.get(rid, "none")
        for other, level in ours.items():
            rule = rules.get(other)
            if level == "breaking" and rule is not None and rule.direction.value == side:
                return True
    return False


def summary(results: list[CaseResult]) -> tuple[float, float]:
    """(blocking agreement, exact-id agreement) as fractions."""
    n = len(results) or 1
    return (sum(r.blocks_agree for r in results) / n, sum(r.exact for r in results) / n)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--oracle", type=Path, default=DEFAULT_ORACLE)
    parser.add_argument("--only-disagreements", action="store_true")
    args = parser.parse_args(argv)
    if not (args.oracle / "cases.tsv").exists():
        print(f"no oracle at {args.oracle}", file=sys.stderr)
        return 2
    results = run(args.oracle)
    print("| case | expected (oasdiff) | ours | blocks | exact |")
    print("|---|---|---|---|---|")
    for r in results:
        if args.only_disagreements and r.blocks_agree and r.exact:
            continue
        exp = " ".join(f"{i}:{lvl}" for i, lvl in r.expected)
        mine = r.error or " ".join(
            f"{i}:{r.ours[i]}" for i, _ in r.expected if i in r.ours) or "(none of them)"
        extra = sorted(i for i, lvl in r.ours.items() if i not in dict(r.expected))
        if r.something_from and not r.error:
            exp = f"(something at {r.something_from}+)"
        elif r.nothing_from and not r.error:
            exp = f"(nothing at {r.nothing_from}+)"
            mine = " ".join(f"{i}:{r.ours[i]}" for i in r.unexpected) or "(nothing)"
        elif extra and not r.error and not r.exact:
            mine += " + also: " + " ".join(f"{i}:{r.ours[i]}" for i in extra)
        print(f"| {r.test} | {exp} | {mine} | {'yes' if r.blocks_agree else 'NO'} | "
              f"{'yes' if r.exact else 'NO'} |")
    blocks, exact = summary(results)
    print(f"\n{len(results)} cases: blocking verdict agrees {blocks:.1%}, exact ids {exact:.1%}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
