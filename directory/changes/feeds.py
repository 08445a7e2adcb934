"""`kapdir feeds serve`: a small HTTP server for the Atom feeds (Streamlit cannot answer with raw XML).

    GET /feeds/all.atom               every change event of the last 90 days (the newest 200)
    GET /feeds/watch/<token>.atom     the events of one watch list's practices (the token is random)

Loopback by default; read-only; each request opens its own database session.
"""

import re
from datetime import timedelta
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from directory.changes.atom import render_atom
from directory.changes.events import derive_events
from directory.changes.watch import watch_by_token, watched_practice_ids
from directory.db import session_scope
from directory.errors import KapdirError
from directory.settings import get_settings
from directory.timeutil import utcnow

FEED_HORIZON = timedelta(days=90)  # a feed reader polls often: each request reads only the recent records
WATCH_PATH = re.compile(r"^/feeds/watch/([A-Za-z0-9_-]{8,64})\.atom$")
ALL_PATH = "/feeds/all.atom"


def feed_url(token: str | None = None, base: str | None = None) -> str:
    """The URL users subscribe to: one watch list's feed, or the whole directory's (``token`` None)."""
    base = (base or get_settings().feed_base_url).rstrip("/")
    return f"{base}{ALL_PATH}" if token is None else f"{base}/feeds/watch/{token}.atom"


def feed_document(engine: Engine, path: str, base: str | None = None) -> bytes | None:
    """The Atom document served at ``path``, or None when no feed lives there."""
    since = utcnow() - FEED_HORIZON
    with session_scope(engine) as session:
        if path == ALL_PATH:
            return render_atom(derive_events(session, since=since), title="kapdir: what changed", feed_id="all",
                               self_url=feed_url(None, base))
        match = WATCH_PATH.match(path)
        watch = watch_by_token(session, match.group(1)) if match else None
        if watch is None:
            return None
        events = derive_events(session, since=since, practice_ids=watched_practice_ids(session, watch))
        # The title names the list, not the person: the name may be an e-mail and feeds get shared.
        return render_atom(events, title="kapdir: what changed at the practices you watch",
                           feed_id=f"watch/{watch.feed_token}", self_url=feed_url(watch.feed_token, base))


def make_server(engine: Engine, host: str, port: int, base: str | None = None) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        server_version = "kapdir-feeds"

        def log_message(self, *args) -> None:  # quiet: a feed reader polls often
            pass

        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            try:
                document = feed_document(engine, urlsplit(self.path).path, base)
            except (KapdirError, SQLAlchemyError):
                self._send(HTTPStatus.SERVICE_UNAVAILABLE, b"database unavailable\n", "text/plain; charset=utf-8")
                return
            if document is None:
                self._send(HTTPStatus.NOT_FOUND, b"no feed here\n", "text/plain; charset=utf-8")
            else:
                self._send(HTTPStatus.OK, document, "application/atom+xml; charset=utf-8")

        def _send(self, status: HTTPStatus, body: bytes, content_type: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("X-Content-Type-Options", "nosniff")
            self.send_header("Cache-Control", "max-age=60")
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer((host, port), Handler)
    server.daemon_threads = True
    return server
