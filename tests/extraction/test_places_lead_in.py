"""Place rules added on main after the sixth round: a sentence that announces a list of states ("by telehealth in
the states listed below:") gives its mode to the items of that list, in HTML and in text, until the list ends; a
directory's list of providers gives no places. Invented sentences."""

from directory.extraction import extract_page
from tests.extraction.prose import states, text_facts

PAGE = """<html><body><h1>Willowmere Psychology</h1>
<p>My PSYPACT authorization lets me see clients by telehealth in the states listed below.</p>
<ul><li>Alabama</li><li>Arizona</li><li>Delaware</li></ul>
<p>{after}</p></body></html>"""


def html_facts(after: str = "Questions? Write to us."):
    return extract_page(PAGE.format(after=after).encode(), url="https://willowmere.example/",
                        content_type="text/html")


def test_the_announced_mode_reaches_every_item_of_the_list():
    assert states(html_facts()) == {"AL": (None, True), "AZ": (None, True), "DE": (None, True)}


def test_the_announcement_ends_with_its_list():
    facts = html_facts("Sessions in person take place at our office in Boulder, Colorado.")
    assert states(facts)["CO"] == (True, None)  # not virtual: the list above ended before this sentence


def test_a_colon_and_the_following_states_announce_a_list_in_text():
    facts = text_facts("Willowmere Psychology\n\nI see clients by video in the following states:\n\nOhio\nIndiana\n")
    assert states(facts) == {"OH": (None, True), "IN": (None, True)}


def test_a_list_announced_without_a_mode_gets_none():
    facts = text_facts("Willowmere Psychology\n\nWe are licensed in the states listed below.\n\nOhio\nIndiana\n")
    assert states(facts) == {"OH": (None, None), "IN": (None, None)}


def test_the_announcement_need_not_end_its_paragraph_and_a_heading_may_stand_between():
    facts = text_facts("Willowmere Psychology\n\nWe offer telehealth to adults living in the states listed below. "
                       "Check that yours is among them.\n\nParticipating States\n\nOhio\nIndiana\n")
    assert states(facts) == {"OH": (None, True), "IN": (None, True)}


def test_a_directory_of_providers_gives_none_of_their_towns_as_the_pages_own():
    from tests.extraction.test_people_sixth_round import DIRECTORY

    listing = DIRECTORY.replace("Larkfield, OR 97001", "Eugene, OR 97401").replace("Dunmore, OR", "Salem, OR")
    assert text_facts(listing).states == [] and text_facts(listing).cities == []
    one_practice = text_facts("Harbor Lane Counseling\n\nWe see clients in our office at 12 Salem Road, Eugene, "
                              "OR 97401.\n\n(541) 555-0142")
    assert states(one_practice) == {"OR": (True, None)}
