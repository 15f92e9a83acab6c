"""Attribution when many changes share a name (#10, full-stack-fastapi-template's UUID migration).

Every id became a UUID: the path parameter ``{id}`` of three item operations, ``{user_id}`` of
three user operations, and ``ItemPublic.id`` / ``UserPublic.id``. Each compiler error used to be
listed under five changes (they all tie on the word ``id``). The client here is generated the way
openapi-ts does after the template's operationId step: one service per tag, the method named by
the operationId without its tag prefix and camel-cased (``items-delete_item`` → ``deleteItem``),
parameters camel-cased (``user_id`` → ``userId``). Evidence decides: the call's operation, the
property under its generator's spelling, the direction the types flow; only a real tie
(``value: ItemPublic | UserPublic``) is listed under two changes, and marked so.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.impact.test_foreign_generator import generated_client_frontend

GENERATOR = r"""
import * as fs from "node:fs";
const spec = JSON.parse(fs.readFileSync("openapi.json", "utf8"));
const ts = (s) => s.type === "integer" || s.type === "number" ? "number" : s.type === "string" ? "string" : "unknown";
const camel = (s) => s.replace(/[-_]+([a-z0-9])/g, (_, c) => c.toUpperCase());
let types = "";
for (const [name, schema] of Object.entries(spec.components.schemas)) {
  const props = Object.entries(schema.properties).map(([p, s]) => `  ${p}: ${ts(s)};`).join("\n");
  types += `export type ${name} = {\n${props}\n};\n`;
}
const services = {};
for (const [path, item] of Object.entries(spec.paths)) {
  for (const [method, op] of Object.entries(item)) {
    const tag = op.tags[0];
    const service = tag[0].toUpperCase() + tag.slice(1) + "Service";
    const params = op.parameters.map((p) => `${camel(p.name)}: ${ts(p.schema)}`).join("; ");
    const name = camel(op.operationId.slice(tag.length + 1));
    (services[service] ||= []).push(
      `  ${name}(data: { ${params} }): string { return "${method} ${path}" + JSON.stringify(data); },`);
  }
}
let out = "";
for (const [service, methods] of Object.entries(services)) {
  out += `export const ${service} = {\n${methods.join("\n")}\n};\n`;
}
fs.mkdirSync("src/client", { recursive: true });
fs.writeFileSync("src/client/types.gen.ts", types);
fs.writeFileSync("src/client/services.gen.ts", out);
"""

APP = """\
import type { ItemPublic, UserPublic } from "./client/types.gen";
import { ItemsService, UsersService } from "./client/services.gen";

export function remove(kind: "Item" | "User", id: number): string {
  if (kind === "Item") {
    return ItemsService.deleteItem({ id: id });
  }
  return UsersService.deleteUser({ userId: id });
}

export function show(item: ItemPublic, user: UserPublic): string {
  return ItemsService.readItem({ id: item.id }) + UsersService.readUserById({ userId: user.id });
}

