"""Where contractsync deliberately disagrees with oasdiff (v1.28), and why.

``LEVELS`` covers rule ids both tools have but judge differently; the docs table and a test are
generated from it, so every such difference carries its reason. ``BEHAVIOUR`` covers differences
in what is reported at all.
"""

from __future__ import annotations

_SEC = ("A `security` list is a choice of alternatives. Removing one, or adding a scope to one, "
        "narrows what clients may authenticate with: tokens that worked are rejected. (oasdiff "
        "v1.30 made these fail too.)")

LEVELS: dict[str, str] = {
    "api-security-scope-added": _SEC,
    "api-global-security-scope-added": _SEC,
    "api-security-component-type-changed": "Clients authenticate the old way (an API key where "
    "a bearer token is now expected): every call fails.",
    "api-security-component-oauth-scope-removed": "Clients that request the removed scope get "
    "their token request refused.",
    "response-body-any-of-added": "A new `anyOf` branch in a response means clients can receive "
    "a shape they do not handle — the same reason a new `oneOf` branch is breaking in oasdiff.",
    "response-property-any-of-added": "As response-body-any-of-added.",
    "response-required-property-became-write-only": "Servers do not send writeOnly properties, "
    "so clients lose a property they were promised in every response, exactly as if it were "
    "removed (`response-required-property-removed`, breaking); the generated TypeScript "
    "response type drops it and frontend code reading it no longer compiles.",
    "response-optional-property-became-write-only": "As removing the optional property "
    "(`response-optional-property-removed`, warning): servers no longer send it, and the "
    "generated response type no longer has it.",
    "new-request-path-parameter": "Operations match by path template, so the template already "
    "held the parameter: clients call the same URLs with the same values. Declaring it changes "
    "the document, not the requests (oasdiff reports it as a new input).",
}

