"""Plain HTTP for roster and API sources (stdlib http.client): identify, time out, back off on HTTP 429, and bound
every request in size and total time.

Bounds: ``timeout`` limits each socket operation; a total deadline per request (``board_deadline_s``, or the
source's ``deadline_s``) ends a server that drips a byte at a time, headers included; a byte cap per source
(``board_max_bytes``, or the source's ``max_bytes``) ends an answer that never stops. Every failure becomes a
one-line ``SourceError`` naming the source, so a sync run can record it and keep the previous records.

Every request is opened in ONE place, ``_open_once`` (checks on where a request may go belong there).
"""

import http.client
import json
import socket
import ssl
import tempfile
import threading
import time
import urllib.parse
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from directory import egress
from directory.errors import KapdirError, SourceError
from directory.settings import Settings

CHUNK = 1 << 16
MAX_REDIRECTS = 5


class NotModified(Exception):
    """HTTP 304: the file has not changed since the If-Modified-Since date."""


@dataclass(frozen=True)
class Limits:
    max_bytes: int
    deadline_s: float


def limits_for(source: str, settings: Settings) -> Limits:
    """The source's own limits from sources.toml (``max_bytes``, ``deadline_s``), else the settings' defaults."""
    from directory.boards.registry import get_source

    try:
        info = get_source(source)
    except KapdirError:  # a source built outside the registry (tests)
        return Limits(settings.board_max_bytes, settings.board_deadline_s)
    return Limits(info.max_bytes or settings.board_max_bytes, info.deadline_s or settings.board_deadline_s)


def build_url(base: str, path: str = "", params: dict[str, Any] | None = None) -> str:
    url = base.rstrip("/") + path
    if params:
        url += ("&" if "?" in url else "?") + urllib.parse.urlencode(params)
    return url


def _retry_after(value: str | None, attempt: int, cap: float) -> float:
    """Seconds to wait: the server's Retry-After (seconds) when given, else exponential; never above cap."""
    if value:
        try:
            return min(max(float(value), 0.0), cap)
        except ValueError:
            pass  # an HTTP-date: fall back to exponential backoff
    return min(2.0**attempt, cap)


class BoundedResponse:
    """An open answer whose reads stop at the source's byte cap and its request's deadline.

    A timer shuts the socket down at the deadline, so even a read that is waiting for a dripped byte ends.
    """

    def __init__(self, source: str, url: str, connection: http.client.HTTPConnection,
                 response: http.client.HTTPResponse, limits: Limits, deadline: float, timer: threading.Timer):
        self.source, self.url, self.limits, self.deadline = source, url, limits, deadline
        self.connection, self.response, self.timer = connection, response, timer
        self.status = response.status
        self.headers = response.headers
        self.received = 0

    def _check(self) -> None:
        if time.monotonic() >= self.deadline:
            raise SourceError(f"{self.source}: no complete answer within the {self.limits.deadline_s:g}s deadline "
                              f"from {self.url}")

    def read(self, size: int = -1) -> bytes:
        """Up to ``size`` bytes (all that remain for -1), within the cap and the deadline."""
        chunks = []
        wanted = size if size >= 0 else None
        while wanted is None or wanted > 0:
            self._check()
            try:
                chunk = self.response.read(min(CHUNK, wanted) if wanted is not None else CHUNK)
            except TimeoutError:
                raise SourceError(f"{self.source}: no answer within the timeout from {self.url}") from None
            except (http.client.HTTPException, OSError) as exc:
                self._check()  # the deadline timer shut the socket: say so
                raise SourceError(f"{self.source}: connection broke while reading {self.url} ({exc})") from None
            if not chunk:
                self._check()
                break
            self.received += len(chunk)
            if self.received > self.limits.max_bytes:
                raise SourceError(f"{self.source}: answer from {self.url} exceeds the {self.limits.max_bytes:,} "
                                  f"byte cap")
            chunks.append(chunk)
            if wanted is not None:
                wanted -= len(chunk)
        return b"".join(chunks)

    def close(self) -> None:
        self.timer.cancel()
        self.response.close()
        self.connection.close()

    def __enter__(self) -> "BoundedResponse":
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()


