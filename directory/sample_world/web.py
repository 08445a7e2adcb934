"""The sample web: one loopback HTTP server that serves every sample-world site, dispatching on the host.

It answers both proxy-form requests (``GET http://calm.example/team HTTP/1.1``, as Scrapy sends them through
an HTTP proxy, which keeps per-domain politeness intact) and origin-form requests with a ``Host`` header.
Pages carry ETag and Last-Modified and conditional requests get 304, so a re-crawl refetches little.
Tests can take a host down (503, or a dropped connection) and change or remove a page at runtime.

    with start_sample_web() as web:
        web.proxy_url, web.seeds, web.listing_url

    python -m directory.sample_world.web --port 8800
"""

import argparse
import hashlib
import threading
from collections import deque
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

from directory.sample_world.schema import TruePractice, World
from directory.sample_world.sites import HTML, Site, listing_page_path, render_listing, render_site

MAX_HITS = 500_000  # the request log keeps the latest answers only, so a long-running demo stays small

# Every page of the bundled world was "last modified" at this instant unless overridden at runtime.
PUBLISHED_AT = datetime(2026, 11, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Resource:
    content_type: str
    body: bytes
    last_modified: datetime

    @property
    def etag(self) -> str:
        return '"' + hashlib.sha1(self.body, usedforsecurity=False).hexdigest()[:20] + '"'


@dataclass(frozen=True)
class Hit:
    """One request the server answered (for tests: what was fetched, and how)."""

    method: str
    host: str
    path: str
    status: int
    proxied: bool


def _split_target(target: str, host_header: str | None) -> tuple[str, str, bool]:
    """(host, path with query, proxied) from a request target in absolute or origin form."""
    if target.startswith(("http://", "https://")):
        parts = urlsplit(target)
        host, path, proxied = parts.hostname or "", parts.path or "/", True
        if parts.query:
            path += "?" + parts.query
        return host.lower(), path, proxied
    host = (host_header or "").strip().lower()
    if host.startswith("["):  # [::1]:port
        host = host.split("]")[0] + "]"
    else:
        host = host.split(":")[0]
    return host, target or "/", False


class SampleWeb:
    """Serves a World's websites and its directory listing; see the module docstring."""

    def __init__(self, world: World, host: str = "127.0.0.1", port: int = 0):
        self.world = world
        self._practices: dict[str, TruePractice] = {p.host: p for p in world.practices}
        self._rendered: dict[str, Site] = {}  # host -> site, rendered on first request
        self._overrides: dict[tuple[str, str], Resource | None] = {}  # None: page removed (404)
        self._down: dict[str, str] = {}  # host -> "503" | "drop"
        self._lock = threading.Lock()
        self.hits: deque[Hit] = deque(maxlen=MAX_HITS)
        handler = type("SampleWebHandler", (_Handler,), {"web": self})
        self._server = _Server((host, port), handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, name="sample-web", daemon=True)
        self._thread.start()

    # -- addresses --
    @property
    def port(self) -> int:
        return self._server.server_address[1]

    @property
    def proxy_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def seeds(self) -> list[str]:
        return [p.url for p in self.world.practices]

    @property
    def listing_url(self) -> str:
        return f"http://{self.world.listing_host}{listing_page_path(1)}"

    @property
    def hosts(self) -> list[str]:
        return [*self._practices, self.world.listing_host]

    # -- runtime changes for tests --
    def set_down(self, host: str, down: bool = True, mode: str = "503") -> None:
        """Take a host down: "503" answers 503 with Retry-After, "drop" closes the connection unanswered."""
        if mode not in ("503", "drop"):
            raise ValueError(f"unknown down mode {mode!r}")
        with self._lock:
            if down:
                self._down[host.lower()] = mode
            else:
                self._down.pop(host.lower(), None)

    def override(self, url: str, content: str | bytes | None, content_type: str = HTML) -> None:
        """Replace one page's content from now on (new ETag and Last-Modified); ``None`` removes the page (404)."""
        host, path, _ = _split_target(url, None)
        key = (host, path)
        with self._lock:
            if content is None:
                self._overrides[key] = None
            else:
                body = content.encode("utf-8") if isinstance(content, str) else content
                self._overrides[key] = Resource(content_type, body, datetime.now(UTC).replace(microsecond=0))

    def restore(self, url: str) -> None:
        """Undo ``override`` for one URL."""
        host, path, _ = _split_target(url, None)
        with self._lock:
            self._overrides.pop((host, path), None)

    def reset(self) -> None:
        """Forget overrides, down hosts and the request log."""
        with self._lock:
            self._overrides.clear()
            self._down.clear()
            self.hits.clear()

    def fetched(self, host: str | None = None) -> list[Hit]:
        with self._lock:
            return [h for h in self.hits if host is None or h.host == host]

    # -- lookup --
    def _site(self, host: str) -> Site | None:
        with self._lock:
            site = self._rendered.get(host)
        if site is not None:
            return site
        if host == self.world.listing_host:
            site = render_listing(self.world)
        elif host in self._practices:
            site = render_site(self._practices[host])
        else:
            return None
        with self._lock:
            return self._rendered.setdefault(host, site)

    def resolve(self, host: str, path: str) -> Resource | None:
        with self._lock:
            if (host, path) in self._overrides:
                return self._overrides[(host, path)]
        site = self._site(host)
        if site is None:
            return None
        found = site.get(path)
        if found is None and "?" in path:  # tracking parameters and the like: serve the plain page
            found = site.get(path.split("?", 1)[0])
        if found is None:
            return None
        content_type, body = found
        return Resource(content_type, body, PUBLISHED_AT)

    def redirect_for(self, host: str, path: str) -> str | None:
        """Like WordPress: a missing trailing slash gets a 301 to the slashed page, when that page exists."""
        plain, _, query = path.partition("?")
        if plain.endswith("/"):
            return None
        site = self._site(host)
        slashed = plain + "/"
        if site is None or slashed not in site:
            return None
        return f"http://{host}{slashed}" + (f"?{query}" if query else "")

    def down_mode(self, host: str) -> str | None:
        with self._lock:
            return self._down.get(host)

    def record(self, hit: Hit) -> None:
        with self._lock:
            self.hits.append(hit)

    # -- lifecycle --
    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=10)

    def __enter__(self) -> "SampleWeb":
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