BEHAVIOUR: list[tuple[str, str, str]] = [
    ("Webhooks and callbacks", "judged like operations (webhooks); callbacks not checked",
     "Both checked with the directions swapped: the server sends the request and the client "
     "answers, so a new required property in a webhook body is safe for receivers and a removed "
     "one breaks them. Body existence and media types there use the `callback-request-body-*` "
     "rules."),
    ("One alternative of the document-wide `security` removed while it still requires "
     "credentials", "`api-global-security-removed` (INFO)",
     "`api-global-security-alternative-removed` (breaking): tokens for that alternative are "
     "rejected. `api-global-security-removed` (INFO, as oasdiff) is kept for the document-wide "
     "security dropped or made optional (`{}` among the alternatives): no client can fail."),
    ("Operation with no credentials → credentials required", "`api-security-added` (INFO)",
     "`api-security-required` (breaking): every anonymous client fails. The reverse is "
     "`api-security-removed` (INFO, as oasdiff)."),
    ("One alternative of an operation's `security` removed while it still requires credentials",
     "`api-security-removed` (INFO)",
     "`api-security-alternative-removed` (breaking): tokens for that alternative are rejected. "
     "`api-security-removed` (INFO, as oasdiff) is kept for an operation that no longer requires "
     "credentials."),
    ("Changes to `x-stability-level: draft`/`alpha` operations", "reported at their level",
     "Reported, but at INFO when every affected operation is draft or alpha in the base "
     "document: those may change without notice."),
    ("Removal of a deprecated operation or property after its `x-sunset`",
     "no finding (operations); property removals ignore deprecation",
     "`api-removed-after-sunset`, `api-path-removed-after-sunset` (INFO); property removals "
     "follow the sunset like operations (`*-property-removed-before-sunset` breaking, "
     "`*-property-removed-with-deprecation` INFO)."),
    ("`anyOf: [X, {type: null}]` (pydantic v2 `Optional[X]`)", "anyOf/type changes",
     "One `*-became-nullable` change, like the other two spellings of nullability."),
    ("A schema change inside a shared component", "one entry per operation",
     "One entry at the component (`components.schemas.Book`) listing every operation, per "
     "direction."),
    ("A component schema, optional parameter or property removed while one of the same "
     "structure appears in the same place (a rename)", "a removal plus an addition",
     "One `…-renamed` change naming both, at the removal's level (see *Renames*). An oasdiff "
     "case that tests a removal by renaming a property (TestBreaking_ReqBodyDeleteRequiredProperty2) "
     "gets the rename's id; the blocking verdict is the same."),
    ("`type: [number, string]` → `[integer, number, string]` and other type lists spelled "
     "differently", "type-generalized/-specialized (info)", "No change: every `integer` is a "
     "`number` (see *Types are judged by the values they admit*)."),
    ("An `enum` dropped altogether (alone, or while the type widens into a `oneOf` of types)",
     "`*-enum-value-removed` for every value (breaking in a request)",
     "`*-enum-removed`: info in a request (every value clients could send is still valid), "
     "warning in a response (clients may receive values they do not handle, as with a value "
     "added)."),
    ("Changes to a `writeOnly` property in a response (its type, format, nullability, bounds)",
     "reported as for any property (`response-property-type-changed`, breaking)",
     "Only what is safe anyway is reported, at info (an enum value removed, "
     "`response-write-only-property-*`): servers never send the property, so nothing about it "
     "can break a reader."),
    ("Removing a path whose operations are all `x-stability-level: draft`/`alpha`",
     "nothing (an operation removed from a path that stays: reported)",
     "`api-path-removed-without-deprecation` / `api-removed-without-deprecation` at info, both "
     "ways: the removal belongs in the changelog, and draft/alpha promise nothing."),
    ("A path parameter declared that the template already had", "a new required parameter "
     "(breaking)", "`new-request-path-parameter` (info): clients send the same URL."),
    ("`api-invalid-stability-level`", "reported whenever a document has an invalid value",
     "Reported when the value changes to or from an invalid one, so `diff(x, x)` stays empty."),
    ("Deprecation and `x-sunset` in webhooks and callbacks", "not checked (callbacks); a removed "
     "webhook is always breaking",
     "A removed webhook, callback, callback URL expression or webhook/callback operation whose "
     "operations were all deprecated follows the sunset like an operation "
     "(`webhook-removed-with-deprecation`, `webhook-removed-before-sunset`, "
     "`callback-removed-*`); parameters a webhook/callback sends have the "
     "`callback-parameter-*` deprecation and sunset rules."),
    ("Media-type renames inside webhooks and callbacks", "webhooks: like operations",
     "Reported as a removal plus an addition (`callback-*-media-type-removed`/`-added`): who sends "
     "the content flips there, and the `*-media-type-name-*` ids name the non-flipped side."),
    ("Media-type renames in request bodies", "paired, then not reported",
     "`request-body-media-type-name-specialized` (breaking: clients send the general type), "
     "`-generalized` (info), `-changed` (warning: the server may match on parameters)."),
    ("A `required` entry naming a property the object does not declare", "no finding",
     "`request-property-became-required` (breaking) in a request body: clients built on the old "
     "contract do not send it, and the object (no `additionalProperties: false`) accepted it "
     "undeclared. oasdiff only looks at declared properties."),
    ("Parameters declared on the path item", "compared only with `--flatten-params`",
     "Always merged into each operation first (an operation's own parameter overrides one of "
     "the path's): a change to a path-level parameter is a change to every operation of the "
     "path, as oasdiff reports it with `--flatten-params`."),
    ("A security scheme renamed, its definition unchanged", "requirements naming it removed "
     "and added",
     "The same credential (a scheme's name is not on the wire; FastAPI derives it from the "
     "dependency's class): requirements follow the rename and only "
     "`api-security-component-removed`/`-added` (info) remain. Matched only when exactly one "
     "removed and one added scheme have the same definition."),
    ("The document-wide `security` moved into every operation that used it (or back)",
     "`api-global-security-removed`",
     "No change: each of those operations now states the same list itself, and each is "
     "compared with the list it inherited before."),
    ("The versioning policy (`api-version-*`)", "on, at INFO",
     "Off unless `[tool.contractsync.diff] version_policy = true`: contractsync bumps the version "
     "when a release is accepted, so in a working diff it would report nearly every breaking "
     "change twice. oasdiff's own tests switch these rules off too."),
]

