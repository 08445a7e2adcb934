"""run_crawl looks up its seeds' DNS while the crawl already runs, and a bad seed still fails the run with the
one-line error that checking before the crawl gives."""

import time

import pytest
from sqlmodel import Session, select

import directory.egress
from crawler.run import check_seed, run_crawl
from directory.db import open_database, resolve_url
from directory.errors import KapdirError
from directory.models import CrawlRun
from directory.settings import get_settings
from tests.crawler.conftest import FAST


def test_a_seed_resolving_to_a_private_address_fails_the_run_with_its_error(tmp_path, monkeypatch):
    monkeypatch.setenv("KAPDIR_ALLOW_PRIVATE_HOSTS", "false")  # the production policy
    get_settings.cache_clear()
    answers = {"public-kapdir-test.org": "93.184.216.34", "inside-kapdir-test.org": "10.0.0.7"}

    def fake_dns(host: str, port: int) -> list[str]:  # this process's lookups: slow, so the crawl starts first
        time.sleep(1.0)
        return [answers[host]] if host in answers else []

    monkeypatch.setattr(directory.egress, "system_resolve", fake_dns)
    try:
        with pytest.raises(KapdirError) as one_by_one:
            check_seed("http://inside-kapdir-test.org/")
        db = tmp_path / "x.db"
        started = time.monotonic()
        with pytest.raises(KapdirError) as caught:
            run_crawl(resolve_url(db), ["http://public-kapdir-test.org/", "http://inside-kapdir-test.org/"],
                      overrides=FAST)
        assert time.monotonic() - started < 60
        assert str(caught.value) == str(one_by_one.value)
        assert "10.0.0.7" in str(caught.value) and len(str(caught.value).splitlines()) == 1
        with pytest.raises(KapdirError, match="is not an http"):  # a malformed seed: before any run is created
            run_crawl(resolve_url(db), ["ftp://public-kapdir-test.org/"], overrides=FAST)
        with Session(open_database(db)) as session:
            runs = list(session.exec(select(CrawlRun)))
        assert [(run.status, run.message) for run in runs] == [("failed", str(one_by_one.value))]
    finally:
        get_settings.cache_clear()
