"""Offer rules found on a seventh real set (issue 10, the rest 3/4 of ../shared/realpages-offers7: services, Spravato,
at-home and group pages): each test is one behaviour, in sentences invented here (never real-page text)."""

from directory.extraction.market import market_sentence
from directory.extraction.output import facts_to_json
from tests.extraction.prose import facts_of


def out(*paragraphs: str) -> dict:
    return facts_to_json(facts_of(*paragraphs))


# --- routes: what the drug is and how it works, not what the practice gives ------------------------------------------

def test_esketamine_defined_as_a_kind_of_ketamine_is_not_an_offer():
    assert out("Esketamine is the “S-half” of ketamine administered through the nose.")["routes"] == []
    assert out("Spravato is a form of ketamine that is administered as a spray.")["routes"] == []


def test_how_ketamine_acts_on_the_brain_is_not_an_offer():
    assert out("During a depressive episode, ketamine and esketamine act on glutamate pathways.")["routes"] == []
    assert out("Over the following days, ketamine infusions strengthen synaptic links between cells.")["routes"] == []


def test_the_practice_speaking_of_the_mechanism_still_offers():
    got = out("At our Maple Row clinic, infusions are given slowly to reach the NMDA receptors gently.")
    assert got["routes"] == ["iv"]


def test_attention_a_route_gets_across_the_country_is_not_an_offer():
    got = out("Esketamine (Spravato) has received growing attention in psychiatric offices across the US lately.")
    assert got["routes"] == []


def test_the_benefits_and_efficacy_of_a_route_are_praise_not_an_offer():
    assert out("A short look at the benefits and efficacy of ketamine infusion therapy.")["routes"] == []


def test_a_route_the_practice_gives_is_still_offered():
    got = out("Esketamine nasal spray sessions are held twice a week at the Birchwood office.")
    assert got["routes"] == ["esketamine_spravato"]


# --- prices: an assistance programme's figures are not the practice's fees -----------------------------------------

def test_prices_of_an_assistance_program_are_not_the_practices():
    got = out("Each patient joins a funded assistance program that sets aside $6,500 a year for treatment.",
              "This program will cover the gap, leaving a charge of only $15 per visit after the deductible.")
    assert got["prices_usd"] == []
    assert market_sentence("The assistance program pays up to $6,500 a year.")


def test_the_practices_own_fee_beside_a_program_stays():
    got = out("Our Spravato visit fee is $180.")
    assert got["prices_usd"] == [180]


# --- therapy: counselling and therapy sessions around the ketamine --------------------------------------------------

def test_therapy_sessions_before_the_ketamine_are_therapy_included():
    got = out("Every client completes intake and therapy sessions with a licensed counselor before receiving ketamine.")
    assert got["therapy_included"] is True


def test_pre_and_post_session_counseling_is_therapy_included():
    assert out("Pre and post-session counseling is offered to every client.")["therapy_included"] is True


def test_ketamine_combined_with_counseling_is_therapy_included():
    got = out("At home, ketamine troches are combined with counseling visits over video.")
    assert got["therapy_included"] is True


def test_integrating_therapy_into_the_treatment_is_therapy_included():
    got = out("Our results at Alder Point come from integrating therapy and movement into every ketamine plan.")
    assert got["therapy_included"] is True


def test_counseling_about_something_else_is_not_therapy_included():
    assert out("Our front desk offers billing counseling for families.")["therapy_included"] is None


def test_ketamine_therapy_sessions_name_the_dosing_not_psychotherapy():
    assert out("Each of your ketamine therapy sessions lasts about an hour in a recliner.")["therapy_included"] is None
    assert out("Ketamine infusion therapy sessions are spaced two days apart.")["therapy_included"] is None


# --- routes: a practice's own offer in words that are otherwise general ---------------------------------------------

def test_the_conditions_a_practice_treats_do_not_make_its_route_general():
    got = out("Home treatment uses ketamine troches with video check-ins to address various mental health conditions.")
    assert got["routes"] == ["oral_sublingual"]
    # "various forms" is still a survey
    assert out("Ketamine comes in various forms such as troches and infusions.")["routes"] == []


def test_a_named_clinic_that_offers_routes_of_administration_offers_them():
    got = out("Harrow Lane Psychiatry is the county's only ketamine-focused clinic that offers three routes of "
              "administration: oral, intranasal and intramuscular.")
    assert sorted(got["routes"]) == ["im", "intranasal", "oral_sublingual"]


def test_routes_of_administration_in_general_are_still_not_offered():
    got = out("Ketamine has three routes of administration: oral, intranasal and intramuscular.")
    assert got["routes"] == []


# --- therapy: a therapist who does not prescribe still offers KAP ----------------------------------------------------

def test_a_therapist_who_does_not_prescribe_ketamine_still_offers_kap():
    got = out("I offer ketamine-assisted psychotherapy to established clients at Fenwick Counseling.",
              "While I do not prescribe ketamine myself, I work with prescribing providers for the medical part.")
    assert got["therapy_included"] is True


def test_a_practice_that_provides_no_ketamine_offers_integration_only():
    got = out("We do not provide ketamine at Fenwick Counseling.",
              "We offer integration sessions after ketamine-assisted psychotherapy elsewhere.")
    assert got["therapy_included"] is None


# --- routes: a proven claim about a route is not an offer -------------------------------------------------------------

def test_a_route_proven_to_help_is_a_claim_not_an_offer():
    assert out("Esketamine has been proven to ease thoughts of self-harm.")["routes"] == []
    assert out("Clinically proven, ketamine infusions lift mood within hours.")["routes"] == []


def test_what_a_kind_of_therapy_is_does_not_offer_it():
    got = out("Ketamine group therapy is a guided approach where small groups receive ketamine and share "
              "preparation and integration together.")
    assert got["therapy_included"] is None
    assert got["group_or_retreat"] is None


def test_a_cited_finding_is_research_even_in_the_practices_voice():
    got = out("In the clinic we keep seeing good results from ketamine combined with psychotherapy (Okafor, 2020).")
    assert got["therapy_included"] is None


def test_a_dated_launch_is_not_a_citation():
    got = out("Linden Row Counseling launched a ketamine-assisted psychotherapy program (Mar 2025) for adults.")
    assert got["therapy_included"] is True


# --- routes and prices: the other methods, and what a typical clinic charges ----------------------------------------

def test_other_methods_named_beside_the_practices_own_are_not_offered():
    got = out("Other methods include intramuscular injections and IV infusions, but our clinic focuses on "
              "guided troches at home.")
    assert got["routes"] == ["oral_sublingual"]


def test_what_a_typical_clinic_charges_is_the_market():
    got = out("A typical infusion at a clinic can set you back anywhere from $350 to $1,100 a session.")
    assert got["prices_usd"] == []
    assert got["routes"] == []
    assert market_sentence("Sessions run anywhere from $350 to $1,100 elsewhere.")


def test_our_price_range_stays_the_practices():
    assert out("Our sessions range anywhere from $300 to $450.")["prices_usd"] == [300, 450]