export function key(value: ItemPublic | UserPublic): number {
  const n: number = value.id;
  return n;
}
"""


def _spec(id_schema: dict[str, Any]) -> dict[str, Any]:
    def op(tag: str, op_id: str, param: str, schema: str) -> dict[str, Any]:
        return {"tags": [tag], "operationId": f"{tag}-{op_id}",
                "parameters": [{"name": param, "in": "path", "required": True, "schema": id_schema}],
                "responses": {"200": {"description": "OK", "content": {"application/json": {
                    "schema": {"$ref": f"#/components/schemas/{schema}"}}}}}}

    def public(*others: str) -> dict[str, Any]:
        return {"type": "object", "required": ["id", *others],
                "properties": {"id": id_schema, **{o: {"type": "string"} for o in others}}}

    return {
        "openapi": "3.1.0", "info": {"title": "Template", "version": "1.0.0"},
        "paths": {
            "/api/v1/items/{id}": {"get": op("items", "read_item", "id", "ItemPublic"),
                                   "put": op("items", "update_item", "id", "ItemPublic"),
                                   "delete": op("items", "delete_item", "id", "ItemPublic")},
            "/api/v1/users/{user_id}": {"get": op("users", "read_user_by_id", "user_id", "UserPublic"),
                                        "patch": op("users", "update_user", "user_id", "UserPublic"),
                                        "delete": op("users", "delete_user", "user_id", "UserPublic")},
        },
        "components": {"schemas": {"ItemPublic": public("title"), "UserPublic": public("email")}},
    }


@pytest.fixture
def frontend(tmp_path: Path) -> Path:
    return generated_client_frontend(tmp_path, GENERATOR, APP, _spec({"type": "integer"}),
                                     _spec({"type": "string", "format": "uuid"}))


def test_each_error_goes_to_its_evidence_and_only_a_real_tie_is_shared(frontend: Path) -> None:
    env = {**os.environ, "CONTRACTSYNC_CACHE_DIR": str(frontend.parent / "cache")}
    run = subprocess.run([sys.executable, "-m", "contractsync", "impact", "--frontend", "web", "old.json",
                          "new.json", "-f", "json", "--openapi", "openapi.json", "--generate-cmd", "node gen.mjs"],
                         cwd=frontend.parent, capture_output=True, text=True, env=env, timeout=300)
    assert run.returncode == 1, run.stderr
    data = json.loads(run.stdout)
    found = {(c["location"]["subject"], c["location"]["detail"]): sorted(
        (e["line"], tuple(e.get("ambiguous_with", ()))) for e in c["frontend_errors"])
        for c in data["changes"] if c["frontend_errors"]}
    fingerprints = {(c["location"]["subject"], c["location"]["detail"]): c["fingerprint"] for c in data["changes"]}
    item_id = fingerprints[("components.schemas.ItemPublic", "id")]
    user_id = fingerprints[("components.schemas.UserPublic", "id")]
    assert found == {
        ("DELETE /api/v1/items/{id}", "path parameter {id}"): [(6, ())],
        ("DELETE /api/v1/users/{user_id}", "path parameter {user_id}"): [(8, ())],
        ("components.schemas.ItemPublic", "id"): [(16, (user_id,))],
        ("components.schemas.UserPublic", "id"): [(16, (item_id,))],
    }
    assert data["summary"]["ambiguous"] == 1 and data["summary"]["breaking_changes"] == 4
    assert data["headline"].startswith("4 changes break the frontend (1 file), 4 breaking changes touch nothing")
    assert "1 new error fits several changes equally" in data["headline"]


def test_check_names_every_change_an_ambiguous_error_fits(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """`check --frontend` made one blocker per error naming one cause; for a tie it named whichever
    change came last. It now says the cause is ambiguous and names each."""
    import contractsync.impact
    from contractsync import gate
    from contractsync.diff.model import Change, Direction, Level, Location
    from contractsync.impact.analyse import ImpactReport
    from contractsync.impact.diagnostics import Diagnostic

    def change(schema: str) -> Change:
        return Change("response-property-type-changed", Level.BREAKING, Direction.RESPONSE,
                      Location(f"components.schemas.{schema}", "id"), f"{schema} id: type changed", schema)

    item, user = change("ItemPublic"), change("UserPublic")
    err = Diagnostic("src/a.ts", 3, 7, 2322, "Type 'string' is not assignable to type 'number'.")
    report = ImpactReport("web", None, ["tsc"], [item, user], {item.fingerprint: [err], user.fingerprint: [err]},
                          [err], [], [], tied={err: (item.fingerprint, user.fingerprint)})
    monkeypatch.setattr(contractsync.impact, "analyse", lambda *a, **k: report)
    blockers = gate._frontend_blockers(tmp_path, None, None, None, [], {})  # type: ignore[arg-type]
    assert [b.details for b in blockers] == [(
        "caused by one of (ambiguous): response-property-type-changed: ItemPublic id: type changed; "
        "response-property-type-changed: UserPublic id: type changed",)]
