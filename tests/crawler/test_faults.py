"""Every fault of the fault-injection web is recorded per URL, and the crawl still finishes (one shared crawl)."""

import pytest
from sqlmodel import Session, select

from crawler.run import run_crawl
from directory.db import open_database, resolve_url
from directory.models import FetchLog, Practice, SourcePage
from tests.crawler.conftest import FAST
from tests.crawler.faults import FAULT_HOST, FaultWeb, fault_site

F = f"http://{FAULT_HOST}"


@pytest.fixture(scope="module")
def fault_crawl(tmp_path_factory):
    db = tmp_path_factory.mktemp("faults") / "x.db"
    with FaultWeb({FAULT_HOST: fault_site()}) as web:
        summary = run_crawl(resolve_url(db), [f"{F}/"], proxy=web.proxy_url, overrides=FAST)
        with Session(open_database(db)) as session:
            logs = {log.url: log for log in session.exec(select(FetchLog))}
            pages = {page.url: page for page in session.exec(select(SourcePage))}
            practice = session.exec(select(Practice)).one()
        yield summary, logs, pages, practice, web


@pytest.mark.parametrize(
    ("path", "outcome", "status"),
    [
        ("/team-404", "http_4xx", 404),
        ("/about-410", "http_4xx", 410),
        ("/services-500", "http_5xx", 500),
        ("/fees-closed", "http_5xx", 503),  # Retry-After: 3600 is beyond the limit: given up, not waited for
        ("/fees-busy", "ok", 200),  # 503 with Retry-After: 1, then served
        ("/contact-hang", "timeout", None),
        ("/faq-drip", "timeout", None),
        ("/loop-a", "redirect_loop", None),
        ("/therapy-huge", "too_large", None),
        ("/therapy-stream", "too_large", None),
        ("/treatment-image", "non_html", 200),
        ("/about-latin1", "ok", 200),
        ("/about-nocharset", "ok", 200),
        ("/team-malformed", "ok", 200),
    ],
)
def test_each_fault_is_recorded_per_url(fault_crawl, path, outcome, status):
    summary, logs, _, _, _ = fault_crawl
    log = logs[F + path]
    assert (log.outcome, log.status) == (outcome, status)
    assert log.crawl_run_id == summary["run_id"]
    if outcome != "ok":
        assert log.error


def test_the_crawl_finishes_with_errors_counted_by_kind(fault_crawl):
    summary, logs, _, practice, _ = fault_crawl
    assert summary["status"] == "finished" and summary["practices"] == 1 and not practice.stale
    assert summary["errors"] == {"http_4xx": 2, "http_5xx": 2, "non_html": 1, "redirect_loop": 1, "timeout": 2,
                                 "too_large": 2}
    assert summary["pages"] == len(logs)


def test_retry_after_is_honoured_or_given_up(fault_crawl):
    *_, web = fault_crawl
    assert [a.status for a in web.requests(FAULT_HOST, "/fees-busy")] == [503, 200]
    assert [a.status for a in web.requests(FAULT_HOST, "/fees-closed")] == [503]
    assert len(web.requests(FAULT_HOST, "/services-500")) == 2  # one retry, then recorded


def test_huge_bodies_are_capped_not_downloaded(fault_crawl):
    *_, web = fault_crawl
    for path in ("/therapy-huge", "/therapy-stream"):
        sent = sum(a.bytes_sent for a in web.requests(FAULT_HOST, path))
        assert sent < 10 * 1024 * 1024  # of 50 MB: the crawler hung up near its 1 MB cap


def test_the_calendar_trap_is_cut_short(fault_crawl):
    *_, web = fault_crawl
    assert 1 <= len(web.requests(FAULT_HOST, "/calendar")) <= 3


def test_wrong_missing_charset_and_malformed_html_still_yield_text(fault_crawl):
    _, logs, pages, _, _ = fault_crawl
    assert "wrong" in logs[F + "/about-latin1"].error
    for path in ("/about-latin1", "/about-nocharset"):
        assert "Renée Müller" in pages[F + path].facts["text"]
    assert "Jane Roe" in pages[F + "/team-malformed"].facts["text"]
    image = pages[F + "/treatment-image"]
    assert image.content_type == "image/png" and image.facts is None  # recorded, not extracted
