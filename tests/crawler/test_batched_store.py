"""Storing in batches in the writer process gives exactly the database of storing each site in the crawl process.

The same small synthetic web is crawled twice into two databases, once per storing strategy: a first crawl, then a
re-crawl after a page changed, a page vanished, a clinician left and one site went down. Both databases must hold
the same rows (ids replaced by natural keys, times by whether they are set and whether a fact's time is its page's
fetch time), and the site that was down keeps its last good facts, marked stale.
"""

import json

import pytest
from sqlmodel import Session, select

from crawler.run import run_crawl
from directory.db import get_engine, resolve_url
from directory.models import Clinician, Fact, Practice
from directory.sample_world.web import start_sample_web
from directory.sample_world.world import synthetic_world
from tests.crawler.conftest import FAST
from tests.crawler.dbstate import crawl_state

SITES = 6


def _crawl_twice(db_url: str, store_batch: int, extract_processes: int) -> tuple[str, str, str]:
    overrides = {**FAST, "KAPDIR_STORE_BATCH": store_batch, "extract_processes": extract_processes}
    with start_sample_web(synthetic_world(SITES)) as web:
        first = run_crawl(db_url, web.seeds, proxy=web.proxy_url, overrides=overrides)
        assert first["status"] == "finished" and first["practices"] == SITES
        down, changed, gone = (web.seeds[i].split("/")[2] for i in range(3))
        web.set_down(down)
        web.override(f"http://{changed}/", "<html><head><title>Moved Practice</title></head><body><p>We now see "
                     "clients only by video, across Oregon.</p><p>Jane Quill, LCSW.</p></body></html>")
        team = sorted({f"http://{gone}{hit.path}" for hit in web.fetched(gone) if "team" in hit.path})
        for url in team:
            web.override(url, None)
        second = run_crawl(db_url, web.seeds, proxy=web.proxy_url, overrides=overrides)
        assert second["status"] == "finished" and second["stale"] == 1 and second["gone"] >= len(team)
    return down, changed, gone


@pytest.fixture(params=["sqlite", "postgresql"])
def batched_url(request, tmp_path):
    if request.param == "sqlite":
        return resolve_url(tmp_path / "batched.db")
    import psycopg

    server = request.getfixturevalue("postgres_url")
    with psycopg.connect(server, autocommit=True) as connection:
        connection.execute("DROP DATABASE IF EXISTS batched_store")
        connection.execute("CREATE DATABASE batched_store")
    return server.rsplit("/", 1)[0] + "/batched_store"


@pytest.mark.timeout(600)
def test_batched_writer_stores_exactly_what_inline_storing_stores(tmp_path, batched_url):
    """Inline storing on SQLite (as before) against the writer on SQLite and on PostgreSQL."""
    inline_url = resolve_url(tmp_path / "inline.db")
    _crawl_twice(inline_url, store_batch=0, extract_processes=0)
    down, changed, _gone = _crawl_twice(batched_url, store_batch=4, extract_processes=2)

    inline, batched = crawl_state(inline_url), crawl_state(batched_url)
    assert inline["fact"] and inline["change"]
    for table in inline:
        only_inline = sorted(set(inline[table]) - set(batched[table]))[:1]
        only_batched = sorted(set(batched[table]) - set(inline[table]))[:1]
        assert batched[table] == inline[table], f"{table}: inline has {only_inline}, batched has {only_batched}"
    # Provenance: every fact carries its source page and a fetch time; a fact found by the re-crawl carries the
    # fetch time of the page it came from (an unchanged site's facts keep the time they were last read).
    facts = [json.loads(row) for row in batched["fact"]]
    assert all(fact["source_url"] and fact["source_page_id"] and fact["fetched_at"] for fact in facts)
    found_again = [fact for fact in facts if fact["crawl_run_id"] == 2]
    assert found_again and all(fact["fetched_at"] == "<its page's fetch time>" for fact in found_again)

    with Session(get_engine(batched_url)) as session:
        practice = session.exec(select(Practice).where(Practice.key == down)).one()
        assert practice.stale and practice.name  # last good data kept, marked stale
        kept = session.exec(select(Fact).where(Fact.practice_id == practice.id, Fact.superseded_at.is_(None))).all()
        assert kept and all(fact.source_url and fact.fetched_at for fact in kept)
        moved = session.exec(select(Practice).where(Practice.key == changed)).one()
        assert not moved.stale
        people = session.exec(select(Clinician.name).where(Clinician.practice_id == moved.id)).all()
        assert "Jane Quill" in people
