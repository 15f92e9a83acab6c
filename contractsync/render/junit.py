"""JUnit XML for CI test reports (GitLab, Jenkins, GitHub test-report actions).

One test case per operation or schema that changed; it fails when it carries a change at or above
``fail_on``. The failure lists every failing change; milder changes go to ``system-out`` so the
report still shows them.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from ..diff.model import Change, Report
from ._common import (
    DEFAULT_CONTEXT,
    Near,
    RenderContext,
    Side,
    anchor,
    fails,
    full_message,
    groups,
    plural,
    summary_line,
)

# XML 1.0 cannot carry most control characters, even escaped.
_ILLEGAL_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _clean(text: str) -> str:
    return _ILLEGAL_XML.sub("\ufffd", text)


def render(report: Report, ctx: RenderContext = DEFAULT_CONTEXT) -> str:
    """The report as a JUnit XML document."""
    fail_on, near = ctx.fail_on, ctx.near
    files = ctx.files(report)
    suite_name = f"contractsync diff {report.base_source or 'base'} → {report.revision_source or 'revision'}"
    all_groups = groups(report)
    n_failed = sum(1 for g in all_groups if any(fails(c, fail_on) for c in g.changes))
    root = ET.Element("testsuites", name="contractsync diff", tests=str(len(all_groups)),
                      failures=str(n_failed), errors="0")
    suite = ET.SubElement(root, "testsuite", name=_clean(suite_name), tests=str(len(all_groups)),
                          failures=str(n_failed), errors="0", skipped="0")
    properties = ET.SubElement(suite, "properties")
    ET.SubElement(properties, "property", name="fail_on", value=fail_on)
    ET.SubElement(properties, "property", name="summary", value=summary_line(report))
    for group in all_groups:
        case = ET.SubElement(
            suite, "testcase",
            classname="operations" if group.is_operation else "components",
            name=_clean(group.subject),
        )
        bad = [c for c in group.changes if fails(c, fail_on)]
        rest = [c for c in group.changes if not fails(c, fail_on)]
        if bad:
            failure = ET.SubElement(
                case, "failure",
                message=_clean(f"{plural(len(bad), 'change')} at or above {fail_on}: "
                               + "; ".join(c.message for c in bad)),
                type=bad[0].id,
            )
            failure.text = _clean("\n".join(_line(c, files, near) for c in bad))
        if rest:
            out = ET.SubElement(case, "system-out")
            out.text = _clean("\n".join(_line(c, files, near) for c in rest))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _line(change: Change, files: dict[Side, str | None], near: Near | None) -> str:
    at = anchor(change, files, near)
    file = files[at.side]
    where = ""
    if file and at.position is not None:
        where = f" at {file}:{at.position}"
    elif at.pointer is not None:
        where = f" at {at.side} #{at.pointer}"
    return f"[{change.level.value}] {change.id}: {full_message(change)}{where} [{change.fingerprint}]"
