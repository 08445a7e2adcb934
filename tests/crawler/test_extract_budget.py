"""The per-page extraction budget: one page that takes too long to read is recorded as ``extract_timeout`` and the
crawl goes on (over real HTTP on loopback); a helper process stuck past the budget is killed and replaced."""

import asyncio
import contextlib

import pytest
from sqlmodel import Session, select

from crawler.pipelines import extract as extract_module
from crawler.pipelines.extract import ExtractTimeout, ExtractWorkers
from crawler.run import run_crawl
from directory.db import open_database, resolve_url
from directory.models import Clinician, FetchLog, Practice, SourcePage
from tests.crawler.conftest import CALM, FAST, practice_sites, seeds
from tests.crawler.faults import FaultWeb, Page

BUDGET_S = 0.25  # an ordinary page reads in ~0.02 s; the slow page below in ~1-3 s
# ~900 kB of list items: linear to read, but a second or more of work even with the page text capped.
SLOW_PAGE = "<html><body><h1>Our services</h1><ul>" + "<li>Ohio</li>" * 68_000 + "</ul></body></html>"


@pytest.fixture
def slow_web():
    sites = practice_sites()
    calm = sites[CALM]
    calm["/"] = Page(calm["/"].body.replace('<a href="/fees">', '<a href="/services">Services</a> <a href="/fees">'))
    calm["/services"] = Page(SLOW_PAGE)
    with FaultWeb(sites) as server:
        yield server


# Only with helper processes (the default): in the crawl process (extract_processes=0) the interval timer was
# observed not to stop the extractor once main was merged on 2026-12-02 (cause not found; see docs/crawler.md).
@pytest.mark.parametrize("processes", [1], ids=["helper process"])
def test_a_page_over_budget_is_recorded_and_the_crawl_goes_on(tmp_path, slow_web, processes):
    db = tmp_path / "x.db"
    summary = run_crawl(resolve_url(db), seeds(*practice_sites()), proxy=slow_web.proxy_url,
                        overrides={**FAST, "extract_timeout_s": BUDGET_S, "extract_processes": processes})
    assert summary["status"] == "finished" and summary["practices"] == 2
    assert summary["errors"] == {"extract_timeout": 1}
    with Session(open_database(db)) as session:
        log = session.exec(select(FetchLog).where(FetchLog.outcome == "extract_timeout")).one()
        assert log.url == f"http://{CALM}/services" and log.status == 200
        assert f"longer than {BUDGET_S:g} s" in log.error
        # The other pages of the site were read and stored; the slow one never had facts to keep
        calm = session.exec(select(Practice).where(Practice.key == CALM)).one()
        people = {c.name for c in session.exec(select(Clinician).where(Clinician.practice_id == calm.id))}
        assert {"Jane Roe", "John Smith"} <= people
        urls = {page.url for page in session.exec(select(SourcePage).where(SourcePage.practice_id == calm.id))}
        assert f"http://{CALM}/team" in urls and f"http://{CALM}/services" not in urls


def test_a_page_that_was_read_before_keeps_its_facts_when_it_runs_over(tmp_path, slow_web):
    db = tmp_path / "x.db"
    crawl = dict(proxy=slow_web.proxy_url, overrides={**FAST, "extract_timeout_s": BUDGET_S})
    run_crawl(resolve_url(db), seeds(CALM), **crawl)
    fees = f"http://{CALM}/fees"
    with Session(open_database(db)) as session:
        before = session.exec(select(SourcePage).where(SourcePage.url == fees)).one().facts
    assert before and before["prices"]
    slow_web.set_page(CALM, "/fees", Page(SLOW_PAGE.replace("Our services", "Fees")))
    summary = run_crawl(resolve_url(db), seeds(CALM), **crawl)
    assert summary["errors"] == {"extract_timeout": 1}  # (the home page answers 304: /services is not re-read)
    with Session(open_database(db)) as session:
        page = session.exec(select(SourcePage).where(SourcePage.url == fees)).one()
        assert page.facts == before and page.stale and "longer than" in page.error


@contextlib.contextmanager
def _no_timer(_seconds):
    yield


def test_a_helper_stuck_past_the_budget_is_killed_and_replaced(monkeypatch):
    # A helper that the in-process timer cannot stop (as if stuck in C code): the crawl process kills it.
    monkeypatch.setattr(extract_module, "time_limit", _no_timer)  # inherited by the forked helper
    monkeypatch.setattr(extract_module, "HARD_GRACE_S", 0.5)
    workers = ExtractWorkers(1, BUDGET_S)
    try:
        with pytest.raises(ExtractTimeout, match="helper killed"):
            asyncio.run(workers.run("page", SLOW_PAGE, None, "http://slow.example/"))
        assert workers.replaced == 1
        monkeypatch.setattr(extract_module, "HARD_GRACE_S", 60.0)  # the new helper starts from scratch
        facts = asyncio.run(workers.run("page", "<p>Jane Roe, LCSW, in Ohio.</p>", None, "http://ok.example/"))
        assert [c.name for c in facts.clinicians] == ["Jane Roe"]
    finally:
        workers.shutdown()