def _open_once(source: str, url: str, *, method: str, body: bytes | None, headers: dict[str, str],
               timeout: float, limits: Limits, deadline: float) -> BoundedResponse:
    """THE place where a request is opened: one connection, one request, headers read within the deadline."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise SourceError(f"{source}: not an http(s) URL: {url}")
    remaining = max(deadline - time.monotonic(), 0.001)
    if parts.scheme == "https":
        connection: http.client.HTTPConnection = http.client.HTTPSConnection(
            parts.hostname, parts.port, timeout=min(timeout, remaining), context=ssl.create_default_context())
    else:
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=min(timeout, remaining))
    target = parts.path or "/"
    if parts.query:
        target += "?" + parts.query
    egress.pin(connection).connect()  # the egress policy: allowed port, checked address (each redirect hop too)
    timer = threading.Timer(remaining, _shut, args=(connection,))
    timer.daemon = True
    timer.start()
    try:
        connection.request(method, target, body=body, headers=headers)
        response = connection.getresponse()
    except BaseException:
        timer.cancel()
        connection.close()
        raise
    return BoundedResponse(source, url, connection, response, limits, deadline, timer)


def _shut(connection: http.client.HTTPConnection) -> None:
    """Deadline reached: end whatever read is waiting on this connection."""
    sock = connection.sock
    if sock is not None:
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


def open_url(source: str, url: str, *, settings: Settings, timeout: float, method: str = "GET",
             body: bytes | None = None, headers: dict[str, str] | None = None) -> BoundedResponse:
    """Open ``url`` (following up to five redirects); retry HTTP 429 honouring Retry-After up to
    settings.board_max_retries; raise SourceError (NotModified for 304)."""
    limits = limits_for(source, settings)
    all_headers = {"User-Agent": settings.effective_user_agent, "Accept": "*/*", "Connection": "close",
                   **(headers or {})}
    attempt = 0
    redirects = 0
    while True:
        deadline = time.monotonic() + limits.deadline_s
        try:
            response = _open_once(source, url, method=method, body=body, headers=all_headers, timeout=timeout,
                                  limits=limits, deadline=deadline)
        except SourceError:
            raise
        except TimeoutError:
            if time.monotonic() >= deadline:
                raise SourceError(f"{source}: no complete answer within the {limits.deadline_s:g}s deadline "
                                  f"from {url}") from None
            raise SourceError(f"{source}: no answer within {timeout:g}s from {url}") from None
        except (ConnectionRefusedError, socket.gaierror) as exc:
            raise SourceError(f"{source}: cannot reach {url} ({exc.strerror or exc})") from None
        except (http.client.HTTPException, OSError) as exc:
            if time.monotonic() >= deadline:
                raise SourceError(f"{source}: no complete answer within the {limits.deadline_s:g}s deadline "
                                  f"from {url}") from None
            raise SourceError(f"{source}: connection failed for {url} ({exc})") from None
        status = response.status
        if status < 300:
            return response
        location = response.headers.get("Location")
        retry_after = response.headers.get("Retry-After")
        response.close()
        if status in (301, 302, 303, 307, 308) and location and redirects < MAX_REDIRECTS:
            redirects += 1
            url = urllib.parse.urljoin(url, location)
            if status == 303:
                method, body = "GET", None
            continue
        if status == 304:
            raise NotModified(url)
        if status == 429 and attempt < settings.board_max_retries:
            time.sleep(_retry_after(retry_after, attempt, settings.board_backoff_cap_s))
            attempt += 1
            continue
        if status == 429:
            raise SourceError(f"{source}: throttled (HTTP 429) after {attempt + 1} attempts")
        raise SourceError(f"{source}: HTTP {status} from {url}")


def read_body(source: str, response: BoundedResponse, url: str, timeout: float) -> bytes:
    with response:
        return response.read()


def get_json(source: str, url: str, *, settings: Settings, timeout: float, method: str = "GET",
             payload: Any = None, headers: dict[str, str] | None = None) -> Any:
    """GET (or POST ``payload`` as JSON) and decode JSON; anything else is 'garbage'."""
    body = None
    headers = {"Accept": "application/json", **(headers or {})}
    if payload is not None:
        body = json.dumps(payload).encode()
        headers["Content-Type"] = "application/json"
    response = open_url(source, url, settings=settings, timeout=timeout, method=method, body=body, headers=headers)
    data = read_body(source, response, url, timeout)
    try:
        return json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise SourceError(f"{source}: garbage from {url}: not JSON ({data[:40]!r})") from None


def download(source: str, url: str, *, settings: Settings, timeout: float,
             headers: dict[str, str] | None = None) -> tuple[Path, str | None]:
    """Stream a file to a temporary path (never held in memory); returns (path, Last-Modified header).

    The caller deletes the file.
    """
    response = open_url(source, url, settings=settings, timeout=timeout, headers=headers)
    handle = tempfile.NamedTemporaryFile(prefix=f"kapdir-{source}-", delete=False)
    try:
        with response, handle:
            while chunk := response.read(1 << 20):
                handle.write(chunk)
    except BaseException:
        Path(handle.name).unlink(missing_ok=True)
        raise
    return Path(handle.name), response.headers.get("Last-Modified")
