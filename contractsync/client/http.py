"""The registry's HTTP API (``/v1``, see docs/registry.md) over httpx.

* Timeouts on every request; retries (with back-off) only when the connection could not be made,
  which is safe for every request, publishing included (a publish is idempotent).
* The token comes from ``CONTRACTSYNC_TOKEN`` and travels only in ``Authorization: Bearer``
  (httpx drops it on a redirect to another host); it is never put in a URL or printed.
* Any answer other than the expected ones is a one-line :class:`RegistryError` (exit code 2) that
  names the URL, the status and the registry's problem detail.
* ``file://`` URLs read a static mirror (``contractsync registry export --static DIR``) through the
  same code path: a small transport maps each GET to a file below the mirror directory.
"""

from __future__ import annotations

import contextlib
import os
import socket
import ssl
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import httpcore
import httpx
import orjson

from .. import __version__
from ..errors import InputError

TOKEN_ENV = "CONTRACTSYNC_TOKEN"
#: Largest body accepted from a registry (GitHub's description is 13 MB).
MAX_BODY = 128 * 1024 * 1024
CONNECT_TIMEOUT = 5.0
RETRIES = 3
_BACKOFF = (0.2, 0.6, 1.5)


class RegistryError(InputError):
    """The registry could not be reached or answered with an error (exit code 2)."""

    def __init__(self, message: str, *, source: str | None = None, status: int | None = None,
                 causes: list[dict[str, Any]] | None = None) -> None:
        super().__init__(message, source=source)
        self.status = status
        self.causes = causes or []


@dataclass(frozen=True)
class Answer:
    """A registry response: status, lower-cased headers and body."""

    status: int
    headers: Mapping[str, str]
    body: bytes
    url: str

    @property
    def not_modified(self) -> bool:
        return self.status == 304

    def json(self) -> Any:
        try:
            return orjson.loads(self.body)
        except orjson.JSONDecodeError:
            raise RegistryError(f"HTTP {self.status}: the answer is not JSON", source=self.url) from None


def token_from_env() -> str | None:
    """``CONTRACTSYNC_TOKEN`` (None when unset or empty)."""
    value = os.environ.get(TOKEN_ENV, "").strip()
    return value or None


