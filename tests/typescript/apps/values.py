"""Values prove types: real requests and responses of a real FastAPI app, checked by ``tsc``.

Each :class:`Call` is sent to the app (:mod:`.zoo_app`) with Starlette's TestClient. Then one
TypeScript line per value is written against the generated ``operations`` type:

* every JSON **response** the app actually sent: ``const r: <response type> = <json>;`` must
  compile;
* every **request** the app accepted (2xx): its body and parameters must compile against the
  request types;
* every request the app **rejected with 422** for a reason TypeScript can express (a wrong type,
  a missing field, an unknown key on a closed model, a value outside a ``Literal``/enum) must
  *fail* to compile. A 422 for a reason TypeScript cannot express (``ge=``, ``pattern``,
  ``min_length``) is a documented limit and is only counted.

Both generators emit ``operations[id]`` in the same shape, so the same probe file checks
contractsync's output and openapi-typescript's (``benchmarks/typescript_values.py``). One value
per line: a compiler error on a line is attributed to exactly that value.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from . import zoo_app


class Upload(bytes):
    """A file part: ``new Blob([...])`` in TypeScript, a multipart file in the request."""


@dataclass(frozen=True)
class Call:
    """One HTTP request. ``json``/``form``/``files`` and the parameter dicts hold the *typed*
    values a TypeScript client passes (numbers, booleans, lists); the request sends their HTTP
    encoding. ``expressible`` says whether a 422 has a reason TypeScript can express."""

    label: str
    method: str
    path: str
    path_params: Mapping[str, Any] = field(default_factory=dict)
    json: Any = None
    form: Mapping[str, Any] | None = None
    query: Mapping[str, Any] = field(default_factory=dict)
    header: Mapping[str, Any] = field(default_factory=dict)
    cookie: Mapping[str, Any] = field(default_factory=dict)
    expressible: bool = True
    #: For a rejected call: the accepted call it is a mutation of. A rejection only proves the
    #: type rejects the mutation when the base value compiles.
    base: str | None = None
    #: Why the response may differ from the schema FastAPI publishes (a documented limit): the
    #: response is then shown, not judged.
    response_limit: str | None = None
    #: The same, only for an app with ``separate_input_output_schemas=False``, whose one schema per
    #: model is the validation schema.
    merged_limit: str | None = None


@dataclass(frozen=True)
class Probe:
    """One line of the probe file and what the compiler must say about it."""

    label: str
    kind: str  # "response", "response-limit", "request-valid", "request-invalid", "request-limit"
    type: str  # the TypeScript type the value must (or must not) have
    value: str  # the value, a TypeScript expression
    status: int
    base: str | None = None

    @property
    def must_compile(self) -> bool:
        return self.kind in ("response", "request-valid")


def _v(**kw: Any) -> dict[str, Any]:
    return kw


CAT = _v(pet_type="cat", meows=3)
DOG = _v(pet_type="dog", barks=1.5)
SCALARS = _v(
    when="2026-01-02T03:04:05Z", day="2026-01-02", at="12:30:00", took="PT1H", id="12345678-1234-5678-1234-567812345678",
    price="9.99", raw="aGVsbG8=", either="seven", color="red", priority=2,
)

_ALIAS_OUT = "one schema: it has the validation alias, the app returns the serialization alias"

CALLS: list[Call] = [
    # discriminated unions
    Call("owner cat", "POST", "/owners", json=_v(pet=CAT)),
    Call("owner dog + pets", "POST", "/owners", json=_v(pet=DOG, pets=[CAT, {**DOG, "good": False}],
                                                          other=_v(kind="gecko", scales=2))),
    Call("owner maybe pets", "POST", "/owners", json=_v(pet=CAT, maybe_pet=DOG, by_name={"rex": DOG, "tom": CAT})),
    Call("owner maybe pet null", "POST", "/owners", json=_v(pet=CAT, maybe_pet=None)),
    Call("owner maybe pet mismatch", "POST", "/owners", json=_v(pet=CAT, maybe_pet=_v(pet_type="dog", meows=1)),
         base="owner maybe pets"),
    Call("owner by_name mismatch", "POST", "/owners", json=_v(pet=CAT, by_name={"x": _v(pet_type="cat", barks=1.0)}),
         base="owner maybe pets"),
    Call("owner wrong tag", "POST", "/owners", json=_v(pet=_v(pet_type="cow", meows=1)), base="owner cat"),
    Call("owner tag/shape mismatch", "POST", "/owners", json=_v(pet=_v(pet_type="cat", barks=1.0)), base="owner cat"),
    Call("owner missing pet", "POST", "/owners", json=_v(pets=[]), base="owner cat"),
    Call("owner lizard kind", "POST", "/owners", json=_v(pet=CAT, other=_v(kind="snake", scales=1)), base="owner dog + pets"),
    Call("pet body union", "POST", "/pets", json=DOG),
    Call("pet body union wrong tag", "POST", "/pets", json=_v(pet_type="cow", meows=1), base="pet body union"),
    # scalars and formats
    Call("scalars minimal", "POST", "/scalars", json=SCALARS),
    Call("scalars number decimal", "POST", "/scalars", json={**SCALARS, "price": 9.5, "either": 3}),
    Call("scalars all", "POST", "/scalars", json={**SCALARS, "size": "L", "mode": "slow", "code": "XYZ",
                                                   "count": 5, "ratio": 0.5, "note": None}),
    Call("scalars sample", "GET", "/scalars/sample"),
    Call("scalars wrong enum", "POST", "/scalars", json={**SCALARS, "color": "blue"}, base="scalars minimal"),
    Call("scalars wrong int enum", "POST", "/scalars", json={**SCALARS, "priority": 3}, base="scalars minimal"),
    Call("scalars wrong literal", "POST", "/scalars", json={**SCALARS, "mode": "medium"}, base="scalars minimal"),
    Call("scalars wrong either", "POST", "/scalars", json={**SCALARS, "either": [1]}, base="scalars minimal"),
    Call("scalars when number", "POST", "/scalars", json={**SCALARS, "day": True}, base="scalars minimal"),
    Call("scalars count range", "POST", "/scalars", json={**SCALARS, "count": 101}, expressible=False, base="scalars minimal"),
    Call("scalars code pattern", "POST", "/scalars", json={**SCALARS, "code": "abc"}, expressible=False, base="scalars minimal"),
    Call("scalars bad uuid", "POST", "/scalars", json={**SCALARS, "id": "nope"}, expressible=False, base="scalars minimal"),
    # containers
    Call("containers empty", "POST", "/containers", json={}),
    Call("containers full", "POST", "/containers", json=_v(
        by_name={"a": 1}, nested={"x": ["red", "green"]}, pairs=[[1, "a"], [2, "b"]], triple=[1, "x", True],
        many=[1, 2, 3], tags=["b", "a"], frozen=[3])),
    Call("containers keyed", "POST", "/containers", json=_v(by_color={"red": 1}, by_letter={"a": "x", "b": "y"}, level=3)),
    Call("containers short tuple", "POST", "/containers", json=_v(pairs=[[1]]), base="containers empty"),
    Call("containers long tuple", "POST", "/containers", json=_v(triple=[1, "x", True, 4]), base="containers empty"),
    Call("containers wrong value", "POST", "/containers", json=_v(by_name={"a": "one"}), base="containers empty"),
    Call("containers wrong key enum", "POST", "/containers", json=_v(by_color={"blue": 1}), base="containers keyed"),
    Call("containers wrong key literal", "POST", "/containers", json=_v(by_letter={"c": "x"}), base="containers keyed"),
    Call("containers wrong int literal", "POST", "/containers", json=_v(level=4), base="containers keyed"),
    Call("containers wrong nested enum", "POST", "/containers", json=_v(nested={"x": ["blue"]}), base="containers empty"),
    # recursion
    Call("tree", "POST", "/trees", json=_v(name="root", children=[_v(name="a", children=[_v(name="a1")])],
                                           link=_v(target=_v(name="t"), weight=2))),
    Call("tree wrong child", "POST", "/trees", json=_v(name="root", children=[_v(name=1)]), base="tree"),
    # generics, query parameters
    Call("page", "GET", "/items", query=_v(limit=2, tags=["p", "q", "r"], color="red", exact=True)),
    Call("page defaults", "GET", "/items"),
    Call("page limit type", "GET", "/items", query=_v(limit="many"), base="page"),
    Call("page limit range", "GET", "/items", query=_v(limit=0), expressible=False, base="page"),
    Call("page color", "GET", "/items", query=_v(color="blue"), base="page"),
    # aliases, computed field, secret
    Call("person", "POST", "/people", json=_v(firstName="Ada", lastName="Lovelace", password="s3cret")),
    Call("person minimal", "POST", "/people", json=_v(firstName="Ada")),
    Call("person exclude_unset", "POST", "/people/short", json=_v(firstName="Ada"),
         response_limit="response_model_exclude_unset leaves out defaulted fields the schema lists"),
    Call("person by field name", "POST", "/people/by-name", json=_v(firstName="Ada"),
         response_limit="response_model_by_alias=False: FastAPI publishes the aliases, returns field names"),
    Call("person missing alias", "POST", "/people", json=_v(lastName="L"), base="person minimal"),
    # extra="allow" / "forbid"
    Call("open extra", "POST", "/open", json=_v(name="n", colour="red", n=1)),
    Call("closed", "POST", "/closed", json=_v(name="n")),
    Call("closed extra", "POST", "/closed", json=_v(name="n", colour="red"), base="closed"),
    # JsonValue, Any
    Call("json nested", "POST", "/json", json=_v(value={"a": [1, "b", None, {"c": True}]}, anything=[1],
                                                 meta={"k": [1, {"x": None}]})),
    Call("json scalar", "POST", "/json", json=_v(value=3)),
    Call("formula", "POST", "/formula", json=_v(doc={"a": [1, 2.5, "x", None, {"b": False}]}, expr=[1, [2, [3]]],
                                                history=[4, [5]])),
    Call("formula minimal", "POST", "/formula", json=_v(doc=None)),
    Call("formula wrong expr", "POST", "/formula", json=_v(doc=1, expr=[1, ["x"]]), base="formula"),
    Call("formula wrong history", "POST", "/formula", json=_v(doc=1, history=[[None]]), base="formula"),
    Call("account", "POST", "/accounts", json=_v(secret="pw", nameIn="Ada", maybe=None), merged_limit=_ALIAS_OUT),
    Call("account full", "POST", "/accounts", json=_v(secret="pw", nameIn="Ada", loginCount=2, maybe=3, tier="pro"),
         merged_limit=_ALIAS_OUT),
    Call("account missing nullable", "POST", "/accounts", json=_v(secret="pw", nameIn="Ada"), base="account"),
    Call("account wrong tier", "POST", "/accounts", json=_v(secret="pw", nameIn="Ada", maybe=1, tier="gold"),
         base="account"),
    Call("sloppy default", "POST", "/sloppy", json={},
         response_limit="x: int = None: pydantic publishes neither the default nor null, the app returns null"),
    Call("search", "GET", "/search", query=_v(q="x", order="desc")),
    Call("search defaults", "GET", "/search"),
    Call("search wrong order", "GET", "/search", query=_v(order="up"), base="search"),
    Call("search unknown parameter", "GET", "/search", query=_v(page=2), base="search"),
    Call("secretive", "POST", "/secretive", json=_v(name="n", internal="hidden"),
         merged_limit="one schema: Field(exclude=True) is listed with its default, never returned"),
    Call("drawing", "POST", "/drawings", json=_v(shapes=[_v(kind="circle", radius=2), _v(side=3)])),
    # A callable discriminator publishes no discriminator: {kind: "circle", side: 3} is a valid
    # Square by the schema (extra keys are ignored), only the callable sends it to Circle.
    Call("drawing by callable", "POST", "/drawings", json=_v(shapes=[_v(kind="circle", side=3)]), base="drawing",
         expressible=False),
    Call("drawing wrong", "POST", "/drawings", json=_v(shapes=[_v(radius="big")]), base="drawing"),
    Call("maybe item", "GET", "/maybe/{item_id}", path_params=_v(item_id=3)),
    Call("maybe null", "GET", "/maybe/{item_id}", path_params=_v(item_id=0)),
    Call("collections", "GET", "/collections"),
    Call("int pages", "GET", "/pages", query={"page-size": 3, "kinds": ["red", "green"]}),
    Call("int pages wrong kind", "GET", "/pages", query={"kinds": ["blue"]}, base="int pages"),
    Call("embed", "POST", "/embed", json=_v(item=_v(sku="e"), note="n")),
    Call("embed bare", "POST", "/embed", json=_v(sku="e"), base="embed"),
    Call("optional body", "PUT", "/optional-body", json=_v(sku="o")),
    Call("optional body absent", "PUT", "/optional-body"),
    Call("required body absent", "POST", "/things", base="thing create"),
    Call("delete", "DELETE", "/things/{thing_id}", path_params=_v(thing_id=1)),
    Call("raw list", "GET", "/json/raw"),
    Call("raw object", "GET", "/json/raw", query=_v(kind="obj")),
    # several response codes, 201
    Call("thing", "GET", "/things/{thing_id}", path_params=_v(thing_id=5)),
    Call("thing 404", "GET", "/things/{thing_id}", path_params=_v(thing_id=404)),
    Call("thing bad id", "GET", "/things/{thing_id}", path_params=_v(thing_id="five"), base="thing"),
    Call("thing create", "POST", "/things", json=_v(sku="s")),
    Call("thing create no sku", "POST", "/things", json=_v(qty=2), base="thing create"),
    # forms and uploads
    Call("form", "POST", "/form", form=_v(username="u", age=30)),
    Call("form default", "POST", "/form", form=_v(username="u")),
    Call("form missing", "POST", "/form", form=_v(age=3), base="form"),
    Call("form model", "POST", "/form-model", form=_v(username="u", agree=True)),
    Call("upload", "POST", "/upload", form=_v(file=Upload(b"abc"), note="n")),
    Call("upload without file", "POST", "/upload", form=_v(note="n"), base="upload"),
    Call("uploads", "POST", "/uploads", form=_v(files=[Upload(b"a"), Upload(b"bc")], raw=Upload(b"xyz"))),
    # one model reached by a JSON body (bytes are a string) and a multipart body (a file)
    Call("attachment json", "POST", "/attachments", json=_v(name="a", data="aGk=", note="n")),
    Call("attachment json missing data", "POST", "/attachments", json=_v(name="a"), base="attachment json"),
    Call("attachment json file", "POST", "/attachments", json=_v(name="a", data=_v(size=2)), base="attachment json"),
    Call("attachment upload", "POST", "/attachments/upload", form=_v(name="a", data=Upload(b"hi"))),
    Call("attachment upload missing name", "POST", "/attachments/upload", form=_v(data=Upload(b"hi")),
         base="attachment upload"),
    # headers and cookies
    Call("whoami", "GET", "/whoami", header={"x-token": "t", "x-trace": ["a", "b"]}, cookie=_v(session="s")),
    Call("whoami no token", "GET", "/whoami", base="whoami"),
    # a body that is a bare array, a float response
    Call("sum", "POST", "/sum", json=[1, 2, 3], query=_v(scale=0.5)),
    Call("sum wrong", "POST", "/sum", json=["1", "x"], base="sum"),
]


def _http(value: Any) -> Any:
    """The text FastAPI receives for a typed parameter or form value."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return [_http(v) for v in value]
    return str(value)


