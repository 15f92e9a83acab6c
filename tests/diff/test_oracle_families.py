"""Rule families found by running contractsync on oasdiff test cases nobody here had seen (#11):
each pair is written for this test and stands for the whole family, in every place it can occur
(query/header/cookie/path parameter, inline or through a component)."""

from __future__ import annotations

import copy
import datetime
from typing import Any

import pytest

from contractsync.diff import DiffOptions, diff

NOW = datetime.date(2026, 1, 1)


def ids(before: Any, after: Any, **options: Any) -> dict[str, str]:
    """Rule id → level of every change ``before`` → ``after`` reports."""
    return {c.id: c.level.value for c in diff(copy.deepcopy(before), copy.deepcopy(after),
                                               options=DiffOptions(now=NOW, **options))}


def _doc(param: dict[str, Any], path: str = "/items/{id}") -> dict[str, Any]:
    params = [param]
    if param.get("in") != "path":
        params.append({"name": "id", "in": "path", "required": True,
                       "schema": {"type": "string"}})
    return {"openapi": "3.0.3", "info": {"title": "t", "version": "1"},
            "paths": {path: {"get": {"parameters": params,
                                     "responses": {"200": {"description": "ok"}}}}}}


def _param(loc: str, required: bool, default: Any, name: str = "p") -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "string"}
    if default is not None:
        schema["default"] = default
    if loc == "path":
        return {"name": "id", "in": "path", "required": required, "schema": schema}
    return {"name": name, "in": loc, "required": required, "schema": schema}


# --- defaults of required parameters ---------------------------------------------------------

@pytest.mark.parametrize("loc", ["query", "header", "cookie", "path"])
@pytest.mark.parametrize(("old", "new"), [("X", "Y"), (None, "Y"), ("X", None)])
def test_a_required_parameter_default_is_never_used(loc: str, old: Any, new: Any) -> None:
    """Clients always send a required parameter, so its default changing affects nobody."""
    assert ids(_doc(_param(loc, True, old)), _doc(_param(loc, True, new))) == {}


@pytest.mark.parametrize(("old", "new", "rid"), [
    ("X", "Y", "request-parameter-default-value-changed"),
    (None, "Y", "request-parameter-default-value-added"),
    ("X", None, "request-parameter-default-value-removed"),
])
def test_an_optional_parameter_default_still_counts(old: Any, new: Any, rid: str) -> None:
    assert ids(_doc(_param("query", False, old)), _doc(_param("query", False, new))) == {
        rid: "breaking"}


def test_a_parameter_that_became_required_reports_only_that() -> None:
    got = ids(_doc(_param("header", False, "X")), _doc(_param("header", True, "Y")))
    assert got == {"request-parameter-became-required": "breaking"}
