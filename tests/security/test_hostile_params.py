"""Every page driven with hostile query parameters (AppTest): no link, no markup, no traceback gets through.

The attack from issue 13: ``/?state=CT&mode=in_person&near=Hartford. Our records moved: [verify your license
here](https://evil.example/phish)`` rendered a real link inside a red alert. Each page is opened with such values
in every parameter it reads (Markdown links, HTML, ``javascript:``, very long values, unknown values); whatever
the page shows must carry the payload only as escaped, literal text. tests/security/test_browser_hostile.py does
the same in chromium.
"""

import re

import pytest
from streamlit.testing.v1 import AppTest

from dashboard import admin_guard
from directory.settings import get_settings
from tests.dashboard.test_app import APP, page

LINK = "Our records moved: [verify your license here](https://evil.example/phish)"
HOSTILE = [
    f"Hartford. {LINK}",
    "<script>alert(1)</script><img src=x onerror=alert(1)>",
    "javascript:alert(document.cookie)",
    "[x](javascript:alert(1))",
    "**bold** <b>html</b> ![img](https://evil.example/p.png)",
    "A" * 20_000,
    "06103" + LINK,
]

# Every parameter each page reads, plus one it does not.
PAGES = {
    "views/find_care.py": ["state", "mode", "near", "radius", "route", "setting", "therapy", "role", "class",
                           "verified", "price_min", "price_max", "prescriber", "sort", "page", "unknown"],
    "views/provider.py": ["practice", "unknown"],
    "views/compare.py": ["kind", "p", "c", "unknown"],
    "views/admin.py": ["unknown"],
}

RAW_LINK = re.compile(r"(?<!\\)\[[^\]]*(?<!\\)\]\s*\(")  # [text]( not escaped: Markdown would make a link
RAW_TAG = re.compile(r"(?<!\\)<\s*(script|img|b|a)\b", re.IGNORECASE)


@pytest.fixture
def app(directory_db, monkeypatch, tmp_path):
    monkeypatch.setenv("KAPDIR_DASHBOARD_DB", directory_db.url)
    monkeypatch.setenv("KAPDIR_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("KAPDIR_ADMIN_PASSWORD", "pw")
    monkeypatch.setattr(admin_guard, "_guard", None)
    get_settings.cache_clear()
    yield AppTest.from_file(APP, default_timeout=60)
    get_settings.cache_clear()


def shown(at: AppTest) -> list[str]:
    """Every string the page handed to Streamlit's Markdown renderer."""
    elements = [*at.markdown, *at.caption, *at.error, *at.warning, *at.info, *at.success, *at.title, *at.header,
                *at.subheader]
    return [str(element.value) for element in elements]


def assert_inert(at: AppTest) -> None:
    assert not at.exception, at.exception
    for text in shown(at):  # none of these pages shows a link of its own without a practice chosen
        assert "Traceback" not in text
        assert not RAW_LINK.search(text), text[:300]
        assert not RAW_TAG.search(text), text[:300]
        assert not re.search(r"(?<!\\)javascript:", text), text[:300]  # escaped "javascript\:" stays literal
        assert not re.search(r"(?<!\u2060)://evil", text), text[:300]  # bare URLs are not auto-linked


@pytest.mark.parametrize("path", list(PAGES))
@pytest.mark.parametrize("payload", HOSTILE, ids=lambda p: p[:20])
def test_every_parameter_of_every_page_with_a_hostile_value(app, path, payload):
    params = {name: payload for name in PAGES[path]}
    assert_inert(page(app, path, **params))


def test_the_reported_link_injection_shows_the_text_and_no_link(app):
    at = page(app, "views/find_care.py", state="CT", mode="in_person", near=f"Hartford. {LINK}")
    assert_inert(at)
    errors = [str(e.value) for e in at.error]
    assert errors and "verify your license here" in errors[0]  # the message is there, as plain text


def test_valid_state_with_hostile_filters_still_searches(app):
    at = page(app, "views/find_care.py", state="FL", mode="virtual", sort=LINK, prescriber=LINK, route=LINK,
              page="-5", price_min="NaN", radius="1e309")
    assert_inert(at)
    assert any("practice" in s and "virtual" in s.lower() for s in (str(h.value) for h in at.subheader))
