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
    "api-security-removed": _SEC,
    "api-global-security-removed": _SEC,
    "api-security-scope-added": _SEC,
    "api-global-security-scope-added": _SEC,
    "api-security-component-type-changed": "Clients authenticate the old way (an API key where "
    "a bearer token is now expected): every call fails.",
    "api-security-component-oauth-scope-removed": "Clients that request the removed scope get "
    "their token request refused.",
    "response-body-any-of-added": "A new `anyOf` branch in a response means clients can receive "
    "a shape they do not handle — the same reason a new `oneOf` branch is breaking in oasdiff "
    "(oasdiff v1.30 aligned the two).",
    "response-property-any-of-added": "As response-body-any-of-added.",
}

BEHAVIOUR: list[tuple[str, str, str]] = [
    ("Webhooks and callbacks", "judged like operations (webhooks); callbacks not checked",
     "Both checked with the directions swapped: the server sends the request and the client "
     "answers, so a new required property in a webhook body is safe for receivers and a removed "
     "one breaks them. Body existence and media types there use the `callback-request-body-*` "
     "rules."),
    ("Operation with no credentials → credentials required", "`api-security-added` (INFO)",
     "`api-security-required` (breaking): every anonymous client fails. The reverse is "
     "`api-security-not-required` (INFO) instead of `api-security-removed`."),
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
     "differently", "list-of-types widened/narrowed", "No change: every `integer` is a `number` "
     "(see *Types are judged by the values they admit*)."),
    ("A path parameter declared that the template already had", "a new required parameter "
     "(breaking)", "`request-path-parameter-declared` (info): clients send the same URL."),
    ("`api-invalid-stability-level`", "reported whenever a document has an invalid value",
     "Reported when the value changes to or from an invalid one, so `diff(x, x)` stays empty."),
    ("Oracle case TestResponsePropertyBecameOptionalCheck_ExternalRef", "",
     "The case's external files (`schemas/pet.yaml`) are not part of the oracle copy; we report "
     "the missing file as a one-line RefError."),
    ("Oracle cases that assert both directions of one pair (TestMediaTypeSchemaExistence, "
     "TestParameterTypeArrayNullability)", "", "The oasdiff test diffs the pair both ways; a "
     "single base → revision diff can only show one way."),
]
