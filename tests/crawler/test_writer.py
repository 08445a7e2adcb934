"""The writer's batches: a site that cannot be stored loses only itself; hostile text stores on PostgreSQL too."""

from sqlmodel import Session, select

import crawler.writer
from crawler.writer import store_sites
from directory.db import get_engine, resolve_url, upgrade
from directory.extraction import extract_page
from directory.models import Clinician, Practice, SourcePage
from directory.store import PageRecord


def site(key: str, text: str) -> tuple[str, str, list[PageRecord]]:
    url = f"http://{key}/"
    facts = extract_page(text, url, "text/plain")
    page = PageRecord(url=url, site_key=key, outcome="ok", status=200, final_url=url, content_type="text/plain",
                      content_hash=f"hash-{key}", facts=facts)
    return key, url, [page]


def practice_keys(engine) -> set[str]:
    with Session(engine) as session:
        return set(session.exec(select(Practice.key)))


def test_a_site_that_fails_to_store_loses_only_itself(tmp_path, monkeypatch):
    url = resolve_url(tmp_path / "w.db")
    upgrade(url)
    engine = get_engine(url)
    sites = [site(f"site{n}.example", f"Site {n} Therapy\nJane Roe{n}, LCSW, serving Baltimore, Maryland.")
             for n in range(3)]
    real = crawler.writer.store_site

    def failing_on_site1(session, **kwargs):
        result = real(session, **kwargs)  # the site's rows are in the transaction when it fails
        if kwargs["site_key"] == "site1.example":
            raise RuntimeError("disk full")
        return result

    monkeypatch.setattr(crawler.writer, "store_site", failing_on_site1)
    store_sites(engine, sites, run_id=None)
    assert practice_keys(engine) == {"site0.example", "site2.example"}
    with Session(engine) as session:
        assert not session.exec(select(SourcePage).where(SourcePage.url == "http://site1.example/")).all()


def test_nul_bytes_in_crawled_text_store_on_postgresql(postgres_url):
    import psycopg

    with psycopg.connect(postgres_url, autocommit=True) as connection:
        connection.execute("DROP DATABASE IF EXISTS writer_nul")
        connection.execute("CREATE DATABASE writer_nul")
    url = postgres_url.rsplit("/", 1)[0] + "/writer_nul"
    upgrade(url)
    engine = get_engine(url)
    hostile = site("nul.example", "Nul\x00 Harbor Therapy\nJane Roe, LCSW\x00, serving Baltimore, Maryland.\x00")
    store_sites(engine, [hostile, site("plain.example", "Plain Therapy\nAnn Lee, LPC, serving Richmond, Virginia.")],
                run_id=None)
    assert practice_keys(engine) == {"nul.example", "plain.example"}
    with Session(engine) as session:
        page = session.exec(select(SourcePage).where(SourcePage.url == "http://nul.example/")).one()
        assert "\x00" not in page.facts["text"] and "Jane Roe" in page.facts["text"]
        assert "Jane Roe" in set(session.exec(select(Clinician.name)))
    engine.dispose()

