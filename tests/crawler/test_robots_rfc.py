"""robots.txt as RFC 9309 says, over real HTTP (loopback): a robots.txt that fails with a server or network error
means "crawl nothing" (2.3.1.4), a 4xx means "no rules" (2.3.1.3), and a Crawl-delay spaces a host's requests."""

from itertools import pairwise

from sqlmodel import Session, select

from crawler.run import run_crawl
from directory.db import open_database, resolve_url
from directory.models import FetchLog, Practice, SourcePage
from tests.crawler.conftest import BRIGHT, CALM, FAST, seeds
from tests.crawler.faults import Page, hang


def crawl(db, web, hosts=(CALM, BRIGHT), **overrides):
    return run_crawl(resolve_url(db), seeds(*hosts), proxy=web.proxy_url, overrides={**FAST, **overrides})


def fetch_log(db) -> dict[str, FetchLog]:
    with Session(open_database(db)) as session:
        return {log.url: log for log in session.exec(select(FetchLog))}


def test_robots_txt_answering_503_means_the_site_is_not_crawled(tmp_path, web):
    web.set_page(CALM, "/robots.txt", Page("<h1>Service unavailable</h1>", status=503, validators=False))
    db = tmp_path / "x.db"
    summary = crawl(db, web)
    # robots.txt asked again as any 5xx is (retry_times=1 here), then nothing else of that host
    assert [a.path for a in web.requests(CALM)] == ["/robots.txt", "/robots.txt"]
    assert web.requests(BRIGHT, "/team")  # the other site is crawled as usual
    assert summary["errors"] == {"robots_unreachable": 2}  # its home page and sitemap, recorded, not sent
    assert summary["practices"] == 1
    log = fetch_log(db)[f"http://{CALM}/"]
    assert log.outcome == "robots_unreachable" and "HTTP 503" in log.error and "not crawled" in log.error


def test_a_known_site_whose_robots_txt_fails_keeps_its_facts_and_is_marked_stale(tmp_path, web):
    db = tmp_path / "x.db"
    assert crawl(db, web, hosts=(CALM,))["practices"] == 1
    web.set_page(CALM, "/robots.txt", Page("oops", status=500, validators=False))
    web.log.clear()
    summary = crawl(db, web, hosts=(CALM,))
    assert {a.path for a in web.requests(CALM)} == {"/robots.txt"}  # not one page, known pages included
    assert summary["stale"] == 1 and summary["pages"] == 0
    with Session(open_database(db)) as session:
        calm = session.exec(select(Practice).where(Practice.key == CALM)).one()
        assert calm.stale and calm.name
        pages = list(session.exec(select(SourcePage).where(SourcePage.practice_id == calm.id)))
        assert pages and all(page.stale and page.gone_at is None for page in pages)  # not gone: unknown


def test_robots_txt_that_times_out_means_the_site_is_not_crawled(tmp_path, web):
    web.set_page(CALM, "/robots.txt", hang(3))
    db = tmp_path / "x.db"
    summary = crawl(db, web, hosts=(CALM,), download_timeout=1, retry_times=0)
    assert [a.path for a in web.requests(CALM)] == ["/robots.txt"]
    assert summary["errors"] == {"timeout": 2}
    assert "robots.txt unreachable" in fetch_log(db)[f"http://{CALM}/"].error


def test_robots_txt_answering_404_means_no_rules(tmp_path, web):
    web.set_page(CALM, "/robots.txt", None)  # the fault web answers 404
    summary = crawl(tmp_path / "x.db", web, hosts=(CALM,))
    assert summary["practices"] == 1 and web.requests(CALM, "/team")


def test_crawl_delay_spaces_the_hosts_requests_up_to_the_cap(tmp_path, web):
    web.set_page(CALM, "/robots.txt", Page("User-agent: kapdir\nCrawl-delay: 1\n", content_type="text/plain"))
    web.set_page(BRIGHT, "/robots.txt", Page("User-agent: *\nCrawl-delay: 3600\n", content_type="text/plain"))
    # 8 requests at once per host allowed and AutoThrottle on: the delay must still hold, 3600 s capped at 1.5
    summary = crawl(tmp_path / "x.db", web, max_pages_per_site=4, max_crawl_delay=1.5, AUTOTHROTTLE_ENABLED=True)
    assert summary["status"] == "finished" and summary["practices"] == 2
    for host, delay in ((CALM, 1.0), (BRIGHT, 1.5)):
        times = [access.at for access in web.requests(host)]
        assert len(times) >= 4
        gaps = [later - earlier for earlier, later in pairwise(times)]
        # Scrapy spaces the requests' starts; their arrival here also varies with connecting (0.1 s at load 20)
        assert min(gaps) >= delay - 0.25 and sum(gaps) >= len(gaps) * delay - 0.25, (host, gaps)


def test_without_crawl_delay_requests_are_not_spaced(tmp_path, web):
    crawl(tmp_path / "x.db", web, hosts=(CALM,))
    times = [access.at for access in web.requests(CALM)]
    assert min(later - earlier for earlier, later in pairwise(times)) < 0.5
