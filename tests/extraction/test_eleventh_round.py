"""Eleventh round of extraction (issue 10), from new first-sight sets of real pages labelled by someone who had not
seen the extractor. Every sentence here is written for the test (no real page's text, practice, person or town)."""

from directory.extraction.output import facts_to_json
from directory.extraction.page import extract_page


def extract(text: str, url: str = "https://example.org/kap") -> dict:
    return facts_to_json(extract_page(text.encode(), url=url, content_type="text/plain"))


def test_evidence_based_care_is_a_self_description_not_a_claim_about_a_route():
    text = "Guided by evidence-based practice, Larkspur Mind provides safe IV ketamine treatments in a calm room."
    assert extract(text)["routes"] == ["iv"]
    # a claim about the evidence for a route still offers nothing
    assert extract("The evidence for IV ketamine in depression keeps growing.")["routes"] == []


def test_refusing_iv_bags_is_not_refusing_the_iv_route():
    text = ("Each ketamine infusion is given in our clinic. Unlike many clinics, we do not use IV bags; "
            "a precise pump delivers your dose.")
    assert extract(text)["routes"] == ["iv"]
    # refusing the route itself still refuses it
    assert extract("Our sessions use lozenges. We do not use IV ketamine.")["routes"] == ["oral_sublingual"]
    assert extract("We do not offer IV ketamine; our sessions use lozenges.")["routes"] == ["oral_sublingual"]


def test_a_provider_page_about_one_route_only_offers_that_route():
    text = ("What Is IV Ketamine Therapy?\n\n"
            "Intravenous ketamine therapy is a treatment option for treatment-resistant depression.\n\n"
            "The treatment is given through a small IV catheter in a comfortable outpatient room.\n\n"
            "What are the side effects of ketamine infusions?\n\nMost are mild and pass within an hour.")
    assert extract(text, "https://example.org/faq")["routes"] == ["iv"]
    # one passing mention is not enough; nor is a page that names several routes; nor a blog post
    assert extract("What is ketamine?\n\nKetamine can be given as an infusion.", "https://example.org/faq")[
        "routes"] == []
    several = text + "\n\nIntramuscular injections are another way ketamine can be given."
    assert extract(several, "https://example.org/faq")["routes"] == []
    assert extract(text, "https://example.org/blog/what-is-iv-ketamine")["routes"] == []


def test_a_heading_question_with_a_verb_names_no_practice():
    text = "Why Consider KAP?\n\nKetamine-assisted psychotherapy pairs a medicine session with talk therapy."
    assert extract(text, "https://quillandfern.com/kap")["practice_name"] is None


def test_a_service_at_an_acronym_in_a_heading_is_the_practice():
    text = ("Ketamine-Assisted Psychotherapy at QBHC\n\n"
            "KAP, offered at QBHC, pairs ketamine with psychotherapy in a supported setting.")
    assert extract(text, "https://quillbrookhealth.com/kap")["practice_name"] == "QBHC"
    # a state code is not a practice
    assert extract("Ketamine Therapy at UT\n\nWe offer lozenges.", "https://x-y.com/kap")["practice_name"] != "UT"


def test_a_researcher_quoted_with_a_post_at_a_hospital_is_not_the_team():
    text = ("Written by Maren Elsby, LCSW\n\n"
            "“Ketamine can shift rigid patterns,” says Corwin Ashdale, MD, chief of psychiatry at Fenmoor General "
            "Hospital, where he studies rapid antidepressants.")
    names = {person["name"] for person in extract(text)["clinicians"]}
    assert names == {"Maren Elsby"}


def test_the_prescriber_network_of_the_organisation_named_before_is_the_partner():
    text = ("I trained in ketamine-assisted psychotherapy through Lumen Path and work with their prescriber network "
            "for all medical evaluations and prescriptions.")
    assert extract(text)["medical_partner"] == "Lumen Path"


def test_a_friend_at_another_practice_is_not_this_practice():
    text = ("We do not offer KAP to couples. Our good friend Oriel at Tidewell Therapy provides couples KAP, "
            "and we are glad to refer you.")
    assert extract(text, "https://harbourlightcounseling.com/kap")["practice_name"] is None


def test_a_logo_line_in_lower_case_does_not_make_the_brand_an_everyday_word():
    text = "quarry psychedelics\n\nOur Team\n\nQuarry now offers ketamine-assisted therapy for adults."
    assert extract(text, "https://quarryintensives.com/psychedelics")["practice_name"] == "Quarry"


def test_a_named_region_with_a_lower_case_area_is_the_region():
    text = "We offer in-person KAP sessions throughout the Bay area."
    assert ("Bay Area", "CA") in {(city["city"], city["state"]) for city in extract(text)["cities"]}


def test_staff_listed_by_first_name_with_their_contacts_are_the_team():
    text = ("Your retreat guides\n\nWren: wren@example.org; 828-555-0101\n\nOssia: ossia@example.org; 828-555-0102\n\n"
            "Phone: 828-555-0100\n\nEmail: hello@example.org")
    assert {person["name"] for person in extract(text)["clinicians"]} == {"Wren", "Ossia"}
    # one such line is a contact, not a staff list
    assert extract("Wren: wren@example.org; 828-555-0101\n\nWe offer KAP.")["clinicians"] == []