def ts_literal(value: Any) -> str:
    """A TypeScript expression for a JSON value (uploads become ``new Blob([...])``)."""
    if isinstance(value, Upload):
        return f"new Blob([{json.dumps(base64.b64encode(value).decode())}])"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{json.dumps(k)}: {ts_literal(v)}" for k, v in value.items()) + " }"
    if isinstance(value, list):
        return "[" + ", ".join(ts_literal(v) for v in value) + "]"
    return json.dumps(value, ensure_ascii=False)


def _send(client: TestClient, call: Call) -> Any:
    url = call.path.format(**{k: _http(v) for k, v in call.path_params.items()})
    kwargs: dict[str, Any] = {"params": {k: _http(v) for k, v in call.query.items()}}
    if call.header:
        kwargs["headers"] = {k: ",".join(_http(v)) if isinstance(v, list) else _http(v) for k, v in call.header.items()}
    if call.cookie:
        client.cookies.clear()
        for k, v in call.cookie.items():
            client.cookies.set(k, _http(v))
    else:
        client.cookies.clear()
    if call.json is not None:
        kwargs["json"] = call.json
    elif call.form is not None:
        data: dict[str, Any] = {}
        files: list[tuple[str, tuple[str, bytes]]] = []
        for k, v in call.form.items():
            items = v if isinstance(v, list) else [v]
            if items and all(isinstance(i, Upload) for i in items):
                files.extend((k, (f"{k}{n}.bin", bytes(i))) for n, i in enumerate(items))
            else:
                data[k] = _http(v)
        kwargs["data"] = data
        if files:
            kwargs["files"] = files
    return client.request(call.method, url, **kwargs)


