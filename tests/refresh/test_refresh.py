"""`kapdir refresh` on the sample world over real HTTP on loopback, as cron would run it.

refresh -> refresh (the second does nothing and says so) -> the world moves on (a board publishes a new edition
with a suspension and a lapse, one site changes, one goes down, one roster source is down; time passes for them)
-> refresh picks exactly those up: the verdicts change, the failures back off, the rest is left alone.
"""

import dataclasses
import importlib.util
import json
import re
import threading
from datetime import UTC, date, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import text
from sqlmodel import Session, select

from directory.db import get_engine, resolve_url
from directory.models import RefreshRun, Seed, SiteSchedule, SourceSync, VerdictHistory
from directory.sample_world.mirrors import start_board_mirrors
from directory.sample_world.web import start_sample_web
from directory.sample_world.world import load_world
from directory.timeutil import utcnow
from tests.conftest import run_kapdir

CHANGES = importlib.util.find_spec("directory.changes") is not None  # change events (issue 15, part 2) present


class Receiver(BaseHTTPRequestHandler):
    """A webhook receiver on loopback: keeps every POST body, answers 204."""

    posts: list[bytes] = []

    def do_POST(self) -> None:  # noqa: N802 - the http.server hook's name
        self.posts.append(self.rfile.read(int(self.headers.get("Content-Length") or 0)))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args) -> None:
        return


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """The sample web and every board mirror, and the environment a deployment's scheduler would give refresh
    (no seeds configured: the seed list file names the sample world's practice sites)."""
    tmp = tmp_path_factory.mktemp("refresh")
    sample = load_world()
    receiver = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    with start_sample_web(sample) as web, start_board_mirrors(sample) as mirrors:
        seeds = tmp / "seeds.txt"
        seeds.write_text("# practice sites\n" + "".join(f"{url}  -  # a site (no state named)\n" for url in web.seeds))
        env = {"KAPDIR_SOURCE_URLS": json.dumps(mirrors.urls), "KAPDIR_CRAWL_PROXY": web.proxy_url,
               "KAPDIR_SEEDS_FILE": str(seeds), "KAPDIR_DOWNLOAD_DELAY": "0.05",
               "KAPDIR_BOARD_LOOKUP_DELAY_S": "0.05", "KAPDIR_DATA_DIR": str(tmp / "data"),
               "KAPDIR_ALLOW_PRIVATE_HOSTS": "true",
               "KAPDIR_WEBHOOK_URL": f"http://127.0.0.1:{receiver.server_address[1]}/hook"}
        yield {"web": web, "mirrors": mirrors, "env": env, "db": tmp / "refresh.db"}
    receiver.shutdown()


def refresh(world, *args: str):
    return run_kapdir("refresh", "--db", str(world["db"]), *args, env=world["env"], timeout=900)


def requests_made(world) -> tuple[int, dict[str, int]]:
    web, mirrors = world["web"], world["mirrors"]
    return len(web.fetched()), {name: len(server.mirror.requests) for name, server in mirrors.servers.items()}


def publish_new_edition(mirror, changes: dict[str, dict]) -> None:
    """The Texas board publishes a new roster: the records with these numbers change, the file's Last-Modified
    moves (as the real download's does)."""
    entries = []
    for entry in mirror.entries:
        change = changes.get(entry.record.number)
        entries.append(dataclasses.replace(entry, record=dataclasses.replace(entry.record, **change))
                       if change else entry)
    mirror.entries = entries
    mirror._full = mirror.files(entries + mirror.filler)  # what the mirror serves from now on
    mirror.last_modified = format_datetime(datetime.now(UTC).replace(microsecond=0), usegmt=True)


