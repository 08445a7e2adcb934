"""Offer, price and phone rules found on a third set of real pages (issue 10, ../shared/realpages-extra-offers):
each test is one behaviour, in sentences invented here (never real-page text)."""

from directory.extraction import extract_page
from directory.extraction.output import facts_to_json
from tests.extraction.prose import cities, facts_of, states


def out(*paragraphs: str) -> dict:
    return facts_to_json(facts_of(*paragraphs))


def text_out(text: str, url: str = "https://practice.example/services") -> dict:
    return facts_to_json(extract_page(text.encode(), url=url, content_type="text/plain"))


# --- routes: offered, or only listed -----------------------------------------------------------------------------

def test_three_routes_listed_without_the_practice_speaking_are_no_offer():
    assert out("A patient may receive ketamine intravenously, intramuscularly, or orally under supervision.")[
        "routes"] == []


def test_three_routes_the_practice_offers_are_offers():
    got = out("We provide IV, IM and oral ketamine at our clinic.")
    assert sorted(got["routes"]) == ["im", "iv", "oral_sublingual"]


def test_a_general_list_then_the_route_the_practice_uses():
    got = out("Ketamine can be given by IV infusion, intramuscular injection, nasal spray or lozenge.",
              "In my practice I give ketamine as an IM injection or a lozenge.")
    assert sorted(got["routes"]) == ["im", "oral_sublingual"]


def test_by_mouth_and_swishing_are_oral():
    assert out("The medicine is then given either as an intramuscular injection or by mouth.")["routes"] == [
        "im", "oral_sublingual"]
    assert out("You will swish the ketamine solution in your mouth for ten minutes.")["routes"] == ["oral_sublingual"]


def test_an_imperative_step_schedule_infusions_is_the_practice_s_offer():
    page = "Step 3\n\nSchedule infusions\n\nOur coordinators will find times that suit you."
    assert text_out(page)["routes"] == ["iv"]


def test_a_faq_about_the_infusion_process_is_about_the_practice():
    page = "What is the IV infusion process like?\n\nKetamine is administered intravenously over 45 minutes."
    assert text_out(page)["routes"] == ["iv"]
    definition = "What is ketamine?\n\nKetamine is administered intravenously in hospitals during surgery."
    assert text_out(definition)["routes"] == []


# --- prices of the market vs the practice's own ------------------------------------------------------------------

COST_GUIDE = """How much does ketamine therapy cost?

Ketamine therapy cost varies widely across the United States. Here is a quick overview:

Price overview:
IV infusions: $400-$900 per session
Intramuscular injections: $300-$700 per session
Ketamine-assisted psychotherapy: $700-$1,300 per session

Most insurance plans do not cover ketamine for depression."""


def test_a_cost_guide_gives_no_prices_routes_or_therapy_of_the_practice():
    got = text_out(COST_GUIDE, url="https://practice.example/blog/ketamine-cost")
    assert got["prices_usd"] == [] and got["routes"] == [] and got["therapy_included"] is None


def test_a_practice_page_with_its_own_price_keeps_every_price():
    got = text_out(COST_GUIDE + "\n\nOur own IV infusions are $450 each, and a series of six is $2,400.")
    assert {450.0, 2400.0} <= set(got["prices_usd"])


def test_a_market_price_sentence_is_not_the_practice_s_price():
    got = out("On average, an infusion costs $400 to $800 nationally.", "Our infusions are $475.")
    assert got["prices_usd"] == [475.0]


def test_us_the_country_is_not_the_practice_speaking():
    got = text_out(COST_GUIDE.replace("per session", "per session (US)"), url="https://practice.example/blog/cost")
    assert got["routes"] == [] and got["prices_usd"] == []


# --- phones ------------------------------------------------------------------------------------------------------

def test_a_phone_written_with_non_breaking_hyphens_or_en_dashes():
    assert out("Call us any weekday: 203\u2011555\u20110147")["phones"] == ["+12035550147"]
    assert out("Call us any weekday: 203\u2013555\u20130147")["phones"] == ["+12035550147"]


# --- therapy included --------------------------------------------------------------------------------------------

def test_therapy_said_in_more_ways():
    for sentence in ("Our therapists guide you through each ketamine session.",
                     "Ketamine sessions are paired with talk therapy.",
                     "Each ketamine journey is supported by a licensed counselor who stays with you.",
                     "Ketamine-assisted counseling is available at our office."):
        assert out(sentence)["therapy_included"] is True, sentence


def test_returning_to_your_own_provider_for_therapy_is_ketamine_only():
    got = out("We offer ketamine infusions.",
              "After the series you will return to your referring mental health provider to resume therapy.")
    assert got["therapy_included"] is False


def test_therapy_combined_with_ketamine_in_research_is_not_an_offer():
    assert out("Ketamine infusions are often combined with therapy in research studies.")["therapy_included"] is None


# --- group or retreat --------------------------------------------------------------------------------------------

def test_an_office_that_is_a_peaceful_retreat_offers_no_retreat():
    assert out("Our office is a peaceful retreat from the busy city.")["group_or_retreat"] is None


def test_a_ceremony_for_up_to_six_participants_is_a_group():
    assert out("Join our next ketamine ceremony with up to six participants.")["group_or_retreat"] is True


def test_multi_day_immersions_are_retreats():
    assert out("We host multi-day ketamine immersions at our mountain lodge.")["group_or_retreat"] is True


def test_all_sessions_one_on_one_is_individual_only():
    assert out("All KAP sessions are one-on-one with your therapist.")["group_or_retreat"] is False


# --- medical partner ---------------------------------------------------------------------------------------------

def test_the_partner_spelled_without_al():
    assert out("Our collaborative care model with Journey Clinic: their medical team prescribes.")[
        "medical_partner"] == "Journey Clinic"


