"""Offer rules found on a sixth real set (issue 10, the dev 3/4 of ../shared/realpages-offers4): each test is one
behaviour, in sentences invented here (never real-page text)."""

from directory.extraction.market import market_sentence
from directory.extraction.output import facts_to_json
from tests.extraction.prose import facts_of, text_facts


def out(*paragraphs: str) -> dict:
    return facts_to_json(facts_of(*paragraphs))


# --- routes: described in general, not offered ------------------------------------------------------------------------

def test_a_route_compared_as_superior_or_inferior_is_not_offered():
    got = out("We give every patient a series of six infusions at Willow Bend.",
              "That protocol is superior to intramuscular shots and to nasal sprays.")
    assert got["routes"] == ["iv"]


def test_what_many_individuals_or_most_providers_do_is_not_an_offer():
    assert out("Many individuals explore IV ketamine when other treatments have not helped.")["routes"] == []
    assert out("It is no surprise that the majority of ketamine providers have used infusions.")["routes"] == []


def test_the_advent_of_a_route_is_history_not_an_offer():
    assert out("Relief came closer with the advent of ketamine troches for home use.")["routes"] == []


def test_a_methods_of_administration_list_is_a_survey():
    text = ("Methods of Ketamine Administration\n\n"
            "Intramuscular Injections: Another useful option is an injection into the upper arm.\n\n"
            "Oral Troches: Ketamine can also come as a troche that dissolves in the cheek.\n")
    got = facts_to_json(text_facts(text, "https://practice.example/blog/costs"))
    assert got["routes"] == []


def test_the_disadvantages_of_a_route_are_a_claim_about_it():
    assert out("Seen from a hospital ward, the IV infusions bring several disadvantages for patients.")["routes"] == []


def test_a_price_in_a_supposed_cost_gives_no_route():
    got = out("Moving to a drip could raise the cost from about $300 per IM shot to about $1,800 per IV infusion.")
    assert got["routes"] == []
    assert got["prices_usd"] == []


def test_the_writers_opinion_of_a_route_is_not_an_offer():
    got = out("There is much about Spravato that we do not yet know, and I think the jury is still out.",
              "I have watched my own patients recover after receiving intravenous ketamine in our office.")
    assert got["routes"] == ["iv"]


def test_an_opinion_that_also_offers_still_offers():
    got = out("We believe in choice, so we offer both lozenges and IM injections.")
    assert sorted(got["routes"]) == ["im", "oral_sublingual"]


def test_a_cost_guide_titled_as_a_guide_to_pricing_offers_nothing():
    text = ("A Guide to Ketamine Clinic Pricing\n\n"
            "When you first see the bill for a run of ketamine infusions, it can be a shock to anyone.\n\n"
            "Clinics in large cities often ask more than rural ones do for the same care.\n")
    got = facts_to_json(text_facts(text, "https://blog.example/ketamine-pricing"))
    assert got["routes"] == []


# --- group or retreat -------------------------------------------------------------------------------------------------

def test_joining_a_retreat_in_general_is_no_retreat_offer():
    got = out("Joining a ketamine retreat, where you and a few others journey together, offers many things to a "
              "person on a healing path.")
    assert got["group_or_retreat"] is None


def test_our_group_sessions_count_under_a_comparison_heading():
    text = ("Why IM vs. IV?\n\n"
            "We began doing IM sessions so that we could run group sessions at a lower price for everyone.\n")
    from directory.extraction import extract_page
    got = facts_to_json(extract_page(text.encode(), url="https://practice.example/im-or-iv",
                                     content_type="text/plain"))
    assert got["group_or_retreat"] is True


# --- partner ----------------------------------------------------------------------------------------------------------

def test_services_named_as_examples_are_no_partner():
    got = out("Online providers like Mindbloom and Joyous promise fast relief; we review what each one offers.")
    assert got["medical_partner"] is None
    assert out("Companies such as Wondermed now mail lozenges to the home.")["medical_partner"] is None


def test_a_named_partner_alone_is_still_the_partner():
    assert out("We partner with Journey Clinical for medical screening and prescriptions.")["medical_partner"] \
        == "Journey Clinical"


# --- prices -----------------------------------------------------------------------------------------------------------

def test_prices_of_a_worked_example_are_not_the_practices():
    got = out("For example, if a session fee is $900, the clinician charges $450 and the fund pays $225.")
    assert got["prices_usd"] == []
    assert market_sentence("For instance, a course of six could cost $2,400.")
    assert not market_sentence("Our intake is $250 and each session is $400.")


def test_a_bare_plural_route_as_the_subject_is_a_general_remark():
    got = out("Besides, IV infusions needlessly medicalize a simple treatment for many people.")
    assert got["routes"] == []


def test_the_pages_title_naming_a_route_service_is_the_offer():
    from directory.extraction import extract_page
    text = ("Ketamine Shot Therapy\n\nWhat is it?\n\n"
            "It is a calm session in which a low dose is given by a licensed nurse. This could be an IV or a shot.\n")
    got = facts_to_json(extract_page(text.encode(), url="https://practice.example/ketamine", content_type="text/plain"))
    assert got["routes"] == ["im"]
    question = "What Are Ketamine Troches?\n\nThey are small tablets that dissolve in the cheek over several minutes.\n"
    got = facts_to_json(extract_page(question.encode(), url="https://practice.example/troches",
                                     content_type="text/plain"))
    assert got["routes"] == []


# --- therapy ----------------------------------------------------------------------------------------------------------

def test_the_therapy_defined_in_general_is_not_the_practices_offer():
    got = out("Ketamine-assisted psychotherapy is becoming better known as a path to healing.",
              "Practically, KAP involves both a prescribed medicine and therapy.",
              "Trust is an essential aspect of ketamine-assisted psychotherapy.")
    assert got["therapy_included"] is None


def test_our_kap_described_in_our_voice_still_includes_therapy():
    got = out("Our ketamine-assisted psychotherapy involves preparation, a medicine session and integration.")
    assert got["therapy_included"] is True


def test_kap_said_to_be_offered_is_the_offer_even_as_the_subject():
    got = out("Ketamine-assisted psychotherapy is offered with troches prescribed by an outside physician.")
    assert got["therapy_included"] is True
