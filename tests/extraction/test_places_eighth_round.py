"""Eighth round of the places reader (issue 10): states a practice will serve are not served yet, and towns whose
names hold a state's name. Every sentence here is written for the test (no real page's text, practice, person or
town of a labelled set)."""

from directory.extraction.page import extract_page


def places(text: str) -> tuple[dict[str, tuple], set[tuple]]:
    facts = extract_page(text.encode(), url="https://example.org/", content_type="text/plain")
    return ({s.state: (s.in_person, s.virtual) for s in facts.states},
            {(c.city, c.state) for c in facts.cities})


def states(text: str) -> set[str]:
    return set(places(text)[0])


def test_a_state_coming_soon_or_pending_is_not_served_yet():
    assert states("We see clients in Oregon and will be joining Washington soon.") == {"OR"}
    assert states("Now serving Colorado. Coming soon to Texas!") == {"CO"}
    assert states("Now serving Colorado and coming soon to Texas.") == {"CO"}
    assert states("Licensed in California; licensure pending in New York.") == {"CA"}
    assert states("We are expanding to Florida in 2027.") == set()
    assert states("We are licensed in Oregon. Soon offering services in Idaho.") == {"OR"}


def test_coming_soon_after_a_list_drops_only_its_last_state():
    assert states("Telehealth in Ohio and Kentucky (coming soon).") == {"OH"}
    assert states("Licensed in CA, OR and WA (pending)") == {"CA", "OR"}
    assert states("Licensed in CA, OR and WA - coming soon to NV") == {"CA", "OR", "WA"}


def test_a_town_of_washington_state_makes_washington_the_state():
    found, cities = places("Serving clients in Portland, Oregon and Vancouver, Washington")
    assert set(found) == {"OR", "WA"} and ("Vancouver", "WA") in cities


def test_washington_dc_is_the_district_and_its_city():
    found, cities = places("Located in Washington, D.C.")
    assert set(found) == {"DC"} and cities == {("Washington", "DC")}
    assert places("The FDA in Washington, DC approved Spravato.") == ({}, set())


def test_a_town_named_for_its_state_gives_that_state_and_no_other():
    assert places("Our Virginia Beach office offers KAP.") == ({"VA": (True, None)}, {("Virginia Beach", "VA")})
    assert places("Our Iowa City office offers KAP.") == ({"IA": (True, None)}, {("Iowa City", "IA")})
    found, cities = places("Our office is in Kansas City, Missouri.")
    assert set(found) == {"MO"} and cities == {("Kansas City", "MO")}
    found, cities = places("Visit us in New York City.")
    assert set(found) == {"NY"} and cities == {("New York City", "NY")}
    assert places("Our Nevada City office offers KAP.")[0] == {}  # a town in California: no Nevada


def test_a_service_that_will_be_available_in_a_state_is_served_there():
    assert states("Telehealth sessions will be available to residents of Ohio.") == {"OH"}
    assert states("We see clients in Oregon and will soon be serving Idaho.") == {"OR"}
