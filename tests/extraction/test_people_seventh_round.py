"""Seventh round of the people and practice-name readers (issue 10): general rules found on a new real set of
provider pages (a name line the page then calls by its first name; two authors on one byline; a possessive
heading; a legal name printed with a phone; a name that reads across "to"; a title-case question). Every
sentence here is written for the test (no real page's text, practice, person or town)."""

from tests.extraction.prose import text_facts


def people(text: str, url: str = "https://example.org/page") -> dict[str, list[str]]:
    return {c.name: [cred.code for cred in c.credentials] for c in text_facts(text, url).clinicians}


def name_of(text: str, url: str = "https://example.org/page") -> str | None:
    return text_facts(text, url).practice_name


BOOKING_PAGE = """Ketamine Assisted Therapy in Larkfield

Guided by
Marla Quince

Book with Marla:

Your therapist stays with you through preparation, the dosing session and integration.
"""


def test_a_name_line_the_page_then_calls_by_first_name_is_the_clinician():
    assert people(BOOKING_PAGE) == {"Marla Quince": []}


def test_a_possessive_first_name_also_confirms_the_name_line():
    page = "Our Services\n\nJune Harrow\n\nJune's approach is warm, direct and paced by you.\n"
    assert people(page) == {"June Harrow": []}


def test_a_menu_ending_in_contact_above_the_practice_name_calls_no_one():
    # "Contact" closes the menu line; the next line is the practice's name, not someone to contact
    page = "Home About Fees Contact\nBirchwood Psychology Collective\n\nBirchwood Psychology Collective is a " \
           "psychology group offering ketamine-assisted therapy.\n"
    assert people(page) == {}
    assert people("Harlan Oakes\n\nTo begin, contact Harlan by phone.\n") == {"Harlan Oakes": []}


def test_a_name_line_alone_or_a_place_line_is_no_clinician():
    assert people("Our Offices\n\nMaple Grove\n\nWe see adults in person and by video.\n") == {}
    # the first word again, but only inside the same two words: a brand, not a person called by first name
    page = "Cedar Hollow\n\nCedar Hollow offers ketamine-assisted therapy in a quiet setting.\n"
    assert people(page) == {}


def test_a_possessive_heading_is_not_a_person():
    page = "Ketamine Sessions\n\nMarla's Approach\n\nLCSW\n\nEach session begins with an intention.\n"
    assert "Marla's Approach" not in people(page)


def test_both_authors_of_a_byline_are_clinicians():
    page = "What Integration Costs\n\nAuthors: Dana Whitfield & Corin Maple, LMHC\n\n(6-minute read)\n"
    assert people(page) == {"Dana Whitfield": [], "Corin Maple": ["LMHC"]}
    page = "Notes\n\nWritten by Ines Arlow and Teo Brandt\n\nA short post.\n"
    assert set(people(page)) == {"Ines Arlow", "Teo Brandt"}


def test_a_legal_name_printed_with_a_phone_is_the_practice():
    page = "Harbor Mind Care LLC  555-201-3344\n\nKetamine has been used for decades. We offer infusions.\n"
    assert name_of(page) == "Harbor Mind Care LLC"


def test_a_legal_line_named_for_a_person_is_not_a_practice_name():
    assert name_of("Jane Roe LLC  555-201-3344\n\nWe offer infusions.\n") is None


def test_the_page_speaking_as_a_name_across_to():
    page = ("Services\n\nCouples work and family sessions.\n"
            "At Path to Stillness we provide in-home support. We travel to you as a small team.\n")
    assert name_of(page) == "Path to Stillness"


def test_a_service_phrase_across_to_stays_no_name():
    assert name_of("At Journey to Healing we offer ketamine therapy for adults.\n") is None


def test_a_title_case_question_with_a_conjunction_is_no_name():
    page = ("Do You Need a Counselor While Receiving Ketamine Infusions?\n\n"
            "While Ketamine Infusions help many people, therapy adds a great deal.\n")
    assert name_of(page, "https://lakeketamineinfusion.example/blog") is None


def test_a_service_word_after_the_name_is_cut_off():
    page = "Welcome\n\nOur team at Harbor Specialty Care Spravato specializes in providing this nasal spray.\n"
    assert name_of(page) == "Harbor Specialty Care"
    # a run of service words alone stays no name
    assert name_of("Our team at Ketamine Care Spravato specializes in nasal spray.\n") is None
