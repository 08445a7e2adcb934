"""Offer, price and place rules found on a fourth real set (issue 10, ../shared/realpages-offers3): each test is one
behaviour, in sentences invented here (never real-page text)."""

from directory.extraction import extract_page
from directory.extraction.output import facts_to_json
from tests.extraction.prose import facts_of


def out(*paragraphs: str) -> dict:
    return facts_to_json(facts_of(*paragraphs))


def text_out(text: str, url: str = "https://practice.example/services") -> dict:
    return facts_to_json(extract_page(text.encode(), url=url, content_type="text/plain"))


# --- routes compared, remarked on or advised are not offered -----------------------------------------------------

def test_routes_compared_to_each_other_are_no_offer_even_when_said_to_the_reader():
    got = out("Lozenges and nasal ketamine feel gentler than injections and drips and let you talk with your guide.")
    assert got["routes"] == []


def test_a_route_the_reader_is_told_about_in_a_comparison_of_one_route_still_counts():
    assert out("Our infusions let you relax in a recliner while the nurse stays near.")["routes"] == ["iv"]


def test_a_side_effect_remark_about_routes_is_no_offer():
    assert out("Mild nausea can happen (more likely with IV or IM dosing).")["routes"] == []


def test_advice_on_how_ketamine_should_be_taken_is_no_offer():
    got = out("For deep talk work, ketamine should be taken as a lozenge in your counselor's room.")
    assert got["routes"] == []


def test_what_a_drug_provides_is_not_what_the_practice_provides():
    got = out("Nasal esketamine represents a new chance for patients, and may provide relief within days.")
    assert got["routes"] == []
    assert out("Esketamine treatments are provided in a monitored room twice a week.")["routes"] == [
        "esketamine_spravato"]


def test_a_denial_or_a_supposition_describes_no_offer():
    assert out("Esketamine will not be handed to patients to use at home under any plan.")["routes"] == []
    assert out("If rent were free, an infusion would cost hardly more than a sandwich.")["routes"] == []


def test_the_answer_to_a_question_put_to_the_practice_is_its_offer():
    got = out("Callers often ask whether I offer infusions. The answer is no, mainly just troches.")
    assert got["routes"] == ["oral_sublingual"]


def test_im_sessions_is_the_intramuscular_route():
    assert out("We continue to hold office visits, including IM sessions when needed.")["routes"] == ["im"]


def test_the_clinic_in_an_faq_answer_is_the_practice_s_clinic():
    page = "What is ketamine infusion treatment?\n\nSmall doses of ketamine are given intravenously in the clinic."
    assert text_out(page)["routes"] == ["iv"]


def test_a_writers_voice_is_not_the_practice_speaking():
    page = ("In this article, we look at what an infusion costs and why.\n\n"
            "A single infusion in the United States runs $450 to $1,100 per session.")
    got = text_out(page, url="https://guide.example/infusion-cost")
    assert got["routes"] == []
    assert got["prices_usd"] == []


# --- prices of the market -----------------------------------------------------------------------------------------

def test_what_doctors_typically_charge_in_the_us_is_the_market():
    page = ("What does it cost?\n\nIn the US, doctors typically charge $350-700 per infusion.\n\n"
            "Many patients find that steep.")
    assert text_out(page, url="https://advocacy.example/cost")["prices_usd"] == []


def test_own_fees_beside_the_market_stay():
    page = ("Fees\n\nIn the US, clinics typically charge $600 per infusion. Our infusions are $450.")
    assert 450 in text_out(page)["prices_usd"]


# --- groups and therapy in general articles -----------------------------------------------------------------------

def test_a_definition_heading_about_retreats_offers_no_retreat():
    page = ("What Are Ketamine Group Retreats?\n\n"
            "Guests join group sessions, movement and supervised medicine over several days.")
    got = text_out(page, url="https://magazine.example/retreats")
    assert got["group_or_retreat"] is None


def test_a_kind_of_treatment_called_an_opportunity_is_no_offer():
    got = out("Ketamine retreats are a wonderful opportunity to heal alongside others in nature.")
    assert got["group_or_retreat"] is None


# --- partner ------------------------------------------------------------------------------------------------------

def test_a_prescribing_service_on_its_own_site_is_not_its_own_partner():
    page = "Our offerings\n\nJourney Clinical offers ketamine-assisted psychotherapy with member therapists."
    got = text_out(page, url="https://help.journeyclinical.example/articles/offerings")
    assert got["medical_partner"] is None


def test_a_therapist_referring_to_a_known_prescriber_names_the_partner():
    got = out("Once Robin sees that this type of therapy may fit, she will refer you to a collaborating "
              "Journey Clinical provider for a video visit.")
    assert got["medical_partner"] == "Journey Clinical"


# --- places -------------------------------------------------------------------------------------------------------

def test_a_state_code_among_route_abbreviations_is_not_a_state():
    got = out("Ketamine comes as IV (into a vein), IM (into a muscle), IN (a nasal spray) or SL (under the tongue).")
    assert got["states"] == []


def test_a_state_code_in_a_list_of_state_codes_still_counts():
    got = out("We are licensed in KY, IN and OH for telehealth sessions.")
    assert {state["state"] for state in got["states"]} == {"KY", "IN", "OH"}


