"""Place rules of issue 10's seventh round (a new real set for the place fields), each in invented sentences."""

from tests.extraction.prose import cities, states, text_facts

# --- at-home ketamine care is care that reaches the client remotely ------------------------------------------------


def test_home_based_ketamine_therapy_in_listed_states_is_virtual_there():
    facts = text_facts(
        "Juniper Hollow Ketamine Center\n\n"
        "IV infusions at our Alexandria, Virginia office.\n\n"
        "Oral, home-based ketamine therapy in Virginia, Maryland, and DC."
    )
    found = states(facts)
    assert found["VA"] == (True, True)
    assert found["MD"][1] is True and found["DC"][1] is True


def test_at_home_ketamine_treatment_for_a_states_residents_is_virtual():
    facts = text_facts(
        "Fernleaf Clinic provides at-home ketamine treatment for adults living in Oregon, guided by our clinicians."
    )
    assert states(facts)["OR"][1] is True


def test_resting_at_home_after_an_infusion_is_not_a_virtual_service():
    facts = text_facts(
        "Ketamine infusions at our Boise, Idaho clinic. Plan to rest at home for the evening after your infusion."
    )
    assert states(facts)["ID"][1] is None


# --- an invitation to discover a service is not the history of a discovery --------------------------------------------


def test_discover_ketamine_therapy_in_a_town_names_where_it_is_offered():
    facts = text_facts("Discover personalized ketamine therapy in Bozeman and Missoula, MT.")
    assert states(facts)["MT"][0] is True
    assert cities(facts) == {("Bozeman", "MT"), ("Missoula", "MT")}


def test_a_drug_discovered_at_a_university_in_a_state_is_history_not_a_place_served():
    facts = text_facts("Ketamine was discovered in 1962 at a university in Michigan. We offer infusions.")
    assert "MI" not in states(facts)


# --- "Town, State, and Town, State": the first state belongs to the first town ---------------------------------------


def test_a_state_written_after_a_town_in_a_list_is_not_a_town_of_the_next_state():
    facts = text_facts("Juniper Hollow Counseling has offices in Tacoma, Washington, and Bangor, Maine.")
    assert cities(facts) == {("Tacoma", "WA"), ("Bangor", "ME")}
    assert set(states(facts)) == {"WA", "ME"}