class RegistryClient:
    """A connection to one registry (``base_url`` without ``/v1``)."""

    def __init__(self, base_url: str, *, token: str | None = None, timeout: float = 30.0,
                 retries: int = RETRIES, transport: httpx.BaseTransport | None = None,
                 cancel: threading.Event | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.retries = max(1, retries)
        #: Seconds a whole request may take, answer body included (httpx's timeouts bound each
        #: read, so a registry trickling a byte a second would never time out).
        self.timeout = timeout
        #: Set (by a watcher's signal handler): the request in flight is abandoned at once.
        self.cancel = cancel
        headers = {"User-Agent": f"contractsync/{__version__}", "Accept": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        self._request_base = self.base_url
        if self.base_url.startswith("file://"):
            # httpx speaks http(s) only: requests go to a placeholder host that the transport serves
            # from the mirror directory; messages keep naming the file:// URL.
            transport = FileTransport(Path(unquote(urlsplit(self.base_url).path)))
            self._request_base = "http://static-mirror.invalid"
        self._sockets = AbortableBackend()
        self._http = httpx.Client(
            headers=headers, transport=transport, follow_redirects=True,
            timeout=httpx.Timeout(timeout, connect=min(CONNECT_TIMEOUT, timeout)),
        )
        self._sockets.install(self._http)

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> RegistryClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def url(self, path: str) -> str:
        return f"{self.base_url}{path}"

    # --- requests ----------------------------------------------------------------------------

    def get(self, path: str, *, etag: str | None = None, params: Mapping[str, str] | None = None,
            accept: str | None = None, ok: tuple[int, ...] = (200,)) -> Answer:
        """GET ``path``; with ``etag`` a conditional GET (``If-None-Match``) that may answer 304."""
        headers: dict[str, str] = {}
        if etag is not None:
            headers["If-None-Match"] = f'"{etag}"'
        if accept is not None:
            headers["Accept"] = accept
        answer = self._send("GET", path, headers=headers, params=params)
        if answer.status in ok or (etag is not None and answer.status == 304):
            return answer
        raise self._error(answer, "read")

    def post_json(self, path: str, body: bytes, *, params: Mapping[str, str] | None = None,
                  ok: tuple[int, ...] = (200, 201)) -> Answer:
        """POST a JSON body; answers with a status in ``ok`` are returned, others raise."""
        answer = self._send("POST", path, content=body, params=params,
                            headers={"Content-Type": "application/json"})
        if answer.status in ok:
            return answer
        raise self._error(answer, "publish")

    def _send(self, method: str, path: str, *, headers: dict[str, str] | None = None,
              params: Mapping[str, str] | None = None, content: bytes | None = None) -> Answer:
        url = self.url(path)
        for attempt in range(self.retries):
            try:
                return _within(self.timeout, url, lambda: self._attempt(method, path, url, headers, params, content),
                               self.cancel, abort=self._sockets.abort)
            except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
                if attempt + 1 < self.retries:
                    time.sleep(_BACKOFF[min(attempt, len(_BACKOFF) - 1)])
                    continue
                reason = str(exc) or type(exc).__name__
                raise RegistryError(f"cannot connect to the registry ({reason}; tried {self.retries} times)",
                                    source=url) from None
            except httpx.TimeoutException:
                raise _too_slow(url, self.timeout) from None
            except httpx.HTTPError as exc:
                raise RegistryError(f"HTTP error: {exc}", source=url) from None
        raise AssertionError("unreachable")  # pragma: no cover

    def _attempt(self, method: str, path: str, url: str, headers: dict[str, str] | None,
                 params: Mapping[str, str] | None, content: bytes | None) -> Answer:
        deadline = time.monotonic() + self.timeout
        with self._http.stream(method, f"{self._request_base}{path}", headers=headers, params=params,
                               content=content) as response:
            body = _read_capped(response, url, deadline, self.timeout)
            return Answer(response.status_code, {k.lower(): v for k, v in response.headers.items()}, body, url)

    def _error(self, answer: Answer, action: str) -> RegistryError:
        detail, causes = problem_detail(answer)
        status = answer.status
        if status == 401:
            hint = (f"the registry refused the token in {TOKEN_ENV}" if self.token
                    else f"the registry wants a token: set {TOKEN_ENV}")
        elif status == 403:
            hint = f"the token in {TOKEN_ENV} may not {action} this" if self.token else "forbidden"
        elif status == 404:
            hint = "not found"
        else:
            hint = ""
        text = f"HTTP {status}" + (f" ({hint})" if hint else "") + (f": {detail}" if detail else "")
        return RegistryError(text, source=answer.url, status=status, causes=causes)


def problem_detail(answer: Answer) -> tuple[str, list[dict[str, Any]]]:
    """The ``detail`` (plus the first cause's place) and ``causes`` of a problem+json answer."""
    try:
        data = orjson.loads(answer.body) if answer.body else None
    except orjson.JSONDecodeError:
        data = None
    if not isinstance(data, dict):
        text = answer.body[:200].decode("utf-8", "replace").strip()
        return " ".join(text.split()), []
    detail = str(data.get("detail") or data.get("title") or "")
    causes = [c for c in data.get("causes") or [] if isinstance(c, dict)]
    if causes:
        first = causes[0]
        place = first.get("pointer") or first.get("where") or first.get("operation")
        message = first.get("message") or first.get("detail")
        if message and str(message) not in detail:
            detail += f" — {place + ': ' if place else ''}{message}"
        if len(causes) > 1:
            detail += f" (and {len(causes) - 1} more)"
    return " ".join(detail.split()), causes


def _read_capped(response: httpx.Response, url: str, deadline: float, timeout: float) -> bytes:
    declared = response.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > MAX_BODY:
        raise RegistryError(f"the answer is larger than {MAX_BODY // 2**20} MiB", source=url)
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_bytes():
        size += len(chunk)
        if size > MAX_BODY:
            raise RegistryError(f"the answer is larger than {MAX_BODY // 2**20} MiB", source=url)
        if time.monotonic() > deadline:
            raise _too_slow(url, timeout)
        chunks.append(chunk)
    return b"".join(chunks)


def _too_slow(url: str, timeout: float) -> RegistryError:
    return RegistryError(f"the registry did not answer within {timeout:g} s", source=url)


def _within(timeout: float, url: str, attempt: Callable[[], Answer], cancel: threading.Event | None = None,
            *, abort: Callable[[], None] | None = None) -> Answer:
    """``attempt()`` bounded to ``timeout`` seconds in all: headers that trickle in (or never
    come) are waited for in a daemon thread that is given up at the deadline, or as soon as
    ``cancel`` is set; the body's own deadline (:func:`_read_capped`) ends a trickled body inside
    the thread. When the thread is given up, ``abort`` shuts its sockets down so that the blocked
    read returns and the thread ends now, not at httpx's read timeout (``timeout`` seconds later)."""
    result: list[Answer] = []
    error: list[BaseException] = []

    def run() -> None:
        try:
            result.append(attempt())
        except BaseException as exc:  # handed to the caller's thread
            error.append(exc)
    def give_up() -> None:
        if abort is not None:
            abort()
            worker.join(_ABORT_JOIN)
    worker = threading.Thread(target=run, name="contractsync-http", daemon=True)
    worker.start()
    deadline = time.monotonic() + timeout + 1.0
    while worker.is_alive() and time.monotonic() < deadline:
        if cancel is not None and cancel.is_set():
            give_up()
            raise RegistryError("stopped while waiting for the registry", source=url)
        worker.join(0.1 if cancel is not None else max(0.0, deadline - time.monotonic()))
    if worker.is_alive():
        give_up()
        raise _too_slow(url, timeout)
    if error:
        raise error[0]
    if not result:
        raise _too_slow(url, timeout)
    return result[0]


#: Seconds a given-up request's thread is waited for once its sockets are shut down (it ends at
#: once; the bound only keeps a stuck TLS library from holding the caller).
_ABORT_JOIN = 5.0


class AbortableBackend(httpcore.NetworkBackend):
    """httpcore's own network backend, remembering the sockets it opens so that a request given up
    (cancelled, or past its deadline) is ended at once: ``shutdown()`` wakes a ``recv()`` blocked
    in another thread, which ``close()`` does not.

    httpx has no public way to pass a network backend, so :meth:`install` sets it on the pools of
    the client's transports (its default one and any proxy from the environment); a transport
    without one (a test's mock, the static mirror's) is left alone, and its request then ends at
    its own read timeout, as before."""

    def __init__(self) -> None:
        self._inner = httpcore.SyncBackend()
        self._streams: set[_TrackedStream] = set()
        self._lock = threading.Lock()

    def install(self, client: httpx.Client) -> None:
        transports = [getattr(client, "_transport", None), *getattr(client, "_mounts", {}).values()]
        for transport in transports:
            pool = getattr(transport, "_pool", None)
            if pool is not None and isinstance(getattr(pool, "_network_backend", None), httpcore.SyncBackend):
                pool._network_backend = self

    def connect_tcp(self, host: str, port: int, timeout: float | None = None, local_address: str | None = None,
                    socket_options: Any = None) -> httpcore.NetworkStream:
        return self.track(self._inner.connect_tcp(host, port, timeout, local_address, socket_options))

    def connect_unix_socket(self, path: str, timeout: float | None = None,
                            socket_options: Any = None) -> httpcore.NetworkStream:
        return self.track(self._inner.connect_unix_socket(path, timeout, socket_options))

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)

    def track(self, stream: httpcore.NetworkStream) -> _TrackedStream:
        tracked = _TrackedStream(stream, self)
        with self._lock:
            self._streams.add(tracked)
        return tracked

    def forget(self, stream: _TrackedStream) -> None:
        with self._lock:
            self._streams.discard(stream)

    def abort(self) -> None:
        """Shut down every socket still open: a read blocked on one returns at once."""
        with self._lock:
            streams = list(self._streams)
        for stream in streams:
            sock = stream.get_extra_info("socket")
            if isinstance(sock, socket.socket):
                with contextlib.suppress(OSError):  # already closed
                    sock.shutdown(socket.SHUT_RDWR)


class _TrackedStream(httpcore.NetworkStream):
    def __init__(self, inner: httpcore.NetworkStream, owner: AbortableBackend) -> None:
        self._inner = inner
        self._owner = owner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, timeout)

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, timeout)

    def close(self) -> None:
        self._owner.forget(self)
        self._inner.close()

    def start_tls(self, ssl_context: ssl.SSLContext, server_hostname: str | None = None,
                  timeout: float | None = None) -> httpcore.NetworkStream:
        # The TLS stream owns the socket from now on (the plain one is detached).
        self._owner.forget(self)
        return self._owner.track(self._inner.start_tls(ssl_context, server_hostname, timeout))

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class FileTransport(httpx.BaseTransport):
    """Serves GETs from a static mirror directory (``file://`` registries).

    ``/v1/contracts/{c}/versions/{ref}`` is a directory in the mirror, so its metadata is read from
    ``index.json`` inside it. Anything outside the directory, and every other method, is refused.
    """

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if request.method != "GET":
            return _problem(405, "a static mirror is read-only")
        if request.url.query:
            return _problem(404, "a static mirror has no queries (diff, check)")
        rel = unquote(request.url.path).lstrip("/")
        base = self.root
        target = (base / rel).resolve()
        if target != base and base not in target.parents:
            return _problem(404, "outside the mirror")
        if target.is_dir():
            target = target / "index.json"
        try:
            data = target.read_bytes()
        except (FileNotFoundError, NotADirectoryError):
            return _problem(404, f"{rel} is not in the mirror")
        except OSError as exc:
            return _problem(500, f"cannot read {rel}: {exc.strerror}")
        etag = None
        if target.suffix in (".json", ".ts", ".md") and "/versions/" in f"/{rel}":
            etag = rel.split("/versions/", 1)[1].split("/", 1)[0]
        headers = {"ETag": f'"{etag}"'} if etag and etag.startswith("sha256:") else {}
        wanted = request.headers.get("if-none-match")
        if wanted is not None and headers.get("ETag") == wanted:
            return httpx.Response(304, headers=headers)
        return httpx.Response(200, content=data, headers=headers)


def _problem(status: int, detail: str) -> httpx.Response:
    return httpx.Response(status, content=orjson.dumps({"status": status, "detail": detail}),
                          headers={"Content-Type": "application/problem+json"})
