"""Options of the TypeScript generator: one frozen pydantic model serves the library
(``to_typescript(doc, TypeScriptOptions(enum=True))``) and ``[tool.contractsync.typescript]`` in
pyproject.toml (``TypeScriptConfig`` is the same class)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class TypeScriptOptions(BaseModel):
    """How :func:`contractsync.to_typescript` shapes its output. The defaults give openapi-fetch
    compatible types with an alias per schema; each flag mirrors the openapi-typescript flag of the
    same name where one exists."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    #: Emit ``export enum`` declarations for enum schemas under ``components.schemas`` (and their
    #: properties) instead of literal unions (``--enum``).
    enum: bool = False
    #: Also export each component enum's values as a typed ``const`` array (``--enum-values``).
    enum_values: bool = False
    #: Make every property and array ``readonly`` (``--immutable``).
    immutable: bool = False
    #: Sort paths, components, properties and the other name-keyed maps (``--alphabetize``).
    alphabetize: bool = False
    #: Leave out deprecated operations, parameters and properties (``--exclude-deprecated``).
    exclude_deprecated: bool = False
    #: Use ``export type X = {…}`` instead of ``export interface X {…}`` (``--export-type``).
    export_type: bool = False
    #: Export ``export type Book = components["schemas"]["Book"]`` for every schema.
    aliases: bool = True


#: ``[tool.contractsync.typescript]``: the same switches, read from pyproject.toml.
TypeScriptConfig = TypeScriptOptions


def options_digest(options: TypeScriptOptions) -> str:
    """``sha256:<hex>`` of the options as sorted compact JSON: a lock file and the registry's
    stored types name the options they were generated with by this digest."""
    import hashlib
    import json

    text = json.dumps(options.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()