class _Server(ThreadingHTTPServer):
    # The default listen backlog (5) overflows when a crawl opens dozens of connections at once and the accept
    # thread is slow to run (a busy machine): the kernel drops the connection and the client retries it a second or
    # more later, so crawl timings measured the server's backlog, not the crawler.
    request_queue_size = 256


class _Handler(BaseHTTPRequestHandler):
    web: SampleWeb
    protocol_version = "HTTP/1.1"
    # Headers and body go out in separate writes; without TCP_NODELAY, Nagle plus delayed ACKs stall
    # every keep-alive response by ~40 ms.
    disable_nagle_algorithm = True
    server_version = "kapdir-sample-web/1"

    def log_message(self, format: str, *args: object) -> None:
        return  # quiet: tests and benchmarks make thousands of requests

    def do_GET(self) -> None:
        self._answer(send_body=True)

    def do_HEAD(self) -> None:
        self._answer(send_body=False)

    def _answer(self, send_body: bool) -> None:
        host, path, proxied = _split_target(self.path, self.headers.get("Host"))
        down = self.web.down_mode(host)
        if down == "drop":
            self.web.record(Hit(self.command, host, path, 0, proxied))
            self.close_connection = True
            return
        headers: dict[str, str] = {}
        if down == "503":
            status, content_type, body = 503, "text/plain; charset=utf-8", b"Service temporarily unavailable\n"
            headers["Retry-After"] = "120"
        else:
            resource = self.web.resolve(host, path)
            redirect = self.web.redirect_for(host, path) if resource is None else None
            if redirect is not None:
                status, content_type, body = 301, HTML, b"<html><body>Moved</body></html>"
                headers["Location"] = redirect
            elif resource is None:
                status, content_type, body = 404, HTML, b"<html><body><h1>Not found</h1></body></html>"
            else:
                headers = self._validators(resource)
                status, content_type, body = 200, resource.content_type, resource.body
                if self._not_modified(resource):
                    status, content_type, body = 304, None, b""
        # Logged before answering, so a client that has its response always finds the hit recorded.
        self.web.record(Hit(self.command, host, path, status, proxied))
        self._send(status, content_type, body, send_body, headers)

    @staticmethod
    def _validators(resource: Resource) -> dict[str, str]:
        return {"ETag": resource.etag, "Last-Modified": format_datetime(resource.last_modified, usegmt=True)}

    def _not_modified(self, resource: Resource) -> bool:
        if_none_match = self.headers.get("If-None-Match")
        if if_none_match is not None:
            tags = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
            return resource.etag in tags or "*" in tags
        since = self.headers.get("If-Modified-Since")
        if since:
            try:
                return resource.last_modified <= parsedate_to_datetime(since)
            except (TypeError, ValueError):
                return False
        return False

    def _send(self, status: int, content_type: str | None, body: bytes, send_body: bool,
              headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        if content_type:
            self.send_header("Content-Type", content_type)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)) if status != 304 else "0")
        self.end_headers()
        if send_body and status != 304:
            self.wfile.write(body)


def start_sample_web(world: World | None = None, port: int = 0) -> SampleWeb:
    """Serve ``world`` (default: the bundled sample world) on 127.0.0.1; port 0 picks a free one."""
    if world is None:
        from directory.sample_world.world import load_world

        world = load_world()
    return SampleWeb(world, port=port)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Serve the kapdir sample web on loopback.")
    parser.add_argument("--port", type=int, default=0, help="port to listen on (default: any free port)")
    parser.add_argument("--synthetic", type=int, default=0, metavar="N",
                        help="serve a generated world of N sites instead of the bundled one")
    args = parser.parse_args(argv)
    from directory.sample_world.world import load_world, synthetic_world

    world = synthetic_world(args.synthetic) if args.synthetic else load_world()
    web = start_sample_web(world, port=args.port)
    print(f"sample web: {len(web.seeds)} sites on {web.proxy_url} (use it as an HTTP proxy)")
    print(f"listing: {web.listing_url}")
    print(f"e.g. curl -x {web.proxy_url} {web.seeds[0]}")
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        web.stop()


if __name__ == "__main__":
    main()
