"""When refresh finds a site or a source due: the rules, on a real (SQLite) database."""

import json
from datetime import timedelta

import pytest
from sqlmodel import Session, select

from directory.boards import registry
from directory.db import get_engine, resolve_url, upgrade
from directory.errors import KapdirError
from directory.models import Practice, RefreshRun, Seed, SiteSchedule, SourceSync
from directory.refresh import (
    next_due,
    run_refresh,
    seed_from_file_if_none,
    site_interval,
    site_plan,
    source_plan,
)
from directory.settings import get_settings
from directory.timeutil import utcnow


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def engine(request, tmp_path, monkeypatch):
    # Every source at a closed loopback port the egress policy refuses: nothing here reaches the internet.
    monkeypatch.setenv("KAPDIR_SOURCE_URLS", json.dumps({i.name: "http://127.0.0.1:9" for i in registry.all_sources()}))
    monkeypatch.setenv("KAPDIR_ALLOW_PRIVATE_HOSTS", "false")
    monkeypatch.setenv("KAPDIR_SEEDS_FILE", str(tmp_path / "no-seeds.txt"))
    get_settings.cache_clear()
    if request.param == "postgres":
        url = request.getfixturevalue("postgres_url")
        with get_engine(url).begin() as connection:  # each test starts from an empty schema
            connection.exec_driver_sql("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
    else:
        url = resolve_url(tmp_path / "schedule.db")
    upgrade(url)
    engine = get_engine(url)
    yield engine
    get_settings.cache_clear()


def test_a_refresh_that_can_do_nothing_records_what_failed_and_when_to_retry(engine):
    summary = run_refresh(engine.url.render_as_string(hide_password=False))
    assert summary.status == "failed" and summary.sites["active"] == 0
    assert summary.failures[0].startswith("no seeds")
    assert summary.sources["checked"] == summary.sources["due"] > 5 and not summary.sources["synced"]
    assert set(summary.sources["failed"]) == set(summary.sources["due_names"])
    assert summary.verify["claims"] == 0 and summary.seeds["problems"][0].startswith("cannot read seed list")
    assert summary.failures[0].startswith("no seeds: cannot read seed list")
    with Session(engine) as session:
        run = session.get(RefreshRun, summary.run_id)
        assert run.status == "failed" and run.finished_at and run.message == summary.line()
        assert run.parts["sources"]["failed"] == summary.sources["failed"] and run.sources_synced == 0
        # Every failed source is retried an hour later (the first failure), which is the next thing due.
        assert run.next_due_at == summary.next_due_at
        assert abs(run.next_due_at - (utcnow() + timedelta(hours=1))) < timedelta(minutes=5)
        plan = source_plan(session, utcnow())
    assert all(not d.is_due(utcnow()) and "retry after 1 h" in d.reason for d in plan)


def test_a_changed_site_comes_back_weekly_an_unchanged_one_less_often_a_failing_one_backs_off():
    day, hour = timedelta(days=1), timedelta(hours=1)
    assert site_interval("changed", unchanged_streak=0, failures=0)[0] == 7 * day
    assert [site_interval("unchanged", unchanged_streak=n, failures=0)[0] for n in (1, 2, 3, 9)] == \
        [14 * day, 28 * day, 28 * day, 28 * day]
    assert [site_interval("failed", unchanged_streak=0, failures=n)[0] for n in (1, 2, 3, 4, 12)] == \
        [6 * hour, 12 * hour, 24 * hour, 48 * hour, 28 * day]
    assert "failed 3 time(s) in a row: retry after 24 h" == site_interval("failed", unchanged_streak=0, failures=3)[1]


def _sync(session, source, *, status="ok", ago, as_of_days=None):
    finished = utcnow() - ago
    session.add(SourceSync(source=source, status=status, started_at=finished - timedelta(minutes=1),
                           finished_at=finished,
                           source_as_of=utcnow() - timedelta(days=as_of_days) if as_of_days is not None else None))


def test_sources_are_asked_daily_the_leie_monthly_and_failures_back_off(engine):
    now = utcnow()
    with Session(engine) as session:
        plan = {d.name: d for d in source_plan(session, now)}
        assert plan and all(d.is_due(now) and d.reason == "never synced" for d in plan.values())
        assert {"ct_socrata", "tx_bhec", "oig_leie"} <= set(plan)
        assert not {name for name in plan if registry.get_source(name).method != "roster"}  # look-ups: by cache
        _sync(session, "ct_socrata", ago=timedelta(hours=2), as_of_days=3)
        _sync(session, "oig_leie", ago=timedelta(hours=2), as_of_days=5)  # this month's edition: next in 25 days
        _sync(session, "tx_bhec", ago=timedelta(days=3), as_of_days=3)
        for _ in range(3):  # then three failures in a row
            _sync(session, "tx_bhec", status="error", ago=timedelta(hours=2))
        _sync(session, "il_socrata", ago=timedelta(hours=2), as_of_days=40)
        session.commit()
        plan = {d.name: d for d in source_plan(session, now)}
    close = timedelta(minutes=2)
    assert abs(plan["ct_socrata"].at - (now + timedelta(hours=22))) < close
    assert abs(plan["oig_leie"].at - (now + timedelta(days=25))) < close
    assert "next is expected 30 days later" in plan["oig_leie"].reason
    assert abs(plan["tx_bhec"].at - (now + timedelta(hours=2))) < close  # 1 h doubled twice = 4 h after the last
    assert "(3 in a row): retry after 4 h" in plan["tx_bhec"].reason
    assert abs(plan["il_socrata"].at - (now + timedelta(hours=22))) < close  # no cadence of its own: daily
    with Session(engine) as session:
        at, what = next_due(session, now)
    assert at == now and what  # every other roster is still due now


def test_an_overdue_monthly_edition_is_asked_for_daily(engine):
    with Session(engine) as session:
        _sync(session, "oig_leie", ago=timedelta(hours=5), as_of_days=33)  # the next edition is 3 days late
        session.commit()
        leie = next(d for d in source_plan(session, utcnow()) if d.name == "oig_leie")
    assert abs(leie.at - (utcnow() + timedelta(hours=19))) < timedelta(minutes=2)


def test_sites_due_from_their_schedule_or_from_what_the_crawl_recorded(engine):
    now = utcnow()
    with Session(engine) as session:
        for url, active in (("http://fresh.example/", True), ("http://down.example/", True),
                            ("http://new.example/", True), ("http://planned.example/", True),
                            ("http://off.example/", False)):
            session.add(Seed(url=url, active=active))
        session.add(Practice(key="fresh.example", last_crawled=now - timedelta(days=2)))
        session.add(Practice(key="down.example", last_crawled=now - timedelta(days=20), stale=True))
        session.add(Practice(key="planned.example", last_crawled=now - timedelta(days=1)))
        session.add(SiteSchedule(site="planned.example", url="http://planned.example/", last_attempt_at=now,
                                 next_due_at=now + timedelta(days=14), reason="unchanged 1 crawl(s) in a row"))
        session.commit()
        plan = {d.name: d for d in site_plan(session, now)}
    assert set(plan) == {"fresh.example", "down.example", "new.example", "planned.example"}  # active seeds only
    assert abs(plan["fresh.example"].at - (now + timedelta(days=5))) < timedelta(seconds=1)
    assert plan["down.example"].is_due(now) and plan["down.example"].reason == "its last crawl failed"
    assert plan["new.example"].is_due(now) and plan["new.example"].reason == "never crawled"
    assert plan["planned.example"].at == now + timedelta(days=14)


def test_a_crawl_outside_refresh_pushes_the_next_one_back(engine):
    now = utcnow()
    with Session(engine) as session:
        session.add(Seed(url="http://site.example/"))
        session.add(SiteSchedule(site="site.example", url="http://site.example/",
                                 last_attempt_at=now - timedelta(days=9), next_due_at=now - timedelta(days=2),
                                 reason="changed at its last crawl"))
        session.add(Practice(key="site.example", last_crawled=now - timedelta(hours=1)))  # `kapdir crawl` just now
        session.commit()
        (due,) = site_plan(session, now)
    assert not due.is_due(now) and "outside refresh" in due.reason


def test_with_no_seeds_configured_the_file_becomes_the_seeds_table_once(engine, tmp_path, monkeypatch):
    path = tmp_path / "seeds.txt"
    path.write_text("https://one-practice.com/ CT\nhttps://two-practice.org/ WA\n")
    monkeypatch.setenv("KAPDIR_SEEDS_FILE", str(path))
    get_settings.cache_clear()
    assert seed_from_file_if_none(engine) == {"seeds_file": str(path), "added": 2, "problems": []}
    assert seed_from_file_if_none(engine) == {}  # seeds are configured now: the file is not read again
    with Session(engine) as session:
        for seed in session.exec(select(Seed)):
            seed.active = False  # the admin turns every seed off
            session.add(seed)
        session.commit()
    assert seed_from_file_if_none(engine)["added"] == 0  # and they stay off
    with Session(engine) as session:
        assert not session.exec(select(Seed).where(Seed.active.is_(True))).all()
    bad = tmp_path / "bad.txt"
    bad.write_text("https://three-practice.com/ CO\nhttp://127.0.0.1/ TX\n")  # a line the egress policy refuses
    monkeypatch.setenv("KAPDIR_SEEDS_FILE", str(bad))
    get_settings.cache_clear()
    (problem,) = seed_from_file_if_none(engine)["problems"]
    assert problem.startswith(f"{bad} line 2: seed 'http://127.0.0.1/' refused")
    with Session(engine) as session:  # nothing of a list with a bad line is added
        assert not session.exec(select(Seed).where(Seed.url == "https://three-practice.com/")).first()


def _policy(tmp_path, monkeypatch, body: str):
    path = tmp_path / "sources.toml"
    path.write_text('health_classes = ["psychologist"]\n' + body + "\n[default_status_words]\n[sources]\n")
    monkeypatch.setattr(registry, "SOURCES_FILE", path)
    registry._table.cache_clear()
    try:
        return registry.refresh_policy()
    finally:
        monkeypatch.undo()
        registry._table.cache_clear()


def test_the_refresh_cadence_is_read_from_sources_toml(tmp_path, monkeypatch):
    assert registry.refresh_policy().check_every_hours == 24 and registry.get_source("oig_leie").publishes_every_days
    assert _policy(tmp_path, monkeypatch, "[refresh]\ncheck_every_hours = 6").check_every_hours == 6
    with pytest.raises(KapdirError, match=r"\[refresh\]: unknown key\(s\) every"):
        _policy(tmp_path, monkeypatch, "[refresh]\nevery = 6")
    with pytest.raises(KapdirError, match="must be a positive number"):
        _policy(tmp_path, monkeypatch, "[refresh]\nretry_after_hours = -1")
