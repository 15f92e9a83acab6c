"""Compare contractsync's types with openapi-typescript 7.13's, schema by schema, with tsc.

For every component schema ``X`` of each spec, a check file asks the compiler both ways::

    declare const ours: Ours["schemas"]["X"];   const a: Theirs["schemas"]["X"] = ours;
    declare const theirs: Theirs["schemas"]["X"]; const b: Ours["schemas"]["X"] = theirs;

Mutual assignability is expected except where contractsync differs on purpose (docs/typescript.md,
"Deliberate differences"). Each failure is attributed to the deliberate differences the schema
reaches through its references; a failure with no such explanation is reported as unexplained and
makes the script exit 1.

Needs ``npm ci --prefix benchmarks/peers/openapi-typescript`` (openapi-typescript 7.13.0 with TypeScript 5, which it
requires) and ``npm ci --prefix tests/ts`` (the TypeScript 7 compiler used for the checks)::

    .venv/bin/python benchmarks/compare_openapi_typescript.py            # default spec set
    .venv/bin/python benchmarks/compare_openapi_typescript.py fastapi/letta.json --show 20
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from contractsync.spec import load_spec  # noqa: E402
from contractsync.typescript import TypeScriptOptions  # noqa: E402
from contractsync.typescript.analysis import collect_schema_refs  # noqa: E402
from contractsync.typescript.context import Context  # noqa: E402
from contractsync.typescript.document import render  # noqa: E402
from contractsync.typescript.ident import string_literal  # noqa: E402
from contractsync.typescript.schema import has_default, is_binary  # noqa: E402

CORPUS = REPO.parent / "shared" / "corpus"
PEER = REPO / "benchmarks" / "peers" / "openapi-typescript" / "node_modules" / ".bin" / "openapi-typescript"
TSC = REPO / "tests" / "ts" / "node_modules" / ".bin" / "tsc"

DEFAULT_SPECS = [
    "fastapi/full-stack-fastapi-template.json",
    "fastapi/arize-phoenix.json",
    "fastapi/letta.json",
    "fastapi/prefect.json",
    "pairs/fastapi-template-fork/new.json",
    "pairs/phoenix-fastapi/new.json",
    "pairs/oai-petstore/new.yaml",
    "pairs/twilio-numbers-v1/new.json",
    "pairs/github-api/new.yaml",
    "single/openai-openapi-3.1.json",
    "large/github-octokit-23.0.2.json",
]

#: Deliberate differences (docs/typescript.md), keyed by the name the report uses.
REASONS = {
    "request-view": "components entry is the request view: defaulted fields optional, readOnly left out",
    "blob": "binary strings are Blob in request bodies that are not JSON",
    "open-object": "bare `type: object` is Record<string, unknown>, not Record<string, never>",
    "write-only": "writeOnly properties are optional in the response view",
    "discriminator": "discriminator tags are added in the union, not by rewriting the member schemas",
    "tuple": "prefixItems follow JSON Schema: elements past minItems optional, open tuples get a rest",
    "cycle": "a reference on a cycle through unions alone (no array between) is unknown",
    "index-signature": "typed additionalProperties beside properties are an intersection",
    "all-of-required": "required keys applied to allOf members with Exclude<…, undefined>",
    "ref-nullable": "3.0 `nullable: true` beside a $ref is honoured (the spec ignores $ref siblings)",
    "response-default": "a property whose $ref'd schema has a default is required in the response "
    "view (openapi-typescript only looks at the property itself)",
    "peer-unknown": "openapi-typescript emits unknown (e.g. anyOf of required-only members) where we "
    "emit the declared object",
}


#: Differences that make our type narrower than theirs (the others make ours wider); a failure
#: in the direction theirs → ours is explained only by one of these.
NARROWER = frozenset({"blob", "discriminator", "all-of-required", "response-default"})
#: Differences that only ever make our type narrower (never explain ours → theirs).
ONLY_NARROWER = frozenset({"response-default"})


@dataclass
class SpecReport:
    """The outcome for one spec."""

    spec: str
    schemas: int = 0
    mutual: int = 0
    explained: Counter[str] = field(default_factory=Counter)
    unexplained: list[str] = field(default_factory=list)
    error: str | None = None


def _local_features(ctx: Context, schema: Any) -> set[str]:
    """Deliberate-difference features of one schema, not following references."""
    found: set[str] = set()
    stack = [schema]
    while stack:
        node = stack.pop()
        if isinstance(node, list):
            stack.extend(node)
            continue
        if not isinstance(node, dict):
            continue
        if node.get("type") == "string" and is_binary(node):
            found.add("blob")
        if node.get("writeOnly") is True:
            found.add("write-only")
        if "$ref" in node and node.get("nullable") is True:
            found.add("ref-nullable")
        props = node.get("properties")
        if isinstance(props, dict):
            required = node.get("required") if isinstance(node.get("required"), list) else []
            if any(has_default(ctx, v) and k not in required for k, v in props.items()):
                found.add("response-default")
        if "prefixItems" in node or isinstance(node.get("items"), list):
            found.add("tuple")
        if "discriminator" in node:
            found.add("discriminator")
        if isinstance(node.get("allOf"), list) and "required" in node:
            found.add("all-of-required")
        has_props = bool(node.get("properties"))
        ap = node.get("additionalProperties")
        if has_props and isinstance(ap, dict) and ap:
            found.add("index-signature")
        if (
            node.get("type") == "object"
            and not has_props
            and ap in (None, True, {})
            and "patternProperties" not in node
            and not any(k in node for k in ("allOf", "oneOf", "anyOf", "$ref"))
        ):
            found.add("open-object")
        for key, value in node.items():
            if key not in ("example", "examples", "enum", "const", "default") and isinstance(value, (dict, list)):
                stack.append(value)
    return found


def features(ctx: Context) -> dict[str, set[str]]:
    """Per schema: the deliberate differences it reaches through its references."""
    local = {name: _local_features(ctx, schema) for name, schema in ctx.schemas.items()}
    for name in ctx.request_only:
        local[name].add("request-view")
    for src, dst in ctx.banned:
        local[src].add("cycle")
        local.setdefault(dst, set()).add("cycle")
    refs = {name: collect_schema_refs(ctx, [schema]) for name, schema in ctx.schemas.items()}
    # discriminator targets anywhere in the document: openapi-typescript rewrites the members of
    # every discriminated union it finds, so those schemas differ wherever they are used
    stack: list[Any] = [ctx.data]
    while stack:
        node = stack.pop()
        if isinstance(node, list):
            stack.extend(node)
        elif isinstance(node, dict):
            disc = node.get("discriminator")
            if isinstance(disc, dict):
                members = [m for key in ("oneOf", "anyOf") for m in node.get(key) or [] if isinstance(m, dict)]
                mapping = disc.get("mapping") if isinstance(disc.get("mapping"), dict) else {}
                targets = [m.get("$ref") for m in members] + list(mapping.values())
                for ref in targets:
                    if isinstance(ref, str):
                        local.setdefault(ref.rsplit("/", 1)[-1].replace("~1", "/").replace("~0", "~"), set()).add("discriminator")
            stack.extend(v for v in node.values() if isinstance(v, (dict, list)))
    out: dict[str, set[str]] = {}
    for name in ctx.schemas:
        seen, stack, acc = {name}, [name], set()
        while stack:
            current = stack.pop()
            acc |= local.get(current, set())
            for nxt in refs.get(current, ()):
                if nxt not in seen and nxt in ctx.schemas:
                    seen.add(nxt)
                    stack.append(nxt)
        out[name] = acc
    return out


def compare(rel: str, workdir: Path) -> SpecReport:
    """Generate both files for ``rel`` and check every schema both ways."""
    report = SpecReport(rel)
    path = CORPUS / rel
    doc = load_spec(str(path))
    ctx = Context(data=doc.data, options=TypeScriptOptions(), warn_callback=lambda w: None)
    ours = render(ctx, title=doc.title, version=doc.version, sha256=doc.sha256)
    (workdir / "ours.ts").write_text(ours, encoding="utf-8")
    peer = subprocess.run([str(PEER), str(path), "-o", str(workdir / "theirs.ts")],
                          capture_output=True, text=True, check=False)
    if peer.returncode:
        report.error = "openapi-typescript failed: " + " ".join((peer.stderr or peer.stdout).split())[:300]
        return report
    names = list(ctx.schemas)
    lines = ['import type { components as Ours } from "./ours";',
             'import type { components as Theirs } from "./theirs";']
    where: dict[int, tuple[str, str]] = {}
    for i, name in enumerate(names):
        key = string_literal(name)
        lines.append(f'declare const o{i}: Ours["schemas"][{key}];')
        lines.append(f'export const a{i}: Theirs["schemas"][{key}] = o{i};')
        where[len(lines)] = (name, "ours→theirs")
        lines.append(f'declare const t{i}: Theirs["schemas"][{key}];')
        lines.append(f'export const b{i}: Ours["schemas"][{key}] = t{i};')
        where[len(lines)] = (name, "theirs→ours")
    (workdir / "check.ts").write_text("\n".join(lines) + "\n", encoding="utf-8")
    config = {"compilerOptions": {"strict": True, "noEmit": True, "target": "es2022", "module": "esnext",
                                  "moduleResolution": "bundler", "lib": ["es2022", "dom"], "types": []},
              "files": ["check.ts", "ours.ts", "theirs.ts"]}
    (workdir / "tsconfig.json").write_text(json.dumps(config), encoding="utf-8")
    result = subprocess.run([str(TSC), "-p", str(workdir / "tsconfig.json"), "--pretty", "false"],
                            cwd=workdir, capture_output=True, text=True, check=False)
    failed: dict[str, dict[str, str]] = {}
    for block in re.split(r"\n(?=\S)", result.stdout):
        m = re.match(r"(\S+?)\((\d+),\d+\): error", block)
        if not m:
            continue
        if m.group(1) != "check.ts":
            report.error = f"{m.group(1)} does not compile: " + block.splitlines()[0][:300]
            return report
        line = int(m.group(2))
        if line in where:
            name, direction = where[line]
            failed.setdefault(name, {})[direction] = block
    feats = features(ctx)
    report.schemas = len(names)
    report.mutual = len(names) - len(failed)
    for name, directions in sorted(failed.items()):
        found: set[str] = set()
        unexplained = []
        for direction, message in directions.items():
            reasons = feats.get(name, set())
            if direction == "theirs→ours":
                reasons = reasons & NARROWER
                if re.search(r"Type 'unknown(\[\])?' is not assignable", message):
                    reasons = reasons | {"peer-unknown"}
            else:
                reasons = reasons - ONLY_NARROWER
            if not reasons:
                unexplained.append(direction)
            found |= reasons
        if unexplained:
            report.unexplained.append(f"{name} ({', '.join(sorted(unexplained))})")
        else:
            report.explained.update(found)
    return report


def main(argv: list[str] | None = None) -> int:
    """Compare the given (or default) corpus specs; exit 1 on unexplained differences."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("specs", nargs="*", default=DEFAULT_SPECS, help="paths relative to the corpus")
    parser.add_argument("--show", type=int, default=10, help="unexplained schemas to list per spec")
    args = parser.parse_args(argv)
    for needed, how in ((PEER, "npm ci --prefix benchmarks/peers/openapi-typescript"), (TSC, "npm ci --prefix tests/ts")):
        if not needed.exists():
            print(f"{needed} missing: run `{how}`", file=sys.stderr)
            return 2
    if not CORPUS.is_dir():
        print(f"{CORPUS} missing: the comparison runs on the shared corpus", file=sys.stderr)
        return 2
    reports = []
    for rel in args.specs:
        with tempfile.TemporaryDirectory() as tmp:
            reports.append(compare(rel, Path(tmp)))
    print("| spec | schemas | mutually assignable | deliberate differences (schemas reaching each) | unexplained |")
    print("|---|---|---|---|---|")
    total_unexplained = 0
    for r in reports:
        if r.error:
            print(f"| {r.spec} | — | — | {r.error} | — |")
            continue
        explained = ", ".join(f"{k} {v}" for k, v in r.explained.most_common()) or "—"
        total_unexplained += len(r.unexplained)
        print(f"| {r.spec} | {r.schemas} | {r.mutual} | {explained} | {len(r.unexplained)} |")
    for r in reports:
        if r.unexplained:
            print(f"\n{r.spec}: unexplained: " + "; ".join(r.unexplained[: args.show]))
    print("\nreasons: " + "; ".join(f"{k}: {v}" for k, v in REASONS.items()))
    return 1 if total_unexplained else 0


if __name__ == "__main__":
    sys.exit(main())
