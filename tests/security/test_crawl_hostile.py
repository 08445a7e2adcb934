"""A hostile practice site through the real crawler (`kapdir crawl` in a child process, real HTTP on loopback).

One site tries, at once: a meta refresh to another loopback address (the "metadata service"), a gzip bomb and a
brotli bomb (a few kB that inflate to far more than KAPDIR_MAX_BODY_BYTES), a sitemap index that names itself and
ever new sitemap indexes, and an enormous robots.txt. The crawl must finish, fetch nothing from 127.0.0.2, keep
within its page budget, and store none of the bombs' bytes.
"""

import gzip
import json

import brotli
from sqlmodel import Session, select

from directory.db import open_database
from directory.models import FetchLog, SourcePage
from tests.conftest import run_kapdir
from tests.security.conftest import serve
from tests.security.test_ssrf_crawl import SECRET, strict_env

BOMB_BYTES = 64 * 1024 * 1024  # inflated size; the body limit is set to 1 MB below


def bombs() -> tuple[bytes, bytes]:
    html = b"<html><body>" + b"A" * (BOMB_BYTES - 30) + b"</body></html>"
    return gzip.compress(html, compresslevel=9), brotli.compress(html, quality=5)


def sitemap_index(port: int, n: int) -> str:
    own = f"http://127.0.0.1:{port}"
    maps = "".join(f"<sitemap><loc>{own}/sitemap-{n}-{i}.xml</loc></sitemap>" for i in range(50))
    return (f'<?xml version="1.0" encoding="UTF-8"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            f"<sitemap><loc>{own}/sitemap.xml</loc></sitemap>{maps}</sitemapindex>")


def test_a_hostile_site_cannot_reach_private_addresses_or_exhaust_the_crawler(tmp_path, two_hosts):
    port = two_hosts
    gz, br = bombs()
    xml = {"Content-Type": "application/xml"}
    practice = {
        "/robots.txt": (200, {"Content-Type": "text/plain"}, "User-agent: *\nAllow: /\n" + "# pad\n" * 400_000),
        "/": (200, {}, '<html><body><nav><a href="/about">About us</a><a href="/team">Our team</a>'
                       '<a href="/contact">Contact</a></nav></body></html>'),
        "/contact": (200, {}, f'<html><head><meta http-equiv="refresh" content="0; url=http://127.0.0.2:{port}/latest/">'
                              '</head><body>Contact</body></html>'),
        "/about": (200, {"Content-Encoding": "gzip"}, gz),
        "/team": (200, {"Content-Encoding": "br"}, br),
        "/sitemap.xml": (200, xml, sitemap_index(port, 0)),
        **{f"/sitemap-0-{i}.xml": (200, xml, sitemap_index(port, i + 1)) for i in range(50)},
    }
    metadata = {"/latest/": (200, {}, f"<html><body><p>{SECRET}</p></body></html>")}
    db = tmp_path / "x.db"
    env = {**strict_env(port), "KAPDIR_MAX_BODY_BYTES": str(1024 * 1024), "KAPDIR_MAX_PAGES_PER_SITE": "20"}
    with serve("127.0.0.1", port, practice) as practice_hits, serve("127.0.0.2", port, metadata) as metadata_hits:
        result = run_kapdir("crawl", "--seeds", f"http://127.0.0.1:{port}/", "--db", str(db), "--json",
                            env=env, timeout=300)
    assert "Traceback" not in result.stderr, result.stderr
    assert "/" in practice_hits, result.stderr
    assert metadata_hits == []  # the meta refresh to 127.0.0.2 was never followed there
    summary = json.loads(result.stdout)
    assert summary["errors"].get("blocked_address") == 1, summary
    assert len(practice_hits) <= 20 + 3, practice_hits  # the page budget holds against the sitemap recursion
    assert "/contact" in practice_hits and "/about" in practice_hits and "/team" in practice_hits
    with Session(open_database(db)) as session:
        logs = session.exec(select(FetchLog)).all()
        bombed = [log for log in logs if log.url.endswith(("/about", "/team"))]
        assert len(bombed) == 2 and all(log.outcome == "too_large" and "DOWNLOAD_MAXSIZE" in log.error
                                        for log in bombed), [(log.url, log.outcome) for log in bombed]
        assert not any("127.0.0.2" in page.url for page in session.exec(select(SourcePage)))