def _operation(doc: Mapping[str, Any], call: Call) -> Mapping[str, Any]:
    op: Mapping[str, Any] = doc["paths"][call.path][call.method.lower()]
    return op


def run_calls(calls: list[Call] = CALLS, *, merged: bool = False) -> tuple[dict[str, Any], list[Probe]]:
    """Send every call to the app (with ``merged``: the same routes in an app with
    ``separate_input_output_schemas=False``); return its OpenAPI document and the probes (one TS
    line each)."""
    app = zoo_app.merged_app() if merged else zoo_app.app
    client = TestClient(app, raise_server_exceptions=True)
    doc = app.openapi()
    probes: list[Probe] = []
    for call in calls:
        response = _send(client, call)
        status = response.status_code
        operation = _operation(doc, call)
        op = json.dumps(operation["operationId"])
        if 200 <= status < 300 or (status != 422 and str(status) in operation["responses"]):
            request_kind = "request-valid"
        elif status == 422:
            request_kind = "request-invalid" if call.expressible else "request-limit"
        else:
            raise AssertionError(f"{call.label}: unexpected status {status}: {response.text}")
        params = {
            loc: dict(values)
            for loc, values in (("query", call.query), ("header", call.header), ("path", call.path_params),
                                ("cookie", call.cookie))
            if values
        }
        bad_locs = _error_locations(response) if status == 422 else set()
        param_kind = request_kind if bad_locs - {"body"} else "request-valid"
        body_kind = request_kind if "body" in bad_locs else "request-valid"
        # Every call states its parameters (a call with none checks that none is required).
        probes.append(Probe(call.label + " (parameters)", param_kind,
                            f'operations[{op}]["parameters"]', ts_literal(params), status,
                            call.base and call.base + " (parameters)"))
        if call.json is None and call.form is None and "requestBody" in operation:
            # No body sent: the body must be optional exactly when the app did without it.
            probes.append(Probe(call.label + " (body)", body_kind,
                                f'operations[{op}]["requestBody"]', "undefined", status,
                                call.base and call.base + " (body)"))
        if call.json is not None or call.form is not None:
            body = call.json if call.json is not None else call.form
            probes.append(Probe(call.label + " (body)", body_kind,
                                f'NonNullable<operations[{op}]["requestBody"]>["content"][{json.dumps(_media(call))}]',
                                ts_literal(body), status,
                                call.base and call.base + " (body)"))
        if response.headers.get("content-type", "").startswith("application/json"):
            limited = call.response_limit or (merged and call.merged_limit)
            probes.append(Probe(call.label + f" (response {status})", "response-limit" if limited else "response",
                                f'operations[{op}]["responses"][{status}]["content"]["application/json"]',
                                ts_literal(response.json()), status))
    return doc, probes


