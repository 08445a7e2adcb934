"""Plain HTTP for roster and API sources (stdlib urllib): identify, time out, back off on HTTP 429.

Every failure becomes a one-line ``SourceError`` naming the source, so a sync run can record it and keep the
previous records.
"""

import json
import shutil
import socket
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from http.client import HTTPException, HTTPResponse
from pathlib import Path
from typing import Any

from directory import egress
from directory.errors import SourceError
from directory.settings import Settings


class NotModified(Exception):
    """HTTP 304: the file has not changed since the If-Modified-Since date."""


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


def open_url(source: str, url: str, *, settings: Settings, timeout: float, method: str = "GET",
             body: bytes | None = None, headers: dict[str, str] | None = None) -> HTTPResponse:
    """Open ``url``; retry HTTP 429 honouring Retry-After up to settings.board_max_retries; raise SourceError."""
    all_headers = {"User-Agent": settings.effective_user_agent, "Accept": "*/*", **(headers or {})}
    for attempt in range(settings.board_max_retries + 1):
        request = urllib.request.Request(url, data=body, headers=all_headers, method=method)
        try:
            return egress.urlopen(request, timeout=timeout)  # the egress policy checks every hop
        except urllib.error.HTTPError as exc:
            if exc.code == 304:
                exc.close()
                raise NotModified(url) from None
            if exc.code == 429 and attempt < settings.board_max_retries:
                wait = _retry_after(exc.headers.get("Retry-After"), attempt, settings.board_backoff_cap_s)
                exc.close()
                time.sleep(wait)
                continue
            exc.close()
            if exc.code == 429:
                raise SourceError(f"{source}: throttled (HTTP 429) after {attempt + 1} attempts") from None
            raise SourceError(f"{source}: HTTP {exc.code} from {url}") from None
        except TimeoutError:
            raise SourceError(f"{source}: no answer within {timeout:g}s from {url}") from None
        except urllib.error.URLError as exc:
            if isinstance(exc.reason, TimeoutError | socket.timeout):
                raise SourceError(f"{source}: no answer within {timeout:g}s from {url}") from None
            raise SourceError(f"{source}: cannot reach {url} ({exc.reason})") from None
        except (HTTPException, OSError) as exc:
            raise SourceError(f"{source}: connection failed for {url} ({exc})") from None
    raise SourceError(f"{source}: throttled (HTTP 429)")  # unreachable: the loop returns or raises


def read_body(source: str, response: HTTPResponse, url: str, timeout: float) -> bytes:
    try:
        with response:
            return response.read()
    except TimeoutError:
        raise SourceError(f"{source}: no answer within {timeout:g}s from {url}") from None
    except (HTTPException, OSError) as exc:
        raise SourceError(f"{source}: connection broke while reading {url} ({exc})") from None


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
            shutil.copyfileobj(response, handle, length=1 << 20)
    except TimeoutError:
        Path(handle.name).unlink(missing_ok=True)
        raise SourceError(f"{source}: no answer within {timeout:g}s from {url}") from None
    except (HTTPException, OSError) as exc:
        Path(handle.name).unlink(missing_ok=True)
        raise SourceError(f"{source}: connection broke while reading {url} ({exc})") from None
    return Path(handle.name), response.headers.get("Last-Modified")
