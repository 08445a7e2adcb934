"""Tenth round of extraction (issue 10), from a new first-sight set of real pages labelled by someone who had not
seen the extractor. Every sentence here is written for the test (no real page's text, practice, person or town)."""

from directory.extraction.output import facts_to_json
from directory.extraction.page import extract_page


def extract(text: str, url: str = "https://example.org/kap") -> dict:
    return facts_to_json(extract_page(text.encode(), url=url, content_type="text/plain"))


def people(text: str) -> dict[str, list[str]]:
    return {person["name"]: person["credentials"] for person in extract(text)["clinicians"]}


def test_a_bare_name_listed_among_credentialed_clinicians_is_one_of_them():
    text = "Lozenge sessions are offered by Wren Halloway MD, Ossian Vere, Tamsin Orrell LPC, and Idris Kael."
    assert people(text) == {"Wren Halloway": ["MD"], "Tamsin Orrell": ["LPC"], "Ossian Vere": [], "Idris Kael": []}


def test_a_list_with_one_credentialed_name_or_towns_in_it_adds_nobody():
    # one clinician with titles is not a list of clinicians
    assert people("Wren Halloway, LPC, sees clients from Ossian Vere, Tamsin Orrell and others.") == {
        "Wren Halloway": ["LPC"]}
    # a town of two words in the list is a place, not a person
    assert "Fort Collins" not in people("Wren Halloway MD, Tamsin Orrell LPC, Fort Collins, and Idris Kael.")


def test_im_spelled_out_after_the_bare_abbreviation_is_the_route():
    text = ("We are proud to offer KAP in three routes of administration: sublingual (oral lozenges), "
            "IM (intramuscular injection), or IV (intravenous line).")
    assert set(extract(text)["routes"]) == {"oral_sublingual", "im", "iv"}
    # "IM" alone, with nothing to say it is a route, is still not one
    assert "im" not in extract("We offer KAP. Send us an IM through the portal to book a session.")["routes"]
