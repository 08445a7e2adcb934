"""Place rules of issue 10's sixth round (a new real set for the place fields), each in invented sentences."""

from directory.extraction.output import facts_to_json
from tests.extraction.prose import cities, facts_of, states, text_facts

# --- towns listed before their state ----------------------------------------------------------------------------------

def test_every_town_of_a_list_before_its_state_takes_that_state():
    facts = facts_of("Ketamine-assisted therapy in Greensboro, High Point, and Burlington, NC.")
    assert cities(facts) == {("Greensboro", "NC"), ("High Point", "NC"), ("Burlington", "NC")}


def test_towns_written_in_capitals_in_a_heading_are_named_as_a_reader_writes_them():
    facts = facts_of("Personal Ketamine Care in GREENSBORO, HIGH POINT, and BURLINGTON, NC")
    assert cities(facts) == {("Greensboro", "NC"), ("High Point", "NC"), ("Burlington", "NC")}


def test_a_listed_town_of_another_state_keeps_its_own_state():
    facts = facts_of("We see clients in Tempe and Portland, OR.")
    assert ("Tempe", "OR") not in cities(facts)
    assert ("Portland", "OR") in cities(facts)


# --- named areas of a state -------------------------------------------------------------------------------------------

def test_an_area_named_with_its_states_possessive_is_a_place_served():
    facts = facts_of("Our nurses serve patients across Maryland's Eastern Shore.")
    assert cities(facts) == {("Eastern Shore", "MD")}
    assert set(states(facts)) == {"MD"}


def test_a_states_possessive_before_an_ordinary_noun_is_no_area():
    facts = facts_of("We are proud to serve Maryland's veterans.")
    assert cities(facts) == set()


# --- in person only ---------------------------------------------------------------------------------------------------

def test_ketamine_only_in_scheduled_in_person_sessions_is_not_virtual():
    facts = facts_of("Our practice is in Frederick, Maryland.",
                     "Prescribed medicine may only be used during our scheduled, in-person dosing sessions.")
    assert states(facts) == {"MD": (True, False)}


def test_at_home_use_not_permitted_is_not_virtual():
    facts = facts_of("We see clients at our office in Frederick, Maryland.", "At-home use is not permitted.")
    assert states(facts) == {"MD": (True, False)}


def test_only_in_person_in_an_office_sentence_is_said_of_that_state():
    facts = facts_of("Sessions are held only in person at our office in Frederick, Maryland.")
    assert states(facts) == {"MD": (True, False)}


# --- modes after a list of states -------------------------------------------------------------------------------------

def test_a_town_between_two_modes_after_the_states_does_not_end_the_modes():
    facts = facts_of("KAP for adults in Maine and New Hampshire, in person in Portland or online.")
    assert states(facts) == {"ME": (True, True), "NH": (True, True)}


# --- offices under a heading ------------------------------------------------------------------------------------------

def test_town_and_state_lines_under_a_locations_heading_are_offices():
    facts = text_facts("Locations\nTowson, MD\nFairfax, VA\n")
    assert states(facts) == {"MD": (True, None), "VA": (True, None)}


# --- licence numbers --------------------------------------------------------------------------------------------------

def test_a_state_code_with_a_licence_number_is_a_state_where_the_clinician_practises():
    facts = facts_of("Jo Vale, LMFT (WA #LF60012345), guides KAP sessions in our Tacoma office.")
    assert states(facts) == {"WA": (True, None)}
    assert cities(facts) == {("Tacoma", "WA")}


def test_a_state_name_before_a_licence_number_counts():
    facts = facts_of("Jo Vale, LPC, Oregon License #C4567, meets clients online.")
    assert states(facts) == {"OR": (None, True)}


# --- where someone else works or worked -------------------------------------------------------------------------------

def test_work_before_the_practice_was_opened_is_not_a_place_served():
    facts = facts_of("Prior to private practice, she was clinical director at a treatment center in Tempe, Arizona.")
    assert states(facts) == {}
    assert cities(facts) == set()


def test_a_process_step_prior_to_a_session_still_names_the_office():
    facts = facts_of("Prior to your first session, you will visit our office in Tempe, Arizona.")
    assert states(facts) == {"AZ": (True, None)}


def test_a_colleague_described_as_a_psychiatrist_in_a_town_is_not_an_office():
    facts = facts_of("We are licensed in Vermont.",
                     "Ketamine is prescribed by my colleague, a psychiatrist in Burlington, and taken in my office.")
    assert cities(facts) == set()


# --- what the law allows ----------------------------------------------------------------------------------------------

def test_a_state_named_only_in_a_sentence_about_the_law_is_not_served_beside_another():
    facts = text_facts("Ohio Online Ketamine Therapy\n\n"
                       "When prescribed by a physician licensed to practice in Indiana, ketamine use is legal.\n")
    assert set(states(facts)) == {"OH"}


