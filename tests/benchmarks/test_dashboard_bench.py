"""Dashboard benchmarks: a filtered state search on 50,000 clinicians, and time to first results in a browser.

Run with `.venv/bin/pytest tests/benchmarks/test_dashboard_bench.py --benchmark-only`. Results are reported
in docs/benchmarks.md (## Dashboard). KAPDIR_BENCH_CLINICIANS scales the generated directory down.
"""

import os
import re
import time
from pathlib import Path

import pytest

from directory.db import open_database, resolve_url, session_scope
from directory.queries import search_practices
from tests.conftest import free_port
from tests.dashboard.builder import build_bulk, build_directory

CLINICIANS = int(os.environ.get("KAPDIR_BENCH_CLINICIANS", "50000"))
CHROMIUM = Path("/usr/bin/chromium")

SEARCHES = {
    "virtual_plain": {"state": "CA", "mode": "virtual"},
    "virtual_filtered": {"state": "CA", "mode": "virtual", "routes": ["iv", "im"], "therapy_included": True,
                         "verified_only": True, "price_max": 900, "sort": "best"},
    "in_person_near_zip": {"state": "TX", "mode": "in_person", "near": "78701", "radius_miles": 50,
                           "settings": ["clinic"], "prescriber": "either", "sort": "distance"},
}


@pytest.fixture(scope="module")
def big_directory(tmp_path_factory):
    engine = open_database(tmp_path_factory.mktemp("bench") / "big.db")
    build_bulk(engine, clinicians=CLINICIANS)
    return engine


@pytest.mark.parametrize("name", list(SEARCHES))
def test_state_search(benchmark, big_directory, name):
    def search():
        with session_scope(big_directory) as session:
            return search_practices(session, **SEARCHES[name])

    result = benchmark.pedantic(search, rounds=15, warmup_rounds=2)
    assert result.total > 0 and result.cards
    benchmark.extra_info.update({"clinicians": CLINICIANS, "matches": result.total})


@pytest.mark.browser
@pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed at /usr/bin/chromium")
def test_time_to_first_results_in_the_browser(benchmark, tmp_path):
    """From navigating to ?state=..&mode=virtual until the first result card is on screen."""
    from playwright.sync_api import sync_playwright

    from dashboard.launch import start_dashboard, stop_dashboard

    demo = os.environ.get("KAPDIR_TEST_DEMO_DB")
    if demo:
        db_url = demo if "://" in demo else resolve_url(demo)
    else:
        path = tmp_path / "demo-like.db"
        build_directory(open_database(path))
        db_url = resolve_url(path)
    port = free_port()
    server = start_dashboard(db_url, port)
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=[
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync"])
            states = iter(["FL", "CT", "TX", "MD", "VA", "NM", "FL", "CT", "TX", "MD", "VA", "NM"] * 4)

            def first_results():
                page = browser.new_page()
                started = time.monotonic()
                page.goto(f"http://127.0.0.1:{port}/?state={next(states)}&mode=virtual")
                page.get_by_text(re.compile(r"\d+ practices? offers?")).wait_for(timeout=60_000)
                elapsed = time.monotonic() - started
                page.close()
                return elapsed

            benchmark.pedantic(first_results, rounds=8, warmup_rounds=1)
            browser.close()
    finally:
        stop_dashboard(server)
