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


def modes(text: str) -> dict[str, tuple]:
    facts = extract_page(text.encode(), url="https://example.org/", content_type="text/plain")
    return {s.state: (s.in_person, s.virtual) for s in facts.states}


def test_in_person_in_a_town_of_washington_said_beside_washington_is_in_person_there():
    assert modes("KAP sessions are available in person in Spokane, or virtually for Washington residents.") == {
        "WA": (True, True)}
    assert modes("In-person sessions in Spokane; telehealth throughout Washington.") == {"WA": (True, True)}


def test_the_carolinas_and_the_dakotas_are_two_states_each():
    assert modes("Telehealth KAP for residents of Florida, Georgia and the Carolinas.") == {
        "FL": (None, True), "GA": (None, True), "NC": (None, True), "SC": (None, True)}
    assert set(modes("We serve the Dakotas by video.")) == {"ND", "SD"}


def test_care_for_the_greater_town_area_names_the_town():
    assert cities("Ketamine therapy for the Greater Missoula area.") == {"Missoula"}
    assert cities("Ketamine therapy for adults in a calm room.") == set()
