"""Impact reports in every output format: text, markdown, json, github annotations (on the
frontend file and line), sarif. Paths are shown relative to the frontend directory's parent as
given (``frontend/src/App.vue``) so annotations land on the file in the repository."""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import Any

import orjson

from .. import __version__
from ..diff.model import Change
from ..render.github import _data, _prop
from .analyse import ImpactReport
from .diagnostics import Diagnostic

FORMATS = ("text", "markdown", "json", "github", "sarif")


def repo_path(report: ImpactReport, diag: Diagnostic) -> str:
    """The error's file as seen from where the command ran: ``<frontend>/<file>``."""
    if diag.file is None:
        return report.frontend
    base = PurePosixPath(report.frontend.replace("\\", "/"))
    return (base / diag.file).as_posix() if str(base) not in ("", ".") else diag.file


def _where(report: ImpactReport, diag: Diagnostic) -> str:
    return f"{repo_path(report, diag)}:{diag.line}:{diag.column}" if diag.file else repo_path(report, diag)


#: Text and markdown shorten a compiler message's first line to this; json, github and sarif
#: carry it whole.
SHORT = 150


def _short(text: str) -> str:
    return text if len(text) <= SHORT else text[:SHORT - 1].rstrip() + "…"


def _title(change: Change, report: ImpactReport | None = None) -> str:
    mark = " (typescript profile)" if report is not None and change.fingerprint in report.profile_only else ""
    return f"{change.id}: {change.message}{mark}"


def _tie(report: ImpactReport, diag: Diagnostic, change: Change) -> str:
    others = report.also(diag, change.fingerprint)
    return f"  (ambiguous: fits {', '.join(f'[{f}]' for f in others)} equally)" if others else ""


def text(report: ImpactReport) -> str:
    lines = [f"Frontend impact: {report.frontend} ({' '.join(report.command)})", ""]
    for change in report.breaking_changes:
        lines.append(f"{change.level.value.upper():8} {_title(change, report)}  [{change.fingerprint}]")
        for diag in report.breaks[change.fingerprint]:
            lines.append(f"    {_where(report, diag)}  TS{diag.code}: {_short(diag.headline)}{_tie(report, diag, change)}")
        lines.append("")
    if report.unattributed:
        lines.append("New errors not attributed to a change:")
        for diag in report.unattributed:
            lines.append(f"    {_where(report, diag)}  TS{diag.code}: {_short(diag.headline)}")
        lines.append("")
    if report.untouched:
        lines.append("Breaking changes the frontend does not use:")
        for change in report.untouched:
            lines.append(f"    {_title(change)}  [{change.fingerprint}]")
        lines.append("")
    lines.append(report.headline())
    return "\n".join(lines) + "\n"


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def markdown(report: ImpactReport) -> str:
    out = ["## Will this break the frontend?", "", f"**{report.headline()}**", ""]
    if report.breaking_changes or report.unattributed:
        out += ["| change | frontend place | compiler error |", "|---|---|---|"]
        for change in report.breaking_changes:
            for diag in report.breaks[change.fingerprint]:
                out.append(f"| `{change.id}` {_md(change.message)} | `{_where(report, diag)}` | "
                           f"TS{diag.code}: {_md(_short(diag.headline))}{_md(_tie(report, diag, change))} |")
        for diag in report.unattributed:
            out.append(f"| (not attributed) | `{_where(report, diag)}` | TS{diag.code}: {_md(_short(diag.headline))} |")
        out.append("")
    if report.untouched:
        out.append("Breaking changes that touch nothing the frontend uses:")
        out.append("")
        out += [f"- `{c.id}` {_md(c.message)}" for c in report.untouched]
        out.append("")
    return "\n".join(out)


def json(report: ImpactReport) -> str:
    data = report.to_dict()
    for item in data["changes"]:
        for err in item["frontend_errors"]:
            err["path"] = _repo_path_of(report, err)
    for err in data["unattributed"]:
        err["path"] = _repo_path_of(report, err)
    return orjson.dumps(data, option=orjson.OPT_INDENT_2).decode() + "\n"


def _repo_path_of(report: ImpactReport, err: dict[str, Any]) -> str:
    file = err.get("file")
    return repo_path(report, Diagnostic(file, 0, 0, 0, "")) if file else report.frontend


def github(report: ImpactReport) -> str:
    """One ``::error`` per new compiler error, on the frontend file and line, titled with the
    change it comes from."""
    lines: list[str] = []
    for change in report.breaking_changes:
        for diag in report.breaks[change.fingerprint]:
            lines.append(_annotation(report, diag, f"{change.id}", f"{change.message}: TS{diag.code} "
                                     f"{diag.message} [{change.fingerprint}]{_tie(report, diag, change)}"))
    for diag in report.unattributed:
        lines.append(_annotation(report, diag, "contractsync impact",
                                 f"not attributed to a change: TS{diag.code} {diag.message}"))
    lines.append(f"contractsync impact: {report.headline()}")
    lines.extend(f"::warning title=contractsync::{_data(w)}" for w in report.warnings)
    return "\n".join(lines) + "\n"


def _annotation(report: ImpactReport, diag: Diagnostic, title: str, message: str) -> str:
    props = []
    if diag.file:
        props += [f"file={_prop(repo_path(report, diag))}", f"line={diag.line}", f"col={diag.column}"]
    props.append(f"title={_prop(title)}")
    return f"::error {','.join(props)}::{_data(message)}"


def sarif(report: ImpactReport) -> str:
    rules: dict[str, dict[str, Any]] = {}
    results: list[dict[str, Any]] = []

    def result(diag: Diagnostic, rule_id: str, message: str, fingerprint: str | None) -> None:
        rules.setdefault(rule_id, {"id": rule_id, "shortDescription": {"text": rule_id.replace("-", " ")},
                                   "defaultConfiguration": {"level": "error"}})
        item: dict[str, Any] = {"ruleId": rule_id, "level": "error", "message": {"text": message}}
        if diag.file:
            item["locations"] = [{"physicalLocation": {
                "artifactLocation": {"uri": repo_path(report, diag)},
                "region": {"startLine": diag.line, "startColumn": diag.column}}}]
        if fingerprint:
            item["partialFingerprints"] = {"contractsync/v1": fingerprint}
        results.append(item)

    for change in report.breaking_changes:
        for diag in report.breaks[change.fingerprint]:
            result(diag, change.id, f"{change.message}: TS{diag.code} {diag.message}{_tie(report, diag, change)}",
                   change.fingerprint)
    for diag in report.unattributed:
        result(diag, "frontend-error-not-attributed", f"TS{diag.code} {diag.message}", None)
    doc = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{"tool": {"driver": {"name": "contractsync", "version": __version__,
                                       "informationUri": "https://github.com/contractsync/contractsync",
                                       "rules": list(rules.values())}},
                  "results": results}],
    }
    return orjson.dumps(doc, option=orjson.OPT_INDENT_2).decode() + "\n"


def render(report: ImpactReport, fmt: str) -> str:
    """``report`` in output format ``fmt`` (one of :data:`FORMATS`)."""
    renderers = {"text": text, "markdown": markdown, "json": json, "github": github, "sarif": sarif}
    return renderers[fmt](report)
