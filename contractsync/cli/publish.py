"""``contractsync publish``: the backend's CI sends the accepted contract to a registry."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from . import _common as c

SpecArgument = Annotated[
    str | None,
    typer.Argument(help="File, URL, REV:path or app:pkg.module:app (default: the stored contract).",
                   show_default=False),
]


def publish(
    spec: SpecArgument = None,
    registry: Annotated[str, typer.Option("--registry", help="The registry's base URL.", show_default=False,
                                          envvar="CONTRACTSYNC_REGISTRY")] = "",
    contract: Annotated[str, typer.Option("--contract", help="The contract's name in the registry.",
                                          show_default=False)] = "",
    label: Annotated[str, typer.Option("--label", help="The label to move to the new version (main, prod, "
                                       "pr-123).")] = "main",
    source_commit: Annotated[str | None, typer.Option(
        "--source-commit", help="The commit the contract comes from (default: git HEAD).", show_default=False)] = None,
    source_branch: Annotated[str | None, typer.Option(
        "--source-branch", help="Its branch (default: the checked-out branch).", show_default=False)] = None,
    source_url: Annotated[str | None, typer.Option(
        "--source-url", help="A link to the build or pull request.", show_default=False)] = None,
    timeout: Annotated[float, typer.Option("--timeout", min=0.1, help="Seconds the registry may take.")] = 60.0,
) -> int:
    """Publish the contract to a registry with the backend's announcements and policy: the
    registry judges it as `contractsync check` does. The token comes from `CONTRACTSYNC_TOKEN`.

    Exit 0 when published or already there (idempotent), 1 when the registry refuses unannounced
    breaking changes (printed like `check`), 2 on input or connection errors.

    Example: `contractsync publish --registry https://contracts.example.com --contract bookshop`
    """
    from ..client.http import RegistryClient, token_from_env
    from ..client.publish import SourceInfo, document_digest, git_source, publish_body
    from ..client.publish import publish as run_publish
    from ..client.refs import check_name
    from ..errors import InputError
    from ..spec.source import load_spec

    if not registry:
        raise InputError("--registry URL is required (or set CONTRACTSYNC_REGISTRY)")
    from urllib.parse import urlsplit

    parts = urlsplit(registry)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InputError(f"{registry!r} is not an http(s):// URL", where="--registry")
    if parts.username or parts.password or parts.query:
        raise InputError("credentials or a query in the URL are refused: the token goes in CONTRACTSYNC_TOKEN",
                         where="--registry")
    if not contract:
        raise InputError("--contract NAME is required")
    check_name(contract, "contract name", where="--contract")
    check_name(label, "label", where="--label")
    cfg = c.config()
    doc = load_spec(c.spec_source(spec, cfg, default="contract"))
    found = git_source(cfg.root)
    source = SourceInfo(source_commit or found.commit, source_branch or found.branch, source_url)
    body = publish_body(cfg, doc, source)
    digest = document_digest(doc)
    # No token: the registry's 401 says to set CONTRACTSYNC_TOKEN, on the one error line.
    token = token_from_env()
    with RegistryClient(registry, token=token, timeout=timeout) as client:
        result = run_publish(client, contract, label, body, digest)
    out = c.stdout()
    if result.refused:
        out.print(_refusal_text(result.causes, result.detail, contract, label), markup=False, end="")
        return 1
    version = result.version or {}
    number = version.get("version", "?")
    verb = "published" if result.created else "already published:"
    out.print(f"{verb} {contract} version {number} ({digest}) to {registry}; label {label} → version {number}",
              markup=False)
    if result.changes:
        from ..client.report import change_from_dict
        from ..render._common import plural

        changes = [change_from_dict(ch) for ch in result.changes]
        breaking = sum(1 for ch in changes if ch.breaking)
        out.print(f"  {plural(len(changes), 'change')} against the previous head of {label} "
                  f"({breaking} breaking, all announced)" if breaking else
                  f"  {plural(len(changes), 'change')} against the previous head of {label}, none breaking",
                  markup=False)
    return 0


def _refusal_text(causes: list[dict[str, Any]], detail: str, contract: str, label: str) -> str:
    """The 409's causes the way `check` prints its blockers."""
    from ..gate import Blocker, GateResult, announce_command, format_text

    blockers = []
    for cause in causes:
        fp = cause.get("fingerprint")
        details = [str(cause.get("message") or "")]
        ops = cause.get("operations") or ([cause["operation"]] if cause.get("operation") else [])
        ops = ops if isinstance(ops, list) else [ops]  # a registry's answer: any JSON
        if ops:
            details.append("operations: " + ", ".join(str(o) for o in ops))
        if cause.get("pointer"):
            details.append(f"at #{cause['pointer']}")
        if fp:
            message = (f"{cause.get('rule')} before its sunset (fingerprint {fp}): {cause.get('detail')}"
                       if cause.get("reason") == "before-sunset"
                       else f"breaking change not announced: {cause.get('rule')} (fingerprint {fp})")
            blockers.append(Blocker("unannounced-breaking", message, announce_command([str(fp)]) + ", then publish again",
                                    tuple(details), str(fp)))
        else:
            blockers.append(Blocker("deprecation-policy", str(cause.get("message") or cause.get("rule")),
                                    str(cause.get("detail") or "see the registry's policy"), ()))
    text = format_text(GateResult(blockers=blockers, notes=[detail] if detail else []))
    rest = text.partition("\n")[2]
    n = len(blockers)
    return f"contractsync publish: REFUSED by label {label} of {contract} ({n} problem{'s' if n != 1 else ''})\n{rest}"
