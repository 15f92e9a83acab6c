"""Options of the TypeScript generator, as a dataclass for the library and a pydantic model for
``[tool.contractsync.typescript]`` in pyproject.toml."""

from __future__ import annotations

from dataclasses import dataclass, fields

from pydantic import BaseModel, ConfigDict


@dataclass(frozen=True)
class TypeScriptOptions:
    """How :func:`contractsync.to_typescript` shapes its output. The defaults give openapi-fetch
    compatible types with an alias per schema; each flag mirrors the openapi-typescript flag of the
    same name where one exists."""

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


class TypeScriptConfig(BaseModel):
    """``[tool.contractsync.typescript]``: the same switches as :class:`TypeScriptOptions`, read from
    pyproject.toml. Command-line flags override them."""

    model_config = ConfigDict(extra="forbid")

    enum: bool = False
    enum_values: bool = False
    immutable: bool = False
    alphabetize: bool = False
    exclude_deprecated: bool = False
    export_type: bool = False
    aliases: bool = True

    def to_options(self) -> TypeScriptOptions:
        """The equivalent :class:`TypeScriptOptions`."""
        return TypeScriptOptions(**{f.name: getattr(self, f.name) for f in fields(TypeScriptOptions)})
