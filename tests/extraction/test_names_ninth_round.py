"""Ninth round of the practice-name reader (issue 10): a brand the page speaks as, though its last word describes
("Welcome to Lotus Ketamine.") or it is one word ("At Intero, we"). Every sentence here is written for the test
(no real page's text, practice, person or town)."""

from directory.extraction.page import extract_page


def name_of(text: str, url: str = "https://example.com/kap") -> str | None:
    return extract_page(text, url=url, content_type="text/plain").practice_name


def test_a_one_word_brand_the_page_speaks_as_is_the_name():
    text = ("Patients first meet the medical provider. At Veltrano, we believe each step deserves care.\n\n"
            "Medical evaluation comes next.")
    assert name_of(text) == "Veltrano"


def test_a_brand_ending_on_a_describing_word_is_the_name_when_the_page_speaks_as_it():
    assert name_of("Welcome to Quillmere Ketamine. We offer infusions in a quiet room.") == "Quillmere Ketamine"
    assert name_of("This is Orrin Ketamine, an outpatient infusion clinic opened in 2021.") == "Orrin Ketamine"


def test_a_heading_a_town_a_state_or_an_everyday_word_is_still_no_name():
    assert name_of("At Ketamine Therapy, we start with a screening.") is None
    assert name_of("At Tucson, we see clients from the whole region.") is None
    assert name_of("At Oregon, we see clients from the whole region.") is None
    # "first" is written in lower case on the page: an everyday word, not a brand
    assert name_of("At First, we meet for an intake. Your first session is a screening.") is None


def test_a_domain_that_adds_a_practice_word_or_a_place_after_the_name_still_spells_it():
    text = "Quillmere Mind specializes in ketamine-assisted therapy for adults."
    assert name_of(text, "https://quillmeremindclinic.com/kap") == "Quillmere Mind"
    assert name_of("Orrin Path Wellness offers KAP.", "https://orrinpathohio.com/") == "Orrin Path Wellness"
    # two words and no practice word read as the person the site is named for, not a practice name
    assert name_of("Orrin Vale offers KAP.", "https://orrinvalecollective.com/") is None


def test_a_first_name_that_begins_a_persons_domain_is_not_the_practice():
    text = "After the dosing ends, Orrindel will stay with you to talk about what came up."
    assert name_of(text, "https://orrindelvasquez.com/kap") is None  # the rest of the domain is a surname
    assert name_of("Orrindel offers KAP to adults.", "https://orrindelhealth.com/kap") == "Orrindel"