#: Oracle agreement last measured by ``benchmarks/oracle_agreement.py`` (update with the figures).
ORACLE_FIGURES = ("244 fixture pairs (2026-11-30): blocking verdict agrees 98.0 %, exact rule ids "
                  "97.1 %.")

#: Every disagreement left on oasdiff's fixtures, by family: (family, rule ids it covers, why).
#: ``tests/diff/test_oracle.py`` checks that each disagreeing fixture falls in one of them.
FAMILIES: list[tuple[str, tuple[str, ...], str]] = [
    ("Security requirements are alternatives",
     ("api-security-removed", "api-security-scope-added",
      "api-global-security-scope-added", "api-security-added", "api-security-required",
      "api-security-alternative-removed"),
     "Removing an alternative (`api-security-alternative-removed`) or adding a scope rejects "
     "tokens that worked (breaking); an operation that starts requiring credentials is "
     "`api-security-required`, one that stops is `api-security-removed` (INFO). See the tables "
     "above."),
    ("A new branch in a response union",
     ("response-body-any-of-added", "response-property-any-of-added"),
     "A new `anyOf` branch is a shape clients may not handle, as a new `oneOf` branch is."),
    ("Webhooks judged from the receiver's side",
     ("new-optional-request-property", "request-body-became-required",
      "callback-request-body-became-required", "response-optional-property-added"),
     "oasdiff judges a webhook's request body as if clients sent it; the server sends it, so "
     "contractsync judges it with the response rules (a new property is "
     "`response-optional-property-added`, a body that became required is "
     "`callback-request-body-became-required`, info)."),
    ("One diff shows one direction",
     ("request-body-media-type-schema-removed", "response-body-media-type-schema-removed",
      "request-parameter-became-nullable", "request-parameter-property-became-nullable"),
     "Some oasdiff tests diff one pair both ways and assert the union of both reports; a "
     "base → revision diff reports the one direction it was asked for."),
    ("Files a fixture refers to but the copy lacks",
     ("response-property-became-optional",),
     "A fixture whose external `$ref` names a file that is not there ends in a one-line "
     "`RefError` naming the file, never a guess."),
    ("Composition read as a list of types",
     ("response-property-list-of-types-narrowed", "response-property-list-of-types-widened"),
     "`oneOf`/`anyOf` count as a list of types only when every branch is a bare `{type: X}` and "
     "one such keyword is present; `oneOf: []`, object branches, or `oneOf` and `anyOf` side by "
     "side are compared branch by branch (a branch's own `type-changed`)."),
    ("Request narrowing on readOnly properties",
     ("request-property-pattern-changed", "request-property-pattern-added",
      "request-property-became-enum"),
     "Clients never send readOnly properties, so narrowing one on the request side is not "
     "reported (or is `request-read-only-property-*`, info); oasdiff v1.28 reports it (fixed "
     "upstream in v1.30, oasdiff#1211)."),
    ("An enum dropped while the type widens",
     ("request-property-enum-value-removed",),
     "oasdiff lists every value of an `enum` that was dropped altogether as removed (breaking in "
     "a request); without the enum every value clients sent is still valid, so contractsync "
     "reports `request-property-enum-removed` (info) beside the type change."),
    ("A declared path parameter the template already had",
     ("new-request-path-parameter",),
     "Reported at info: the URLs clients call do not change."),
    ("A removal and an addition with the same structure are a rename",
     ("request-property-removed", "response-required-property-removed",
      "response-optional-property-removed", "request-parameter-removed", "api-schema-removed"),
     "When exactly one element disappears and one with the same structure (deepdiff `DeepHash`, "
     "annotations stripped) appears in the same scope, contractsync reports one `…-renamed` "
     "change at the removal's level; oasdiff reports the removal (and the addition). The "
     "blocking verdict is the same; the id differs (see *Renames*)."),
]

