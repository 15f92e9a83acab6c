"""Entry point of the warm worker process: ``python -m contractsync.watch._serve``.

Kept apart from :mod:`contractsync.watch.worker` so that module is imported once, under its own
name, in the worker as in the parent.
"""

from __future__ import annotations

import sys

from contractsync.watch.worker import serve

if __name__ == "__main__":
    sys.exit(serve())