def test_refresh_twice_then_the_world_moves_on(world):
    engine = get_engine(resolve_url(world["db"]))

    # 1. A first refresh on an empty database: seeds from the file, everything is due.
    first = refresh(world, "--json")
    assert first.returncode == 0, first.stderr[-2000:]
    one = json.loads(first.stdout)
    sites = len(world["web"].seeds)
    assert one["status"] == "finished" and not one["failures"]
    assert one["seeds"]["added"] == sites and not one["seeds"]["problems"]
    assert one["sites"]["due"] == sites and one["sites"]["crawled"] == sites and one["sites"]["failed"] == 0
    assert one["sources"]["due"] >= 10 and one["sources"]["synced"] >= one["sources"]["due"]
    assert one["verify"]["rechecked"] == one["verify"]["claims"] > 100
    assert one["next_due_at"] and not one["nothing_due"]
    # Change events: the webhook's first delivery only records where it starts; nothing is posted yet.
    assert (one["delivery"]["configured"] is True if CHANGES else one["delivery"] is None) and not Receiver.posts
    with Session(engine) as session:
        assert len(session.exec(select(Seed).where(Seed.origin == "file")).all()) == sites
        run = session.get(RefreshRun, one["run_id"])
        assert run.status == "finished" and run.sites_crawled == sites and run.crawl_run_id == one["crawl"]["run_id"]
        assert run.verify_run_id == one["verify"]["run_id"] and run.parts["sites"]["crawled"] == sites

    # 2. Right after: nothing is due, nothing is fetched from any site or source, and it says so.
    before = requests_made(world)
    second = refresh(world)
    assert second.returncode == 0, second.stderr[-2000:]
    line = second.stdout.strip()
    assert re.fullmatch(r"nothing due: 0 sites crawled, 0 sources synced, 0 claims re-verified; next due at "
                        r"\d{4}-\d\d-\d\d \d\d:\d\d UTC \([^();]+\)", line), line
    assert requests_made(world) == before
    with Session(engine) as session:
        assert session.exec(select(RefreshRun).order_by(RefreshRun.id.desc())).first().status == "finished"

    # 3. The world moves on. Texas publishes a new edition: one verified licensee suspended, another lapsed.
    with Session(engine) as session:
        verified = session.exec(text(
            "SELECT v.claim_key, l.license_number FROM verification v JOIN licenserecord l "
            "ON l.id = v.license_record_id WHERE v.verdict = 'verified' AND l.source = 'tx_bhec' "
            "ORDER BY l.license_number")).all()
        ct_verified = [key for (key,) in session.exec(text(
            "SELECT v.claim_key FROM verification v JOIN licenserecord l ON l.id = v.license_record_id "
            "WHERE v.verdict = 'verified' AND l.source = 'ct_socrata'")).all()]
        ct_records = session.exec(text(
            "SELECT count(*) FROM licenserecord WHERE source = 'ct_socrata' AND removed_at IS NULL")).one()[0]
    numbers = sorted({number for _, number in verified})
    assert len(numbers) >= 2
    suspended, lapsed = numbers[0], numbers[1]
    publish_new_edition(world["mirrors"].mirror("tx_bhec"), {
        suspended: {"status_raw": "Suspended", "status": "suspended"},
        lapsed: {"status_raw": "Delinquent", "status": "expired", "expires": date.today() - timedelta(days=20)},
    })
    world["mirrors"].set_fault("ct_socrata", "down")  # and Connecticut's open-data portal is down
    # Three sites (none behind the claims watched above): one rewrites its home page, one goes down, one stays
    # the same.
    with Session(engine) as session:
        watched = {key for (key,) in session.exec(text(
            "SELECT v.claim_key FROM verification v JOIN licenserecord l ON l.id = v.license_record_id "
            "WHERE l.source IN ('tx_bhec', 'ct_socrata')")).all()}
        schedules = [row for row in session.exec(select(SiteSchedule).order_by(SiteSchedule.site)).all()
                     if not any(key.startswith(row.site + "/") for key in watched)]
    changed, down, same = schedules[0], schedules[1], schedules[2]
    world["web"].override(changed.url, "<html><head><title>Closed</title></head><body><h1>This practice has "
                                       "closed.</h1></body></html>")
    world["web"].set_down(down.site)
    # A day and more passes for these three sites and two sources (as if their last check were that long ago).
    with engine.begin() as connection:
        connection.execute(text("UPDATE siteschedule SET next_due_at = :at WHERE site IN (:a, :b, :c)"),
                           {"at": utcnow() - timedelta(minutes=1), "a": changed.site, "b": down.site, "c": same.site})
        connection.execute(text("UPDATE sourcesync SET finished_at = :at WHERE source IN ('tx_bhec', 'ct_socrata')"),
                           {"at": utcnow() - timedelta(hours=25)})
    ct_syncs = len(world["mirrors"].mirror("ct_socrata").requests)

    third = refresh(world, "--json")
    assert third.returncode == 1  # a part failed: said in one line, after everything else was done
    assert third.stderr.strip().count("\n") == 0 and "Traceback" not in third.stderr
    assert third.stderr.startswith("kapdir: error: refresh run") and "ct_socrata" in third.stderr
    three = json.loads(third.stdout)
    assert three["status"] == "failed"
    assert sorted(three["sources"]["due_names"]) == ["ct_socrata", "tx_bhec"]
    assert three["sources"]["failed"] == ["ct_socrata"] and three["sources"]["synced"] == 1
    assert len(world["mirrors"].mirror("ct_socrata").requests) > ct_syncs  # it was really asked
    assert three["sites"] | {"active": sites} == {"active": sites, "due": 3, "crawled": 3, "changed": 1,
                                                  "unchanged": 1, "failed": 1}

    with Session(engine) as session:
        run = session.get(RefreshRun, three["run_id"])
        assert run.status == "failed" and "ct_socrata" in run.message
        verdicts = {key: verdict for key, verdict in session.exec(text(
            "SELECT v.claim_key, v.verdict FROM verification v")).all()}
        for key, number in verified:
            expected = {suspended: "suspended_or_revoked", lapsed: "expired"}.get(number, "verified")
            assert verdicts.get(key) == expected, (key, number, verdicts.get(key))
        history = session.exec(select(VerdictHistory).where(
            VerdictHistory.verify_run_id == three["verify"]["run_id"])).all()
        # The history says when and against which edition: a new verdict for the two, the same verdict on the
        # newer edition for the Texas licensees that did not change.
        changed_keys = {row.claim_key for row in history
                        if row.claim_key in dict(verified) and row.verdict != "verified"}
        assert changed_keys == {key for key, number in verified if number in (suspended, lapsed)}
        assert three["verify"]["rechecked"] >= len(changed_keys)
        # Connecticut's last good roster is kept, but no longer called verified while its source fails.
        assert session.exec(text(
            "SELECT count(*) FROM licenserecord WHERE source = 'ct_socrata' AND removed_at IS NULL")).one()[0] \
            == ct_records
        assert ct_verified and {verdicts[key] for key in ct_verified} == {"source_unavailable"}
        # The schedule: a changed site again in a week, an unchanged one in two, a failing one in six hours;
        # the failed source is asked again in an hour, the one that synced in a day.
        rows = {row.site: row for row in session.exec(select(SiteSchedule))}
        now = utcnow()
        expect = {changed.site: ("changed", timedelta(days=7)), same.site: ("unchanged", timedelta(days=14)),
                  down.site: ("failed", timedelta(hours=6))}
        for site, (outcome, wait) in expect.items():
            assert rows[site].last_outcome == outcome, site
            assert abs((rows[site].next_due_at - now) - wait) < timedelta(minutes=10), (site, rows[site].next_due_at)
        assert rows[down.site].failures == 1 and rows[same.site].unchanged_streak == 1
        last_ct = session.exec(select(SourceSync).where(SourceSync.source == "ct_socrata")
                               .order_by(SourceSync.id.desc())).first()
        assert last_ct.status == "error"

    # The changed verdicts went to the webhook (when the change events are part of this checkout).
    if CHANGES:
        assert three["delivery"]["sent"] >= 1 and Receiver.posts, three["delivery"]
        assert b"suspended_or_revoked" in b"".join(Receiver.posts)
    else:
        assert three["delivery"] is None and not Receiver.posts

    # 4. Straight after: only the failures are waiting (in their backoff), so nothing is due yet.
    fourth = refresh(world)
    assert fourth.returncode == 0, fourth.stderr[-2000:]
    assert fourth.stdout.startswith("nothing due: 0 sites crawled, 0 sources synced, 0 claims re-verified")
    assert "(source ct_socrata)" in fourth.stdout  # the next thing due: its retry in an hour


def test_refresh_errors_are_one_line(tmp_path, world):
    blocked = tmp_path / "not-a-db"
    blocked.write_text("this is not a database")
    result = run_kapdir("refresh", "--db", str(blocked), env=world["env"])
    assert result.returncode == 1
    assert result.stderr.startswith("kapdir: error:") and result.stderr.strip().count("\n") == 0
    assert "Traceback" not in result.stderr
    bad = run_kapdir("refresh", "--proxy", "ftp://x", "--db", str(tmp_path / "new.db"), env=world["env"])
    assert bad.returncode == 1 and bad.stderr.startswith("kapdir: error:") and "Traceback" not in bad.stderr
