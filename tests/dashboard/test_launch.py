"""`kapdir dashboard` and start_dashboard: a real Streamlit server on a free loopback port."""

import signal
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

from dashboard.launch import start_dashboard, stop_dashboard
from directory.errors import KapdirError
from tests.conftest import free_port

KAPDIR = [sys.executable, "-c", "from directory.cli import main; main()"]


def healthy(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as response:
            return response.read() == b"ok"
    except OSError:
        return False


def test_kapdir_dashboard_serves_prints_its_url_and_stops_on_sigterm(directory_db):
    port = free_port()
    process = subprocess.Popen([*KAPDIR, "dashboard", "--db", str(directory_db.path), "--port", str(port)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert process.stdout.readline().strip() == f"kapdir dashboard: http://localhost:{port}/ (Ctrl-C to stop)"
        deadline = time.monotonic() + 60
        while not healthy(port):
            assert time.monotonic() < deadline and process.poll() is None, process.stderr.read()
            time.sleep(0.3)
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 0
        time.sleep(0.5)
        assert not healthy(port)  # Streamlit went down with it
    finally:
        if process.poll() is None:
            process.kill()


def test_a_busy_port_is_a_one_line_error(directory_db):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = subprocess.run([*KAPDIR, "dashboard", "--db", str(directory_db.path), "--port", str(port)],
                                capture_output=True, text=True, timeout=60)
        with pytest.raises(KapdirError, match="not free"):
            start_dashboard(directory_db.url, port)
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        f"kapdir: error: port {port} on 127.0.0.1 is not free (Address already in use); choose another --port"
    ]


def test_start_dashboard_returns_once_it_answers(directory_db):
    port = free_port()
    process = start_dashboard(directory_db.url, port)
    try:
        assert healthy(port)
    finally:
        stop_dashboard(process)
    assert process.poll() is not None
