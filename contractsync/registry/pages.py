"""Server-rendered pages for people: no JavaScript, the changelog page's look, everything escaped.

``/`` lists contracts; ``/ui/{c}`` shows a contract's labels, versions, downloads and a form to
diff any two versions (a plain GET form); ``/ui/{c}/diff`` and ``/ui/{c}/versions/{n}/changelog``
render through the changelog's HTML renderer.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Annotated
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Depends, Query
from fastapi.concurrency import run_in_threadpool
from starlette.responses import HTMLResponse

from ..changelog import (
    _CSS,
    SECTIONS,
    Note,
    _html_entry,
    entries_from_changes,
    escape_html,
)
from ..diff.model import Report
from .api.deps import contract_name, read_scope, registry
from .auth import Principal
from .problems import Problem
from .service import Registry
from .store.protocol import AnnouncementRow, LabelRow, VersionRow

router = APIRouter(tags=["pages"], include_in_schema=False)
e = escape_html
_EXTRA_CSS = ("table.grid{border-collapse:collapse;margin:.5rem 0 1rem}table.grid th,table.grid td{border-bottom:"
              "1px solid #d0d7de;padding:.3rem .8rem .3rem 0;text-align:left}form{margin:1rem 0}"
              "select,button{font:inherit;padding:.15rem .4rem}.pill{font-size:.75rem;border:1px solid #d0d7de;"
              "border-radius:1rem;padding:0 .45rem}")


def _page(title: str, body: Sequence[str], crumbs: Sequence[tuple[str, str]] = ()) -> str:
    nav = " › ".join([f'<a href="{e(href)}">{e(text)}</a>' for href, text in crumbs]) if crumbs else ""
    return "\n".join([
        "<!DOCTYPE html>", '<html lang="en">', "<head>", '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{e(title)}</title>", f"<style>{_CSS}\n{_EXTRA_CSS}</style>", "</head>", "<body>",
        f'<nav class="meta">{nav}</nav>' if nav else "", f"<h1>{e(title)}</h1>", *body, "</body>", "</html>", ""])


def _ui(contract: str) -> str:
    return f"/ui/{quote(contract)}"


def _api(contract: str) -> str:
    return f"/v1/contracts/{quote(contract)}"


def _short(digest: str) -> str:
    return digest.removeprefix("sha256:")[:12]


@router.get("/", response_class=HTMLResponse)
def index(reg: Annotated[Registry, Depends(registry)], _: Annotated[Principal, Depends(read_scope)]) -> HTMLResponse:
    rows = []
    for name in reg.store.contract_names():
        labels = reg.store.labels(name)
        versions = reg.store.versions(name)
        pills = " ".join(f'<span class="pill">{e(lbl.label)} → {lbl.number}</span>' for lbl in labels)
        latest = versions[-1] if versions else None
        rows.append(f'<tr><td><a href="{e(_ui(name))}">{e(name)}</a></td><td>{pills}</td>'
                    f'<td>{latest.number if latest else "-"}</td>'
                    f'<td>{e(latest.created_at[:19].replace("T", " ")) if latest else ""}</td></tr>')
    body = ['<p class="meta">Contracts published to this contractsync registry.</p>']
    if rows:
        body += ['<table class="grid"><tr><th>contract</th><th>labels</th><th>latest version</th><th>published</th></tr>',
                 *rows, "</table>"]
    else:
        body.append("<p>No contracts yet: publish one with <code>contractsync publish</code>.</p>")
    return HTMLResponse(_page("Contracts", body))


def _label_rows(c: str, labels: Sequence[LabelRow]) -> list[str]:
    out = ['<table class="grid" id="labels"><tr><th>label</th><th>version</th><th>info.version</th><th>policy</th>'
           "<th>moved</th><th>by</th></tr>"]
    for lbl in labels:
        out.append(f'<tr><td><code>{e(lbl.label)}</code></td><td><a href="#v{lbl.number}">{lbl.number}</a></td>'
                   f"<td>{e(lbl.info_version)}</td><td>{e(lbl.policy)}</td>"
                   f"<td>{e(lbl.moved_at[:19].replace('T', ' '))}</td><td>{e(lbl.moved_by)}</td></tr>")
    out.append("</table>")
    return out


def _version_rows(c: str, versions: Sequence[VersionRow], labels: Sequence[LabelRow]) -> list[str]:
    by_number: dict[int, list[str]] = {}
    for lbl in labels:
        by_number.setdefault(lbl.number, []).append(lbl.label)
    out = ['<table class="grid" id="versions"><tr><th>version</th><th>digest</th><th>info.version</th>'
           "<th>source</th><th>author</th><th>published</th><th>downloads</th></tr>"]
    for v in reversed(versions):
        base = f"{_api(c)}/versions/{v.digest}"
        src = " ".join(x for x in (v.source_branch or "", (v.source_commit or "")[:12]) if x)
        if v.source_url:
            src = f'<a href="{e(v.source_url)}" rel="nofollow">{e(src or "source")}</a>' \
                if v.source_url.startswith(("https://", "http://")) else e(src)
        else:
            src = e(src)
        pills = " ".join(f'<span class="pill">{e(n)}</span>' for n in by_number.get(v.number, []))
        diff = ""
        if v.parent is not None:
            diff = f' · <a href="{e(_ui(c))}/diff?{urlencode({"from": v.parent, "to": v.number})}">diff</a>'
        out.append(
            f'<tr id="v{v.number}"><td>{v.number} {pills}</td><td><code>{e(_short(v.digest))}</code></td>'
            f"<td>{e(v.info_version)}</td><td>{src}</td><td>{e(v.author)}</td>"
            f"<td>{e(v.created_at[:19].replace('T', ' '))}</td>"
            f'<td><a href="{e(base)}/openapi.json" download>openapi.json</a> · '
            f'<a href="{e(base)}/types.ts" download>types.ts</a> · '
            f'<a href="{e(_ui(c))}/versions/{v.number}/changelog">changelog</a>{diff}</td></tr>')
    out.append("</table>")
    return out


def _diff_form(c: str, versions: Sequence[VersionRow], old: int | None, new: int | None) -> list[str]:
    def options(selected: int | None) -> str:
        return "".join(f'<option value="{v.number}"{" selected" if v.number == selected else ""}>'
                       f"{v.number} ({e(v.info_version)}, {e(_short(v.digest))})</option>" for v in reversed(versions))
    return [f'<form method="get" action="{e(_ui(c))}/diff" id="diff-form">',
            f'<label>from <select name="from">{options(old)}</select></label> ',
            f'<label>to <select name="to">{options(new)}</select></label> ',
            '<button type="submit">Show changes</button></form>']


@router.get("/ui/{c}", response_class=HTMLResponse)
def contract_page(c: Annotated[str, Depends(contract_name)], reg: Annotated[Registry, Depends(registry)],
                  _: Annotated[Principal, Depends(read_scope)]) -> HTMLResponse:
    versions = reg.store.versions(c)
    if not versions:
        raise Problem(404, f"no contract {c!r}", causes=[{"contract": c}], kind="not-found")
    labels = reg.store.labels(c)
    newest = versions[-1].number
    older = versions[-2].number if len(versions) > 1 else newest
    body = ["<h2>Labels</h2>", *_label_rows(c, labels),
            "<h2>Compare two versions</h2>", *_diff_form(c, versions, older, newest),
            "<h2>Versions</h2>", *_version_rows(c, versions, labels)]
    return HTMLResponse(_page(f"Contract {c}", body, [("/", "Contracts")]))


@router.get("/ui/{c}/versions/{number}/changelog", response_class=HTMLResponse)
def changelog_page(c: Annotated[str, Depends(contract_name)], number: int,
                   reg: Annotated[Registry, Depends(registry)],
                   _: Annotated[Principal, Depends(read_scope)]) -> HTMLResponse:
    row = reg.resolve(c, str(number))
    return HTMLResponse(reg.changelog_html(row)[1])


@router.get("/ui/{c}/diff", response_class=HTMLResponse)
async def diff_page(c: Annotated[str, Depends(contract_name)], reg: Annotated[Registry, Depends(registry)],
                    _: Annotated[Principal, Depends(read_scope)],
                    from_: Annotated[str, Query(alias="from", max_length=80)],
                    to: Annotated[str, Query(max_length=80)]) -> HTMLResponse:
    old, new = await run_in_threadpool(reg.resolve, c, from_), await run_in_threadpool(reg.resolve, c, to)
    # The changes are the stored diff artifact (computed once); only the form, which lists every
    # version published so far, is rendered per request.
    stored = (await reg.diff_artifact(c, old, new, "html"))[1]
    versions = await run_in_threadpool(reg.store.versions, c)
    form = "\n".join(_diff_form(c, versions, old.number, new.number))
    return HTMLResponse(stored.decode("utf-8").replace(FORM_SLOT, form, 1))


#: Where the pages' diff puts its version form in the stored (immutable) diff HTML. Every stored
#: text is escaped, so no contract can place this comment anywhere else.
FORM_SLOT = "<!-- contractsync:diff-form -->"


def diff_html(c: str, old: VersionRow, new: VersionRow, report: Report, announced: Mapping[str, AnnouncementRow]) -> str:
    """The changes ``old`` → ``new`` as a page: grouped like the changelog, breaking first, each
    breaking change with the reason it was announced with. A function of the two immutable
    versions only (stored once as an artifact); :data:`FORM_SLOT` marks where the pages insert
    the version form."""
    notes = {fp: Note(reason=a.reason, migration=a.migration) for fp, a in announced.items()}
    entries = entries_from_changes(report.changes, notes)
    counts = report.counts()
    summary = ", ".join(f"{n} {level.value}" for level, n in counts.items())
    body = [f'<p class="meta">From version {old.number} (<code>{e(_short(old.digest))}</code>, {e(old.info_version)}) '
            f'to version {new.number} (<code>{e(_short(new.digest))}</code>, {e(new.info_version)}): '
            f'{len(report)} change{"s" if len(report) != 1 else ""} ({e(summary)}).</p>']
    body.append(FORM_SLOT)
    breaking = [x for x in entries if x.breaking]
    if breaking:
        body.append(f'<p class="summary">{len(breaking)} breaking change{"s" if len(breaking) != 1 else ""}</p>')
    if not entries:
        body.append("<p>No changes.</p>")
    for section in SECTIONS:
        group = sorted((x for x in entries if x.section == section),
                       key=lambda x: (not x.breaking, x.subject, x.message, x.fingerprint))
        if group:
            body += [f"<h3>{section}</h3>", "<ul>", *[_html_entry(x) for x in group], "</ul>"]
    return _page(f"{c}: version {old.number} → {new.number}", body, [("/", "Contracts"), (_ui(c), c)])
