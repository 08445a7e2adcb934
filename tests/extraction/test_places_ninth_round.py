"""Ninth round of the places reader (issue 10). Every sentence here is written for the test (no real page's text,
practice, person or town of a labelled set)."""

from directory.extraction.page import extract_page


def cities(text: str) -> set[str]:
    facts = extract_page(text.encode(), url="https://example.org/", content_type="text/plain")
    return {city.city for city in facts.cities}


def test_our_new_or_main_town_location_is_an_office_there():
    assert cities("Now offering KAP at our new Missoula location!") == {"Missoula"}
    assert cities("Sessions are held at our main Missoula office.") == {"Missoula"}
    assert cities("Now offering KAP at our new location!") == set()
