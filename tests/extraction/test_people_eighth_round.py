"""Eighth round of the people and route readers (issue 10): post-nominals the table did not know, sentence adverbs
read as first names, and route menu lines. Every sentence here is written for the test (no real page's text,
practice, person or town)."""

from directory.extraction.output import facts_to_json
from directory.extraction.page import extract_page


def facts(text: str) -> dict:
    return facts_to_json(extract_page(text.encode(), url="https://example.org/team", content_type="text/plain"))


def people(text: str) -> dict[str, list[str]]:
    return {person["name"]: person["credentials"] for person in facts(text)["clinicians"]}


def test_education_specialist_and_counseling_psychology_degrees_are_post_nominals():
    text = "Wren Halloway, EdS, LPC and Ossian Vere, MACP, REAT guide our ketamine-assisted sessions."
    assert people(text) == {"Wren Halloway": ["EdS", "LPC"], "Ossian Vere": ["MACP", "REAT"]}
    assert people("Wren Halloway, Ed.S., LPC guides our sessions.") == {"Wren Halloway": ["EdS", "LPC"]}


def test_an_unknown_code_first_is_kept_when_a_known_one_follows():
    assert people("Wren Halloway, MSEd, LPC guides our sessions.") == {"Wren Halloway": ["MSEd", "LPC"]}
    assert people("Wren Halloway, PsyS, NCSP, LPC guides our sessions.") == {
        "Wren Halloway": ["PsyS", "NCSP", "LPC"]}


def test_unknown_capitals_alone_are_not_credentials():
    assert people("Wren Halloway, ABC, DEF, GHI") == {}


def test_a_sentence_adverb_is_never_a_first_name():
    assert people("However, LCSW clinicians can also provide KAP.") == {}
    assert people("Additionally, LCSW clinicians can also provide KAP.") == {}
    assert people("Kimberly, LCSW, provides KAP in our office.") == {"Kimberly": ["LCSW"]}


def test_ketamine_im_on_a_menu_line_or_in_an_offer_is_the_intramuscular_route():
    menu = "Services\nKetamine IM Injections\nSublingual Ketamine\nIndividual Therapy\nCall us at (503) 555-0100."
    assert facts(menu)["routes"] == ["im", "oral_sublingual"]
    assert facts("We offer ketamine IM for treatment-resistant depression.")["routes"] == ["im"]
    assert facts("Ketamine questions? IM me anytime on the portal.")["routes"] == []


def test_a_partner_heading_names_the_prescriber_on_the_line_below():
    page = ("Collaborator & Medical Prescriber\nDr. Ilse Varga, MD\n"
            "Dr. Varga is a psychiatrist who prescribes ketamine for our clients.")
    assert facts(page)["medical_partner"] == "Ilse Varga"
    partner_line = "Our Prescribing Partner\nIlse Varga, PMHNP of Brookfall Psychiatry"
    assert facts(partner_line)["medical_partner"] == "Ilse Varga"
    assert facts("Our Team\nIlse Varga, PMHNP\nIlse prescribes in our office.")["medical_partner"] is None


def test_the_place_where_a_physician_does_the_medical_part_is_the_partner():
    text = ("The Alder Institute offers KAP at Brookfall Medical, where an MD or a psychiatric nurse practitioner "
            "will provide the medical evaluation.")
    assert facts(text)["medical_partner"] == "Brookfall Medical"
    assert facts("Sessions are held at Brookfall Psychiatry, where our psychiatrist monitors you.")[
        "medical_partner"] is None
