"""Every real pair in ../shared/corpus diffs without error, and says what really changed.

The facts below were read off the documents themselves (which operations disappeared, which
request fields became required, ...) and are asserted by rule id, subject and level, so a rule
that regresses on real-world input fails here, not in a user's CI.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from pathlib import Path

import pytest

from contractsync.diff import DiffOptions, Report, diff
from contractsync.errors import NotOpenAPIError
from contractsync.render import FORMATS, render
from contractsync.spec.document import Document
from contractsync.spec.source import load_spec
from tests.conftest import CORPUS, REPO, require_corpus

NOW = dt.date(2026, 11, 26)
SLOW_PAIRS = {"github-api", "openai-3.1-large"}
PAIRS = sorted(p.name for p in (CORPUS / "pairs").iterdir()) if (CORPUS / "pairs").is_dir() else []
OPENAPI_PAIRS = [p for p in PAIRS if p != "kubernetes-swagger2"]


def _pair_files(name: str) -> tuple[Path, Path]:
    folder = require_corpus() / "pairs" / name
    files = {p.stem: p for p in folder.iterdir()}
    return files["old"], files["new"]


@functools.cache
def _run(name: str) -> tuple[Document, Document, Report]:
    old_path, new_path = _pair_files(name)
    old, new = load_spec(str(old_path)), load_spec(str(new_path))
    return old, new, diff(old, new, options=DiffOptions(now=NOW))


def _facts(report: Report) -> set[tuple[str, str, str]]:
    return {(c.id, c.location.subject, c.level.value) for c in report}


def _params(names: list[str]) -> list[object]:
    return [pytest.param(n, marks=pytest.mark.slow) if n in SLOW_PAIRS else n for n in names]


@pytest.mark.parametrize("name", _params(OPENAPI_PAIRS))
def test_pair_diffs_cleanly(name: str) -> None:
    old, new, report = _run(name)
    assert len(report) > 0
    assert report.base_source == old.source and report.revision_source == new.source
    fingerprints = [c.fingerprint for c in report]
    assert len(set(fingerprints)) == len(fingerprints), "two changes share a fingerprint"
    # Positions, where given, are inside the file and point at the key the pointer names.
    for doc, side in ((old, "base"), (new, "revision")):
        assert doc.raw is not None
        lines = doc.raw.decode("utf-8").splitlines()
        for change in report:
            pointer = getattr(change.location, side)
            position = getattr(change.location, f"{side}_position")
            if position is None:
                continue
            assert pointer is not None
            assert 1 <= position.line <= len(lines), (change.id, pointer, position)
            last = pointer.rsplit("/", 1)[-1].replace("~1", "/").replace("~0", "~")
            text = lines[position.line - 1][position.column - 1:]
            if not last.isdigit():
                # JSON: `"key"`; YAML: `key:`, `'key':` or `"key":`.
                assert text.lstrip("'\"").startswith(last[:20]), (change.id, pointer, text[:60])
    # Every format renders the real report.
    for fmt in FORMATS:
        assert render(report, fmt).endswith("\n")


def test_json_output_of_a_real_pair_matches_the_schema() -> None:
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads((REPO / "docs" / "diff-output.schema.json").read_text())
    for name in ("phoenix-fastapi", "stripe-2018", "box"):
        _, _, report = _run(name)
        jsonschema.Draft202012Validator(schema).validate(json.loads(render(report, "json")))


def test_swagger2_pair_is_refused_clearly() -> None:
    old, new = _pair_files("kubernetes-swagger2")
    for path in (old, new):
        with pytest.raises(NotOpenAPIError, match=r"is Swagger 2\.0 \(OpenAPI 2\.0\).*convert it to OpenAPI 3"):
            load_spec(str(path))


# (pair, rule id, subject, level): facts checked against the documents by hand.
FACTS: list[tuple[str, str, str, str]] = [
    # OpenAI removed its legacy fine-tunes and edits operations, every one deprecated first: a
    # removal, but an announced one.
    *[("openai-legacy-removal", "api-path-removed-with-deprecation", op, "info") for op in (
        "GET /fine-tunes", "GET /fine-tunes/{fine_tune_id}", "GET /fine-tunes/{fine_tune_id}/events",
        "POST /edits", "POST /fine-tunes", "POST /fine-tunes/{fine_tune_id}/cancel")],
    ("openai-legacy-removal", "api-schema-removed", "components.schemas.FineTune", "info"),
    # Phoenix (a FastAPI app) dropped its evaluations endpoints without deprecating them.
    ("phoenix-fastapi", "api-path-removed-without-deprecation", "GET /v1/evaluations", "breaking"),
    ("phoenix-fastapi", "api-path-removed-without-deprecation", "POST /v1/evaluations", "breaking"),
    ("phoenix-fastapi", "endpoint-added", "GET /healthz", "info"),
    # The OAI petstore example grew a required request body on POST /pets and a bound on limit.
    ("oai-petstore", "request-body-added-required", "POST /pets", "breaking"),
    ("oai-petstore", "request-parameter-max-set", "GET /pets", "warning"),
    ("oai-petstore", "response-body-max-items-set", "components.schemas.Pets", "info"),
    # Twilio replaced bulk portability.
    ("twilio-numbers-v1", "api-path-removed-without-deprecation", "POST /v1/Porting/Portability", "breaking"),
    ("twilio-numbers-v1", "api-path-removed-without-deprecation", "GET /v1/Porting/Portability/{Sid}", "breaking"),
    # Stripe 2018: point-of-sale and tax-rate-template APIs gone; an issuing status value gone from
    # a filter clients send; invoice.closed no longer returned.
    ("stripe-2018", "api-path-removed-without-deprecation", "GET /v1/point_of_sale/readers", "breaking"),
    ("stripe-2018", "api-path-removed-without-deprecation", "POST /v1/tax_rate_templates", "breaking"),
    ("stripe-2018", "request-parameter-enum-value-removed", "GET /v1/issuing/cards", "breaking"),
    ("stripe-2018", "response-required-property-removed", "components.schemas.invoice", "breaking"),
    # Stripe 2021 → 2022: account logout removed; price lookup keys got shorter.
    ("stripe-2021-2022", "api-path-removed-without-deprecation", "PUT /v1/account/logout", "breaking"),
    ("stripe-2021-2022", "request-property-max-length-decreased", "POST /v1/prices", "breaking"),
    # Box: path keys with #fragments; classification templates now need `fields` and `templateKey`.
    ("box", "request-property-became-required", "POST /metadata_templates/schema#classifications", "breaking"),
    ("box", "api-path-removed-without-deprecation", "GET /metadata_query_indices", "breaking"),
    ("box", "endpoint-added", "POST /ai/ask", "info"),
]
SLOW_FACTS: list[tuple[str, str, str, str]] = [
    # GitHub 2021 → 2022: token endpoints now require the token in the body.
    ("github-api", "request-property-became-required", "DELETE /applications/{client_id}/grant", "breaking"),
    ("github-api", "request-body-became-required", "DELETE /applications/{client_id}/grant", "breaking"),
    ("github-api", "api-path-removed-without-deprecation", "GET /repos/{owner}/{repo}/compare/{base}...{head}",
     "breaking"),
    ("openai-3.1-large", "request-body-media-type-removed", "POST /responses/compact", "breaking"),
    ("openai-3.1-large", "endpoint-added", "GET /organization/data_retention", "info"),
]


@pytest.mark.parametrize(("pair", "rule", "subject", "level"), FACTS)
def test_known_change(pair: str, rule: str, subject: str, level: str) -> None:
    assert (rule, subject, level) in _facts(_run(pair)[2])


@pytest.mark.slow
@pytest.mark.parametrize(("pair", "rule", "subject", "level"), SLOW_FACTS)
def test_known_change_large_pairs(pair: str, rule: str, subject: str, level: str) -> None:
    assert (rule, subject, level) in _facts(_run(pair)[2])


def test_counts_of_operation_changes() -> None:
    """Whole-document counts that follow from the operation lists."""
    assert sum(c.id == "endpoint-added" for c in _run("phoenix-fastapi")[2]) == 20
    legacy = _run("openai-legacy-removal")[2]
    assert not any(c.area == "paths" and c.breaking for c in legacy)
    assert sum(c.id == "api-path-removed-without-deprecation" for c in _run("stripe-2018")[2]) == 15


def test_fastapi_template_fork_patch_removed() -> None:
    # The old document has /exam-attempts/{id} (GET) and /exam-attempts/{attempt_id} (PATCH):
    # two templates that blank to one key. The PATCH is gone; the GET stays.
    report = _run("fastapi-template-fork")[2]
    removed = [c for c in report if c.location.subject == "PATCH /api/v1/exam-attempts/{attempt_id}"]
    assert [c.id for c in removed] == ["api-removed-without-deprecation"]
    assert removed[0].breaking


@pytest.mark.slow
def test_github_13mb_pair() -> None:
    """The headline pair: GitHub's REST description 22.0.0 → 23.0.2."""
    corpus = require_corpus()
    old = load_spec(str(corpus / "large" / "github-octokit-22.0.0.json"))
    new = load_spec(str(corpus / "large" / "github-octokit-23.0.2.json"))
    report = diff(old, new, options=DiffOptions(now=NOW))
    facts = _facts(report)
    assert ("api-path-removed-without-deprecation", "GET /orgs/{org}/copilot/metrics", "breaking") in facts
    assert ("api-path-removed-with-deprecation", "GET /teams/{team_id}/discussions", "info") in facts
    assert ("api-path-removed-with-deprecation", "GET /repos/{owner}/{repo}/tags/protection", "info") in facts
    assert sum(c.id == "endpoint-added" for c in report) == 155
    # JSON has line numbers too (oasdiff has none for JSON): the removal points at its "get" key.
    removal = next(c for c in report if c.location.subject == "GET /orgs/{org}/copilot/metrics")
    assert removal.location.base_position is not None
    assert old.raw is not None
    line = old.raw.decode().splitlines()[removal.location.base_position.line - 1]
    assert line.strip().startswith('"get"')
