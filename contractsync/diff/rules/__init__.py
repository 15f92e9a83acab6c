"""Rule modules, one per area; importing this package registers every rule.

Order matters only for the registry's listing order (and so for ``docs/rules.md``).
"""

from . import documentation, lifecycle, parameters, paths, request_body, responses, schema, security

__all__ = ["documentation", "lifecycle", "parameters", "paths", "request_body", "responses", "schema", "security"]
