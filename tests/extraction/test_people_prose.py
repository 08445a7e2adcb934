"""People and practice names the way news stories, interviews, clinic blogs and sign-offs write them (issue 10,
fourth round). Every sentence here is written for the test: no real page's text, no real person or practice."""

import pytest

from directory.extraction.page import extract_page


def text_page(text: str, url: str = "https://example.org/kap"):
    return extract_page(text, url=url, content_type="text/plain")


def people(facts) -> dict[str, set[str]]:
    return {clinician.name: {cred.code for cred in clinician.credentials} for clinician in facts.clinicians}


@pytest.mark.parametrize(("text", "expected"), [
    # a full name in apposition to a clinical role, anywhere in the sentence
    ("To learn more, I spoke with Mara Quill, board-certified psychiatric nurse practitioner and owner of the clinic.",
     {"Mara Quill"}),
    ('"It works fast," said Odell Finch, a certified registered nurse anesthetist with the clinic.', {"Odell Finch"}),
    ("All sessions are provided by Wren Calloway, a licensed therapist trained in KAP.", {"Wren Calloway"}),
    # not the team: someone of a university or hospital, a teacher, a study's author, a plain quote
    ("The method was tested by Ivo Brandt, a psychiatrist at Northgate University Hospital.", set()),
    ("I trained under Ada Voss, a psychologist who leads retreats.", set()),
    ("A study by Lena Marsh, a psychiatrist, found that it works.", set()),
    ('"Change is the only constant," said Theo Lark, a philosopher.', set()),
    # a place after an article or preposition, before a role: not a person
    ("The Brook Center offers KAP on the Maple Shore, with an in-house nurse practitioner.", set()),
])
def test_a_name_in_apposition_to_its_role(text, expected):
    assert set(people(text_page(text))) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("I have seen patients recover after six infusions.\n\n–K.T. RN", {"K.T.": {"RN"}}),
    ("Thank you for reading.\n\n— Pia Norland, LPC", {"Pia Norland": {"LPC"}}),
    ("Thank you for reading.\n\n– The Team", {}),  # no credential letters: not a clinician's sign-off
    ("Thank you for reading.\n\n– J.B., patient", {}),
])
def test_a_sign_off_line_names_the_writer(text, expected):
    assert people(text_page(text)) == expected


def test_certificates_of_a_letter_and_a_hyphen_after_a_known_code():
    facts = text_page("Posted by Nell Osgood, LPC, ACS, C-QRT, C-XYZ\n\nA short post about preparation.")
    assert people(facts) == {"Nell Osgood": {"LPC", "ACS", "C-QRT", "C-XYZ"}}


@pytest.mark.parametrize(("url", "text", "expected"), [
    # a year never opens a name; between two cued names the one the page says more often wins
    ("https://example.org/news", "The hospital has offered it since 2019 and Lakemoor Health began a trial. "
     "The first visit at Tallow Ridge Wellness is long. Patients found Tallow Ridge Wellness online.",
     "Tallow Ridge Wellness"),
    # "a nurse anesthetist with the X": the practice its named clinician works for
    ("https://example.org/news", '"We are under-served," said Odell Finch, a nurse anesthetist with the '
     "Harrow Ketamine Clinic of Eastbrook.", "Harrow Ketamine Clinic of Eastbrook"),
])
def test_practice_name_in_news_prose(url, text, expected):
    assert text_page(text, url=url).practice_name == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("Brisco opened her lakeside clinic in 2016 after years as an emergency doctor.\n\nBrisco said it took a year.",
     {"Brisco"}),  # a news story names its clinician by surname
    ("She opened her clinic in 2016 after years as an emergency doctor.", set()),
    ("Research opened the way for clinics.", set()),
])
def test_a_surname_that_runs_the_practice_in_a_news_story(text, expected):
    assert set(people(text_page(text))) == expected
