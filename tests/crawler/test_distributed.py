"""Distributed mode: a real redis-server on loopback, two worker processes sharing one crawl of the sample web."""

import shutil
import subprocess
import time
from collections import Counter

import pytest
import redis
from sqlmodel import Session, select

from crawler.run import run_crawl
from directory.db import open_database, resolve_url
from directory.models import Clinician, FetchLog, Practice, ServiceArea
from directory.sample_world.schema import World
from directory.sample_world.web import start_sample_web
from directory.sample_world.world import load_world
from directory.vocab import FetchOutcome
from tests.conftest import free_port
from tests.crawler.conftest import FAST

# No timeouts on a loaded machine: a retried request would be fetched twice and blur "exactly once".
PATIENT = {**FAST, "download_timeout": 60}

pytestmark = pytest.mark.redis


@pytest.fixture
def redis_url():
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("redis-server is not installed")
    port = free_port()
    server = subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"redis://127.0.0.1:{port}/0"
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                redis.Redis.from_url(url).ping()
                break
            except redis.ConnectionError:
                if time.monotonic() > deadline:
                    pytest.fail("redis-server did not start")
                time.sleep(0.1)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=10)


def directory_state(db) -> dict:
    with Session(open_database(db)) as session:
        keys = {p.id: p.key for p in session.exec(select(Practice))}
        return {
            "practices": set(keys.values()),
            "clinicians": {(keys[c.practice_id], c.key) for c in session.exec(select(Clinician))},
            "areas": {(keys[a.practice_id], a.state, a.in_person, a.virtual)
                      for a in session.exec(select(ServiceArea))},
        }


def _ten_practices(*, with_robots_rules: bool) -> World:
    full = load_world()
    ruled = [p for p in full.practices if p.robots_disallow]
    plain = [p for p in full.practices if not p.robots_disallow]
    chosen = (ruled + plain) if with_robots_rules else plain
    return World(practices=chosen[:10], listing_host=full.listing_host)


def test_two_workers_fetch_every_page_once_and_store_what_one_process_stores(tmp_path, redis_url):
    # Sites without robots.txt rules: exactly-once counting; the robots rules under two workers are the next test's.
    world = _ten_practices(with_robots_rules=False)
    with start_sample_web(world) as web:
        single = run_crawl(resolve_url(tmp_path / "single.db"), web.seeds, proxy=web.proxy_url, overrides=PATIENT)
        web_hits_single = len([h for h in web.fetched() if h.path != "/robots.txt"])
        start = len(web.fetched())
        shared = run_crawl(resolve_url(tmp_path / "shared.db"), web.seeds, proxy=web.proxy_url, overrides=PATIENT,
                           redis_url=redis_url, workers=2)
        hits = [(h.host, h.path) for h in web.fetched()[start:] if h.path != "/robots.txt"]
    assert single["status"] == shared["status"] == "finished", shared["message"]
    assert shared["pages"] == single["pages"] and shared["new"] == single["new"]
    # Every page (robots.txt aside: each worker reads it once per site) was fetched exactly once.
    assert hits and Counter(hits).most_common(1)[0][1] == 1
    assert len(hits) == web_hits_single
    with Session(open_database(tmp_path / "shared.db")) as session:
        logs = session.exec(select(FetchLog)).all()
    urls = [log.url for log in logs]
    # A link that robots.txt disallows is logged once and never fetched: not a page.
    fetched = [log for log in logs if log.outcome != FetchOutcome.ROBOTS_DISALLOWED]
    assert len(urls) == len(set(urls)) and len(fetched) == shared["pages"]
    assert directory_state(tmp_path / "shared.db") == directory_state(tmp_path / "single.db")
    assert len(directory_state(tmp_path / "shared.db")["practices"]) == 10
    assert not redis.Redis.from_url(redis_url).keys("kapdir:*")  # the run's keys are cleaned up


def test_two_workers_never_fetch_what_robots_txt_disallows(tmp_path, redis_url):
    world = _ten_practices(with_robots_rules=True)
    disallowed = {(p.host, rule) for p in world.practices for rule in p.robots_disallow}
    with start_sample_web(world) as web:
        for attempt in range(3):  # requests waiting together for robots.txt: timing-dependent, so three runs
            start = len(web.fetched())
            run_crawl(resolve_url(tmp_path / f"shared{attempt}.db"), web.seeds, proxy=web.proxy_url, overrides=PATIENT,
                      redis_url=redis_url, workers=2)
            hits = {(h.host, h.path) for h in web.fetched()[start:]}
            assert not {(host, path) for host, path in hits for domain, rule in disallowed
                        if host == domain and path.startswith(rule)}


def test_unreachable_redis_is_a_one_line_error_and_a_failed_run(tmp_path):
    from directory.errors import KapdirError
    from directory.models import CrawlRun

    with pytest.raises(KapdirError, match="cannot reach Redis"):
        run_crawl(resolve_url(tmp_path / "x.db"), ["http://calm.example/"], redis_url=f"redis://127.0.0.1:{free_port()}/0")
    with Session(open_database(tmp_path / "x.db")) as session:
        run = session.exec(select(CrawlRun)).one()
    assert run.status == "failed" and "cannot reach Redis" in run.message
