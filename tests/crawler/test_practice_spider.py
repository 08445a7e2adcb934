"""The practice spider over real HTTP (loopback, through a proxy): pages found, provenance, politeness,
incremental re-crawls, gone and stale marking."""

from sqlmodel import Session, func, select

from crawler.run import run_crawl
from directory.db import open_database, resolve_url
from directory.models import (
    Change,
    Clinician,
    CrawlRun,
    CredentialClaim,
    Fact,
    FetchLog,
    Location,
    Offering,
    Practice,
    ServiceArea,
    SourcePage,
)
from directory.settings import get_settings
from tests.crawler.conftest import BRIGHT, CALM, FAST, seeds
from tests.crawler.faults import Page

TABLES = (Practice, Clinician, CredentialClaim, ServiceArea, Location, Offering, Fact, SourcePage)


def counts(engine) -> dict:
    with Session(engine) as session:
        return {model.__name__: session.exec(select(func.count()).select_from(model)).one() for model in TABLES}


def crawl(db, web, hosts=(CALM, BRIGHT), **overrides):
    return run_crawl(resolve_url(db), seeds(*hosts), proxy=web.proxy_url, overrides={**FAST, **overrides})


def test_practice_spider_finds_the_pages_that_matter_and_stores_them(tmp_path, web):
    db = tmp_path / "x.db"
    summary = crawl(db, web)
    assert summary["status"] == "finished" and summary["practices"] == 2 and summary["errors"] == {}
    fetched = {(a.host, a.path) for a in web.log}
    for path in ("/", "/team", "/team/jane-roe", "/ketamine-assisted-psychotherapy", "/fees", "/contact"):
        assert (CALM, path) in fetched
    assert (CALM, "/faq") in fetched  # linked only from sitemap.xml
    assert (CALM, "/intake-packet.pdf") in fetched
    assert (CALM, "/blog/2024/03/our-new-couch") not in fetched  # not a page that matters
    assert (CALM, "/assets/logo.png") not in fetched  # an asset
    assert {a.host for a in web.log} == {CALM, BRIGHT}  # booking and social links recorded, never crawled
    agent = web.requests(CALM, "/team")[0].headers["User-Agent"]
    assert "kapdir" in agent and get_settings().contact_url in agent
    # Every request is logged except robots.txt and a missing (optional) sitemap; sitemaps are not pages.
    logged = [a for a in web.log if a.path != "/robots.txt" and not (a.path == "/sitemap.xml" and a.status == 404)]
    assert summary["pages"] == len(logged)
    assert summary["new"] == len([a for a in logged if a.path != "/sitemap.xml"])

    engine = open_database(db)
    with Session(engine) as session:
        calm = session.exec(select(Practice).where(Practice.key == CALM)).one()
        assert calm.name and "Calm Harbor" in calm.name
        assert calm.booking_urls == ["https://calmharbor.janeapp.example/book"]
        people = {c.name for c in session.exec(select(Clinician).where(Clinician.practice_id == calm.id))}
        assert {"Jane Roe", "John Smith"} <= people
        codes = {c.code for c in session.exec(select(CredentialClaim))}
        assert {"LCSW", "LPC", "LMFT"} <= codes
        assert "MD" in {a.state for a in session.exec(select(ServiceArea).where(ServiceArea.practice_id == calm.id))}
        pdf = session.exec(select(SourcePage).where(SourcePage.url == f"http://{CALM}/intake-packet.pdf")).one()
        assert pdf.content_type == "application/pdf" and pdf.facts and "450" in pdf.facts["text"]
        for page in session.exec(select(SourcePage)):
            assert page.status == 200 and page.content_hash and page.fetched_at and page.crawl_run_id
        facts = list(session.exec(select(Fact)))
        assert facts and all(f.source_url and f.fetched_at for f in facts)
        run = session.get(CrawlRun, summary["run_id"])
        assert run.status == "finished" and run.duration_s > 0 and run.pages == summary["pages"]
        assert session.exec(select(func.count()).select_from(FetchLog)).one() == summary["pages"]


