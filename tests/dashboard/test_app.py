"""AppTest: every page runs without an exception, and interactions by widget key work."""

import re
from datetime import timedelta
from enum import StrEnum
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dashboard import admin_guard
from directory import egress, vocab
from directory.settings import get_settings
from tests.dashboard.builder import NOW, SCRIPT

APP = str(Path(__file__).resolve().parents[2] / "dashboard" / "app.py")
PAGES = ["views/find_care.py", "views/provider.py", "views/compare.py", "views/admin.py"]


def public_dns(host: str, port: int) -> list[str]:
    """A stand-in DNS (no internet here): every name is one public address, numeric hosts are themselves."""
    return [host] if host[:1].isdigit() else ["93.184.216.34"]


@pytest.fixture
def app(directory_db, monkeypatch, tmp_path):
    monkeypatch.setenv("KAPDIR_DASHBOARD_DB", directory_db.url)
    monkeypatch.setenv("KAPDIR_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("KAPDIR_ADMIN_PASSWORD", raising=False)
    monkeypatch.setenv("KAPDIR_ALLOW_PRIVATE_HOSTS", "false")  # the admin area as deployed: public hosts only
    monkeypatch.setattr(egress, "system_resolve", public_dns)
    monkeypatch.setattr(admin_guard, "_guard", None)  # each test starts with no failed sign-ins on the server
    get_settings.cache_clear()
    at = AppTest.from_file(APP, default_timeout=30)
    yield at
    get_settings.cache_clear()


def page(at: AppTest, path: str, **params) -> AppTest:
    """Open a page as a fresh browser tab would, with `params` in its URL."""
    if path == PAGES[0]:  # the default page: the URL is read on the very first run
        for name, value in params.items():
            at.query_params[name] = value
        return at.run()
    at.run()
    for name, value in params.items():
        at.query_params[name] = value
    return at.switch_page(path).run()


def texts(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption] + [t.value for t in at.text]
    parts += [e.value for e in at.error] + [i.value for i in at.info] + [w.value for w in at.warning]
    parts += [s.value for s in at.success]
    parts += [s.value for s in at.subheader] + [h.value for h in at.header] + [t.value for t in at.title]
    return "\n".join(str(p) for p in parts)


def tables(at: AppTest) -> str:
    return "\n".join(frame.value.to_string() for frame in at.dataframe)


@pytest.mark.parametrize("path", PAGES)
def test_every_page_runs_without_an_exception(app, path):
    at = page(app, path)
    assert not at.exception, at.exception
    assert "not medical or legal advice" in texts(at)


def test_choosing_a_state_lists_results_with_badges_and_reasons(app):
    at = page(app, "views/find_care.py")
    assert "Choose the state you are in" in texts(at)
    at.selectbox(key="find_state").set_value("FL").run()
    assert not at.exception
    shown = texts(at)
    assert "3 practices offer virtual" in shown
    assert "Calm Harbor Ketamine Therapy" in shown
    assert "telehealth registration" in shown
    assert at.query_params["state"] == "FL"


def test_url_query_string_reproduces_a_search(app):
    at = page(app, "views/find_care.py", state="FL", mode="in_person", route="iv")
    assert at.selectbox(key="find_state").value == "FL"
    assert at.radio(key="find_mode").value == "in_person"
    assert at.multiselect(key="find_routes").value == ["iv"]
    shown = texts(at)
    assert "1 practice offers in person" in shown and "Suncoast Infusion Center" in shown


def test_bad_url_values_are_ignored_not_fatal(app):
    at = page(app, "views/find_care.py", state="ZZ", mode="teleport", page="abc", route="warp", price_max="lots")
    assert not at.exception
    assert at.selectbox(key="find_state").value is None and at.radio(key="find_mode").value == "virtual"
    assert "Choose the state you are in" in texts(at)


def test_filters_and_near_a_city(app):
    at = page(app, "views/find_care.py", state="FL", mode="in_person")
    at.text_input(key="find_near").set_value("Tampa").run()
    at.selectbox(key="find_radius").set_value(25).run()
    assert not at.exception
    assert "Suncoast Infusion Center" in texts(at) and "Gulf Breeze" not in texts(at)
    at.text_input(key="find_near").set_value("").run()
    at.checkbox(key="find_therapy").check().run()
    assert "Gulf Breeze Retreats" in texts(at) and "Suncoast" not in texts(at)
    at.text_input(key="find_near").set_value("Atlantis").run()
    assert "no city called" in texts(at)


def test_provider_page_shows_evidence_and_facts(app, directory_db):
    practice = directory_db.built.practices["calmharbor.example"]
    at = page(app, "views/provider.py", practice=str(practice))
    assert not at.exception
    shown = texts(at)
    assert "PC.0012345" in shown and "Connecticut eLicense roster" in shown and "Last checked" in shown
    # the record's own date, and when its source last synced (builder: both three days before NOW)
    day = f"{NOW - timedelta(days=3):%Y-%m-%d}".replace("-", "\\-")  # as the escaped markdown writes it
    assert f"Record as of {day} · source checked {day}" in shown
    assert "Added Virginia" in shown
    stale = directory_db.built.practices["riverbend.example"]
    at.selectbox(key="provider_practice").set_value(stale).run()
    assert "last crawl of this site failed" in texts(at)


def test_hostile_text_is_escaped_everywhere(app, directory_db):
    hostile = directory_db.built.practices["hostile.example"]
    at = page(app, "views/provider.py", practice=str(hostile))
    assert not at.exception
    markdown = [m.value for m in at.markdown] + [h.value for h in at.header] + [c.value for c in at.caption]
    hostile_values = [value for value in markdown if "alert" in value]
    assert len(hostile_values) >= 4
    assert not [value for value in hostile_values if re.search(r"(?<!\\)[<>()\[\]]", value)]  # all escaped
    assert any("\\<script\\>" in value for value in markdown)
    assert any(SCRIPT in t.value for t in at.text)  # the bio shows as plain text


def test_compare_two_practices_and_a_checklist(app, directory_db):
    built = directory_db.built
    at = page(app, "views/compare.py")
    at.multiselect(key="compare_practices").select(built.practices["calmharbor.example"]).run()
    assert "at least two" in texts(at)
    at.multiselect(key="compare_practices").select(built.practices["suncoastinfusion.example"]).run()
    assert not at.exception
    assert "Journey Clinical" in tables(at) and "Therapy included" in tables(at)
    at.selectbox(key="checklist_clinician").set_value(built.clinicians["Lucia Marren"]).run()
    shown = texts(at)
    assert "claimed only" in shown and "Journey Clinical" in shown
    at.radio(key="compare_kind").set_value("clinicians").run()
    at.multiselect(key="compare_clinicians").set_value(
        [built.clinicians["Lucia Marren"], built.clinicians["Dr. Ravi Castell"]]).run()
    assert not at.exception


def test_admin_is_disabled_without_a_configured_password(app):
    at = page(app, "views/admin.py")
    assert "admin area is disabled" in texts(at)
    assert not at.text_input and not at.button


def test_admin_refuses_a_wrong_password_and_shows_nothing(app, monkeypatch):
    monkeypatch.setenv("KAPDIR_ADMIN_PASSWORD", "s3cret")
    get_settings.cache_clear()
    at = page(app, "views/admin.py")
    at.text_input(key="admin_password").input("wrong")
    at.button(key="admin_login").click().run()
    assert "Wrong password" in texts(at)
    assert not at.tabs and "seed_url" not in [w.key for w in at.text_input]


def test_admin_with_the_password_manages_seeds(app, monkeypatch):
    monkeypatch.setenv("KAPDIR_ADMIN_PASSWORD", "s3cret")
    get_settings.cache_clear()
    at = page(app, "views/admin.py")
    at.text_input(key="admin_password").input("s3cret")
    at.button(key="admin_login").click().run()
    assert not at.exception
    assert at.tabs
    for bad, why in (("http://127.0.0.1/", "loopback"), ("ftp://practice.com/", "http and https")):
        at.text_input(key="seed_url").input(bad)
        at.button(key="seed_add").click().run()
        assert "Refused" in texts(at) and why in texts(at)
    at.text_input(key="seed_url").input("https://newpractice.com/kap")
    at.button(key="seed_add").click().run()
    assert "Added https" in texts(at) and "https://newpractice.com/kap" in tables(at)
    assert "riverbend.example/team" in tables(at)  # errors per URL of the last crawl


def test_admin_password_from_streamlit_secrets(app):
    app.secrets["admin_password"] = "from-secrets"
    at = page(app, "views/admin.py")
    at.text_input(key="admin_password").input("from-secrets")
    at.button(key="admin_login").click().run()
    assert at.tabs and not at.exception


# --- polish found by a new user (issue 15, item 5) -------------------------------------------------------------

ENUM_CODES = sorted({member.value for enum in vars(vocab).values()
                     if isinstance(enum, type) and issubclass(enum, StrEnum) and enum is not StrEnum
                     for member in enum if "_" in member.value})
PUBLIC_PAGES = PAGES[:3]


def raw_codes(text: str) -> list[str]:
    """The snake_case vocabulary codes in text as a visitor reads it (Markdown escapes removed)."""
    plain = text.replace("\\", "")
    return [code for code in ENUM_CODES if re.search(rf"(?<![\w/=]){re.escape(code)}(?![\w/])", plain)]


def test_the_state_selector_lists_each_state_and_dc_once(app):
    at = page(app, "views/find_care.py")
    options = at.selectbox(key="find_state").options
    assert len(options) == len(set(options)) == 51
    assert options.count("District of Columbia") == 1


def test_no_public_page_shows_a_raw_vocabulary_code(app, directory_db):
    assert {"out_of_network_superbill", "oral_sublingual", "in_person", "verified_compact_privilege",
            "professional_counselor"} <= set(ENUM_CODES)
    built = directory_db.built
    seen = []
    for mode in ("virtual", "in_person"):
        at = page(app, "views/find_care.py", state="FL", mode=mode)
        seen.append(texts(at) + tables(at))
    for practice in built.practices.values():
        at = page(app, "views/provider.py", practice=str(practice))
        assert not at.exception
        seen.append(texts(at) + tables(at))
    at = page(app, "views/compare.py")
    at.multiselect(key="compare_practices").set_value(
        [built.practices["calmharbor.example"], built.practices["suncoastinfusion.example"]]).run()
    at.selectbox(key="checklist_clinician").set_value(built.clinicians["Lucia Marren"]).run()
    seen.append(texts(at) + tables(at))
    shown = "\n".join(seen).replace("\\", "")
    assert "Out of network: superbill provided" in shown and "Sublingual / oral" in shown  # the words instead
    assert raw_codes(shown) == []


def test_phone_numbers_show_in_national_format(app, directory_db):
    at = page(app, "views/provider.py", practice=str(directory_db.built.practices["calmharbor.example"]))
    shown = texts(at)
    assert "(202) 555-0142" in shown.replace("\\", "") and "+12025550142" not in shown


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_the_disclaimer_appears_once(app, path):
    at = page(app, path)
    assert texts(at).count("not medical or legal advice") == 1
    assert sum("not medical or legal advice" in c.value for c in at.sidebar.caption) == 0


def test_the_provider_page_leads_with_who_may_serve_each_state(app, directory_db):
    at = page(app, "views/provider.py", practice=str(directory_db.built.practices["calmharbor.example"]))
    headings = [s.value for s in at.subheader]
    assert headings.index("Who may serve each state") < headings.index("The offer")
    assert headings[0] == "Who may serve each state"
    markdown = [m.value.replace("\\", "") for m in at.markdown]  # in page order, Markdown escapes removed

    def first(text: str) -> int:
        return next(i for i, value in enumerate(markdown) if text in value)

    # The answer (a state, who may serve it, with a badge) comes before any offer line.
    assert first("Connecticut") < first("Lucia Marren") < first("Therapy included") < first("Price: $450")
    answer = markdown[first("Connecticut"):first("Therapy included")]
    assert ":green-badge[" in "".join(answer) and ":red-badge[" in "".join(answer)  # Virginia: none found
