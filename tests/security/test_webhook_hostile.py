"""A webhook receiver that answers one byte at a time (slowloris in reverse), real HTTP on loopback.

http.client's timeout bounds each read, so a receiver that drips a header byte every half second used to hold
``post_json`` (and `kapdir refresh`, which delivers last) for as long as it kept dripping: here a minute.
Now the whole exchange is bounded by the timeout.
"""

import socket
import threading
import time

import pytest

from directory.changes.webhook import post_json
from directory.settings import get_settings


@pytest.fixture
def dripping_receiver(monkeypatch):
    monkeypatch.setenv("KAPDIR_ALLOW_PRIVATE_HOSTS", "true")
    get_settings.cache_clear()
    listener = socket.create_server(("127.0.0.1", 0))
    stop = threading.Event()

    def answer() -> None:
        connection, _ = listener.accept()
        with connection:
            request = b""
            while not request.endswith(b"\r\n\r\n{}"):  # the whole POST (headers, then its body)
                request += connection.recv(65536)
            connection.sendall(b"HTTP/1.1 204 No Content\r\nX-Drip: ")
            deadline = time.monotonic() + 60
            while not stop.is_set() and time.monotonic() < deadline:
                try:
                    connection.sendall(b"a")
                except OSError:
                    return  # the client hung up: what it should do
                time.sleep(0.5)

    thread = threading.Thread(target=answer, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}/hook"
    stop.set()
    listener.close()
    get_settings.cache_clear()


def test_a_receiver_that_drips_its_answer_is_cut_off_at_the_timeout(dripping_receiver):
    started = time.monotonic()
    ok, error = post_json(dripping_receiver, b"{}", 1, timeout=2.0)
    took = time.monotonic() - started
    assert not ok and "no complete answer within 2 s" in error, error
    assert took < 6, f"the delivery took {took:.1f} s"