def test_a_practice_saying_it_is_licensed_where_a_drug_is_legal_still_serves_there():
    facts = facts_of("We are licensed in Oregon, where ketamine therapy is legal.")
    assert set(states(facts)) == {"OR"}


# --- towns in a practice's name ---------------------------------------------------------------------------------------

def test_a_town_in_the_practices_name_is_a_brand_word_when_the_page_names_the_towns_it_serves():
    got = facts_to_json(facts_of("Cedar Grove Ketamine Clinic serves adults in Dayton and Springboro, Ohio."))
    assert {city["city"] for city in got["cities"]} == {"Dayton", "Springboro"}


def test_a_town_in_the_name_of_a_practice_that_works_only_by_video_is_no_office():
    got = facts_to_json(facts_of("Eagle Rock Psychotherapy", "States we serve: Virginia and North Carolina.",
                                 "All of our sessions are held by video."))
    assert got["cities"] == []


# --- a list of states under a heading that says how -------------------------------------------------------------------

def test_states_listed_under_a_telehealth_heading_are_served_by_video():
    facts = text_facts("Telehealth available in:\nOhio\nIndiana\nKentucky\n")
    assert states(facts) == {"OH": (None, True), "IN": (None, True), "KY": (None, True)}


def test_a_heading_without_a_mode_says_nothing_of_the_listed_states():
    facts = text_facts("Licensed in:\nOhio\nIndiana\n")
    assert states(facts) == {"OH": (None, None), "IN": (None, None)}


# --- towns and counties said in other ways ----------------------------------------------------------------------------

def test_towns_of_which_clients_are_residents_are_served():
    facts = facts_of("We offer ketamine therapy to residents of Dayton, Springboro and Centerville, Ohio.")
    assert cities(facts) == {("Dayton", "OH"), ("Springboro", "OH"), ("Centerville", "OH")}


def test_a_town_with_a_possessive_district_is_the_town():
    facts = facts_of("We are located in Tempe’s Old Town district, Arizona.")
    assert ("Tempe", "AZ") in cities(facts)


def test_a_county_tied_to_its_state_in_a_service_heading_is_an_area_named():
    facts = text_facts("Maple County, NY ketamine-assisted psychotherapy\n")
    assert ("Maple County", "NY") not in cities(facts)  # no such county: nothing invented
    facts = text_facts("Westchester County, NY ketamine-assisted psychotherapy\n")
    assert cities(facts) == {("Westchester County", "NY")}


def test_a_county_and_state_in_a_sentence_without_service_words_is_no_area():
    assert cities(text_facts("Westchester County, NY has many parks.\n")) == set()


def test_legal_as_a_word_of_the_service_offered_in_a_town_is_no_statement_of_law():
    facts = facts_of("Legal Psychedelic-Assisted Psychotherapy in Springfield, MO")
    assert set(states(facts)) == {"MO"}
    assert cities(facts) == {("Springfield", "MO")}


def test_a_state_described_by_what_is_legal_there_is_still_served():
    facts = text_facts("Licensed in Ohio.\n\n"
                       "Licensed in Colorado and Oregon, the two states where psilocybin is legal.\n")
    assert set(states(facts)) == {"OH", "CO", "OR"}


# --- news style and other spellings -----------------------------------------------------------------------------------

def test_a_news_style_state_abbreviation_after_a_town_is_that_state():
    facts = facts_of("SPRINGFIELD, Mo. — Patients turned to Dr. Roe, whose clinic offers IV ketamine.")
    assert cities(facts) == {("Springfield", "MO")}
    assert set(states(facts)) == {"MO"}
    facts = facts_of("Lakeshore Infusions, a Fayetteville, N.C.-based clinic, offers ketamine infusions.")
    assert ("Fayetteville", "NC") in cities(facts)


def test_a_news_style_abbreviation_without_a_town_is_no_state():
    assert states(facts_of("My Pa. always said so, and we serve clients well.")) == {}


def test_hawaii_written_with_the_okina_is_hawaii():
    facts = facts_of("She brought this therapy to her community in Hawai’i.",
                     "She sees patients in her office in Hilo.")
    assert states(facts) == {"HI": (True, None)}


def test_an_office_a_practice_plans_to_open_is_not_an_office_yet():
    facts = facts_of("Our clinic in Covington, Louisiana offers IV ketamine, and we plan to open another office in "
                     "Metairie.")
    assert cities(facts) == {("Covington", "LA")}


def test_a_community_served_after_words_of_training_is_served():
    facts = facts_of("She trained at a research institute to bring this therapy to her rural community in Vermont.")
    assert set(states(facts)) == {"VT"}
    assert states(facts_of("She trained at a research institute in Vermont.")) == {}
