"""The dashboard in a real browser: Debian's chromium driven by Playwright against `kapdir dashboard`.

By default the server reads the dashboard's test directory; set KAPDIR_TEST_DEMO_DB to a database made
by `kapdir demo --no-dashboard --db X` to run the same tests on the demo data. Screenshots of each page
go to test-artifacts/screenshots/.
"""

import os
import re
import time
from collections import Counter
from enum import StrEnum
from pathlib import Path

import phonenumbers
import pytest
from sqlmodel import col, select

from directory import vocab
from directory.db import get_engine, resolve_url, session_scope
from directory.models import Clinician, Fact, Location, Practice, ServiceArea
from tests.browser import WAIT_MS, chromium, dashboard, skip_without_chromium

pytestmark = pytest.mark.browser

SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
PASSWORD = "browser-test-pw"

skip_without_chromium()


@pytest.fixture(scope="module")
def db_url(request) -> str:
    demo = os.environ.get("KAPDIR_TEST_DEMO_DB")
    if demo:
        return demo if "://" in demo else resolve_url(demo)
    return request.getfixturevalue("directory_db").url


PAYLOADS = ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "javascript:alert(1)"]


@pytest.fixture(scope="module")
def targets(db_url) -> dict:
    """What to click, read from the database itself, so the tests run on the test world or the demo."""
    with session_scope(get_engine(db_url)) as session:
        states = Counter(session.exec(select(ServiceArea.state).where(col(ServiceArea.virtual).is_(True))).all())
        practices = session.exec(select(Practice.id).order_by(Practice.id).limit(2)).all()
        located = Counter(session.exec(
            select(Location.state, Location.zip).where(col(Location.zip).is_not(None))).all())
        hostile = None
        for payload in PAYLOADS:  # wherever the crawl stored a payload: names, bios, fact snippets
            for column, practice_column in ((Clinician.name, Clinician.practice_id),
                                            (Clinician.bio, Clinician.practice_id),
                                            (Fact.snippet, Fact.practice_id), (Practice.name, Practice.id)):
                found = session.exec(select(practice_column).where(col(column).contains(payload))).first()
                if found is not None:
                    hostile = (found, payload)
                    break
            if hostile:
                break
    assert hostile is not None, "the database has no hostile practice"
    return {"state": states.most_common(1)[0][0], "hostile": hostile[0], "payload": hostile[1],
            "compare": list(practices), "in_person": located.most_common(1)[0][0]}


@pytest.fixture(scope="module")
def server(db_url, tmp_path_factory):
    with dashboard(db_url, PASSWORD, tmp_path_factory.mktemp("dashboard-data")) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    with chromium() as launched:
        yield launched


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1800})
    tab = context.new_page()
    tab.dialogs = []
    tab.on("dialog", lambda dialog: (tab.dialogs.append(dialog.message), dialog.dismiss()))
    yield tab
    context.close()


def shot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.wait_for_timeout(500)  # let the last delta paint
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def test_search_a_state_from_the_url_lists_results(server, targets, page):
    started = time.monotonic()
    page.goto(f"{server}/?state={targets['state']}&mode=virtual")
    page.get_by_text(re.compile(r"\d+ practices? offers? virtual")).wait_for(timeout=WAIT_MS)
    page.get_by_text("Details and evidence").first.wait_for(timeout=WAIT_MS)
    print(f"time to first results: {time.monotonic() - started:.2f} s")
    assert page.get_by_text("Last checked:").count() >= 1
    assert page.get_by_text("not medical or legal advice").first.is_visible()
    shot(page, "find_care")


def test_in_person_near_a_zip_lists_distances_and_a_location_table(server, targets, page):
    state, zip_code = targets["in_person"]
    page.goto(f"{server}/?state={state}&mode=in_person&near={zip_code[:5]}&sort=distance")
    page.get_by_text(re.compile(r"\d+ practices? offers? in person")).wait_for(timeout=WAIT_MS)
    page.get_by_text(re.compile(r"Distances from")).wait_for(timeout=WAIT_MS)
    page.get_by_text(re.compile(r"\d+\.\d miles")).first.wait_for(timeout=WAIT_MS)
    page.get_by_text("Locations", exact=True).wait_for(timeout=WAIT_MS)  # the table needs no map tiles
    page.locator("[data-testid='stDataFrame']").first.wait_for(timeout=WAIT_MS)
    shot(page, "find_care_in_person")


def test_choosing_a_state_in_the_selector_updates_results_and_url(server, page):
    page.goto(server)
    page.get_by_text("Choose the state you are in").wait_for(timeout=WAIT_MS)
    page.locator("[data-testid='stSelectbox']").filter(has_text="I am in").click()
    page.keyboard.type("Florida")
    page.keyboard.press("Enter")
    page.get_by_text(re.compile(r"\d+ practices? offers? virtual .* in Florida")).wait_for(timeout=WAIT_MS)
    page.wait_for_url(re.compile(r"state=FL"), timeout=WAIT_MS)


