"""``contractsync serve``: run the contract registry (uvicorn)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any

import typer

DataOption = Annotated[
    Path | None,
    typer.Option("--data", help="SQLite storage directory (default ./contractsync-data).", show_default=False),
]
DatabaseOption = Annotated[
    str | None,
    typer.Option("--database", help="PostgreSQL URL (postgresql://user@host/db) for several replicas.",
                 show_default=False, envvar="CONTRACTSYNC_REGISTRY_DATABASE"),
]


def serve(
    data: DataOption = None,
    database: DatabaseOption = None,
    host: Annotated[str, typer.Option("--host", help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Port (0: any free port, printed at start).",
                                      min=0, max=65535)] = 8000,
    anonymous_read: Annotated[bool, typer.Option("--anonymous-read", help="GET requests need no token.")] = False,
    max_body: Annotated[int | None, typer.Option("--max-body", help="Largest publish body in bytes (default 32 MiB).",
                                                 show_default=False)] = None,
    diff_workers: Annotated[int | None, typer.Option(
        "--diff-workers", min=1, show_default=False,
        help="Diffs compared at once per process (default 2); each pair is compared once, then read from storage.")] = None,
    diff_queue: Annotated[int | None, typer.Option(
        "--diff-queue", min=0, show_default=False,
        help="Diff comparisons that may wait for a worker before requests get 503 + Retry-After (default 16).")] = None,
    workers: Annotated[int, typer.Option("--workers", help="uvicorn worker processes.")] = 1,
    log_level: Annotated[str, typer.Option("--log-level", help="uvicorn log level.")] = "info",
    access_log: Annotated[bool, typer.Option("--access-log/--no-access-log",
                                             help="Log every request (off behind a proxy that logs).")] = True,
) -> None:
    """Serve the contract registry: publish, labels, immutable versions, diffs, pages.

    Create its tokens with `contractsync registry token create ci --scope publish --data ./registry-data`.

    Example: contractsync serve --data ./registry-data --port 8000
    """
    import uvicorn

    from ..errors import InputError
    from ..registry.settings import RegistrySettings
    from ..registry.store import open_store

    if data is not None and database is not None:
        raise InputError("give --data DIR or --database URL, not both")
    settings = RegistrySettings.from_env(data_dir=data if database is None else None, database_url=database,
                                         anonymous_read=anonymous_read or None, max_body_bytes=max_body,
                                         diff_workers=diff_workers, diff_queue=diff_queue)
    if settings.database_url is None and settings.data_dir is None:
        settings = settings.model_copy(update={"data_dir": Path("contractsync-data")})
    # Migrate before listening: a bad URL or an unwritable directory is a one-line error, exit 2.
    try:
        open_store(data_dir=settings.data_dir, database_url=settings.database_url).close()
    except InputError:
        raise
    except Exception as exc:
        raise InputError(f"cannot open the registry storage {settings.storage_name()}: {exc}") from None
    _can_listen(host, port)
    if workers > 1:
        import os

        for key, value in (("CONTRACTSYNC_REGISTRY_DATA", str(settings.data_dir or "")),
                           ("CONTRACTSYNC_REGISTRY_DATABASE", settings.database_url or ""),
                           ("CONTRACTSYNC_REGISTRY_ANONYMOUS_READ", "1" if settings.anonymous_read else ""),
                           ("CONTRACTSYNC_REGISTRY_MAX_BODY", str(settings.max_body_bytes)),
                           ("CONTRACTSYNC_REGISTRY_DIFF_WORKERS", str(settings.diff_workers)),
                           ("CONTRACTSYNC_REGISTRY_DIFF_QUEUE", str(settings.diff_queue)),
                           (_PARENT_ENV, str(os.getpid()))):
            os.environ[key] = value
        with _sighup_stops():
            uvicorn.run("contractsync.cli.serve:worker_app", factory=True, host=host, port=port, workers=workers,
                        log_level=log_level, access_log=access_log, timeout_graceful_shutdown=10)
        return
    from ..registry.app import create_app

    # uvicorn handles SIGINT/SIGTERM (and, here, SIGHUP): stops accepting, finishes requests in flight
    # (at most 10 s), then runs the app's shutdown (closing the database).
    with _sighup_stops():
        uvicorn.run(create_app(settings), host=host, port=port, log_level=log_level, access_log=access_log,
                    timeout_graceful_shutdown=10, server_header=False)


@contextlib.contextmanager
def _sighup_stops() -> Iterator[None]:
    """SIGHUP (the terminal closed) stops ``serve`` gracefully, like SIGTERM. uvicorn leaves it at
    its default with one process (killed at once: no graceful stop, the database not closed) and,
    with ``--workers``, restarts the workers and keeps serving after the terminal is gone. The
    classes ``uvicorn.run`` builds are swapped for subclasses for the duration of the call."""
    import importlib
    import signal
    import threading

    import uvicorn
    from uvicorn.supervisors import Multiprocess

    runner: Any = importlib.import_module("uvicorn.main")  # the module (``uvicorn.main`` is its CLI)

    class Server(uvicorn.Server):
        @contextlib.contextmanager
        def capture_signals(self) -> Iterator[None]:
            with super().capture_signals():
                if threading.current_thread() is not threading.main_thread():
                    yield
                    return
                previous = signal.signal(signal.SIGHUP, self.handle_exit)
                try:
                    yield
                finally:  # restored first: a captured SIGHUP is re-raised with its default action
                    signal.signal(signal.SIGHUP, previous)

    class Supervisor(Multiprocess):
        def handle_hup(self) -> None:
            self.handle_term()

    saved = runner.Server, runner.Multiprocess
    runner.Server, runner.Multiprocess = Server, Supervisor
    try:
        yield
    finally:
        runner.Server, runner.Multiprocess = saved


_PARENT_ENV = "CONTRACTSYNC_REGISTRY_SERVE_PID"


def worker_app() -> Any:
    """The registry app in one of ``--workers N`` processes. A worker ends (SIGTERM: uvicorn's
    graceful stop) when the serving process dies however it dies; uvicorn alone stops its workers
    only when it gets to run its own shutdown, so a SIGKILL left them serving, orphaned."""
    import os
    import signal

    from ..registry.app import create_app
    from ..spec._bootstrap import set_parent_death_signal

    set_parent_death_signal(signal.SIGTERM)
    # The worker's uvicorn has installed its SIGTERM handler (the factory is called inside it): a
    # SIGHUP sent to the terminal's process group stops this worker gracefully too.
    signal.signal(signal.SIGHUP, signal.getsignal(signal.SIGTERM))
    parent = os.environ.get(_PARENT_ENV, "")
    if parent.isdigit() and os.getppid() != int(parent):
        raise SystemExit("contractsync serve: the serving process is gone")  # died before the call above
    return create_app()


def _can_listen(host: str, port: int) -> None:
    """Fail with one line (exit 2) when the address cannot be listened on, before uvicorn
    starts: it logs a bare "[Errno -2] Name or service not known" and exits 3 otherwise."""
    import errno
    import socket

    from ..errors import InputError

    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except (socket.gaierror, UnicodeError) as exc:
        raise InputError(f"cannot resolve {host!r}: {getattr(exc, 'strerror', None) or exc}", where="--host") from None
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(address)
        except OSError as exc:
            where = "--port" if exc.errno in (errno.EADDRINUSE, errno.EACCES) else "--host"
            raise InputError(f"cannot listen on {host}:{port}: {exc.strerror or exc}", where=where) from None
