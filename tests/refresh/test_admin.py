"""The admin page shows the last and the next refresh, and its button starts a real `kapdir refresh` job."""

import json
import time
from datetime import timedelta
from pathlib import Path

import pytest
from sqlmodel import Session, select
from streamlit.testing.v1 import AppTest

from dashboard import admin_guard, jobs
from directory.boards.registry import all_sources
from directory.db import open_database, resolve_url
from directory.errors import KapdirError
from directory.models import RefreshRun, Seed, SiteSchedule, SourceSync
from directory.settings import get_settings
from directory.timeutil import utcnow

APP = str(Path(__file__).resolve().parents[2] / "dashboard" / "app.py")


@pytest.fixture
def admin(tmp_path, monkeypatch):
    path = tmp_path / "admin.db"
    engine = open_database(path)
    monkeypatch.setenv("KAPDIR_DASHBOARD_DB", resolve_url(path))
    monkeypatch.setenv("KAPDIR_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("KAPDIR_ADMIN_PASSWORD", "s3cret")
    # Every source points at a closed loopback port the egress policy refuses: nothing here reaches the internet.
    monkeypatch.setenv("KAPDIR_SOURCE_URLS", json.dumps({info.name: "http://127.0.0.1:9" for info in all_sources()}))
    monkeypatch.setenv("KAPDIR_ALLOW_PRIVATE_HOSTS", "false")
    monkeypatch.setenv("KAPDIR_SEEDS_FILE", str(tmp_path / "no-seeds.txt"))
    monkeypatch.setattr(admin_guard, "_guard", None)
    monkeypatch.setattr(jobs, "_jobs", [])
    get_settings.cache_clear()
    at = AppTest.from_file(APP, default_timeout=30)
    at.run()
    at.switch_page("views/admin.py").run()
    at.text_input(key="admin_password").input("s3cret")
    at.button(key="admin_login").click().run()
    yield at, engine
    for job in jobs._jobs:
        if job.running:
            job.process.kill()
            job.process.wait()
    get_settings.cache_clear()


def texts(at: AppTest) -> str:
    """What the page says, without the backslashes that escape Markdown in it."""
    return "\n".join(str(part.value) for part in [*at.markdown, *at.caption, *at.error]).replace("\\", "")


def test_before_any_refresh_the_page_says_so(admin):
    at, _ = admin
    assert not at.exception
    assert "Last refresh: none has run on this database yet." in texts(at)
    assert "Next refresh due: now (source " in texts(at)  # no source ever synced
    assert "Due now: 0 of 0 sites; sources: ct_socrata, " in texts(at)


def test_the_last_and_next_refresh_and_a_button_that_starts_one(admin):
    at, engine = admin
    now = utcnow().replace(microsecond=0)
    due = now + timedelta(hours=5)
    with Session(engine) as session:
        for info in all_sources():  # every roster asked just now: next in a day (the LEIE in a month)
            if info.method == "roster":
                session.add(SourceSync(source=info.name, status="ok", finished_at=now, source_as_of=now))
        session.add(Seed(url="http://calm.example/"))
        session.add(SiteSchedule(site="calm.example", url="http://calm.example/", last_attempt_at=now,
                                 next_due_at=due, reason="changed at its last crawl"))
        session.add(RefreshRun(started_at=now - timedelta(minutes=3), finished_at=now, status="finished",
                               message="nothing due: 0 sites crawled, 0 sources synced, 0 claims re-verified"))
        session.commit()
    at.run()
    shown = texts(at)
    assert not at.exception
    assert "Last refresh: run 1, finished, started" in shown and "nothing due: 0 sites crawled" in shown
    assert f"Next refresh due: {due:%Y-%m-%d %H:%M} UTC (site calm.example)" in shown
    assert "Due now: 0 of 1 sites; sources: none; 0 verdicts." in shown

    at.button(key="job_refresh").click().run()
    assert not at.exception
    job = jobs.current_job()
    assert job is not None and job.kind == "refresh" and job.command[-2:] == ["refresh", "--json"]
    deadline = time.monotonic() + 180
    while job.running and time.monotonic() < deadline:
        time.sleep(0.5)
    assert not job.running, job.log_tail()
    assert job.returncode == 0, job.log_tail()
    with Session(engine) as session:
        run = session.exec(select(RefreshRun).order_by(RefreshRun.id.desc())).first()
    assert run.id == 2 and run.status == "finished" and run.message.startswith("nothing due"), run.message
    assert '"nothing_due": true' in job.log_tail(200)
    at.run()
    assert "Last refresh: run 2, finished" in texts(at)


def test_the_refresh_job_is_the_cli_command_with_a_checked_proxy():
    assert jobs.job_arguments("refresh") == ["refresh", "--json"]
    assert jobs.job_arguments("refresh", proxy="http://127.0.0.1:9") == ["refresh", "--json", "--proxy=http://127.0.0.1:9"]
    with pytest.raises(KapdirError, match="http"):
        jobs.job_arguments("refresh", proxy="--db=/elsewhere")
