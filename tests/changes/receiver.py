"""A webhook receiver on loopback (http.server): records every POST; can fail the first N with HTTP 500."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Receiver:
    def __init__(self, fail_first: int = 0):
        self.posts: list[dict] = []  # {"headers": {...}, "body": parsed JSON, "status": answered}
        self.fail_first = fail_first
        self.down = False
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                failing = owner.down or owner.fail_first > 0
                if owner.fail_first > 0:
                    owner.fail_first -= 1
                status = 500 if failing else 204
                owner.posts.append({"headers": dict(self.headers), "body": json.loads(body), "status": status})
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hooks/kapdir?token=s3cret"

    @property
    def delivered(self) -> list[dict]:
        return [post["body"] for post in self.posts if post["status"] == 204]

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