def _media(call: Call) -> str:
    """The request body's media type, as FastAPI publishes it for this kind of body."""
    if call.json is not None:
        return "application/json"
    for value in (call.form or {}).values():
        if isinstance(value, Upload) or (isinstance(value, list) and value and isinstance(value[0], Upload)):
            return "multipart/form-data"
    return "application/x-www-form-urlencoded"


def _error_locations(response: Any) -> set[str]:
    """Where FastAPI found the errors of a 422: ``body``, ``query``, ``header``, ``path``…"""
    detail = response.json().get("detail", [])
    return {str(d["loc"][0]) for d in detail if isinstance(d, dict) and d.get("loc")}


#: With ``--enum`` a JSON string is not assignable to a TypeScript string enum, though it is the
#: value the enum stands for: ``AsJson<T>`` turns every string enum into its values (`${T}`),
#: member by member (numeric enums already admit their number literals, and only them). It stops
#: 8 levels down, so recursive types stay finite (no enum in the app is deeper).
_AS_JSON = """type AsJson<T, D extends unknown[] = []> = D["length"] extends 8 ? T
    : T extends string ? `${T}` : T extends number | boolean | null | undefined | Blob ? T
    : T extends readonly unknown[] ? { [I in keyof T]: AsJson<T[I], [...D, 0]> }
    : T extends object ? { [F in keyof T]: AsJson<T[F], [...D, 0]> } : T;"""