def test_open_a_provider_from_the_results(server, targets, page):
    page.goto(f"{server}/?state={targets['state']}&mode=virtual")
    page.get_by_text("Details and evidence").first.click(timeout=WAIT_MS)
    page.wait_for_url(re.compile(r"/provider\?practice=\d+"), timeout=WAIT_MS)
    page.get_by_text("Clinicians and what the boards say").wait_for(timeout=WAIT_MS)
    page.get_by_text("Every extracted fact, with its source").wait_for(timeout=WAIT_MS)
    assert page.get_by_text("Last checked:").count() >= 1
    shot(page, "provider")


def test_compare_two_practices(server, targets, page):
    first, second = targets["compare"]
    page.goto(f"{server}/compare?p={first}&p={second}")
    page.get_by_text("Download as CSV").wait_for(timeout=WAIT_MS)
    page.get_by_text("Column 2:").wait_for(timeout=WAIT_MS)
    shot(page, "compare")


def test_admin_refused_without_the_password_and_working_with_it(server, page):
    page.goto(f"{server}/admin")
    page.get_by_label("Admin password").fill("not-the-password")
    page.get_by_role("button", name="Sign in").click()
    page.get_by_text("Wrong password.").wait_for(timeout=WAIT_MS)
    assert page.get_by_role("tab", name="Seeds").count() == 0
    shot(page, "admin_refused")

    page.wait_for_timeout(1500)  # after a wrong password the server takes no guess for 1 s (dashboard/admin_guard.py)
    page.get_by_label("Admin password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("tab", name="Seeds").wait_for(timeout=WAIT_MS)
    page.get_by_label("Add a seed URL").fill("http://127.0.0.1/")
    page.get_by_role("button", name="Add seed").click()
    page.get_by_text("Refused").wait_for(timeout=WAIT_MS)
    assert page.get_by_text("loopback").count() >= 1
    shot(page, "admin")


def test_hostile_practice_renders_as_text_and_runs_no_script(server, targets, page):
    page.goto(f"{server}/provider?practice={targets['hostile']}")
    page.get_by_text("Clinicians and what the boards say").wait_for(timeout=WAIT_MS)
    literal = page.get_by_text(targets["payload"], exact=False)
    literal.first.wait_for(timeout=WAIT_MS)
    assert literal.first.is_visible()
    page.wait_for_timeout(1000)  # give any injected handler the chance to fire
    assert page.dialogs == []
    assert page.locator("main img[src='x']").count() == 0
    assert page.locator("main script").count() == 0
    assert page.locator("main a[href^='javascript']").count() == 0
    literal.first.scroll_into_view_if_needed()  # the screenshot shows the payload as text
    shot(page, "hostile")


# --- polish found by a new user (issue 15, item 5) -------------------------------------------------------------

ENUM_CODES = sorted({member.value for enum in vars(vocab).values()
                     if isinstance(enum, type) and issubclass(enum, StrEnum) and enum is not StrEnum
                     for member in enum if "_" in member.value})


@pytest.fixture(scope="module")
def phoned(db_url) -> tuple[int, str]:
    """A practice with a phone number, and that number as stored (E.164)."""
    with session_scope(get_engine(db_url)) as session:
        for practice_id, phones in session.exec(select(Practice.id, Practice.phones).order_by(Practice.id)):
            if phones:
                return practice_id, phones[0]
    pytest.skip("no practice in the database has a phone number")


def test_the_state_selector_offers_dc_once(server, page):
    page.goto(server)
    page.get_by_text("Choose the state you are in").wait_for(timeout=WAIT_MS)
    page.locator("[data-testid='stSelectbox']").filter(has_text="I am in").click()
    page.keyboard.type("Columbia")  # the list filters to what matches
    options = page.get_by_role("option")
    options.first.wait_for(timeout=WAIT_MS)
    assert options.all_inner_texts().count("District of Columbia") == 1


def test_the_provider_page_leads_with_the_answer_in_words(server, phoned, page):
    practice_id, stored = phoned
    page.goto(f"{server}/provider?practice={practice_id}")
    answer = page.get_by_text("Who may serve each state", exact=True)
    offer = page.get_by_text("The offer", exact=True)
    offer.wait_for(timeout=WAIT_MS)
    page.get_by_text("Every extracted fact, with its source").wait_for(timeout=WAIT_MS)
    assert answer.bounding_box()["y"] < offer.bounding_box()["y"]  # who may serve, above the offers
    body = page.locator("body").inner_text()
    national = phonenumbers.format_number(phonenumbers.parse(stored, "US"), phonenumbers.PhoneNumberFormat.NATIONAL)
    assert national in body and stored not in body
    assert body.count("not medical or legal advice") == 1
    facts = page.locator("[data-testid='stVerticalBlock']").filter(has_text="Every extracted fact").last
    seen = body + facts.inner_text()  # the facts box scrolls: read it whole
    assert [code for code in ENUM_CODES if re.search(rf"(?<![\w/=]){code}(?![\w/])", seen)] == []
    shot(page, "provider_polish")


def test_search_results_show_no_raw_codes_and_one_disclaimer(server, targets, page):
    page.goto(f"{server}/?state={targets['state']}&mode=virtual")
    page.get_by_text("Details and evidence").first.wait_for(timeout=WAIT_MS)
    body = page.locator("body").inner_text()
    assert body.count("not medical or legal advice") == 1
    assert [code for code in ENUM_CODES if re.search(rf"(?<![\w/=]){code}(?![\w/])", body)] == []
