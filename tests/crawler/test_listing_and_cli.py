"""The listing spider on the sample web, and the `kapdir crawl` command line."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlmodel import Session, select

from crawler.run import run_crawl
from directory.db import open_database, resolve_url
from directory.models import CrawlRun, Practice, Seed
from directory.sample_world.schema import World
from directory.sample_world.web import start_sample_web
from directory.sample_world.world import load_world
from tests.crawler.conftest import CALM, FAST, seeds

KAPDIR = [str(Path(sys.executable).with_name("kapdir"))]


def small_world(n: int = 12) -> World:
    world = load_world()
    return World(practices=world.practices[:n], listing_host=world.listing_host)


def test_listing_spider_discovers_every_practice_and_feeds_the_practice_spider(tmp_path):
    world = small_world()
    with start_sample_web(world) as web:
        summary = run_crawl(resolve_url(tmp_path / "x.db"), [], [web.listing_url], proxy=web.proxy_url,
                            overrides=FAST, trust_listing=True)
        listing_pages = [hit.path for hit in web.fetched(world.listing_host) if hit.path.startswith("/practices")]
    assert len(listing_pages) >= 2  # it followed the pagination
    assert summary["status"] == "finished" and summary["sites"] == len(world.practices)
    assert summary["practices"] == len(world.practices)
    with Session(open_database(tmp_path / "x.db")) as session:
        found = {seed.url: seed for seed in session.exec(select(Seed))}
        assert set(found) == {practice.url for practice in world.practices}
        assert all(seed.origin == "listing" and seed.listing_url.startswith(web.listing_url.split("?")[0])
                   for seed in found.values())
        assert {p.key for p in session.exec(select(Practice))} == {practice.host for practice in world.practices}


def kapdir(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    environment = {**os.environ, "KAPDIR_DOWNLOAD_DELAY": "0", "COLUMNS": "200", **(env or {})}
    return subprocess.run([*KAPDIR, *args], capture_output=True, text=True, timeout=300, env=environment)


def test_cli_crawl_from_a_seeds_file_then_from_the_seeds_table_as_json(tmp_path, web):
    db = tmp_path / "x.db"
    seeds_file = tmp_path / "seeds.txt"
    seeds_file.write_text(f"# practices\n{seeds(CALM)[0]}\n\n")
    result = kapdir("crawl", "--seeds", str(seeds_file), "--proxy", web.proxy_url, "--db", str(db))
    assert result.returncode == 0, result.stderr
    assert "crawl run 1" in result.stdout and "finished" in result.stdout and "practices" in result.stdout
    with Session(open_database(db)) as session:
        assert [(s.url, s.origin) for s in session.exec(select(Seed))] == [(seeds(CALM)[0], "file")]
    # No seeds given: the active seeds table is crawled.
    again = kapdir("crawl", "--proxy", web.proxy_url, "--db", str(db), "--json")
    assert again.returncode == 0, again.stderr
    summary = json.loads(again.stdout)  # exactly one JSON object on stdout
    assert {"pages", "new", "changed", "unchanged", "gone", "errors", "practices"} <= set(summary)
    assert summary["practices"] == 1 and summary["unchanged"] > 5 and summary["errors"] == {}
    with Session(open_database(db)) as session:
        assert len(list(session.exec(select(CrawlRun)))) == 2


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--seeds", "ftp://files.example/x"], "is neither an http(s) URL nor a readable file"),
        (["--seeds", "/nonexistent/seeds.txt"], "is neither an http(s) URL nor a readable file"),
        (["--listing", "javascript:alert(1)"], "is not an http(s) URL"),
        ([], "no seeds"),
    ],
)
def test_cli_crawl_bad_input_is_one_line_error(tmp_path, args, message):
    result = kapdir("crawl", *args, "--db", str(tmp_path / "x.db"))
    assert result.returncode == 1
    assert message in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr


def test_cli_bad_seed_line_in_file(tmp_path):
    seeds_file = tmp_path / "seeds.txt"
    seeds_file.write_text("http://ok.example/\nmailto:someone@example.com\n")
    result = kapdir("crawl", "--seeds", str(seeds_file), "--db", str(tmp_path / "x.db"))
    assert result.returncode == 1 and "line 2" in result.stderr and len(result.stderr.strip().splitlines()) == 1