def write_probe_file(path: Path, probes: list[Probe], *, enums: bool = False) -> dict[int, Probe]:
    """Write the probe file (against ``./types``; ``enums``: types generated with ``--enum``);
    return the 1-based line number of each probe."""
    lines = ['import type { operations } from "./types";', ""]
    if enums:
        lines += [*_AS_JSON.splitlines(), ""]
    where: dict[int, Probe] = {}
    for n, probe in enumerate(probes):
        lines.append(f"// {probe.label}: {probe.kind}, HTTP {probe.status}")
        lines.append(f"const v{n}: {f'AsJson<{probe.type}>' if enums else probe.type} = {probe.value};")
        where[len(lines)] = probe
    lines.append("")
    path.write_text("\n".join(lines), encoding="utf-8")
    return where


_ERROR = re.compile(r"^(?P<file>[^(\n]+)\((?P<line>\d+),\d+\): error (?P<msg>.*)$", re.M)


#: The outcome of each probe kind, by whether the compiler flagged its line.
OUTCOMES = {
    "response": ("accepted", "REJECTED"),
    "request-valid": ("accepted", "REJECTED"),
    "request-invalid": ("COMPILES", "rejected"),
    "request-limit": ("compiles", "rejected"),
    "response-limit": ("accepted", "rejected"),
}
#: Outcomes that are defects of the generator.
WRONG = frozenset({("response", "REJECTED"), ("request-valid", "REJECTED"), ("request-invalid", "COMPILES")})


