"""Place and offer facts as real pages write them in prose (issue 10): state x mode from sentences, towns from
'offices in', 'the X area', 'X-based' and the practice's own name, the one state a page names, routes offered vs
routes explained, partners named in prose. Pages here are written for one behaviour each (never real-page text)."""

from directory.extraction import extract_page
from tests.extraction.prose import cities, facts_of, states


def test_in_person_near_a_town_and_by_video_across_states():
    facts = facts_of("We see clients in person within 40 miles of Flagstaff; by video throughout Arizona and "
                     "New Mexico.")
    assert states(facts) == {"AZ": (True, True), "NM": (None, True)}
    assert cities(facts) == {("Flagstaff", "AZ")}


def test_our_town_office_is_in_person_there():
    facts = facts_of("We offer in-person sessions at our Bend office.", "We are licensed in Oregon.")
    assert states(facts) == {"OR": (True, None)} and cities(facts) == {("Bend", "OR")}


def test_telehealth_anywhere_in_a_state():
    assert states(facts_of("Ketamine-assisted psychotherapy by telehealth anywhere in Ohio.")) == {"OH": (None, True)}


def test_town_lists_and_areas():
    assert cities(facts_of("Located in the Austin, Round Rock and Georgetown, Texas area, we offer infusions.")) == {
        ("Austin", "TX"), ("Round Rock", "TX"), ("Georgetown", "TX")}
    assert ("Boston", "MA") in cities(facts_of("Serving the greater Boston area. We are licensed in Massachusetts."))
    assert ("Flagstaff", "AZ") in cities(facts_of("<b>x</b>Ketamine Infusions in Flagstaff"))
    assert ("Boise", "ID") in cities(facts_of("We are a Boise-based practice offering KAP."))
    assert cities(facts_of("We have been practicing in Southern Indiana since 2004.")) == {("Southern Indiana", "IN")}


def test_a_town_in_the_practice_name():
    facts = facts_of("At Flagstaff Integrative Psychiatry we offer ketamine-assisted psychotherapy.", "Arizona only.")
    assert {city for city, _ in cities(facts)} == {"Flagstaff"}
    big = facts_of("The Ketamine Clinic of Sacramento offers infusions.")  # a big town needs no state to back it
    assert {city for city, _ in cities(big)} == {"Sacramento"}
    assert cities(facts_of("At Hope Wellness we offer KAP.")) == set()  # a word some hamlet shares is not a town


def test_one_town_alone_gives_no_state_the_page_never_names():
    facts = facts_of("Visit our Yakima office for ketamine-assisted psychotherapy.")
    assert {city for city, _ in cities(facts)} == {"Yakima"} and states(facts) == {}
    several = facts_of("We have offices in Naperville, Chicago and Oak Brook.")
    assert states(several) == {"IL": (True, None)}  # several towns that share only one state do name it


def test_the_one_state_a_page_names_is_its_own():
    assert set(states(facts_of("Ketamine-assisted psychotherapy is legal in Ohio with a prescription."))) == {"OH"}
    two = facts_of("Ketamine is legal in Ohio.", "Psilocybin was legalized in Oregon.")
    assert states(two) == {}  # two states named only in law talk: neither is said to be served
    assert states(facts_of("She studied at a university in Ohio.")) == {}


def test_an_in_clinic_route_means_in_person_in_the_page_state():
    facts = facts_of("We offer IV ketamine infusions.", "We serve patients across Nevada.")
    assert states(facts)["NV"][0] is True
    assert any(item.field == "states" and item.value["in_person"] and "IV ketamine" in item.snippet
               for item in facts.evidence)  # the route's own sentence is the evidence
    virtual = facts_of("We offer at-home ketamine lozenges.", "We serve patients across Nevada.")
    assert states(virtual)["NV"][0] is None


def test_routes_offered_versus_explained():
    assert set(facts_of("Contrastingly, Esketamine – the intranasal form approved by the FDA – can be used.").routes) \
        == {"esketamine_spravato"}
    assert facts_of("Ketamine can be given IV, IM or nasally.").routes == []
    assert facts_of("It could be received intravenously (IV), intramuscularly, nasally, or orally.").routes == []
    assert facts_of("We offer ketamine injections in our office.").routes == ["im"]
    assert facts_of("We prescribe ketamine to clients who have tried two oral antidepressants.").routes == []
    assert facts_of("My approach differs from other providers that work with IV administration by a nurse.").routes \
        == []
    assert facts_of("Ketamine is an anesthetic administered via IV or intramuscular injection.").routes == []
    spravato = facts_of("We offer Spravato (esketamine) in our clinic.", "After each intranasal spray, you rest.")
    assert spravato.routes == ["esketamine_spravato"]


def test_group_and_retreat_offers():
    heading = extract_page("<html><body><h2>Group or Retreat-Style KAP</h2><p>Small groups of 3-6.</p></body></html>")
    assert heading.group_or_retreat is True
    assert facts_of("At Lakeview Psychiatry and at GroupKAP, there are new offerings.").group_or_retreat is True
    assert facts_of("A cohort of patients in a 2019 study received ketamine.").group_or_retreat is None
    assert facts_of("We are a small group practice offering KAP.").group_or_retreat is None


def test_partner_named_in_prose():
    facts = facts_of("In partnership with Dr. Hollis Wren of Dakota Psychiatric, we offer KAP.")
    assert facts.medical_partner == "Hollis Wren"


def test_therapy_offered_in_a_first_person_sentence_that_also_mentions_research():
    facts = facts_of("At Lakeview Psychiatry we have offered a 4 week Ketamine Assisted Psychotherapy protocol "
                     "built from our research.")
    assert facts.therapy_included is True


def test_a_lower_case_keyword_line_with_town_and_state():
    facts = extract_page("<html><body><ul><li>Depression maple grove minnesota</li></ul></body></html>")
    assert cities(facts) == {("Maple Grove", "MN")} and set(states(facts)) == {"MN"}
    assert states(extract_page("<p>we moved on from georgia the musical</p>")) == {}


def test_a_kap_section_on_a_practice_page_presents_therapy():
    explained = ("<h2>What is Ketamine-Assisted Psychotherapy?</h2><p>Ketamine can amplify the healing power of "
                 "psychotherapy.</p>")
    assert extract_page(f"<html><body>{explained}<p>Call us to book.</p></body></html>").therapy_included is True
    # the same explanation with no word from the practice itself is a general article
    assert extract_page(f"<html><body>{explained}</body></html>").therapy_included is None


def test_a_brand_word_that_is_also_a_small_town_is_not_a_town_without_its_state():
    assert cities(facts_of("At Alpine Psychiatry we offer KAP.")) == set()
    assert {city for city, _ in cities(facts_of("At Alpine Psychiatry we offer KAP.", "We serve Texas."))} == {"Alpine"}


def test_group_beside_individual_ketamine_work():
    assert facts_of("Our ketamine sessions are individual or group.").group_or_retreat is True
    assert facts_of("We offer individual and group counseling for couples.").group_or_retreat is None


def test_history_of_ketamine_names_no_town():
    facts = facts_of("Ketamine was first synthesized in 1962 at a laboratory in Detroit, Michigan.")
    assert cities(facts) == set() and states(facts) == {}
