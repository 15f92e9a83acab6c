"""The registry's clients: ``publish`` for the backend's CI, ``pull`` for the frontend.

* :mod:`.config` — ``[pull]`` in ``contractsync.toml`` / ``[tool.contractsync.pull]``.
* :mod:`.lock` — ``contractsync.lock``.
* :mod:`.refs` — ``label:NAME`` / ``version:N`` / ``digest:sha256:…``.
* :mod:`.http` — the registry's HTTP API over httpx (and ``file://`` static mirrors).
* :mod:`.cache` — contracts by digest, for offline installs.
* :mod:`.origin` — a registry or a plain source, behind one interface.
* :mod:`.pull`, :mod:`.report` — install / update / check / watch, and the update report.
* :mod:`.publish` — the publish body and its answer.
"""
