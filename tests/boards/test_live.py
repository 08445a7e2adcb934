"""Live checks against the real public sources: `pytest -m live` (needs the internet; never run in CI, where
this module skips). Each source gets one tiny real query; a source that is unreachable or whose format changed
(unknown or missing fields, unmapped status words) fails with the same one-line report as `kapdir boards check`."""

import pytest

from directory.boards.check import check_source
from directory.boards.registry import all_sources

pytestmark = pytest.mark.live


@pytest.fixture(autouse=True)
def only_when_asked(request):
    if "live" not in (request.config.getoption("-m") or ""):
        pytest.skip("live check: run with `pytest -m live` (needs the internet)")


@pytest.mark.parametrize("name", [info.name for info in all_sources()])
def test_source_is_reachable_and_in_the_expected_format(name, monkeypatch):
    monkeypatch.delenv("KAPDIR_SOURCE_URLS", raising=False)
    from directory.settings import get_settings

    get_settings.cache_clear()
    result = check_source(next(info for info in all_sources() if info.name == name))
    if result.status == "skipped":
        pytest.skip(result.line())
    assert result.status == "ok", result.line()
