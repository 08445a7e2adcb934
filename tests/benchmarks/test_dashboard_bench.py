"""Dashboard benchmarks: a filtered state search on 50,000 clinicians (SQLite and PostgreSQL), and time to first
results in a browser.

Run with `.venv/bin/pytest tests/benchmarks/test_dashboard_bench.py --benchmark-only`. Results are reported
in docs/benchmarks.md (## Dashboard). KAPDIR_BENCH_CLINICIANS scales the generated directory down. The
PostgreSQL runs start a throwaway server (tests/conftest.py `postgres_url`) and skip where none is installed.
"""

import os
import re
import time

import pytest
from sqlalchemy import text

from directory.db import get_engine, open_database, resolve_url, session_scope, upgrade
from directory.queries import search_practices
from tests.browser import CHROMIUM, chromium
from tests.conftest import free_port
from tests.dashboard.builder import build_bulk, build_directory

CLINICIANS = int(os.environ.get("KAPDIR_BENCH_CLINICIANS", "50000"))

SEARCHES = {
    "virtual_plain": {"state": "CA", "mode": "virtual"},
    "virtual_filtered": {"state": "CA", "mode": "virtual", "routes": ["iv", "im"], "therapy_included": True,
                         "verified_only": True, "price_max": 900, "sort": "best"},
    "in_person_near_zip": {"state": "TX", "mode": "in_person", "near": "78701", "radius_miles": 50,
                           "settings": ["clinic"], "prescriber": "either", "sort": "distance"},
}


MATCHES: dict[str, dict[str, int]] = {}  # search -> backend -> matches: both backends must find the same


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def big_directory(request, tmp_path_factory):
    """The same generated directory in a migrated SQLite file and in a migrated PostgreSQL database."""
    if request.param == "postgresql":
        url = request.getfixturevalue("postgres_url")
        upgrade(url)
        engine = get_engine(url)
        assert engine.dialect.name == "postgresql"
    else:
        engine = open_database(tmp_path_factory.mktemp("bench") / "big.db")
    build_bulk(engine, clinicians=CLINICIANS)
    if request.param == "postgresql":
        with engine.begin() as connection:  # what autovacuum does within a minute of a bulk load
            connection.execute(text("ANALYZE"))
    return request.param, engine


@pytest.mark.parametrize("name", list(SEARCHES))
def test_state_search(benchmark, big_directory, name):
    backend, engine = big_directory

    def search():
        with session_scope(engine) as session:
            return search_practices(session, **SEARCHES[name])

    benchmark.group = f"state search: {name}"  # SQLite and PostgreSQL side by side
    result = benchmark.pedantic(search, rounds=15, warmup_rounds=2)
    assert result.total > 0 and result.cards
    MATCHES.setdefault(name, {})[backend] = result.total
    assert len(set(MATCHES[name].values())) == 1, MATCHES[name]
    benchmark.extra_info.update({"backend": backend, "clinicians": CLINICIANS, "matches": result.total})


@pytest.mark.browser
@pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed at /usr/bin/chromium")
def test_time_to_first_results_in_the_browser(benchmark, tmp_path):
    """From navigating to ?state=..&mode=virtual until the first result card is on screen."""
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
        with chromium() as browser:
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
    finally:
        stop_dashboard(server)
