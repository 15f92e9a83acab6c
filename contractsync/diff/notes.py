"""How the engine judges families of changes: prose for ``docs/rules.md`` (one place per idea,
next to the code that implements it, so the docs and the behaviour are reviewed together)."""

from __future__ import annotations

#: (heading, paragraphs) rendered after the rule tables' introduction.
SECTIONS: list[tuple[str, list[str]]] = [
    ("Types are judged by the values they admit", [
        "A list of types (`type: [number, string]`, or `anyOf` of bare `{type: X}` branches) is "
        "compared as the set of values it admits, not as spelled: every `integer` is a "
        "`number`, so `[number, string]` → `[integer, number, string]` is no change, and "
        "`[integer, string]` → `[number, string]` is a widening only. This holds wherever a "
        "type list sits: request and response bodies and properties, parameters, headers.",
        "A schema with no `type` (nor `enum`, `const`, `$ref` or composition) admits every "
        "value, null included: dropping `type: [object, \"null\"]` (or `nullable: true` with "
        "its `type`) altogether, or adding it to an untyped schema, changes the type but is "
        "not a `*-became-nullable`/`*-became-not-nullable` change.",
        "The names follow oasdiff: a `type` array is the type itself, so its changes are "
        "`*-type-generalized` (the new set admits every old value), `*-type-specialized` (the "
        "old set admits every new value) or `*-type-changed`; `*-list-of-types-*` is for "
        "`oneOf`/`anyOf` of bare types. Formats are an axis of their own: what clients send "
        "must fit the new format (`int32` → `int64`, `date` → `date-time` widen), what they "
        "receive must fit the old one, and a type change that is safe on its own is "
        "`*-type-changed` when the format beside it moved the wrong way (`integer/int32` → "
        "`number/double` too: the lattice has no pair across types), in bodies and parameters "
        "alike (`request-parameter-property-type-specialized` inside an object parameter). "
        "In a response, a "
        "format or the whole `type` dropped is `*-type-changed`: the values clients parse "
        "change.",
    ]),
    ("Request narrowing", [
        "A request value that gains a restriction can reject what clients send. Two families, "
        "each with one level wherever the value sits (JSON or form body, property, parameter), "
        "following oasdiff's own split:",
        "- **A size or range bound declared where there was none** (`minimum`, `maximum`, "
        "`exclusive*`, `minLength`, `maxLength`, `minItems`, `maxItems`, `minProperties`, "
        "`maxProperties`, `minContains`, `maxContains`: the `*-set` rules) is a **warning**. "
        "Such a bound usually documents a limit the server already had (a column's length, an "
        "integer's range) and values near the extremes are rare, so the document alone cannot "
        "tell whether any client ever sent a value it now refuses — oasdiff's reason for WARN "
        "(\"such restrictions are sometimes legitimately required\"). Tightening a bound that "
        "was declared (`*-min-increased`, `*-max-length-decreased`) is **breaking**: the old "
        "contract promised those values.",
        "- **A restriction of which values are valid at all** — a `format` (`email`, `uuid`, "
        "`date-time`), a `pattern`, an `enum`, a `const`, a narrower type — is **breaking**, "
        "wherever it sits: it refuses ordinary values the old contract accepted (any string "
        "that is not an e-mail address). Forms and XML are no exception for `format`: scalars "
        "travel as text there, which makes a *type* swap compatible (`*-type-compatible`), but "
        "a format restricts the text itself. A `pattern` that changes to another is a "
        "**warning**: whether the new one accepts every value the old one did cannot be "
        "decided in general.",
        "So adding `minLength: 8` (a bound: warning) and `format: email` (a value restriction: "
        "breaking) in one commit get different verdicts, and the same verdicts in a body, a "
        "form or a query parameter. `--fail-on warning` makes both block.",
    ]),
    ("Path parameters the template already had", [
        "Declaring `{unit_id}` as a parameter of `/units/{unit_id}` when the template already "
        "had it changes nothing a client sends: it is `new-request-path-parameter` (info), "
        "not a new required parameter; dropping such a declaration is "
        "`request-path-parameter-undeclared` (info). Path parameters match by position, so "
        "renaming `{id}` to `{unit_id}` is no change either.",
    ]),
    ("Defaults spelled out", [
        "A keyword written with the value it has anyway — `nullable: false`, `readOnly: false`, "
        "`deprecated: false`, `minLength: 0`, `minItems: 0`, `additionalProperties: true`, "
        "`required: []`, a parameter's `required: false` or its location's default `style` and "
        "`explode` — changes nothing: declaring or dropping it is no change, and it does not "
        "stop a rename or a union branch from being recognised. A bound raised from an "
        "explicit 0 is still an increase, as in oasdiff.",
    ]),
    ("Parameters folded into an object", [
        "A query or cookie parameter with an object schema, `style: form` and `explode: true` "
        "(the defaults there) sends each property as its own parameter: `?page=1&size=10`. "
        "Folding separate `page` and `size` parameters into such an object, or unfolding one, "
        "changes no request, so the properties are matched with the parameters of the same "
        "name and compared one by one (a property is required when the object is required and "
        "lists it); only what really appears or disappears is reported. `explode: false`, "
        "`deepObject` and headers send something else and stay a removal plus an addition.",
    ]),
    ("Defaults of required parameters", [
        "A parameter's `default` only matters to clients that omit the parameter. A required "
        "parameter is always sent, so `request-parameter-default-value-*` is reported only "
        "while the parameter is declared optional (`required` absent or false) on both sides; a parameter that "
        "becomes required is `request-parameter-became-required` on its own (oasdiff decides "
        "the same way).",
    ]),
    ("Renames", [
        "A component schema, an optional parameter or a property that disappears while another "
        "with the same structure appears *in the same scope* (the document's "
        "`components.schemas`; one operation's parameters; one object's `properties`) is "
        "reported as one `…-renamed` change whose message names both, at the level the removal "
        "would have had: `api-schema-renamed` (info), `request-parameter-renamed` (warning), "
        "`request-property-renamed` (warning), `response-optional-property-renamed` (warning), "
        "`response-required-property-renamed` (breaking).",
        "Structure is compared with deepdiff's `DeepHash`, an order-insensitive content hash, "
        "of the element without its annotations (`title`, `description`, examples: pydantic "
        "derives a field's title from its name). A parameter's identity also holds its "
        "location (`in`), style and requiredness; a property's its requiredness, readOnly and "
        "writeOnly. The match must be unambiguous: exactly one removed and exactly one added "
        "candidate share the hash. Otherwise — two removed strings and one added string, a "
        "different schema, a parameter moved to another location — the removal and the "
        "addition are reported as such. Not renames either: removing a deprecated element "
        "(its announced end) and a rename to a *required* request parameter or property, "
        "which stays a removal plus `new-required-request-*` because the addition breaks "
        "clients on its own.",
    ]),
]


def render_sections() -> list[str]:
    """The sections as Markdown lines."""
    lines: list[str] = []
    for heading, paragraphs in SECTIONS:
        lines += [f"## {heading}", ""]
        for para in paragraphs:
            if not para.startswith("- ") and lines[-1] != "":
                lines.append("")  # a paragraph after a list
            lines += [para] if para.startswith("- ") else [para, ""]
        if lines[-1] != "":
            lines.append("")
    return lines
