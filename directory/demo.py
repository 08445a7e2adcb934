"""`kapdir demo`: the whole product on the bundled sample world, over real HTTP on loopback.

Serves the sample websites and the board mirrors, crawls the sites found through the sample directory
listing, syncs every board source, verifies every claim, then opens the dashboard. Idempotent: a second
run on the same database changes no counts.
"""

import json
import os
import secrets
import sys
import time
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from sqlalchemy import func
from sqlmodel import Session, col, or_, select

from directory.db import exclusive_jobs, resolve_url, upgrade
from directory.models import Clinician, Practice, ServiceArea, SourcePage, Verification
from directory.settings import get_settings

# The sample web is our own loopback server: crawl it politely, but without real-world delays.
DEMO_CRAWL_OVERRIDES = {"download_delay": 0.05}


def _use_sources(urls: dict[str, str], proxy: str) -> None:
    """Point every adapter (and child process) at the local mirrors; let the admin area crawl the sample web."""
    os.environ["KAPDIR_SOURCE_URLS"] = json.dumps(urls)
    os.environ["KAPDIR_ALLOW_PRIVATE_HOSTS"] = "true"  # the sample world lives on loopback (directory.egress)
    os.environ["KAPDIR_CRAWL_PROXY"] = proxy
    # The mirrors are our own loopback servers: no need for the real-world pause between form look-ups.
    os.environ.setdefault("KAPDIR_BOARD_LOOKUP_DELAY_S", "0.05")
    get_settings.cache_clear()


def demo_counts(db_url: str) -> dict[str, Any]:
    from directory.db import get_engine

    with Session(get_engine(db_url)) as session:
        def count(statement) -> int:
            return session.exec(statement).one()

        verdicts = session.exec(select(Verification.verdict, func.count()).group_by(Verification.verdict)).all()
        return {
            "sites": count(select(func.count()).select_from(Practice).where(col(Practice.gone_at).is_(None))),
            "pages": count(select(func.count()).select_from(SourcePage).where(col(SourcePage.gone_at).is_(None),
                                                                              SourcePage.status == 200)),
            "practices": count(select(func.count(func.distinct(ServiceArea.practice_id)))),
            "states": count(select(func.count(func.distinct(ServiceArea.state))).where(
                or_(col(ServiceArea.in_person).is_(True), col(ServiceArea.virtual).is_(True)))),
            "clinicians": count(select(func.count()).select_from(Clinician).where(col(Clinician.gone_at).is_(None))),
            "claims": count(select(func.count()).select_from(Verification)),
            "verdicts": dict(sorted(verdicts)),
        }


def run_demo(*, db: Path | None, dashboard: bool, as_json: bool, port: int) -> None:
    from crawler.run import run_crawl
    from directory.boards.commands import run_sync
    from directory.db import get_engine
    from directory.sample_world.mirrors import start_board_mirrors
    from directory.sample_world.web import start_sample_web
    from directory.sample_world.world import load_world
    from directory.verification import verify_all

    console = Console(stderr=True, quiet=as_json)
    db_url = resolve_url(db)
    started = time.monotonic()
    world = load_world()
    with ExitStack() as stack:
        web = stack.enter_context(start_sample_web(world))
        mirrors = stack.enter_context(start_board_mirrors(world))
        _use_sources(mirrors.urls, web.proxy_url)
        console.print(f"sample web on {web.proxy_url} ({len(world.practices)} practice sites), "
                      f"{len(mirrors.urls)} board mirrors")
        upgrade(db_url)
        engine = get_engine(db_url)

        with exclusive_jobs(db_url, "crawl", "sync", "verify"):  # released before the dashboard starts
            console.print(f"crawling the sites listed at {web.listing_url} ...")
            crawl = run_crawl(db_url, seeds=[], listings=[web.listing_url], proxy=web.proxy_url,
                              overrides=DEMO_CRAWL_OVERRIDES, seed_origin="demo", trust_listing=True)
            console.print(f"crawl: {crawl['pages']} pages, {crawl['new']} new, {crawl['changed']} changed, "
                          f"{crawl['unchanged']} unchanged, errors {crawl['errors']}")

            console.print(f"crawled in {time.monotonic() - started:.0f} s; syncing board sources ...")
            for result in run_sync(engine, [], show_progress=not as_json):
                console.print(f"  {result.get('line') or result}")

            console.print(f"synced at {time.monotonic() - started:.0f} s; verifying ...")
            verified = verify_all(engine)
            console.print(f"verify: {verified['claims']} claims, {verified['verdicts']}")

        counts = demo_counts(db_url)
        console.print(f"done in {time.monotonic() - started:.0f} s")
        if as_json:
            typer.echo(json.dumps(counts))
        else:
            console.print_json(json.dumps(counts))
        if dashboard:
            from dashboard.launch import serve

            if not get_settings().admin_password:
                os.environ["KAPDIR_ADMIN_PASSWORD"] = secrets.token_urlsafe(9)
                get_settings.cache_clear()
                console.print(f"admin password for this demo: {os.environ['KAPDIR_ADMIN_PASSWORD']}")

            sys.stdout.flush()
            serve(db=db, port=port)
