"""Crawler fixtures: the multi-host fault web on loopback and fast, still polite, crawl settings."""

import pytest

from tests.crawler.faults import FaultWeb, blocked_site, fault_site, minimal_pdf, practice_site

# Delays off and short timeouts so tests are quick; robots.txt, the user agent and the caps stay as in production.
FAST = {
    "download_delay": 0,
    "AUTOTHROTTLE_ENABLED": False,
    "download_timeout": 5,  # long enough for a loaded CI machine, short enough for the hang and drip faults
    "retry_times": 1,
    "max_retry_after": 2,
    "max_body_bytes": 1_000_000,
    "concurrent_per_domain": 8,
}
CALM = "calmharbor.example"
BRIGHT = "brightpath.example"


def practice_sites() -> dict:
    return {
        CALM: practice_site("calmharbor", "Calm Harbor Ketamine Therapy", [("Jane Roe", "LCSW"), ("John Smith", "MD")],
                            pdf=minimal_pdf("Intake packet. Fee schedule: 450 dollars per KAP session."),
                            sitemap=True),
        BRIGHT: practice_site("brightpath", "Bright Path Psychedelic Therapy",
                              [("Ann Lee", "LPC"), ("Bo Park", "LMFT")], state_name="Virginia"),
    }


@pytest.fixture
def web():
    with FaultWeb({**practice_sites(), "faulty.example": fault_site(), "private.example": blocked_site()}) as server:
        yield server


def seeds(*hosts: str) -> list[str]:
    return [f"http://{host}/" for host in hosts]
