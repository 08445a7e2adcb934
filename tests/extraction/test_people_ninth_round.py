"""Ninth round of the people reader (issue 10): the trainers and inspirations a clinician names are not the team.
Every sentence here is written for the test (no real page's text, practice, person or town)."""

from directory.extraction.output import facts_to_json
from directory.extraction.page import extract_page


def people(text: str) -> dict[str, list[str]]:
    facts = facts_to_json(extract_page(text.encode(), url="https://example.org/about", content_type="text/plain"))
    return {person["name"]: person["credentials"] for person in facts["clinicians"]}


def test_every_trainer_named_after_a_training_place_is_not_the_team():
    text = ("Hi, I'm Wren Halloway, LPC. I trained at the Alder Point Institute for Psychedelic Study under "
            "Ossian Vere, LMFT, and Tamsin Orrell, PhD.")
    assert people(text) == {"Wren Halloway": ["LPC"]}


def test_a_clinician_the_page_is_inspired_by_is_not_the_team():
    text = "Wren Halloway, LPC, offers KAP. Her work is inspired by Ossian Vere, MD, PhD and his students."
    assert people(text) == {"Wren Halloway": ["LPC"]}


def test_a_colleague_the_page_works_with_is_still_read():
    text = "Wren Halloway, LPC, works with Ossian Vere, PMHNP-BC, who prescribes for our clients."
    assert people(text) == {"Wren Halloway": ["LPC"], "Ossian Vere": ["PMHNP-BC"]}


def test_both_founders_are_read_whatever_year_comes_first():
    text = "Alder Point Wellness was founded in 2020 by Wren Halloway and Ossian Vere."
    assert set(people(text)) == {"Wren Halloway", "Ossian Vere"}
    assert set(people("The clinic was co-founded by Wren Halloway & Dr. Ossian Vere.")) == {"Wren Halloway",
                                                                                          "Ossian Vere"}


def test_a_first_name_in_apposition_to_its_role_or_with_codes_in_brackets_is_a_clinician():
    assert people("Wren, our KAP therapist, will meet with you for preparation.") == {"Wren": []}
    assert people("Sessions with Wren (LMFT) include preparation and integration.") == {"Wren": ["LMFT"]}
    # an everyday word before the comma is no name
    assert people("However, our therapist, a trained guide, will meet you.") == {}


def test_a_sentence_that_opens_with_led_by_names_both_people():
    text = "Led by nurse practitioner Wren Halloway and therapist Ossian Vere, our team offers KAP."
    assert set(people(text)) == {"Wren Halloway", "Ossian Vere"}


def people_at(text: str, url: str) -> dict[str, list[str]]:
    facts = facts_to_json(extract_page(text.encode(), url=url, content_type="text/plain"))
    return {person["name"]: person["credentials"] for person in facts["clinicians"]}


def test_the_first_name_a_persons_own_domain_begins_with_is_the_clinician_where_it_acts():
    text = "Once the effects pass, Orrindel will stay with you to talk about what came up."
    assert people_at(text, "https://orrindelvasquez.com/kap") == {"Orrindel": []}
    # the domain goes on with practice words, or the page writes the word as a brand: not a person
    assert people_at(text, "https://orrindelcounseling.com/kap") == {}
    assert people_at("Orrindel Ketamine Clinic opened in 2020. " + text, "https://orrindelvasquez.com/kap") == {}


def test_a_url_without_a_host_names_no_site_person_and_raises_nothing():
    for url in ("not a url", "file.txt", "http://", "mailto:someone@example.org"):
        assert people_at("Orrindel will stay with you. Orrindel offers KAP.", url) == {}


def licenses(text: str) -> dict[str, list[tuple]]:
    facts = facts_to_json(extract_page(text.encode(), url="https://example.org/team", content_type="text/plain"))
    return {person["name"]: [(lic["code"], lic["state"], lic["number"]) for lic in person["licenses"]]
            for person in facts["clinicians"]}


def test_a_license_number_without_its_code_belongs_to_the_owners_one_state_license():
    assert licenses("Wren Halloway, LPC\nCT License #006127") == {"Wren Halloway": [("LPC", "CT", "006127")]}
    assert licenses("Wren Halloway, LMHC\nLicense: MH12345 (FL)") == {"Wren Halloway": [("LMHC", "FL", "MH12345")]}
    # two licenses and a number that does not say which: none is guessed
    assert licenses("Wren Halloway, LPC, LMFT\nCT License #006127") == {"Wren Halloway": []}


def test_a_license_word_and_its_number_without_a_sign_between():
    assert licenses("Wren Halloway, LMHC, WA License LH60123456") == {
        "Wren Halloway": [("LMHC", "WA", "LH60123456")]}
    assert licenses("Wren Halloway, LPC (License 2019)") == {"Wren Halloway": []}  # a year is no number


def test_the_state_license_said_last_owns_the_number_not_a_national_certification():
    text = "Wren Halloway, LPC, NCC. Licensed Professional Counselor in Texas, license number 76543."
    assert licenses(text) == {"Wren Halloway": [("LPC", "TX", "76543")]}


def test_a_physicians_license_number_goes_with_the_degree():
    assert licenses("Dr. Wren Halloway, MD (NY License 123456)") == {"Wren Halloway": [("MD", "NY", "123456")]}


def test_another_kind_of_license_number_is_not_the_clinicians():
    assert licenses("Wren Halloway, LPC\nBusiness License #123456") == {"Wren Halloway": []}
    assert licenses("Wren Halloway, LPC\nState License #006127 (CT)") == {"Wren Halloway": [("LPC", "CT", "006127")]}
