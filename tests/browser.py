"""What the browser tests share: Debian's chromium driven by Playwright, and `kapdir dashboard` serving a database."""

import contextlib
from collections.abc import Iterator
from pathlib import Path

import pytest

from dashboard.launch import start_dashboard, stop_dashboard
from tests.conftest import free_port

CHROMIUM = Path("/usr/bin/chromium")
LAUNCH_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync"]
WAIT_MS = 30_000


def skip_without_chromium() -> None:
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed at /usr/bin/chromium", allow_module_level=True)


@contextlib.contextmanager
def chromium() -> Iterator:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
        yield browser
        browser.close()


@contextlib.contextmanager
def dashboard(db_url: str, admin_password: str, data_dir: Path) -> Iterator[str]:
    """`kapdir dashboard` on a free port (private hosts refused, as for a user); yields its base URL."""
    port = free_port()
    process = start_dashboard(db_url, port, extra_env={
        "KAPDIR_ADMIN_PASSWORD": admin_password, "KAPDIR_ALLOW_PRIVATE_HOSTS": "false",
        "KAPDIR_DATA_DIR": str(data_dir),
    })
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        stop_dashboard(process)