def test_recrawl_is_conditional_and_idempotent(tmp_path, web):
    db = tmp_path / "x.db"
    first = crawl(db, web)
    engine = open_database(db)
    before = counts(engine)
    web.log.clear()
    second = crawl(db, web)
    assert counts(engine) == before  # no duplicate rows
    assert (second["new"], second["changed"], second["gone"]) == (0, 0, 0)
    assert second["unchanged"] == first["new"]
    team = web.requests(CALM, "/team")[0]
    assert team.headers.get("If-None-Match") and team.status == 304  # conditional request, nothing re-sent
    assert all(a.status == 304 for a in web.log if a.path not in ("/robots.txt", "/sitemap.xml"))
    with Session(engine) as session:
        assert session.exec(select(func.count()).select_from(CrawlRun)).one() == 2


def test_changed_and_vanished_pages_and_people(tmp_path, web):
    db = tmp_path / "x.db"
    crawl(db, web)
    # every mention: "John Smith is a therapist at ..." alone still lists him
    team = web.sites[CALM]["/team"].body.replace("John Smith, MD", "Mary Major, LCPC")
    team = team.replace("John Smith", "Mary Major")
    web.set_page(CALM, "/team", Page(team))
    web.set_page(CALM, "/contact", None)  # now 404
    summary = crawl(db, web)
    assert summary["changed"] >= 1 and summary["gone"] == 1
    engine = open_database(db)
    with Session(engine) as session:
        contact = session.exec(select(SourcePage).where(SourcePage.url == f"http://{CALM}/contact")).one()
        assert contact.gone_at is not None  # marked, not deleted
        smith = session.exec(select(Clinician).where(Clinician.name == "John Smith")).one()
        assert smith.gone_at is not None
        assert session.exec(select(Clinician).where(Clinician.name == "Mary Major")).one().gone_at is None
        described = set(session.exec(select(Change.description)))
    assert "John Smith no longer listed" in described and "Mary Major added" in described


def test_site_that_is_down_keeps_its_facts_and_is_marked_stale(tmp_path, web):
    db = tmp_path / "x.db"
    crawl(db, web)
    engine = open_database(db)
    before = counts(engine)
    web.set_down(CALM)
    summary = crawl(db, web)
    assert summary["stale"] == 1 and summary["practices"] == 1
    assert summary["errors"].get("connection", 0) >= 1
    assert counts(engine) == before  # nothing wiped
    with Session(engine) as session:
        calm = session.exec(select(Practice).where(Practice.key == CALM)).one()
        assert calm.stale and calm.name
        pages = list(session.exec(select(SourcePage).where(SourcePage.practice_id == calm.id)))
        assert pages and all(p.stale and p.gone_at is None for p in pages)
        assert not session.exec(select(Practice).where(Practice.key == BRIGHT)).one().stale
    web.set_down(CALM, False)
    crawl(db, web)
    with Session(engine) as session:
        assert not session.exec(select(Practice).where(Practice.key == CALM)).one().stale


def test_robots_txt_that_disallows_everything_is_obeyed(tmp_path, web):
    db = tmp_path / "x.db"
    summary = crawl(db, web, hosts=("private.example",))
    assert [a.path for a in web.requests("private.example")] == ["/robots.txt"]
    assert summary["errors"] == {"robots_disallowed": 2}  # the home page and the sitemap
    assert summary["practices"] == 0 and summary["pages"] == 0
    with Session(open_database(db)) as session:
        outcomes = {log.url: log.outcome for log in session.exec(select(FetchLog))}
    assert outcomes["http://private.example/"] == "robots_disallowed"


def test_page_budget_and_depth_are_per_site(tmp_path, web):
    summary = crawl(tmp_path / "x.db", web, max_pages_per_site=3)
    assert summary["status"] == "finished"
    for host in (CALM, BRIGHT):
        pages = [a for a in web.requests(host) if a.path not in ("/robots.txt", "/sitemap.xml")]
        assert len(pages) <= 3
    web.log.clear()
    crawl(tmp_path / "y.db", web, max_depth=1)
    assert not web.requests(CALM, "/team/jane-roe")  # two links from home
