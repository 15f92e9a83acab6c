"""Rule modules, one per area; importing this package registers every rule.

Order matters only for the registry's listing order (and so for ``docs/rules.md``).
"""

from . import (
    lifecycle,
    parameters,
    paths,
    request_body,
    responses,
    schema,
    security,
    typescript,  # last: the profile refers to the rules above
)

__all__ = ["lifecycle", "parameters", "paths", "request_body", "responses", "schema", "security", "typescript"]
