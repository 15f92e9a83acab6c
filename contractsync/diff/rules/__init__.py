"""Rule modules, one per area; importing this package registers every rule.

Order matters only for the registry's listing order (and so for ``docs/rules.md``).
"""

from . import (
    documentation,
    lifecycle,
    parameters,
    paths,
    request_body,
    responses,
    schema,
    security,
    typescript,  # after the rules the profile refers to
    versioning,
)

__all__ = ["documentation", "lifecycle", "parameters", "paths", "request_body", "responses", "schema",
           "security", "typescript", "versioning"]
