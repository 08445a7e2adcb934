"""Fifth round of the practice-name and people readers (issue 10): general rules found on a real set nobody had
tuned them on. Every sentence here is written for the test (no real page's text, practice, person or town)."""

from directory.extraction.page import extract_page


def name_of(text: str, url: str) -> str | None:
    return extract_page(text, url=url, content_type="text/plain").practice_name


def test_a_domain_that_begins_with_the_spells_the_name_after_it():
    # thealderpointcenter.com spells "Alder Point ... Center"; the leading "the" of a domain is not part of the name
    text = ("Alder Point Lozenge Method\n\n"
            "Our Alder Point Training Center has taught the lozenge method to many practitioners across the country. "
            "Our Harrow Psychotherapy Associates is also a resource for clinicians who want to learn.")
    assert name_of(text, "https://thealderpointtrainingcenter.com/lozenge/") == "Alder Point Training Center"


def test_an_adverb_before_the_verb_still_says_the_page_speaks_as_the_name():
    text = ("Esketamine Treatment\n\nFind relief with esketamine.\n"
            "Alder Point Restorative Health proudly offers esketamine nasal spray for adults with depression.")
    assert name_of(text, "https://www.aprh-nc.org/esketamine") == "Alder Point Restorative Health"


def test_an_all_capitals_line_the_domain_spells_is_the_name():
    text = ("Ketamine is one of the newer treatments for depression, studied for two decades.\n\n"
            "What is ketamine?\n\nA medicine used in anesthesia for many years.\n\n"
            "BRIGHTFERN MIND HEALTH\nKetamine FAQ\n\nBook a consultation.")
    # three capitalised words with no practice word in title case would read as a person: not in capitals
    assert name_of(text, "https://brightfernmindhealth.com/?p=7") == "Brightfern Mind Health"


def test_remote_and_intensive_retreat_headings_are_not_names():
    assert name_of("Ketamine-Assisted Intensive Retreats: A Fresh Approach\n\nWhat are they? A few days of care.",
                   "https://example.org/retreats/") is None
    assert name_of("KAP modalities\n\nRemote KAP\n\nRemote KAP is conducted from the comfort of your own home.",
                   "https://example.org/kap") is None


def test_a_known_prescribing_service_on_its_own_domain_is_the_practice():
    # on its own help centre a prescribing service is the page's practice, not an outside partner
    text = ("Ready to get started? Log in to schedule.\n"
            "Journey Clinical offers a range of services for ketamine-assisted psychotherapy with your therapist.")
    assert name_of(text, "https://journeyclinical.zendesk.com/hc/en-us/articles/1-overview") == "Journey Clinical"
    # elsewhere the same name stays someone else's
    assert name_of(text, "https://www.alderpointtherapy.com/kap") is None


def clinicians_of(text: str, url: str = "https://example.org/kap") -> list[str]:
    return [person.name for person in extract_page(text, url=url, content_type="text/plain").clinicians]


def test_a_first_name_that_does_the_therapy_is_a_clinician():
    assert clinicians_of("Ketamine therapy\n\nMarisol offers a therapeutic approach called ketamine-assisted "
                         "psychotherapy in partnership with an outside prescriber.") == ["Marisol"]
    assert clinicians_of("How it works\n\nOnce Marisol determines if you are a good candidate for this kind of "
                         "therapy, she will refer you to a prescriber.") == ["Marisol"]


def test_a_brand_that_offers_therapy_is_not_a_first_name():
    # "Brightfern" is also the first word of the practice's name on the page: a brand, not a person
    text = ("Brightfern Counseling\n\nBrightfern offers therapy sessions for adults and couples.\n\n"
            "Contact Brightfern Counseling today.")
    assert clinicians_of(text) == []


def test_a_guest_from_another_town_who_talks_about_her_experience_is_not_on_the_team():
    text = ("KAP for therapists\n\nNadia Brook, LMFT from Elmwood Springs, OR talks about her experience as a KAP "
            "therapist working with our clinics.")
    assert clinicians_of(text) == []
    # the same name and codes on their own line stay a clinician
    assert clinicians_of("Our team\n\nNadia Brook, LMFT\n\nShe sees adults and couples.") == ["Nadia Brook"]


def test_a_person_who_offers_a_sliding_scale_is_a_clinician():
    text = "Fees\n\nIntake $120\n\n*** Tobias Wren also offers sliding scale pricing on a limited basis."
    assert clinicians_of(text) == ["Tobias Wren"]
    # a practice that offers a sliding scale is no person
    assert clinicians_of("Fees\n\nHarrow Point also offers sliding scale pricing.\n\nHarrow Point Counseling") == []