@dataclass
class Verdict:
    """What the compiler said: ``(kind, outcome)`` → the probes (label and compiler message).
    A rejected call whose base value is rejected too proves nothing: outcome ``undecided``."""

    outcomes: dict[tuple[str, str], list[str]] = field(default_factory=dict)
    other_errors: list[str] = field(default_factory=list)

    def count(self, kind: str, outcome: str) -> int:
        return len(self.outcomes.get((kind, outcome), []))

    def wrong(self) -> list[str]:
        """Every probe the types got wrong, as ``kind outcome: label: message``."""
        return [f"{k} {o}: {x}" for (k, o), xs in sorted(self.outcomes.items()) if (k, o) in WRONG for x in xs]


def judge(tsc_output: str, probe_file: Path, where: dict[int, Probe]) -> Verdict:
    """Attribute the compiler's errors to probe lines and classify every probe."""
    errors: dict[int, list[str]] = {}
    verdict = Verdict()
    for m in _ERROR.finditer(tsc_output):
        if Path(m["file"]).name == probe_file.name and int(m["line"]) in where:
            errors.setdefault(int(m["line"]), []).append(m["msg"])
        else:
            verdict.other_errors.append(m.group(0))
    failed_labels = {where[line].label for line in errors}
    for line, probe in where.items():
        failed = line in errors
        outcome = OUTCOMES[probe.kind][failed]
        if probe.kind == "request-invalid" and failed and probe.base in failed_labels:
            outcome = "undecided"
        why = "; ".join(errors.get(line, ["no error"]))
        verdict.outcomes.setdefault((probe.kind, outcome), []).append(f"{probe.label}: {why[:300]}")
    return verdict


def check(types_text: str, probes: list[Probe], workdir: Path, *, enums: bool = False) -> Verdict:
    """Write ``types_text`` as ``types.ts`` and the probe file into ``workdir``, run the pinned
    ``tsc --strict`` on them and judge its answer (``enums``: the types use ``--enum``)."""
    from .._tsc import run_tsc

    workdir.mkdir(parents=True, exist_ok=True)
    (workdir / "types.ts").write_text(types_text, encoding="utf-8")
    probe_file = workdir / "probes.ts"
    where = write_probe_file(probe_file, probes, enums=enums)
    result = run_tsc(workdir, [probe_file])
    return judge(result.stdout + result.stderr, probe_file, where)
