"""The sample world through the real path, changed between refreshes (board data and one practice's website).

Round 1 and 2: crawl, sync, verify (the second changes nothing). The webhook's first delivery records its
starting point. Then the board data changes (one license suspended, one expired), one site changes a price
and drops a state and one stops answering; round 3 re-crawls, re-syncs and re-verifies, and the webhook is
delivered to again.
Every step is the real CLI in a child process against loopback servers.
"""

import copy
import json
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from directory.sample_world.mirrors import start_board_mirrors
from directory.sample_world.sites import render_site
from directory.sample_world.web import start_sample_web
from directory.sample_world.world import load_world
from directory.timeutil import utcnow
from tests.changes.receiver import Receiver
from tests.conftest import run_kapdir

SUSPENDED = ("harborlightkap", "PRC.0004518", "SUSPENDED", "suspended")  # practice, license, raw, normalised
EXPIRED = ("elliottbaykap", "LW60723390", "Expired", "expired")
SITE_CHANGE = "mesapsychology"  # changes its first price and stops listing its last state
SITE_DOWN = "pugetsoundmind"  # stops answering (connections dropped)


@dataclass
class Scenario:
    db: Path
    before_db: Path  # a copy after round 2 (nothing changed yet)
    changed_at: object  # naive UTC time just before round 3
    env: dict[str, str]
    practices: dict[str, int]  # world key -> practice id
    receiver_posts: list[dict] = field(default_factory=list)
    site_change: dict = field(default_factory=dict)  # {"old_price", "new_price", "dropped_state"}


def _kapdir(*args: str, env: dict[str, str]) -> dict | str:
    result = run_kapdir(*args, env=env, timeout=600)
    assert result.returncode == 0, f"kapdir {' '.join(args)}: {result.stderr[-2000:]}"
    return result.stdout


def _round(db: str, web, env: dict[str, str], *, first: bool, sources: tuple[str, ...] = ()) -> None:
    crawl = ["crawl", "--proxy", web.proxy_url, "--db", db, "--json"]
    if first:
        crawl += ["--listing", web.listing_url, "--trust-listing"]
    _kapdir(*crawl, env=env)
    _kapdir("boards", "sync", *sources, *(["--force"] if sources else []), "--db", db, "--json", env=env)
    _kapdir("verify", "--db", db, "--json", env=env)


def _change_record(world, practice_key: str, number: str, raw: str, status: str) -> None:
    for practice in world.practices:
        for clinician in practice.clinicians:
            for record in clinician.records:
                if record.number == number:
                    record.status_raw, record.status = raw, status
                    return
    raise AssertionError(f"no record {number} in {practice_key}")


def _change_site(world, web, key: str) -> dict:
    practice = next(p for p in world.practices if p.key == key)
    before = render_site(practice)
    changed = copy.deepcopy(practice)
    old_price = changed.prices_usd[0]
    changed.prices_usd[0] = old_price + 45
    dropped = changed.states.pop()
    after = render_site(changed)
    for path, (content_type, body) in after.items():
        if before.get(path, (None, None))[1] != body:
            web.override(f"http://{practice.host}{path}", body, content_type)
    return {"old_price": old_price, "new_price": old_price + 45, "dropped_state": dropped.state}


@pytest.fixture(scope="session")
def scenario(tmp_path_factory) -> Scenario:
    folder = tmp_path_factory.mktemp("changes")
    db = folder / "kapdir.db"
    world = load_world()
    receiver = Receiver()
    base_env = {"KAPDIR_ALLOW_PRIVATE_HOSTS": "true", "KAPDIR_DOWNLOAD_DELAY": "0.05",
                "KAPDIR_BOARD_LOOKUP_DELAY_S": "0.05", "KAPDIR_WEBHOOK_URL": receiver.url}
    try:
        with start_sample_web(world) as web:
            with start_board_mirrors(world) as mirrors:
                env = {**base_env, "KAPDIR_SOURCE_URLS": json.dumps(mirrors.urls)}
                _round(str(db), web, env, first=True)
                _round(str(db), web, env, first=False)
                _kapdir("feeds", "deliver", "--db", str(db), "--json", env=env)  # the webhook's starting point
            before_db = folder / "before.db"
            shutil.copy(db, before_db)
            changed_at = utcnow()
            _change_record(world, *SUSPENDED)
            _change_record(world, *EXPIRED)
            site_change = _change_site(world, web, SITE_CHANGE)
            web.set_down(f"{SITE_DOWN}.example", mode="drop")
            with start_board_mirrors(world) as mirrors:  # the boards now publish the changed records
                env = {**base_env, "KAPDIR_SOURCE_URLS": json.dumps(mirrors.urls)}
                _round(str(db), web, env, first=False, sources=("ct_socrata", "wa_socrata"))
                _kapdir("feeds", "deliver", "--db", str(db), "--json", env=env)
        import sqlite3

        with sqlite3.connect(db) as connection:
            practices = {key.removesuffix(".example"): pid for pid, key in connection.execute(
                "SELECT id, key FROM practice")}
        return Scenario(db=db, before_db=before_db, changed_at=changed_at, env=env, practices=practices,
                        receiver_posts=list(receiver.posts), site_change=site_change)
    finally:
        receiver.stop()
