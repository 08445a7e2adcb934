"""Change events through the real path: the sample world changed between refreshes gives exactly the expected
events in `kapdir changes --json`, in the Atom feed (read back with feedparser), at a webhook receiver on loopback,
and only the watched practices' events for a watch list."""

import json
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request

import feedparser
import pytest

from tests.changes.conftest import EXPIRED, SITE_CHANGE, SITE_DOWN, SUSPENDED
from tests.conftest import free_port, run_kapdir


def changes(db, *args, env=None):
    result = run_kapdir("changes", "--db", str(db), *args, env=env, timeout=120)
    assert result.returncode == 0, result.stderr
    return result.stdout


def expected(scenario) -> set[tuple]:
    """(kind, practice id, state, mode, before, after) of every event the change must give, and no other."""
    suspended, expired, site = (scenario.practices[k] for k in (SUSPENDED[0], EXPIRED[0], SITE_CHANGE))
    old, new, dropped = (scenario.site_change[k] for k in ("old_price", "new_price", "dropped_state"))
    return {
        ("new_discipline", suspended, "CT", None, "verified", "suspended_or_revoked"),
        ("state_lost", suspended, "CT", "in_person", "verified", "not verified"),
        ("state_lost", suspended, "CT", "virtual", "verified", "not verified"),
        ("expiry", expired, "WA", None, "verified", "expired"),
        ("state_lost", expired, "WA", "in_person", "verified", "not verified"),
        ("state_lost", expired, "WA", "virtual", "verified", "not verified"),
        ("prices_changed", site, None, None, f"${old:,.0f}", f"${new:,.0f}"),
        ("states_changed", site, None, None, dropped, None),
        ("practice_vanished", scenario.practices[SITE_DOWN], None, None, "reachable", "unreachable"),
    }


def as_tuple(event: dict) -> tuple:
    if event["kind"] == "prices_changed":
        return (event["kind"], event["practice_id"], None, None, *event["why"]["removed"], *event["why"]["added"])
    if event["kind"] == "states_changed":
        return (event["kind"], event["practice_id"], None, None, *event["why"]["removed"], *(event["why"]["added"]
                                                                                              or [None]))
    return (event["kind"], event["practice_id"], event["state"], event["mode"], event["before"], event["after"])


def test_before_the_change_the_only_events_are_practices_appearing(scenario):
    doc = json.loads(changes(scenario.before_db, "--json"))
    assert doc["count"] == len(scenario.practices) == 44
    assert {e["kind"] for e in doc["events"]} == {"practice_appeared"}


def test_cli_json_lists_exactly_the_expected_events_with_evidence(scenario):
    doc = json.loads(changes(scenario.db, "--since", scenario.changed_at.isoformat(), "--format", "json"))
    assert sorted(map(as_tuple, doc["events"])) == sorted(expected(scenario))
    by_kind = {e["kind"]: e for e in doc["events"]}
    suspension = by_kind["new_discipline"]
    assert suspension["why"]["source"] == "ct_socrata" and suspension["why"]["raw_status"] == "SUSPENDED"
    assert suspension["why"]["license_number"] == SUSPENDED[1] and suspension["why"]["before_evidence"][
        "raw_status"] == "ACTIVE"
    assert len(suspension["why"]["claims"]) == 2 and suspension["clinician"]
    assert by_kind["expiry"]["why"]["raw_status"] == "Expired"
    price = by_kind["prices_changed"]
    assert any(str(int(scenario.site_change["new_price"])) in (item["snippet"] or "") for item in
               price["why"]["evidence"]), "the new price's evidence is the page's own words"
    assert all(e["when"] >= scenario.changed_at.isoformat(timespec="seconds") for e in doc["events"])
    one = json.loads(changes(scenario.db, "--json", "--practice", str(scenario.practices[EXPIRED[0]]),
                             "--since", scenario.changed_at.isoformat()))
    assert {e["kind"] for e in one["events"]} == {"expiry", "state_lost"} and one["count"] == 3


def test_table_output_lists_the_same_events(scenario):
    out = changes(scenario.db, "--since", scenario.changed_at.isoformat())
    assert "9 change events" in out and "License expired" in out and "Prices changed" in out


