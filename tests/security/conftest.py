"""Loopback servers for the security tests: each records the paths it was asked for."""

import threading
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.conftest import free_port
from tests.dashboard.conftest import directory_db  # noqa: F401 - the dashboard's test directory, for these tests too


class Recorder(BaseHTTPRequestHandler):
    routes: dict[str, tuple[int, dict[str, str], str | bytes]] = {}
    hits: list[str]

    def do_GET(self):  # noqa: N802 - http.server's name
        self.hits.append(self.path)
        status, headers, body = self.routes.get(self.path, (404, {}, "not here"))
        data = body if isinstance(body, bytes) else body.encode()
        self.send_response(status)
        for name, value in {"Content-Type": "text/html; charset=utf-8", **headers}.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


@contextmanager
def serve(address: str, port: int, routes: dict):
    handler = type("Handler", (Recorder,), {"routes": routes, "hits": []})
    server = ThreadingHTTPServer((address, port), handler)
    server.handle_error = lambda request, client_address: None  # a crawler that drops a bomb midway resets
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield handler.hits
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def two_hosts():
    """One port free on both 127.0.0.1 (the practice) and 127.0.0.2 (the 'metadata service')."""
    for _ in range(20):
        port = free_port()
        try:
            with serve("127.0.0.2", port, {}):
                pass
        except OSError:
            continue
        return port
    pytest.skip("no port free on both 127.0.0.1 and 127.0.0.2")
