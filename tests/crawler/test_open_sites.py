"""KAPDIR_OPEN_SITES: a one-process crawl works on so many sites at a time, so sites finish (and are stored) all
through the crawl instead of all at its end; what it stores does not depend on the limit."""

import pytest

from crawler.run import run_crawl
from directory.db import resolve_url
from directory.sample_world.web import start_sample_web
from directory.sample_world.world import synthetic_world
from tests.crawler.conftest import FAST
from tests.crawler.dbstate import crawl_state

SITES = 5


@pytest.mark.timeout(600)
def test_one_site_at_a_time_crawls_each_site_whole_and_stores_the_same(tmp_path):
    with start_sample_web(synthetic_world(SITES)) as web:
        one_at_a_time = resolve_url(tmp_path / "one.db")
        summary = run_crawl(one_at_a_time, web.seeds, proxy=web.proxy_url,
                            overrides={**FAST, "KAPDIR_OPEN_SITES": 1})
        hosts = [hit.host for hit in web.fetched()]
        web.reset()
        unlimited = resolve_url(tmp_path / "all.db")
        assert run_crawl(unlimited, web.seeds, proxy=web.proxy_url,
                         overrides={**FAST, "KAPDIR_OPEN_SITES": 0})["practices"] == SITES
        unlimited_hosts = [hit.host for hit in web.fetched()]
    assert summary["status"] == "finished" and summary["practices"] == SITES
    # Each site's requests (robots.txt, home page, sitemap, links) form one unbroken run: the next site opened only
    # when the last one had finished.
    runs = [host for n, host in enumerate(hosts) if n == 0 or hosts[n - 1] != host]
    assert len(runs) == len(set(runs)) == SITES, runs
    unlimited_runs = [host for n, host in enumerate(unlimited_hosts) if n == 0 or unlimited_hosts[n - 1] != host]
    assert len(unlimited_runs) > SITES  # (without the limit the sites are crawled side by side)
    assert crawl_state(one_at_a_time) == crawl_state(unlimited)
