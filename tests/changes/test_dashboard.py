"""The provider page (AppTest): "What changed" from the same events as `kapdir changes`, and the watch control."""

import json
import re
import shutil
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from directory.settings import get_settings
from tests.changes.conftest import SITE_CHANGE, SUSPENDED
from tests.conftest import run_kapdir

APP = str(Path(__file__).resolve().parents[2] / "dashboard" / "app.py")


@pytest.fixture
def app(scenario, tmp_path, monkeypatch):
    db = tmp_path / "dash.db"
    shutil.copy(scenario.db, db)
    monkeypatch.setenv("KAPDIR_DASHBOARD_DB", str(db))
    monkeypatch.setenv("KAPDIR_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("KAPDIR_FEED_BASE_URL", "http://127.0.0.1:8602")
    get_settings.cache_clear()
    at = AppTest.from_file(APP, default_timeout=60)
    yield at, db
    get_settings.cache_clear()


def provider(at: AppTest, practice_id: int) -> AppTest:
    at.run()
    at.query_params["practice"] = str(practice_id)
    return at.switch_page("views/provider.py").run()


def texts(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption] + [s.value for s in at.subheader]
    parts += [s.value for s in at.success] + [e.value for e in at.error]
    return "\n".join(map(str, parts)).replace("\\", "")  # md() backslash-escapes punctuation


def test_what_changed_shows_the_events_with_before_after_and_why(app, scenario):
    at, _db = app
    at = provider(at, scenario.practices[SUSPENDED[0]])
    assert not at.exception, at.exception
    shown = texts(at)
    assert "What changed" in shown and "New discipline" in shown and "State no longer verified" in shown
    assert "License suspended or revoked" in shown and "Board status: SUSPENDED" in shown
    assert "Before: verified" in shown and "Practice appeared" in shown
    assert "Source: " in shown and not re.search(r"Source: [a-z]+_[a-z_]+\b", shown), "sources by name, not id"
    site = at.selectbox(key="provider_practice").set_value(scenario.practices[SITE_CHANGE]).run()
    assert "Prices changed" in texts(site) and "State list changed" in texts(site)
    assert not at.html, "no HTML is rendered"


def test_watch_this_practice_by_name_then_stop(app, scenario):
    at, db = app
    practice = scenario.practices[SUSPENDED[0]]
    at = provider(at, practice)
    assert not at.button, "no button until a name is typed"
    at.text_input(key="watch_name").input("Dr. Referrer <ref@example.org>").run()
    at.button(key="watch_add").click().run()
    assert not at.exception, at.exception
    assert "You watch this practice" in texts(at)
    url = at.code[0].value
    assert url.startswith("http://127.0.0.1:8602/feeds/watch/") and "ref" not in url.split("/watch/")[1]
    listed = json.loads(run_kapdir("watch", "list", "--json", "--db", str(db)).stdout)
    assert listed == [{"name": "Dr. Referrer <ref@example.org>", "practice_ids": [practice],
                       "practices": [listed[0]["practices"][0]], "feed_url": url}]
    watched = json.loads(run_kapdir("changes", "--watch", "dr. referrer <REF@example.org>", "--json", "--db",
                                    str(db)).stdout)
    assert watched["count"] > 0 and {e["practice_id"] for e in watched["events"]} == {practice}
    at.button(key="watch_remove").click().run()
    assert "You watch this practice" not in texts(at) and at.button(key="watch_add")
    assert json.loads(run_kapdir("watch", "list", "--json", "--db", str(db)).stdout)[0]["practice_ids"] == []
