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