def test_a_persons_possessive_after_in_is_not_a_town():
    cities = {city["city"] for city in extract("Ketamine was one of the factors in Madison's death.")["cities"]}
    assert cities == set()
    # a town's own part after its possessive is still the town
    assert {city["city"] for city in extract("We see clients in Fairview's Old Town.")["cities"]} == {"Fairview"}


def test_the_page_speaking_as_itself_about_research_still_names_itself():
    text = "At Juniper Hollow, we rely on evidence-based research to treat our patients with ketamine."
    assert extract(text, "https://northsideketamine.com/faq")["practice_name"] == "Juniper Hollow"
    # a career line stays a career line
    assert extract("She trained at Juniper Hollow after her residency.", "https://northsideketamine.com/faq")[
        "practice_name"] is None


def test_items_under_ways_ketamine_can_be_given_are_routes_in_general():
    text = ("Ketamine can be administered in several ways, including:\n- Intravenous (IV) infusion, the most common.\n"
            "- Intramuscular (IM) injection, less common.\n\nSessions last about an hour.")
    assert extract(text)["routes"] == []
    # the practice's own list of what it offers is still its offer
    assert set(extract("We offer:\n- IV infusions\n- IM injections")["routes"]) == {"iv", "im"}


def test_our_town_ketamine_clinic_is_an_office_in_that_town():
    cities = {city["city"] for city in extract("Please contact our Fairview ketamine clinic for details.")["cities"]}
    assert cities == {"Fairview"}


def test_a_one_word_practice_speaking_is_not_a_person():
    facts = extract("Halverline offers ketamine therapy for treatment-resistant depression.",
                    "https://halverlineclinic.org/ketamine")
    assert facts["practice_name"] == "Halverline"
    assert facts["clinicians"] == []


def test_a_domain_of_the_names_initials_spells_it():
    text = "Upper Lakeside Psychiatric Associates would like to introduce Spravato therapy to our patients."
    assert extract(text, "http://ulpa.net/spravato.php")["practice_name"] == "Upper Lakeside Psychiatric Associates"
    # initials of a phrase that ends on no practice word are no name
    assert extract("Upper Lakeside People Always come first.", "http://ulpa.net/x")["practice_name"] is None


def test_the_form_the_page_speaks_as_wins_over_a_logo_spelling():
    text = ("MendMind Fairview\n\nMendMind Lakeview\n\n"
            "At Mend Mind, we offer esketamine therapy in our office.")
    assert extract(text, "https://mend-mind.com/ketamine")["practice_name"] == "Mend Mind"


def test_items_under_the_practices_own_list_are_its_routes():
    text = ("How is ketamine administered?\n\nKetamine can be administered in various ways. At Larkspur Mind we use "
            "the following:\n1. Intravenous (IV) infusion: ketamine is often given into a vein.\n"
            "2. Intramuscular injection: it can also be given as a shot when IV access is difficult.\n\n"
            "Only trained staff give ketamine.")
    assert extract(text)["routes"] == ["iv", "im"]
    listed = ("There are several types of ketamine therapy. These are what we use in our office:\n"
              "1. Intravenous (IV) Ketamine Infusion\n- Pros: rapid.\n2. Intramuscular (IM) Ketamine Injections\n"
              "- Cons: less precise than IV.")
    assert extract(listed)["routes"] == ["iv", "im"]


def test_the_practices_doctor_choosing_a_route_offers_it():
    text = ("For resistant depression, Dr. Lindqvist prefers the IM route of administration, given as a shot in "
            "the arm. For psychotherapy, Dr. Lindqvist typically starts with sublingual treatment.")
    assert extract(text)["routes"] == ["im", "oral_sublingual"]


def test_therapy_with_the_clients_own_provider_is_not_part_of_the_offer():
    text = ("An intravenous line will be started and ketamine infused over an hour. During your ketamine treatment "
            "we encourage therapy sessions with your health care provider.")
    assert extract(text)["therapy_included"] is None


def test_a_neuroscientist_recommended_for_reading_is_not_the_team():
    text = "For the science of ketamine, neuroscientist Dr. Corwin Ashdale explains it well on his podcast."
    assert extract(text)["clinicians"] == []


def test_the_therapist_the_site_is_named_for_is_its_clinician():
    text = "A glass vase on the sill in the office of Fairview therapist Maren Elsby. We offer KAP."
    assert [person["name"] for person in extract(text, "https://marenelsbytherapy.com/kap")["clinicians"]] == [
        "Maren Elsby"]
    # another therapist named so, on a site named for nobody, is not added by this rule
    assert extract(text, "https://fairviewkap.com/kap")["clinicians"] == []


def test_town_names_on_lines_of_their_own_are_the_locations():
    text = "Round Rock\nCedar Park\nGeorgetown\n\nKetamine-Assisted Psychotherapy\n\nWe pair ketamine with counseling."
    assert {city["city"] for city in extract(text)["cities"]} == {"Round Rock", "Cedar Park", "Georgetown"}
    # one town alone, or words that some hamlet shares, are no menu of locations
    assert extract("Hope\nHarmony\n\nWe pair ketamine with counseling.")["cities"] == []


def test_a_service_acronym_at_the_start_of_the_domain_is_no_practice_name():
    text = "We provide Ketamine-Assisted Psychotherapy (KAP) and KAPspotting.\n\nKAP and KAPspotting occur in therapy."
    assert extract(text, "https://kapwellness.com/what-is-ketamine/")["practice_name"] is None
