"""Start the Streamlit dashboard: in the foreground (`kapdir dashboard`) or in the background (tests, demo)."""

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

from directory.db import resolve_url, upgrade
from directory.errors import KapdirError

APP = Path(__file__).resolve().parent / "app.py"
DB_ENV = "KAPDIR_DASHBOARD_DB"  # a database URL or SQLite path, read by dashboard.data
HOST = "127.0.0.1"


def streamlit_command(port: int, *, address: str = HOST) -> list[str]:
    return [
        sys.executable, "-m", "streamlit", "run", str(APP),
        "--server.port", str(port), "--server.address", address, "--server.headless", "true",
        "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none", "--server.runOnSave", "false",
        "--global.developmentMode", "false", "--client.toolbarMode", "minimal",
        "--client.showErrorDetails", "none",  # no tracebacks (with SQL) to the public: app.py logs them
    ]


def dashboard_env(db_url: str) -> dict[str, str]:
    return {**os.environ, DB_ENV: db_url, "PYTHONUNBUFFERED": "1"}


def _require_free(port: int, address: str) -> None:
    with socket.socket() as sock:
        try:
            sock.bind((address, port))
        except OSError as exc:
            raise KapdirError(f"port {port} on {address} is not free ({exc.strerror}); choose another --port") from None


def _prepare(db_url: str) -> None:
    """Create or upgrade the schema now, so a bad database is a one-line error rather than a broken page."""
    upgrade(db_url)


def serve(db: str | Path | None, port: int, *, address: str = HOST) -> None:
    """`kapdir dashboard`: run Streamlit on `port`, print its URL, block until Ctrl-C."""
    db_url = resolve_url(db)
    _require_free(port, address)
    _prepare(db_url)
    process = subprocess.Popen(streamlit_command(port, address=address), env=dashboard_env(db_url),
                               stdout=subprocess.DEVNULL)
    print(f"kapdir dashboard: http://{'localhost' if address == HOST else address}:{port}/ (Ctrl-C to stop)",
          flush=True)
    previous = signal.signal(signal.SIGTERM, _exit_on_sigterm)
    try:
        code = process.wait()
    except (KeyboardInterrupt, SystemExit):  # Ctrl-C or a service manager's SIGTERM: stop Streamlit too
        stop_dashboard(process)
        return
    finally:
        signal.signal(signal.SIGTERM, previous)
    if code != 0:
        raise KapdirError(f"the dashboard stopped with exit code {code}")


def _exit_on_sigterm(_signum, _frame) -> None:
    raise SystemExit(0)


def wait_until_healthy(port: int, process: subprocess.Popen, *, timeout_s: float = 60.0) -> None:
    deadline = time.monotonic() + timeout_s
    url = f"http://{HOST}:{port}/_stcore/health"
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise KapdirError(f"the dashboard exited with code {process.returncode} before answering")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.25)
    raise KapdirError(f"the dashboard did not answer on port {port} within {timeout_s:.0f} s")


def start_dashboard(db_url: str, port: int, *, extra_env: dict[str, str] | None = None,
                    timeout_s: float = 60.0) -> subprocess.Popen:
    """Start the dashboard in the background on 127.0.0.1:`port` and return once it answers.

    The caller stops it with `stop_dashboard(process)`. Its output goes to a temporary log file
    (`process.log_path`) so a full pipe can never stall it.
    """
    _require_free(port, HOST)
    _prepare(db_url)
    log = tempfile.NamedTemporaryFile(prefix="kapdir-dashboard-", suffix=".log", delete=False)  # noqa: SIM115
    process = subprocess.Popen(streamlit_command(port), env={**dashboard_env(db_url), **(extra_env or {})},
                               stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    log.close()
    process.log_path = Path(log.name)
    try:
        wait_until_healthy(port, process, timeout_s=timeout_s)
    except KapdirError:
        stop_dashboard(process)
        raise
    return process


def stop_dashboard(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