def test_atom_feed_is_valid_and_has_one_entry_per_event(scenario):
    text = changes(scenario.db, "--since", scenario.changed_at.isoformat(), "--format", "atom")
    feed = feedparser.parse(text)
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == "atom10" and len(feed.entries) == 9
    assert len({entry.id for entry in feed.entries}) == 9
    kinds = sorted(entry.tags[0].term for entry in feed.entries)
    assert kinds == sorted(kind for kind, *_ in expected(scenario))
    expiry = next(entry for entry in feed.entries if entry.tags[0].term == "expiry")
    assert "Before: verified" in expiry.content[0].value and "After: expired" in expiry.content[0].value
    assert "raw_status: Expired" in expiry.content[0].value
    whole = changes(scenario.db, "--format", "atom")  # every event, the hostile practice's among them
    assert not feedparser.parse(whole).bozo and "<script" not in whole and "<img" not in whole


def test_webhook_received_the_change_events_once_and_nothing_at_its_start(scenario):
    posts = scenario.receiver_posts
    assert len(posts) == 1, "the first delivery only records the starting point; the change is one batch"
    body = posts[0]["body"]
    assert posts[0]["headers"]["Content-Type"] == "application/json"
    assert posts[0]["headers"]["X-Kapdir-Batch"] == str(body["batch_id"])
    assert sorted(map(as_tuple, body["events"])) == sorted(expected(scenario))
    assert all(event["watch_lists"] == [] for event in body["events"])


def test_a_watch_list_filters_the_cli_and_its_feed(scenario, tmp_path):
    db = tmp_path / "watched.db"
    shutil.copy(scenario.db, db)
    suspended, site = scenario.practices[SUSPENDED[0]], scenario.practices[SITE_CHANGE]
    added = run_kapdir("watch", "add", "  Ana.Referrer@Example.org ", str(suspended), str(site), "--db", str(db))
    assert added.returncode == 0, added.stderr
    assert "watches 2 practices" in added.stdout and "/feeds/watch/" in added.stdout
    assert "Ana" not in added.stdout.split("feed:")[1], "the feed URL never names the person"
    doc = json.loads(changes(db, "--watch", "ana.referrer@example.org", "--since", scenario.changed_at.isoformat(),
                             "--json"))
    assert sorted(map(as_tuple, doc["events"])) == sorted(e for e in expected(scenario) if e[1] in (suspended, site))
    listed = json.loads(run_kapdir("watch", "list", "--json", "--db", str(db)).stdout)
    assert listed[0]["practice_ids"] == sorted([suspended, site])
    token = listed[0]["feed_url"].rsplit("/", 1)[1].removesuffix(".atom")

    port = free_port()
    server = subprocess.Popen([sys.executable, "-c", "from directory.cli import main; main()", "feeds", "serve",
                               "--port", str(port), "--db", str(db)], stderr=subprocess.PIPE)
    try:
        feed = None
        for _ in range(100):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/feeds/watch/{token}.atom", timeout=5) as r:
                    assert r.headers["Content-Type"].startswith("application/atom+xml")
                    feed = feedparser.parse(r.read())
                break
            except urllib.error.URLError:
                time.sleep(0.1)
        assert feed is not None and not feed.bozo
        assert {entry.tags[0].term for entry in feed.entries} >= {"new_discipline", "prices_changed"}
        assert all(entry.tags[0].term != "expiry" for entry in feed.entries), "not a watched practice"
        with pytest.raises(urllib.error.HTTPError) as missing:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/feeds/watch/not-a-real-token.atom", timeout=5)
        assert missing.value.code == 404
    finally:
        server.terminate()
        server.wait(timeout=10)

    removed = run_kapdir("watch", "remove", "ANA.REFERRER@example.org", str(site), "--db", str(db))
    assert removed.returncode == 0 and "stopped watching 1" in removed.stdout
    doc = json.loads(changes(db, "--watch", "ana.referrer@example.org", "--json"))
    assert {e["practice_id"] for e in doc["events"]} == {suspended}


@pytest.mark.parametrize("args, message", [
    (["--since", "last tuesday"], "--since"),
    (["--watch", "nobody@example.org"], "no watch list named"),
])
def test_bad_input_is_one_line_and_exit_1(scenario, args, message):
    result = run_kapdir("changes", "--db", str(scenario.db), *args, timeout=120)
    assert result.returncode == 1 and message in result.stderr and result.stderr.strip().count("\n") == 0


def test_missing_database_is_one_line_and_nothing_created(tmp_path):
    result = run_kapdir("changes", "--db", str(tmp_path / "none.db"), timeout=120)
    assert result.returncode == 1 and "no database" in result.stderr and not (tmp_path / "none.db").exists()
    bad = run_kapdir("watch", "add", "x", "999999", "--db", str(tmp_path / "none.db"), timeout=120)
    assert bad.returncode == 1 and bad.stderr.strip().count("\n") == 0
