"""A tiny loopback HTTP server per source, with fault switches (down / 429 / slow / garbage / shrunk).

Each source's mirror is a ``Mirror`` subclass whose ``handle`` maps a ``Request`` to a ``Response``; the
server adds robots.txt, request counting and the fault behaviour, so every adapter meets the same failures.
"""

import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.cookies import SimpleCookie
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

FAULTS = ("down", "429", "429_once", "slow", "garbage", "shrunk")
GARBAGE = b"<html><body><h1>Service temporarily unavailable</h1><p>Please try again later.</p></body></html>"

# The day the mirrors say their data was published: a fixed distance before the day they run, so the sample
# world's board data is always within every source's cadence and freshness window (the LEIE's monthly edition,
# a 45-day staleness window), whenever the demo or the tests run.
EDITION = (datetime.now(UTC) - timedelta(days=12)).replace(hour=6, minute=0, second=0, microsecond=0)


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes
    cookies: dict[str, str]

    @property
    def form(self) -> dict[str, str]:
        return {k: v[-1] for k, v in urllib.parse.parse_qs(self.body.decode(errors="replace"),
                                                         keep_blank_values=True).items()}


@dataclass
class Response:
    status: int = 200
    body: bytes = b""
    content_type: str = "text/plain; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)


def text(body: str, content_type: str = "text/html; charset=utf-8", status: int = 200, **headers: str) -> Response:
    return Response(status=status, body=body.encode(), content_type=content_type, headers=dict(headers))


class Mirror:
    """Serves one source. Subclasses implement ``handle``; ``self.shrunk`` asks for a cut-down roster."""

    robots = "User-agent: *\nAllow: /\n"
    last_modified = format_datetime(EDITION, usegmt=True)
    shrunk_last_modified = format_datetime(EDITION + timedelta(days=2), usegmt=True)  # a cut-down roster is newer

    def __init__(self) -> None:
        self.fault: str | None = None
        self.slow_seconds = 3.0
        self.requests: list[tuple[str, str, dict[str, str]]] = []  # (method, path, headers)
        self.request_times: list[float] = []  # time.monotonic() of each request (politeness tests)
        self._lock = threading.Lock()
        self._throttled_once = False

    @property
    def shrunk(self) -> bool:
        return self.fault == "shrunk"

    def set_fault(self, fault: str | None) -> None:
        if fault is not None and fault not in FAULTS:
            raise ValueError(f"unknown fault {fault!r}; known: {', '.join(FAULTS)}")
        self.fault = fault
        self._throttled_once = False

    def paths_requested(self) -> list[str]:
        with self._lock:
            return [path for _method, path, _headers in self.requests]

    def handle(self, request: Request) -> Response:
        raise NotImplementedError

    def respond(self, request: Request) -> Response:
        with self._lock:
            self.requests.append((request.method, request.path, request.headers))
            self.request_times.append(time.monotonic())
        if request.path == "/robots.txt":
            return text(self.robots, "text/plain")
        if self.fault == "down":
            return text("<html><body>503 Service Unavailable</body></html>", status=503)
        if self.fault == "429" or (self.fault == "429_once" and not self._throttled_once):
            self._throttled_once = True
            return text('{"message": "Too many requests"}', "application/json", status=429, **{"Retry-After": "0"})
        if self.fault == "slow":
            time.sleep(self.slow_seconds)
        if self.fault == "garbage":
            return Response(body=GARBAGE, content_type="text/html; charset=utf-8")
        return self.handle(request)


def _handler_for(mirror: Mirror) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args) -> None:  # quiet: tests read mirror.requests instead
            return

        def _serve(self) -> None:
            parsed = urllib.parse.urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            cookies = SimpleCookie(self.headers.get("Cookie") or "")
            request = Request(
                method=self.command,
                path=parsed.path,
                query={k: v[-1] for k, v in urllib.parse.parse_qs(parsed.query, keep_blank_values=True).items()},
                headers={k.lower(): v for k, v in self.headers.items()},
                body=self.rfile.read(length) if length else b"",
                cookies={k: morsel.value for k, morsel in cookies.items()},
            )
            response = mirror.respond(request)
            try:
                self.send_response(response.status)
                self.send_header("Content-Type", response.content_type)
                self.send_header("Content-Length", str(len(response.body)))
                for name, value in response.headers.items():
                    self.send_header(name, value)
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(response.body)
            except (BrokenPipeError, ConnectionResetError):
                return  # the client gave up (a timeout test): nothing to answer

        do_GET = do_POST = do_HEAD = _serve

    return Handler


class MirrorServer:
    """One mirror on 127.0.0.1 with an ephemeral port, served from a daemon thread."""

    def __init__(self, mirror: Mirror, port: int = 0):
        self.mirror = mirror
        self.httpd = ThreadingHTTPServer(("127.0.0.1", port), _handler_for(mirror))
        self.httpd.daemon_threads = True
        self.httpd.block_on_close = False  # a "slow" fault may still be sleeping in a handler
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}"

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