def test_the_partner_named_as_the_medical_professionals_at_an_organisation():
    got = out("Working in collaboration with the medical professionals at Willow Bend Psychiatry, we offer KAP.")
    assert got["medical_partner"] == "Willow Bend Psychiatry"


def test_two_names_run_together_by_the_layout_are_cut_at_the_seam():
    got = out("In collaboration with the medical team at Willow Bend PsychiatryHarbor Counseling offers KAP.")
    assert got["medical_partner"] == "Willow Bend Psychiatry"


def test_three_routes_listed_under_a_services_heading_are_offers():
    page = "Our services\n\nIV, IM and oral ketamine\n\nCall us to book."
    assert sorted(text_out(page)["routes"]) == ["im", "iv", "oral_sublingual"]


# --- places and phones -------------------------------------------------------------------------------------------

def test_a_town_campus_of_an_organisation_is_a_city_without_a_state_when_none_is_said():
    assert cities(facts_of("The service is located on the hospital's Fairview campus.")) == {("Fairview", None)}


def test_a_faxed_number_is_not_the_practice_phone():
    assert out("Fill in the form and it can be faxed to us at 866-555-0190, or call (203) 555-0147.")["phones"] == [
        "+12035550147"]


def test_an_address_with_a_comma_before_a_city_without_one():
    facts = facts_of("Visit us: 2100 Main St. Suite 5, Irvine CA 92614")
    assert cities(facts) == {("Irvine", "CA")} and states(facts) == {"CA": (True, None)}


def test_a_region_served_is_its_state_served():
    assert set(states(facts_of("Serving Northern Virginia and Washington, DC"))) == {"VA", "DC"}


def test_states_clients_travel_from_or_that_the_practice_cannot_serve_are_not_served():
    travel = facts_of("We offer KAP in Salem, OR.", "Clients travel to us from Idaho and Utah.")
    refused = facts_of("We see clients in Salem, OR.", "We are not able to see clients in Idaho.")
    outside = facts_of("Due to licensing laws, our therapists cannot treat clients outside of Oregon.")
    assert set(states(travel)) == set(states(refused)) == set(states(outside)) == {"OR"}


def test_claims_about_a_route_and_routes_given_elsewhere_are_no_offer():
    for sentence in ("IV ketamine infusions are the gold standard for depression.",
                     "Ketamine infusions have been shown to help most patients.",
                     "If you are interested in IV ketamine, we can refer you to a colleague.",
                     "We refer patients who need Spravato to a certified center.",
                     "Some of our clients previously received IV infusions elsewhere."):
        assert out("We offer ketamine-assisted psychotherapy.", sentence)["routes"] == [], sentence


def test_a_claim_said_to_the_reader_still_speaks_for_the_practice():
    assert out("What your brain needs is a reset, which is what our infusion therapy has been shown to give.")[
        "routes"] == ["iv"]


def test_all_sessions_conducted_via_telehealth_is_virtual_only_in_every_state():
    facts = facts_of("Licensed in NY and NJ.", "All sessions are conducted via telehealth.")
    assert states(facts) == {"NY": (False, True), "NJ": (False, True)}


def test_towns_in_a_named_county_take_the_county_s_state_and_county_lists_drop_their_own_county_word():
    facts = facts_of("Serving Edina and Richfield in Hennepin County.",
                     "Serving clients in Hennepin County, Anoka County and more.")
    assert {("Richfield", "MN"), ("Hennepin County", "MN"), ("Anoka County", "MN")} <= cities(facts)


def test_west_virginia_is_not_a_region_of_virginia():
    facts = facts_of("We are a psychiatric practice serving adults in West Virginia.")
    assert set(states(facts)) == {"WV"} and not any(city == "West Virginia" for city, _ in cities(facts))


def test_a_comparison_of_routes_not_in_the_practice_s_voice_is_no_offer():
    assert out("We offer ketamine-assisted psychotherapy.", "IM injections give a stronger experience than lozenges.")[
        "routes"] == []


def test_a_route_clients_ask_about_and_a_general_point_from_experience_are_no_offer():
    got = out("Clients often want to know if I offer IV infusions.",
              "From my experience, the higher doses that can be given by injection are rarely needed.")
    assert got["routes"] == []


def test_a_psychiatric_md_is_a_clinician_not_maryland():
    assert states(facts_of("A psychiatric MD (Dr. Lee) is present on site and supervises each treatment.")) == {}


def test_menu_lines_naming_the_areas_whose_clients_are_served():
    page = "Menu\n  • Home\n  • Springfield Area Clients\n  • Lakeview Area & OH Clients\n  • Contact"
    got = text_out(page)
    assert {c["state"] for c in got["states"]} == {"OH"} and ("Springfield", "OH") in {(c["city"], c["state"]) for c in
                                                                                      got["cities"]}


def test_a_heading_placing_a_route_s_service_is_an_offer_and_a_ketamine_tablet_is_oral():
    assert text_out("IV Ketamine Infusion Therapy in Fairview\n\nKetamine can help depression.")["routes"] == ["iv"]
    assert out("Our physician prescribes the ketamine in a nasal spray or tablet for home use.")["routes"] == [
        "oral_sublingual", "intranasal"]


def test_the_drug_s_own_cost_a_copay_programme_and_other_clinics_prices_are_not_the_practice_s():
    assert out("With the manufacturer's savings program, patients may pay as little as $10 per treatment.")[
        "prices_usd"] == []
    assert out("The ketamine itself costs about $1 per dose; the cost is in the clinical care.")["prices_usd"] == []
    assert out("Many clinics charge $800 per infusion; we charge $500.")["prices_usd"] == [500.0]
