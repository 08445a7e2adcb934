"""SSRF through the real crawler (`kapdir crawl` in a child process, real HTTP on loopback).

The attack from issue 13: a practice site redirects to ``http://127.0.0.2/latest/meta-data/``; the crawler
fetched it and stored its text as a fact. Here the egress policy runs as deployed (private hosts not allowed);
only the practice site's own address, 127.0.0.1, is admitted through KAPDIR_EGRESS_ALLOW_NETWORKS (as an
operator would admit an internal mirror), and a second server on 127.0.0.2 records whether anything reached it.
"""

import json

from sqlmodel import Session, select

from directory.db import open_database
from directory.models import Fact, FetchLog, Seed, SourcePage
from tests.conftest import run_kapdir
from tests.security.conftest import serve

SECRET = "AKIA-metadata-credentials-do-not-store"


def strict_env(port: int) -> dict[str, str]:
    return {"KAPDIR_ALLOW_PRIVATE_HOSTS": "false", "KAPDIR_EGRESS_ALLOW_NETWORKS": '["127.0.0.1/32"]',
            "KAPDIR_EGRESS_PORTS": json.dumps([80, 443, port]), "KAPDIR_DOWNLOAD_DELAY": "0"}


def test_a_loopback_seed_is_refused_without_the_sample_world_switch(tmp_path):
    result = run_kapdir("crawl", "--seeds", "http://127.0.0.1:8000/", "--db", str(tmp_path / "x.db"),
                        env={"KAPDIR_ALLOW_PRIVATE_HOSTS": "false"}, timeout=120)
    assert result.returncode == 1
    assert "blocked_address" in result.stderr and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_a_redirect_to_another_loopback_address_is_recorded_and_never_fetched(tmp_path, two_hosts):
    port = two_hosts
    practice = {
        "/": (302, {"Location": f"http://127.0.0.2:{port}/latest/meta-data/"}, ""),
        "/robots.txt": (404, {}, ""),
    }
    metadata = {"/latest/meta-data/": (200, {}, f"<html><body><p>{SECRET}</p></body></html>")}
    db = tmp_path / "x.db"
    with serve("127.0.0.1", port, practice) as practice_hits, serve("127.0.0.2", port, metadata) as metadata_hits:
        result = run_kapdir("crawl", "--seeds", f"http://127.0.0.1:{port}/", "--db", str(db), "--json",
                            env=strict_env(port), timeout=300)
    assert "/" in practice_hits, result.stderr  # the practice itself was allowed and fetched
    assert metadata_hits == []  # nothing ever reached 127.0.0.2
    summary = json.loads(result.stdout)
    assert summary["errors"].get("blocked_address") == 1, summary
    with Session(open_database(db)) as session:
        logs = session.exec(select(FetchLog)).all()
        blocked = [log for log in logs if log.outcome == "blocked_address"]
        assert blocked and "127.0.0.2" in blocked[0].error
        stored = " ".join(str(f.snippet) + str(f.value) for f in session.exec(select(Fact)))
        assert SECRET not in stored
        assert not any("127.0.0.2" in page.url for page in session.exec(select(SourcePage)))


HOSTILE_LINKS = [
    "http://169.254.169.254.nip.io/", "http://db.corp/", "http://localtest.me/", "http://redis.service.consul/",
    "http://x.\uff4c\uff4f\uff43\uff41\uff4c\uff48\uff4f\uff53\uff54/", "http://2130706433/", "http://127.0.0.1.sslip.io/",
]
PUBLIC_LINKS = ["http://calm-one.com/", "http://calm-two.com/", "http://calm-three.com/"]


def test_a_hostile_listing_through_the_cli_stores_no_hostile_seed_and_fetches_nothing(tmp_path, two_hosts):
    port = two_hosts
    links = [*HOSTILE_LINKS, f"http://127.0.0.2:{port}/", *PUBLIC_LINKS]
    body = "<html><body>" + "".join(f'<a href="{url}">practice</a>' for url in links) + "</body></html>"
    db = tmp_path / "x.db"
    with serve("127.0.0.1", port, {"/listing": (200, {}, body), "/robots.txt": (404, {}, "")}) as listing_hits, \
            serve("127.0.0.2", port, {}) as metadata_hits:
        result = run_kapdir("crawl", "--listing", f"http://127.0.0.1:{port}/listing", "--db", str(db), "--json",
                            env=strict_env(port), timeout=300)
    assert result.returncode == 0, result.stderr
    assert "/listing" in listing_hits and metadata_hits == []
    assert "approval" in json.loads(result.stdout)["message"]  # nothing from the listing is crawled unapproved
    with Session(open_database(db)) as session:
        stored = {s.url for s in session.exec(select(Seed))}
    # No DNS here, so even the public names cannot be confirmed: none is stored. Where DNS works they would be.
    assert stored <= set(PUBLIC_LINKS)


def test_listing_seeds_are_resolved_capped_after_validation_and_inactive(tmp_path, monkeypatch):
    from types import SimpleNamespace

    from crawler.pipelines.listing import ListingSeedPipeline
    from directory import egress
    from directory.egress import Policy

    answers = {"169.254.169.254.nip.io": ["169.254.169.254"], "localtest.me": ["127.0.0.1"],
               "127.0.0.1.sslip.io": ["127.0.0.1"], **{u.split("/")[2]: ["93.184.216.34"] for u in PUBLIC_LINKS}}
    monkeypatch.setattr(egress, "system_resolve", lambda host, port: answers.get(host, []))
    listing = "http://listing.example.com/"
    found = [*HOSTILE_LINKS, *PUBLIC_LINKS]  # junk first: it must not use up the cap
    spider = SimpleNamespace(
        discovered=dict.fromkeys(found, listing), found_in=dict.fromkeys(found, listing), max_seeds=2,
        policy=Policy(), refused=0, trust=False, context=SimpleNamespace(engine=open_database(tmp_path / "x.db")),
    )
    ListingSeedPipeline(SimpleNamespace(spider=spider)).close_spider()
    with Session(spider.context.engine) as session:
        seeds = session.exec(select(Seed)).all()
    assert {s.url for s in seeds} == {"http://calm-one.com/", "http://calm-two.com/"}
    assert all(s.origin == "listing" and not s.active and s.listing_url == listing for s in seeds)
    assert spider.refused == len(HOSTILE_LINKS) + 1


def test_the_crawler_connects_to_the_address_it_checked_when_dns_rebinds(two_hosts):
    """The middleware's check and the connection share one checked answer: the rebound 127.0.0.2 is never used."""
    import subprocess
    import sys
    from pathlib import Path

    port = two_hosts
    with serve("127.0.0.1", port, {"/": (200, {}, "<p>checked</p>")}) as checked_hits, \
            serve("127.0.0.2", port, {"/": (200, {}, SECRET)}) as rebound_hits:
        done = subprocess.run([sys.executable, "-m", "tests.security.rebind_crawl", str(port)], capture_output=True,
                              text=True, timeout=120, cwd=Path(__file__).resolve().parents[2])
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["lookups"] == ["rebind.example.com"]
    assert report["results"] == [{"status": 200, "ip": "127.0.0.1"}] * 3
    assert len(checked_hits) == 3 and rebound_hits == []