def test_a_fully_virtual_program_is_virtual_in_its_state():
    got = out("Our program is fully-virtual, from consult to dosing.", "The program is currently available in Ohio.")
    assert got["states"] == [{"state": "OH", "in_person": False, "virtual": True}]


def test_a_persons_home_town_is_not_an_office():
    got = out("Dana Reyes, LMFT from Fairfax, VA tells how she brings her clients to our rooms.",
              "Therapists need a valid license in the state of Virginia.")
    assert got["cities"] == []


def test_a_place_named_for_most_clinics_is_not_the_practice_s():
    got = out("In most clinics in Chicago, Illinois, a nurse starts the drip and leaves you alone.")
    assert got["states"] == []


def test_towns_served_locally_take_the_page_s_state():
    page = "Our KAP Path\nServing clients in Oregon, Washington, and locally in Ashland & Medford\nThe steps."
    got = text_out(page)
    assert {("Ashland", "OR"), ("Medford", "OR")} <= {(c["city"], c["state"]) for c in got["cities"]}


def test_an_office_town_said_with_telehealth_is_both_ways():
    got = out("Dosing sessions are held in person in my office in Eugene, OR or via telehealth.")
    assert got["states"] == [{"state": "OR", "in_person": True, "virtual": True}]


# --- how the drug works is not what the practice does ---------------------------------------------------------------

def test_pharmacology_and_general_facts_about_a_route_are_no_offer():
    for sentence in ("IV ketamine delivers the whole dose straight into the bloodstream.",
                     "Intramuscular ketamine takes effect within a few minutes.",
                     "Sublingual troches are absorbed slowly through the cheek.",
                     "Esketamine requires two hours of observation after every dose.",
                     "An IV drip allows very precise control of the dose.",
                     "Spravato is a nasal spray used together with an oral antidepressant.",
                     "Ketamine infusions were first studied for depression around 2000."):
        assert out(sentence)["routes"] == [], sentence


def test_the_practice_s_own_room_for_each_infusion_is_an_offer():
    assert out("Each infusion is given in a private room with a recliner and soft music.")["routes"] == ["iv"]
    assert out("Your lozenge will dissolve under your tongue and takes effect in about ten minutes.")["routes"] == [
        "oral_sublingual"]


# --- batch 4: towns listed without commas, NYC, a served list that goes on -----------------------------------------

def test_what_each_patient_receives_is_the_practice_s_offer():
    got = out("Each patient receives the route that suits them, whether IV or others such as intranasal.")
    assert sorted(got["routes"]) == ["intranasal", "iv"]


def test_towns_listed_without_a_comma_before_their_state():
    got = text_out("Ketamine Care in Hartford CT and Eugene Oregon\n\nWe see patients in both offices.")
    assert {("Hartford", "CT"), ("Eugene", "OR")} <= {(c["city"], c["state"]) for c in got["cities"]}
    assert {"CT", "OR"} <= {s["state"] for s in got["states"]}


def test_a_name_before_a_state_code_is_not_a_town_without_a_list():
    assert out("Our founder Jordan Jackson MD leads every session.")["cities"] == []


def test_nyc_is_new_york_city():
    got = out("We have offices in NYC for in-person sessions.")
    assert ("New York City", "NY") in {(c["city"], c["state"]) for c in got["cities"]}


def test_a_served_list_goes_on_after_a_semicolon():
    page = ("New Jersey Office - Ketamine Clinic located in Mahwah. Serving Ramsey and Wyckoff in Bergen County; "
            "and Nanuet and Pearl River in Rockland County\n\nMore about us.")
    assert {("Nanuet", "NY"), ("Pearl River", "NY")} <= {(c["city"], c["state"]) for c in text_out(page)["cities"]}


def test_promises_and_hearsay_about_a_route_are_no_offer():
    for sentence in ("Ketamine infusions can help you feel lighter within a day.",
                     "You may have heard of Spravato, a nasal form of ketamine.",
                     "Infusion therapy offers hope to people whose depression lingers.",
                     "Esketamine is paid for by most insurance plans, so it may be affordable for you."):
        assert out(sentence)["routes"] == [], sentence


def test_an_faq_on_how_ketamine_is_given_lists_routes_in_general():
    page = "How is ketamine given?\n\nA nasal spray or an infusion each have a place, depending on your needs."
    assert text_out(page)["routes"] == []
    own = "How is ketamine given?\n\nAt our clinic we give ketamine by infusion only."
    assert text_out(own)["routes"] == ["iv"]


# --- batch 5: route overviews on practice pages ---------------------------------------------------------------------

def test_a_route_avoided_is_not_offered():
    got = out("We offer IM and oral dosing. We prefer IM to limit the unnecessary need for an IV line.")
    assert sorted(got["routes"]) == ["im", "oral_sublingual"]


def test_a_first_person_refusal_of_kap_stands_beside_general_words():
    got = out("I trained in ketamine-assisted psychotherapy for a year.",
              "While I do not practice KAP with my patients, it can be a helpful approach for some.")
    assert got["therapy_included"] is False


def test_a_nasal_spray_in_an_answer_about_spravato_is_spravato_and_related_drugs_are_no_offer():
    got = out("Spravato is the brand name of esketamine. It is given as a nasal spray.")
    assert "intranasal" not in got["routes"]
    assert out("Ketamine and esketamine are related medicines of the same family.")["routes"] == []
